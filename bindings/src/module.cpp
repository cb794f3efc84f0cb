// The extension module swarmbench._swarmbench. Only calls bind_<area>(m);
// the package swarmbench (python/swarmbench/__init__.py) re-exports it.
#include <cerrno>

#include "bindings.hpp"
#include "swarmbench/results.hpp"

namespace swarmbench::python {

void throw_os_error(const std::error_code& ec, const std::string& what) {
    const int code = ec.category() == std::generic_category() || ec.category() == std::system_category() ? ec.value()
                                                                                                         : EIO;
    py::object err = py::module_::import("builtins").attr("OSError")(code, what + ": " + ec.message());
    // OSError(ENOENT, ...) is a FileNotFoundError: raise it as its own type.
    PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(err.ptr())), err.ptr());
    throw py::error_already_set();
}

}  // namespace swarmbench::python

PYBIND11_MODULE(_swarmbench, m) {
    namespace sp = swarmbench::python;
    m.doc() = "swarmbench's engine: torrent-style I/O load on io_uring, epoll or IOCP (private; import swarmbench).";
    m.attr("__version__") = swarmbench::version();
    // register_exception also installs the translator (throw engine_error -> swarmbench.Error).
    auto& error = pybind11::register_exception<sp::engine_error>(m, "Error", PyExc_RuntimeError);
    error.doc() = "An engine failure; the message is the engine's own.";
    sp::bind_scenario(m);
    sp::bind_results(m);
    sp::bind_run(m);
    sp::bind_control(m);
    sp::bind_port(m);
    sp::bind_torrent(m);
}
