// scenario: one table of fields drives the JSON form, the string setter and
// the per-field half of validate(), so a field's name, kind and range are
// written once and every entry point reports the same message.
//
// [SECTION] enum names
// [SECTION] value formatting (sizes with units, ranges)
// [SECTION] the field table
// [SECTION] reading one value from JSON or from a string
// [SECTION] per-field and cross-field checks
// [SECTION] public functions
#include "swarmbench/swarm/scenario.hpp"

#include <algorithm>
#include <bit>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>
#include <variant>

#include <fmt/format.h>

#include "swarmbench/units.hpp"

namespace swarmbench {

// ---------------------------------------------------------------------------
// [SECTION] enum names
// ---------------------------------------------------------------------------

const char* to_string(storage_mode m) noexcept {
    switch (m) {
        case storage_mode::files: return "files";
        case storage_mode::discard: return "discard";
        case storage_mode::disk_only: return "disk_only";
    }
    return "unknown";
}

const char* to_string(bt::pick_order o) noexcept {
    switch (o) {
        case bt::pick_order::rarest_first: return "rarest_first";
        case bt::pick_order::sequential: return "sequential";
        case bt::pick_order::random: return "random";
        case bt::pick_order::custom: return "custom";
    }
    return "unknown";
}

namespace {

std::optional<storage_mode> parse_storage(std::string_view name) noexcept {
    if (name == "files") return storage_mode::files;
    if (name == "discard") return storage_mode::discard;
    if (name == "disk_only") return storage_mode::disk_only;
    return std::nullopt;
}

std::optional<bt::pick_order> parse_pick(std::string_view name) noexcept {
    if (name == "rarest_first") return bt::pick_order::rarest_first;
    if (name == "sequential") return bt::pick_order::sequential;
    if (name == "random") return bt::pick_order::random;
    if (name == "custom") return bt::pick_order::custom;
    return std::nullopt;
}

// ---------------------------------------------------------------------------
// [SECTION] value formatting
// ---------------------------------------------------------------------------

constexpr std::uint64_t KiB = 1024;
constexpr std::uint64_t MiB = KiB * 1024;
constexpr std::uint64_t GiB = MiB * 1024;
constexpr std::uint64_t TiB = GiB * 1024;
constexpr std::uint64_t direct_alignment = 4096;  // O_DIRECT offset and length granularity

// "16 KiB" when the value is a whole number of some binary unit, else
// "100000 B (97.7 KiB)": exact, and still readable.
std::string size_text(std::uint64_t v) {
    static constexpr const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    for (int k = 5; k >= 1; --k) {
        const std::uint64_t unit = std::uint64_t{1} << (10 * k);
        if (v >= unit && v % unit == 0) return fmt::format("{} {}", v / unit, units[k]);
    }
    if (v < KiB) return fmt::format("{} B", v);
    return fmt::format("{} B ({})", v, format_bytes(static_cast<double>(v)));
}

// Shortest text that reads back as the same double ("0.1", "3600").
std::string real_text(double v) { return fmt::format("{}", v); }

std::string in_quotes(std::string_view s) { return fmt::format("\"{}\"", s); }

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

// ---------------------------------------------------------------------------
// [SECTION] the field table
// ---------------------------------------------------------------------------

// How a field is read and written; the member's C++ type alone cannot tell a
// size ("1GiB" allowed) from a count or a seed.
enum class kind : std::uint8_t {
    count,      // unsigned integer, digits only
    size,       // bytes: an integer or a string with a binary unit
    any_u64,    // a seed: any 64-bit unsigned integer
    real,       // a finite number
    flag,       // boolean
    text,       // free string
    pick,       // bt::pick_order by name
    storage,    // storage_mode by name
    backend,    // backend_kind by name
    endpoints,  // list of HOST:PORT
    pieces,     // list of piece indexes
};

using member = std::variant<std::uint64_t swarm_scenario::*, std::uint32_t swarm_scenario::*,
                            std::uint16_t swarm_scenario::*, double swarm_scenario::*,
                            bool swarm_scenario::*, std::string swarm_scenario::*,
                            bt::pick_order swarm_scenario::*, storage_mode swarm_scenario::*,
                            backend_kind swarm_scenario::*,
                            std::vector<endpoint> swarm_scenario::*,
                            std::vector<std::uint32_t> swarm_scenario::*>;

template <class M>
struct member_type;
template <class T>
struct member_type<T swarm_scenario::*> {
    using type = T;
};

struct field_def {
    const char* name;      // JSON key and CLI name
    kind k;                // how values are read and written
    member m;              // where the value lives
    double lo = 0;         // smallest allowed value (numbers; ignored otherwise)
    double hi = 0;         // largest allowed value
    bool zero_ok = false;  // 0 is allowed outside lo..hi ("0 or 1 KiB..100 GiB")
    bool pow2 = false;     // must also be a power of two
    bool ranged = true;    // lo..hi applies (false for seeds, strings, enums, lists)
};

using S = swarm_scenario;

// In declaration order: scenario_field_names(), the docs and the app use it.
const std::vector<field_def>& fields() {
    static const std::vector<field_def> table = {
        {"torrent_size", kind::size, &S::torrent_size, 1, double(16 * TiB)},
        {"piece_size", kind::size, &S::piece_size, double(16 * KiB), double(64 * MiB), false, true},
        {"file_count", kind::count, &S::file_count, 1, 100000},
        {"content_seed", kind::any_u64, &S::content_seed, 0, 0, false, false, false},
        {"seeders", kind::count, &S::seeders, 0, 10000},
        {"leechers", kind::count, &S::leechers, 0, 10000},
        {"connections_per_leecher", kind::count, &S::connections_per_leecher, 1, 10000},
        {"pipeline", kind::count, &S::pipeline, 1, 2048},
        {"pick", kind::pick, &S::pick, 0, 0, false, false, false},
        {"piece_order", kind::pieces, &S::piece_order, 0, 0, false, false, false},
        {"end_game", kind::flag, &S::end_game, 0, 0, false, false, false},
        {"choking", kind::flag, &S::choking, 0, 0, false, false, false},
        {"unchoke_slots", kind::count, &S::unchoke_slots, 1, 10000},
        {"rechoke_interval_s", kind::real, &S::rechoke_interval_s, 0.1, 3600},
        {"optimistic_interval_s", kind::real, &S::optimistic_interval_s, 0.1, 3600},
        {"rate_limit", kind::size, &S::rate_limit, double(KiB), double(100 * GiB), true},
        {"slow_fraction", kind::real, &S::slow_fraction, 0, 1},
        {"slow_rate", kind::size, &S::slow_rate, double(KiB), double(100 * GiB)},
        {"churn_per_s", kind::real, &S::churn_per_s, 0, 100000},
        {"storage", kind::storage, &S::storage, 0, 0, false, false, false},
        {"direct", kind::flag, &S::direct, 0, 0, false, false, false},
        {"preallocate", kind::flag, &S::preallocate, 0, 0, false, false, false},
        {"data_dir", kind::text, &S::data_dir, 0, 0, false, false, false},
        {"keep_data", kind::flag, &S::keep_data, 0, 0, false, false, false},
        {"torrent_file", kind::text, &S::torrent_file, 0, 0, false, false, false},
        {"content_dir", kind::text, &S::content_dir, 0, 0, false, false, false},
        {"upload_to", kind::endpoints, &S::upload_to, 0, 0, false, false, false},
        {"spread_sources", kind::flag, &S::spread_sources, 0, 0, false, false, false},
        {"client_grace_s", kind::real, &S::client_grace_s, 1, 86400},
        {"duration_s", kind::real, &S::duration_s, 0.1, 86400, true},
        {"timeout_s", kind::real, &S::timeout_s, 1, 604800},
        {"backend", kind::backend, &S::backend, 0, 0, false, false, false},
        {"threads", kind::count, &S::threads, 0, 256},
        {"interval_ms", kind::count, &S::interval_ms, 10, 10000},
        {"listen_host", kind::text, &S::listen_host, 0, 0, false, false, false},
        {"base_port", kind::count, &S::base_port, 0, 65535},
        {"connect_to", kind::endpoints, &S::connect_to, 0, 0, false, false, false},
        {"seeders_at", kind::endpoints, &S::seeders_at, 0, 0, false, false, false},
        {"swarm_id", kind::count, &S::swarm_id, 0, 4294967295.0},
        {"seed", kind::any_u64, &S::seed, 0, 0, false, false, false},
    };
    return table;
}

const field_def* find_field(std::string_view name) {
    for (const field_def& f : fields())
        if (name == f.name) return &f;
    return nullptr;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diag = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t up = row[j];
            const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + cost});
            diag = up;
        }
    }
    return row[b.size()];
}

