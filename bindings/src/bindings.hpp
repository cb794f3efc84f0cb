// bindings: what the bind_<area>.cpp files share. module.cpp only calls the
// bind_* functions, in the order below (later areas use earlier types).
//
// Rules for every binding (../../README.md, section Python; STYLE.md 12-14):
//   * Convert and validate with the GIL held; release it
//     (py::gil_scoped_release) for anything that waits or runs a loop.
//   * A Python callback is called, copied and destroyed only with the GIL held.
//   * Engine failures raise swarmbench.Error (throw engine_error) carrying the
//     engine's message; bad arguments raise ValueError / TypeError; a failed
//     system call raises OSError with its errno (throw_os_error).
#pragma once

#include <stdexcept>
#include <string>
#include <system_error>

#include <pybind11/pybind11.h>

namespace swarmbench::python {

namespace py = pybind11;

/// Becomes swarmbench.Error (a RuntimeError) in Python.
struct engine_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// A Python int that is not a bool (bool is an int subclass in Python).
inline bool is_int(py::handle v) { return PyLong_Check(v.ptr()) && !PyBool_Check(v.ptr()); }

/// Raises OSError(errno, "<what>: <message>") from a std::error_code.
[[noreturn]] void throw_os_error(const std::error_code& ec, const std::string& what);

void bind_scenario(py::module_& m);  // Scenario, StreamConfig, DiskConfig, validation
void bind_results(py::module_& m);   // Result (summary, numpy time series, export), load_results
void bind_run(py::module_& m);       // run(), run_stream(), run_disk(), Run (background run, samples iterator)
void bind_control(py::module_& m);   // Controls, Fault, Timeline: shaping a running swarm
void bind_port(py::module_& m);      // submodule `port`: the completion port (low level)
void bind_torrent(py::module_& m);   // submodule `bt`: synthetic torrents (info hash, piece hashes, content) for custom peers

}  // namespace swarmbench::python
