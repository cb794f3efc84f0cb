// bind_results: swarmbench.Result (one run's results document and its time
// series as numpy arrays with column names), Event, load_results() and
// plot(). A Result writes the same results folder as `swarmbench run`
// (results.json, timeseries.csv, PNG and SVG graphs) through the engine's
// results_folder and graphs functions; nothing here formats those files.
//
// Arrays handed to Python are read-only views into the Result's own table
// (their base keeps the Result alive), so reading a column copies nothing.
//
// [SECTION] building a py_result
// [SECTION] export and graphs
// [SECTION] bindings
#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include <fmt/format.h>
#include <pybind11/numpy.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "high_level.hpp"
#include "swarmbench/graphs.hpp"
#include "swarmbench/swarm/sample.hpp"
#include "swarmbench/units.hpp"

namespace swarmbench::python {

namespace fs = std::filesystem;

// ---------------------------------------------------------------------------
// [SECTION] building a py_result
// ---------------------------------------------------------------------------

const std::vector<std::string>& progress_columns() {
    static const std::vector<std::string> names = {"elapsed_s", "bytes", "rate_bytes_per_s", "done",
                                                   "total",     "errors", "fraction"};
    return names;
}

std::vector<double> progress_values(const progress& p) {
    return {p.elapsed_s,
            static_cast<double>(p.bytes),
            p.rate_bytes_per_s,
            static_cast<double>(p.done),
            static_cast<double>(p.total),
            static_cast<double>(p.errors),
            p.fraction};
}

std::string column_unit(const std::string& column) {
    for (const sample_column& c : sample_columns())
        if (c.name == column) return c.unit;
    static const std::map<std::string, std::string> others = {
        {"bytes", "B"},          {"goodput_bytes_per_s", "B/s"}, {"ops", "count"},  {"connections", "count"},
        {"elapsed_s", "s"},      {"rate_bytes_per_s", "B/s"},    {"done", "count"}, {"total", "count"},
        {"errors", "count"},     {"fraction", ""}};
    auto it = others.find(column);
    return it != others.end() ? it->second : "";
}

namespace {

std::string doc_string(const nlohmann::json& doc, const char* block, const char* key, const char* fallback) {
    if (!doc.is_object() || !doc.contains(block) || !doc[block].is_object()) return fallback;
    const nlohmann::json& b = doc[block];
    return b.contains(key) && b[key].is_string() ? b[key].get<std::string>() : fallback;
}

double doc_number(const nlohmann::json& doc, const char* key) {
    if (!doc.is_object() || !doc.contains("summary") || !doc["summary"].is_object()) return std::nan("");
    const nlohmann::json& s = doc["summary"];
    return s.contains(key) && s[key].is_number() ? s[key].get<double>() : std::nan("");
}

py::object doc_block(const nlohmann::json& doc, const char* block) {
    if (!doc.is_object() || !doc.contains(block)) return py::dict();
    return json_to_py(doc[block]);
}

[[noreturn]] void raise_error(const std::string& message) { throw engine_error(message); }

}  // namespace

py_result make_result(const results& r) {
    py_result out;
    out.doc = to_json(r);
    results_table t = table_of(r);
    out.columns = std::move(t.columns);
    out.data = std::move(t.data);
    out.rows = t.rows;
    out.label = r.environment.backend.empty() ? r.mode : r.environment.backend;
    if (auto few = few_samples_warning(r)) out.warnings.push_back(std::move(*few));
    return out;
}

namespace {

py_result result_from_loaded(loaded_results&& l) {
    py_result out;
    results_table t = table_of(l);
    out.doc = l.document.is_null() ? nlohmann::json::object() : std::move(l.document);
    out.columns = std::move(t.columns);
    out.data = std::move(t.data);
    out.rows = t.rows;
    out.label = l.label;
    out.dir = l.dir;
    return out;
}

loaded_results to_loaded(const py_result& r) {
    loaded_results l;
    l.dir = r.dir;
    l.label = r.label;
    l.document = r.doc;
    l.columns = r.columns;
    for (std::size_t j = 0; j < r.columns.size(); ++j) {
        std::vector<double>& v = l.series[r.columns[j]];
        v.reserve(r.rows);
        for (std::size_t i = 0; i < r.rows; ++i) v.push_back(r.data[i * r.columns.size() + j]);
    }
    return l;
}

py_result load_folder(const fs::path& dir) {
    std::error_code ec;
    bt::result<loaded_results> loaded = bt::parse_error{""};
    {
        py::gil_scoped_release release;
        loaded = load_results(dir);
    }
    if (!loaded) {
        if (!fs::exists(dir, ec)) {
            py::object err = py::module_::import("builtins").attr("FileNotFoundError")(ENOENT, loaded.error(), dir.string());
            PyErr_SetObject(PyExc_FileNotFoundError, err.ptr());
            throw py::error_already_set();
        }
        raise_error(loaded.error());
    }
    return result_from_loaded(std::move(loaded).value());
}

}  // namespace

// ---------------------------------------------------------------------------
// [SECTION] export and graphs
// ---------------------------------------------------------------------------

std::vector<std::string> write_result_folder(const py_result& r, const fs::path& dir, bool graphs,
                                             std::vector<fs::path>& files) {
    std::vector<std::string> errors = write_results_folder(dir, r.doc, results_table{r.columns, r.data, r.rows});
    if (!errors.empty()) return errors;
    files.push_back(dir / results_json_name);
    files.push_back(dir / timeseries_csv_name);
    if (!graphs) return errors;
    // Read the folder back and draw it, as `swarmbench run` does (the
    // folder's name is the run's label there too).
    auto loaded = load_results(dir);
    if (!loaded) return {loaded.error()};
    graph_output g = render_graphs({loaded.value()}, dir);
    files.insert(files.end(), g.files.begin(), g.files.end());
    return g.errors;
}

namespace {

std::vector<fs::path> export_result(const py_result& r, const fs::path& dir, bool graphs) {
    std::vector<fs::path> files;
    std::vector<std::string> errors;
    {
        // Python may change only r.label, which is not read here.
        py::gil_scoped_release release;
        errors = write_result_folder(r, dir, graphs, files);
    }
    if (!errors.empty()) {
        std::string all = errors.front();
        for (std::size_t i = 1; i < errors.size(); ++i) all += "\n" + errors[i];
        raise_error(all);
    }
    return files;
}

}  // namespace

void raise_run_failed(const std::string& message, py::object result) {
    py::object type = py::module_::import("swarmbench._swarmbench").attr("Error");
    py::object exc = type(message);
    exc.attr("result") = std::move(result);
    PyErr_SetObject(type.ptr(), exc.ptr());
    throw py::error_already_set();
}

// ---------------------------------------------------------------------------
// [SECTION] bindings
// ---------------------------------------------------------------------------

namespace {

std::size_t column_index(const py_result& r, const std::string& name) {
    auto it = std::find(r.columns.begin(), r.columns.end(), name);
    if (it == r.columns.end()) {
        std::string names;
        for (const auto& c : r.columns) {
            if (!names.empty()) names += ", ";
            names += c;
        }
        throw py::key_error(fmt::format("{}: no such column (columns: {})", name, names));
    }
    return static_cast<std::size_t>(it - r.columns.begin());
}

py::array read_only(py::array a) {
    a.attr("setflags")(py::arg("write") = false);
    return a;
}

py::array column_view(py::object self, const py_result& r, std::size_t j) {
    const auto stride = static_cast<py::ssize_t>(r.columns.size() * sizeof(double));
    if (r.rows == 0) return read_only(py::array_t<double>(0));
    return read_only(py::array_t<double>({static_cast<py::ssize_t>(r.rows)}, {stride}, r.data.data() + j, self));
}

std::string result_repr(const py_result& r) {
    const std::string mode = doc_string(r.doc, "config", "mode", "?");
    const std::string status = doc_string(r.doc, "summary", "status", "unknown");
    const double goodput = doc_number(r.doc, "goodput_bytes_per_s");
    const double bytes = doc_number(r.doc, "bytes");
    const double seconds = doc_number(r.doc, "seconds");
    std::string out = fmt::format("<Result {} {} ({})", mode, status, r.label);
    if (std::isfinite(bytes) && std::isfinite(seconds))
        out += fmt::format(": {} in {:.2f} s, {}", format_bytes(bytes), seconds,
                           std::isfinite(goodput) ? format_rate(goodput) : "-");
    return out + fmt::format(", {} samples x {} columns>", r.rows, r.columns.size());
}

std::vector<std::string> unique_labels(const std::vector<loaded_results>& runs) {
    std::vector<std::string> labels;
    std::multiset<std::string> seen;
    for (const auto& r : runs) {
        const std::string base = r.label.empty() ? "run" : r.label;
        seen.insert(base);
        const std::size_t n = seen.count(base);
        labels.push_back(n == 1 ? base : fmt::format("{} #{}", base, n));
    }
    return labels;
}

}  // namespace

void bind_results(py::module_& m) {
    py::class_<run_event>(m, "Event", "Something that changed during a swarm run: a steering change, a fault or a "
                                      "timeline phase (results.json \"events\").")
        .def(py::init([](double t_s, std::string what) { return run_event{t_s, std::move(what)}; }), py::arg("t_s"),
             py::arg("what"))
        .def_readonly("t_s", &run_event::t_s, "Seconds since the measured window opened (the time series' t_s).")
        .def_readonly("what", &run_event::what, "What happened: \"pipeline 16 -> 32\", \"drop 10 connections\".")
        .def(
            "__eq__", [](const run_event& a, const run_event& b) { return a.t_s == b.t_s && a.what == b.what; },
            py::is_operator())
        .def("__repr__", [](const run_event& e) { return fmt::format("Event({:.2f}, {:?})", e.t_s, e.what); });
    m.attr("Event").attr("__hash__") = py::none();

    py::class_<py_result> res(m, "Result", R"doc(One run's results: the results document and its time series.

A Result comes from run(), run_stream(), run_disk(), Run.result() or
load_results(). The time series is a read-only numpy table (`timeseries`,
one row per sample) whose columns are named by `columns` (the columns of
timeseries.csv; `column(name)` or `result[name]` gives one). export(dir)
writes the same results folder and graphs as `swarmbench run -o DIR`.)doc");
    res.def_property_readonly(
           "mode", [](const py_result& r) { return doc_string(r.doc, "config", "mode", ""); },
           "\"swarm\", \"stream\" or \"disk\".")
        .def_property_readonly(
            "status", [](const py_result& r) { return doc_string(r.doc, "summary", "status", "unknown"); },
            "\"ok\", \"interrupted\" (stopped early) or \"failed\" (see errors).")
        .def_property_readonly(
            "ok", [](const py_result& r) { return doc_string(r.doc, "summary", "status", "") == "ok"; },
            "True when the status is \"ok\".")
        .def_property_readonly(
            "errors",
            [](const py_result& r) {
                py::object s = doc_block(r.doc, "summary");
                return s.contains("error_messages") ? py::list(s["error_messages"]) : py::list();
            },
            "The first error messages (each names its fix); summary[\"errors\"] counts them all.")
        .def_property_readonly(
            "warnings", [](const py_result& r) { return r.warnings; },
            "What the CLI's summary notes, e.g. a run with too few samples to graph (\"only 4 samples over 0.31 s: "
            "...\"); empty when there is nothing to say.")
        .def_property_readonly(
            "backend", [](const py_result& r) { return doc_string(r.doc, "environment", "backend", ""); },
            "The backend that ran: \"io_uring\", \"epoll\" or \"iocp\".")
        .def_property_readonly(
            "summary", [](const py_result& r) { return doc_block(r.doc, "summary"); },
            "The summary block as a dict (goodput_bytes_per_s, bytes, seconds, errors, and the mode's own block: "
            "summary[\"swarm\"] for a swarm).")
        .def_property_readonly(
            "config", [](const py_result& r) { return doc_block(r.doc, "config"); },
            "The configuration the run saw (the scenario's fields for a swarm), as a dict.")
        .def_property_readonly(
            "environment", [](const py_result& r) { return doc_block(r.doc, "environment"); },
            "Backend and why it was chosen, kernel, CPU, version, as a dict.")
        .def_property_readonly(
            "peers",
            [](const py_result& r) {
                return r.doc.contains("peers") ? py::list(json_to_py(r.doc["peers"])) : py::list();
            },
            "Swarm: one dict per connection made (leecher, remote, state, slow, bytes_in, blocks, ...).")
        .def_property_readonly(
            "events",
            [](const py_result& r) {
                std::vector<run_event> out;
                if (r.doc.contains("events") && r.doc["events"].is_array())
                    for (const auto& e : r.doc["events"])
                        out.push_back({e.value("t_s", 0.0), e.value("what", std::string())});
                return out;
            },
            "Swarm: steering changes, faults and timeline phases, in time order.")
        .def_property_readonly(
            "goodput", [](const py_result& r) { return doc_number(r.doc, "goodput_bytes_per_s"); },
            "Payload bytes per second over the measured window (NaN if unknown).")
        .def_property_readonly(
            "bytes", [](const py_result& r) { return doc_number(r.doc, "bytes"); },
            "Payload bytes counted in the measured window (NaN if unknown).")
        .def_property_readonly(
            "seconds", [](const py_result& r) { return doc_number(r.doc, "seconds"); },
            "Length of the measured window (NaN if unknown).")
        .def_readonly("columns", &py_result::columns, "Names of the time-series columns, t_s first.")
        .def_property_readonly(
            "units",
            [](const py_result& r) {
                py::dict out;
                for (const auto& c : r.columns) out[py::str(c)] = column_unit(c);
                return out;
            },
            "Unit of each column: \"s\", \"B\", \"B/s\", \"us\", \"ms\", \"count\", \"%\" (\"\" when unknown).")
        .def_readonly("rows", &py_result::rows, "Number of samples.")
        .def_property_readonly(
            "timeseries",
            [](py::object self) {
                const py_result& r = self.cast<const py_result&>();
                const auto cols = static_cast<py::ssize_t>(r.columns.size());
                if (r.rows == 0) return read_only(py::array_t<double>(std::vector<py::ssize_t>{0, cols}));
                return read_only(py::array_t<double>({static_cast<py::ssize_t>(r.rows), cols},
                                                     {cols * static_cast<py::ssize_t>(sizeof(double)),
                                                      static_cast<py::ssize_t>(sizeof(double))},
                                                     r.data.data(), self));
            },
            "The time series: a read-only float64 array of shape (rows, len(columns)).")
        .def(
            "column",
            [](py::object self, const std::string& name) {
                const py_result& r = self.cast<const py_result&>();
                return column_view(self, r, column_index(r, name));
            },
            py::arg("name"), "One column as a read-only 1-D array; KeyError names the columns there are.")
        .def(
            "__getitem__",
            [](py::object self, const std::string& name) {
                const py_result& r = self.cast<const py_result&>();
                return column_view(self, r, column_index(r, name));
            },
            py::arg("name"))
        .def(
            "__contains__",
            [](const py_result& r, py::handle name) {
                return PyUnicode_Check(name.ptr()) &&
                       std::find(r.columns.begin(), r.columns.end(), name.cast<std::string>()) != r.columns.end();
            },
            py::arg("name"))
        .def(
            "series",
            [](py::object self) {
                const py_result& r = self.cast<const py_result&>();
                py::dict out;
                for (std::size_t j = 0; j < r.columns.size(); ++j) out[py::str(r.columns[j])] = column_view(self, r, j);
                return out;
            },
            "Every column by name, as read-only 1-D arrays.")
        .def_readwrite("label", &py_result::label,
                       "The name plot() gives this run in legends (default: the backend, or the folder's name).")
        .def_property_readonly(
            "dir", [](const py_result& r) -> py::object { return r.dir.empty() ? py::none() : py::cast(r.dir); },
            "The folder it was loaded from or last exported to (None if neither).")
        .def(
            "to_dict", [](const py_result& r) { return json_to_py(r.doc); },
            "The whole results document (results.json) as a dict.")
        .def(
            "to_json", [](const py_result& r, int indent) { return r.doc.dump(indent); }, py::arg("indent") = 2,
            "The results document as JSON text.")
        .def(
            "export",
            [](py_result& r, const fs::path& dir, bool graphs) {
                auto files = export_result(r, dir, graphs);
                r.dir = dir;
                return files;
            },
            py::arg("dir"), py::arg("graphs") = true,
            "Writes the results folder `swarmbench run` writes: results.json, timeseries.csv and (graphs=True) the "
            "throughput, latency and connections graphs as PNG and SVG. Returns the files written; raises "
            "swarmbench.Error naming the file that could not be written.")
        .def(
            "check",
            [](py::object self) {
                const py_result& r = self.cast<const py_result&>();
                if (doc_string(r.doc, "summary", "status", "") != "failed") return;
                py::object s = doc_block(r.doc, "summary");
                std::string msg = "run failed";
                if (s.contains("error_messages"))
                    for (py::handle e : s["error_messages"]) msg += "\n  " + e.cast<std::string>();
                raise_run_failed(msg, self);
            },
            "Raises swarmbench.Error (with this Result as its .result) if the run failed.")
        .def("__len__", [](const py_result& r) { return r.rows; })
        .def("__repr__", &result_repr);

    m.def("load_results", &load_folder, py::arg("dir"),
          "Reads a results folder (results.json and timeseries.csv, as written by `swarmbench run`, the app or "
          "Result.export) back into a Result. FileNotFoundError if it does not exist, swarmbench.Error if it "
          "cannot be read.");

    m.def(
        "plot",
        [](py::iterable runs, const fs::path& out_dir, int width, int height, const std::string& title) {
            std::vector<loaded_results> loaded;
            for (py::handle h : runs) {
                if (py::isinstance<py_result>(h)) loaded.push_back(to_loaded(h.cast<const py_result&>()));
                else loaded.push_back(to_loaded(load_folder(h.cast<fs::path>())));
            }
            if (loaded.empty()) throw py::value_error("runs: nothing to plot (give one or more Results or folders)");
            if (width < 320 || width > 16384) throw py::value_error(fmt::format("width: must be 320..16384, got {}", width));
            if (height < 200 || height > 16384)
                throw py::value_error(fmt::format("height: must be 200..16384, got {}", height));
            const auto labels = unique_labels(loaded);
            for (std::size_t i = 0; i < loaded.size(); ++i) loaded[i].label = labels[i];
            graph_options options;
            options.width = width;
            options.height = height;
            options.title_suffix = title.empty() ? "" : "  " + title;
            graph_output out;
            {
                py::gil_scoped_release release;
                out = render_graphs(loaded, out_dir, options);
            }
            if (!out.errors.empty()) {
                std::string all = out.errors.front();
                for (std::size_t i = 1; i < out.errors.size(); ++i) all += "\n" + out.errors[i];
                raise_error(all);
            }
            if (out.files.empty()) raise_error("nothing to plot: no run has a time series");
            return out.files;
        },
        py::arg("runs"), py::arg("out_dir"), py::kw_only(), py::arg("width") = 1200, py::arg("height") = 600,
        py::arg("title") = "",
        "Draws the throughput, latency and connections graphs of one or more runs (Results or results folders) "
        "into out_dir, every run's lines overlaid and named by its label, as `swarmbench plot DIR... -o OUT`. "
        "Returns the PNG and SVG files written.");
}

}  // namespace swarmbench::python
