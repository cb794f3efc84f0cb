// epoll_context: the readiness-based Linux backend, turning epoll readiness
// into io_context completions (io_context.hpp, operation.hpp). Only
// make_epoll_context() is used outside the epoll_*.cpp files.
//
// Thread rules: everything runs on the owning thread, except post() and
// wake() (any thread) and the file_worker_pool's workers, which only touch
// operations the pool holds (see file_worker_pool.hpp).
#pragma once

#include <sys/epoll.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <new>
#include <vector>

#include "common/op_queue.hpp"
#include "common/post_queue.hpp"
#include "common/recv_pool.hpp"
#include "common/timer_heap.hpp"
#include "file_worker_pool.hpp"
#include "swarmbench/io_context.hpp"

namespace swarmbench::detail {

/// Bits of op.priv_.state (owning thread only; the pool never reads them).
enum epoll_op_state : std::uint32_t {
    eps_pending = 1u << 0,        // submitted; last completion not yet delivered
    eps_read_q = 1u << 1,         // in its descriptor's read queue (recv, accept)
    eps_write_q = 1u << 2,        // in its descriptor's write queue (send, connect, shutdown)
    eps_heap = 1u << 3,           // in the timer heap (timer, connect timeout)
    eps_pool = 1u << 4,           // held by the file worker pool
    eps_completing = 1u << 5,     // in the completion list
    eps_connecting = 1u << 6,     // connect() said EINPROGRESS; waiting for EPOLLOUT
    eps_cancel = 1u << 7,         // multishot: cancel asked while a result was in flight
    eps_close_wait = 1u << 8,     // close waiting for the descriptor's file jobs
};

/// The epoll backend's overlay on op.priv_.storage.
struct epoll_op_data {
    std::int64_t deadline_ns = 0;  // timer / connect-timeout deadline, steady_clock ns
    std::uint32_t heap_index = 0;  // position in the timer heap while eps_heap
    std::uint32_t generation = 0;  // descriptor generation when queued (multishot re-arm)
};
static_assert(sizeof(epoll_op_data) <= sizeof(detail::op_private::storage));

inline epoll_op_data& epoll_data(operation& op) noexcept {
    return *std::launder(reinterpret_cast<epoll_op_data*>(op.priv_.storage));
}

/// Registration and readiness of one descriptor (owning thread).
struct epoll_fd_state {
    op_queue read_q;                   // recv and accept, served in order
    op_queue write_q;                  // send, connect and shutdown, served in order
    operation* close_waiter = nullptr; // close op deferred until file_jobs drops to 0
    std::uint32_t generation = 0;      // bumped on every close, invalidates re-arms
    std::uint32_t file_jobs = 0;       // operations of this descriptor inside the pool
    bool registered = false;           // added to the epoll set (once per descriptor)
    bool readable = false;             // edge seen and no EAGAIN since
    bool writable = false;             // edge seen and no EAGAIN since
    bool hup = false;                  // peer closed / error seen: never assume drained
    bool closing = false;              // a close is deferred; new operations fail EBADF
    bool starved = false;              // read_q's head is a recv_pooled waiting for a pool buffer

    /// Forgets everything but the generation (descriptor closed or reused).
    void reset() noexcept;
};

/// Descriptor table with stable addresses: chunks allocated on first use, so
/// a reference survives the table growing while it is held.
class epoll_fd_table {
public:
    static constexpr int chunk_size = 1024;  // descriptors per chunk

    /// nullptr if `fd` was never used.
    epoll_fd_state* find(int fd) noexcept;
    /// Allocates the chunk if needed (throws std::bad_alloc).
    epoll_fd_state& get(int fd);
    /// Calls fn(fd, state) for every allocated slot.
    template <class Fn>
    void for_each(Fn&& fn) {
        for (std::size_t c = 0; c < chunks_.size(); ++c) {
            if (!chunks_[c]) continue;
            for (int i = 0; i < chunk_size; ++i) fn(static_cast<int>(c) * chunk_size + i, (*chunks_[c])[i]);
        }
    }

private:
    std::vector<std::unique_ptr<std::array<epoll_fd_state, chunk_size>>> chunks_;  // index fd / chunk_size
};

/// Where the timer heap finds an operation's deadline and slot.
struct epoll_heap_slot {
    static std::int64_t deadline(operation& op) noexcept { return epoll_data(op).deadline_ns; }
    static std::uint32_t& index(operation& op) noexcept { return epoll_data(op).heap_index; }
};
using epoll_timer_heap = timer_heap<epoll_heap_slot>;

class epoll_context final : public io_context {
public:
    /// Takes ownership of both descriptors (the wake eventfd is already in the set).
    epoll_context(const context_options& options, int epoll_fd, int wake_fd);
    /// Completes every pending operation with operation_canceled (on this
    /// thread), waits for running file jobs, then closes epoll and eventfd.
    ~epoll_context() override;

