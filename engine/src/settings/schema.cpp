// schema: the half of the settings schema that needs no settings struct:
// how ranges read, what each type expects, text read into JSON values, and
// the closest name for "did you mean" messages.
//
// [SECTION] texts
// [SECTION] messages and ranges
// [SECTION] text into JSON
// [SECTION] field_info
#include "schema_values.hpp"

#include <algorithm>
#include <bit>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "swarmbench/backend.hpp"
#include "swarmbench/units.hpp"

namespace swarmbench {

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diag = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diag = up;
        }
    }
    return row[b.size()];
}

std::string closest_name(std::string_view name, const std::vector<std::string_view>& candidates) {
    std::string_view best;
    std::size_t best_d = std::numeric_limits<std::size_t>::max();
    for (std::string_view c : candidates) {
        const std::size_t d = edit_distance(name, c);
        if (d < best_d) {
            best_d = d;
            best = c;
        }
    }
    return std::string(best);
}

}  // namespace swarmbench

namespace swarmbench::settings {

namespace detail {

namespace {

constexpr std::uint64_t KiB = 1024;

std::string in_quotes(std::string_view s) { return fmt::format("\"{}\"", s); }

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

bool is_size(const field_info& f) noexcept { return f.type == value_type::size || f.type == value_type::rate; }

/// "a", "b" or "c".
std::string choices_text(const field_info& f) {
    std::string out;
    for (std::size_t i = 0; i < f.choices.size(); ++i) {
        if (i > 0) out += i + 1 == f.choices.size() ? " or " : ", ";
        out += in_quotes(f.choices[i]);
    }
    return out;
}

/// Comma-separated entries, trimmed, empty ones skipped ("" clears a list).
std::vector<std::string_view> split_list(std::string_view t) {
    std::vector<std::string_view> out;
    while (!t.empty()) {
        const std::size_t comma = t.find(',');
        const std::string_view item = trim(t.substr(0, comma));
        t = comma == std::string_view::npos ? std::string_view{} : t.substr(comma + 1);
        if (!item.empty()) out.push_back(item);
    }
    return out;
}

}  // namespace

field_info backend_info() {
    return field_info("backend", value_type::choice, "run", "Completion-port backend (auto honours SWARMBENCH_BACKEND).")
        .one_of({to_string(backend_kind::automatic), to_string(backend_kind::io_uring), to_string(backend_kind::epoll),
                 to_string(backend_kind::iocp)});
}

std::string size_text(std::uint64_t v) {
    static constexpr const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    for (int k = 5; k >= 1; --k) {
        const std::uint64_t unit = std::uint64_t{1} << (10 * k);
        if (v >= unit && v % unit == 0) return fmt::format("{} {}", v / unit, units[k]);
    }
    if (v < KiB) return fmt::format("{} B", v);
    return fmt::format("{} B ({})", v, format_bytes(static_cast<double>(v)));
}

std::string real_text(double v) { return fmt::format("{}", v); }

std::string integer_text(const field_info& f, std::uint64_t v) {
    return is_size(f) ? size_text(v) : fmt::format("{}", v);
}

// ---------------------------------------------------------------------------
// [SECTION] messages and ranges
// ---------------------------------------------------------------------------

std::string range_error(const field_info& f, std::string_view got) {
    return fmt::format("{}: must be {}, got {}", f.name, f.range_text(), got);
}

std::string type_error(const field_info& f, const nlohmann::json& v) {
    return fmt::format("{}: expected {}, got {}", f.name, f.expected_text(), v.type_name());
}

bt::result<std::uint64_t> parse_bytes(const field_info& f, std::string_view text) {
    auto r = parse_quantity(text, f.type == value_type::rate ? quantity::rate : quantity::size);
    if (!r) return bt::parse_error{fmt::format("{}: {}", f.name, r.error())};
    return r;
}

std::string choice_error(const field_info& f, std::string_view got) {
    return fmt::format("{}: must be {}, got {}", f.name, f.expected_text(), in_quotes(got));
}

std::string piece_entry_error(const field_info& f, std::size_t index, std::string_view got) {
    return fmt::format("{}: entry {} must be a piece index (an integer 0..4294967295), got {}", f.name, index + 1,
                       got);
}

std::string endpoint_error(const field_info& f, std::size_t index, std::string_view got) {
    if (f.type == value_type::endpoint)
        return fmt::format("{}: must be HOST:PORT (\"127.0.0.1:6881\", \"[::1]:6881\"), got {}", f.name,
                           in_quotes(got));
    return fmt::format("{}: entry {} must be HOST:PORT (\"127.0.0.1:6881\", \"[::1]:6881\"), got {}", f.name,
                       index + 1, in_quotes(got));
}

error check_range(const field_info& f, const nlohmann::json& v) {
    if (!f.ranged || !v.is_number()) return std::nullopt;
    if (v.is_number_float()) {
        const double d = v.get<double>();
        if (f.zero_ok && d == 0) return std::nullopt;
        if (!(d >= f.lo && d <= f.hi)) return range_error(f, real_text(d));  // NaN fails too
        return std::nullopt;
    }
    const std::uint64_t u = v.get<std::uint64_t>();
    if (f.zero_ok && u == 0) return std::nullopt;
    const bool in_range = static_cast<double>(u) >= f.lo && static_cast<double>(u) <= f.hi;
    if (!in_range || (f.pow2 && !std::has_single_bit(u))) return range_error(f, integer_text(f, u));
    return std::nullopt;
}

// ---------------------------------------------------------------------------
// [SECTION] text into JSON
// ---------------------------------------------------------------------------

/// The offset of the first byte that breaks UTF-8 in `s`, or npos. Settings
/// are written back as JSON (results.json, --dump-scenario), which holds only
/// UTF-8, so text that is not UTF-8 is refused where it comes in.
std::size_t first_invalid_utf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto b = static_cast<unsigned char>(s[i]);
        std::size_t len = 0;
        std::uint32_t cp = 0;
        if (b < 0x80) { ++i; continue; }
        if (b >= 0xC2 && b <= 0xDF) { len = 2; cp = b & 0x1Fu; }
        else if (b >= 0xE0 && b <= 0xEF) { len = 3; cp = b & 0x0Fu; }
        else if (b >= 0xF0 && b <= 0xF4) { len = 4; cp = b & 0x07u; }
        else return i;
        if (s.size() - i < len) return i;
        for (std::size_t k = 1; k < len; ++k) {
            const auto c = static_cast<unsigned char>(s[i + k]);
            if ((c & 0xC0u) != 0x80u) return i;
            cp = (cp << 6) | (c & 0x3Fu);
        }
        const bool overlong = (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
        if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
        i += len;
    }
    return std::string_view::npos;
}

error text_to_json(const field_info& f, std::string_view raw, nlohmann::json& out) {
    if (const std::size_t bad = first_invalid_utf8(raw); bad != std::string_view::npos)
        return fmt::format("{}: not UTF-8 text (byte 0x{:02X} at offset {}); settings are stored as JSON, which holds "
                           "only UTF-8",
                           f.name, static_cast<unsigned char>(raw[bad]), bad);
    const std::string_view t = trim(raw);
    switch (f.type) {
        case value_type::count:
        case value_type::any_u64: {
            const bool negative = !t.empty() && t.front() == '-';
            const std::string_view digits = negative ? t.substr(1) : t;
            std::uint64_t v = 0;
            auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
            if (digits.empty() || end != digits.data() + digits.size() ||
                (ec != std::errc() && ec != std::errc::result_out_of_range))
                return fmt::format("{}: expected an integer, got {}", f.name, in_quotes(raw));
            if (ec == std::errc::result_out_of_range || (negative && v > std::uint64_t{INT64_MAX}))
                return range_error(f, t);
            out = negative ? nlohmann::json(-static_cast<std::int64_t>(v)) : nlohmann::json(v);
            return std::nullopt;
        }
        case value_type::size:
        case value_type::rate: {
            if (!t.empty() && t.front() == '-') {
                if (auto bytes = parse_bytes(f, t.substr(1))) {  // out of range rather than a syntax error
                    if (bytes.value() > std::uint64_t{INT64_MAX}) return range_error(f, fmt::format("-{}", bytes.value()));
                    out = -static_cast<std::int64_t>(bytes.value());
                    return std::nullopt;
                }
            }
            auto bytes = parse_bytes(f, t);
            if (!bytes) return bytes.error();
            out = bytes.value();
            return std::nullopt;
        }
        case value_type::real: {
            double v = 0;
            auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
            if (t.empty() || ec != std::errc() || end != t.data() + t.size() || !std::isfinite(v))
                return fmt::format("{}: expected a number, got {}", f.name, in_quotes(raw));
            out = v;
            return std::nullopt;
        }
        case value_type::flag: {
            const bool yes = iequals(t, "true") || t == "1" || iequals(t, "yes");
            const bool no = iequals(t, "false") || t == "0" || iequals(t, "no");
            if (!yes && !no)
                return fmt::format("{}: expected true or false (or 1/0, yes/no), got {}", f.name, in_quotes(raw));
            out = yes;
            return std::nullopt;
        }
        case value_type::text: out = std::string(raw); return std::nullopt;
        case value_type::choice:
        case value_type::endpoint: out = std::string(t); return std::nullopt;
        case value_type::endpoints: {
            out = nlohmann::json::array();
            for (std::string_view item : split_list(t)) out.push_back(std::string(item));
            return std::nullopt;
        }
        case value_type::links: {
            // As a flag or a text box carries it: the list's JSON ("" for none).
            if (t.empty()) {
                out = nlohmann::json::array();
                return std::nullopt;
            }
            try {
                out = nlohmann::json::parse(t, nullptr, true, true);
            } catch (const nlohmann::json::exception& e) {
                return fmt::format("{}: {}", f.name, syntax_message(t, e));
            }
            return std::nullopt;
        }
        case value_type::pieces: {
            out = nlohmann::json::array();
            for (std::string_view item : split_list(t)) {
                std::uint32_t v = 0;
                auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
                if (ec != std::errc() || end != item.data() + item.size())
                    return piece_entry_error(f, out.size(), in_quotes(item));
                out.push_back(v);
            }
            return std::nullopt;
        }
    }
    return std::nullopt;
}

}  // namespace detail