std::string unknown_field(std::string_view name) {
    std::vector<std::string_view> names;
    for (const field_def& f : fields()) names.push_back(f.name);
    return fmt::format("{}: unknown field (did you mean \"{}\"?)", name, closest_name(name, names));
}

// "1..2048", "0 or 1 KiB..100 GiB", "a power of two, 16 KiB..64 MiB".
std::string range_text(const field_def& f) {
    std::string out;
    if (f.pow2) out += "a power of two, ";
    if (f.zero_ok) out += "0 or ";
    switch (f.k) {
        case kind::size:
            out += size_text(static_cast<std::uint64_t>(f.lo)) + ".." +
                   size_text(static_cast<std::uint64_t>(f.hi));
            break;
        case kind::count:
            out += fmt::format("{}..{}", static_cast<std::uint64_t>(f.lo),
                               static_cast<std::uint64_t>(f.hi));
            break;
        case kind::any_u64: out += fmt::format("0..{}", std::numeric_limits<std::uint64_t>::max()); break;
        default: out += real_text(f.lo) + ".." + real_text(f.hi); break;
    }
    return out;
}

std::string range_error(const field_def& f, std::string_view got) {
    return fmt::format("{}: must be {}, got {}", f.name, range_text(f), got);
}

std::string integer_text(const field_def& f, std::uint64_t v) {
    return f.k == kind::size ? size_text(v) : fmt::format("{}", v);
}

