// epoll_context: the epoll backend of io_context (readiness turned into completions).
//
// Implemented:
//  [X] accept (one-shot and multishot: one completion per connection, more() = true,
//      then a final one; EMFILE/ENFILE and cancel end it), accept4 non-blocking + cloexec
//  [X] connect with EINPROGRESS -> EPOLLOUT -> SO_ERROR, and a timeout (timed_out)
//  [X] send (MSG_NOSIGNAL, short writes re-queued until all bytes are sent)
//  [X] recv (what is there; 0 = EOF) and op_flag_recv_all (until size or EOF)
//  [X] shutdown (SHUT_WR, after the sends queued before it), nop
//  [X] close: cancels the descriptor's pending operations, waits for its running file jobs
//  [X] timers on a binary min-heap (shared with connect timeouts), epoll_pwait2's ns timeout
//      (epoll_wait's ms, rounded up, on kernels before 5.11)
//  [X] read_at / write_at / fsync / fdatasync on file_worker_pool (epoll cannot wait on files)
//  [X] cancel of any pending operation, exactly-once through races
//  [X] post() / wake() through an eventfd in the epoll set
//  [X] destructor completes everything still pending with operation_canceled
//  [X] recv_pooled (epoll_recv_pooled.cpp): a pool buffer taken on readiness;
//      an empty pool leaves the op waiting at the head of its read queue
// Missing:
//  [ ] register_buffers (returns false: epoll has no fixed buffers)
//  [ ] epoll_pwait2 sub-millisecond timer precision (timers round up to 1 ms)
//  [ ] zero-copy send (MSG_ZEROCOPY)
//
// Design: every descriptor gets one edge-triggered registration
// (EPOLLIN|EPOLLOUT|EPOLLRDHUP|EPOLLET) on first use and two FIFO queues of
// operations: the read side (recv, accept) and the write side (send,
// connect, shutdown). The operation at the head of a queue tries its syscall
// as soon as the descriptor is believed ready; EAGAIN clears the belief until
// the next edge. Finished operations move to a completion list that
// run_once() delivers in bounded batches, so nothing ever completes inside
// submit(). No step allocates per operation in the steady state: all links
// are intrusive (operation::priv_).
//
// Index:
//  [SECTION] Small helpers (fd table)
//  [SECTION] Creation and destruction
//  [SECTION] Submit
//  [SECTION] Cancel and close
//  [SECTION] Handles (open_*, close_now)
//  [SECTION] Running: wait, wake-ups, timers, delivery
//  (readiness -> syscalls lives in epoll_socket_ops.cpp)
#include "epoll_context.hpp"

#include <fcntl.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <utility>

#include "backends.hpp"
#include "common/deliver.hpp"
#include "posix_io.hpp"
#include "swarmbench/error.hpp"
#include "swarmbench/log.hpp"

