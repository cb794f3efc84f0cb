// bind_run: running workloads from Python, as an adapter of the engine's
// run_session (session/run_session.hpp), which runs the workload, applies
// the timeline and writes the results folder. run() / run_stream() /
// run_disk() block (GIL released) and return a Result; start() /
// start_stream() / start_disk() return a Run, polled with poll(), samples()
// and wait(), or stopped with stop().
//
// Threads and the GIL:
//   * The session's own thread runs the workload and never touches Python.
//     A pump drains its events into a mutex-guarded row queue and calls
//     on_sample with the GIL: the calling thread for run() (which also
//     checks for Ctrl-C with PyErr_CheckSignals), the Run's std::thread for
//     start().
//   * Lock order: the GIL may be held while taking run_state::mutex, never
//     the reverse (the pump drops the mutex before it takes the GIL).
//   * An exception from on_sample, or KeyboardInterrupt, stops the run; the
//     run ends cleanly and the exception is raised from run() / result().
//   * Dropping a Run stops and joins it (GIL released while joining). An
//     atexit hook stops every run still going and waits until each pump has
//     ended and each blocking run() (in a daemon thread) is back in Python,
//     before the interpreter finalizes: no thread of ours then asks for the
//     GIL of a dying interpreter (Python would end it with pthread_exit,
//     whose unwinding through C++ frames aborts). After that hook, pumps
//     call no Python and new runs are refused.
//
// [SECTION] run_state: what a run shares with Python
// [SECTION] the pump
// [SECTION] Run
// [SECTION] bindings
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <pybind11/numpy.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "high_level.hpp"
#include "swarmbench/log.hpp"
#include "swarmbench/session/run_session.hpp"
#include "swarmbench/swarm/sample.hpp"

namespace swarmbench::python {

namespace fs = std::filesystem;

namespace {

using steady = std::chrono::steady_clock;

/// How often a waiting Python thread wakes to check for Ctrl-C.
constexpr auto signal_poll = std::chrono::milliseconds(50);
/// How long interpreter exit waits for a stopped run to end.
constexpr auto exit_deadline = std::chrono::seconds(120);

// ---------------------------------------------------------------------------
// [SECTION] run_state
// ---------------------------------------------------------------------------

/// Events the session queues for a pump that is busy in on_sample; beyond
/// it the oldest are dropped and counted (Run.dropped).
constexpr std::size_t event_capacity = 1 << 16;

/// Shared by Python (Run, run()) and the pump. Holds no Python object it
/// would have to release: `callback` is borrowed (its owner outlives the
/// run, see Run), `error` is released by Python-side code with the GIL (or
/// deliberately leaked if nobody is left to do so).
struct run_state {
    // ---- set before the run starts, read-only after
    run_request request;                         // what to run (moved into the session)
    std::shared_ptr<py_controls> controls;       // swarm: steering (never null for swarm)
    bool check_signals = false;                  // blocking run(): check for Ctrl-C in the pump
    bool blocking = false;                       // run(): the caller pumps on its own thread
    std::vector<std::string> columns;            // names of the live rows
    std::unique_ptr<run_session> session;        // the run, from start_session() on

    // ---- written with the GIL; `callback` also read without it (null test)
    std::atomic<PyObject*> callback{nullptr};    // on_sample (borrowed); null: none
    PyObject* error = nullptr;                   // owned: the first exception from on_sample or Ctrl-C (GIL only)

    // ---- any thread
    std::atomic<bool> stop{false};               // asked to stop (the pump forwards it to the session)

