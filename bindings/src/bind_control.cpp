// bind_control: shaping a running swarm at tick granularity, never per block.
//
//   Controls  the engine's swarm_controls (atomics the shards read every
//             20 ms tick): connections per leecher, pipeline depth, rate
//             limits, churn, and inject(Fault). Set from any Python thread
//             while a run goes on; the engine records each change in
//             results.events.
//   Fault     a drop / corrupt / stall fault (swarm_fault).
//   Timeline  timed actions (set a control at t, a linear ramp in steps, a
//             fault at t, named phases) applied in C++ by the run's
//             controller thread right after each sample: no Python call, so
//             a timeline is exact to one sampling interval even while the
//             interpreter is busy.
//
// Values are checked with the engine's own scenario rules (the field of the
// same name), so a control refuses what the scenario would refuse, with the
// same message.
//
// [SECTION] control values
// [SECTION] bindings: Fault, Controls, Timeline
#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>
#include <pybind11/stl.h>

#include "high_level.hpp"
#include "swarmbench/units.hpp"

namespace swarmbench::python {

// ---------------------------------------------------------------------------
// [SECTION] control values
// ---------------------------------------------------------------------------

void apply_set(swarm_controls& c, const control_set& s) noexcept {
    switch (s.id) {
        case control_id::connections_per_leecher:
            c.connections_per_leecher.store(static_cast<std::uint32_t>(s.u));
            break;
        case control_id::pipeline: c.pipeline.store(static_cast<std::uint32_t>(s.u)); break;
        case control_id::rate_limit: c.rate_limit.store(s.u); break;
        case control_id::slow_rate: c.slow_rate.store(s.u); break;
        case control_id::churn_per_s: c.churn_per_s.store(s.d); break;
    }
}

namespace {

constexpr std::uint64_t unlimited = std::numeric_limits<std::uint64_t>::max();  // swarm_controls: no limit

struct control_def {
    const char* name;  // the scenario field it overrides
    control_id id;     // which atomic
    bool size;         // takes "10MiB" strings
    bool real;         // a float (churn)
    const char* doc;   // property doc
};

const control_def control_defs[] = {
    {"connections_per_leecher", control_id::connections_per_leecher, false, false,
     "Connections per leecher (1..10000): each leecher opens or closes connections to match. None: the "
     "scenario's."},
    {"pipeline", control_id::pipeline, false, false,
     "Requests in flight per connection (1..2048). None: the scenario's."},
    {"rate_limit", control_id::rate_limit, true, false,
     "Upload limit per connection in bytes/s (int or \"10MiB\"; 0: unlimited). None: the scenario's."},
    {"slow_rate", control_id::slow_rate, true, false,
     "Slow connections' limit in bytes/s (int or \"1MiB\"). None: the scenario's."},
    {"churn_per_s", control_id::churn_per_s, false, true,
     "Connections dropped and re-made per second across the swarm (0..100000). None: the scenario's."},
};

std::string control_names() {
    std::string out;
    for (const control_def& d : control_defs) {
        if (!out.empty()) out += ", ";
        out += d.name;
    }
    return out;
}

const control_def& find_control(const std::string& name, bool keyword) {
    for (const control_def& d : control_defs)
        if (name == d.name) return d;
    const std::string msg = fmt::format("{}: not a control (controls: {})", name, control_names());
    if (keyword) throw py::type_error(msg);
    throw py::value_error(msg);
}

const control_def& def_of(control_id id) {
    for (const control_def& d : control_defs)
        if (d.id == id) return d;
    return control_defs[0];
}


// A Python value -> the raw atomic value, checked by the scenario field of
// the same name (engine message on ValueError). None: the scenario's.
control_set control_value(const control_def& d, py::handle v) {
    control_set s{d.id, 0, -1};
    if (v.is_none()) return s;
    std::string text;
    if (d.real && (is_int(v) || PyFloat_Check(v.ptr()))) text = py::repr(v);
    else if (!d.real && is_int(v)) text = py::str(v);
    else if (d.size && PyUnicode_Check(v.ptr())) text = v.cast<std::string>();
    else
        throw py::type_error(fmt::format("{}: expected {}, got {}", d.name,
                                         d.real ? "a float or None"
                                         : d.size ? "an int, a size string such as \"10MiB\", or None"
                                                  : "an int or None",
                                         type_name(v)));
    swarm_scenario scratch;
    if (auto err = set_scenario_field(scratch, d.name, text)) throw py::value_error(*err);
    switch (d.id) {
        case control_id::connections_per_leecher: s.u = scratch.connections_per_leecher; break;
        case control_id::pipeline: s.u = scratch.pipeline; break;
        case control_id::rate_limit: s.u = scratch.rate_limit == 0 ? unlimited : scratch.rate_limit; break;
        case control_id::slow_rate: s.u = scratch.slow_rate; break;
        case control_id::churn_per_s: s.d = scratch.churn_per_s; break;
    }
    return s;
}

// The Python view of the atomic's raw value.
py::object control_get(const swarm_controls& c, control_id id) {
    switch (id) {
        case control_id::connections_per_leecher: {
            const auto v = c.connections_per_leecher.load();
            return v == 0 ? py::object(py::none()) : py::int_(v);
        }
        case control_id::pipeline: {
            const auto v = c.pipeline.load();
            return v == 0 ? py::object(py::none()) : py::int_(v);
        }
        case control_id::rate_limit: {
            const auto v = c.rate_limit.load();
            return v == 0 ? py::object(py::none()) : py::int_(v == unlimited ? 0 : v);
        }
        case control_id::slow_rate: {
            const auto v = c.slow_rate.load();
            return v == 0 ? py::object(py::none()) : py::int_(v);
        }
        case control_id::churn_per_s: {
            const double v = c.churn_per_s.load();
            return v < 0 ? py::object(py::none()) : py::float_(v);
        }
    }
    return py::none();
}

// "pipeline = 32", "rate_limit = 10 MiB/s", "rate_limit = unlimited", "pipeline = the scenario's".
std::string describe(const control_set& s) {
    const control_def& d = def_of(s.id);
    if (s.id == control_id::churn_per_s)
        return s.d < 0 ? fmt::format("{} = the scenario's", d.name) : fmt::format("{} = {}", d.name, s.d);
    if (s.u == 0) return fmt::format("{} = the scenario's", d.name);
    if (d.size)
        return s.u == unlimited ? fmt::format("{} = unlimited", d.name)
                                : fmt::format("{} = {}/s", d.name, format_bytes(static_cast<double>(s.u)));
    return fmt::format("{} = {}", d.name, s.u);
}

// ---- Fault ----

const char* fault_kinds = "\"drop\", \"corrupt\" or \"stall\"";

swarm_fault make_fault(const std::string& kind, std::int64_t count, double seconds) {
    swarm_fault f;
    if (kind == "drop") f.kind = swarm_fault::kind_t::drop;
    else if (kind == "corrupt") f.kind = swarm_fault::kind_t::corrupt;
    else if (kind == "stall") f.kind = swarm_fault::kind_t::stall;
    else throw py::value_error(fmt::format("kind: must be {}, got \"{}\"", fault_kinds, kind));
    if (count < 1 || count > 100000) throw py::value_error(fmt::format("count: must be 1..100000, got {}", count));
    f.count = static_cast<std::uint32_t>(count);
    if (f.kind == swarm_fault::kind_t::stall) {
        if (!(seconds >= 0.01 && seconds <= 3600))
            throw py::value_error(fmt::format("seconds: must be 0.01..3600 for a stall, got {}", seconds));
    } else if (!(std::isfinite(seconds) && seconds >= 0)) {
        throw py::value_error(fmt::format("seconds: must be 0 or more, got {}", seconds));
    }
    f.seconds = seconds;
    return f;
}

std::string fault_label(const swarm_fault& f) {
    if (f.kind == swarm_fault::kind_t::stall) return fmt::format("stall {} for {} s", f.count, f.seconds);
    return fmt::format("{} {}", to_string(f.kind), f.count);
}

std::string fault_repr(const swarm_fault& f) {
    if (f.kind == swarm_fault::kind_t::stall)
        return fmt::format("Fault('stall', count={}, seconds={})", f.count, std::string(py::repr(py::float_(f.seconds))));
    return fmt::format("Fault('{}', count={})", to_string(f.kind), f.count);
}

// ---- Timeline ----

double check_time(const char* what, double t) {
    if (!std::isfinite(t) || t < 0) throw py::value_error(fmt::format("{}: must be 0 or more seconds, got {}", what, t));
    return t;
}

void insert_action(py_timeline& tl, timeline_action a) {
    // After every action at the same time: actions given later apply later.
    auto at = std::upper_bound(tl.actions.begin(), tl.actions.end(), a.t_s,
                               [](double t, const timeline_action& x) { return t < x.t_s; });
    tl.actions.insert(at, std::move(a));
}

std::vector<control_set> sets_from_kwargs(const py::kwargs& kw) {
    std::vector<control_set> sets;
    for (auto [k, v] : kw) sets.push_back(control_value(find_control(k.cast<std::string>(), true), v));
    return sets;
}

std::string joined(const std::vector<control_set>& sets) {
    std::string out;
    for (const control_set& s : sets) {
        if (!out.empty()) out += ", ";
        out += describe(s);
    }
    return out;
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
any property while the run goes on, from any thread: the shards pick the
value up at their next 20 ms tick and the engine records the change in
Result.events. None means "the scenario's value". inject(Fault) queues a
fault for the next sample. One Controls steers one run at a time.)doc");
    ctl.def(py::init([](const py::kwargs& kw) {
                auto c = std::make_shared<py_controls>();
                for (const control_set& s : sets_from_kwargs(kw)) apply_set(c->c, s);
                return c;
            }),
            "Keyword arguments: any of connections_per_leecher, pipeline, rate_limit, slow_rate, churn_per_s.");
    for (const control_def& d : control_defs) {
        const control_def* dp = &d;
        ctl.def_property(
            d.name, py::cpp_function([dp](const py_controls& c) { return control_get(c.c, dp->id); }),
            py::cpp_function([dp](py_controls& c, py::handle v) { apply_set(c.c, control_value(*dp, v)); }), d.doc);
    }
    ctl.def(
        "inject",
        [](py_controls& c, const swarm_fault& f) {
            if (!c.c.inject(f)) throw py::value_error("fault: out of range: " + fault_repr(f));
        },
        py::arg("fault"),
        "Queues a fault; the run applies it at its next sample and records it in Result.events. Drops and stalls "
        "wait for live connections.");
    ctl.def(
        "reset",
        [](py_controls& c) {
            for (const control_def& d : control_defs) apply_set(c.c, control_set{d.id, 0, -1});
        },
        "Every control back to None (the scenario's values).");
    ctl.def(
        "to_dict",
        [](const py_controls& c) {
            py::dict out;
            for (const control_def& d : control_defs) out[d.name] = control_get(c.c, d.id);
            return out;
        },
        "Every control's value (None: the scenario's).");
    ctl.def_static(
        "names",
        [] {
            std::vector<std::string> out;
            for (const control_def& d : control_defs) out.emplace_back(d.name);
            return out;
        },
        "The control names.");
    ctl.def("__repr__", [](const py_controls& c) {
        std::string out = "Controls(";
        bool first = true;
        for (const control_def& d : control_defs) {
            py::object v = control_get(c.c, d.id);
            if (v.is_none()) continue;
            if (!first) out += ", ";
            out += fmt::format("{}={}", d.name, std::string(py::repr(v)));
            first = false;
        }
        return out + ")";
    });

