// iocp_context: the Windows backend, an I/O completion port turned into
// io_context completions (io_context.hpp, operation.hpp). Only
// make_iocp_context() (backends.hpp) is used outside the iocp_*.cpp files.
//
// Thread rules: one thread owns the context and everything below: the
// handle table, the queues, the timer heap, the completion list. A port
// would let any number of threads dequeue, but then callbacks would run on
// whichever thread got the packet and every structure here would need a
// lock; the engine scales by one context (and port) per core instead
// (STYLE.md, Engine 6), so only the owner dequeues (run_once and the
// destructor) and no state needs a lock. The exceptions: post() and wake()
// (any thread: a packet with wake_key plus the post_queue's own lock), and
// the flush pool's workers, which only touch the operations they hold (see
// iocp_flush_pool.hpp) and hand them back by posting their OVERLAPPED.
#pragma once

#include "win_io.hpp"  // first: winsock2.h must come before windows.h

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <new>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "common/op_queue.hpp"
#include "common/post_queue.hpp"
#include "common/recv_pool.hpp"
#include "common/timer_heap.hpp"
#include "iocp_flush_pool.hpp"
#include "swarmbench/io_context.hpp"

namespace swarmbench::detail {

/// Bits of op.priv_.state (owning thread only).
enum iocp_op_state : std::uint32_t {
    ios_pending = 1u << 0,     // submitted; last completion not yet delivered
    ios_kernel = 1u << 1,      // its OVERLAPPED is with the kernel or a flush worker: a packet is owed
    ios_read_q = 1u << 2,      // in its handle's read queue (recv)
    ios_write_q = 1u << 3,     // in its handle's write queue (connect, send, shutdown)
    ios_active = 1u << 4,      // in its handle's active list (accept, read_at, write_at, fsync)
    ios_heap = 1u << 5,        // in the timer heap (timer, connect timeout)
    ios_completing = 1u << 6,  // in the completion list
    ios_cancel = 1u << 7,      // cancel() or a close asked for it: failures become operation_canceled
    ios_timed_out = 1u << 8,   // connect: its deadline passed and we cancelled it
    ios_worker = 1u << 9,      // with the flush pool
    ios_close_wait = 1u << 10, // close waiting for the file's operations in flight
    ios_starved = 1u << 11,    // recv_pooled at the head of its read queue, waiting for a pool buffer
};

struct iocp_handle;

/// AcceptEx writes both addresses, each at least 16 bytes beyond the largest sockaddr.
inline constexpr DWORD accept_addr_len = sizeof(sockaddr_in6) + 16;

/// The IOCP backend's overlay on op.priv_.storage. The OVERLAPPED comes
/// first; a packet's OVERLAPPED* leads back to the operation through `self`.
struct iocp_op_data {
    OVERLAPPED ov;                 // handed to the kernel (or posted by a flush worker)
    operation* self = nullptr;     // the operation this overlay belongs to
    iocp_handle* hs = nullptr;     // the handle it is queued on (nullptr: nop, timer, failed early)
    std::int64_t deadline_ns = 0;  // timer / connect deadline, steady_clock ns
    std::uint32_t heap_index = 0;  // position in the timer heap while ios_heap
    DWORD recv_flags = 0;          // WSARecv's in/out flags; must outlive the call
    DWORD worker_error = 0;        // flush result, written by the worker before its packet
    SOCKET accept_socket = INVALID_SOCKET;     // accept: the socket AcceptEx fills
    unsigned char addresses[2 * accept_addr_len];  // accept: local and remote address
};
static_assert(sizeof(iocp_op_data) <= sizeof(detail::op_private::storage),
              "the IOCP overlay must fit operation::priv_.storage");
static_assert(alignof(iocp_op_data) <= 16);
// A packet's OVERLAPPED* is the overlay's address (harvest() casts it back).
static_assert(std::is_standard_layout_v<iocp_op_data> && offsetof(iocp_op_data, ov) == 0);

inline iocp_op_data& iocp_data(operation& op) noexcept {
    return *std::launder(reinterpret_cast<iocp_op_data*>(op.priv_.storage));
}
inline const iocp_op_data& iocp_data(const operation& op) noexcept {
    return *std::launder(reinterpret_cast<const iocp_op_data*>(op.priv_.storage));
}

/// One socket or file this context has associated with its port (owning
/// thread). Its address stays valid while operations refer to it: a closed
/// handle lingers, out of the table, until its last operation is back.
struct iocp_handle {
    enum class kind_t : std::uint8_t { socket, file };