// ---------------------------------------------------------------------------
// [SECTION] reading one value
// ---------------------------------------------------------------------------

// An integer as read, before it is narrowed into its member.
struct wide_int {
    bool negative = false;   // a minus sign was present (and the magnitude is not 0)
    std::uint64_t mag = 0;   // absolute value
};

using error = std::optional<std::string>;

// Stores an integer into an integer member, or says why it does not fit.
error store_integer(swarm_scenario& s, const field_def& f, wide_int w) {
    if (w.negative) return range_error(f, fmt::format("-{}", w.mag));
    return std::visit(
        [&](auto p) -> error {
            using T = typename member_type<decltype(p)>::type;
            if constexpr (std::is_same_v<T, std::uint64_t> || std::is_same_v<T, std::uint32_t> ||
                          std::is_same_v<T, std::uint16_t>) {
                if (w.mag > std::numeric_limits<T>::max()) return range_error(f, integer_text(f, w.mag));
                s.*p = static_cast<T>(w.mag);
                return std::nullopt;
            } else {
                return fmt::format("{}: not an integer field", f.name);
            }
        },
        f.m);
}

template <class T>
void store(swarm_scenario& s, const field_def& f, T value) {
    std::visit(
        [&](auto p) {
            using M = typename member_type<decltype(p)>::type;
            if constexpr (std::is_same_v<M, T>) s.*p = std::move(value);
        },
        f.m);
}

const char* expected_text(kind k) {
    switch (k) {
        case kind::count:
        case kind::any_u64: return "an integer";
        case kind::size: return "a size (an integer or a string such as \"1GiB\")";
        case kind::real: return "a number";
        case kind::flag: return "a boolean";
        case kind::text: return "a string";
        case kind::pick: return "\"rarest_first\", \"sequential\", \"random\" or \"custom\"";
        case kind::storage: return "\"files\", \"discard\" or \"disk_only\"";
        case kind::backend: return "\"auto\", \"io_uring\", \"epoll\" or \"iocp\"";
        case kind::endpoints: return "a list of \"HOST:PORT\" strings";
        case kind::pieces: return "a list of piece indexes";
    }
    return "a value";
}