    // ---- guarded by mutex
    std::mutex mutex;
    std::condition_variable cv;                  // a row arrived or the run finished
    std::vector<double> pending;                 // rows not yet taken by poll()/samples(), row-major
    std::size_t rows = 0;                        // rows produced so far
    progress last_progress;                      // the latest progress report
    bool finished = false;                       // the run has ended; `outcome` is set
    bool returned = false;                       // blocking: the caller holds the GIL again
    std::optional<results> outcome;              // what it returned
};

run_mode mode_of(const run_state& st) { return st.request.mode; }

/// Every run_state still alive, for the atexit hook.
std::mutex registry_mutex;
std::vector<std::weak_ptr<run_state>> registry;  // guarded by registry_mutex
/// Set by the atexit hook: the interpreter is going away.
std::atomic<bool> exiting{false};

void register_run(const std::shared_ptr<run_state>& st) {
    std::lock_guard lock(registry_mutex);
    if (exiting.load()) throw engine_error("the interpreter is exiting: no new runs");
    std::erase_if(registry, [](const auto& w) { return w.expired(); });
    registry.push_back(st);
}

// Takes the current Python exception into st.error (first one wins). GIL held.
void keep_current_error(run_state& st) {
    PyObject *type = nullptr, *value = nullptr, *tb = nullptr;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    if (tb != nullptr && value != nullptr) PyException_SetTraceback(value, tb);
    Py_XDECREF(type);
    Py_XDECREF(tb);
    if (st.error == nullptr) st.error = value;
    else Py_XDECREF(value);
}

// ---------------------------------------------------------------------------
// [SECTION] the pump (no GIL but in call_python)
// ---------------------------------------------------------------------------

void push_row(run_state& st, const std::vector<double>& row) {
    {
        std::lock_guard lock(st.mutex);
        st.pending.insert(st.pending.end(), row.begin(), row.end());
        ++st.rows;
    }
    st.cv.notify_all();
}

// on_sample and the Ctrl-C check, with the GIL. Any failure stops the run.
void call_python(run_state& st, const std::vector<double>* row) {
    if (st.callback == nullptr && !st.check_signals) return;
    if (exiting.load()) return;  // the atexit hook waits for us with the GIL released; do not need it
    py::gil_scoped_acquire gil;
    if (st.error != nullptr) return;  // already stopping for an exception
    PyObject* callback = st.callback.load();
    if (row != nullptr && callback != nullptr) {
        try {
            py::dict sample;
            for (std::size_t i = 0; i < st.columns.size(); ++i) sample[py::str(st.columns[i])] = (*row)[i];
            py::object cb = py::reinterpret_borrow<py::object>(callback);  // alive for the call
            cb(std::move(sample));
        } catch (py::error_already_set& e) {
            e.restore();
            keep_current_error(st);
            st.stop.store(true);
            return;
        } catch (const std::exception& e) {
            PyErr_SetString(PyExc_RuntimeError, e.what());
            keep_current_error(st);
            st.stop.store(true);
            return;
        }
    }
    if (st.check_signals && PyErr_CheckSignals() != 0) {
        keep_current_error(st);
        st.stop.store(true);
    }
}

/// One session event as Python sees it: a swarm's rows are its samples, a
/// baseline's its progress reports (progress_columns()).
void take_event(run_state& st, const session_event& e) {
    std::vector<double> row;
    if (e.kind == session_event::kind_t::progress) {
        {
            std::lock_guard lock(st.mutex);
            st.last_progress = e.report;
        }
        if (mode_of(st) == run_mode::swarm) return;
        row = progress_values(e.report);
    } else {
        if (mode_of(st) != run_mode::swarm) return;
        row = sample_values(e.sample);
    }
    push_row(st, row);
    call_python(st, &row);
}

/// Drains the session until it has finished, then records its results.
void pump(run_state& st) {
    results r;
    try {
        run_session& s = *st.session;
        std::vector<session_event> events;
        for (;;) {
            s.wait_until(steady::now() + signal_poll);
            const bool done = s.finished();  // nothing is queued after it: the pop below takes the rest
            events.clear();
            s.pop_events(events);
            for (const session_event& e : events) take_event(st, e);
            if (st.check_signals) call_python(st, nullptr);
            if (st.stop.load()) s.stop();
            if (done) break;
        }
        r = s.wait();
    } catch (const std::exception& e) {  // bad_alloc: the session itself reports run-time failures
        r.mode = to_string(mode_of(st));
        r.summary.status = "failed";
        ++r.summary.errors;
        r.summary.error_messages.push_back(std::string("swarmbench: ") + e.what());
    }
    {
        std::lock_guard lock(st.mutex);
        st.outcome = std::move(r);
        st.finished = true;
    }
    st.cv.notify_all();
}

/// Starts the session of `st` (GIL held: its errors become ValueError).
void start_session(run_state& st) {
    if (st.controls) st.request.controls = std::shared_ptr<swarm_controls>(st.controls, &st.controls->c);
    try {
        st.session = std::make_unique<run_session>(st.request, event_capacity);
    } catch (const std::invalid_argument& e) {
        throw py::value_error(e.what());
    }
}

/// Waits (GIL released, waking every signal_poll to check for Ctrl-C) until
/// `done` holds under the mutex or `deadline` passes. True if it holds.
template <class Pred>
bool wait_for(run_state& st, std::optional<steady::time_point> deadline, Pred done) {
    while (true) {
        {
            py::gil_scoped_release release;
            std::unique_lock lock(st.mutex);
            auto until = steady::now() + signal_poll;
            if (deadline && *deadline < until) until = *deadline;
            if (st.cv.wait_until(lock, until, [&] { return done(); })) return true;
        }
        if (PyErr_CheckSignals() != 0) throw py::error_already_set();
        if (deadline && steady::now() >= *deadline) return false;
    }
}

std::optional<steady::time_point> deadline_of(const std::optional<double>& timeout) {
    if (!timeout) return std::nullopt;
    if (!(*timeout >= 0)) throw py::value_error(fmt::format("timeout: must be 0 or more seconds, got {}", *timeout));
    return steady::now() + std::chrono::duration_cast<steady::duration>(std::chrono::duration<double>(*timeout));
}

/// Raises the kept exception, if any (GIL held). The reference stays in st
/// so a second call raises it again; Run's destructor releases it.
void raise_kept_error(run_state& st) {
    if (st.error == nullptr) return;
    PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(st.error)), st.error);
    throw py::error_already_set();
}

