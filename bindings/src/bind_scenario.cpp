// bind_scenario: swarmbench.Scenario (the swarm's scenario, the engine's
// swarm_scenario) and the baseline modes' StreamConfig and DiskConfig, as
// keyword-argument objects with one read/write property per field.
//
// All three are driven by the engine's schema tables (settings/schema.hpp):
// a Python value becomes the JSON value the schema sets (no text round
// trip), its kind is checked here (TypeError), its range and syntax by the
// engine (ValueError with the message the CLI and scenario files give:
// "pipeline: must be 1..2048, got 0"), and each property's doc comes from
// the field's doc, range, unit and default.
//
// [SECTION] JSON <-> Python
// [SECTION] fields through the engine's schema
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
#include "swarmbench/settings/schemas.hpp"
#include "swarmbench/swarm/client_roles.hpp"
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
// [SECTION] fields through the engine's schema
// ---------------------------------------------------------------------------

using settings::schema_of;

/// The Python type a field takes, for TypeError messages.
const char* python_type(settings::value_type t) {
    using settings::value_type;
    switch (t) {
        case value_type::count:
        case value_type::any_u64: return "an int";
        case value_type::size: return "an int or a size string such as \"1GiB\"";
        case value_type::rate: return "an int (bytes/s) or a rate string such as \"10MiB\"";
        case value_type::real: return "a float";
        case value_type::flag: return "a bool";
        case value_type::text:
        case value_type::choice:
        case value_type::endpoint: return "a str";
        case value_type::endpoints: return "a list of \"HOST:PORT\" strings";
        case value_type::pieces: return "a list of piece indexes (ints)";
        case value_type::links: return "a list of link classes (dicts such as {\"name\": \"dsl\", \"share\": 1})";
    }
    return "a value";
}

/// Python's name for a field's type in help() and the stubs ("int | str").
std::string python_annotation(settings::value_type t) {
    using settings::value_type;
    switch (t) {
        case value_type::count:
        case value_type::any_u64: return "int";
        case value_type::size:
        case value_type::rate: return "int | str";
        case value_type::real: return "float";
        case value_type::flag: return "bool";
        case value_type::endpoints: return "list[str]";
        case value_type::pieces: return "list[int]";
        case value_type::links: return "list[dict[str, Any]]";
        default: return "str";
    }
}

/// Sets one field from a Python value: TypeError for an unknown name or a
/// value of the wrong kind, ValueError (the engine's message) for the rest.
/// `c` is unchanged on error.
template <class C>
void set_field(C& c, const std::string& name, py::handle value) {
    const settings::schema<C>& sc = schema_of<C>();
    const auto* f = sc.find(name);
    if (f == nullptr || name.find('-') != std::string::npos) throw py::type_error(sc.unknown(name));
    if (auto err = sc.set(c, name, field_json(f->info, value))) throw py::value_error(*err);
}

}  // namespace

nlohmann::json field_json(const settings::field_info& f, py::handle value, std::string_view also) {
    // Lists take any sequence (a range, a numpy array), as the stubs promise.
    const bool list = f.type == settings::value_type::endpoints || f.type == settings::value_type::pieces ||
                      f.type == settings::value_type::links;
    const bool sequence = py::hasattr(value, "__len__") && py::hasattr(value, "__iter__") &&
                          !PyUnicode_Check(value.ptr()) && !PyBytes_Check(value.ptr()) && !py::isinstance<py::dict>(value);
    const py::object given = list && sequence ? py::module_::import("builtins").attr("list")(value)
                                              : py::reinterpret_borrow<py::object>(value);
    const nlohmann::json v = py_to_json(given, std::string(f.name));
    // The schema's type test does not depend on the table.
    if (!settings::schema<swarm_scenario>::accepts(f, v))
        throw py::type_error(fmt::format("{}: expected {}{}, got {}", f.name, python_type(f.type), also, type_name(value)));
    return v;
}

