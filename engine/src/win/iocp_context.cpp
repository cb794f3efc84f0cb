// iocp_context: the IOCP backend of io_context (Windows I/O completion ports).
//
// Implemented:
//  [X] accept through AcceptEx (one-shot and multishot: re-posted after each
//      connection; the accepted socket gets SO_UPDATE_ACCEPT_CONTEXT,
//      TCP_NODELAY, the port and skip-on-success; peer from GetAcceptExSockaddrs)
//  [X] connect through ConnectEx (SO_UPDATE_CONNECT_CONTEXT), with a timeout
//      from the timer heap that cancels it (timed_out)
//  [X] send / recv through WSASend / WSARecv; short sends, recv_all and short
//      file transfers re-issued; one call in flight per direction and socket
//  [X] shutdown (SD_SEND, after the sends queued before it), nop, timers
//  [X] read_at / write_at: overlapped ReadFile / WriteFile at offsets
//  [X] fsync / fdatasync: FlushFileBuffers on iocp_flush_pool (it blocks)
//  [X] FILE_SKIP_COMPLETION_PORT_ON_SUCCESS on sockets when the provider is IFS;
//      an inline success still completes later, from run_once
//  [X] cancel through CancelIoEx; close cancels a handle's operations first
//  [X] GetQueuedCompletionStatusEx in bounded batches (context_options::batch_size),
//      its timeout from the nearest timer deadline
//  [X] post() / wake() through PostQueuedCompletionStatus with a reserved key
//  [X] destructor: cancels everything, waits (bounded) for every OVERLAPPED
//  [X] recv_pooled (iocp_recv_pooled.cpp): a zero-byte WSARecv waits without a
//      buffer, then a recv into a pool buffer; an empty pool leaves it waiting
//      at the head of its read queue until release_recv_buffer
// Missing:
//  [ ] register_buffers (RIO would be the equivalent; Wine lacks it)
//  [ ] skip-on-success for files (Wine never completes file I/O inline, so
//      that path could not be tested here)
//  [ ] SO_REUSEPORT-style load balancing (Windows has none)
//  [ ] sub-millisecond timers (the wait is in milliseconds, rounded up)
//
// Design: every handle the context uses is associated with its port (key
// io_key) and has an iocp_handle: receives wait in a read queue and
// connect/send/shutdown in a write queue, each with only its head in the
// kernel, so a re-issued short send or recv_all can never interleave with
// the next operation's bytes (the epoll backend's rule too). Accepts and
// file transfers are independent and go to the kernel at once. A packet's
// OVERLAPPED leads back to its operation (iocp_op_data::self); finished
// operations go to a completion list that run_once() delivers in bounded
// batches, so nothing ever completes inside submit(). No step allocates
// per operation in the steady state: links are intrusive, handle records
// are recycled.
//
// Index:
//  [SECTION] Creation and destruction
//  [SECTION] Handles (table, open_*, close_now)
//  [SECTION] Submit
//  [SECTION] Cancel and close
//  [SECTION] Running: wait, wake-ups, timers, delivery
//  (the overlapped calls and their results live in iocp_ops.cpp)
#include "iocp_context.hpp"

#include <algorithm>
#include <climits>
#include <utility>

#include "backends.hpp"
#include "common/deliver.hpp"
#include "swarmbench/error.hpp"
#include "swarmbench/log.hpp"