std::string type_error(const field_def& f, const nlohmann::json& v) {
    return fmt::format("{}: expected {}, got {}", f.name, expected_text(f.k), v.type_name());
}

std::string enum_error(const field_def& f, std::string_view got) {
    return fmt::format("{}: must be {}, got {}", f.name, expected_text(f.k), in_quotes(got));
}

// Enums share one reader for JSON strings and CLI text.
error store_enum(swarm_scenario& s, const field_def& f, std::string_view name) {
    bool known = false;
    if (f.k == kind::pick) {
        if (auto v = parse_pick(name)) {
            store(s, f, *v);
            known = true;
        }
    } else if (f.k == kind::storage) {
        if (auto v = parse_storage(name)) {
            store(s, f, *v);
            known = true;
        }
    } else if (f.k == kind::backend) {
        if (auto v = parse_backend(name)) {
            store(s, f, *v);
            known = true;
        }
    }
    if (known) return std::nullopt;
    return enum_error(f, name);
}

error parse_endpoint_into(const field_def& f, std::string_view text, std::size_t index,
                          std::vector<endpoint>& out) {
    std::error_code ec;
    const endpoint ep = endpoint::parse(text, ec);
    if (ec) {
        return fmt::format("{}: entry {} must be HOST:PORT (\"127.0.0.1:6881\", \"[::1]:6881\"), got {}",
                           f.name, index + 1, in_quotes(text));
    }
    out.push_back(ep);
    return std::nullopt;
}

// One piece index of a piece_order list (entry `index`, counted from 0).
std::string piece_entry_error(const field_def& f, std::size_t index, std::string_view got) {
    return fmt::format("{}: entry {} must be a piece index (an integer 0..4294967295), got {}", f.name, index + 1,
                       got);
}

error size_syntax_error(const field_def& f, std::string_view got) {
    return fmt::format("{}: expected a size such as 1GiB, 256KiB or 4096, got {}", f.name, in_quotes(got));
}

error read_json(swarm_scenario& s, const field_def& f, const nlohmann::json& v) {
    switch (f.k) {
        case kind::count:
        case kind::any_u64:
        case kind::size: {
            if (v.is_number_unsigned()) return store_integer(s, f, {false, v.get<std::uint64_t>()});
            if (v.is_number_integer()) {
                const std::int64_t i = v.get<std::int64_t>();
                // -(i + 1) + 1 avoids overflowing on INT64_MIN.
                if (i < 0) return store_integer(s, f, {true, std::uint64_t(-(i + 1)) + 1});
                return store_integer(s, f, {false, std::uint64_t(i)});
            }
            if (v.is_number_float()) {
                // 1e9 is a float to a JSON parser; accept it when it is a whole number.
                const double d = v.get<double>();
                if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 18446744073709551616.0)
                    return store_integer(s, f, {d < 0, static_cast<std::uint64_t>(std::fabs(d))});
                return fmt::format("{}: expected {}, got {}", f.name, expected_text(f.k), v.dump());
            }
            if (v.is_string() && f.k == kind::size) {
                const auto& text = v.get_ref<const std::string&>();
                if (auto bytes = parse_size(text)) return store_integer(s, f, {false, *bytes});
                return size_syntax_error(f, text);
            }
            return type_error(f, v);
        }
        case kind::real:
            if (!v.is_number()) return type_error(f, v);
            store(s, f, v.get<double>());
            return std::nullopt;
        case kind::flag:
            if (!v.is_boolean()) return type_error(f, v);
            store(s, f, v.get<bool>());
            return std::nullopt;
        case kind::text:
            if (!v.is_string()) return type_error(f, v);
            store(s, f, v.get<std::string>());
            return std::nullopt;
        case kind::pick:
        case kind::storage:
        case kind::backend:
            if (!v.is_string()) return type_error(f, v);
            return store_enum(s, f, v.get_ref<const std::string&>());
        case kind::endpoints: {
            if (!v.is_array()) return type_error(f, v);
            std::vector<endpoint> list;
            for (std::size_t i = 0; i < v.size(); ++i) {
                if (!v[i].is_string()) {
                    return fmt::format("{}: entry {} must be a \"HOST:PORT\" string, got {}", f.name,
                                       i + 1, v[i].type_name());
                }
                if (auto e = parse_endpoint_into(f, v[i].get_ref<const std::string&>(), i, list)) return e;
            }
            store(s, f, std::move(list));
            return std::nullopt;
        }
        case kind::pieces: {
            if (!v.is_array()) return type_error(f, v);
            std::vector<std::uint32_t> list;
            list.reserve(v.size());
            for (std::size_t i = 0; i < v.size(); ++i) {
                const nlohmann::json& e = v[i];
                const bool whole = e.is_number_unsigned() ||
                                   (e.is_number_float() && std::floor(e.get<double>()) == e.get<double>() &&
                                    e.get<double>() >= 0);
                if (!whole || e.get<double>() > double(std::numeric_limits<std::uint32_t>::max()))
                    return piece_entry_error(f, i, e.dump());
                list.push_back(static_cast<std::uint32_t>(e.get<double>()));
            }
            store(s, f, std::move(list));
            return std::nullopt;
        }
    }
    return std::nullopt;
}

