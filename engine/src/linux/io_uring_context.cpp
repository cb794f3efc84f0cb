// io_uring backend (liburing 2.3, Linux 5.19+): ring, run loop, wake-ups,
// cancellation and teardown. Per-opcode work lives in io_uring_ops.cpp.
//
// Implemented:
//  [x] Probe: small ring + IORING_REGISTER_PROBE; every opcode used is required;
//      failures name the fix (io_uring_disabled sysctl, seccomp, memlock, kernel)
//  [x] accept (multishot, falls back to re-armed single-shot on -EINVAL),
//      connect (+ linked timeout), send (MSG_NOSIGNAL, short sends re-queued),
//      recv (+ recv_all), shutdown, close (cancel-by-fd hard-linked to close),
//      read_at / write_at (short transfers re-queued; fixed buffers when
//      registered), fsync / fdatasync, timer, nop
//  [x] cancel: parked ops complete at once (deferred), in-flight ops get ASYNC_CANCEL
//  [x] Full SQ: submit and retry, then park in an intrusive FIFO drained before waiting
//  [x] Cross-thread post() + wake() through an eventfd read kept pending in the ring
//  [x] Bounded completion batches, callbacks run after the CQ is advanced
//  [x] Destructor cancels everything and delivers every completion (bounded wait)
//  [x] register_buffers: the pool region as fixed buffers (1 GiB iovecs)
//  [x] recv_pooled (io_uring_recv_pooled.cpp): the receive pool as a
//      provided-buffer ring, multishot recv with buffer select, ENOBUFS parks
//      the op until buffers come back; poll + recv where rings are refused
// Missing:
//  [ ] send_zc, registered files, incremental buffer consumption (IOU_PBUF_RING_INC)
//  [ ] SQPOLL (the kernel must read sockaddr/timespec at submit; we rely on that)
//  [ ] SINGLE_ISSUER / DEFER_TASKRUN (contexts may be created on another thread)
//
// Index:
//  [SECTION] Probe
//  [SECTION] Construction and destruction
//  [SECTION] Handles
//  [SECTION] Queues and SQEs
//  [SECTION] Cancel
//  [SECTION] Run loop, post and wake
//  [SECTION] Fixed buffers
//  [SECTION] Factory
#include "io_uring_context.hpp"

#include <sys/eventfd.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <algorithm>
#include <fstream>
#include <string>

#include "backends.hpp"
#include "posix_io.hpp"
#include "swarmbench/buffer_pool.hpp"
#include "swarmbench/error.hpp"
#include "swarmbench/log.hpp"