namespace swarmbench::detail {
namespace {

// Completion keys: every handle is associated with io_key; wake-ups are
// posted with wake_key and no OVERLAPPED.
constexpr ULONG_PTR io_key = 0;
constexpr ULONG_PTR wake_key = 1;

// How long the destructor waits for the kernel to return cancelled
// operations. CancelIoEx answers in microseconds; this only bounds a bug.
constexpr std::chrono::seconds destroy_wait{10};

std::error_code canceled() noexcept { return errc_code(std::errc::operation_canceled); }

bool needs_buffer(op_code code) noexcept {
    return code == op_code::send || code == op_code::recv || code == op_code::read_at ||
           code == op_code::write_at;
}

}  // namespace

//-----------------------------------------------------------------------------
// [SECTION] Creation and destruction
//-----------------------------------------------------------------------------

bool iocp_probe(std::string* why_not) {
    const winsock_state& ws = winsock();
    if (!ws.ok && why_not != nullptr) *why_not = ws.why_not;
    return ws.ok;
}

std::unique_ptr<io_context> make_iocp_context(const context_options& options, std::error_code& ec) {
    ec.clear();
    if (!winsock().ok) {
        log().error("iocp unavailable: {}", winsock().why_not);
        ec = make_error_code(engine_errc::backend_unavailable);
        return nullptr;
    }
    // Concurrency 1: only the owning thread dequeues.
    HANDLE port = ::CreateIoCompletionPort(INVALID_HANDLE_VALUE, nullptr, 0, 1);
    if (port == nullptr) {
        ec = last_win_error();
        return nullptr;
    }
    return std::make_unique<iocp_context>(options, port);
}

iocp_context::iocp_context(const context_options& options, HANDLE port)
    : options_(options),
      port_(port),
      entries_(std::clamp<std::size_t>(options.batch_size, 1, 65536)),
      flush_pool_(options.file_threads, port, io_key) {
    if (options_.batch_size == 0) options_.batch_size = 1;
    log().debug("iocp context: batch {}, {} flush threads, skip-on-success {}", entries_.size(),
                options_.file_threads, winsock().skip_on_success ? "on" : "off (non-IFS provider)");
}

iocp_context::~iocp_context() {
    shutting_down_ = true;
    // Every handle, open or closed: queued operations cancel now, those in
    // the kernel get CancelIoEx (this also takes connect deadlines off the heap).
    for (auto& owned : owned_) {
        if (!owned->in_free_list) cancel_handle_ops(*owned);
    }
    while (operation* op = timers_.top()) {
        timers_.remove(*op);
        op->priv_.state &= ~ios_heap;
        finish(*op, 0, canceled());
    }
    // Flushes not started yet never will; running ones post their packets.
    for (operation* op : flush_pool_.withdraw_all()) {
        op->priv_.state &= ~(ios_worker | ios_kernel);
        --owed_packets_;
        finish_on_handle(*op, 0, canceled());
    }
    flush_pool_.stop();
    // Until the kernel has given every OVERLAPPED back it may still write
    // into the operation (and its buffer): wait for the packets.
    const auto give_up = std::chrono::steady_clock::now() + destroy_wait;
    while (owed_packets_ > 0 && std::chrono::steady_clock::now() < give_up) harvest(100);
    if (owed_packets_ > 0) {
        // A bug (or a driver ignoring CancelIoEx). Completing them keeps the
        // exactly-once promise, but the kernel may still write into them.
        log().error("iocp context destroyed with {} operations still held by the kernel after {} s; completing "
                    "them as cancelled, their buffers must not be reused",
                    owed_packets_, destroy_wait.count());
        for (auto& owned : owned_) {
            for (op_queue* q : {&owned->read_q, &owned->write_q, &owned->active}) {
                for (operation* op = q->front(); op != nullptr;) {
                    operation* next = op->priv_.next;
                    if ((op->priv_.state & ios_kernel) != 0) {
                        op->priv_.state &= ~(ios_kernel | ios_worker);
                        finish_on_handle(*op, 0, canceled());
                    }
                    op = next;
                }
            }
            if (owned->closed && owned->close_waiter != nullptr) finish_deferred_close(*owned);
        }
        owed_packets_ = 0;
    }
    // Deliver all of it. Callbacks may submit more; those cancel at once
    // (shutting_down_), so this ends unless a callback resubmits forever.
    constexpr std::size_t delivery_limit = std::size_t{1} << 24;
    deliver(delivery_limit);
    if (!completions_.empty()) {
        log().error("iocp context destroyed while callbacks kept resubmitting; {} operations dropped", pending_);
    }
    posted_.clear();  // posted functions are destroyed, not run
    ::CloseHandle(port_);
}

//-----------------------------------------------------------------------------
// [SECTION] Handles (table, open_*, close_now)
//-----------------------------------------------------------------------------

iocp_handle* iocp_context::register_handle(native_handle h, iocp_handle::kind_t kind, int family,
                                           std::error_code& ec, std::int8_t listening) {
    ec.clear();
    if (::CreateIoCompletionPort(as_handle(h), port_, io_key, 0) == nullptr) {
        ec = last_win_error();
        return nullptr;
    }
    bool skip = false;
    if (kind == iocp_handle::kind_t::socket && winsock().skip_on_success) {
        skip = ::SetFileCompletionNotificationModes(
                   as_handle(h), FILE_SKIP_COMPLETION_PORT_ON_SUCCESS | FILE_SKIP_SET_EVENT_ON_HANDLE) != 0;
    }
    // A record for this value already: that handle was closed behind our
    // back and the value reused. Its operations end; the record retires.
    if (auto it = handles_.find(h); it != handles_.end()) {
        iocp_handle* old = it->second;
        handles_.erase(it);
        cancel_handle_ops(*old);
        old->closed = true;
        release_if_idle(old);
    }
    iocp_handle* hs = nullptr;
    try {
        if (free_handles_.empty()) {
            owned_.push_back(std::make_unique<iocp_handle>());
            hs = owned_.back().get();
        } else {
            hs = free_handles_.back();
            free_handles_.pop_back();
        }
        hs->in_free_list = false;
        hs->h = h;
        hs->kind = kind;
        hs->family = family;
        hs->listening = listening;
        hs->skip_on_success = skip;
        hs->closed = false;
        handles_.emplace(h, hs);
    } catch (const std::bad_alloc&) {
        if (hs != nullptr) {
            hs->closed = true;
            release_if_idle(hs);  // back to the free list (owned_ keeps it either way)
        }
        ec = errc_code(std::errc::not_enough_memory);
        return nullptr;
    }
    return hs;
}

iocp_handle* iocp_context::adopt(native_handle h, std::error_code& ec) {
    // A handle this context did not open (or one since closed): take it on
    // if it is a live socket or disk file not bound to another port.
    if (h == invalid_handle) {
        ec = errc_code(std::errc::bad_file_descriptor);
        return nullptr;
    }
    if (win_is_socket(h)) {
        return register_handle(h, iocp_handle::kind_t::socket, win_socket_family(as_socket(h)), ec);
    }
    if (::GetFileType(as_handle(h)) == FILE_TYPE_DISK) {
        return register_handle(h, iocp_handle::kind_t::file, 0, ec);
    }
    ec = errc_code(std::errc::bad_file_descriptor);
    return nullptr;
}

iocp_handle* iocp_context::handle_for_submit(operation& op, iocp_handle::kind_t want) {
    iocp_handle* hs = nullptr;
    if (auto it = handles_.find(op.handle); it != handles_.end()) {
        hs = it->second;
    } else {
        std::error_code ec;
        hs = adopt(op.handle, ec);
        if (hs == nullptr) {
            finish(op, 0, ec);
            return nullptr;
        }
    }
    if (hs->kind != want) {
        // POSIX says ENOTSOCK for a socket call on a file and ESPIPE for an
        // offset on a socket; keep the same words.
        finish(op, 0,
               errc_code(want == iocp_handle::kind_t::socket ? std::errc::not_a_socket : std::errc::invalid_seek));
        return nullptr;
    }
    return hs;
}

void iocp_context::release_if_idle(iocp_handle* hs) noexcept {
    if (hs == nullptr || hs->in_free_list || !hs->closed || !hs->idle()) return;
    hs->h = invalid_handle;
    hs->in_free_list = true;
    try {
        free_handles_.push_back(hs);
    } catch (const std::bad_alloc&) {
        // Not recycled: owned_ still frees it with the context.
    }
}

native_handle iocp_context::open_listener(const endpoint& where, int backlog, bool reuse_port,
                                          std::error_code& ec) {
    const SOCKET s = win_open_listener(where, backlog, reuse_port, ec);
    if (s == INVALID_SOCKET) return invalid_handle;
    const auto h = static_cast<native_handle>(s);
    if (register_handle(h, iocp_handle::kind_t::socket, af_of(where.family), ec, 1) == nullptr) {
        ::closesocket(s);
        return invalid_handle;
    }
    return h;
}

native_handle iocp_context::open_tcp_socket(endpoint::family_t family, const endpoint* source,
                                            std::error_code& ec) {
    const SOCKET s = win_open_tcp_socket(family, source, ec);
    if (s == INVALID_SOCKET) return invalid_handle;
    const auto h = static_cast<native_handle>(s);
    const int af = source != nullptr && source->valid() ? af_of(source->family) : af_of(family);
    if (register_handle(h, iocp_handle::kind_t::socket, af, ec) == nullptr) {
        ::closesocket(s);
        return invalid_handle;
    }
    return h;
}

native_handle iocp_context::open_file(const std::string& path, const file_options& options,
                                      std::error_code& ec) {
    const HANDLE f = win_open_file(path, options, ec);
    if (f == INVALID_HANDLE_VALUE) return invalid_handle;
    const auto h = reinterpret_cast<native_handle>(f);
    if (register_handle(h, iocp_handle::kind_t::file, 0, ec) == nullptr) {
        ::CloseHandle(f);
        return invalid_handle;
    }
    return h;
}

void iocp_context::close_now(native_handle h) noexcept {
    auto it = handles_.find(h);
    if (it == handles_.end()) {
        win_close(h);
        return;
    }
    // The contract says nothing is pending; if something is, it still
    // completes exactly once (cancelled) instead of hanging.
    iocp_handle& hs = *it->second;
    close_handle(hs);
    if (hs.kind == iocp_handle::kind_t::socket) {
        ::closesocket(as_socket(h));
    } else {
        ::CloseHandle(as_handle(h));
    }
    release_if_idle(&hs);
}

endpoint iocp_context::local_endpoint(native_handle socket, std::error_code& ec) const {
    if (socket == invalid_handle) {
        ec = errc_code(std::errc::bad_file_descriptor);
        return {};
    }
    return win_local_endpoint(as_socket(socket), ec);
}

//-----------------------------------------------------------------------------
// [SECTION] Submit
//-----------------------------------------------------------------------------

void iocp_context::submit(operation& op) {
    if ((op.priv_.state & ios_pending) != 0) {
        // Resubmitting a pending operation would corrupt the queues it sits in.
        log().error("submit: {} operation is already pending; ignored", to_string(op.code));
        return;
    }
    ++counters_.submitted;
    ++pending_;
    iocp_op_data& d = *new (op.priv_.storage) iocp_op_data{};
    d.self = &op;
    op.priv_.state = ios_pending;
    op.priv_.done = 0;
    op.priv_.aux = 0;
    op.priv_.next = nullptr;
    op.priv_.prev = nullptr;
    op.result = 0;
    op.error.clear();
    op.more_ = false;

    if (shutting_down_ && op.code != op_code::close && op.code != op_code::nop) {
        finish(op, 0, canceled());
        return;
    }
    if (needs_buffer(op.code) && op.data == nullptr && op.size > 0) {
        finish(op, 0, make_error_code(engine_errc::invalid_operation));
        return;
    }
    using kind_t = iocp_handle::kind_t;
    switch (op.code) {
        case op_code::nop: finish(op, 0, {}); return;
        case op_code::timer: {
            const std::int64_t delay = std::max<std::int64_t>(op.timeout.count(), 0);
            d.deadline_ns = iocp_now_ns() + delay;
            op.priv_.state |= ios_heap;
            timers_.push(op);
            return;
        }
        case op_code::accept:
            if (iocp_handle* hs = handle_for_submit(op, kind_t::socket)) submit_active(op, *hs);
            return;
        case op_code::recv:
            if (iocp_handle* hs = handle_for_submit(op, kind_t::socket)) {
                submit_queued(op, *hs, hs->read_q, ios_read_q);
            }
            return;
        case op_code::recv_pooled: {
            std::error_code ec;  // the pool is allocated on the first recv_pooled
            if (!recv_pool_.ensure_for(op, options_, ec)) {
                finish(op, 0, ec);
            } else if (iocp_handle* hs = handle_for_submit(op, kind_t::socket)) {
                submit_queued(op, *hs, hs->read_q, ios_read_q);
            }
            return;
        }
        case op_code::connect:
            if (iocp_handle* hs = handle_for_submit(op, kind_t::socket)) {
                if (op.timeout.count() > 0) {
                    d.deadline_ns = iocp_now_ns() + op.timeout.count();
                    op.priv_.state |= ios_heap;
                    timers_.push(op);
                }
                submit_queued(op, *hs, hs->write_q, ios_write_q);
            }
            return;
        case op_code::send:
        case op_code::shutdown:
            if (iocp_handle* hs = handle_for_submit(op, kind_t::socket)) {
                submit_queued(op, *hs, hs->write_q, ios_write_q);
            }
            return;
        case op_code::close: submit_close(op); return;
        case op_code::read_at:
        case op_code::write_at:
            if (iocp_handle* hs = handle_for_submit(op, kind_t::file)) submit_active(op, *hs);
            return;
        case op_code::fsync:
        case op_code::fdatasync:
            if (iocp_handle* hs = handle_for_submit(op, kind_t::file)) submit_flush(op, *hs);
            return;
    }
    finish(op, 0, make_error_code(engine_errc::invalid_operation));
}

void iocp_context::submit_queued(operation& op, iocp_handle& hs, op_queue& q, iocp_op_state bit) {
    iocp_data(op).hs = &hs;
    op.priv_.state |= bit;
    q.push_back(op);
    if (q.front() == &op) pump(q);
}

void iocp_context::submit_active(operation& op, iocp_handle& hs) {
    iocp_data(op).hs = &hs;
    op.priv_.state |= ios_active;
    hs.active.push_back(op);
    run_op(op);
}

void iocp_context::submit_flush(operation& op, iocp_handle& hs) {
    iocp_data(op).hs = &hs;
    op.priv_.state |= ios_active | ios_worker | ios_kernel;
    hs.active.push_back(op);
    ++owed_packets_;
    std::error_code ec;
    if (!flush_pool_.submit(op, ec)) {
        op.priv_.state &= ~(ios_worker | ios_kernel);
        --owed_packets_;
        log().error("{}", describe_error("flush thread", ec));
        finish_on_handle(op, 0, ec);
    }
}

//-----------------------------------------------------------------------------
// [SECTION] Cancel and close
//-----------------------------------------------------------------------------

void iocp_context::cancel(operation& op) {
    const std::uint32_t s = op.priv_.state;
    if ((s & ios_pending) == 0) return;
    iocp_op_data& d = iocp_data(op);
    if ((s & ios_worker) != 0) {
        // A flush not started yet is withdrawn; a running one keeps its result.
        if (flush_pool_.withdraw(op)) {
            op.priv_.state &= ~(ios_worker | ios_kernel);
            --owed_packets_;
            iocp_handle* hs = d.hs;
            finish_on_handle(op, 0, canceled());
            if (hs->closed && hs->close_waiter != nullptr && hs->active.empty()) finish_deferred_close(*hs);
            release_if_idle(hs);
        } else {
            op.priv_.state |= ios_cancel;
        }
        return;
    }
    if ((s & ios_kernel) != 0) {
        if ((s & ios_cancel) != 0) return;  // asked already
        op.priv_.state |= ios_cancel;
        // ERROR_NOT_FOUND: the packet is already on its way with the real result.
        ::CancelIoEx(as_handle(op.handle), &d.ov);
        return;
    }
    if ((s & (ios_read_q | ios_write_q)) != 0) {
        // Waiting behind the head of its queue: never reached the kernel.
        finish_on_handle(op, 0, canceled());
        return;
    }
    if ((s & ios_heap) != 0) {
        finish(op, 0, canceled());  // a timer; finish() takes it off the heap
        return;
    }
    if ((s & ios_close_wait) != 0) return;  // the close completes by itself
    // A multishot accept whose result is in flight (in the completion list or
    // inside its callback): its final completion comes right after.
    const bool multishot_code = op.code == op_code::accept || op.code == op_code::recv_pooled;
    if (multishot_code && (op.flags & op_flag_multishot) != 0) {
        if ((s & ios_completing) == 0 || op.more_) op.priv_.state |= ios_cancel;
    }
    // Anything else already finished with its real result: nothing to do.
}

void iocp_context::cancel_handle_ops(iocp_handle& hs) {
    bool in_kernel = false;
    for (op_queue* q : {&hs.read_q, &hs.write_q, &hs.active}) {
        for (operation* op = q->front(); op != nullptr;) {
            operation* next = op->priv_.next;  // finish_on_handle relinks op
            const std::uint32_t s = op->priv_.state;
            if ((s & ios_worker) != 0) {
                if (flush_pool_.withdraw(*op)) {
                    op->priv_.state &= ~(ios_worker | ios_kernel);
                    --owed_packets_;
                    finish_on_handle(*op, 0, canceled());
                } else {
                    op->priv_.state |= ios_cancel;  // running: the close waits for it
                }
            } else if ((s & ios_kernel) != 0) {
                op->priv_.state |= ios_cancel;
                if ((s & ios_heap) != 0) {
                    timers_.remove(*op);
                    op->priv_.state &= ~ios_heap;
                }
                in_kernel = true;
            } else {
                finish_on_handle(*op, 0, canceled());
            }
            op = next;
        }
    }
    // One call for all of them; each comes back with 995 (or its real result).
    if (in_kernel && !hs.closed) ::CancelIoEx(as_handle(hs.h), nullptr);
}

void iocp_context::close_handle(iocp_handle& hs) {
    cancel_handle_ops(hs);
    if (auto it = handles_.find(hs.h); it != handles_.end() && it->second == &hs) handles_.erase(it);
    hs.closed = true;
}

void iocp_context::submit_close(operation& op) {
    auto it = handles_.find(op.handle);
    if (it == handles_.end()) {
        // Not ours (or invalid): close it all the same, or say why not.
        finish(op, 0, win_close(op.handle));
        return;
    }
    iocp_handle& hs = *it->second;
    close_handle(hs);
    if (hs.kind == iocp_handle::kind_t::file && !hs.active.empty()) {
        // A flush running on a worker (or a transfer the kernel still holds)
        // uses the handle: closing now could let it hit a reused value.
        // CloseHandle when the last one is back.
        iocp_data(op).hs = &hs;
        op.priv_.state |= ios_close_wait;
        hs.close_waiter = &op;
        return;
    }
    // A socket closes at once: closesocket ends whatever CancelIoEx left,
    // and the record lingers until their packets are back.
    std::error_code ec;
    if (hs.kind == iocp_handle::kind_t::socket) {
        if (::closesocket(as_socket(hs.h)) != 0) ec = last_wsa_error();
    } else if (!::CloseHandle(as_handle(hs.h))) {
        ec = last_win_error();
    }
    finish(op, 0, ec);
    release_if_idle(&hs);
}

void iocp_context::finish_deferred_close(iocp_handle& hs) {
    operation* closer = std::exchange(hs.close_waiter, nullptr);
    if (closer == nullptr) return;
    closer->priv_.state &= ~ios_close_wait;
    std::error_code ec;
    if (!::CloseHandle(as_handle(hs.h))) ec = last_win_error();
    finish(*closer, 0, ec);
}

//-----------------------------------------------------------------------------
// [SECTION] Running: wait, wake-ups, timers, delivery
//-----------------------------------------------------------------------------

void iocp_context::finish(operation& op, std::int64_t result, std::error_code ec, bool more) {
    if ((op.priv_.state & ios_heap) != 0) timers_.remove(op);
    op.result = result;
    op.error = ec;
    op.more_ = more;
    if (op.code == op_code::recv_pooled) op.data = nullptr;  // recv_pooled_now sets it when data came
    op.priv_.state = (op.priv_.state & (ios_pending | ios_cancel)) | ios_completing;
    completions_.push_back(op);
}

void iocp_context::unlink_from_handle(operation& op) noexcept {
    iocp_handle* hs = iocp_data(op).hs;
    const std::uint32_t s = op.priv_.state;
    if (hs == nullptr) return;
    if ((s & ios_read_q) != 0) {
        hs->read_q.remove(op);
    } else if ((s & ios_write_q) != 0) {
        hs->write_q.remove(op);
    } else if ((s & ios_active) != 0) {
        hs->active.remove(op);
    }
    op.priv_.state &= ~(ios_read_q | ios_write_q | ios_active);
}

void iocp_context::finish_on_handle(operation& op, std::int64_t result, std::error_code ec, bool more) {
    unlink_from_handle(op);
    // A multishot accept between completions still needs its handle record.
    if (more) ++iocp_data(op).hs->parked;
    finish(op, result, ec, more);
}

void iocp_context::wake() {
    if (!::PostQueuedCompletionStatus(port_, 0, wake_key, nullptr)) {
        log().error("{}", describe_error("PostQueuedCompletionStatus (wake-up)", last_win_error()));
    }
}

void iocp_context::post(std::function<void()> fn) {
    // The owner takes the whole queue per wake-up, so only the first post needs one.
    if (posted_.push(std::move(fn))) wake();
}

bool iocp_context::harvest(DWORD wait_ms) {
    ULONG n = 0;
    if (!::GetQueuedCompletionStatusEx(port_, entries_.data(), static_cast<ULONG>(entries_.size()), &n, wait_ms,
                                       FALSE)) {
        const DWORD err = ::GetLastError();
        if (err != WAIT_TIMEOUT) log().error("{}", describe_error("GetQueuedCompletionStatusEx", win_error(err)));
        return false;
    }
    bool woken = false;
    for (ULONG i = 0; i < n; ++i) {
        const OVERLAPPED_ENTRY& e = entries_[i];
        if (e.lpCompletionKey == wake_key || e.lpOverlapped == nullptr) {
            woken = true;
            continue;
        }
        // The OVERLAPPED is the first member of the overlay: it leads back to the operation.
        operation& op = *reinterpret_cast<iocp_op_data*>(e.lpOverlapped)->self;
        if ((op.priv_.state & ios_kernel) == 0) {
            // A packet for an operation we did not hand out: completing it
            // again would break exactly-once, so say so and drop it.
            log().error("iocp: unexpected packet for a {} operation (state {:#x}); dropped", to_string(op.code),
                        op.priv_.state);
            continue;
        }
        on_packet(op, e);
    }
    return woken;
}

void iocp_context::expire_timers() {
    const std::int64_t now = iocp_now_ns();
    while (operation* op = timers_.top()) {
        if (iocp_data(*op).deadline_ns > now) break;
        if (op->code != op_code::connect) {
            finish(*op, 0, {});
            continue;
        }
        timers_.remove(*op);
        op->priv_.state &= ~ios_heap;
        if ((op->priv_.state & ios_kernel) != 0) {
            // ConnectEx is in flight: cancel it; its packet says timed_out
            // (or connected, if that raced ahead).
            op->priv_.state |= ios_timed_out | ios_cancel;
            ::CancelIoEx(as_handle(op->handle), &iocp_data(*op).ov);
        } else {
            finish_on_handle(*op, 0, errc_code(std::errc::timed_out));
        }
    }
}

DWORD iocp_context::wait_timeout_ms(std::chrono::nanoseconds timeout) const noexcept {
    if (!completions_.empty() || posted_.has_collected()) return 0;
    std::int64_t wait_ns = timeout.count() < 0 ? -1 : timeout.count();
    if (const operation* top = timers_.top()) {
        std::int64_t until = iocp_data(*top).deadline_ns - iocp_now_ns();
        if (until < 0) until = 0;
        if (wait_ns < 0 || until < wait_ns) wait_ns = until;
    }
    if (wait_ns < 0) return INFINITE;
    // Round up: waking early would only spin until the deadline.
    const std::int64_t ms = (wait_ns + 999'999) / 1'000'000;
    return static_cast<DWORD>(std::min<std::int64_t>(ms, INFINITE - 1));
}

void iocp_context::rearm_multishot(operation& op) {
    iocp_handle* hs = iocp_data(op).hs;
    --hs->parked;
    if (shutting_down_ || (op.priv_.state & ios_cancel) != 0 || hs->closed) {
        op.priv_.state &= ~ios_cancel;
        finish(op, 0, canceled());
        release_if_idle(hs);
        return;
    }
    if (op.code == op_code::recv_pooled) {
        // Receives keep their queue: behind whatever was submitted meanwhile.
        submit_queued(op, *hs, hs->read_q, ios_read_q);
        return;
    }
    op.priv_.state |= ios_active;
    hs->active.push_back(op);
    run_op(op);
}

std::size_t iocp_context::deliver(std::size_t limit) {
    return deliver_completions(completions_, limit, ios_completing, pending_, counters_,
                               [this](operation& op) { rearm_multishot(op); });
}

std::size_t iocp_context::run_once(std::chrono::nanoseconds timeout) {
    if (harvest(wait_timeout_ms(timeout))) {
        ++counters_.wakeups;
        posted_.collect();
    }
    if (!timers_.empty()) expire_timers();
    std::size_t ran = deliver(options_.batch_size);
    if (ran > 0) ++counters_.batches;
    ran += posted_.run_collected();
    return ran;
}

}  // namespace swarmbench::detail