std::string field_help(const settings::field_info& f) {
    std::string doc = std::string(f.doc);
    if (const std::string range = f.range_text(); !range.empty()) doc += " " + range + ".";
    if (!f.unit.empty()) doc += fmt::format(" Unit: {}.", f.unit);
    return doc;
}

namespace {

template <class C>
py::object get_field(const C& c, const std::string& name) {
    return json_to_py(schema_of<C>().get(c, name));
}

/// help() text of a field: what it does, its range and unit, its default.
template <class C>
std::string field_doc(const settings::field_info& f) {
    std::string doc = field_help(f);
    doc += " Default: " + schema_of<C>().defaults().at(std::string(f.name)).dump() + ".";
    doc += " Type: " + python_annotation(f.type) + ".";
    return doc;
}

/// "Scenario(seeders=2)": the fields that differ from the defaults.
template <class C>
std::string config_repr(const char* cls, const C& c) {
    const nlohmann::json now = schema_of<C>().to_json(c);
    const nlohmann::json& defaults = schema_of<C>().defaults();
    std::string out = std::string(cls) + "(";
    bool first = true;
    for (const auto& f : schema_of<C>().fields()) {
        const std::string name(f.info.name);
        if (now.at(name) == defaults.at(name)) continue;
        if (!first) out += ", ";
        first = false;
        out += name + "=" + std::string(py::repr(json_to_py(now.at(name))));
    }
    return out + ")";
}

/// A copy of `base` with keyword arguments applied, then validated as a
/// whole (the engine's validate(): ranges and the rules between fields).
template <class C>
C config_with(const C& base, const py::kwargs& kw, const char* what) {
    C c = base;
    std::vector<std::string> problems;
    for (auto [k, v] : kw) {
        try {
            set_field(c, py::str(k), v);
        } catch (const py::value_error& e) {
            problems.push_back(e.what());
        }
    }
    if (problems.empty()) problems = validate(c);
    raise_if_invalid(what, problems);
    return c;
}

/// What every settings class has: a keyword constructor, one property per
/// field (its doc from the schema), validate, to_dict, fields, copy, pickling,
/// equality and a repr of what differs from the defaults.
template <class C>
void bind_settings(py::class_<C>& cls, const char* name, C (*with)(const C&, const py::kwargs&)) {
    cls.def(py::init([with](const py::kwargs& kw) { return with(C{}, kw); }),
            "Every field as a keyword argument (the rest keep their defaults); TypeError for an unknown name or a "
            "wrong type, ValueError naming the field and its range.");
    for (const auto& f : schema_of<C>().fields()) {
        const std::string fname(f.info.name);
        const std::string doc = field_doc<C>(f.info);
        cls.def_property(
            fname.c_str(), py::cpp_function([fname](const C& c) { return get_field(c, fname); }),
            py::cpp_function([fname](C& c, py::handle v) { set_field(c, fname, v); }), doc.c_str());
    }
    cls.def(
        "validate", [](const C& c) { return validate(c); },
        "Every problem, one line each naming the field and its range; empty when it can run.");
    cls.def(
        "to_dict", [](const C& c) { return json_to_py(schema_of<C>().to_json(c)); },
        "Every field as a dict (the results document's `config`).");
    cls.def_static(
        "fields",
        [] {
            std::vector<std::string> names;
            for (std::string_view n : schema_of<C>().names()) names.emplace_back(n);
            return names;
        },
        "The field names, in declaration order.");
    cls.def(
        "copy", [with](const C& c, const py::kwargs& kw) { return with(c, kw); },
        "A copy, with the given fields changed (validated like the constructor).");
    // Pickled as its fields, set one by one (as the properties would), so a
    // configuration that is not valid yet survives the trip too.
    cls.def(py::pickle([](const C& c) { return py::dict(json_to_py(schema_of<C>().to_json(c))); },
                       [](const py::dict& state) {
                           C c;
                           for (auto [k, v] : state) set_field(c, py::str(k), v);
                           return c;
                       }));
    cls.def("__copy__", [](const C& c) { return c; });
    cls.def("__deepcopy__", [](const C& c, py::handle) { return c; }, py::arg("memo"));
    cls.def(
        "__eq__", [](const C& a, const C& b) { return schema_of<C>().to_json(a) == schema_of<C>().to_json(b); },
        py::is_operator());
    cls.attr("__hash__") = py::none();
    cls.def("__repr__", [name](const C& c) { return config_repr(name, c); });
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

}  // namespace

// ---------------------------------------------------------------------------
// keyword application (shared with bind_run)
// ---------------------------------------------------------------------------

swarm_scenario scenario_with(const swarm_scenario& base, const py::kwargs& kw) {
    return config_with(base, kw, "invalid scenario");
}

stream_config stream_with(const stream_config& base, const py::kwargs& kw) {
    return config_with(base, kw, "invalid stream config");
}

disk_config disk_with(const disk_config& base, const py::kwargs& kw) {
    return config_with(base, kw, "invalid disk config");
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
    bind_settings(sc, "Scenario", &scenario_with);
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
        "save", [](const swarm_scenario& s, const std::filesystem::path& path) {
            write_text_file(path, to_json(s).dump(2) + "\n");
        },
        py::arg("path"), "Writes the scenario as a scenario file (JSON).");
    sc.def_property_readonly(
        "total_connections", [](const swarm_scenario& s) { return total_connections(s); },
        "leechers x connections_per_leecher.");