    backend_kind kind() const noexcept override { return backend_kind::epoll; }

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

    std::size_t run_once(std::chrono::nanoseconds timeout) override;
    std::size_t pending() const noexcept override { return pending_; }
    const context_counters& counters() const noexcept override { return counters_; }
    void release_recv_buffer(std::byte* data) noexcept override;
    std::size_t recv_buffers_lent() const noexcept override { return recv_pool_.lent(); }

    void post(std::function<void()> fn) override;

protected:
    void wake() override;

private:
    enum class attempt { finished, blocked };

    // ---- submit paths (epoll_context.cpp) ----
    void submit_socket_op(operation& op, bool read_side);
    void submit_file_op(operation& op);
    void submit_close(operation& op);
    epoll_fd_state* state_for(native_handle h, std::error_code& ec);
    /// state_for(op.handle), or nullptr after finishing `op` with the reason (bad or closing handle).
    epoll_fd_state* state_for_submit(operation& op);
    bool ensure_registered(epoll_fd_state& st, int fd, std::error_code& ec);
    void forget_fd(int fd) noexcept;

    // ---- readiness into syscalls (epoll_socket_ops.cpp) ----
    void on_event(int fd, std::uint32_t events);
    void process_read(epoll_fd_state& st);
    void process_write(epoll_fd_state& st);
    attempt try_accept(epoll_fd_state& st, operation& op);
    attempt try_recv(epoll_fd_state& st, operation& op);
    attempt try_send(epoll_fd_state& st, operation& op);
    attempt try_connect(epoll_fd_state& st, operation& op);
    attempt try_shutdown(epoll_fd_state& st, operation& op);

    // ---- recv_pooled (epoll_recv_pooled.cpp) ----
    /// Readable: a pool buffer, recv into it, complete. No buffer: waits at
    /// the head of read_q (st.starved, listed in starved_fds_).
    attempt try_recv_pooled(epoll_fd_state& st, operation& op);
    /// Serves starved descriptors, one per buffer now free.
    void wake_starved();

    // ---- completion (epoll_context.cpp) ----
    void finish(operation& op, std::int64_t result, std::error_code ec, bool more = false);
    void finish_in_queue(epoll_fd_state& st, operation& op, std::int64_t result, std::error_code ec,
                         bool more = false);
    void cancel_fd_ops(epoll_fd_state& st, int fd);
    void finish_close(int fd, epoll_fd_state* st, operation& op);
    /// An operation the pool handed back: leaves eps_pool, counts off st's file_jobs, finishes.
    void finish_from_pool(operation& op, epoll_fd_state* st, std::int64_t result, std::error_code ec);
    /// Runs the close deferred on `fd` once its last file job has returned.
    void close_if_jobs_done(int fd, epoll_fd_state* st);
    void harvest_pool();
    void harvest_wake();
    void expire_timers();
    std::size_t deliver(std::size_t limit);
    void rearm_multishot(operation& op);
    /// How long the next wait may sleep, in ns (-1: until an event).
    std::int64_t wait_timeout_ns(std::chrono::nanoseconds timeout) const noexcept;
    /// Waits for events: epoll_pwait2 (nanosecond timeouts, Linux 5.11) where
    /// the kernel has it, else epoll_wait (milliseconds, rounded up).
    int wait_events(std::int64_t timeout_ns);
    static void notify_from_pool(void* self) noexcept;

    context_options options_;                 // as given at creation
    int epoll_fd_ = -1;                       // the epoll instance
    bool pwait2_ = true;                      // epoll_pwait2 works here (false after ENOSYS)
    int wake_fd_ = -1;                        // eventfd for post(), stop() and the pool
    std::vector<epoll_event> events_;         // epoll_wait output, sized once
    epoll_fd_table fds_;                      // per-descriptor queues and readiness
    epoll_timer_heap timers_;                 // timers and connect timeouts
    op_queue completions_;                    // finished, waiting for deliver()
    file_worker_pool pool_;                   // regular-file operations
    std::size_t pending_ = 0;                 // submitted, last completion not delivered
    context_counters counters_;               // owning-thread counters
    bool shutting_down_ = false;              // destructor running: everything cancels
    post_queue posted_;                       // post()ed functions (any thread in, owner runs)
    recv_pool recv_pool_;                     // recv_pooled's buffers (allocated on first use)
    std::deque<int> starved_fds_;             // descriptors with st.starved, oldest first (stale ones skipped)
};

/// Steady-clock nanoseconds, the unit of epoll_op_data::deadline_ns.
inline std::int64_t steady_now_ns() noexcept {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

}  // namespace swarmbench::detail
