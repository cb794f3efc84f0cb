// io_uring backend, recv_pooled: the receive pool as a provided-buffer ring,
// the poll fallback where the kernel refuses rings, and receives that wait
// for buffers. The ring, run loop and cancellation are in
// io_uring_context.cpp; the other op codes in io_uring_ops.cpp.
//
// Design: on the first recv_pooled submit the pool (common/recv_pool) is
// allocated and every block handed to the kernel as buffer group 0 of a
// provided-buffer ring. A recv_pooled is then a recv with IOSQE_BUFFER_SELECT
// (io_uring_prep_recv_multishot when multishot), so the kernel picks a buffer
// only when data arrives and names it in the CQE (IORING_CQE_F_BUFFER, the id
// above IORING_CQE_BUFFER_SHIFT); an idle socket holds none. An empty ring
// ends the receive with -ENOBUFS and no F_MORE: the operation parks in
// starved_ (TCP holds the data meanwhile) and is re-armed when
// release_recv_buffer puts buffers back into the ring.
//
// Fallback, logged once per context: a kernel that refuses the ring (older
// than 5.19, or ENOMEM under a low memlock limit) or
// SWARMBENCH_IO_URING_BUF_RING=0 gets a POLLIN poll per receive and, when it
// fires, a recv(MSG_DONTWAIT) into a block from the pool's free list, the
// way the epoll backend does it. Still no buffer is pinned while idle.
//
// Thread rules: owning thread only (called from submit, run_once, cancel and
// release_recv_buffer).
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string_view>

#include "io_uring_context.hpp"
#include "swarmbench/log.hpp"

