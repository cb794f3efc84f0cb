// port_state: the C++ half of swarmbench.port (bind_port.cpp binds it to
// Python; port_state.cpp implements it). A port_state owns one io_context;
// Python opens handles (listeners, sockets, files), submits operations over
// buffer-protocol objects and collects completions in batches with wait(),
// which runs the context with the GIL released.
//
// Zero copy: a buffer is exported with PyObject_GetBuffer when its operation
// is submitted and released when wait() returns the final completion (or the
// Port closes), so the engine reads and writes the caller's memory directly,
// and a bytearray cannot be resized under a pending recv.
//
// Ownership (no reference cycles, so nothing waits for the garbage collector):
//   Port   --strong ref while pending--> Op   (port_op::self)
//   Op     --strong refs--> its handle, its buffer object and its tag
//   handle --raw pointer, cleared when the handle or the Port closes--> Port
// A handle cannot die with operations pending on it (they hold it), so its
// destructor closes it at once. Port.close(), also run when the Port is
// dropped and at interpreter exit, cancels every pending operation, runs the
// context until all have completed, releases their buffers, closes every
// handle still open and destroys the context.
//
// Threads: a Port is used by one thread at a time. wait() marks it busy and
// releases the GIL; while busy, the waiting thread touches only the engine and
// records_ (the completion callback appends one record and does nothing
// else). Every other state change happens with the GIL held, which also
// orders hand-overs between threads. Any call into a busy Port raises
// RuntimeError; a handle dropped by another thread meanwhile is closed when
// the wait returns (deferred_close_).
#pragma once

#include <Python.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <unordered_set>
#include <vector>

#include "bindings.hpp"
#include "swarmbench/endpoint.hpp"
#include "swarmbench/io_context.hpp"
#include "swarmbench/operation.hpp"

namespace swarmbench::python {

class port_state;

enum class handle_kind : std::uint8_t { listener, socket, file };

/// A descriptor opened through a Port. Bound as Handle, with the subclasses
/// Listener, Socket and File (so a wrong kind is a TypeError at the call).
struct port_handle {
    port_state* port = nullptr;         // the Port while open; nullptr once closed (or the Port is gone)
    native_handle fd = invalid_handle;  // the descriptor; invalid once closed
    handle_kind kind = handle_kind::socket;  // which subclass this is
    std::uint32_t ops = 0;              // Python operations on it whose final completion is not delivered
    endpoint peer;                      // socket: the peer it connected to or was accepted from
    std::string path;                   // file: the path it was opened with

    port_handle() = default;
    port_handle(const port_handle&) = delete;
    port_handle& operator=(const port_handle&) = delete;
    virtual ~port_handle();
};
struct port_listener final : port_handle {};
struct port_socket final : port_handle {};
struct port_file final : port_handle {};

/// One operation submitted from Python (bound as Op). Its address never
/// changes (pybind11 owns it through a unique_ptr), as the engine requires.
struct port_op {
    operation op;                    // the engine's operation; op.user points back here
    port_state* port = nullptr;      // the Port while pending
    py::object self;                 // this Op's Python object while pending: the Port's reference
    py::object tag;                  // the caller's tag, returned with every completion
    py::object handle_obj;           // the handle acted on (empty for timer and nop)
    port_handle* handle = nullptr;   // the same, as C++
    py::object buffer_obj;           // the buffer's owner (empty when the op has none)
    Py_buffer view{};                // the export, held while pending (view.obj != nullptr)
    bool writable = false;           // recv and read_at need a writable buffer
    bool pending = false;            // submitted; wait() has not returned its final completion
    std::size_t index = 0;           // position in port_state::pending_ (swap-remove)

    port_op() = default;
    port_op(const port_op&) = delete;
    port_op& operator=(const port_op&) = delete;
    ~port_op() { release_view(); }

