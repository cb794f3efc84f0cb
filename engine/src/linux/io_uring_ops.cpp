// io_uring backend, per-operation half: validation, SQE preparation for each
// op_code, and turning CQEs into completions or re-queues. The ring, the run
// loop and cancellation are in io_uring_context.cpp (see its checklist).
//
// Index:
//  [SECTION] Helpers
//  [SECTION] Submit and validate
//  [SECTION] SQE preparation
//  [SECTION] Completion handling
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <cerrno>
#include <algorithm>
#include <climits>
#include <ctime>

#include "io_uring_context.hpp"
#include "posix_io.hpp"
#include "swarmbench/error.hpp"
#include "swarmbench/log.hpp"

namespace swarmbench::detail {

//-----------------------------------------------------------------------------
// [SECTION] Helpers
//-----------------------------------------------------------------------------

namespace {

constexpr int accept_flags = SOCK_NONBLOCK | SOCK_CLOEXEC;

std::error_code errno_code(int res) noexcept { return std::error_code(-res, std::system_category()); }

std::error_code canceled() noexcept { return std::make_error_code(std::errc::operation_canceled); }

__kernel_timespec to_timespec(std::chrono::nanoseconds d) noexcept {
    const long long ns = d.count() > 0 ? static_cast<long long>(d.count()) : 0;
    __kernel_timespec ts{};
    ts.tv_sec = ns / 1'000'000'000;
    ts.tv_nsec = ns % 1'000'000'000;
    return ts;
}

std::uint64_t ud_of(const operation& op) noexcept { return reinterpret_cast<std::uintptr_t>(&op); }

}  // namespace

//-----------------------------------------------------------------------------
// [SECTION] Submit and validate
//-----------------------------------------------------------------------------

void io_uring_context::submit(operation& op) {
    if (op.on_complete == nullptr) {
        log().error("io_uring: {} operation without on_complete ignored (set it before submit)",
                    to_string(op.code));
        return;
    }
    if (op.priv_.state & st_pending) {
        log().error("io_uring: {} operation submitted while still pending; ignored "
                    "(wait for its last completion before resubmitting)",
                    to_string(op.code));
        return;
    }
    op.priv_.state = st_pending;
    op.priv_.done = 0;
    op.priv_.aux = 0;
    op.priv_.next = op.priv_.prev = nullptr;
    op.result = 0;
    op.error.clear();
    op.more_ = false;
    ++pending_;
    ++counters_.submitted;
    if (closing_) {
        defer(op, canceled());
        return;
    }
    if (std::error_code ec = validate(op)) {
        defer(op, ec);
        return;
    }
    if (op.code == op_code::recv_pooled) {
        std::error_code ec;
        if (!ensure_recv_pool(op, ec)) {
            defer(op, ec);
            return;
        }
    }
    if (op.code == op_code::close) {
        cancel_parked_on(op.handle, &op);
        closing_fds_.insert(static_cast<int>(op.handle));
    }
    arm_or_park(op);
}

std::error_code io_uring_context::validate(const operation& op) const noexcept {
    const std::error_code invalid = make_error_code(engine_errc::invalid_operation);
    switch (op.code) {
        case op_code::nop: return op.flags == op_flag_none ? std::error_code{} : invalid;
        case op_code::timer: return {};
        case op_code::accept:
        case op_code::connect:
        case op_code::send:
        case op_code::recv:
        case op_code::recv_pooled:
        case op_code::shutdown:
        case op_code::close:
        case op_code::read_at:
        case op_code::write_at:
        case op_code::fsync:
        case op_code::fdatasync: break;
        default: return invalid;
    }
    if (op.handle < 0 || op.handle > INT_MAX) return std::error_code(EBADF, std::system_category());
    switch (op.code) {
        case op_code::send:
        case op_code::recv:
        case op_code::read_at:
        case op_code::write_at:
            if (op.data == nullptr && op.size > 0) return invalid;
            break;
        case op_code::connect:
            if (!op.peer.valid()) return invalid;
            break;
        default: break;
    }
    return {};
}

//-----------------------------------------------------------------------------
// [SECTION] SQE preparation
//-----------------------------------------------------------------------------

bool io_uring_context::arm(operation& op) noexcept {
    const int fd = static_cast<int>(op.handle);
    const std::uint64_t ud = ud_of(op);
    uring_op_storage& s = uring_storage(op);
    op.priv_.aux = 1;  // CQEs still owed to this op before it can finish

    if (op.code == op_code::connect) {
        const bool timed = op.timeout.count() > 0;
        io_uring_sqe* sqe = get_sqe(timed ? 2 : 1);
        if (sqe == nullptr) return false;
        const socklen_t len = to_sockaddr(op.peer, s.addr);
        io_uring_prep_connect(sqe, fd, reinterpret_cast<sockaddr*>(&s.addr), len);
        io_uring_sqe_set_data64(sqe, ud);
        if (timed) {
            // The link timeout's CQE also refers to op (ud | 1), so op finishes
            // only after both CQEs: we learn whether the timeout fired (-ETIME).
            sqe->flags |= IOSQE_IO_LINK;
            s.ts = to_timespec(op.timeout);
            io_uring_sqe* lt = io_uring_get_sqe(&ring_);
            io_uring_prep_link_timeout(lt, &s.ts, 0);
            io_uring_sqe_set_data64(lt, ud | ud_link_tag);
            op.priv_.aux = 2;
        }
        op.priv_.state |= st_in_flight;
        return true;
    }

    if (op.code == op_code::close) {
        // Cancel everything on fd, then close it whatever the cancel found.
        io_uring_sqe* sqe = get_sqe(2);
        if (sqe == nullptr) return false;
        io_uring_prep_cancel_fd(sqe, fd, IORING_ASYNC_CANCEL_ALL);
        sqe->flags |= IOSQE_IO_HARDLINK;
        io_uring_sqe_set_data64(sqe, ud_ignore);
        io_uring_sqe* close_sqe = io_uring_get_sqe(&ring_);
        io_uring_prep_close(close_sqe, fd);
        io_uring_sqe_set_data64(close_sqe, ud);
        op.priv_.state |= st_in_flight;
        return true;
    }

    io_uring_sqe* sqe = get_sqe();
    if (sqe == nullptr) return false;
    const std::uint64_t done = op.priv_.done;
    std::byte* const at = op.data + done;
    const auto left = static_cast<unsigned>(op.size - done);
    unsigned index = 0;
    switch (op.code) {
        case op_code::nop: io_uring_prep_nop(sqe); break;
        case op_code::accept:
            if ((op.flags & op_flag_multishot) && !(op.priv_.state & st_single_accept)) {
                io_uring_prep_multishot_accept(sqe, fd, nullptr, nullptr, accept_flags);
            } else {
                s.addr_len = sizeof(s.addr);
                io_uring_prep_accept(sqe, fd, reinterpret_cast<sockaddr*>(&s.addr), &s.addr_len,
                                     accept_flags);
            }
            break;
        case op_code::send: io_uring_prep_send(sqe, fd, at, left, MSG_NOSIGNAL); break;
        case op_code::recv: io_uring_prep_recv(sqe, fd, at, left, 0); break;
        case op_code::recv_pooled: prep_recv_pooled(*sqe, op); break;
        case op_code::shutdown: io_uring_prep_shutdown(sqe, fd, SHUT_WR); break;
        case op_code::read_at:
            if (fixed_index(op, index)) {
                io_uring_prep_read_fixed(sqe, fd, at, left, op.offset + done, static_cast<int>(index));
            } else {
                io_uring_prep_read(sqe, fd, at, left, op.offset + done);
            }
            break;
        case op_code::write_at:
            if (fixed_index(op, index)) {
                io_uring_prep_write_fixed(sqe, fd, at, left, op.offset + done, static_cast<int>(index));
            } else {
                io_uring_prep_write(sqe, fd, at, left, op.offset + done);
            }
            break;
        case op_code::fsync: io_uring_prep_fsync(sqe, fd, 0); break;
        case op_code::fdatasync: io_uring_prep_fsync(sqe, fd, IORING_FSYNC_DATASYNC); break;
        case op_code::timer: {
            // An absolute deadline on CLOCK_MONOTONIC (steady_clock's), taken
            // now: a relative one would start only when the kernel reads the
            // SQE, after whatever completions this thread handles first.
            timespec now{};
            ::clock_gettime(CLOCK_MONOTONIC, &now);
            s.ts = to_timespec(std::chrono::seconds(now.tv_sec) + std::chrono::nanoseconds(now.tv_nsec) +
                               std::max(op.timeout, std::chrono::nanoseconds(0)));
            io_uring_prep_timeout(sqe, &s.ts, 0, IORING_TIMEOUT_ABS);
            break;
        }
        default: io_uring_prep_nop(sqe); break;  // unreachable: validate() refused it
    }
    io_uring_sqe_set_data64(sqe, ud);
    op.priv_.state |= st_in_flight;
    return true;
}

//-----------------------------------------------------------------------------
// [SECTION] Completion handling
//-----------------------------------------------------------------------------

void io_uring_context::handle_cqe(const io_uring_cqe& cqe) noexcept {
    const std::uint64_t ud = cqe.user_data;
    if (ud < ud_sentinel_max) {
        if (ud == ud_wake) {
            wake_armed_ = false;  // re-armed by the next run_once
            if (cqe.res > 0) ++counters_.wakeups;
            wake_pending_.store(false, std::memory_order_release);
        }
        return;  // ud_ignore: cancel results carry nothing we need
    }
    if (ud & ud_link_tag) {
        operation& op = *reinterpret_cast<operation*>(ud & ~ud_link_tag);
        if (cqe.res == -ETIME) op.priv_.state |= st_timed_out;
        if (--op.priv_.aux == 0) finish_connect(op);
        return;
    }
    handle_op_cqe(*reinterpret_cast<operation*>(ud), cqe.res, cqe.flags);
}

void io_uring_context::handle_op_cqe(operation& op, int res, unsigned flags) noexcept {
    switch (op.code) {
        case op_code::accept: handle_accept_cqe(op, res, flags); return;
        case op_code::recv_pooled: handle_recv_pooled_cqe(op, res, flags); return;
        case op_code::connect:
            op.result = res;  // held until the link timeout's CQE also arrived
            if (--op.priv_.aux == 0) finish_connect(op);
            return;
        case op_code::send:
        case op_code::recv:
        case op_code::read_at:
        case op_code::write_at: handle_transfer_cqe(op, res); return;
        case op_code::timer:
            // -ETIME is the timer expiring: that is its success.
            if (res == -ETIME || res >= 0) finish(op, 0, {});
            else finish(op, 0, errno_code(res));
            return;
        default:
            if (res >= 0) finish(op, res, {});
            else finish(op, 0, errno_code(res));
            return;
    }
}

void io_uring_context::finish_connect(operation& op) noexcept {
    const auto res = static_cast<int>(op.result);
    if (res >= 0) {
        finish(op, 0, {});
    } else if (res == -ECANCELED && (op.priv_.state & st_timed_out) && !(op.priv_.state & st_cancel)) {
        finish(op, 0, std::make_error_code(std::errc::timed_out));
    } else {
        finish(op, 0, errno_code(res));
    }
}

void io_uring_context::handle_accept_cqe(operation& op, int res, unsigned flags) noexcept {
    const bool more = (flags & IORING_CQE_F_MORE) != 0;
    const bool multishot = (op.flags & op_flag_multishot) != 0;
    if (res >= 0) {
        const int one = 1;
        ::setsockopt(res, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        if (!multishot) {
            finish(op, res, {});
            return;
        }
        op.priv_.state |= st_got_accept;
        if (more) {
            ready_.push_back(uring_completion{&op, res, {}, true, nullptr});
            return;
        }
        // The kernel ended the multishot (or this is the single-shot fallback):
        // keep the promise "accept until cancelled or error" by re-arming.
        op.priv_.state &= ~st_in_flight;
        if ((op.priv_.state & st_cancel) || closing_) {
            finish(op, res, {});
            return;
        }
        ready_.push_back(uring_completion{&op, res, {}, true, nullptr});
        arm_or_park(op);
        return;
    }
    if (more) {  // a transient error while the multishot stays armed
        ready_.push_back(uring_completion{&op, 0, errno_code(res), true, nullptr});
        return;
    }
    op.priv_.state &= ~st_in_flight;
    if (multishot && res == -EINVAL && !(op.priv_.state & (st_got_accept | st_single_accept)) &&
        !(op.priv_.state & st_cancel) && !closing_) {
        log().debug("io_uring: multishot accept refused (EINVAL); re-arming single-shot accepts");
        op.priv_.state |= st_single_accept;
        arm_or_park(op);
        return;
    }
    finish(op, 0, errno_code(res));
}

void io_uring_context::handle_transfer_cqe(operation& op, int res) noexcept {
    const auto done_before = static_cast<std::int64_t>(op.priv_.done);
    if (res < 0) {
        finish(op, done_before, errno_code(res));
        return;
    }
    const bool is_write = op.code == op_code::send || op.code == op_code::write_at;
    const bool fill = is_write || op.code == op_code::read_at ||
                      (op.code == op_code::recv && (op.flags & op_flag_recv_all));
    if (!fill) {
        finish(op, res, {});
        return;
    }
    op.priv_.done += static_cast<std::uint64_t>(res);
    const auto done = static_cast<std::int64_t>(op.priv_.done);
    if (op.priv_.done >= op.size || res == 0) {
        // A write that makes no progress would loop forever: report it.
        if (is_write && op.priv_.done < op.size) finish(op, done, std::make_error_code(std::errc::io_error));
        else finish(op, done, {});
        return;
    }
    if ((op.priv_.state & st_cancel) || closing_) {
        finish(op, done, canceled());
        return;
    }
    ++counters_.requeued;
    op.priv_.state &= ~st_in_flight;
    arm_or_park(op);
}

}  // namespace swarmbench::detail