    py::class_<py_timeline>(m, "Timeline", R"doc(Timed actions on a running swarm, applied in C++ by the run's controller thread.

Times are seconds on the time series' clock (t_s). Each action is applied
right after the first sample at or after its time (so to one sampling
interval), without calling Python. Methods return the Timeline, so calls
chain:

    tl = (Timeline()
          .ramp("connections_per_leecher", 0, 10, 1, 64, steps=8)
          .fault(4, Fault("drop", count=10))
          .phase(6, "throttled", rate_limit="1MiB"))

A Timeline is a plan: each run applies its own copy from the start.)doc")
        .def(py::init<>())
        .def(
            "set",
            [](py::object self, double t, const std::string& control, py::handle value) {
                auto& tl = self.cast<py_timeline&>();
                const control_set s = control_value(find_control(control, false), value);
                insert_action(tl, {check_time("t", t), {s}, std::nullopt, describe(s), ""});
                return self;
            },
            py::arg("t"), py::arg("control"), py::arg("value"),
            "At t seconds, set `control` (a Controls property name) to `value` (None: the scenario's).")
        .def(
            "ramp",
            [](py::object self, const std::string& control, double t0, double t1, py::handle start, py::handle end,
               int steps) {
                auto& tl = self.cast<py_timeline&>();
                const control_def& d = find_control(control, false);
                check_time("t0", t0);
                check_time("t1", t1);
                if (t1 < t0) throw py::value_error(fmt::format("t1: must be at least t0 ({}), got {}", t0, t1));
                if (steps < 1 || steps > 10000) throw py::value_error(fmt::format("steps: must be 1..10000, got {}", steps));
                if (start.is_none() || end.is_none())
                    throw py::value_error(fmt::format("{}: a ramp needs values at both ends, got None", d.name));
                const control_set a = control_value(d, start), b = control_value(d, end);
                if (d.size && (a.u == unlimited || b.u == unlimited))
                    throw py::value_error(fmt::format("{}: a ramp needs limits at both ends, got 0 (unlimited)", d.name));
                for (int k = 0; k <= steps; ++k) {
                    const double f = static_cast<double>(k) / steps;
                    control_set s = a;
                    if (d.real) s.d = a.d + f * (b.d - a.d);
                    else s.u = static_cast<std::uint64_t>(std::llround(static_cast<double>(a.u) +
                                                                       f * (static_cast<double>(b.u) - static_cast<double>(a.u))));
                    const double t = t0 + f * (t1 - t0);
                    insert_action(tl, {t, {s}, std::nullopt, describe(s) + fmt::format(" (ramp {}/{})", k, steps), ""});
                }
                return self;
            },
            py::arg("control"), py::arg("t0"), py::arg("t1"), py::arg("start"), py::arg("end"), py::arg("steps") = 10,
            "A linear ramp of `control` from `start` at t0 to `end` at t1 in `steps` equal steps (steps + 1 "
            "settings; integer controls are rounded).")
        .def(
            "fault",
            [](py::object self, double t, const swarm_fault& f) {
                auto& tl = self.cast<py_timeline&>();
                insert_action(tl, {check_time("t", t), {}, f, "fault " + fault_label(f), ""});
                return self;
            },
            py::arg("t"), py::arg("fault"), "At t seconds, inject `fault`.")
        .def(
            "phase",
            [](py::object self, double t, const std::string& name, const py::kwargs& kw) {
                auto& tl = self.cast<py_timeline&>();
                if (name.empty()) throw py::value_error("name: a phase needs a name");
                std::vector<control_set> sets = sets_from_kwargs(kw);
                const std::string label = "phase " + name + (sets.empty() ? "" : ": " + joined(sets));
                insert_action(tl, {check_time("t", t), std::move(sets), std::nullopt, label, "phase " + name});
                return self;
            },
            py::arg("t"), py::arg("name"),
            "At t seconds, a named phase begins: the given controls are set together (keyword arguments, as "
            "Controls) and \"phase <name>\" is recorded in Result.events.")
        .def(
            "clear", [](py::object self) {
                self.cast<py_timeline&>().actions.clear();
                return self;
            },
            "Removes every action.")
        .def_property_readonly(
            "actions",
            [](const py_timeline& tl) {
                std::vector<std::pair<double, std::string>> out;
                for (const auto& a : tl.actions) out.emplace_back(a.t_s, a.label);
                return out;
            },
            "The actions in the order they apply, as (t, description) pairs.")
        .def_property_readonly(
            "end_s", [](const py_timeline& tl) { return tl.actions.empty() ? 0.0 : tl.actions.back().t_s; },
            "Time of the last action (0 when empty).")
        .def("__len__", [](const py_timeline& tl) { return tl.actions.size(); })
        .def("__repr__", [](const py_timeline& tl) {
            return fmt::format("<Timeline {} actions, {:.1f} s>", tl.actions.size(),
                               tl.actions.empty() ? 0.0 : tl.actions.back().t_s);
        });
}

}  // namespace swarmbench::python