    void release_view() noexcept {
        if (view.obj != nullptr) PyBuffer_Release(&view);  // also clears view.obj
    }
};

/// A close issued by Handle.close() while operations were pending: not
/// reported to Python; deletes itself when it completes.
struct close_op {
    operation op;  // op_code::close on the handle's descriptor
};

/// One completion, copied out of the operation by the callback (a multishot
/// accept completes several times before wait() converts anything).
struct record {
    port_op* op;           // whose completion this is
    std::int64_t result;   // operation::result
    std::error_code error; // operation::error
    bool more;             // operation::more()
    endpoint peer;         // accept: the new connection's peer
};

/// swarmbench.port.Completion (a structseq type), made by bind_port() at import.
extern PyTypeObject* completion_type;

/// endpoint -> (host, port).
py::tuple address_tuple(const endpoint& ep);

/// The completion callback of every Python operation (see the thread rules above).
void on_op_complete(operation& o);

class port_state {
public:
    port_state(const std::string& backend, unsigned queue_entries, unsigned batch_size, unsigned file_threads);
    ~port_state() {
        try {
            close();
        } catch (const std::exception&) {
            // Unreachable: a busy Port is referenced by its waiting thread.
        }
    }
    port_state(const port_state&) = delete;
    port_state& operator=(const port_state&) = delete;

    // life cycle
    void close();
    bool closed() const noexcept { return closing_; }
    std::string backend() const { return ctx_ ? to_string(ctx_->kind()) : backend_; }
    const std::string& backend_reason() const noexcept { return reason_; }
    std::size_t pending() const noexcept { return pending_.size(); }
    py::dict counters() const;
    std::string repr() const;

    // handles
    py::object listen(py::handle address, int backlog, bool reuse_port);
    py::object tcp_socket(py::handle source);
    py::object open_file(const std::filesystem::path& path, bool create, bool truncate, bool read_only,
                         bool direct, std::uint64_t preallocate);
    void close_handle(port_handle& h);
    void forget_handle(port_handle& h) noexcept;
    py::object local_address(const port_handle& h) const;

    // submissions
    py::object accept(port_listener& l, bool multishot, py::object tag);
    py::object connect(port_socket& s, py::handle address, std::optional<double> timeout, py::object tag);
    py::object send(port_socket& s, py::object data, py::object tag);
    py::object recv(port_socket& s, py::object buffer, bool all, py::object tag);
    py::object shutdown(port_socket& s, py::object tag);
    py::object read_at(port_file& f, py::object buffer, std::uint64_t offset, py::object tag);
    py::object write_at(port_file& f, py::object data, std::uint64_t offset, py::object tag);
    py::object fsync(port_file& f, bool data_only, py::object tag);
    py::object timer(double seconds, py::object tag);
    py::object nop(py::object tag);
    void resubmit(py::object op_obj);
    void cancel(port_op& p);

    // completions
    py::list wait(std::size_t min_complete, std::optional<double> timeout, std::optional<std::size_t> max_results);

    std::vector<record> records_;  // harvested completions; [head_, size) not yet returned

private:
    friend void on_op_complete(operation& o);

    void check_usable(const char* what) const;
    void check_handle(const port_handle& h, const char* what) const;
    void flush_deferred_closes() noexcept;
    py::object make_op(op_code code, port_handle* h, py::object tag);
    void start(port_op& p, py::object self_obj);
    void finish(port_op& p) noexcept;
    py::object make_completion(const record& r);
    void discard_records() noexcept;
    py::object new_handle(handle_kind kind, native_handle fd);

    std::unique_ptr<io_context> ctx_;          // the engine context; null once closed
    std::string backend_;                       // backend name (kept after close)
    std::string reason_;                        // why this backend
    unsigned batch_size_ = 128;                 // completions per run_once
    bool busy_ = false;                         // wait() runs with the GIL released
    bool closing_ = false;                      // close() started: nothing new is accepted
    std::size_t head_ = 0;                      // first record not yet returned by wait()
    std::vector<port_op*> pending_;             // ops submitted and not finally delivered
    std::unordered_set<port_handle*> handles_;  // open handles, closed with the Port
    std::vector<native_handle> deferred_close_; // handles dropped while busy
};

}  // namespace swarmbench::python