py::object result_of(run_state& st, bool check) {
    results r;
    {
        std::lock_guard lock(st.mutex);
        r = *st.outcome;
    }
    raise_kept_error(st);
    py::object res = py::cast(make_result(r));
    if (check) res.attr("check")();
    return res;
}

py::array rows_array(std::vector<double>&& flat, std::size_t cols) {
    const auto n = static_cast<py::ssize_t>(cols == 0 ? 0 : flat.size() / cols);
    py::array_t<double> out({n, static_cast<py::ssize_t>(cols)});
    if (!flat.empty()) std::copy(flat.begin(), flat.end(), out.mutable_data());
    return out;
}

// ---------------------------------------------------------------------------
// [SECTION] Run
// ---------------------------------------------------------------------------

/// A workload on its own thread (swarmbench.Run).
class py_run {
public:
    py_run(std::shared_ptr<run_state> st, py::object callback) : st_(std::move(st)), callback_(std::move(callback)) {
        st_->callback = callback_.is_none() ? nullptr : callback_.ptr();
        register_run(st_);
        start_session(*st_);
        thread_ = std::thread([st = st_] { pump(*st); });
    }
    py_run(const py_run&) = delete;
    py_run& operator=(const py_run&) = delete;

    /// With the GIL (Python drops the Run): stop, join, release Python objects.
    ~py_run() {
        st_->stop.store(true);
        if (thread_.joinable() && thread_.get_id() == std::this_thread::get_id()) {
            // Dropped from its own on_sample: cannot join itself. The thread
            // keeps run_state alive; it must not call the callback again.
            st_->callback = nullptr;
            thread_.detach();
            return;  // st_->error (if any) is leaked: nobody is left to raise it
        }
        join();
        st_->callback = nullptr;
        Py_CLEAR(st_->error);
    }

    void join() {
        py::gil_scoped_release release;
        std::lock_guard lock(join_mutex_);
        if (thread_.joinable()) thread_.join();
    }

    run_state& state() { return *st_; }
    const std::shared_ptr<run_state>& shared() { return st_; }

private:
    std::shared_ptr<run_state> st_;  // shared with the thread
    py::object callback_;            // on_sample, owned here (st_->callback borrows it)
    std::mutex join_mutex_;          // one joiner at a time (destructor vs. result())
    std::thread thread_;             // runs pump()
};

/// Iterator over a Run's samples (swarmbench.Run.samples()).
struct sample_iterator {
    std::shared_ptr<run_state> st;  // the run
};

/// The atexit hook: stop every run and wait for it to end, so no controller
/// thread asks for the GIL while the interpreter finalizes.
void stop_all_runs() {
    std::vector<std::shared_ptr<run_state>> live;
    {
        std::lock_guard lock(registry_mutex);
        for (const auto& w : registry)
            if (auto st = w.lock()) live.push_back(std::move(st));
    }
    {
        std::lock_guard lock(registry_mutex);
        exiting.store(true);
    }
    for (const auto& st : live) st->stop.store(true);
    py::gil_scoped_release release;
    const auto deadline = steady::now() + exit_deadline;
    for (const auto& st : live) {
        std::unique_lock lock(st->mutex);
        if (!st->cv.wait_until(lock, deadline, [&] { return st->finished && (!st->blocking || st->returned); }))
            log().error("interpreter exit: a run did not stop within {} s", exit_deadline.count());
    }
}