error read_text(swarm_scenario& s, const field_def& f, std::string_view raw) {
    const std::string_view t = trim(raw);
    switch (f.k) {
        case kind::count:
        case kind::any_u64: {
            const bool negative = !t.empty() && t.front() == '-';
            const std::string_view digits = negative ? t.substr(1) : t;
            std::uint64_t v = 0;
            auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
            if (digits.empty() || end != digits.data() + digits.size() ||
                (ec != std::errc() && ec != std::errc::result_out_of_range))
                return fmt::format("{}: expected an integer, got {}", f.name, in_quotes(raw));
            if (ec == std::errc::result_out_of_range) return range_error(f, t);
            return store_integer(s, f, {negative && v != 0, v});
        }
        case kind::size: {
            if (!t.empty() && t.front() == '-') {
                if (auto bytes = parse_size(t.substr(1))) return store_integer(s, f, {*bytes != 0, *bytes});
            }
            if (auto bytes = parse_size(t)) return store_integer(s, f, {false, *bytes});
            return size_syntax_error(f, raw);
        }
        case kind::real: {
            double v = 0;
            auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
            if (t.empty() || ec != std::errc() || end != t.data() + t.size() || !std::isfinite(v))
                return fmt::format("{}: expected a number, got {}", f.name, in_quotes(raw));
            store(s, f, v);
            return std::nullopt;
        }
        case kind::flag: {
            const bool yes = iequals(t, "true") || t == "1" || iequals(t, "yes");
            const bool no = iequals(t, "false") || t == "0" || iequals(t, "no");
            if (yes || no) {
                store(s, f, yes);
                return std::nullopt;
            }
            return fmt::format("{}: expected true or false (or 1/0, yes/no), got {}", f.name, in_quotes(raw));
        }
        case kind::text: store(s, f, std::string(raw)); return std::nullopt;
        case kind::pick:
        case kind::storage:
        case kind::backend: return store_enum(s, f, t);
        case kind::endpoints: {
            // "a:1, b:2": commas separate entries; "" clears the list.
            std::vector<endpoint> list;
            std::string_view rest = t;
            std::size_t index = 0;
            while (!rest.empty()) {
                const std::size_t comma = rest.find(',');
                const std::string_view item = trim(rest.substr(0, comma));
                rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
                if (item.empty()) continue;
                if (auto e = parse_endpoint_into(f, item, index++, list)) return e;
            }
            store(s, f, std::move(list));
            return std::nullopt;
        }
        case kind::pieces: {
            // "3, 1, 2": commas separate entries; "" clears the list.
            std::vector<std::uint32_t> list;
            std::string_view rest = t;
            while (!rest.empty()) {
                const std::size_t comma = rest.find(',');
                const std::string_view item = trim(rest.substr(0, comma));
                rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
                if (item.empty()) continue;
                std::uint32_t v = 0;
                auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
                if (ec != std::errc() || end != item.data() + item.size())
                    return piece_entry_error(f, list.size(), in_quotes(item));
                list.push_back(v);
            }
            store(s, f, std::move(list));
            return std::nullopt;
        }
    }
    return std::nullopt;
}

