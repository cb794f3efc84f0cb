// high_level: the types the high-level API's bind_<area>.cpp files share
// (Scenario, Result, Controls, Timeline, Run), and the conversions between
// JSON documents and Python objects.
//
//   bind_scenario.cpp  Scenario, StreamConfig, DiskConfig   (defines the field helpers)
//   bind_results.cpp   Result, Event, load_results, plot    (defines py_result helpers)
//   bind_control.cpp   Controls, Fault, Timeline            (defines control helpers)
//   bind_run.cpp       run, start, Run, run_stream, run_disk, backends
//
// Thread rules: py_result, py_timeline and the configs are plain values,
// built and read with the GIL held. py_controls wraps the engine's command
// queue and is shared (std::shared_ptr) between Python and a running swarm's
// controller thread. The json <-> Python conversions need the GIL.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <pybind11/pybind11.h>

#include "bindings.hpp"
#include "swarmbench/results.hpp"
#include "swarmbench/results_folder.hpp"
#include "swarmbench/settings/schema.hpp"
#include "swarmbench/swarm/swarm.hpp"
#include "swarmbench/swarm/timeline.hpp"
#include "swarmbench/workloads/disk.hpp"
#include "swarmbench/workloads/stream.hpp"

namespace swarmbench::python {

// ---- JSON <-> Python (GIL held) ----

/// null -> None, numbers -> int / float, arrays -> list, objects -> dict.
py::object json_to_py(const nlohmann::json& j);
/// The reverse; TypeError naming `what` for anything JSON cannot hold.
nlohmann::json py_to_json(py::handle h, const std::string& what);
/// "int", "str", "NoneType": for "expected ..., got <type>" messages.
std::string type_name(py::handle h);

// ---- Scenario / StreamConfig / DiskConfig (bind_scenario.cpp) ----

/// Applies keyword arguments to a copy of `base` (TypeError for unknown
/// names or wrong types, ValueError listing every bad value and every
/// cross-field problem). Used by the constructors and by run(**fields).
swarm_scenario scenario_with(const swarm_scenario& base, const py::kwargs& kw);
stream_config stream_with(const stream_config& base, const py::kwargs& kw);
disk_config disk_with(const disk_config& base, const py::kwargs& kw);
/// A Python value as the JSON a schema field takes (any sequence for a
/// list); TypeError naming the field for a value of the wrong kind ("pipeline:
/// expected an int<also>, got str").
nlohmann::json field_json(const settings::field_info& f, py::handle value, std::string_view also = {});
/// A field's doc with its range and unit ("Pipeline ... 1..2048.").
std::string field_help(const settings::field_info& f);
/// Raises ValueError("invalid scenario:\n  ...") unless `problems` is empty.
void raise_if_invalid(const std::string& what, const std::vector<std::string>& problems);

// ---- Result (bind_results.cpp) ----

/// One run's results as Python sees them: the results document plus its
/// time series as a row-major table (the columns of timeseries.csv).
struct py_result {
    nlohmann::json doc;                // the results document (docs/results-schema.md)
    std::vector<std::string> columns;  // time-series column names, CSV order (t_s first)
    std::vector<double> data;          // rows x columns.size(), row-major
    std::size_t rows = 0;              // samples
    std::string label;                 // legend name for plot()
    std::filesystem::path dir;         // the folder it was loaded from or last exported to ("" : none)
    std::vector<std::string> warnings; // what the CLI's summary notes (few_samples_warning)
};

/// A finished run's results (any mode).
py_result make_result(const results& r);
/// Writes results.json, timeseries.csv and (with graphs) the PNG/SVG graphs
/// into `dir`, as `swarmbench run` does. Appends the files written to
/// `files`; returns the errors, each naming its file. No GIL needed (reads
/// everything but `label`, the one member Python may change).
std::vector<std::string> write_result_folder(const py_result& r, const std::filesystem::path& dir, bool graphs,
                                             std::vector<std::filesystem::path>& files);
/// Unit of a time-series column ("B/s", "ms", ...; "" when unknown).
std::string column_unit(const std::string& column);
/// The live columns of the stream and disk modes (one row per progress report).
const std::vector<std::string>& progress_columns();
std::vector<double> progress_values(const progress& p);
/// Raises swarmbench.Error(message) with `result` attached as its .result.
[[noreturn]] void raise_run_failed(const std::string& message, py::object result);

// ---- Controls / Fault / Timeline (bind_control.cpp) ----

/// Steering of a running swarm, shared with its controller thread.
struct py_controls {
    swarm_controls c;  // the engine's command queue
};

/// A plan of timed changes (a plain value, copied into each run).
struct py_timeline {
    swarm_timeline t;
};

}  // namespace swarmbench::python
