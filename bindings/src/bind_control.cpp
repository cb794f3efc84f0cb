// bind_control: shaping a running swarm at tick granularity, never per block.
//
//   Controls  the engine's swarm_controls (swarm/controls.hpp): a property
//             per live field of the scenario schema (connections per
//             leecher, pipeline depth, rate limits, churn), and
//             inject(Fault). Set from any Python thread while a run goes
//             on; the run takes each change at once and records it in
//             results.events.
//   Fault     a drop / corrupt / stall fault (swarm_fault).
//   Timeline  the engine's swarm_timeline (swarm/timeline.hpp): set a control
//             at t, a linear ramp in steps, a fault at t, named phases;
//             applied in C++ right after each sample, with no Python call,
//             so a timeline is exact to one sampling interval even while the
//             interpreter is busy. Its file form is `run --timeline`'s.
//
// Values are checked by the engine (the scenario field of the same name),
// so a control refuses what the scenario would refuse, with the same
// message.
//
// [SECTION] control values
// [SECTION] bindings: Fault, Controls, Timeline
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "high_level.hpp"
#include "swarmbench/units.hpp"

namespace swarmbench::python {

// ---------------------------------------------------------------------------
// [SECTION] control values
// ---------------------------------------------------------------------------

namespace {

/// The JSON a control takes from Python: None stays null (the scenario's),
/// the rest as the scenario field of the same name takes it (TypeError for
/// a value of the wrong kind, or a name that is not a control).
nlohmann::json control_json(const std::string& control, py::handle value) {
    if (value.is_none()) return nullptr;
    const settings::field_info* f = nullptr;
    try {
        f = &swarm_controls::info(control);
    } catch (const std::out_of_range& e) {
        throw py::value_error(e.what());
    }
    return field_json(*f, value, " or None");
}

/// The (field, value) pairs of keyword arguments; TypeError for a name that is not a control.
std::vector<std::pair<std::string, nlohmann::json>> controls_of(const py::kwargs& kw) {
    std::vector<std::pair<std::string, nlohmann::json>> out;
    for (auto [k, v] : kw) {
        const std::string name = k.cast<std::string>();
        if (auto c = swarm_controls::check(name, nullptr); !c) throw py::type_error(c.error());
        out.emplace_back(name, control_json(name, v));
    }
    return out;
}

void set_control(swarm_controls& c, const std::string& name, py::handle value) {
    if (auto err = c.set(name, control_json(name, value))) throw py::value_error(*err);
}

/// The Python doc of a control: its field's, and what None means.
std::string control_doc(std::string_view name) {
    return field_help(swarm_controls::info(name)) + " None: the scenario's.";
}

// ---- Fault ----

swarm_fault make_fault(const std::string& kind, std::int64_t count, double seconds) {
    const auto k = fault_kind_from(kind);
    if (!k) throw py::value_error(fmt::format("kind: must be {}, got \"{}\"", fault_kinds_text, kind));
    if (count < fault_count_min || count > fault_count_max) throw py::value_error(fault_count_error(std::to_string(count)));
    const swarm_fault f{*k, static_cast<std::uint32_t>(count), seconds};
    if (auto err = check_fault(f)) throw py::value_error(*err);
    return f;
}

std::string fault_repr(const swarm_fault& f) {
    if (f.kind == swarm_fault::kind_t::stall)
        return fmt::format("Fault('stall', count={}, seconds={})", f.count, std::string(py::repr(py::float_(f.seconds))));
    return fmt::format("Fault('{}', count={})", to_string(f.kind), f.count);
}

void raise_if(const swarm_timeline::error& err) {
    if (err) throw py::value_error(*err);
}

}  // namespace

// ---------------------------------------------------------------------------
// [SECTION] bindings
// ---------------------------------------------------------------------------

void bind_control(py::module_& m) {
    py::class_<swarm_fault>(m, "Fault", R"doc(A fault to inject into a running swarm (Controls.inject, Timeline.fault).

Fault("drop", count=N): close N live connections (leechers reconnect; counted
as disconnects). Fault("corrupt", count=N): seeders send N blocks with a byte
flipped (hash failures; the piece is fetched again). Fault("stall", count=N,
seconds=S): N connections get no answer for S seconds.)doc")
        .def(py::init(&make_fault), py::arg("kind"), py::arg("count") = 1, py::arg("seconds") = 0.0,
             "kind: \"drop\", \"corrupt\" or \"stall\"; count 1..100000; seconds 0.01..3600 (stall only).")
        .def_property_readonly(
            "kind", [](const swarm_fault& f) { return std::string(to_string(f.kind)); },
            "\"drop\", \"corrupt\" or \"stall\".")
        .def_readonly("count", &swarm_fault::count, "Connections (drop, stall) or blocks (corrupt).")
        .def_readonly("seconds", &swarm_fault::seconds, "Stall: how long; 0 otherwise.")
        .def(
            "__eq__",
            [](const swarm_fault& a, const swarm_fault& b) {
                return a.kind == b.kind && a.count == b.count && a.seconds == b.seconds;
            },
            py::is_operator())
        .def("__repr__", &fault_repr);
    m.attr("Fault").attr("__hash__") = py::none();

    py::class_<py_controls, std::shared_ptr<py_controls>> ctl(m, "Controls", R"doc(Steering of a running swarm.

Controls(**values) and then run(scenario, controls=c) or start(...); change
any property while the run goes on, from any thread: the run takes the
change at once, its shards apply it at their next 20 ms tick, and the
engine records it in Result.events. A property is a live field of the
scenario and takes what the field takes (a rate: an int or "4MiB"); None
means "the scenario's value". inject(Fault) queues a fault. One Controls
steers one run at a time.)doc");
    ctl.def(py::init([](const py::kwargs& kw) {
                auto c = std::make_shared<py_controls>();
                for (const auto& [name, value] : controls_of(kw))
                    if (auto err = c->c.set(name, value)) throw py::value_error(*err);
                return c;
            }),
            "Keyword arguments: any control (Controls.names()).");
    for (std::string_view name : swarm_controls::names()) {
        const std::string n(name);
        ctl.def_property(
            n.c_str(), py::cpp_function([n](const py_controls& c) { return json_to_py(c.c.get(n)); }),
            py::cpp_function([n](py_controls& c, py::handle v) { set_control(c.c, n, v); }), control_doc(n).c_str());
    }
    ctl.def(
        "inject",
        [](py_controls& c, const swarm_fault& f) {
            if (!c.c.inject(f)) throw py::value_error("fault: out of range: " + fault_repr(f));
        },
        py::arg("fault"),
        "Queues a fault; the run applies it at once (drops and stalls wait for live connections) and records it "
        "in Result.events.");
    ctl.def(
        "reset", [](py_controls& c) { c.c.reset(); }, "Every control back to None (the scenario's values).");
    ctl.def(
        "to_dict",
        [](const py_controls& c) {
            py::dict out;
            for (std::string_view name : swarm_controls::names()) out[py::str(std::string(name))] = json_to_py(c.c.get(name));
            return out;
        },
        "Every control's value (None: the scenario's).");
    ctl.def_static(
        "names",
        [] {
            std::vector<std::string> out;
            for (std::string_view name : swarm_controls::names()) out.emplace_back(name);
            return out;
        },
        "The control names: the scenario's live fields.");
    ctl.def("__repr__", [](const py_controls& c) {
        std::string out = "Controls(";
        bool first = true;
        for (std::string_view name : swarm_controls::names()) {
            const nlohmann::json v = c.c.get(name);
            if (v.is_null()) continue;
            if (!first) out += ", ";
            out += fmt::format("{}={}", name, std::string(py::repr(json_to_py(v))));
            first = false;
        }
        return out + ")";
    });

    py::class_<py_timeline>(m, "Timeline", R"doc(Timed actions on a running swarm, applied in C++ by the run.

Times are seconds on the time series' clock (t_s). Each action is applied
right after the first sample at or after its time (so to one sampling
interval), without calling Python. Methods return the Timeline, so calls
chain:

    tl = (Timeline()
          .ramp("connections_per_leecher", 0, 10, 1, 64, steps=8)
          .fault(4, Fault("drop", count=10))
          .phase(6, "throttled", rate_limit="1MiB"))

A Timeline is a plan: each run applies its own copy from the start. Its
file form (to_json(), save(), Timeline.load()) is what `swarmbench run
--timeline FILE` reads.)doc")
        .def(py::init<>())
        .def(
            "set",
            [](py::object self, double t, const std::string& control, py::handle value) {
                raise_if(self.cast<py_timeline&>().t.set(t, control, control_json(control, value)));
                return self;
            },
            py::arg("t"), py::arg("control"), py::arg("value"),
            "At t seconds, set `control` (a Controls property name) to `value` (None: the scenario's).")
        .def(
            "ramp",
            [](py::object self, const std::string& control, double t0, double t1, py::handle start, py::handle end,
               int steps) {
                raise_if(self.cast<py_timeline&>().t.ramp(control, t0, t1, control_json(control, start),
                                                          control_json(control, end), steps));
                return self;
            },
            py::arg("control"), py::arg("t0"), py::arg("t1"), py::arg("start"), py::arg("end"), py::arg("steps") = 10,
            "A linear ramp of `control` from `start` at t0 to `end` at t1 in `steps` equal steps (steps + 1 "
            "settings; integer controls are rounded).")
        .def(
            "fault",
            [](py::object self, double t, const swarm_fault& f) {
                raise_if(self.cast<py_timeline&>().t.fault(t, f));
                return self;
            },
            py::arg("t"), py::arg("fault"), "At t seconds, inject `fault`.")
        .def(
            "phase",
            [](py::object self, double t, const std::string& name, const py::kwargs& kw) {
                raise_if(self.cast<py_timeline&>().t.phase(t, name, controls_of(kw)));
                return self;
            },
            py::arg("t"), py::arg("name"),
            "At t seconds, a named phase begins: the given controls are set together (keyword arguments, as "
            "Controls) and \"phase <name>\" is recorded in Result.events.")
        .def(
            "clear", [](py::object self) {
                self.cast<py_timeline&>().t.clear();
                return self;
            },
            "Removes every action.")
        .def_property_readonly(
            "actions",
            [](const py_timeline& tl) {
                std::vector<std::pair<double, std::string>> out;
                for (const auto& a : tl.t.actions()) out.emplace_back(a.t_s, a.label);
                return out;
            },
            "The actions in the order they apply, as (t, description) pairs.")
        .def_property_readonly(
            "end_s", [](const py_timeline& tl) { return tl.t.end_s(); }, "Time of the last action (0 when empty).")
        .def(
            "to_json", [](const py_timeline& tl, int indent) { return tl.t.to_json().dump(indent); },
            py::arg("indent") = 2, "The file form (`swarmbench run --timeline FILE` reads it), as JSON text.")
        .def(
            "save",
            [](const py_timeline& tl, const std::filesystem::path& path) {
                std::ofstream out(path, std::ios::binary | std::ios::trunc);
                out << tl.t.to_json().dump(2) << "\n";
                if (!out.flush()) throw py::value_error(fmt::format("cannot write {}", path.string()));
            },
            py::arg("path"), "Writes the file form to `path`.")
        .def_static(
            "from_json",
            [](const std::string& text) {
                auto t = swarm_timeline::parse(text);
                if (!t) throw py::value_error("timeline: " + t.error());
                return py_timeline{std::move(t.value())};
            },
            py::arg("text"), "A Timeline from its file form (JSON text); ValueError naming the bad entry.")
        .def_static(
            "load",
            [](const std::filesystem::path& path) {
                std::ifstream in(path, std::ios::binary);
                if (!in) throw py::value_error(fmt::format("{}: cannot read the timeline file", path.string()));
                std::ostringstream text;
                text << in.rdbuf();
                auto t = swarm_timeline::parse(text.str());
                if (!t) throw py::value_error(fmt::format("{}: {}", path.string(), t.error()));
                return py_timeline{std::move(t.value())};
            },
            py::arg("path"), "A Timeline read from a file (as `swarmbench run --timeline FILE` reads it).")
        .def("__len__", [](const py_timeline& tl) { return tl.t.actions().size(); })
        .def("__repr__", [](const py_timeline& tl) {
            return fmt::format("<Timeline {} actions, {:.1f} s>", tl.t.actions().size(), tl.t.end_s());
        });
}

}  // namespace swarmbench::python
