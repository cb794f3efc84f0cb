// bind_scenario: swarmbench.Scenario (the swarm's scenario, the engine's
// swarm_scenario) and the baseline modes' StreamConfig and DiskConfig, as
// keyword-argument objects with one read/write property per field.
//
// Scenario values go through the engine's own set_scenario_field and
// validate(), so Python reports exactly what the CLI and the scenario file
// report ("pipeline: must be 1..2048, got 0"). The Python value is checked
// for its type here (TypeError), then handed to the engine as the text a
// flag would carry. StreamConfig and DiskConfig enforce the ranges the CLI's
// flags enforce, in the same message style.
//
// [SECTION] JSON <-> Python
// [SECTION] Python value -> field text (type checks)
// [SECTION] Scenario fields
// [SECTION] StreamConfig / DiskConfig fields
// [SECTION] bindings
#include <charconv>
#include <cmath>
#include <fstream>
#include <functional>
#include <limits>
#include <sstream>

#include <fmt/format.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "high_level.hpp"
#include "swarmbench/units.hpp"

namespace swarmbench::python {

// ---------------------------------------------------------------------------
// [SECTION] JSON <-> Python
// ---------------------------------------------------------------------------

py::object json_to_py(const nlohmann::json& j) {
    switch (j.type()) {
        case nlohmann::json::value_t::null: return py::none();
        case nlohmann::json::value_t::boolean: return py::bool_(j.get<bool>());
        case nlohmann::json::value_t::number_integer: return py::int_(j.get<std::int64_t>());
        case nlohmann::json::value_t::number_unsigned: return py::int_(j.get<std::uint64_t>());
        case nlohmann::json::value_t::number_float: return py::float_(j.get<double>());
        case nlohmann::json::value_t::string: return py::str(j.get_ref<const std::string&>());
        case nlohmann::json::value_t::array: {
            py::list out;
            for (const auto& e : j) out.append(json_to_py(e));
            return out;
        }
        case nlohmann::json::value_t::object: {
            py::dict out;
            for (const auto& [k, v] : j.items()) out[py::str(k)] = json_to_py(v);
            return out;
        }
        default: return py::none();  // binary, discarded: never in our documents
    }
}

std::string type_name(py::handle h) { return py::str(py::type::handle_of(h).attr("__name__")); }

nlohmann::json py_to_json(py::handle h, const std::string& what) {
    if (h.is_none()) return nullptr;
    if (PyBool_Check(h.ptr())) return h.cast<bool>();
    if (PyLong_Check(h.ptr()) || (PyIndex_Check(h.ptr()) && !PyFloat_Check(h.ptr()))) {
        py::int_ i = py::reinterpret_steal<py::int_>(PyNumber_Index(h.ptr()));
        if (!i) throw py::error_already_set();
        int overflow = 0;
        const long long v = PyLong_AsLongLongAndOverflow(i.ptr(), &overflow);
        if (overflow == 0) return static_cast<std::int64_t>(v);
        if (overflow > 0) {
            const unsigned long long u = PyLong_AsUnsignedLongLong(i.ptr());
            if (!PyErr_Occurred()) return static_cast<std::uint64_t>(u);
            PyErr_Clear();
        }
        throw py::value_error(what + ": integer " + std::string(py::str(i)) + " does not fit in 64 bits");
    }
    if (PyFloat_Check(h.ptr())) return h.cast<double>();
    if (PyUnicode_Check(h.ptr())) return h.cast<std::string>();
    if (py::isinstance<py::list>(h) || py::isinstance<py::tuple>(h)) {
        nlohmann::json out = nlohmann::json::array();
        std::size_t i = 0;
        for (py::handle e : h) out.push_back(py_to_json(e, what + "[" + std::to_string(i++) + "]"));
        return out;
    }
    if (py::isinstance<py::dict>(h)) {
        nlohmann::json out = nlohmann::json::object();
        for (auto [k, v] : h.cast<py::dict>()) {
            if (!PyUnicode_Check(k.ptr())) throw py::type_error(what + ": keys must be str, got " + type_name(k));
            const std::string key = k.cast<std::string>();
            out[key] = py_to_json(v, what.empty() ? key : what + "." + key);
        }
        return out;
    }
    if (py::hasattr(h, "__fspath__")) return py::str(h.attr("__fspath__")()).cast<std::string>();
    throw py::type_error(what + ": " + type_name(h) + " cannot be stored in JSON");
}

void raise_if_invalid(const std::string& what, const std::vector<std::string>& problems) {
    if (problems.empty()) return;
    if (problems.size() == 1) throw py::value_error(problems.front());
    std::string all = what + ":";
    for (const auto& p : problems) all += "\n  " + p;
    throw py::value_error(all);
}

namespace {

// ---------------------------------------------------------------------------
// [SECTION] Python value -> field text
// ---------------------------------------------------------------------------

// What Python type a field takes. The engine decides what the value means;
// this only refuses the wrong kind of Python object (TypeError).
enum class pykind : std::uint8_t {
    integer,    // int (not bool)
    size,       // int, or a str such as "1GiB"
    real,       // float or int
    flag,       // bool
    text,       // str (enum names included)
    endpoints,  // list of "HOST:PORT" str
    pieces,     // list of int
};

const char* expected(pykind k) {
    switch (k) {
        case pykind::integer: return "an int";
        case pykind::size: return "an int or a size string such as \"1GiB\"";
        case pykind::real: return "a float";
        case pykind::flag: return "a bool";
        case pykind::text: return "a str";
        case pykind::endpoints: return "a list of \"HOST:PORT\" strings";
        case pykind::pieces: return "a list of piece indexes (ints)";
    }
    return "a value";
}

[[noreturn]] void wrong_type(const std::string& name, pykind k, py::handle v) {
    throw py::type_error(fmt::format("{}: expected {}, got {}", name, expected(k), type_name(v)));
}


// A Python int (or numpy integer) as decimal text.
std::string int_text(py::handle v) {
    py::object i = py::reinterpret_steal<py::object>(PyNumber_Index(v.ptr()));
    if (!i) throw py::error_already_set();
    return py::str(i);
}

bool is_sequence(py::handle v) {
    return py::isinstance<py::list>(v) || py::isinstance<py::tuple>(v) ||
           (py::hasattr(v, "__len__") && py::hasattr(v, "__iter__") && !PyUnicode_Check(v.ptr()) &&
            !PyBytes_Check(v.ptr()) && !py::isinstance<py::dict>(v));
}

// The text a CLI flag would carry for this value; TypeError for a value of
// the wrong kind (range and syntax are the engine's to judge).
std::string field_text(const std::string& name, pykind k, py::handle v) {
    switch (k) {
        case pykind::integer:
            if (!is_int(v) && !(PyIndex_Check(v.ptr()) && !PyBool_Check(v.ptr()) && !PyFloat_Check(v.ptr())))
                wrong_type(name, k, v);
            return int_text(v);
        case pykind::size:
            if (PyUnicode_Check(v.ptr())) return v.cast<std::string>();
            if (!is_int(v) && !(PyIndex_Check(v.ptr()) && !PyBool_Check(v.ptr()))) wrong_type(name, k, v);
            return int_text(v);
        case pykind::real:
            if (is_int(v)) return int_text(v);
            if (!PyFloat_Check(v.ptr())) wrong_type(name, k, v);
            return py::repr(v);  // shortest round-trip text; "inf" / "nan" are refused by the engine
        case pykind::flag:
            if (!PyBool_Check(v.ptr())) wrong_type(name, k, v);
            return v.cast<bool>() ? "true" : "false";
        case pykind::text:
            if (!PyUnicode_Check(v.ptr())) wrong_type(name, k, v);
            return v.cast<std::string>();
        case pykind::endpoints: {
            if (!is_sequence(v)) wrong_type(name, k, v);
            std::string out;
            std::size_t i = 0;
            for (py::handle e : v) {
                ++i;
                if (!PyUnicode_Check(e.ptr()))
                    throw py::type_error(fmt::format("{}: entry {} must be a \"HOST:PORT\" string, got {}", name, i,
                                                     type_name(e)));
                const std::string s = e.cast<std::string>();
                // The engine's text form separates entries with commas.
                if (s.find(',') != std::string::npos || s.find_first_not_of(" \t") == std::string::npos)
                    throw py::value_error(fmt::format(
                        "{}: entry {} must be HOST:PORT (\"127.0.0.1:6881\", \"[::1]:6881\"), got \"{}\"", name, i, s));
                if (!out.empty()) out += ',';
                out += s;
            }
            return out;
        }
        case pykind::pieces: {
            if (!is_sequence(v)) wrong_type(name, k, v);
            std::string out;
            std::size_t i = 0;
            for (py::handle e : v) {
                ++i;
                if (!PyIndex_Check(e.ptr()) || PyBool_Check(e.ptr()))
                    throw py::type_error(fmt::format("{}: entry {} must be an int, got {}", name, i, type_name(e)));
                if (!out.empty()) out += ',';
                out += int_text(e);
            }
            return out;
        }
    }
    return {};
}

// ---------------------------------------------------------------------------
// [SECTION] Scenario fields
// ---------------------------------------------------------------------------

struct scenario_doc {
    const char* name;  // scenario field
    pykind kind;       // Python type
    const char* doc;   // one line, for help() and the stubs
};

// Every field of swarm_scenario (scenario.hpp), in declaration order. A field
// the engine adds later still works (its kind is read from its JSON default)
// but has no docstring until it is listed here; test_scenario checks.
const scenario_doc scenario_docs[] = {
    {"torrent_size", pykind::size, "Torrent size in bytes (int or \"1GiB\"), 1 B..16 TiB."},
    {"piece_size", pykind::size, "Piece size in bytes (int or \"256KiB\"), a power of two, 16 KiB..64 MiB."},
    {"file_count", pykind::integer, "Files in the torrent, 1..100000 (1: a single-file torrent)."},
    {"content_seed", pykind::integer, "Seed of the synthetic content (same seed, same bytes)."},
    {"seeders", pykind::integer, "Seeders, 0..10000 (0 only with connect_to)."},
    {"leechers", pykind::integer, "Leechers, 0..10000 (0: the seeders serve outside clients only)."},
    {"connections_per_leecher", pykind::integer, "Connections each leecher opens, spread over the seeders, 1..10000."},
    {"pipeline", pykind::integer, "Outstanding 16 KiB requests per connection, 1..2048."},
    {"pick", pykind::text, "Piece order: \"rarest_first\", \"sequential\", \"random\" or \"custom\" (with piece_order)."},
    {"piece_order", pykind::pieces,
     "With pick \"custom\": these piece indexes first, in this order (no repeats), then the rest in index order."},
    {"end_game", pykind::flag, "Duplicate the last requests at the end of a download (end game)."},
    {"choking", pykind::flag, "Seeders choke like real clients (unchoke_slots per seeder); False: all unchoked."},
    {"unchoke_slots", pykind::integer, "With choking: unchoked connections per seeder, 1..10000."},
    {"rechoke_interval_s", pykind::real, "With choking: seconds between rechokes, 0.1..3600."},
    {"optimistic_interval_s", pykind::real, "With choking: seconds between optimistic unchokes, 0.1..3600."},
    {"rate_limit", pykind::size, "Upload limit per connection in bytes/s (int or \"10MiB\"): 0 (none) or 1 KiB..100 GiB."},
    {"slow_fraction", pykind::real, "Share of connections that are slow (limited to slow_rate), 0..1."},
    {"slow_rate", pykind::size, "A slow connection's limit in bytes/s (int or \"1MiB\"), 1 KiB..100 GiB."},
    {"churn_per_s", pykind::real, "Connections dropped and re-made per second across the swarm, 0..100000."},
    {"storage", pykind::text, "Where blocks go: \"files\", \"discard\" (network only) or \"disk_only\" (no sockets)."},
    {"direct", pykind::flag, "O_DIRECT writes (storage \"files\" or \"disk_only\")."},
    {"preallocate", pykind::flag, "Preallocate every file before the run (storage \"files\")."},
    {"data_dir", pykind::text, "Download into this directory (kept); \"\": a new temporary directory."},
    {"keep_data", pykind::flag, "Keep the downloaded files (always kept when data_dir is given)."},
    {"torrent_file", pykind::text,
     "A .torrent to use instead of the synthetic one (\"\": synthetic); its content is synthetic if make-torrent "
     "made it, else read from content_dir."},
    {"content_dir", pykind::text, "Seeders serve torrent_file's content from this folder (a client's download folder)."},
    {"upload_to", pykind::endpoints,
     "Outside clients every seeder dials and serves, as \"HOST:PORT\" strings; the run completes when each has every "
     "piece."},
    {"spread_sources", pykind::flag,
     "Outgoing connections to 127.0.0.0/8 each bind their own source address (clients that take one peer per IP)."},
    {"client_grace_s", pykind::real,
     "A run that only serves or downloads from named clients (upload_to without leechers, connect_to without "
     "seeders) ends as failed after this many seconds with no connection to any of them, 1..86400; they are "
     "redialled meanwhile with backoff (0.2 s doubling to 5 s)."},
    {"duration_s", pykind::real,
     "0: run until every leecher completes; else 0.1..86400 seconds, leechers downloading again."},
    {"timeout_s", pykind::real, "Give up on completion after this many seconds, 1..604800."},
    {"backend", pykind::text, "\"auto\", \"io_uring\", \"epoll\" or \"iocp\" (auto honours SWARMBENCH_BACKEND)."},
    {"threads", pykind::integer, "Engine contexts, one thread each: 0 (one per core)..256."},
    {"interval_ms", pykind::integer, "Sampling interval of the time series in milliseconds, 10..10000."},
    {"listen_host", pykind::text, "Address the seeders listen on (IPv4 or IPv6)."},
    {"base_port", pykind::integer, "Seeder i listens on base_port + i; 0: any free port."},
    {"connect_to", pykind::endpoints, "Extra peers every leecher also connects to, as \"HOST:PORT\" strings."},
    {"seeders_at", pykind::endpoints,
     "This run's seeders, in another process of a split swarm (seeders 0 here), as \"HOST:PORT\" strings."},
    {"swarm_id", pykind::integer,
     "Peers whose ids carry the same swarm_id are this run's own: one value for every process of a split swarm; "
     "0: random per run."},
    {"seed", pykind::integer, "Seed of piece picks, slow peers and churn."},
};

const scenario_doc* find_doc(const std::string& name) {
    for (const scenario_doc& d : scenario_docs)
        if (name == d.name) return &d;
    return nullptr;
}

pykind scenario_kind(const std::string& name) {
    if (const scenario_doc* d = find_doc(name)) return d->kind;
    static const nlohmann::json defaults = to_json(swarm_scenario{});
    const nlohmann::json& v = defaults.at(name);
    if (v.is_boolean()) return pykind::flag;
    if (v.is_number_float()) return pykind::real;
    if (v.is_number()) return pykind::integer;
    if (v.is_array()) return pykind::pieces;
    return pykind::text;
}

bool is_field(const std::string& name) {
    const auto& names = scenario_field_names();
    return std::find(names.begin(), names.end(), name) != names.end();
}

// The engine's "seedrs: unknown field (did you mean "seeders"?)".
[[noreturn]] void unknown_scenario_field(const std::string& name) {
    swarm_scenario scratch;
    auto err = set_scenario_field(scratch, name, "");
    throw py::type_error(err ? *err : name + ": unknown field");
}

// Sets one field; ValueError carries the engine's message.
void set_field(swarm_scenario& s, const std::string& name, py::handle value) {
    if (!is_field(name)) unknown_scenario_field(name);
    if (auto err = set_scenario_field(s, name, field_text(name, scenario_kind(name), value)))
        throw py::value_error(*err);
}

py::object get_field(const swarm_scenario& s, const std::string& name) { return json_to_py(to_json(s).at(name)); }

std::string scenario_repr(const swarm_scenario& s) {
    const nlohmann::json now = to_json(s);
    static const nlohmann::json defaults = to_json(swarm_scenario{});
    std::string out = "Scenario(";
    bool first = true;
    for (const std::string& name : scenario_field_names()) {
        if (now.at(name) == defaults.at(name)) continue;
        if (!first) out += ", ";
        first = false;
        out += name + "=" + std::string(py::repr(json_to_py(now.at(name))));
    }
    return out + ")";
}

std::string read_text_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        // errno is still open()'s: OSError (FileNotFoundError, PermissionError, ...) with the path.
        PyErr_SetFromErrnoWithFilename(PyExc_OSError, path.string().c_str());
        throw py::error_already_set();
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void write_text_file(const std::filesystem::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (out) out << text;
    if (out) out.flush();
    if (!out) {
        PyErr_SetFromErrnoWithFilename(PyExc_OSError, path.string().c_str());
        throw py::error_already_set();
    }
}

swarm_scenario scenario_from_py(py::handle source) {
    bt::result<swarm_scenario> parsed = PyUnicode_Check(source.ptr())
                                            ? parse_scenario(source.cast<std::string>())
                                            : scenario_from_json(py_to_json(source, "scenario"));
    if (!parsed) throw py::value_error(parsed.error());
    return parsed.value();
}

// ---------------------------------------------------------------------------
// [SECTION] StreamConfig / DiskConfig fields
// ---------------------------------------------------------------------------

using error = std::optional<std::string>;

std::string size_text(std::uint64_t v) {
    static constexpr const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    for (int k = 4; k >= 1; --k) {
        const std::uint64_t unit = std::uint64_t{1} << (10 * k);
        if (v >= unit && v % unit == 0) return fmt::format("{} {}", v / unit, units[k]);
    }
    return fmt::format("{} B", v);
}

// Reads an unsigned integer ("123"); nullopt for anything else.
std::optional<std::uint64_t> read_u64(const std::string& t) {
    std::uint64_t v = 0;
    auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (t.empty() || ec != std::errc() || end != t.data() + t.size()) return std::nullopt;
    return v;
}

/// A StreamConfig / DiskConfig field: its Python type, its doc, and how its
/// text is parsed and range-checked into the config.
template <class C>
struct config_field {
    const char* name;
    pykind kind;
    const char* doc;
    std::function<error(C&, const std::string&)> set;
};

template <class C, class T>
config_field<C> count_field(const char* name, const char* doc, T C::*m, std::uint64_t lo, std::uint64_t hi) {
    return {name, pykind::integer, doc, [=](C& c, const std::string& t) -> error {
                const auto v = read_u64(t);
                if (!v || *v < lo || *v > hi) return fmt::format("{}: must be {}..{}, got {}", name, lo, hi, t);
                c.*m = static_cast<T>(*v);
                return std::nullopt;
            }};
}

template <class C, class T>
config_field<C> size_field(const char* name, const char* doc, T C::*m, std::uint64_t lo, std::uint64_t hi) {
    return {name, pykind::size, doc, [=](C& c, const std::string& t) -> error {
                const bool negative = !t.empty() && t.front() == '-';
                const auto v = parse_size(negative ? std::string_view(t).substr(1) : std::string_view(t));
                if (!v) return fmt::format("{}: expected a size such as 1GiB, 256KiB or 4096, got \"{}\"", name, t);
                if (negative || *v < lo || *v > hi)
                    return fmt::format("{}: must be {}..{}, got {}{}", name, size_text(lo), size_text(hi),
                                       negative ? "-" : "", size_text(*v));
                c.*m = static_cast<T>(*v);
                return std::nullopt;
            }};
}

template <class C>
config_field<C> ms_field(const char* name, const char* doc, std::chrono::milliseconds C::*m, std::uint64_t lo,
                         std::uint64_t hi) {
    return {name, pykind::integer, doc, [=](C& c, const std::string& t) -> error {
                const auto v = read_u64(t);
                if (!v || *v < lo || *v > hi) return fmt::format("{}: must be {}..{}, got {}", name, lo, hi, t);
                c.*m = std::chrono::milliseconds(*v);
                return std::nullopt;
            }};
}

template <class C>
config_field<C> flag_field(const char* name, const char* doc, bool C::*m) {
    return {name, pykind::flag, doc, [=](C& c, const std::string& t) -> error {
                c.*m = t == "true";
                return std::nullopt;
            }};
}

template <class C>
config_field<C> text_field(const char* name, const char* doc, std::string C::*m) {
    return {name, pykind::text, doc, [=](C& c, const std::string& t) -> error {
                c.*m = t;
                return std::nullopt;
            }};
}

template <class C>
config_field<C> backend_field(backend_kind C::*m) {
    return {"backend", pykind::text, "\"auto\", \"io_uring\", \"epoll\" or \"iocp\" (auto honours SWARMBENCH_BACKEND).",
            [=](C& c, const std::string& t) -> error {
                auto b = parse_backend(t);
                if (!b) return fmt::format("backend: must be \"auto\", \"io_uring\", \"epoll\" or \"iocp\", got \"{}\"", t);
                c.*m = *b;
                return std::nullopt;
            }};
}

template <class C>
config_field<C> endpoint_field(const char* name, const char* doc, endpoint C::*m) {
    return {name, pykind::text, doc, [=](C& c, const std::string& t) -> error {
                if (t.empty()) {
                    c.*m = endpoint{};
                    return std::nullopt;
                }
                std::error_code ec;
                const endpoint ep = endpoint::parse(t, ec);
                if (ec) return fmt::format("{}: must be HOST:PORT (\"127.0.0.1:5201\", \"[::1]:5201\"), got \"{}\"", name, t);
                c.*m = ep;
                return std::nullopt;
            }};
}

const std::vector<config_field<stream_config>>& stream_fields() {
    using C = stream_config;
    static const std::vector<config_field<C>> table = {
        {"role", pykind::text,
         "\"loopback\" (both ends here), \"listen\" (only receive) or \"target\" (only send to `target`).",
         [](C& c, const std::string& t) -> error {
             if (t == "loopback") c.role = C::role_t::loopback;
             else if (t == "listen") c.role = C::role_t::listen;
             else if (t == "target") c.role = C::role_t::target;
             else return fmt::format("role: must be \"loopback\", \"listen\" or \"target\", got \"{}\"", t);
             return std::nullopt;
         }},
        count_field("connections", "Streams to open, 1..100000 (listen: how many to expect).", &C::connections, 1, 100000),
        flag_field("expect_connections", "Listen: finish once `connections` streams came and all closed.",
                   &C::expect_connections),
        {"seconds", pykind::real, "Measured window in seconds, 0.1..86400 (listen: 0 = until stopped).",
         [](C& c, const std::string& t) -> error {
             double v = 0;
             auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
             if (t.empty() || ec != std::errc() || end != t.data() + t.size() || !std::isfinite(v) || v < 0 ||
                 v > 86400)
                 return fmt::format("seconds: must be 0.1..86400 (0: until stopped, with role \"listen\"), got {}", t);
             c.seconds = v;
             return std::nullopt;
         }},
        size_field("bytes_per_op", "Bytes per send and receive (int or \"64KiB\"), 1 B..16 MiB.", &C::bytes_per_op, 1,
                   16u << 20),
        count_field("sends_in_flight", "Send operations kept pending per stream, 1..2.", &C::sends_in_flight, 1, 2),
        backend_field<C>(&C::backend),
        count_field("threads", "Engine contexts, one thread each: 0 (one per core)..1024.", &C::threads, 0, 1024),
        endpoint_field<C>("target", "Role \"target\": the HOST:PORT of a listening `swarmbench stream --listen`.",
                          &C::target),
        endpoint_field<C>("listen", "Role \"listen\": the ADDR:PORT to listen on (port 0: any).", &C::listen),
        ms_field<C>("interval_ms", "Sampling interval in milliseconds, 10..60000.", &C::interval, 10, 60000),
        ms_field<C>("connect_timeout_ms", "Limit per connect attempt in milliseconds, 1..600000.", &C::connect_timeout,
                    1, 600000),
        count_field("connects_in_flight", "Connects in progress per context (bounds the SYN burst), 1..100000.",
                    &C::connects_in_flight, 1, 100000),
    };
    return table;
}

const std::vector<config_field<disk_config>>& disk_fields() {
    using C = disk_config;
    static const std::vector<config_field<C>> table = {
        size_field("size", "File size in bytes (int or \"1GiB\"), a multiple of block.", &C::size, 512,
                   std::numeric_limits<std::uint64_t>::max()),
        size_field("block", "Bytes per write (int or \"16KiB\"), a multiple of 512 (4096 with direct), up to 64 MiB.",
                   &C::block, 512, 64u << 20),
        count_field("queue_depth", "Writes in flight, 1..4096.", &C::queue_depth, 1, 4096),
        flag_field("direct", "O_DIRECT (bypasses the page cache; needs a disk filesystem, not tmpfs).", &C::direct),
        flag_field("fsync", "Finish with fdatasync inside the timed window (fio --end_fsync=1).", &C::fsync_at_end),
        text_field("file", "Write this file (kept if it existed before); \"\": a new temporary file.", &C::file),
        text_field("dir", "Create the temporary file in this directory (\"\": $TMPDIR or the current one).", &C::dir),
        flag_field("keep", "Keep the file this run created.", &C::keep),
        backend_field<C>(&C::backend),
        ms_field<C>("interval_ms", "Sampling interval in milliseconds, 10..60000.", &C::interval, 10, 60000),
        {"seed", pykind::integer, "Seed of the write order (same seed, same order).",
         [](C& c, const std::string& t) -> error {
             const auto v = read_u64(t);
             if (!v) return fmt::format("seed: must be 0..18446744073709551615, got {}", t);
             c.seed = *v;
             return std::nullopt;
         }},
    };
    return table;
}

template <class C>
const std::vector<config_field<C>>& fields_of();
template <>
const std::vector<config_field<stream_config>>& fields_of<stream_config>() {
    return stream_fields();
}
template <>
const std::vector<config_field<disk_config>>& fields_of<disk_config>() {
    return disk_fields();
}

template <class C>
const config_field<C>* find_config_field(const std::string& name) {
    for (const auto& f : fields_of<C>())
        if (name == f.name) return &f;
    return nullptr;
}

template <class C>
[[noreturn]] void unknown_config_field(const std::string& name) {
    std::vector<std::string_view> names;
    for (const auto& f : fields_of<C>()) names.push_back(f.name);
    throw py::type_error(fmt::format("{}: unknown field (did you mean \"{}\"?)", name, closest_name(name, names)));
}

template <class C>
void set_config_field(C& c, const std::string& name, py::handle value) {
    const config_field<C>* f = find_config_field<C>(name);
    if (f == nullptr) unknown_config_field<C>(name);
    if (auto err = f->set(c, field_text(name, f->kind, value))) throw py::value_error(*err);
}

template <class C>
C config_with(const C& base, const py::kwargs& kw, std::vector<std::string> (*validate_fn)(const C&),
              const char* what) {
    C c = base;
    std::vector<std::string> problems;
    for (auto [k, v] : kw) {
        const std::string name = py::str(k);
        try {
            set_config_field(c, name, v);
        } catch (const py::value_error& e) {
            problems.push_back(e.what());
        }
    }
    if (problems.empty()) problems = validate_fn(c);
    raise_if_invalid(what, problems);
    return c;
}

template <class C>
std::string config_repr(const char* cls, const C& c) {
    const nlohmann::json now = to_json(c);
    const nlohmann::json defaults = to_json(C{});
    std::string out = std::string(cls) + "(";
    bool first = true;
    for (const auto& f : fields_of<C>()) {
        if (now.at(f.name) == defaults.at(f.name)) continue;
        if (!first) out += ", ";
        first = false;
        out += std::string(f.name) + "=" + std::string(py::repr(json_to_py(now.at(f.name))));
    }
    return out + ")";
}

template <class C>
void bind_config(py::class_<C>& cls, const char* name, std::vector<std::string> (*validate_fn)(const C&),
                 C (*with)(const C&, const py::kwargs&)) {
    cls.def(py::init([with](const py::kwargs& kw) { return with(C{}, kw); }),
            "Every field as a keyword argument (the rest keep their defaults); TypeError for an unknown name or a "
            "wrong type, ValueError naming the field and its range.");
    for (const auto& f : fields_of<C>()) {
        const std::string fname = f.name;
        cls.def_property(
            f.name, py::cpp_function([fname](const C& c) { return json_to_py(to_json(c).at(fname)); }),
            py::cpp_function([fname](C& c, py::handle v) { set_config_field(c, fname, v); }), f.doc);
    }
    cls.def(
        "validate", [validate_fn](const C& c) { return validate_fn(c); },
        "Every problem with this configuration, one line each naming the field; empty when it can run.");
    cls.def(
        "to_dict", [](const C& c) { return json_to_py(to_json(c)); },
        "Every field as a dict (the results document's `config`).");
    cls.def_static(
        "fields",
        [] {
            std::vector<std::string> names;
            for (const auto& f : fields_of<C>()) names.emplace_back(f.name);
            return names;
        },
        "The field names, in order.");
    cls.def(
        "copy",
        [with](const C& c, const py::kwargs& kw) { return with(c, kw); },
        "A copy, with the given fields changed.");
    cls.def(py::pickle([](const C& c) { return py::dict(json_to_py(to_json(c))); },
                       [](const py::dict& state) {
                           C c;
                           for (auto [k, v] : state) set_config_field(c, py::str(k), v);
                           return c;
                       }));
    cls.def("__copy__", [](const C& c) { return c; });
    cls.def("__deepcopy__", [](const C& c, py::handle) { return c; }, py::arg("memo"));
    cls.def("__eq__", [](const C& a, const C& b) { return to_json(a) == to_json(b); }, py::is_operator());
    cls.attr("__hash__") = py::none();
    cls.def("__repr__", [name](const C& c) { return config_repr(name, c); });
}

}  // namespace

// ---------------------------------------------------------------------------
// validation and keyword application (shared with bind_run)
// ---------------------------------------------------------------------------

std::vector<std::string> validate_stream(const stream_config& c) {
    std::vector<std::string> out;
    using role = stream_config::role_t;
    if (c.role != role::listen && c.seconds < 0.1)
        out.push_back(fmt::format("seconds: must be 0.1..86400 (0: until stopped, with role \"listen\"), got {}", c.seconds));
    if (c.role == role::target && (!c.target.valid() || c.target.port == 0))
        out.push_back("target: role \"target\" needs the HOST:PORT of a listening stream (port 1..65535), got \"" +
                      (c.target.valid() ? c.target.to_string() : std::string()) + "\"");
    if (c.role == role::listen && !c.listen.valid())
        out.push_back("listen: role \"listen\" needs the ADDR:PORT to listen on (\"127.0.0.1:5201\"), got \"\"");
    return out;
}

std::vector<std::string> validate_disk(const disk_config& c) {
    std::vector<std::string> out;
    if (c.block % 512 != 0) out.push_back(fmt::format("block: must be a multiple of 512 bytes, got {}", c.block));
    else if (c.direct && c.block % 4096 != 0)
        out.push_back(fmt::format("block: must be a multiple of 4096 bytes with direct, got {}", c.block));
    if (c.block > 0 && (c.size < c.block || c.size % c.block != 0))
        out.push_back(fmt::format("size: must be a positive multiple of block ({}), got {}", size_text(c.block),
                                  size_text(c.size)));
    else if (c.block > 0 && c.size / c.block > 0xffffffffULL)
        out.push_back(fmt::format("size: must be at most 4294967295 blocks of {}, got {}", size_text(c.block),
                                  size_text(c.size)));
    if (!c.file.empty() && !c.dir.empty()) out.push_back("file: cannot be combined with dir (give one of them)");
    return out;
}

swarm_scenario scenario_with(const swarm_scenario& base, const py::kwargs& kw) {
    swarm_scenario s = base;
    std::vector<std::string> problems;
    for (auto [k, v] : kw) {
        const std::string name = k.cast<std::string>();
        try {
            set_field(s, name, v);
        } catch (const py::value_error& e) {
            problems.push_back(e.what());
        }
    }
    if (problems.empty()) problems = validate(s);
    raise_if_invalid("invalid scenario", problems);
    return s;
}

stream_config stream_with(const stream_config& base, const py::kwargs& kw) {
    return config_with(base, kw, &validate_stream, "invalid stream config");
}

disk_config disk_with(const disk_config& base, const py::kwargs& kw) {
    return config_with(base, kw, &validate_disk, "invalid disk config");
}

// ---------------------------------------------------------------------------
// [SECTION] bindings
// ---------------------------------------------------------------------------

void bind_scenario(py::module_& m) {
    py::class_<swarm_scenario> sc(m, "Scenario", R"doc(A swarm scenario: every field the CLI's scenario file has.

Scenario(**fields): the defaults (a 1 GiB torrent, 4 seeders, 4 leechers,
64 connections each), changed by keyword arguments. Every field is also a
read/write property. Sizes and rates take an int or a string with a binary
unit ("1GiB", "256KiB"). Bad values raise ValueError with the engine's
message ("pipeline: must be 1..2048, got 0"), unknown names and wrong types
TypeError ("seedrs: unknown field (did you mean "seeders"?)"). The
constructor also checks the rules between fields; setting a property checks
that field alone (validate() lists every problem).)doc");
    sc.def(py::init([](const py::kwargs& kw) { return scenario_with(swarm_scenario{}, kw); }),
           "The defaults, changed by keyword arguments; raises ValueError listing every problem.");
    for (const std::string& name : scenario_field_names()) {
        const scenario_doc* d = find_doc(name);
        static const nlohmann::json defaults = to_json(swarm_scenario{});
        const std::string doc = std::string(d != nullptr ? d->doc : "(undocumented field)") +
                                " Default: " + defaults.at(name).dump() + ".";
        sc.def_property(
            name.c_str(), py::cpp_function([name](const swarm_scenario& s) { return get_field(s, name); }),
            py::cpp_function([name](swarm_scenario& s, py::handle v) { set_field(s, name, v); }), doc.c_str());
    }
    sc.def_static("fields", &scenario_field_names, "The field names, in declaration order.");
    sc.def_static("from_json", &scenario_from_py, py::arg("source"),
                  "A scenario from JSON text (a scenario file's content) or a dict of fields; missing fields keep "
                  "their defaults. ValueError names the field or the line.");
    sc.def_static(
        "load",
        [](const std::filesystem::path& path) {
            const std::string text = read_text_file(path);
            auto parsed = parse_scenario(text);
            if (!parsed) throw py::value_error(path.string() + ": " + parsed.error());
            return parsed.value();
        },
        py::arg("path"), "Reads a scenario file (JSON, comments allowed), as `swarmbench run --scenario FILE`.");
    sc.def(
        "to_json", [](const swarm_scenario& s, int indent) { return to_json(s).dump(indent); },
        py::arg("indent") = 2, "Every field as JSON text, as `swarmbench run --dump-scenario` prints it.");
    sc.def(
        "to_dict", [](const swarm_scenario& s) { return json_to_py(to_json(s)); }, "Every field as a dict.");
    sc.def(
        "save", [](const swarm_scenario& s, const std::filesystem::path& path) {
            write_text_file(path, to_json(s).dump(2) + "\n");
        },
        py::arg("path"), "Writes the scenario as a scenario file (JSON).");
    sc.def(
        "validate", [](const swarm_scenario& s) { return validate(s); },
        "Every problem, one line each naming the field and its range; empty when the scenario can run.");
    sc.def_property_readonly(
        "total_connections", [](const swarm_scenario& s) { return total_connections(s); },
        "leechers x connections_per_leecher.");
    sc.def(
        "copy", [](const swarm_scenario& s, const py::kwargs& kw) { return scenario_with(s, kw); },
        "A copy, with the given fields changed (validated like the constructor).");
    // Pickled as its fields, set one by one (as the properties would), so a
    // scenario that is not valid yet survives the trip too.
    sc.def(py::pickle([](const swarm_scenario& s) { return py::dict(json_to_py(to_json(s))); },
                      [](const py::dict& state) {
                          swarm_scenario s;
                          for (auto [k, v] : state) set_field(s, py::str(k), v);
                          return s;
                      }));
    sc.def("__copy__", [](const swarm_scenario& s) { return s; });
    sc.def("__deepcopy__", [](const swarm_scenario& s, py::handle) { return s; }, py::arg("memo"));
    sc.def(
        "__eq__", [](const swarm_scenario& a, const swarm_scenario& b) { return a == b; }, py::is_operator());
    sc.attr("__hash__") = py::none();
    sc.def("__repr__", &scenario_repr);

    py::class_<stream_config> st(m, "StreamConfig", R"doc(The stream baseline: N one-way TCP streams, like iperf3 -P N.

StreamConfig(**fields), every field also a read/write property; the ranges
are those of `swarmbench stream`. Run it with run_stream().)doc");
    bind_config(st, "StreamConfig", &validate_stream, &stream_with);

    py::class_<disk_config> dk(m, "DiskConfig", R"doc(The disk baseline: shuffled positioned writes into one file, like fio --rw=randwrite.

DiskConfig(**fields), every field also a read/write property; the ranges
are those of `swarmbench disk`. Run it with run_disk().)doc");
    bind_config(dk, "DiskConfig", &validate_disk, &disk_with);
}

}  // namespace swarmbench::python
