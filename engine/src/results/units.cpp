#include "swarmbench/units.hpp"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <limits>

namespace swarmbench {

namespace {

bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

// The multiplier for a suffix, or 0 if it is not one.
std::uint64_t multiplier_for(std::string_view suffix) noexcept {
    if (suffix.empty() || iequals(suffix, "b")) return 1;
    static constexpr const char* letters = "kmgtp";
    for (int i = 0; letters[i] != '\0'; ++i) {
        std::uint64_t m = std::uint64_t{1} << (10 * (i + 1));
        char one[2] = {letters[i], '\0'};
        std::string two = std::string(one) + "b";
        std::string three = std::string(one) + "ib";
        if (iequals(suffix, one) || iequals(suffix, two) || iequals(suffix, three)) return m;
    }
    return 0;
}

}  // namespace

std::optional<std::uint64_t> parse_size(std::string_view text) noexcept {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
    std::size_t i = 0;
    std::uint64_t whole = 0;
    bool digits = false;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
        std::uint64_t d = static_cast<std::uint64_t>(text[i] - '0');
        if (whole > (std::numeric_limits<std::uint64_t>::max() - d) / 10) return std::nullopt;
        whole = whole * 10 + d;
        digits = true;
        ++i;
    }
    // Fractions ("1.5GiB") are kept as a numerator over a power of ten.
    std::uint64_t frac = 0, frac_scale = 1;
    if (i < text.size() && text[i] == '.') {
        ++i;
        while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
            if (frac_scale >= 1'000'000'000ULL) return std::nullopt;  // more precision than bytes need
            frac = frac * 10 + static_cast<std::uint64_t>(text[i] - '0');
            frac_scale *= 10;
            digits = true;
            ++i;
        }
    }
    if (!digits) return std::nullopt;
    std::string_view suffix = text.substr(i);
    while (!suffix.empty() && suffix.front() == ' ') suffix.remove_prefix(1);
    std::uint64_t m = multiplier_for(suffix);
    if (m == 0) return std::nullopt;
    if (whole > std::numeric_limits<std::uint64_t>::max() / m) return std::nullopt;
    std::uint64_t value = whole * m;
    if (frac != 0) {
        // m is a power of two up to 2^50 and frac < 1e9: m * frac may overflow, so divide first.
        long double extra = static_cast<long double>(m) * static_cast<long double>(frac) /
                            static_cast<long double>(frac_scale);
        if (extra != std::floor(extra)) return std::nullopt;  // "1.3B": not a whole number of bytes
        if (static_cast<long double>(std::numeric_limits<std::uint64_t>::max() - value) < extra)
            return std::nullopt;
        value += static_cast<std::uint64_t>(extra);
    }
    return value;
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