// ---------------------------------------------------------------------------
// [SECTION] bindings
// ---------------------------------------------------------------------------

std::shared_ptr<run_state> swarm_state(py::handle scenario, py::handle controls, py::handle timeline,
                                       py::handle output_dir, const py::kwargs& fields) {
    auto st = std::make_shared<run_state>();
    st->request.mode = run_mode::swarm;
    if (!scenario.is_none() && !py::isinstance<swarm_scenario>(scenario))
        throw py::type_error("scenario: expected a Scenario or None, got " + type_name(scenario));
    const swarm_scenario base = scenario.is_none() ? swarm_scenario{} : scenario.cast<swarm_scenario>();
    st->request.scenario = fields.empty() ? base : scenario_with(base, fields);
    raise_if_invalid("invalid scenario", validate(st->request.scenario));
    if (controls.is_none()) st->controls = std::make_shared<py_controls>();
    else if (py::isinstance<py_controls>(controls)) st->controls = controls.cast<std::shared_ptr<py_controls>>();
    else throw py::type_error("controls: expected a Controls or None, got " + type_name(controls));
    if (!timeline.is_none()) {
        if (!py::isinstance<py_timeline>(timeline))
            throw py::type_error("timeline: expected a Timeline or None, got " + type_name(timeline));
        st->request.timeline = timeline.cast<const py_timeline&>().t;
    }
    if (!output_dir.is_none()) st->request.output_dir = output_dir.cast<fs::path>();
    for (const sample_column& c : sample_columns()) st->columns.push_back(c.name);
    return st;
}

template <class C>
std::shared_ptr<run_state> baseline_state(run_mode mode, py::handle config, py::handle output_dir,
                                          const py::kwargs& fields, C (*with)(const C&, const py::kwargs&),
                                          const char* cls) {
    auto st = std::make_shared<run_state>();
    st->request.mode = mode;
    if (!config.is_none() && !py::isinstance<C>(config))
        throw py::type_error(fmt::format("config: expected a {} or None, got {}", cls, type_name(config)));
    const C base = config.is_none() ? C{} : config.cast<C>();
    const C c = fields.empty() ? base : with(base, fields);
    raise_if_invalid(fmt::format("invalid {}", cls), validate(c));
    if constexpr (std::is_same_v<C, stream_config>) st->request.stream = c;
    else st->request.disk = c;
    if (!output_dir.is_none()) st->request.output_dir = output_dir.cast<fs::path>();
    st->columns = progress_columns();
    return st;
}

std::shared_ptr<run_state> stream_state(py::handle config, py::handle output_dir, const py::kwargs& fields) {
    return baseline_state<stream_config>(run_mode::stream, config, output_dir, fields, &stream_with, "StreamConfig");
}

std::shared_ptr<run_state> disk_state(py::handle config, py::handle output_dir, const py::kwargs& fields) {
    return baseline_state<disk_config>(run_mode::disk, config, output_dir, fields, &disk_with, "DiskConfig");
}

/// The blocking run: the session's events pumped on this thread, GIL released.
py::object run_here(const std::shared_ptr<run_state>& st, const py::object& on_sample, bool check) {
    if (!on_sample.is_none() && !PyCallable_Check(on_sample.ptr()))
        throw py::type_error("on_sample: expected a callable or None, got " + type_name(on_sample));
    st->callback = on_sample.is_none() ? nullptr : on_sample.ptr();  // `on_sample` outlives the run
    st->check_signals = true;
    st->blocking = true;
    register_run(st);
    start_session(*st);
    {
        py::gil_scoped_release release;
        pump(*st);
    }
    {
        std::lock_guard lock(st->mutex);
        st->returned = true;
    }
    st->cv.notify_all();
    st->callback = nullptr;
    struct release_error {
        run_state& st;
        ~release_error() { Py_CLEAR(st.error); }
    } guard{*st};
    return result_of(*st, check);
}

std::unique_ptr<py_run> start_run(std::shared_ptr<run_state> st, py::object on_sample) {
    if (!on_sample.is_none() && !PyCallable_Check(on_sample.ptr()))
        throw py::type_error("on_sample: expected a callable or None, got " + type_name(on_sample));
    return std::make_unique<py_run>(std::move(st), std::move(on_sample));
}

