// io_uring_context: the io_uring (liburing) backend of io_context.
//
// Split over three files: io_uring_context.cpp (probe, ring set-up, run loop,
// post/wake, cancel, destruction), io_uring_ops.cpp (validation and SQE
// preparation per op_code, turning CQEs into completions) and
// io_uring_recv_pooled.cpp (recv_pooled: the receive pool as a provided-buffer
// ring, its fallback, starved receives).
//
// Thread rules: as io_context. Everything is owned by the thread that runs the
// context, except post() and wake(), which take posted_'s lock / touch atomics only.
#pragma once

#include <sys/socket.h>

#include <liburing.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <new>
#include <system_error>
#include <unordered_set>
#include <vector>

#include "common/op_queue.hpp"
#include "common/post_queue.hpp"
#include "common/recv_pool.hpp"
#include "swarmbench/io_context.hpp"
#include "swarmbench/operation.hpp"

namespace swarmbench::detail {

/// What this backend overlays on operation::priv_.storage. The kernel reads
/// sockaddr and timespec at submission and writes the accept address at
/// completion, so both live in the operation, which outlives its SQEs.
struct uring_op_storage {
    sockaddr_storage addr;   // connect destination / single-shot accept peer
    socklen_t addr_len;      // in/out length for accept
    __kernel_timespec ts;    // timer duration or connect link-timeout
};
static_assert(sizeof(uring_op_storage) <= sizeof(op_private::storage),
              "io_uring overlay must fit operation::priv_.storage");
static_assert(alignof(uring_op_storage) <= 16, "storage is 16-byte aligned");

inline uring_op_storage& uring_storage(operation& op) noexcept {
    return *std::launder(reinterpret_cast<uring_op_storage*>(op.priv_.storage));
}

/// Bits in operation::priv_.state.
enum uring_state : std::uint32_t {
    st_pending = 1u << 0,        // submitted; final completion not delivered yet
    st_in_flight = 1u << 1,      // has an SQE in the ring or the kernel
    st_parked = 1u << 2,         // waiting in overflow_ for an SQE
    st_cancel = 1u << 3,         // cancel() was called
    st_cancel_parked = 1u << 4,  // waiting in cancel_waiting_ for a cancel SQE
    st_timed_out = 1u << 5,      // connect: its link timeout fired (-ETIME)
    st_single_accept = 1u << 6,  // multishot refused: re-arm single-shot accepts
    st_got_accept = 1u << 7,     // multishot accept delivered a connection already
    st_deferred = 1u << 8,       // waiting in deferred_ (error found in submit, cancelled while parked)
    st_starved = 1u << 9,        // recv_pooled: waiting in starved_ for a receive-pool buffer
};

/// user_data values that are not operations (operations are 16-byte aligned,
/// so these small values never collide; link timeouts use op address | 1).
inline constexpr std::uint64_t ud_wake = 8;     // the eventfd read that wakes the loop
inline constexpr std::uint64_t ud_ignore = 16;  // cancel SQEs; close's cancel-by-fd
inline constexpr std::uint64_t ud_link_tag = 1; // low bit: link timeout of (ud & ~1)
inline constexpr std::uint64_t ud_sentinel_max = 64;  // below: sentinel values

/// One completion harvested from the ring, run after the CQ is advanced.
/// Results live here rather than in the operation because one multishot
/// accept can produce several CQEs in a single batch.
struct uring_completion {
    operation* op;          // whose on_complete runs
    std::int64_t result;    // becomes op.result
    std::error_code error;  // becomes op.error
    bool more;              // becomes op.more_
    std::byte* data;        // recv_pooled: becomes op.data (a lent pool buffer, or nullptr)
};

class io_uring_context final : public io_context {
public:
    /// Sets up the ring; on failure ok() is false and `ec` says why.
    io_uring_context(const context_options& options, std::error_code& ec);
    /// Cancels everything in flight and delivers every completion (operation_canceled)
    /// on the destroying thread, bounded by a few seconds.
    ~io_uring_context() override;

    backend_kind kind() const noexcept override { return backend_kind::io_uring; }
    void submit(operation& op) override;
    void cancel(operation& op) override;
    native_handle open_listener(const endpoint& where, int backlog, bool reuse_port,
                                std::error_code& ec) override;
    native_handle open_tcp_socket(endpoint::family_t family, const endpoint* source,
                                  std::error_code& ec) override;
    native_handle open_file(const std::string& path, const file_options& options,
                            std::error_code& ec) override;
    void close_now(native_handle h) noexcept override;
    endpoint local_endpoint(native_handle socket, std::error_code& ec) const override;
    bool register_buffers(buffer_pool& pool) override;
    void release_recv_buffer(std::byte* data) noexcept override;
    std::size_t recv_buffers_lent() const noexcept override { return recv_pool_.lent(); }
    std::size_t run_once(std::chrono::nanoseconds timeout) override;
    std::size_t pending() const noexcept override { return pending_; }
    const context_counters& counters() const noexcept override { return counters_; }
    void post(std::function<void()> fn) override;

protected:
    void wake() override;

private:
    // ---- io_uring_ops.cpp ----
    /// Why `op` cannot be submitted (empty if it can).
    std::error_code validate(const operation& op) const noexcept;
    /// Prepares the SQE(s) for op's next step; false when the SQ has no room.
    bool arm(operation& op) noexcept;
    /// arm() or park in overflow_, preserving FIFO order.
    void arm_or_park(operation& op) noexcept;
    /// Turns one CQE into a completion, a re-queue or nothing.
    void handle_cqe(const io_uring_cqe& cqe) noexcept;
    void handle_op_cqe(operation& op, int res, unsigned flags) noexcept;
    void handle_accept_cqe(operation& op, int res, unsigned flags) noexcept;
    void handle_transfer_cqe(operation& op, int res) noexcept;
    void finish_connect(operation& op) noexcept;