namespace swarmbench::detail {

//-----------------------------------------------------------------------------
// [SECTION] Probe
//-----------------------------------------------------------------------------

namespace {

struct required_op {
    int code;          // IORING_OP_*
    const char* name;  // for the reason text
};

constexpr required_op required_ops[] = {
    {IORING_OP_NOP, "NOP"},           {IORING_OP_ACCEPT, "ACCEPT"},
    {IORING_OP_CONNECT, "CONNECT"},   {IORING_OP_SEND, "SEND"},
    {IORING_OP_RECV, "RECV"},         {IORING_OP_SHUTDOWN, "SHUTDOWN"},
    {IORING_OP_CLOSE, "CLOSE"},       {IORING_OP_READ, "READ"},
    {IORING_OP_WRITE, "WRITE"},       {IORING_OP_FSYNC, "FSYNC"},
    {IORING_OP_TIMEOUT, "TIMEOUT"},   {IORING_OP_LINK_TIMEOUT, "LINK_TIMEOUT"},
    {IORING_OP_ASYNC_CANCEL, "ASYNC_CANCEL"},
};

/// kernel.io_uring_disabled (Linux 6.6+), or -1 where the sysctl does not exist.
int io_uring_disabled_sysctl() {
    std::ifstream in("/proc/sys/kernel/io_uring_disabled");
    int value = -1;
    if (!(in >> value)) return -1;
    return value;
}

/// Why io_uring_setup failed with `err`, naming the fix.
std::string explain_setup_failure(int err) {
    const int disabled = io_uring_disabled_sysctl();
    if (disabled == 2) {
        return "io_uring unavailable: kernel.io_uring_disabled=2; using epoll "
               "(sysctl -w kernel.io_uring_disabled=0 to enable)";
    }
    if (disabled == 1 && err == EPERM) {
        return "io_uring unavailable: kernel.io_uring_disabled=1 and this user is not in "
               "kernel.io_uring_group; using epoll (add the user to that group or set the sysctl to 0)";
    }
    switch (err) {
        case ENOSYS:
            return "io_uring unavailable: io_uring_setup returned ENOSYS (kernel built without "
                   "CONFIG_IO_URING, or a seccomp/container policy blocks it; allow io_uring_setup, "
                   "io_uring_enter and io_uring_register); using epoll";
        case EPERM:
            return "io_uring unavailable: io_uring_setup returned EPERM (a seccomp/container "
                   "policy denies it; run with a profile that allows io_uring); using epoll";
        case ENOMEM:
            return "io_uring unavailable: io_uring_setup returned ENOMEM (locked-memory limit too "
                   "low; raise it with ulimit -l / RLIMIT_MEMLOCK); using epoll";
        default:
            return std::string("io_uring unavailable: io_uring_setup failed: ") + std::strerror(err) +
                   "; using epoll";
    }
}

/// True on Linux 5.19+, which has multishot accept and ASYNC_CANCEL by fd/any
/// (the probe cannot see cancel flags).
bool kernel_at_least_5_19(std::string& release) {
    utsname u{};
    if (::uname(&u) != 0) return true;  // cannot tell: let the opcode probe decide
    release = u.release;
    int major = 0;
    int minor = 0;
    if (std::sscanf(u.release, "%d.%d", &major, &minor) != 2) return true;
    return major > 5 || (major == 5 && minor >= 19);
}

/// getpeername as an endpoint (family none on error).
endpoint peer_of(int fd) noexcept {
    sockaddr_storage ss{};
    socklen_t len = sizeof(ss);
    if (::getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return {};
    return from_sockaddr(reinterpret_cast<const sockaddr*>(&ss), len);
}

}  // namespace

bool io_uring_probe(std::string* why_not) {
    auto fail = [&](std::string reason) {
        if (why_not) *why_not = std::move(reason);
        return false;
    };
    std::string release;
    if (!kernel_at_least_5_19(release)) {
        return fail("io_uring unavailable: kernel " + release +
                    " is older than 5.19 (needed for multishot accept and cancel by fd); using epoll");
    }
    io_uring ring{};
    int rc = io_uring_queue_init(8, &ring, 0);
    if (rc < 0) return fail(explain_setup_failure(-rc));
    struct ::io_uring_probe* probe = io_uring_get_probe_ring(&ring);
    if (probe == nullptr) {
        io_uring_queue_exit(&ring);
        return fail("io_uring unavailable: IORING_REGISTER_PROBE failed (kernel too old or "
                    "io_uring_register blocked by seccomp); using epoll");
    }
    std::string missing;
    for (const required_op& op : required_ops) {
        if (!io_uring_opcode_supported(probe, op.code)) {
            missing += missing.empty() ? "" : ", ";
            missing += op.name;
        }
    }
    io_uring_free_probe(probe);
    io_uring_queue_exit(&ring);
    if (!missing.empty()) {
        return fail("io_uring unavailable: kernel lacks IORING_OP_" + missing +
                    " (upgrade to Linux 5.19+); using epoll");
    }
    return true;
}

//-----------------------------------------------------------------------------
// [SECTION] Construction and destruction
//-----------------------------------------------------------------------------

io_uring_context::io_uring_context(const context_options& options, std::error_code& ec) {
    ec.clear();
    options_ = options;
    const unsigned entries = options.queue_entries == 0 ? 4096 : options.queue_entries;
    batch_size_ = options.batch_size == 0 ? 128 : options.batch_size;

    // CQ at 4x the SQ: multishot accepts and link timeouts add CQEs beyond SQEs.
    // COOP_TASKRUN avoids interrupting the owner thread; it needs Linux 5.19,
    // so fall back to plain flags on -EINVAL.
    const unsigned base_flags = IORING_SETUP_CQSIZE | IORING_SETUP_CLAMP;
    const unsigned tries[] = {
        base_flags | IORING_SETUP_SUBMIT_ALL | IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG,
        base_flags | IORING_SETUP_SUBMIT_ALL,
        base_flags,
    };
    int rc = -EINVAL;
    for (unsigned flags : tries) {
        io_uring_params params{};
        params.flags = flags;
        params.cq_entries = entries * 4;
        rc = io_uring_queue_init_params(entries, &ring_, &params);
        if (rc != -EINVAL) break;
    }
    if (rc < 0) {
        ec = std::error_code(-rc, std::system_category());
        log().warn("{}", explain_setup_failure(-rc));
        return;
    }
    ring_ok_ = true;

    wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wake_fd_ < 0) {
        ec = last_system_error();
        return;
    }
    cqes_.resize(batch_size_);
    ready_.reserve(static_cast<std::size_t>(batch_size_) * 2);
    arm_wake();
}

io_uring_context::~io_uring_context() {
    if (!ring_ok_) {
        if (wake_fd_ >= 0) ::close(wake_fd_);
        return;
    }
    closing_ = true;
    // Parked operations never reached the kernel: they complete right here.
    while (operation* op = overflow_.pop_front()) {
        op->priv_.state &= ~st_parked;
        finish(*op, static_cast<std::int64_t>(op->priv_.done),
               std::make_error_code(std::errc::operation_canceled));
    }
    while (operation* op = cancel_waiting_.pop_front()) op->priv_.state &= ~st_cancel_parked;
    // Receives waiting for a pool buffer have nothing in the kernel either.
    while (operation* op = starved_.pop_front()) {
        op->priv_.state &= ~st_starved;
        finish(*op, 0, std::make_error_code(std::errc::operation_canceled));
    }

    // Everything else is in the kernel: one cancel matching any request. Ops
    // the kernel cannot interrupt (file I/O already running in io-wq) finish
    // by themselves; the loop below waits for them, bounded.
    auto cancel_all = [this] {
        if (io_uring_sqe* sqe = get_sqe()) {
            io_uring_prep_cancel64(sqe, 0, IORING_ASYNC_CANCEL_ANY | IORING_ASYNC_CANCEL_ALL);
            io_uring_sqe_set_data64(sqe, ud_ignore);
        }
        io_uring_submit(&ring_);
    };
    cancel_all();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    auto next_cancel = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
    while (pending_ > 0 || !ready_.empty()) {
        auto now = std::chrono::steady_clock::now();
        if (now >= deadline) break;
        if (now >= next_cancel) {
            cancel_all();  // catch anything a callback slipped in (it cannot; belt and braces)
            next_cancel = now + std::chrono::milliseconds(500);
        }
        run_once(std::chrono::milliseconds(50));
    }
    if (pending_ > 0) {
        log().error("io_uring context destroyed with {} operation(s) still pending after 5 s; "
                    "they will not complete (a file operation stuck in the kernel?)",
                    pending_);
    }
    io_uring_queue_exit(&ring_);
    if (wake_fd_ >= 0) ::close(wake_fd_);
}

//-----------------------------------------------------------------------------
// [SECTION] Handles
//-----------------------------------------------------------------------------

native_handle io_uring_context::open_listener(const endpoint& where, int backlog, bool reuse_port,
                                              std::error_code& ec) {
    return posix_open_listener(where, backlog, reuse_port, ec);
}

native_handle io_uring_context::open_tcp_socket(endpoint::family_t family, const endpoint* source,
                                                std::error_code& ec) {
    return posix_open_tcp_socket(family, source, ec);
}

native_handle io_uring_context::open_file(const std::string& path, const file_options& options,
                                          std::error_code& ec) {
    return posix_open_file(path, options, ec);
}

void io_uring_context::close_now(native_handle h) noexcept {
    if (h >= 0) ::close(static_cast<int>(h));
}

endpoint io_uring_context::local_endpoint(native_handle socket, std::error_code& ec) const {
    return posix_local_endpoint(static_cast<int>(socket), ec);
}

//-----------------------------------------------------------------------------
// [SECTION] Queues and SQEs
//-----------------------------------------------------------------------------

io_uring_sqe* io_uring_context::get_sqe(unsigned need) noexcept {
    if (io_uring_sq_space_left(&ring_) < need) {
        ++counters_.queue_full;
        io_uring_submit(&ring_);  // errors (EBUSY/EAGAIN) leave SQEs queued; we retry later
        if (io_uring_sq_space_left(&ring_) < need) return nullptr;
    }
    return io_uring_get_sqe(&ring_);
}

void io_uring_context::arm_or_park(operation& op) noexcept {
    // FIFO: once anything is parked, later work queues behind it so sends on
    // one socket keep their order.
    if (overflow_.empty() && arm(op)) return;
    op.priv_.state |= st_parked;
    overflow_.push_back(op);
}

void io_uring_context::finish(operation& op, std::int64_t result, std::error_code error) noexcept {
    if (op.priv_.state & st_cancel_parked) cancel_waiting_.remove(op);
    if (op.code == op_code::close) closing_fds_.erase(static_cast<int>(op.handle));
    op.priv_.state = 0;
    --pending_;
    ready_.push_back(uring_completion{&op, result, error, false, nullptr});
}

void io_uring_context::defer(operation& op, std::error_code error) noexcept {
    if (op.code == op_code::close) closing_fds_.erase(static_cast<int>(op.handle));
    op.result = static_cast<std::int64_t>(op.priv_.done);
    op.error = error;
    op.priv_.state = (op.priv_.state & st_pending) | st_deferred;
    deferred_.push_back(op);
}

void io_uring_context::cancel_parked_on(native_handle fd, const operation* except) noexcept {
    auto on_fd = [&](const operation& op) noexcept {
        return &op != except && op.handle == fd && op.code != op_code::close;
    };
    op_queue hit = overflow_.extract_if(on_fd);
    op_queue starved = starved_.extract_if(on_fd);
    while (operation* op = starved.pop_front()) hit.push_back(*op);
    while (operation* op = hit.pop_front()) {
        defer(*op, std::make_error_code(std::errc::operation_canceled));
    }
}

void io_uring_context::drain_waiting() noexcept {
    while (!cancel_waiting_.empty()) {
        io_uring_sqe* sqe = get_sqe();
        if (sqe == nullptr) break;
        operation* op = cancel_waiting_.pop_front();
        op->priv_.state &= ~st_cancel_parked;
        io_uring_prep_cancel64(sqe, reinterpret_cast<std::uintptr_t>(op), 0);
        io_uring_sqe_set_data64(sqe, ud_ignore);
    }
    while (operation* op = overflow_.pop_front()) {
        op->priv_.state &= ~st_parked;
        if (!arm(*op)) {
            // arm() fails without side effects: back to the front to keep the order.
            op->priv_.state |= st_parked;
            overflow_.push_front(*op);
            break;
        }
    }
}

//-----------------------------------------------------------------------------
// [SECTION] Cancel
//-----------------------------------------------------------------------------

void io_uring_context::cancel(operation& op) {
    std::uint32_t& state = op.priv_.state;
    if (!(state & st_pending)) return;  // not ours, or already completed
    if (state & (st_parked | st_starved)) {
        (state & st_parked ? overflow_ : starved_).remove(op);
        state &= ~(st_parked | st_starved);
        defer(op, std::make_error_code(std::errc::operation_canceled));
        return;
    }
    // Deferred, or harvested and waiting for its callback: the result raced ahead.
    if (!(state & st_in_flight)) return;
    if (state & st_cancel) return;  // one cancel SQE is enough
    state |= st_cancel;
    submit_cancel(op);
}

void io_uring_context::submit_cancel(operation& op) noexcept {
    io_uring_sqe* sqe = cancel_waiting_.empty() ? get_sqe() : nullptr;
    if (sqe == nullptr) {
        op.priv_.state |= st_cancel_parked;
        cancel_waiting_.push_back(op);
        return;
    }
    io_uring_prep_cancel64(sqe, reinterpret_cast<std::uintptr_t>(&op), 0);
    io_uring_sqe_set_data64(sqe, ud_ignore);
}

//-----------------------------------------------------------------------------
// [SECTION] Run loop, post and wake
//-----------------------------------------------------------------------------

void io_uring_context::arm_wake() noexcept {
    if (wake_armed_ || closing_ || wake_fd_ < 0) return;
    io_uring_sqe* sqe = get_sqe();
    if (sqe == nullptr) return;  // retried on the next run_once
    io_uring_prep_read(sqe, wake_fd_, &wake_value_, sizeof(wake_value_), 0);
    io_uring_sqe_set_data64(sqe, ud_wake);
    wake_armed_ = true;
}

void io_uring_context::wake() {
    // One eventfd write per harvested wake read is enough.
    if (wake_pending_.exchange(true, std::memory_order_acq_rel)) return;
    const std::uint64_t one = 1;
    ssize_t n = ::write(wake_fd_, &one, sizeof(one));
    (void)n;  // EAGAIN means the counter is already non-zero: the loop wakes anyway
}

void io_uring_context::post(std::function<void()> fn) {
    posted_.push(std::move(fn));
    wake();  // wake() itself skips the write while one is pending
}

std::size_t io_uring_context::run_once(std::chrono::nanoseconds timeout) {
    drain_waiting();
    arm_wake();
    // Completions found outside the ring go first; they mean "do not block".
    while (operation* op = deferred_.pop_front()) {
        op->priv_.state = 0;
        --pending_;
        ready_.push_back(uring_completion{op, op->result, op->error, false, nullptr});
    }
    const bool must_not_block = !ready_.empty() || posted_.has_queued();

    // One io_uring_enter: submit what this turn queued, then wait.
    io_uring_cqe* cqe = nullptr;
    int rc = 0;
    if (must_not_block || timeout.count() == 0) {
        if (io_uring_sq_ready(&ring_) > 0) rc = io_uring_submit(&ring_);
    } else if (timeout.count() < 0) {
        rc = io_uring_submit_and_wait_timeout(&ring_, &cqe, 1, nullptr, nullptr);
    } else {
        __kernel_timespec ts{};
        ts.tv_sec = static_cast<long long>(timeout.count() / 1'000'000'000);
        ts.tv_nsec = static_cast<long long>(timeout.count() % 1'000'000'000);
        rc = io_uring_submit_and_wait_timeout(&ring_, &cqe, 1, &ts, nullptr);
    }
    if (rc < 0 && rc != -ETIME && rc != -EINTR && rc != -EAGAIN && rc != -EBUSY) {
        log().warn("io_uring_enter failed: {}", std::strerror(-rc));
    }

    const unsigned n = io_uring_peek_batch_cqe(&ring_, cqes_.data(), batch_size_);
    for (unsigned i = 0; i < n; ++i) handle_cqe(*cqes_[i]);
    if (n > 0) {
        io_uring_cq_advance(&ring_, n);
        ++counters_.batches;
    }

    // Callbacks run outside the harvest: they may submit, cancel, resubmit.
    // Nothing appends to ready_ meanwhile (new completions are deferred).
    std::size_t ran = 0;
    for (std::size_t i = 0; i < ready_.size(); ++i) {
        uring_completion c = ready_[i];
        operation& op = *c.op;
        op.result = c.result;
        op.error = c.error;
        op.more_ = c.more;
        if (op.code == op_code::recv_pooled) op.data = c.data;
        if (op.code == op_code::accept && c.result >= 0 && !c.error) {
            if (op.flags & op_flag_multishot) {
                // The kernel reuses one address buffer for every multishot CQE: ask the socket.
                op.peer = peer_of(static_cast<int>(c.result));
            } else {
                uring_op_storage& s = uring_storage(op);
                op.peer = from_sockaddr(reinterpret_cast<const sockaddr*>(&s.addr), s.addr_len);
            }
        }
        ++counters_.completed;
        ++ran;
        op.on_complete(op);
    }
    ready_.clear();
    if (posted_.has_queued()) ran += posted_.run_all();
    return ran;
}

//-----------------------------------------------------------------------------
// [SECTION] Fixed buffers
//-----------------------------------------------------------------------------

bool io_uring_context::register_buffers(buffer_pool& pool) {
    if (fixed_base_ != nullptr) {
        io_uring_unregister_buffers(&ring_);
        fixed_base_ = nullptr;
    }
    if (pool.base() == nullptr || pool.region_size() == 0) return false;
    // The kernel limits one fixed buffer to 1 GiB: split into whole blocks.
    constexpr std::size_t max_iovec = std::size_t{1} << 30;
    const std::size_t block = pool.block_size();
    if (block > max_iovec) return false;
    const std::size_t chunk = std::min(pool.region_size(), max_iovec / block * block);
    std::vector<iovec> iov;
    for (std::size_t off = 0; off < pool.region_size(); off += chunk) {
        iov.push_back(iovec{pool.base() + off, std::min(chunk, pool.region_size() - off)});
    }
    int rc = io_uring_register_buffers(&ring_, iov.data(), static_cast<unsigned>(iov.size()));
    if (rc < 0) {
        log().info("io_uring: fixed buffers not registered ({}{}); using plain reads/writes",
                   std::strerror(-rc),
                   rc == -ENOMEM ? ": raise ulimit -l (RLIMIT_MEMLOCK)" : "");
        return false;
    }
    fixed_base_ = pool.base();
    fixed_chunk_ = chunk;
    fixed_count_ = iov.size();
    return true;
}

bool io_uring_context::fixed_index(const operation& op, unsigned& index) const noexcept {
    if (fixed_base_ == nullptr || op.data < fixed_base_) return false;
    const std::size_t off = static_cast<std::size_t>(op.data - fixed_base_);
    const std::size_t i = off / fixed_chunk_;
    if (i >= fixed_count_ || off + op.size > (i + 1) * fixed_chunk_) return false;
    index = static_cast<unsigned>(i);
    return true;
}

//-----------------------------------------------------------------------------
// [SECTION] Factory
//-----------------------------------------------------------------------------

std::unique_ptr<io_context> make_io_uring_context(const context_options& options, std::error_code& ec) {
    auto ctx = std::make_unique<io_uring_context>(options, ec);
    if (ec) return nullptr;
    return ctx;
}

}  // namespace swarmbench::detail