    native_handle h = invalid_handle;  // the SOCKET or HANDLE
    kind_t kind = kind_t::socket;      // which calls apply
    int family = AF_INET;              // socket: address family (AcceptEx makes a twin)
    std::int8_t listening = -1;        // socket: 1 listening, 0 not, -1 not asked yet (SO_ACCEPTCONN)
    op_queue read_q;                   // recv: the head is in the kernel, the rest wait (recv_all re-issues)
    op_queue write_q;                  // connect, send, shutdown: likewise, so short sends never interleave
    op_queue active;                   // accept, read_at, write_at, fsync: each in flight on its own
    operation* close_waiter = nullptr; // close deferred until the file's operations are back
    std::uint32_t parked = 0;          // multishot accepts between a completion and their re-arm
    bool skip_on_success = false;      // FILE_SKIP_COMPLETION_PORT_ON_SUCCESS is set
    bool closed = false;               // closed (or closing): out of the table, new operations fail
    bool in_free_list = false;         // released: waiting in free_handles_ for reuse

    /// Nothing refers to it any more.
    bool idle() const noexcept {
        return read_q.empty() && write_q.empty() && active.empty() && parked == 0 && close_waiter == nullptr;
    }
};

/// Where the timer heap finds an operation's deadline and slot.
struct iocp_heap_slot {
    static std::int64_t deadline(operation& op) noexcept { return iocp_data(op).deadline_ns; }
    static std::uint32_t& index(operation& op) noexcept { return iocp_data(op).heap_index; }
};
using iocp_timer_heap = timer_heap<iocp_heap_slot>;

class iocp_context final : public io_context {
public:
    /// Takes ownership of `port`.
    iocp_context(const context_options& options, HANDLE port);
    /// Cancels everything, waits (bounded) until the kernel and the flush
    /// pool have returned every OVERLAPPED, and completes all pending
    /// operations with operation_canceled on this thread. Handles the caller
    /// opened stay open (they are the caller's).
    ~iocp_context() override;

    backend_kind kind() const noexcept override { return backend_kind::iocp; }

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
    /// Where an operation stands after a step.
    enum class step {
        in_flight,  // a packet is owed
        again,      // partial transfer (or a retry): issue the next part now
        finished,   // completed and on the completion list
        waiting,    // no packet owed: waits for a pool buffer (release_recv_buffer restarts it)
    };

    // ---- handles (iocp_context.cpp) ----
    iocp_handle* register_handle(native_handle h, iocp_handle::kind_t kind, int family, std::error_code& ec,
                                 std::int8_t listening = -1);
    iocp_handle* adopt(native_handle h, std::error_code& ec);
    iocp_handle* handle_for_submit(operation& op, iocp_handle::kind_t want);
    void cancel_handle_ops(iocp_handle& hs);
    void close_handle(iocp_handle& hs);
    void release_if_idle(iocp_handle* hs) noexcept;

    // ---- submit, cancel, close (iocp_context.cpp) ----
    void submit_queued(operation& op, iocp_handle& hs, op_queue& q, iocp_op_state bit);
    void submit_active(operation& op, iocp_handle& hs);
    void submit_close(operation& op);
    void submit_flush(operation& op, iocp_handle& hs);
    void finish_deferred_close(iocp_handle& hs);