    // ---- io_uring_recv_pooled.cpp ----
    /// Allocates the receive pool and, where the kernel takes one, its
    /// provided-buffer ring (first recv_pooled submit); clears op.data and
    /// op.size. False with `ec`.
    bool ensure_recv_pool(operation& op, std::error_code& ec) noexcept;
    /// Prepares op's SQE: a buffer-select recv (multishot if asked) or, without
    /// a ring, a POLLIN poll.
    void prep_recv_pooled(io_uring_sqe& sqe, operation& op) noexcept;
    void handle_recv_pooled_cqe(operation& op, int res, unsigned flags) noexcept;
    /// A recv_pooled that must finish, not re-arm or park: cancelled, the
    /// context closing, or its socket's close in flight.
    bool recv_ends(const operation& op) const noexcept;
    /// Fallback without a ring: the poll said readable; recv into a pool buffer.
    void recv_pooled_after_poll(operation& op) noexcept;
    /// A chunk for `op`: a completion with more() (multishot) or its final one.
    void deliver_chunk(operation& op, int bytes, std::byte* data, bool kernel_armed) noexcept;
    /// No buffer for `op`: counted, then re-armed if buffers came back
    /// meanwhile, else parked in starved_ until release_recv_buffer.
    void starve(operation& op) noexcept;
    /// Re-arms starved receives, one per buffer that could serve it.
    void wake_starved() noexcept;
    /// A lent buffer back into the ring (ring mode) or the free list; false
    /// (logged) if it was not lent.
    bool return_recv_buffer(std::byte* data) noexcept;

    // ---- io_uring_context.cpp ----
    /// An SQE, submitting once to make room; nullptr (counted) if still full.
    /// `need` > 1 reserves room for a linked chain.
    io_uring_sqe* get_sqe(unsigned need = 1) noexcept;
    /// Queues an ASYNC_CANCEL for op, or parks the request in cancel_waiting_.
    void submit_cancel(operation& op) noexcept;
    /// Final completion: leaves every queue, pending_ drops, callback queued.
    void finish(operation& op, std::int64_t result, std::error_code error) noexcept;
    /// Final completion found outside the ring: delivered on the next run_once.
    void defer(operation& op, std::error_code error) noexcept;
    void arm_wake() noexcept;
    void drain_waiting() noexcept;
    /// Parked ops on `fd` complete with operation_canceled (close).
    void cancel_parked_on(native_handle fd, const operation* except) noexcept;
    bool fixed_index(const operation& op, unsigned& index) const noexcept;

    io_uring ring_{};                          // the submission/completion rings
    bool ring_ok_ = false;                     // ring_ was set up (queue_exit needed)
    int wake_fd_ = -1;                         // eventfd written by wake()
    std::uint64_t wake_value_ = 0;             // target of the pending eventfd read
    bool wake_armed_ = false;                  // an eventfd read is in the ring
    bool closing_ = false;                     // destructor running: no new kernel work
    unsigned batch_size_ = 128;                // CQEs harvested per run_once
    std::size_t pending_ = 0;                  // submitted, not finally completed
    context_counters counters_;                // see context_counters
    op_queue overflow_;                        // ops waiting for SQ room (FIFO)
    op_queue cancel_waiting_;                  // in-flight ops whose cancel SQE found no room
    op_queue deferred_;                        // ops completing on the next run_once
    std::vector<io_uring_cqe*> cqes_;          // peek buffer, batch_size_ entries
    std::vector<uring_completion> ready_;      // harvested, callbacks not run yet
    std::byte* fixed_base_ = nullptr;          // registered region start (nullptr: none)
    std::size_t fixed_chunk_ = 0;              // bytes per registered iovec
    std::size_t fixed_count_ = 0;              // registered iovecs
    context_options options_;                  // as given (the receive pool is sized from it)
    recv_pool recv_pool_;                      // recv_pooled's buffers (allocated on first use)
    aligned_bytes buf_ring_mem_;               // the provided-buffer ring's entries (nullptr: no ring)
    io_uring_buf_ring* buf_ring_ = nullptr;    // buf_ring_mem_ as the kernel's ring (nullptr: poll fallback)
    unsigned buf_ring_mask_ = 0;               // ring entries - 1 (entries a power of two)
    op_queue starved_;                         // recv_pooled ops waiting for a pool buffer (FIFO)
    std::unordered_set<int> closing_fds_;      // sockets with a close in flight (see recv_ends)

    post_queue posted_;                        // post()ed functions (any thread in, owner runs)
    std::atomic<bool> wake_pending_{false};    // eventfd written, read not harvested
};

}  // namespace swarmbench::detail