namespace swarmbench::detail {
namespace {

// epoll data of the wake-up eventfd; descriptors are stored as their
// (non-negative) number, so this can never collide.
constexpr std::uint64_t wake_key = ~std::uint64_t{0};

std::error_code canceled() noexcept { return std::make_error_code(std::errc::operation_canceled); }
std::error_code bad_handle() noexcept { return {EBADF, std::system_category()}; }

bool needs_buffer(op_code code) noexcept {
    return code == op_code::send || code == op_code::recv || code == op_code::read_at ||
           code == op_code::write_at;
}

}  // namespace

//-----------------------------------------------------------------------------
// [SECTION] Small helpers (fd table)
//-----------------------------------------------------------------------------

void epoll_fd_state::reset() noexcept {
    // file_jobs survives: jobs already running still report back to this slot.
    read_q = {};
    write_q = {};
    close_waiter = nullptr;
    registered = false;
    readable = false;
    writable = false;
    hup = false;
    closing = false;
    starved = false;
}

epoll_fd_state* epoll_fd_table::find(int fd) noexcept {
    if (fd < 0) return nullptr;
    const auto c = static_cast<std::size_t>(fd / chunk_size);
    if (c >= chunks_.size() || !chunks_[c]) return nullptr;
    return &(*chunks_[c])[static_cast<std::size_t>(fd % chunk_size)];
}

epoll_fd_state& epoll_fd_table::get(int fd) {
    const auto c = static_cast<std::size_t>(fd / chunk_size);
    if (c >= chunks_.size()) chunks_.resize(c + 1);
    if (!chunks_[c]) chunks_[c] = std::make_unique<std::array<epoll_fd_state, chunk_size>>();
    return (*chunks_[c])[static_cast<std::size_t>(fd % chunk_size)];
}


//-----------------------------------------------------------------------------
// [SECTION] Creation and destruction
//-----------------------------------------------------------------------------

std::unique_ptr<io_context> make_epoll_context(const context_options& options, std::error_code& ec) {
    ec.clear();
    const int ep = ::epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) {
        ec = last_system_error();
        log().error("{}", describe_error("epoll_create1", ec));
        return nullptr;
    }
    const int wfd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wfd < 0) {
        ec = last_system_error();
        log().error("{}", describe_error("eventfd for the epoll context", ec));
        ::close(ep);
        return nullptr;
    }
    // Level-triggered: the eventfd stays readable until harvest_wake() reads it.
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = wake_key;
    if (::epoll_ctl(ep, EPOLL_CTL_ADD, wfd, &ev) != 0) {
        ec = last_system_error();
        log().error("{}", describe_error("epoll_ctl(eventfd)", ec));
        ::close(wfd);
        ::close(ep);
        return nullptr;
    }
    try {
        return std::make_unique<epoll_context>(options, ep, wfd);
    } catch (const std::bad_alloc&) {
        ec = std::make_error_code(std::errc::not_enough_memory);
        ::close(wfd);
        ::close(ep);
        return nullptr;
    }
}

epoll_context::epoll_context(const context_options& options, int epoll_fd, int wake_fd)
    : options_(options),
      epoll_fd_(epoll_fd),
      wake_fd_(wake_fd),
      pool_(options.file_threads, &epoll_context::notify_from_pool, this) {
    if (options_.batch_size == 0) options_.batch_size = 1;
    events_.resize(std::clamp<unsigned>(options_.queue_entries, 64, 16384));
    SWARMBENCH_DEBUG("epoll context: {} events per wait, batch {}, {} file threads", events_.size(),
                     options_.batch_size, options_.file_threads);
}

epoll_context::~epoll_context() {
    shutting_down_ = true;
    // Socket queues (this also takes connect timeouts out of the heap).
    fds_.for_each([this](int, epoll_fd_state& st) {
        while (operation* op = st.read_q.front()) finish_in_queue(st, *op, 0, canceled());
        while (operation* op = st.write_q.front()) finish_in_queue(st, *op, 0, canceled());
    });
    timers_.drain([this](operation& op) {
        op.priv_.state &= ~eps_heap;
        finish(op, 0, canceled());
    });
    // File jobs: queued ones are cancelled, running ones finish with their result.
    for (op_queue queued = pool_.cancel_all(); operation* op = queued.pop_front();) {
        finish_from_pool(*op, fds_.find(static_cast<int>(op->handle)), 0, canceled());
    }
    pool_.stop();
    harvest_pool();  // also runs deferred closes, now that no job is left
    // Deliver all of it. Callbacks may submit more; those cancel at once
    // (shutting_down_), so this ends unless a callback resubmits forever.
    constexpr std::size_t delivery_limit = std::size_t{1} << 24;
    deliver(delivery_limit);
    if (!completions_.empty()) {
        log().error("epoll context destroyed while callbacks kept resubmitting; {} operations dropped",
                    pending_);
    }
    posted_.clear();  // posted functions are destroyed, not run
    ::close(wake_fd_);
    ::close(epoll_fd_);
}

//-----------------------------------------------------------------------------
// [SECTION] Submit
//-----------------------------------------------------------------------------