namespace swarmbench::detail {
namespace {

constexpr int recv_buf_group = 0;          // the one buffer group this context registers
constexpr std::size_t max_ring_entries = 32768;  // the kernel's limit for one ring

std::error_code pooled_errno(int err) noexcept { return {err, std::system_category()}; }

}  // namespace

//-----------------------------------------------------------------------------
// Pool and ring set-up
//-----------------------------------------------------------------------------

bool io_uring_context::ensure_recv_pool(operation& op, std::error_code& ec) noexcept {
    const bool first = !recv_pool_.ready();
    if (!recv_pool_.ensure_for(op, options_, ec)) return false;
    if (!first) return true;  // ring (or fallback) chosen already
    const std::size_t count = recv_pool_.count();
    const char* env = std::getenv("SWARMBENCH_IO_URING_BUF_RING");
    if (env != nullptr && std::string_view(env) == "0") {
        log().info("io_uring: recv_pooled uses poll + recv into the pool (SWARMBENCH_IO_URING_BUF_RING=0)");
        return true;
    }
    if (count > max_ring_entries) {
        log().info("io_uring: {} receive buffers exceed a buffer ring's {}; recv_pooled uses poll + recv "
                   "(lower context_options::recv_buffer_count to use the ring)",
                   count, max_ring_entries);
        return true;
    }
    unsigned entries = 1;
    while (entries < count) entries <<= 1;
    const std::size_t bytes = entries * sizeof(io_uring_buf);
    try {
        buf_ring_mem_ = allocate_aligned(bytes, 4096);  // the kernel maps whole pages
    } catch (const std::bad_alloc&) {
        log().info("io_uring: no memory for a buffer ring; recv_pooled uses poll + recv into the pool");
        return true;
    }
    std::memset(buf_ring_mem_.get(), 0, bytes);
    io_uring_buf_reg reg{};
    reg.ring_addr = reinterpret_cast<std::uintptr_t>(buf_ring_mem_.get());
    reg.ring_entries = entries;
    reg.bgid = recv_buf_group;
    const int rc = io_uring_register_buf_ring(&ring_, &reg, 0);
    if (rc < 0) {
        log().info("io_uring: provided-buffer ring refused ({}{}); recv_pooled uses poll + recv into the pool",
                   std::strerror(-rc),
                   rc == -EINVAL   ? ": kernel older than 5.19"
                   : rc == -ENOMEM ? ": raise ulimit -l (RLIMIT_MEMLOCK)"
                                   : "");
        buf_ring_mem_.reset();
        return true;
    }
    buf_ring_ = reinterpret_cast<io_uring_buf_ring*>(buf_ring_mem_.get());
    io_uring_buf_ring_init(buf_ring_);
    buf_ring_mask_ = static_cast<unsigned>(io_uring_buf_ring_mask(entries));
    for (std::size_t i = 0; i < count; ++i) {
        io_uring_buf_ring_add(buf_ring_, recv_pool_.block(static_cast<std::uint32_t>(i)), recv_pool_.buffer_size(),
                              static_cast<unsigned short>(i), static_cast<int>(buf_ring_mask_), static_cast<int>(i));
    }
    io_uring_buf_ring_advance(buf_ring_, static_cast<int>(count));
    log().debug("io_uring: receive pool of {} x {} bytes registered as a provided-buffer ring", count,
                recv_pool_.buffer_size());
    return true;
}

//-----------------------------------------------------------------------------
// Arming and completions
//-----------------------------------------------------------------------------

void io_uring_context::prep_recv_pooled(io_uring_sqe& sqe, operation& op) noexcept {
    const int fd = static_cast<int>(op.handle);
    if (buf_ring_ == nullptr) {
        io_uring_prep_poll_add(&sqe, fd, POLLIN);
        return;
    }
    if ((op.flags & op_flag_multishot) != 0) {
        io_uring_prep_recv_multishot(&sqe, fd, nullptr, 0, 0);
    } else {
        io_uring_prep_recv(&sqe, fd, nullptr, recv_pool_.buffer_size(), 0);
    }
    sqe.flags |= IOSQE_BUFFER_SELECT;
    sqe.buf_group = recv_buf_group;
}

void io_uring_context::handle_recv_pooled_cqe(operation& op, int res, unsigned flags) noexcept {
    const bool more = (flags & IORING_CQE_F_MORE) != 0;
    if (!more) op.priv_.state &= ~st_in_flight;
    if (buf_ring_ == nullptr) {  // fallback: a poll's result
        if (res < 0) {
            finish(op, 0, pooled_errno(-res));
        } else {
            recv_pooled_after_poll(op);
        }
        return;
    }
    std::byte* data = nullptr;
    if ((flags & IORING_CQE_F_BUFFER) != 0) {
        data = recv_pool_.lend_index(flags >> IORING_CQE_BUFFER_SHIFT);
        if (data != nullptr && res <= 0) {  // a buffer with nothing in it: straight back
            return_recv_buffer(data);
            data = nullptr;
        }
    }
    if (res > 0) {
        if (data != nullptr) {
            deliver_chunk(op, res, data, more);
        } else if (!more) {
            finish(op, 0, std::make_error_code(std::errc::io_error));  // lend_index logged why
        }
        return;
    }
    if (more) return;  // still armed and nothing to tell
    if (res == -ENOBUFS) {
        starve(op);
        return;
    }
    finish(op, 0, res == 0 ? std::error_code{} : pooled_errno(-res));
}

bool io_uring_context::recv_ends(const operation& op) const noexcept {
    // A close cancels what the kernel holds on its socket, but a multishot
    // that the kernel had already ended (ENOBUFS, or after a chunk) comes back
    // after that cancel: re-armed or parked in starved_, it would wait for a
    // socket that is gone (parked, forever: the run's stop then timed out).
    return (op.priv_.state & st_cancel) != 0 || closing_ || closing_fds_.contains(static_cast<int>(op.handle));
}

void io_uring_context::recv_pooled_after_poll(operation& op) noexcept {
    if (recv_ends(op)) {
        finish(op, 0, std::make_error_code(std::errc::operation_canceled));
        return;
    }
    std::byte* data = recv_pool_.lend_free();
    if (data == nullptr) {
        starve(op);
        return;
    }
    ssize_t n = 0;
    do {
        n = ::recv(static_cast<int>(op.handle), data, recv_pool_.buffer_size(), MSG_DONTWAIT);
    } while (n < 0 && errno == EINTR);
    if (n > 0) {
        deliver_chunk(op, static_cast<int>(n), data, false);
        return;
    }
    const int err = n < 0 ? errno : 0;
    // The block goes back, and may serve a receive that starved meanwhile.
    release_recv_buffer(data);
    if (err == EAGAIN || err == EWOULDBLOCK) {
        arm_or_park(op);  // readiness that went away: poll again
    } else {
        finish(op, 0, err == 0 ? std::error_code{} : pooled_errno(err));  // 0: the peer closed
    }
}

void io_uring_context::deliver_chunk(operation& op, int bytes, std::byte* data, bool kernel_armed) noexcept {
    if ((op.flags & op_flag_multishot) == 0) {
        finish(op, bytes, {});
        ready_.back().data = data;
        return;
    }
    ready_.push_back(uring_completion{&op, bytes, {}, true, data});
    if (kernel_armed) return;
    // The kernel ended the multishot after this chunk (or this is the poll
    // fallback): keep the promise "armed until cancelled" by re-arming.
    if (recv_ends(op)) {
        finish(op, 0, std::make_error_code(std::errc::operation_canceled));
        return;
    }
    arm_or_park(op);
}

//-----------------------------------------------------------------------------
// Starved receives and returned buffers
//-----------------------------------------------------------------------------

void io_uring_context::starve(operation& op) noexcept {
    if (recv_ends(op)) {
        finish(op, 0, std::make_error_code(std::errc::operation_canceled));
        return;
    }
    ++counters_.recv_starved;
    // Buffers may have come back between the kernel's look and this CQE; no
    // release would wake the operation then, so re-arm it now.
    if (recv_pool_.unlent() > 0) {
        arm_or_park(op);
        return;
    }
    op.priv_.state |= st_starved;
    starved_.push_back(op);
}

void io_uring_context::wake_starved() noexcept {
    if (closing_) return;  // the destructor completed them already
    // One receive per buffer that could serve it: a thousand starved
    // connections are not all re-armed for one released buffer.
    for (std::size_t can_serve = recv_pool_.unlent(); can_serve > 0; --can_serve) {
        operation* op = starved_.pop_front();
        if (op == nullptr) return;
        op->priv_.state &= ~st_starved;
        arm_or_park(*op);
    }
}

bool io_uring_context::return_recv_buffer(std::byte* data) noexcept {
    if (buf_ring_ == nullptr) return recv_pool_.give_back(data);
    const std::ptrdiff_t index = recv_pool_.take_back(data);
    if (index < 0) return false;
    io_uring_buf_ring_add(buf_ring_, data, recv_pool_.buffer_size(), static_cast<unsigned short>(index),
                          static_cast<int>(buf_ring_mask_), 0);
    io_uring_buf_ring_advance(buf_ring_, 1);
    return true;
}

void io_uring_context::release_recv_buffer(std::byte* data) noexcept {
    if (return_recv_buffer(data)) wake_starved();
}

}  // namespace swarmbench::detail