// ---------------------------------------------------------------------------
// [SECTION] field_info
// ---------------------------------------------------------------------------

std::string field_info::range_text() const {
    if (type == value_type::choice) return detail::choices_text(*this);
    if (type == value_type::any_u64) return fmt::format("0..{}", std::numeric_limits<std::uint64_t>::max());
    if (!ranged) return {};
    std::string out;
    if (pow2) out += "a power of two, ";
    if (zero_ok) out += "0 or ";
    switch (type) {
        case value_type::size:
        case value_type::rate:
            out += detail::size_text(static_cast<std::uint64_t>(lo)) + ".." +
                   detail::size_text(static_cast<std::uint64_t>(hi));
            break;
        case value_type::count:
            out += fmt::format("{}..{}", static_cast<std::uint64_t>(lo), static_cast<std::uint64_t>(hi));
            break;
        default: out += detail::real_text(lo) + ".." + detail::real_text(hi); break;
    }
    // Sizes and rates carry their unit in the numbers; the rest say it once.
    if (type != value_type::size && type != value_type::rate && !unit.empty()) out += " " + std::string(unit);
    return out;
}

std::string field_info::expected_text() const {
    switch (type) {
        case value_type::count:
        case value_type::any_u64: return "an integer";
        case value_type::size: return "a size (an integer or a string such as \"1GiB\")";
        case value_type::rate: return "a rate in bytes/s (an integer or a string such as \"10MiB\")";
        case value_type::real: return "a number";
        case value_type::flag: return "a boolean";
        case value_type::text: return "a string";
        case value_type::choice: return detail::choices_text(*this);
        case value_type::endpoint: return "a \"HOST:PORT\" string";
        case value_type::endpoints: return "a list of \"HOST:PORT\" strings";
        case value_type::pieces: return "a list of piece indexes";
        case value_type::links: return "a list of link classes ([{\"name\": \"dsl\", \"share\": 1, ...}])";
    }
    return "a value";
}