// ---------------------------------------------------------------------------
// [SECTION] checks
// ---------------------------------------------------------------------------

bool listen_host_ok(const std::string& host) {
    if (host.empty()) return false;
    std::error_code ec;
    // endpoint::parse wants a port; IPv6 literals need their brackets.
    const std::string probe = host.find(':') != std::string::npos ? "[" + host + "]:0" : host + ":0";
    (void)endpoint::parse(probe, ec);
    return !ec;
}

// The checks that look at one field only (ranges, host syntax).
error check_field(const swarm_scenario& s, const field_def& f) {
    if (std::strcmp(f.name, "listen_host") == 0) {
        if (listen_host_ok(s.listen_host)) return std::nullopt;
        return fmt::format("{}: must be an IPv4 or IPv6 address such as 127.0.0.1 or ::1, got {}", f.name,
                           in_quotes(s.listen_host));
    }
    if (std::strcmp(f.name, "connect_to") == 0 || std::strcmp(f.name, "upload_to") == 0 ||
        std::strcmp(f.name, "seeders_at") == 0) {
        const auto& list = std::get<std::vector<endpoint> swarm_scenario::*>(f.m);
        for (std::size_t i = 0; i < (s.*list).size(); ++i) {
            const endpoint& ep = (s.*list)[i];
            if (!ep.valid() || ep.port == 0)
                return fmt::format("{}: entry {} must have a port in 1..65535, got {}", f.name, i + 1,
                                   in_quotes(ep.to_string()));
        }
        return std::nullopt;
    }
    if (std::strcmp(f.name, "piece_order") == 0) {
        // Repeats, found by sorting (index, entry) pairs: O(n log n) for any list.
        std::vector<std::pair<std::uint32_t, std::size_t>> sorted;
        sorted.reserve(s.piece_order.size());
        for (std::size_t i = 0; i < s.piece_order.size(); ++i) sorted.emplace_back(s.piece_order[i], i);
        std::sort(sorted.begin(), sorted.end());
        for (std::size_t i = 1; i < sorted.size(); ++i)
            if (sorted[i].first == sorted[i - 1].first)
                return fmt::format("{}: piece {} is listed twice (entries {} and {}); list each piece once", f.name,
                                   sorted[i].first, sorted[i - 1].second + 1, sorted[i].second + 1);
        return std::nullopt;
    }
    if (!f.ranged) return std::nullopt;
    return std::visit(
        [&](auto p) -> error {
            using T = typename member_type<decltype(p)>::type;
            if constexpr (std::is_same_v<T, double>) {
                const double v = s.*p;
                if (f.zero_ok && v == 0) return std::nullopt;
                if (!(v >= f.lo && v <= f.hi)) return range_error(f, real_text(v));  // NaN fails too
                return std::nullopt;
            } else if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
                const std::uint64_t v = s.*p;
                if (f.zero_ok && v == 0) return std::nullopt;
                const bool in_range = static_cast<double>(v) >= f.lo && static_cast<double>(v) <= f.hi;
                if (!in_range || (f.pow2 && !std::has_single_bit(v))) return range_error(f, integer_text(f, v));
                return std::nullopt;
            } else {
                return std::nullopt;
            }
        },
        f.m);
}