void epoll_context::submit(operation& op) {
    if ((op.priv_.state & eps_pending) != 0) {
        // Resubmitting a pending operation would corrupt the queues it sits in.
        log().error("submit: {} operation is already pending; ignored", to_string(op.code));
        return;
    }
    ++counters_.submitted;
    ++pending_;
    new (op.priv_.storage) epoll_op_data{};
    op.priv_.state = eps_pending;
    op.priv_.done = 0;
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
    switch (op.code) {
        case op_code::nop: finish(op, 0, {}); return;
        case op_code::timer: {
            const std::int64_t delay = std::max<std::int64_t>(op.timeout.count(), 0);
            epoll_data(op).deadline_ns = steady_now_ns() + delay;
            op.priv_.state |= eps_heap;
            timers_.push(op);
            return;
        }
        case op_code::accept:
        case op_code::recv: submit_socket_op(op, true); return;
        case op_code::recv_pooled: {
            std::error_code ec;  // the pool is allocated on the first recv_pooled
            if (recv_pool_.ensure_for(op, options_, ec)) {
                submit_socket_op(op, true);
            } else {
                finish(op, 0, ec);
            }
            return;
        }
        case op_code::connect:
        case op_code::send:
        case op_code::shutdown: submit_socket_op(op, false); return;
        case op_code::close: submit_close(op); return;
        case op_code::read_at:
        case op_code::write_at:
        case op_code::fsync:
        case op_code::fdatasync: submit_file_op(op); return;
    }
    finish(op, 0, make_error_code(engine_errc::invalid_operation));
}

epoll_fd_state* epoll_context::state_for(native_handle h, std::error_code& ec) {
    if (h < 0 || h > INT_MAX) {
        ec = bad_handle();
        return nullptr;
    }
    const int fd = static_cast<int>(h);
    if (epoll_fd_state* st = fds_.find(fd)) return st;
    // First descriptor of a new chunk: make sure it is one before growing the table.
    if (::fcntl(fd, F_GETFD) < 0) {
        ec = last_system_error();
        return nullptr;
    }
    try {
        return &fds_.get(fd);
    } catch (const std::bad_alloc&) {
        ec = std::make_error_code(std::errc::not_enough_memory);
        return nullptr;
    }
}

bool epoll_context::ensure_registered(epoll_fd_state& st, int fd, std::error_code& ec) {
    if (st.registered) return true;
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    ev.data.u64 = static_cast<std::uint64_t>(fd);
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
        // EEXIST: a registration we forgot (descriptor closed behind our back and reused).
        if (errno != EEXIST || ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev) != 0) {
            ec = last_system_error();
            return false;
        }
    }
    st.registered = true;
    // Optimistic: try the syscall first; EAGAIN then waits for the edge.
    st.readable = true;
    st.writable = true;
    st.hup = false;
    return true;
}

epoll_fd_state* epoll_context::state_for_submit(operation& op) {
    std::error_code ec;
    epoll_fd_state* st = state_for(op.handle, ec);
    if (st == nullptr) {
        finish(op, 0, ec);
        return nullptr;
    }
    if (st->closing) {
        finish(op, 0, bad_handle());  // closed by a close still in progress
        return nullptr;
    }
    return st;
}

void epoll_context::submit_socket_op(operation& op, bool read_side) {
    epoll_fd_state* st = state_for_submit(op);
    if (st == nullptr) return;
    std::error_code ec;
    if (!ensure_registered(*st, static_cast<int>(op.handle), ec)) {
        finish(op, 0, ec);
        return;
    }
    epoll_data(op).generation = st->generation;
    if (read_side) {
        op.priv_.state |= eps_read_q;
        st->read_q.push_back(op);
        if (st->read_q.front() == &op) process_read(*st);
        return;
    }
    if (op.code == op_code::connect && op.timeout.count() > 0) {
        epoll_data(op).deadline_ns = steady_now_ns() + op.timeout.count();
        op.priv_.state |= eps_heap;
        timers_.push(op);
    }
    op.priv_.state |= eps_write_q;
    st->write_q.push_back(op);
    if (st->write_q.front() == &op) process_write(*st);
}

void epoll_context::submit_file_op(operation& op) {
    epoll_fd_state* st = state_for_submit(op);
    if (st == nullptr) return;
    std::error_code ec;
    ++st->file_jobs;
    op.priv_.state |= eps_pool;
    if (!pool_.submit(op, ec)) {
        --st->file_jobs;
        op.priv_.state &= ~eps_pool;
        log().error("{}", describe_error("file worker pool", ec));
        finish(op, 0, ec);
    }
}

