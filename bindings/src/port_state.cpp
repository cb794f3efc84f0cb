// port_state: swarmbench.port's Port, its handles and operations (see
// port_state.hpp for ownership and thread rules; bind_port.cpp binds them).
//
// Index:
//  [SECTION] Callbacks
//  [SECTION] Buffers, addresses and errors
//  [SECTION] Port: life cycle
//  [SECTION] Port: handles
//  [SECTION] Port: submissions
//  [SECTION] Port: wait and completions
#include "port_state.hpp"

#include <structseq.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <limits>
#include <utility>

#include "swarmbench/backend.hpp"
#include "swarmbench/error.hpp"

namespace swarmbench::python {

PyTypeObject* completion_type = nullptr;

namespace {

using clock = std::chrono::steady_clock;

void on_close_complete(operation& o) { delete static_cast<close_op*>(o.user); }

}  // namespace

//-----------------------------------------------------------------------------
// [SECTION] Callbacks
//-----------------------------------------------------------------------------

port_handle::~port_handle() {
    if (port != nullptr) port->forget_handle(*this);
}

void on_op_complete(operation& o) {
    // Runs inside run_once with the GIL released: record and nothing else.
    auto* p = static_cast<port_op*>(o.user);
    p->port->records_.push_back(
        record{p, o.result, o.error, o.more(), o.code == op_code::accept ? o.peer : endpoint{}});
}

//-----------------------------------------------------------------------------
// [SECTION] Buffers, addresses and errors
//-----------------------------------------------------------------------------

namespace {

std::string type_name(py::handle obj) { return py::str(py::type::handle_of(obj).attr("__name__")); }

/// Exports `p.buffer_obj` into p.view (contiguous; writable if p.writable) and
/// points the operation at it. TypeError for non-buffers and read-only
/// buffers where one is written; ValueError for non-contiguous, empty or
/// over-large ones.
void acquire_buffer(port_op& p, const char* what) {
    PyObject* obj = p.buffer_obj.ptr();
    if (!PyObject_CheckBuffer(obj)) {
        throw py::type_error(std::string(what) + ": expected a buffer (bytes, bytearray, memoryview, "
                             "numpy array, mmap), got " + type_name(obj));
    }
    const int flags = PyBUF_ANY_CONTIGUOUS | (p.writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(obj, &p.view, flags) != 0) {
        // Tell read-only from non-contiguous with a permissive probe.
        py::error_already_set original;
        Py_buffer probe{};
        if (PyObject_GetBuffer(obj, &probe, PyBUF_FULL_RO) != 0) {
            PyErr_Clear();
            throw original;
        }
        const bool readonly = probe.readonly != 0;
        PyBuffer_Release(&probe);
        if (p.writable && readonly) {
            throw py::type_error(std::string(what) + ": needs a writable buffer (bytearray, memoryview of "
                                 "one, numpy array), got a read-only " + type_name(obj));
        }
        throw py::value_error(std::string(what) + ": the buffer must be contiguous (" + type_name(obj) +
                              " is not; pass a contiguous copy or slice)");
    }
    if (p.view.len <= 0) {
        p.release_view();
        throw py::value_error(std::string(what) + ": the buffer is empty");
    }
    if (static_cast<unsigned long long>(p.view.len) > std::numeric_limits<std::uint32_t>::max()) {
        const auto len = p.view.len;
        p.release_view();
        throw py::value_error(std::string(what) + ": a buffer of " + std::to_string(len) +
                              " bytes exceeds the 4 GiB - 1 limit of one operation; split it");
    }
    p.op.data = static_cast<std::byte*>(p.view.buf);
    p.op.size = static_cast<std::uint32_t>(p.view.len);
}

/// (host, port) or "host:port" -> endpoint; TypeError / ValueError otherwise.
endpoint parse_address(py::handle address, const char* what) {
    std::string text;
    if (py::isinstance<py::str>(address)) {
        text = address.cast<std::string>();
    } else if (py::isinstance<py::tuple>(address) && py::len(address) == 2 &&
               py::isinstance<py::str>(address[py::int_(0)]) && py::isinstance<py::int_>(address[py::int_(1)])) {
        const auto host = address[py::int_(0)].cast<std::string>();
        const auto port = address[py::int_(1)].cast<long long>();
        if (port < 0 || port > 65535) {
            throw py::value_error(std::string(what) + ": port must be 0..65535, got " + std::to_string(port));
        }
        const bool v6 = host.find(':') != std::string::npos && host.front() != '[';
        text = (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
    } else {
        throw py::type_error(std::string(what) + ": address must be a (host, port) tuple or \"host:port\", got " +
                             std::string(py::repr(address)));
    }
    std::error_code ec;
    endpoint ep = endpoint::parse(text, ec);
    if (ec || !ep.valid()) {
        throw py::value_error(std::string(what) + ": cannot parse address \"" + text +
                              "\" (use an IPv4 or IPv6 literal, or localhost)");
    }
    return ep;
}

/// IPv6 text as RFC 5952 writes it (what Python's socket module shows):
/// lower-case hex, the longest run of two or more zero groups as "::".
std::string ipv6_text(const std::array<std::uint8_t, 16>& a) {
    std::array<unsigned, 8> g{};
    for (std::size_t i = 0; i < 8; ++i) g[i] = (unsigned{a[2 * i]} << 8) | a[2 * i + 1];
    std::size_t best = 8, best_len = 0;
    for (std::size_t i = 0; i < 8;) {
        std::size_t j = i;
        while (j < 8 && g[j] == 0) ++j;
        if (j - i > best_len && j - i >= 2) best = i, best_len = j - i;
        i = j == i ? i + 1 : j;
    }
    std::string out;
    char part[8];
    for (std::size_t i = 0; i < 8; ++i) {
        if (i == best) {
            out += "::";
            i += best_len - 1;
            continue;
        }
        if (!out.empty() && out.back() != ':') out += ':';
        std::snprintf(part, sizeof part, "%x", g[i]);
        out += part;
    }
    return out;
}

}  // namespace

/// endpoint -> (host, port).
py::tuple address_tuple(const endpoint& ep) {
    if (ep.family == endpoint::family_t::v6) return py::make_tuple(ipv6_text(ep.addr), ep.port);
    std::string text = ep.to_string();
    return py::make_tuple(text.substr(0, text.rfind(':')), ep.port);
}

namespace {

/// An errno for Python: system and generic codes as they are, engine codes
/// mapped to the nearest errno.
int errno_of(const std::error_code& ec) {
    if (ec.category() == std::generic_category() || ec.category() == std::system_category()) return ec.value();
    if (ec.category() == engine_category()) {
        switch (static_cast<engine_errc>(ec.value())) {
            case engine_errc::backend_unavailable: return ENOSYS;
            case engine_errc::unsupported_operation: return EOPNOTSUPP;
            case engine_errc::invalid_operation: return EINVAL;
            case engine_errc::context_stopped: return ECANCELED;
        }
    }
    return EIO;
}

/// "connect to 127.0.0.1:9", "write_at offset 4294967296", "recv": what failed.
std::string describe_op(const operation& op) {
    std::string what = to_string(op.code);
    if (op.code == op_code::connect) what += " to " + op.peer.to_string();
    if (op.code == op_code::read_at || op.code == op_code::write_at) what += " offset " + std::to_string(op.offset);
    return what;
}

[[noreturn]] void throw_busy() {
    throw std::runtime_error("Port.wait() is running (in another thread or under a signal handler): "
                             "a Port is used by one thread at a time");
}


}  // namespace

//-----------------------------------------------------------------------------
// [SECTION] Port: life cycle
//-----------------------------------------------------------------------------

port_state::port_state(const std::string& backend, unsigned queue_entries, unsigned batch_size,
                       unsigned file_threads) {
    const auto kind = parse_backend(backend);
    if (!kind) throw py::value_error("backend: must be auto, io_uring, epoll or iocp, got \"" + backend + "\"");
    if (queue_entries < 1 || queue_entries > 32768)
        throw py::value_error("queue_entries: must be 1..32768, got " + std::to_string(queue_entries));
    if (batch_size < 1 || batch_size > 65536)
        throw py::value_error("batch_size: must be 1..65536, got " + std::to_string(batch_size));
    if (file_threads < 1 || file_threads > 256)
        throw py::value_error("file_threads: must be 1..256, got " + std::to_string(file_threads));
    const backend_choice choice = choose_backend(*kind);
    if (choice.active == backend_kind::automatic) throw engine_error(choice.reason);
    context_options options;
    options.queue_entries = queue_entries;
    options.batch_size = batch_size;
    options.file_threads = file_threads;
    std::error_code ec;
    ctx_ = make_io_context(*kind, options, ec);
    if (!ctx_) {
        throw engine_error(describe_error(std::string("starting the ") + to_string(choice.active) + " context", ec));
    }
    backend_ = to_string(ctx_->kind());
    reason_ = ctx_->kind() == choice.active
                  ? choice.reason
                  : choice.reason + "; its context failed to start, so " + backend_ + " runs (see the log)";
    batch_size_ = batch_size;
    records_.reserve(batch_size_ * 2);
}

void port_state::check_usable(const char* what) const {
    if (busy_) throw_busy();
    if (closing_) throw py::value_error(std::string(what) + ": the Port is closed");
}

void port_state::close() {
    if (closing_) return;
    if (busy_) throw_busy();
    closing_ = true;  // from here on every call says "closed", also from __del__ of what we drop
    flush_deferred_closes();
    for (port_op* p : pending_) ctx_->cancel(p->op);
    // Every cancelled operation completes; file operations already running
    // finish by themselves. Bounded: the context's destructor gives up too.
    const auto deadline = clock::now() + std::chrono::seconds(10);
    while (ctx_->pending() > 0 && clock::now() < deadline) ctx_->run_once(std::chrono::milliseconds(20));
    discard_records();
    for (port_handle* h : handles_) {
        ctx_->close_now(h->fd);
        h->fd = invalid_handle;
        h->port = nullptr;
    }
    handles_.clear();
    flush_deferred_closes();
    ctx_.reset();  // completes anything still stuck with operation_canceled
    discard_records();
    // An op still pending now is one the kernel never gave back (the context
    // logged it): its buffer stays exported and the op alive, on purpose,
    // since the kernel might still write into that memory.
}

void port_state::discard_records() noexcept {
    // Take them out first: dropping references may run arbitrary __del__ code.
    std::vector<record> rs(records_.begin() + static_cast<std::ptrdiff_t>(head_), records_.end());
    records_.clear();
    head_ = 0;
    for (const record& r : rs) {
        // An accepted connection nobody will see: close it.
        if (r.op->op.code == op_code::accept && !r.error && ctx_) ctx_->close_now(static_cast<native_handle>(r.result));
        if (!r.more) finish(*r.op);
    }
}

py::dict port_state::counters() const {
    if (busy_) throw_busy();  // the waiting thread is updating them
    py::dict d;
    if (!ctx_) return d;
    const context_counters& c = ctx_->counters();
    d["submitted"] = c.submitted;
    d["completed"] = c.completed;
    d["requeued"] = c.requeued;
    d["queue_full"] = c.queue_full;
    d["wakeups"] = c.wakeups;
    d["batches"] = c.batches;
    return d;
}

std::string port_state::repr() const {
    if (closing_) return "<swarmbench.port.Port backend=" + backend_ + " closed>";
    return "<swarmbench.port.Port backend=" + backend_ + " pending=" + std::to_string(pending_.size()) + ">";
}

void port_state::flush_deferred_closes() noexcept {
    if (busy_ || !ctx_) return;
    for (native_handle fd : deferred_close_) ctx_->close_now(fd);
    deferred_close_.clear();
}

//-----------------------------------------------------------------------------
// [SECTION] Port: handles
//-----------------------------------------------------------------------------

py::object port_state::new_handle(handle_kind kind, native_handle fd) {
    std::unique_ptr<port_handle> h;
    switch (kind) {
        case handle_kind::listener: h = std::make_unique<port_listener>(); break;
        case handle_kind::socket: h = std::make_unique<port_socket>(); break;
        case handle_kind::file: h = std::make_unique<port_file>(); break;
    }
    h->kind = kind;
    h->fd = fd;
    h->port = this;
    handles_.insert(h.get());
    port_handle* raw = h.release();
    // Cast as the most derived type so Python sees Listener / Socket / File.
    switch (kind) {
        case handle_kind::listener:
            return py::cast(std::unique_ptr<port_listener>(static_cast<port_listener*>(raw)));
        case handle_kind::socket:
            return py::cast(std::unique_ptr<port_socket>(static_cast<port_socket*>(raw)));
        case handle_kind::file: break;
    }
    return py::cast(std::unique_ptr<port_file>(static_cast<port_file*>(raw)));
}

py::object port_state::listen(py::handle address, int backlog, bool reuse_port) {
    check_usable("listen");
    flush_deferred_closes();
    if (backlog < 1) throw py::value_error("listen: backlog must be >= 1, got " + std::to_string(backlog));
    const endpoint where = parse_address(address, "listen");
    std::error_code ec;
    const native_handle fd = ctx_->open_listener(where, backlog, reuse_port, ec);
    if (ec) throw_os_error(ec, "listen on " + where.to_string());
    return new_handle(handle_kind::listener, fd);
}

py::object port_state::tcp_socket(py::handle source) {
    check_usable("tcp_socket");
    flush_deferred_closes();
    std::optional<endpoint> from;
    if (!source.is_none()) from = parse_address(source, "tcp_socket");
    std::error_code ec;
    const native_handle fd = ctx_->open_tcp_socket(from ? from->family : endpoint::family_t::v4,
                                                   from ? &*from : nullptr, ec);
    if (ec) throw_os_error(ec, from ? "socket bound to " + from->to_string() : std::string("socket"));
    return new_handle(handle_kind::socket, fd);
}

py::object port_state::open_file(const std::filesystem::path& path, bool create, bool truncate, bool read_only,
                                 bool direct, std::uint64_t preallocate) {
    check_usable("open_file");
    flush_deferred_closes();
    file_options o;
    o.create = create;
    o.truncate = truncate;
    o.read_only = read_only;
    o.direct = direct;
    o.preallocate = preallocate;
    std::error_code ec;
    const native_handle fd = ctx_->open_file(path.string(), o, ec);
    if (ec) throw_os_error(ec, "open " + path.string());
    py::object obj = new_handle(handle_kind::file, fd);
    obj.cast<port_handle&>().path = path.string();
    return obj;
}

void port_state::close_handle(port_handle& h) {
    if (busy_) throw_busy();
    if (h.ops > 0) {
        // Operations are pending: the engine's close cancels them (each
        // completes with ECANCELED through wait()) and then closes.
        auto* c = new close_op;
        c->op.code = op_code::close;
        c->op.handle = h.fd;
        c->op.user = c;
        c->op.on_complete = on_close_complete;
        ctx_->submit(c->op);
    } else {
        ctx_->close_now(h.fd);
    }
    handles_.erase(&h);
    h.fd = invalid_handle;
    h.port = nullptr;
}

void port_state::forget_handle(port_handle& h) noexcept {
    // The handle object is being destroyed: nothing can be pending on it.
    handles_.erase(&h);
    if (h.fd != invalid_handle) {
        if (busy_ || !ctx_)
            deferred_close_.push_back(h.fd);
        else
            ctx_->close_now(h.fd);
    }
    h.fd = invalid_handle;
    h.port = nullptr;
}

py::object port_state::local_address(const port_handle& h) const {
    if (busy_) throw_busy();
    if (h.port == nullptr) throw py::value_error("local_address: the handle is closed");
    std::error_code ec;
    const endpoint ep = ctx_->local_endpoint(h.fd, ec);
    if (ec) throw_os_error(ec, "getsockname");
    return address_tuple(ep);
}

void port_state::check_handle(const port_handle& h, const char* what) const {
    if (h.port == this) return;
    const char* noun = h.kind == handle_kind::file ? "file" : h.kind == handle_kind::listener ? "listener" : "socket";
    if (h.port == nullptr) throw py::value_error(std::string(what) + ": the " + noun + " is closed");
    throw py::value_error(std::string(what) + ": the " + noun + " belongs to another Port");
}

//-----------------------------------------------------------------------------
// [SECTION] Port: submissions
//-----------------------------------------------------------------------------

py::object port_state::make_op(op_code code, port_handle* h, py::object tag) {
    auto owned = std::make_unique<port_op>();
    port_op& p = *owned;
    p.op.code = code;
    p.op.user = &p;
    p.op.on_complete = on_op_complete;
    p.tag = std::move(tag);
    if (h != nullptr) {
        p.handle = h;
        p.handle_obj = py::cast(h, py::return_value_policy::reference);  // the existing Python object
        p.op.handle = h->fd;
    }
    return py::cast(std::move(owned));
}

void port_state::start(port_op& p, py::object self_obj) {
    p.port = this;
    p.pending = true;
    p.self = std::move(self_obj);
    p.index = pending_.size();
    pending_.push_back(&p);
    if (p.handle != nullptr) {
        ++p.handle->ops;
        p.op.handle = p.handle->fd;
    }
    ctx_->submit(p.op);
}

void port_state::finish(port_op& p) noexcept {
    // The final completion: bookkeeping first, then the references go (which
    // may free the Op, its handle and its buffer).
    if (!p.pending) return;
    port_op* last = pending_.back();
    pending_[p.index] = last;
    last->index = p.index;
    pending_.pop_back();
    p.pending = false;
    p.port = nullptr;
    if (p.handle != nullptr && p.handle->ops > 0) --p.handle->ops;
    p.release_view();
    py::object self = std::move(p.self);  // may be the last reference: dropped on return
}

py::object port_state::accept(port_listener& l, bool multishot, py::object tag) {
    check_usable("accept");
    check_handle(l, "accept");
    py::object obj = make_op(op_code::accept, &l, std::move(tag));
    port_op& p = obj.cast<port_op&>();
    p.op.flags = multishot ? op_flag_multishot : op_flag_none;
    start(p, obj);
    return obj;
}

py::object port_state::connect(port_socket& s, py::handle address, std::optional<double> timeout, py::object tag) {
    check_usable("connect");
    check_handle(s, "connect");
    const endpoint to = parse_address(address, "connect");
    if (timeout && !(*timeout > 0 && *timeout < 1e9))
        throw py::value_error("connect: timeout must be a positive number of seconds or None");
    py::object obj = make_op(op_code::connect, &s, std::move(tag));
    port_op& p = obj.cast<port_op&>();
    p.op.peer = to;
    if (timeout) p.op.timeout = std::chrono::nanoseconds(static_cast<std::int64_t>(*timeout * 1e9));
    start(p, obj);
    return obj;
}

py::object port_state::send(port_socket& s, py::object data, py::object tag) {
    check_usable("send");
    check_handle(s, "send");
    py::object obj = make_op(op_code::send, &s, std::move(tag));
    port_op& p = obj.cast<port_op&>();
    p.buffer_obj = std::move(data);
    acquire_buffer(p, "send");
    start(p, obj);
    return obj;
}

py::object port_state::recv(port_socket& s, py::object buffer, bool all, py::object tag) {
    check_usable("recv");
    check_handle(s, "recv");
    py::object obj = make_op(op_code::recv, &s, std::move(tag));
    port_op& p = obj.cast<port_op&>();
    p.op.flags = all ? op_flag_recv_all : op_flag_none;
    p.buffer_obj = std::move(buffer);
    p.writable = true;
    acquire_buffer(p, "recv");
    start(p, obj);
    return obj;
}

py::object port_state::shutdown(port_socket& s, py::object tag) {
    check_usable("shutdown");
    check_handle(s, "shutdown");
    py::object obj = make_op(op_code::shutdown, &s, std::move(tag));
    start(obj.cast<port_op&>(), obj);
    return obj;
}

py::object port_state::read_at(port_file& f, py::object buffer, std::uint64_t offset, py::object tag) {
    check_usable("read_at");
    check_handle(f, "read_at");
    if (offset > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        throw py::value_error("read_at: offset must be 0..2**63-1");
    py::object obj = make_op(op_code::read_at, &f, std::move(tag));
    port_op& p = obj.cast<port_op&>();
    p.op.offset = offset;
    p.buffer_obj = std::move(buffer);
    p.writable = true;
    acquire_buffer(p, "read_at");
    start(p, obj);
    return obj;
}

py::object port_state::write_at(port_file& f, py::object data, std::uint64_t offset, py::object tag) {
    check_usable("write_at");
    check_handle(f, "write_at");
    if (offset > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        throw py::value_error("write_at: offset must be 0..2**63-1");
    py::object obj = make_op(op_code::write_at, &f, std::move(tag));
    port_op& p = obj.cast<port_op&>();
    p.op.offset = offset;
    p.buffer_obj = std::move(data);
    acquire_buffer(p, "write_at");
    start(p, obj);
    return obj;
}

py::object port_state::fsync(port_file& f, bool data_only, py::object tag) {
    check_usable("fsync");
    check_handle(f, "fsync");
    py::object obj = make_op(data_only ? op_code::fdatasync : op_code::fsync, &f, std::move(tag));
    start(obj.cast<port_op&>(), obj);
    return obj;
}

py::object port_state::timer(double seconds, py::object tag) {
    check_usable("timer");
    if (!(seconds >= 0 && seconds < 1e9)) throw py::value_error("timer: seconds must be 0..1e9");
    py::object obj = make_op(op_code::timer, nullptr, std::move(tag));
    port_op& p = obj.cast<port_op&>();
    p.op.timeout = std::chrono::nanoseconds(static_cast<std::int64_t>(seconds * 1e9));
    start(p, obj);
    return obj;
}

py::object port_state::nop(py::object tag) {
    check_usable("nop");
    py::object obj = make_op(op_code::nop, nullptr, std::move(tag));
    start(obj.cast<port_op&>(), obj);
    return obj;
}

void port_state::resubmit(py::object op_obj) {
    port_op& p = op_obj.cast<port_op&>();
    check_usable("resubmit");
    if (p.pending) throw py::value_error("resubmit: the operation is still pending (wait for its final completion)");
    if (p.handle != nullptr) check_handle(*p.handle, "resubmit");
    if (p.buffer_obj) acquire_buffer(p, "resubmit");
    start(p, std::move(op_obj));
}

void port_state::cancel(port_op& p) {
    if (busy_) throw_busy();
    // Not pending here (done, never submitted, or another Port's): a no-op,
    // like the engine's cancel.
    if (closing_ || !p.pending || p.port != this) return;
    ctx_->cancel(p.op);
}

//-----------------------------------------------------------------------------
// [SECTION] Port: wait and completions
//-----------------------------------------------------------------------------

py::object port_state::make_completion(const record& r) {
    port_op& p = *r.op;
    py::object socket = py::none();
    py::object peer = py::none();
    if (p.op.code == op_code::accept && !r.error) {
        socket = new_handle(handle_kind::socket, static_cast<native_handle>(r.result));
        socket.cast<port_handle&>().peer = r.peer;
        peer = address_tuple(r.peer);
    }
    if (p.op.code == op_code::connect && !r.error && p.handle != nullptr) p.handle->peer = p.op.peer;
    py::object error = py::none();
    py::object message = py::none();
    if (r.error) {
        error = py::int_(errno_of(r.error));
        message = py::str(describe_error(describe_op(p.op), r.error));
    }
    py::object op_obj = p.self;  // our own reference: finish() drops the Port's
    if (!r.more) finish(p);
    PyObject* t = PyStructSequence_New(completion_type);
    if (t == nullptr) throw py::error_already_set();
    PyStructSequence_SET_ITEM(t, 0, op_obj.release().ptr());
    PyStructSequence_SET_ITEM(t, 1, p.tag ? p.tag.inc_ref().ptr() : py::none().release().ptr());
    PyStructSequence_SET_ITEM(t, 2, PyLong_FromLongLong(r.result));
    PyStructSequence_SET_ITEM(t, 3, error.release().ptr());
    PyStructSequence_SET_ITEM(t, 4, message.release().ptr());
    PyStructSequence_SET_ITEM(t, 5, py::bool_(r.more).release().ptr());
    PyStructSequence_SET_ITEM(t, 6, socket.release().ptr());
    PyStructSequence_SET_ITEM(t, 7, peer.release().ptr());
    return py::reinterpret_steal<py::object>(t);
}

py::list port_state::wait(std::size_t min_complete, std::optional<double> timeout,
                          std::optional<std::size_t> max_results) {
    check_usable("wait");
    flush_deferred_closes();
    const std::size_t limit = max_results.value_or(std::numeric_limits<std::size_t>::max());
    if (limit == 0) throw py::value_error("wait: max_results must be >= 1");
    if (min_complete > limit) throw py::value_error("wait: min_complete exceeds max_results");
    if (timeout && !(*timeout >= 0)) throw py::value_error("wait: timeout must be >= 0 or None");
    auto ready = [this] { return records_.size() - head_; };

    if (ready() < std::max<std::size_t>(min_complete, 1) && ctx_->pending() > 0) {
        // Run the context without the GIL until enough completions arrived,
        // the deadline passed, or nothing is left that could complete. Slices
        // of at most 50 ms let Ctrl-C (PyErr_CheckSignals) through.
        constexpr auto slice = std::chrono::milliseconds(50);
        const bool poll_only = min_complete == 0 || (timeout && *timeout == 0);
        const bool forever = (!timeout || *timeout > 1e9) && !poll_only;  // also inf: no deadline arithmetic
        const auto deadline =
            clock::now() + std::chrono::duration_cast<clock::duration>(
                               std::chrono::duration<double>(forever ? 0.0 : timeout.value_or(0)));
        busy_ = true;
        PyThreadState* ts = PyEval_SaveThread();
        bool interrupted = false;
        try {
            for (bool first = true;; first = false) {
                std::chrono::nanoseconds wait_for{0};
                if (!poll_only) {
                    const auto left = forever ? clock::duration(slice) : deadline - clock::now();
                    if (!first && left <= clock::duration::zero()) break;
                    wait_for = std::clamp<std::chrono::nanoseconds>(left, std::chrono::nanoseconds(0), slice);
                }
                std::size_t ran = ctx_->run_once(wait_for);
                // A full batch means more may be waiting: take it without blocking.
                while (ran >= batch_size_ && ready() < limit) ran = ctx_->run_once(std::chrono::nanoseconds(0));
                if (poll_only || ready() >= min_complete || ctx_->pending() == 0) break;
                if (!forever && clock::now() >= deadline) break;
                if (ran == 0) {
                    PyEval_RestoreThread(ts);
                    const int rc = PyErr_CheckSignals();
                    ts = PyEval_SaveThread();
                    if (rc != 0) {
                        interrupted = true;
                        break;
                    }
                }
            }
        } catch (const std::exception&) {
            // Only std exceptions: a thread ended by interpreter shutdown
            // (forced unwinding out of PyEval_RestoreThread) must pass through.
            PyEval_RestoreThread(ts);
            busy_ = false;
            throw;
        }
        PyEval_RestoreThread(ts);
        busy_ = false;
        if (interrupted) throw py::error_already_set();  // the records stay for the next wait()
        flush_deferred_closes();
    }

    // Take the records out before converting: converting drops references,
    // and __del__ code may call back into this Port.
    const std::size_t n = std::min(ready(), limit);
    std::vector<record> batch(records_.begin() + static_cast<std::ptrdiff_t>(head_),
                              records_.begin() + static_cast<std::ptrdiff_t>(head_ + n));
    head_ += n;
    if (head_ == records_.size()) {
        records_.clear();
        head_ = 0;
    }
    py::list out(n);
    for (std::size_t i = 0; i < n; ++i) {
        try {
            out[i] = make_completion(batch[i]);
        } catch (...) {
            // (MemoryError) The rest go back, so that no operation is lost.
            records_.insert(records_.begin() + static_cast<std::ptrdiff_t>(head_),
                            batch.begin() + static_cast<std::ptrdiff_t>(i) + 1, batch.end());
            throw;
        }
    }
    return out;
}

}  // namespace swarmbench::python