py::dict progress_dict(const progress& p) {
    py::dict d;
    d["phase"] = p.phase;
    d["elapsed_s"] = p.elapsed_s;
    d["duration_s"] = p.duration_s;
    d["bytes"] = p.bytes;
    d["rate_bytes_per_s"] = p.rate_bytes_per_s;
    d["done"] = p.done;
    d["total"] = p.total;
    d["errors"] = p.errors;
    d["fraction"] = p.fraction;
    d["warning"] = p.warning;
    return d;
}

// The functions below take py::object arguments (to give their own
// TypeError messages, and because Controls and Timeline are bound later),
// so pybind11's generated signatures would read "handle"; each docstring
// starts with the real one instead (as in the stubs).
const char* run_doc = R"doc(run(scenario: Scenario | None = None, *, controls: Controls | None = None, timeline: Timeline | None = None, on_sample: Callable[[dict[str, float]], object] | None = None, output_dir: str | os.PathLike | None = None, check: bool = True, **fields) -> Result

Runs a swarm and returns its Result (blocks; the GIL is released).

scenario: a Scenario (default: Scenario()); keyword arguments change its
fields for this run (run(storage="discard", torrent_size="64MiB")).
controls: a Controls to steer the run from other threads; timeline: a
Timeline applied in C++ at each sample. on_sample(sample: dict) is called
at every sample (column name -> value) with the GIL, on this thread; an
exception in it stops the run and is raised here once the run has ended.
output_dir: also write the results folder as `swarmbench run -o DIR` does
(timeseries.csv streamed as the run goes, graphs at the end). Ctrl-C stops
the run cleanly and raises KeyboardInterrupt. check=True raises
swarmbench.Error (with .result) when the run failed.)doc";

const char* start_doc = R"doc(start(scenario: Scenario | None = None, *, controls: Controls | None = None, timeline: Timeline | None = None, on_sample: Callable[[dict[str, float]], object] | None = None, output_dir: str | os.PathLike | None = None, **fields) -> Run

Starts a swarm on its own thread and returns the Run at once.

Arguments as run() (on_sample is called on the run's thread, with the GIL).
Poll it with Run.poll() / Run.samples(), steer it through Run.controls, end
it with Run.stop(), and collect Run.result(). Dropping the Run stops it.)doc";

}  // namespace