//-----------------------------------------------------------------------------
// [SECTION] Cancel and close
//-----------------------------------------------------------------------------

void epoll_context::cancel(operation& op) {
    const std::uint32_t s = op.priv_.state;
    if ((s & eps_pending) == 0) return;
    if ((s & (eps_read_q | eps_write_q)) != 0) {
        epoll_fd_state* st = fds_.find(static_cast<int>(op.handle));
        if (st == nullptr) return;  // cannot happen: queued ops have a slot
        finish_in_queue(*st, op, 0, canceled());
        // The next operation may now be at the head and able to run.
        if ((s & eps_read_q) != 0) {
            process_read(*st);
        } else {
            process_write(*st);
        }
        return;
    }
    if ((s & eps_heap) != 0) {
        finish(op, 0, canceled());  // finish() takes it out of the heap
        return;
    }
    if ((s & eps_pool) != 0) {
        // A running job keeps its real result; only a queued one can be withdrawn.
        if (pool_.cancel(op)) {
            const int fd = static_cast<int>(op.handle);
            epoll_fd_state* st = fds_.find(fd);
            finish_from_pool(op, st, 0, canceled());
            close_if_jobs_done(fd, st);
        }
        return;
    }
    if ((s & eps_close_wait) != 0) return;  // the close will complete by itself
    // A multishot accept whose result is in flight (in the completion list or
    // inside its callback): its final completion comes right after.
    const bool multishot_code = op.code == op_code::accept || op.code == op_code::recv_pooled;
    if (multishot_code && (op.flags & op_flag_multishot) != 0) {
        if ((s & eps_completing) == 0 || op.more_) op.priv_.state |= eps_cancel;
    }
    // Anything else already finished with its real result: nothing to do.
}

void epoll_context::cancel_fd_ops(epoll_fd_state& st, int fd) {
    while (operation* op = st.read_q.front()) finish_in_queue(st, *op, 0, canceled());
    while (operation* op = st.write_q.front()) finish_in_queue(st, *op, 0, canceled());
    if (st.file_jobs == 0) return;  // skip the pool lock for sockets
    // No close_if_jobs_done() here: the callers close (or forget) fd themselves.
    for (op_queue queued = pool_.cancel_handle(fd); operation* op = queued.pop_front();) {
        finish_from_pool(*op, &st, 0, canceled());
    }
}

void epoll_context::submit_close(operation& op) {
    if (op.handle < 0 || op.handle > INT_MAX) {
        finish(op, 0, bad_handle());
        return;
    }
    const int fd = static_cast<int>(op.handle);
    epoll_fd_state* st = fds_.find(fd);
    if (st != nullptr) {
        if (st->closing) {
            finish(op, 0, bad_handle());  // a close is already on its way
            return;
        }
        cancel_fd_ops(*st, fd);
        if (st->file_jobs > 0) {
            // pread/pwrite still running on this descriptor: closing now could
            // let them hit a reused number. Close when the last one returns.
            st->closing = true;
            st->close_waiter = &op;
            op.priv_.state |= eps_close_wait;
            return;
        }
    }
    finish_close(fd, st, op);
}

void epoll_context::finish_from_pool(operation& op, epoll_fd_state* st, std::int64_t result,
                                     std::error_code ec) {
    op.priv_.state &= ~eps_pool;
    if (st != nullptr && st->file_jobs > 0) --st->file_jobs;
    finish(op, result, ec);
}

void epoll_context::close_if_jobs_done(int fd, epoll_fd_state* st) {
    if (st == nullptr || st->file_jobs > 0 || st->close_waiter == nullptr) return;
    operation* closer = std::exchange(st->close_waiter, nullptr);
    finish_close(fd, st, *closer);
}

void epoll_context::finish_close(int fd, epoll_fd_state* st, operation& op) {
    if (st != nullptr) {
        if (st->registered) ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
        ++st->generation;  // multishot accepts in flight end instead of re-arming
        st->reset();
    }
    op.priv_.state &= ~eps_close_wait;
    std::error_code ec;
    // Linux releases the descriptor even when close() reports EINTR.
    if (::close(fd) != 0 && errno != EINTR) ec = last_system_error();
    finish(op, 0, ec);
}