    // The client roles (swarm/client_roles.hpp) for upload_scenario() and
    // its siblings in __init__.py: what `swarmbench upload|download|seed`
    // fix and default, from the one table.
    // A role by its name ("upload", "download", "seed").
    auto role_named = [](const std::string& name) {
        for (client_role r : {client_role::upload, client_role::download, client_role::seed})
            if (to_string(r) == name) return r;
        throw py::value_error("no client role " + name);
    };
    m.def(
        "_client_role",
        [role_named](const std::string& name) {
            const client_role r = role_named(name);
            return json_to_py({{"fixed", client_role_fixed(r)},
                               {"defaults", client_role_defaults(r)},
                               {"count", client_count_field(r)},
                               {"target", client_target_field(r)}});
        },
        py::arg("role"), "{fixed, defaults, count, target} of a client role (upload, download, seed).");
    m.def(
        "_client_listen",
        [](const std::string& listen) {
            swarm_scenario where;
            if (auto err = set_client_listen(where, listen)) throw py::value_error(*err);
            return py::dict(py::arg("listen_host") = where.listen_host, py::arg("base_port") = where.base_port);
        },
        py::arg("listen"), "listen_host and base_port from \"ADDR:PORT\", as `swarmbench seed --listen`.");
    m.def(
        "_client_link",
        [role_named](const std::string& name, py::handle link) {
            const client_role r = role_named(name);
            if (!py::isinstance<py::dict>(link))
                throw py::type_error("link: expected a dict such as {\"down\": \"16Mbit\", \"rtt_ms\": 40}, got " + type_name(link));
            auto fields = client_link_fields(r, py_to_json(link, "link").dump());
            if (!fields) throw py::value_error(fields.error());
            return json_to_py(fields.value());
        },
        py::arg("role"), py::arg("link"),
        "links (and seeder_link) giving a client role's fake peers one access-link class, as `--link`.");

    py::class_<stream_config> st(m, "StreamConfig", R"doc(The stream baseline: N one-way TCP streams, like iperf3 -P N.

StreamConfig(**fields), every field also a read/write property; the ranges
are those of `swarmbench stream`. Run it with run_stream().)doc");
    bind_settings(st, "StreamConfig", &stream_with);

    py::class_<disk_config> dk(m, "DiskConfig", R"doc(The disk baseline: shuffled positioned writes into one file, like fio --rw=randwrite.

DiskConfig(**fields), every field also a read/write property; the ranges
are those of `swarmbench disk`. Run it with run_disk().)doc");
    bind_settings(dk, "DiskConfig", &disk_with);
}

}  // namespace swarmbench::python