std::string field_info::value_text(const nlohmann::json& v) const {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
    if (v.is_number_float()) return detail::real_text(v.get<double>());
    if (v.is_number_unsigned() || (v.is_number_integer() && v.get<std::int64_t>() >= 0)) {
        const auto u = v.get<std::uint64_t>();
        return (type == value_type::size || type == value_type::rate) && u != 0 ? detail::size_text(u)
                                                                              : fmt::format("{}", u);
    }
    if (type == value_type::links) return v.empty() ? std::string() : v.dump();
    if (v.is_array()) {
        std::string out;
        for (const auto& e : v) out += (out.empty() ? "" : ", ") + value_text(e);
        return out;
    }
    return v.dump();
}

std::string field_info::cli_flag() const {
    if (!flag.empty()) return std::string(flag);
    std::string out = "--" + std::string(name);
    std::replace(out.begin(), out.end(), '_', '-');
    return out;
}

// Line and column (1-based) of byte `pos` in `text`.
static std::string location(std::string_view text, std::size_t pos) {
    pos = std::min(pos, text.size());
    std::size_t line = 1, col = 1;
    for (std::size_t i = 0; i < pos; ++i) {
        if (text[i] == '\n') {
            ++line;
            col = 1;
        } else {
            ++col;
        }
    }
    return fmt::format("line {}, column {}", line, col);
}

// nlohmann's "[json.exception.parse_error.101] parse error at line 3,
// column 2: syntax error ..." becomes "line 3, column 2: syntax error ...".
std::string syntax_message(std::string_view text, const nlohmann::json::exception& e) {
    std::string_view what = e.what();
    if (const auto at = what.find("at line "); at != std::string_view::npos) return std::string(what.substr(at + 3));
    if (const auto close = what.find("] "); close != std::string_view::npos) what.remove_prefix(close + 2);
    // "number overflow parsing '1e400'" has no position: find the literal.
    const auto q1 = what.find('\'');
    const auto q2 = q1 == std::string_view::npos ? q1 : what.find('\'', q1 + 1);
    if (q2 != std::string_view::npos) {
        const auto pos = text.find(what.substr(q1 + 1, q2 - q1 - 1));
        if (pos != std::string_view::npos) return fmt::format("{}: {}", location(text, pos), what);
    }
    return std::string(what);
}

}  // namespace swarmbench::settings