//-----------------------------------------------------------------------------
// [SECTION] Handles (open_*, close_now)
//-----------------------------------------------------------------------------

void epoll_context::forget_fd(int fd) noexcept {
    // A new descriptor with this number: drop whatever an old one left
    // behind (only possible if it was closed without us).
    epoll_fd_state* st = fds_.find(fd);
    if (st == nullptr) return;
    if (!st->registered && st->read_q.empty() && st->write_q.empty() && !st->closing) return;
    cancel_fd_ops(*st, fd);
    ++st->generation;
    st->reset();
}

native_handle epoll_context::open_listener(const endpoint& where, int backlog, bool reuse_port,
                                           std::error_code& ec) {
    const int fd = posix_open_listener(where, backlog, reuse_port, ec);
    if (fd < 0) return invalid_handle;
    forget_fd(fd);
    return fd;
}

native_handle epoll_context::open_tcp_socket(endpoint::family_t family, const endpoint* source,
                                             std::error_code& ec) {
    const int fd = posix_open_tcp_socket(family, source, ec);
    if (fd < 0) return invalid_handle;
    forget_fd(fd);
    return fd;
}

native_handle epoll_context::open_file(const std::string& path, const file_options& options,
                                       std::error_code& ec) {
    const int fd = posix_open_file(path, options, ec);
    if (fd < 0) return invalid_handle;
    forget_fd(fd);
    return fd;
}

void epoll_context::close_now(native_handle h) noexcept {
    if (h < 0 || h > INT_MAX) return;
    const int fd = static_cast<int>(h);
    if (epoll_fd_state* st = fds_.find(fd)) {
        // The contract says nothing is pending; if something is, it still
        // completes exactly once (cancelled) instead of hanging.
        cancel_fd_ops(*st, fd);
        if (st->registered) ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
        ++st->generation;
        st->reset();
    }
    ::close(fd);
}

endpoint epoll_context::local_endpoint(native_handle socket, std::error_code& ec) const {
    if (socket < 0 || socket > INT_MAX) {
        ec = bad_handle();
        return {};
    }
    return posix_local_endpoint(static_cast<int>(socket), ec);
}

//-----------------------------------------------------------------------------
// [SECTION] Running: wait, wake-ups, timers, delivery
//-----------------------------------------------------------------------------

void epoll_context::finish(operation& op, std::int64_t result, std::error_code ec, bool more) {
    if ((op.priv_.state & eps_heap) != 0) timers_.remove(op);
    op.result = result;
    op.error = ec;
    op.more_ = more;
    if (op.code == op_code::recv_pooled) op.data = nullptr;  // try_recv_pooled sets it when data came
    op.priv_.state = (op.priv_.state & (eps_pending | eps_cancel)) | eps_completing;
    completions_.push_back(op);
}

void epoll_context::finish_in_queue(epoll_fd_state& st, operation& op, std::int64_t result,
                                    std::error_code ec, bool more) {
    if ((op.priv_.state & eps_read_q) != 0) {
        st.read_q.remove(op);
    } else if ((op.priv_.state & eps_write_q) != 0) {
        st.write_q.remove(op);
    }
    finish(op, result, ec, more);
}

void epoll_context::notify_from_pool(void* self) noexcept { static_cast<epoll_context*>(self)->wake(); }

void epoll_context::wake() {
    const std::uint64_t one = 1;
    // EAGAIN means the counter is already non-zero: the wake-up is pending anyway.
    [[maybe_unused]] ssize_t rc = ::write(wake_fd_, &one, sizeof(one));
}

void epoll_context::post(std::function<void()> fn) {
    // The owner takes the whole queue per wake-up, so only the first post needs one.
    if (posted_.push(std::move(fn))) wake();
}

void epoll_context::harvest_pool() {
    for (op_queue done = pool_.take_done(); operation* op = done.pop_front();) {
        const int fd = static_cast<int>(op->handle);
        epoll_fd_state* st = fds_.find(fd);
        finish_from_pool(*op, st, op->result, op->error);
        close_if_jobs_done(fd, st);
    }
}