// Rules that tie fields together; each message names the field to change.
void check_cross_fields(const swarm_scenario& s, std::vector<std::string>& out) {
    const bool has_seeders = s.storage != storage_mode::disk_only;  // disk_only has no sockets
    if (has_seeders && s.seeders == 0 && s.connect_to.empty() && s.seeders_at.empty())
        out.push_back(
            "seeders: must be 1..10000 unless connect_to names peers to download from or seeders_at names this "
            "run's seeders in another process, got 0");
    if (!s.seeders_at.empty() && (s.seeders != 0 || !has_seeders))
        out.push_back(has_seeders ? fmt::format("seeders_at: names this run's seeders in another process, so seeders "
                                                "must be 0 here, got {}",
                                                s.seeders)
                                  : std::string("seeders_at: needs sockets; storage \"disk_only\" has none"));
    if (s.leechers == 0 && (s.storage == storage_mode::disk_only || s.seeders == 0))
        out.push_back(s.storage == storage_mode::disk_only
                          ? "leechers: must be 1..10000 with storage \"disk_only\", got 0"
                          : "leechers: must be 1..10000 unless seeders serve outside clients, got 0 leechers and 0 seeders");
    if (!s.upload_to.empty() && (s.seeders == 0 || s.storage == storage_mode::disk_only))
        out.push_back("upload_to: needs seeders (1..10000) to dial those peers, got 0 seeders");
    if (!s.torrent_file.empty() && s.storage == storage_mode::disk_only)
        out.push_back("torrent_file: storage \"disk_only\" generates synthetic content only; use storage \"files\"");
    if (!s.content_dir.empty() && s.torrent_file.empty())
        out.push_back("content_dir: needs torrent_file (the torrent whose content it holds)");
    if (!s.torrent_file.empty() && s.direct)
        out.push_back("direct: not with torrent_file (its file sizes need not be 4 KiB multiples); drop direct");

    if (s.file_count >= 1 && s.torrent_size >= 1 && s.file_count > s.torrent_size) {
        out.push_back(fmt::format("file_count: must be 1..{} (no empty files in a torrent of {}), got {}",
                                  s.torrent_size, size_text(s.torrent_size), s.file_count));
    }

    if (s.piece_size > 0) {
        const std::uint64_t pieces = s.torrent_size / s.piece_size + (s.torrent_size % s.piece_size != 0);
        if (pieces > std::numeric_limits<std::uint32_t>::max()) {
            out.push_back(fmt::format(
                "torrent_size: {} in pieces of {} makes {} pieces, must be at most 4294967295 "
                "(raise piece_size)",
                size_text(s.torrent_size), size_text(s.piece_size), pieces));
        }
        // piece_order names pieces of this torrent: the first one out of range.
        // (A torrent_file's piece count is known once it is read: run_swarm checks then.)
        for (std::size_t i = 0; pieces > 0 && s.torrent_file.empty() && i < s.piece_order.size(); ++i) {
            if (s.piece_order[i] < pieces) continue;
            out.push_back(fmt::format("piece_order: entry {} must be 0..{} (torrent_size {} in pieces of {} makes "
                                      "{} pieces), got {}",
                                      i + 1, pieces - 1, size_text(s.torrent_size), size_text(s.piece_size), pieces,
                                      s.piece_order[i]));
            break;
        }
    }

    // A custom order is the list; a list means nothing in any other order.
    if (s.pick == bt::pick_order::custom && s.piece_order.empty())
        out.push_back("piece_order: pick \"custom\" needs the pieces to start first (e.g. [3, 1, 2]), got an empty list");
    if (s.pick != bt::pick_order::custom && !s.piece_order.empty())
        out.push_back(fmt::format("piece_order: needs pick \"custom\", got pick \"{}\" (set pick to \"custom\" or "
                                  "clear piece_order)",
                                  to_string(s.pick)));

    // disk_only writes the same files (and is compared with fio --direct=1),
    // so only discard, which writes nothing, cannot honour O_DIRECT.
    if (s.direct && s.storage == storage_mode::discard) {
        out.push_back("direct: needs storage \"files\" or \"disk_only\", got storage \"discard\"");
    } else if (s.direct && s.file_count >= 2 && s.file_count <= s.torrent_size) {
        // Files as the synthetic builder cuts them: the first `extra` files
        // get one byte more. Every file but the last must be 4 KiB-aligned.
        const std::uint64_t base = s.torrent_size / s.file_count;
        const std::uint64_t extra = s.torrent_size % s.file_count;
        std::uint64_t bad = 0;
        if (extra > 0 && (base + 1) % direct_alignment != 0) bad = base + 1;
        else if (extra + 1 < s.file_count && base % direct_alignment != 0) bad = base;
        if (bad != 0) {
            out.push_back(fmt::format(
                "direct: needs every file but the last to be a multiple of 4 KiB; torrent_size {} over "
                "{} files gives files of {}",
                size_text(s.torrent_size), s.file_count, size_text(bad)));
        }
    }

    if (has_seeders && s.base_port != 0 && s.seeders > 0 &&
        std::uint32_t{s.base_port} + s.seeders - 1 > 65535) {
        out.push_back(fmt::format(
            "base_port: must be 0 or 1..{} with {} seeders (seeder i listens on base_port + i), got {}",
            65536 - std::min<std::uint32_t>(s.seeders, 65535), s.seeders, s.base_port));
    }
}