    // ---- issuing overlapped calls and handling their results (iocp_ops.cpp) ----
    /// Issues op's call until it is in flight or finished.
    step run_op(operation& op);
    step start(operation& op);
    step start_accept(operation& op);
    step start_connect(operation& op);
    step start_recv(operation& op);
    step start_send(operation& op);
    step start_shutdown(operation& op);
    step start_file_io(operation& op);
    /// The call returned `ok` (with `bytes`) or failed with `error`: in
    /// flight (a packet is owed), or its result now.
    step after_call(operation& op, bool ok, DWORD bytes, DWORD error);
    /// op's call is over: decides requeue or finish.
    step advance(operation& op, DWORD bytes, DWORD error);
    step accepted(operation& op);

    // ---- recv_pooled (iocp_recv_pooled.cpp) ----
    /// A zero-byte WSARecv (pins no buffer), or straight to the receive if starved.
    step start_recv_pooled(operation& op);
    /// Data (or the end) is there: a pool buffer and a recv that cannot block.
    step recv_pooled_now(operation& op);
    /// Restarts starved receives, one per buffer now free.
    void wake_starved();
    /// A packet for `op` came off the port.
    void on_packet(operation& op, const OVERLAPPED_ENTRY& entry);
    /// Issues the operations waiting in `q` (a read or write queue) in order.
    void pump(op_queue& q);
    /// The Win32/WSA code of a packet whose status says failure.
    DWORD packet_error(operation& op);
    /// The error for a failed call: timed_out / operation_canceled when we
    /// asked for it, else the mapped code.
    std::error_code op_error(const operation& op, DWORD error) const;

    // ---- completion and running (iocp_context.cpp) ----
    void finish(operation& op, std::int64_t result, std::error_code ec, bool more = false);
    /// finish() for an operation on a handle: leaves the handle's queue first.
    void finish_on_handle(operation& op, std::int64_t result, std::error_code ec, bool more = false);
    void unlink_from_handle(operation& op) noexcept;
    void expire_timers();
    void rearm_multishot(operation& op);
    std::size_t deliver(std::size_t limit);
    /// Dequeues up to a batch; returns whether a wake-up packet was among them.
    bool harvest(DWORD wait_ms);
    DWORD wait_timeout_ms(std::chrono::nanoseconds timeout) const noexcept;

    context_options options_;                 // as given at creation
    HANDLE port_ = nullptr;                   // the completion port (owned)
    std::vector<OVERLAPPED_ENTRY> entries_;   // GetQueuedCompletionStatusEx output, sized once (batch_size)
    std::unordered_map<native_handle, iocp_handle*> handles_;  // open handles by value
    std::vector<std::unique_ptr<iocp_handle>> owned_;  // every handle object ever made (table, closed, free)
    std::vector<iocp_handle*> free_handles_;  // released objects, reused by register_handle
    iocp_timer_heap timers_;                  // timers and connect deadlines
    op_queue completions_;                    // finished, waiting for deliver()
    iocp_flush_pool flush_pool_;              // FlushFileBuffers off the owning thread
    std::size_t pending_ = 0;                 // submitted, last completion not delivered
    std::size_t owed_packets_ = 0;            // operations whose OVERLAPPED the kernel or a worker holds
    context_counters counters_;               // owning-thread counters
    bool shutting_down_ = false;              // destructor running: new operations cancel at once
    post_queue posted_;                       // post()ed functions (any thread in, owner runs)
    recv_pool recv_pool_;                     // recv_pooled's buffers (allocated on first use)
    std::deque<iocp_handle*> starved_handles_;  // handles whose read_q head starved, oldest first (stale skipped)
};

/// Steady-clock nanoseconds, the unit of iocp_op_data::deadline_ns.
inline std::int64_t iocp_now_ns() noexcept {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

}  // namespace swarmbench::detail
