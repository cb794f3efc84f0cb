#include "swarmbench/units.hpp"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>

#include <fmt/format.h>

namespace swarmbench {

namespace {

bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

constexpr std::string_view prefixes = "kmgtp";  // kilo .. peta, by power

/// The power (1 = kilo .. 5 = peta) of a prefix letter, or 0.
int power_of(char c) noexcept {
    const auto at = prefixes.find(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    return at == std::string_view::npos ? 0 : static_cast<int>(at) + 1;
}

std::uint64_t pow_u64(std::uint64_t base, int n) noexcept {
    std::uint64_t v = 1;
    for (int i = 0; i < n; ++i) v *= base;
    return v;
}

/// A number read as whole + frac / frac_scale.
struct decimal {
    std::uint64_t whole = 0;
    std::uint64_t frac = 0;
    std::uint64_t frac_scale = 1;
};

/// value x multiplier / divisor, if it is a whole number that fits.
std::optional<std::uint64_t> scaled(const decimal& d, std::uint64_t multiplier, std::uint64_t divisor) noexcept {
    // Exact in long double for what a byte count can be (64-bit mantissa).
    const long double v = (static_cast<long double>(d.whole) +
                           static_cast<long double>(d.frac) / static_cast<long double>(d.frac_scale)) *
                          static_cast<long double>(multiplier) / static_cast<long double>(divisor);
    if (v != std::floor(v) || v >= 18446744073709551616.0L) return std::nullopt;
    return static_cast<std::uint64_t>(v);
}

std::string quoted(std::string_view s) {
    std::string out;  // not "\"" + ...: GCC 12 warns falsely (-Wrestrict) on that
    out.reserve(s.size() + 2);
    out += '"';
    out += s;
    out += '"';
    return out;
}

}  // namespace

bt::result<std::uint64_t> parse_quantity(std::string_view text, quantity q) {
    const std::string_view original = text;
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
    const auto bad = [&](const std::string& why) { return bt::parse_error{why}; };
    const char* example = q == quantity::rate ? "4MiB/s, 100Mbit or 1048576" : "1GiB, 256KiB or 4096";
    if (!text.empty() && text.front() == '-') return bad("must not be negative, got " + quoted(original));
    decimal d;
    std::size_t i = 0;
    bool digits = false;
    for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i, digits = true) {
        const auto v = static_cast<std::uint64_t>(text[i] - '0');
        if (d.whole > (std::numeric_limits<std::uint64_t>::max() - v) / 10) return bad("too large: " + quoted(original));
        d.whole = d.whole * 10 + v;
    }
    if (i < text.size() && text[i] == '.') {
        for (++i; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i, digits = true) {
            if (d.frac_scale >= 1'000'000'000ULL) return bad("more decimals than a byte count needs: " + quoted(original));
            d.frac = d.frac * 10 + static_cast<std::uint64_t>(text[i] - '0');
            d.frac_scale *= 10;
        }
    }
    if (!digits) return bad(fmt::format("expected a number with an optional unit such as {}, got {}", example, quoted(original)));
    std::string_view unit = text.substr(i);
    while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
    if (unit.size() >= 2 && unit.substr(unit.size() - 2) == "/s") {
        if (q == quantity::size) return bad("a size takes no \"/s\", got " + quoted(original));
        unit.remove_suffix(2);
    }
    const std::string number(text.substr(0, i));
    std::optional<std::uint64_t> bytes;
    const int n = unit.empty() ? 0 : power_of(unit.front());
    if (unit.empty() || unit == "B") {
        bytes = scaled(d, 1, 1);
    } else if (n > 0 && unit.size() == 3 && iequals(unit.substr(1), "ib")) {
        bytes = scaled(d, pow_u64(1024, n), 1);
    } else if (n > 0 && unit.size() == 2 && unit[1] == 'B' && (unit[0] == 'k' || std::isupper(static_cast<unsigned char>(unit[0])))) {
        if (unit == "KB")  // JEDEC's KB is 1024, SI's kB 1000: which was meant?
            return bad(fmt::format("ambiguous unit \"KB\" in {}: write {}KiB ({} bytes) or {}kB ({} bytes)",
                                   quoted(original), number, scaled(d, 1024, 1).value_or(0), number,
                                   scaled(d, 1000, 1).value_or(0)));
        bytes = scaled(d, pow_u64(1000, n), 1);
    } else if (n > 0 && n <= 4 && unit.size() == 4 && iequals(unit.substr(1), "bit")) {
        if (q == quantity::size) return bad("bits are for rates; a size is in bytes (" + std::string(example) + "), got " + quoted(original));
        bytes = scaled(d, pow_u64(1000, n), 8);
    } else if (n > 0 && (unit.size() == 1 || (unit.size() == 2 && (unit[1] == 'b' || unit[1] == 'B')))) {
        const char big = static_cast<char>(std::toupper(static_cast<unsigned char>(unit.front())));
        const std::string si = (big == 'K' ? std::string("k") : std::string(1, big)) + "B";
        return bad(fmt::format("ambiguous unit {} in {}: write {}{}iB ({} bytes) or {}{} ({} bytes)", quoted(unit),
                               quoted(original), number, big, scaled(d, pow_u64(1024, n), 1).value_or(0), number, si,
                               scaled(d, pow_u64(1000, n), 1).value_or(0)));
    } else if (unit == "b") {
        return bad("ambiguous unit \"b\" in " + quoted(original) + ": write B for bytes" +
                   (q == quantity::rate ? std::string(" or Kbit, Mbit, Gbit for bits") : std::string()));
    } else {
        return bad(fmt::format("unknown unit {} in {} (units: B, KiB, MiB, GiB, TiB, kB, MB, GB, TB{})", quoted(unit),
                               quoted(original), q == quantity::rate ? "; rates also Kbit, Mbit, Gbit and /s" : ""));
    }
    if (!bytes) return bad("not a whole number of bytes, or too large: " + quoted(original));
    return *bytes;
}

std::string format_ms(double ms) {
    char buf[32];
    if (!(ms >= 0)) ms = 0;
    if (ms >= 999.5) std::snprintf(buf, sizeof(buf), "%.0f ms", ms);  // %.3g would write 1e+03
    else if (ms == 0) std::snprintf(buf, sizeof(buf), "0 ms");
    else std::snprintf(buf, sizeof(buf), "%.3g ms", ms);
    return buf;
}

std::string format_count(std::uint64_t n) {
    std::string digits = std::to_string(n);
    std::string out;
    out.reserve(digits.size() + digits.size() / 3);
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

std::string format_bytes(double bytes) {
    static constexpr const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    int u = 0;
    double v = bytes < 0 ? 0 : bytes;
    while (v >= 1024.0 && u < 5) {
        v /= 1024.0;
        ++u;
    }
    char buf[48];
    if (u == 0) std::snprintf(buf, sizeof(buf), "%.0f B", v);
    else if (v == std::floor(v)) std::snprintf(buf, sizeof(buf), "%.0f %s", v, units[u]);  // "16 KiB"
    else std::snprintf(buf, sizeof(buf), v >= 100 ? "%.0f %s" : v >= 10 ? "%.1f %s" : "%.2f %s", v, units[u]);
    return buf;
}

std::string format_rate(double bytes_per_s) {
    double bits = bytes_per_s * 8.0;
    static constexpr const char* units[] = {"bit/s", "Kbit/s", "Mbit/s", "Gbit/s", "Tbit/s"};
    int u = 0;
    while (bits >= 1000.0 && u < 4) {
        bits /= 1000.0;
        ++u;
    }
    char buf[48];
    std::snprintf(buf, sizeof(buf), " (%.3g %s)", bits, units[u]);
    return format_bytes(bytes_per_s) + "/s" + buf;
}

}  // namespace swarmbench
