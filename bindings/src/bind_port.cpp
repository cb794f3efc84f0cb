// bind_port: the submodule swarmbench._swarmbench.port, re-exported as
// swarmbench.port (the low level of issue 5): Port, Op, Completion, Handle,
// Listener, Socket, File and the backend queries. The behaviour lives in
// port_state.hpp / port_state.cpp; this file only binds it, with the
// docstrings.
#include <Python.h>
#include <structseq.h>

#include <string>
#include <vector>

#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "bindings.hpp"
#include "port_state.hpp"
#include "swarmbench/backend.hpp"

namespace swarmbench::python {

namespace {

PyStructSequence_Field completion_fields[] = {
    {"op", "The Op that completed."},
    {"tag", "The Op's tag (the object given at submit)."},
    {"result", "Bytes transferred (send, recv: 0 means the peer closed; read_at: fewer than asked only at "
               "end of file); for accept the new descriptor; otherwise 0."},
    {"error", "None on success, else an errno value (errno.ECANCELED when cancelled, errno.ECONNREFUSED, ...)."},
    {"message", "None on success, else the engine's description, e.g. \"connect to 127.0.0.1:9: Connection "
                "refused (is anything listening at that address?)\"."},
    {"more", "True when a multishot accept stays armed (more completions follow)."},
    {"socket", "accept: the new connection as a Socket owned by this Port; otherwise None."},
    {"peer", "accept: the new connection's (host, port); otherwise None."},
    {nullptr, nullptr},
};

PyStructSequence_Desc completion_desc = {
    "swarmbench.port.Completion",
    "One completion returned by Port.wait(): a named tuple (op, tag, result, error, message, more, socket, peer).",
    completion_fields,
    8,
};

py::list backend_names(const std::vector<backend_kind>& kinds) {
    py::list out;
    for (backend_kind k : kinds) out.append(to_string(k));
    return out;
}

void bind_handles(py::module_& pm) {
    py::class_<port_handle>(pm, "Handle",
                            "A descriptor opened by a Port: Listener, Socket or File. Closing cancels the "
                            "operations pending on it; dropping it closes it.")
        .def("fileno", [](const port_handle& h) { return static_cast<long long>(h.fd); },
             "The descriptor number, or -1 once closed.")
        .def_property_readonly("closed", [](const port_handle& h) { return h.port == nullptr; },
                               "True once closed (or once its Port closed).")
        .def(
            "close",
            [](port_handle& h) {
                if (h.port != nullptr) h.port->close_handle(h);
            },
            "Closes the handle. Operations pending on it complete with errno.ECANCELED (collect them "
            "with Port.wait()). Closing twice does nothing.")
        .def("__enter__", [](py::object self) { return self; })
        .def("__exit__", [](port_handle& h, const py::args&) {
            if (h.port != nullptr) h.port->close_handle(h);
        });

    py::class_<port_listener, port_handle>(pm, "Listener", "A listening TCP socket (Port.listen()).")
        .def_property_readonly(
            "local_address", [](const port_listener& h) {
                if (h.port == nullptr) throw py::value_error("local_address: the listener is closed");
                return h.port->local_address(h);
            },
            "The (host, port) it listens on.")
        .def("__repr__", [](const port_listener& h) {
            return "<swarmbench.port.Listener fd=" + std::to_string(h.fd) + (h.port ? ">" : " closed>");
        });

    py::class_<port_socket, port_handle>(pm, "Socket",
                                         "A TCP socket: from Port.tcp_socket() (then connect()) or accepted.")
        .def_property_readonly(
            "local_address", [](const port_socket& h) {
                if (h.port == nullptr) throw py::value_error("local_address: the socket is closed");
                return h.port->local_address(h);
            },
            "The (host, port) it is bound to.")
        .def_property_readonly(
            "peer_address",
            [](const port_socket& h) -> py::object {
                if (!h.peer.valid()) return py::none();
                return address_tuple(h.peer);
            },
            "The peer's (host, port) once connected or accepted, else None.")
        .def("__repr__", [](const port_socket& h) {
            return "<swarmbench.port.Socket fd=" + std::to_string(h.fd) +
                   (h.peer.valid() ? " peer=" + h.peer.to_string() : std::string()) + (h.port ? ">" : " closed>");
        });

    py::class_<port_file, port_handle>(pm, "File", "A regular file for read_at / write_at / fsync (Port.open_file()).")
        .def_property_readonly("path", [](const port_file& h) { return h.path; }, "The path it was opened with.")
        .def("__repr__", [](const port_file& h) {
            return "<swarmbench.port.File " + std::string(py::repr(py::str(h.path))) + (h.port ? ">" : " closed>");
        });
}

void bind_op(py::module_& pm) {
    py::class_<port_op>(pm, "Op",
                        "One submitted operation. Keep it to cancel() or resubmit() it; the Port keeps it "
                        "alive while it is pending, so dropping it is safe.")
        .def_property_readonly("kind", [](const port_op& p) { return to_string(p.op.code); },
                               "\"accept\", \"connect\", \"send\", \"recv\", \"shutdown\", \"read_at\", "
                               "\"write_at\", \"fsync\", \"fdatasync\", \"timer\" or \"nop\".")
        .def_property(
            "tag", [](const port_op& p) -> py::object { return p.tag ? p.tag : py::none(); },
            [](port_op& p, py::object tag) { p.tag = std::move(tag); },
            "The caller's object, returned with each completion (read-write).")
        .def_property_readonly("pending", [](const port_op& p) { return p.pending; },
                               "True from submit until wait() returns its final completion.")
        .def_property_readonly(
            "handle", [](const port_op& p) -> py::object { return p.handle_obj ? p.handle_obj : py::none(); },
            "The Socket, Listener or File acted on, or None.")
        .def_property_readonly(
            "buffer", [](const port_op& p) -> py::object { return p.buffer_obj ? p.buffer_obj : py::none(); },
            "The buffer object given at submit, or None.")
        .def_property_readonly("offset", [](const port_op& p) { return p.op.offset; },
                               "read_at / write_at: the file offset; otherwise 0.")
        .def("__repr__", [](const port_op& p) {
            return std::string("<swarmbench.port.Op ") + to_string(p.op.code) + (p.pending ? " pending>" : ">");
        });
}

void bind_port_class(py::module_& pm) {
    py::class_<port_state>(pm, "Port", R"doc(A completion port: one engine context (io_uring, epoll or IOCP).

Open handles with listen(), tcp_socket() and open_file(); submit operations
(accept, connect, send, recv, shutdown, read_at, write_at, fsync, timer, nop),
each returning an Op; collect Completion tuples with wait(). Buffers are any
contiguous buffer-protocol object (bytes, bytearray, memoryview, numpy array,
mmap): the engine uses that memory directly, held from submit until the
completion is returned by wait(). Used by one thread at a time. close() (also
on leaving a with block, dropping the Port and at interpreter exit) cancels
everything pending, releases the buffers and closes every handle.)doc")
        .def(py::init<const std::string&, unsigned, unsigned, unsigned>(), py::arg("backend") = "auto",
             py::arg("queue_entries") = 4096, py::arg("batch_size") = 128, py::arg("file_threads") = 2,
             "backend: \"auto\" (honours SWARMBENCH_BACKEND), \"io_uring\", \"epoll\" or \"iocp\". "
             "queue_entries: submission queue size; batch_size: completions harvested per turn; "
             "file_threads: epoll's file-operation threads. Raises swarmbench.Error (with the reason) if "
             "the backend cannot run here.")
        .def_property_readonly("backend", &port_state::backend, "The backend running: \"io_uring\", \"epoll\", ...")
        .def_property_readonly("backend_reason", &port_state::backend_reason,
                               "Why this backend, e.g. \"io_uring (default)\".")
        .def_property_readonly("pending", &port_state::pending,
                               "Operations submitted whose final completion wait() has not returned.")
        .def_property_readonly("closed", &port_state::closed, "True once close() ran.")
        .def_property_readonly("counters", &port_state::counters,
                               "The context's counters: submitted, completed, requeued, queue_full, wakeups, batches.")
        .def("close", &port_state::close,
             "Cancels every pending operation, waits (bounded) until all completed, releases their "
             "buffers, closes every handle and the context. Completions not yet returned are dropped. "
             "Idempotent.")
        .def("__enter__", [](py::object self) { return self; })
        .def("__exit__", [](port_state& s, const py::args&) { s.close(); })
        .def("__repr__", &port_state::repr)
        .def("listen", &port_state::listen, py::arg("address") = py::make_tuple("127.0.0.1", 0),
             py::arg("backlog") = 128, py::arg("reuse_port") = false,
             "A listening TCP socket at address, (host, port) or \"host:port\"; port 0 picks a free "
             "one (see Listener.local_address). OSError on failure.")
        .def("tcp_socket", &port_state::tcp_socket, py::arg("source") = py::none(),
             "A TCP socket to connect(), bound to source (host, port) if given (IPv6 when source is).")
        .def("open_file", &port_state::open_file, py::arg("path"), py::kw_only(), py::arg("create") = true,
             py::arg("truncate") = false, py::arg("read_only") = false, py::arg("direct") = false,
             py::arg("preallocate") = 0,
             "Opens a regular file for read_at / write_at / fsync. direct: O_DIRECT (buffers, offsets "
             "and sizes aligned to 4096; mmap.mmap(-1, n) gives aligned memory). preallocate: reserve "
             "this many bytes. OSError on failure.")
        .def("accept", &port_state::accept, py::arg("listener"), py::kw_only(), py::arg("multishot") = false,
             py::arg("tag") = py::none(),
             "Accepts one connection (Completion.socket), or with multishot=True one per connection "
             "(Completion.more is True while it stays armed) until cancelled.")
        .def("connect", &port_state::connect, py::arg("socket"), py::arg("address"), py::kw_only(),
             py::arg("timeout") = py::none(), py::arg("tag") = py::none(),
             "Connects socket to address; timeout in seconds (errno.ETIMEDOUT when it passes).")
        .def("send", &port_state::send, py::arg("socket"), py::arg("data"), py::kw_only(),
             py::arg("tag") = py::none(), "Sends all of data (short sends are continued by the engine).")
        .def("recv", &port_state::recv, py::arg("socket"), py::arg("buffer"), py::kw_only(), py::arg("all") = false,
             py::arg("tag") = py::none(),
             "Receives into buffer (writable): result is the byte count, 0 when the peer closed. "
             "all=True fills the whole buffer unless the peer closes first.")
        .def("shutdown", &port_state::shutdown, py::arg("socket"), py::kw_only(), py::arg("tag") = py::none(),
             "Ends the sending side (FIN) after the sends queued before it; receiving goes on.")
        .def("read_at", &port_state::read_at, py::arg("file"), py::arg("buffer"), py::arg("offset"),
             py::kw_only(), py::arg("tag") = py::none(),
             "Reads len(buffer) bytes at offset (64-bit) into buffer; fewer only at end of file.")
        .def("write_at", &port_state::write_at, py::arg("file"), py::arg("data"), py::arg("offset"),
             py::kw_only(), py::arg("tag") = py::none(), "Writes all of data at offset (64-bit).")
        .def("fsync", &port_state::fsync, py::arg("file"), py::kw_only(), py::arg("data_only") = false,
             py::arg("tag") = py::none(), "Flushes the file to storage (data_only: fdatasync).")
        .def("timer", &port_state::timer, py::arg("seconds"), py::kw_only(), py::arg("tag") = py::none(),
             "Completes after seconds with no error (errno.ECANCELED if cancelled first).")
        .def("nop", &port_state::nop, py::kw_only(), py::arg("tag") = py::none(),
             "Completes on the next turn of the loop with result 0.")
        .def("resubmit", &port_state::resubmit, py::arg("op"),
             "Submits a completed Op again with the same handle, buffer, offset, flags and tag: the "
             "cheap way to keep a recv or send going.")
        .def("cancel", &port_state::cancel, py::arg("op"),
             "Requests cancellation: a pending op completes once, with errno.ECANCELED (or its real "
             "result if that raced ahead). A no-op for an op that is not pending.")
        .def("wait", &port_state::wait, py::arg("min_complete") = 1, py::arg("timeout") = py::none(),
             py::arg("max_results") = py::none(),
             "Runs the port with the GIL released until min_complete completions are ready, timeout "
             "seconds passed (None: no limit) or nothing is pending, then returns up to max_results "
             "Completion tuples in completion order (the rest wait for the next call). min_complete=0 "
             "polls without blocking. Ctrl-C interrupts it (completions already collected are kept).");
}

}  // namespace

void bind_port(py::module_& m) {
    py::module_ pm = m.def_submodule("port", "The completion port: sockets, files, operations, completions.");

    completion_type = PyStructSequence_NewType(&completion_desc);
    if (completion_type == nullptr) throw py::error_already_set();
    // The module holds one reference; the one kept here outlives every Port.
    pm.add_object("Completion", py::reinterpret_borrow<py::object>(reinterpret_cast<PyObject*>(completion_type)));

    bind_handles(pm);
    bind_op(pm);
    bind_port_class(pm);

    pm.def("compiled_backends", [] { return backend_names(compiled_backends()); },
           "Every backend compiled into this build, usable here or not.");
    pm.def("available_backends", [] { return backend_names(available_backends()); },
           "The backends that can run on this machine, best first.");
    pm.def(
        "unavailable_reason",
        [](const std::string& name) -> std::optional<std::string> {
            const auto kind = parse_backend(name);
            if (!kind || *kind == backend_kind::automatic)
                throw py::value_error("unavailable_reason: expected io_uring, epoll or iocp, got \"" + name + "\"");
            std::string why;
            if (backend_available(*kind, &why)) return std::nullopt;
            return why;
        },
        py::arg("backend"), "None if backend can run here, else why not (naming the fix).");
}

}  // namespace swarmbench::python