void epoll_context::harvest_wake() {
    // Read the eventfd before taking the queues: a post() racing with us then
    // either lands in what we take or writes the eventfd again.
    std::uint64_t value = 0;
    while (::read(wake_fd_, &value, sizeof(value)) < 0 && errno == EINTR) {
    }
    ++counters_.wakeups;
    harvest_pool();
    posted_.collect();
}

void epoll_context::expire_timers() {
    const std::int64_t now = steady_now_ns();
    while (operation* op = timers_.top()) {
        if (epoll_data(*op).deadline_ns > now) break;
        if (op->code == op_code::connect) {
            epoll_fd_state* st = fds_.find(static_cast<int>(op->handle));
            if (st == nullptr) {
                finish(*op, 0, std::make_error_code(std::errc::timed_out));
                continue;
            }
            finish_in_queue(*st, *op, 0, std::make_error_code(std::errc::timed_out));
            process_write(*st);
        } else {
            finish(*op, 0, {});
        }
    }
}

std::int64_t epoll_context::wait_timeout_ns(std::chrono::nanoseconds timeout) const noexcept {
    if (!completions_.empty() || posted_.has_collected()) return 0;
    std::int64_t wait_ns = timeout.count() < 0 ? -1 : timeout.count();
    if (const operation* top = timers_.top()) {
        std::int64_t until = epoll_data(const_cast<operation&>(*top)).deadline_ns - steady_now_ns();
        if (until < 0) until = 0;
        if (wait_ns < 0 || until < wait_ns) wait_ns = until;
    }
    return wait_ns;
}

int epoll_context::wait_events(std::int64_t timeout_ns) {
    const int room = static_cast<int>(events_.size());
    if (pwait2_) {
        // Timers to the nanosecond (the swarm's emulated links wake on them),
        // not epoll_wait's millisecond.
        timespec ts{};
        ts.tv_sec = static_cast<time_t>(timeout_ns / 1'000'000'000);
        ts.tv_nsec = static_cast<long>(timeout_ns % 1'000'000'000);
        const int n = ::epoll_pwait2(epoll_fd_, events_.data(), room, timeout_ns < 0 ? nullptr : &ts, nullptr);
        if (n >= 0 || errno != ENOSYS) return n;
        pwait2_ = false;  // a kernel before 5.11
    }
    // Round up: waking early would only spin until the deadline.
    const int ms = timeout_ns < 0 ? -1
                                  : static_cast<int>(std::min<std::int64_t>((timeout_ns + 999'999) / 1'000'000, INT_MAX));
    return ::epoll_wait(epoll_fd_, events_.data(), room, ms);
}

void epoll_context::rearm_multishot(operation& op) {
    epoll_fd_state* st = fds_.find(static_cast<int>(op.handle));
    const bool ended = shutting_down_ || (op.priv_.state & eps_cancel) != 0 || st == nullptr ||
                       st->closing || st->generation != epoll_data(op).generation || !st->registered;
    if (ended) {
        op.priv_.state &= ~eps_cancel;
        finish(op, 0, canceled());
        return;
    }
    op.priv_.state |= eps_read_q;
    st->read_q.push_back(op);
    if (st->read_q.front() == &op) process_read(*st);
}

std::size_t epoll_context::deliver(std::size_t limit) {
    return deliver_completions(completions_, limit, eps_completing, pending_, counters_,
                               [this](operation& op) { rearm_multishot(op); });
}

std::size_t epoll_context::run_once(std::chrono::nanoseconds timeout) {
    int n = wait_events(wait_timeout_ns(timeout));
    if (n < 0) {
        if (errno != EINTR) log().error("{}", describe_error("epoll_wait", last_system_error()));
        n = 0;
    }
    bool woken = false;
    for (int i = 0; i < n; ++i) {
        const epoll_event& ev = events_[static_cast<std::size_t>(i)];
        if (ev.data.u64 == wake_key) {
            woken = true;
        } else {
            on_event(static_cast<int>(ev.data.u64), ev.events);
        }
    }
    if (woken) harvest_wake();
    if (!timers_.empty()) expire_timers();

    std::size_t ran = deliver(options_.batch_size);
    if (ran > 0) ++counters_.batches;
    ran += posted_.run_collected();
    return ran;
}

}  // namespace swarmbench::detail