void bind_run(py::module_& m) {
    py::class_<sample_iterator>(m, "SampleIterator", "Iterator over a Run's samples (see Run.samples()).")
        .def("__iter__", [](py::object self) { return self; })
        .def("__next__", [](sample_iterator& it) -> py::object {
            run_state& st = *it.st;
            const std::size_t cols = st.columns.size();
            wait_for(st, std::nullopt, [&] { return !st.pending.empty() || st.finished; });
            std::vector<double> row;
            {
                std::lock_guard lock(st.mutex);
                if (st.pending.empty()) throw py::stop_iteration();
                row.assign(st.pending.begin(), st.pending.begin() + static_cast<std::ptrdiff_t>(cols));
                st.pending.erase(st.pending.begin(), st.pending.begin() + static_cast<std::ptrdiff_t>(cols));
            }
            py::array_t<double> out(static_cast<py::ssize_t>(cols));
            std::copy(row.begin(), row.end(), out.mutable_data());
            return out;
        });

    py::class_<py_run>(m, "Run", R"doc(A workload running on its own thread (from start(), start_stream(), start_disk()).

Samples arrive as numpy rows whose columns are named by `columns`: poll()
takes every row not yet taken, samples() iterates over them as they come,
wait(timeout) blocks with the GIL released. stop() ends the run early (its
Result then has status "interrupted"); result() waits and returns the
Result. Dropping a Run, or leaving a `with` block, stops and joins it.)doc")
        .def_property_readonly(
            "mode", [](py_run& r) { return std::string(to_string(mode_of(r.state()))); },
            "\"swarm\", \"stream\" or \"disk\".")
        .def_property_readonly(
            "columns", [](py_run& r) { return r.state().columns; },
            "Names of the sample columns (swarm: the time-series columns; stream and disk: the progress figures).")
        .def_property_readonly(
            "controls",
            [](py_run& r) -> py::object {
                if (mode_of(r.state()) != run_mode::swarm) return py::none();
                return py::cast(r.state().controls);
            },
            "Swarm: the Controls steering this run (the one given, or the run's own); None for stream and disk.")
        .def_property_readonly(
            "running",
            [](py_run& r) {
                std::lock_guard lock(r.state().mutex);
                return !r.state().finished;
            },
            "True until the workload has returned.")
        .def_property_readonly(
            "dropped", [](py_run& r) { return r.state().session->dropped_events(); },
            "Reports the run made while on_sample kept this Run's pump busy, dropped oldest first from its bounded "
            "queue (the results folder and Result have every sample regardless).")
        .def_property_readonly(
            "rows",
            [](py_run& r) {
                std::lock_guard lock(r.state().mutex);
                return r.state().rows;
            },
            "Samples produced so far.")
        .def_property_readonly(
            "progress",
            [](py_run& r) {
                progress p;
                {
                    std::lock_guard lock(r.state().mutex);
                    p = r.state().last_progress;
                }
                return progress_dict(p);
            },
            "The latest progress report: phase, elapsed_s, bytes, rate_bytes_per_s, done, total, errors, fraction, "
            "warning (e.g. no connection to the client, or \"\").")
        .def(
            "poll",
            [](py_run& r) {
                std::vector<double> flat;
                {
                    std::lock_guard lock(r.state().mutex);
                    flat.swap(r.state().pending);
                }
                return rows_array(std::move(flat), r.state().columns.size());
            },
            "Every sample not yet taken, as a float64 array of shape (n, len(columns)); n may be 0. Never blocks.")
        .def(
            "samples", [](py_run& r) { return sample_iterator{r.shared()}; },
            "An iterator over the samples not yet taken, one 1-D row at a time, waiting for each (GIL released); "
            "it ends when the run has ended and every row was taken. Shares its queue with poll().")
        .def(
            "wait_ended",
            [](py_run& r, std::optional<double> timeout) {
                run_state& st = r.state();
                return wait_for(st, deadline_of(timeout), [&] { return st.finished; });
            },
            py::arg("timeout") = py::none(),
            "Waits until the run has ended or `timeout` seconds passed (None: no limit), GIL released, and says "
            "whether it has ended (a bool, not the Result: result() returns that).")
        .def(
            "stop", [](py_run& r) { r.state().stop.store(true); },
            "Asks the run to end (returns at once); its Result gets status \"interrupted\".")
        .def(
            "result",
            [](py_run& r, std::optional<double> timeout, bool check) {
                run_state& st = r.state();
                if (!wait_for(st, deadline_of(timeout), [&] { return st.finished; })) {
                    PyErr_SetString(PyExc_TimeoutError, "the run has not ended yet (stop() ends it early)");
                    throw py::error_already_set();
                }
                r.join();
                return result_of(st, check);
            },
            py::arg("timeout") = py::none(), py::arg("check") = true,
            "Waits for the run to end (TimeoutError after `timeout` seconds) and returns its Result. Raises the "
            "exception on_sample raised, if any; with check=True, swarmbench.Error when the run failed.")
        .def("__enter__", [](py::object self) { return self; })
        .def(
            "__exit__",
            [](py_run& r, py::handle, py::handle, py::handle) {
                r.state().stop.store(true);
                r.join();
            },
            "Stops the run and waits for it to end.")
        .def("__repr__", [](py_run& r) {
            std::lock_guard lock(r.state().mutex);
            return fmt::format("<Run {} {} ({} samples)>", to_string(mode_of(r.state())),
                               r.state().finished ? "ended" : "running", r.state().rows);
        });

    {
        py::options no_signatures;  // for the run family only: their docstrings carry the signatures
        no_signatures.disable_function_signatures();
        auto run_fn = [](py::handle scenario, py::handle controls, py::handle timeline, py::object on_sample,
                         py::handle output_dir, bool check, const py::kwargs& fields) {
            return run_here(swarm_state(scenario, controls, timeline, output_dir, fields), on_sample, check);
        };
        m.def("run", run_fn, py::arg("scenario") = py::none(), py::kw_only(), py::arg("controls") = py::none(),
              py::arg("timeline") = py::none(), py::arg("on_sample") = py::none(), py::arg("output_dir") = py::none(),
              py::arg("check") = true, run_doc);
        m.def(
            "start",
            [](py::handle scenario, py::handle controls, py::handle timeline, py::object on_sample, py::handle output_dir,
               const py::kwargs& fields) {
                return start_run(swarm_state(scenario, controls, timeline, output_dir, fields), std::move(on_sample));
            },
            py::arg("scenario") = py::none(), py::kw_only(), py::arg("controls") = py::none(),
            py::arg("timeline") = py::none(), py::arg("on_sample") = py::none(), py::arg("output_dir") = py::none(),
            start_doc);

        m.def(
            "run_stream",
            [](py::handle config, py::object on_sample, py::handle output_dir, bool check, const py::kwargs& fields) {
                return run_here(stream_state(config, output_dir, fields), on_sample, check);
            },
            py::arg("config") = py::none(), py::kw_only(), py::arg("on_sample") = py::none(),
            py::arg("output_dir") = py::none(), py::arg("check") = true,
            "run_stream(config: StreamConfig | None = None, *, on_sample: Callable[[dict[str, float]], object] | None = "
            "None, output_dir: str | os.PathLike | None = None, check: bool = True, **fields) -> Result\n\n"
            "Runs the stream baseline (N TCP streams, like iperf3 -P N) and returns its Result. config: a "
            "StreamConfig; keyword arguments change its fields. on_sample(progress: dict) is called at every "
            "progress report. Otherwise as run().");
        m.def(
            "start_stream",
            [](py::handle config, py::object on_sample, py::handle output_dir, const py::kwargs& fields) {
                return start_run(stream_state(config, output_dir, fields), std::move(on_sample));
            },
            py::arg("config") = py::none(), py::kw_only(), py::arg("on_sample") = py::none(),
            py::arg("output_dir") = py::none(),
            "start_stream(config: StreamConfig | None = None, *, on_sample: Callable[[dict[str, float]], object] | None = "
            "None, output_dir: str | os.PathLike | None = None, **fields) -> Run\n\n"
            "Starts the stream baseline on its own thread; see start().");
        m.def(
            "run_disk",
            [](py::handle config, py::object on_sample, py::handle output_dir, bool check, const py::kwargs& fields) {
                return run_here(disk_state(config, output_dir, fields), on_sample, check);
            },
            py::arg("config") = py::none(), py::kw_only(), py::arg("on_sample") = py::none(),
            py::arg("output_dir") = py::none(), py::arg("check") = true,
            "run_disk(config: DiskConfig | None = None, *, on_sample: Callable[[dict[str, float]], object] | None = "
            "None, output_dir: str | os.PathLike | None = None, check: bool = True, **fields) -> Result\n\n"
            "Runs the disk baseline (shuffled 16 KiB writes, like fio --rw=randwrite) and returns its Result. config: "
            "a DiskConfig; keyword arguments change its fields. Otherwise as run_stream().");
        m.def(
            "start_disk",
            [](py::handle config, py::object on_sample, py::handle output_dir, const py::kwargs& fields) {
                return start_run(disk_state(config, output_dir, fields), std::move(on_sample));
            },
            py::arg("config") = py::none(), py::kw_only(), py::arg("on_sample") = py::none(),
            py::arg("output_dir") = py::none(),
            "start_disk(config: DiskConfig | None = None, *, on_sample: Callable[[dict[str, float]], object] | None = "
            "None, output_dir: str | os.PathLike | None = None, **fields) -> Run\n\n"
            "Starts the disk baseline on its own thread; see start().");
    }

    m.def(
        "backends",
        [] {
            py::list out;
            for (const backend_status& b : report_backends().backends) {
                py::dict d;
                d["name"] = to_string(b.kind);
                d["compiled"] = b.compiled;
                d["available"] = b.available;
                d["default"] = b.is_default;
                d["reason"] = b.reason;
                out.append(std::move(d));
            }
            return out;
        },
        "Every backend as a dict (name, compiled, available, default, reason), as `swarmbench backends --json`.");
    m.def(
        "set_log_level",
        [](const std::string& level) {
            if (!set_log_level(level))
                throw py::value_error(fmt::format(
                    "level: must be \"trace\", \"debug\", \"info\", \"warn\", \"error\" or \"off\", got \"{}\"", level));
        },
        py::arg("level"), "The engine's log level (it logs to stderr): trace, debug, info, warn, error or off.");

    m.def("_stop_all_runs", &stop_all_runs, "Stops every run and waits for it (registered with atexit).");
    py::module_::import("atexit").attr("register")(m.attr("_stop_all_runs"));
}

}  // namespace swarmbench::python