std::string join_lines(const std::vector<std::string>& lines) {
    std::string out;
    for (const std::string& l : lines) {
        if (!out.empty()) out += '\n';
        out += l;
    }
    return out;
}

// Line and column (1-based) of byte `pos` in `text`.
std::string location(std::string_view text, std::size_t pos) {
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

}  // namespace

// ---------------------------------------------------------------------------
// [SECTION] public functions
// ---------------------------------------------------------------------------

const std::vector<std::string>& scenario_field_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> v;
        for (const field_def& f : fields()) v.emplace_back(f.name);
        return v;
    }();
    return names;
}

nlohmann::json to_json(const swarm_scenario& s) {
    nlohmann::json j = nlohmann::json::object();
    for (const field_def& f : fields()) {
        std::visit(
            [&](auto p) {
                using T = typename member_type<decltype(p)>::type;
                if constexpr (std::is_same_v<T, std::vector<endpoint>>) {
                    nlohmann::json list = nlohmann::json::array();
                    for (const endpoint& ep : s.*p) list.push_back(ep.to_string());
                    j[f.name] = std::move(list);
                } else if constexpr (std::is_enum_v<T>) {
                    j[f.name] = to_string(s.*p);
                } else {
                    j[f.name] = s.*p;
                }
            },
            f.m);
    }
    return j;
}

bt::result<swarm_scenario> parse_scenario(std::string_view json_text) {
    nlohmann::json j;
    try {
        // Comments are allowed: a scenario file is something people annotate.
        j = nlohmann::json::parse(json_text, nullptr, true, true);
    } catch (const nlohmann::json::exception& e) {
        return bt::parse_error{syntax_message(json_text, e)};
    }
    return scenario_from_json(j);
}

bt::result<swarm_scenario> scenario_from_json(const nlohmann::json& j) {
    if (!j.is_object())
        return bt::parse_error{fmt::format("scenario: expected a JSON object of fields, got {}", j.type_name())};
    swarm_scenario s;
    std::vector<std::string> problems;
    for (const auto& [key, value] : j.items()) {
        const field_def* f = find_field(key);
        if (f == nullptr) {
            problems.push_back(unknown_field(key));
            continue;
        }
        if (auto e = read_json(s, *f, value)) problems.push_back(std::move(*e));
    }
    if (problems.empty()) problems = validate(s);
    if (!problems.empty()) return bt::parse_error{join_lines(problems)};
    return s;
}

std::optional<std::string> set_scenario_field(swarm_scenario& s, std::string_view field,
                                              std::string_view value) {
    // CLI flags spell names with dashes ("--connections-per-leecher").
    std::string name(field);
    std::replace(name.begin(), name.end(), '-', '_');
    const field_def* f = find_field(name);
    if (f == nullptr) return unknown_field(field);
    swarm_scenario next = s;  // `s` stays unchanged when the value is refused
    if (auto e = read_text(next, *f, value)) return e;
    if (auto e = check_field(next, *f)) return e;
    s = std::move(next);
    return std::nullopt;
}

std::vector<std::string> validate(const swarm_scenario& s) {
    std::vector<std::string> out;
    for (const field_def& f : fields())
        if (auto e = check_field(s, f)) out.push_back(std::move(*e));
    check_cross_fields(s, out);
    return out;
}

std::uint64_t total_connections(const swarm_scenario& s) noexcept {
    return std::uint64_t{s.leechers} * s.connections_per_leecher;
}

bool depends_on_clients(const swarm_scenario& s) noexcept {
    return (s.leechers == 0 && !s.upload_to.empty()) || (s.seeders == 0 && !s.connect_to.empty());
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
