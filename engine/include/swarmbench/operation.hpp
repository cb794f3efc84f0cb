// operation: one asynchronous request to an io_context, and its result.
//
// An operation is an intrusive object owned by the caller (usually embedded in
// a peer or connection object, like Asio's win_iocp_operation or an OVERLAPPED).
// The caller fills the request fields and submits it; the context completes it
// by calling `on_complete(op)` through a plain function pointer (no virtual
// call on the hot path) on the context's own thread.
//
// Ownership and lifetime rules (the caller's promise):
//   * From io_context::submit(op) until on_complete(op) has been called for
//     the last time (more() == false), the operation object and the buffer
//     [data, data + size) must stay valid and must not be modified.
//   * Every submitted operation completes exactly once (multishot accept and
//     recv_pooled: once per connection or chunk with more() == true, then
//     exactly once more with more() == false). This holds through cancel(), close, errors,
//     a full submission ring, and destruction of the context (which completes
//     everything still pending with std::errc::operation_canceled).
//   * on_complete runs on the thread that runs the context; it may submit new
//     operations, cancel others and even resubmit `op` itself.
//   * recv_pooled is the exception to the buffer rule: the caller passes no
//     buffer, so an idle connection pins none. Each completion that carries
//     data hands the caller a buffer of the context's receive pool
//     (op.data, op.result bytes); the caller owns it until it gives it back
//     with io_context::release_recv_buffer(op.data), in on_complete or
//     later, on the owning thread, and never after the context is destroyed
//     (the pool's memory dies with the context). A buffer already handed
//     over stays the caller's through cancel, close and the context's
//     destructor's final completions.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <system_error>

#include "swarmbench/endpoint.hpp"

namespace swarmbench {

/// A file descriptor on POSIX; a SOCKET or HANDLE (as an integer) on Windows.
using native_handle = std::intptr_t;
inline constexpr native_handle invalid_handle = -1;

enum class op_code : std::uint8_t {
    nop,        // completes on the next turn of the loop with result 0
    accept,     // handle: listener. result: the accepted socket; peer: its address.
                //   With op_flags::multishot: completes once per connection (more()).
    connect,    // handle: from open_tcp_socket(). peer: destination.
                //   timeout > 0 limits the attempt (error std::errc::timed_out).
    send,       // sends all of [data, data+size) (short writes are re-queued);
                //   result: bytes sent == size, or an error.
    recv,       // result: bytes received (1..size), or 0 when the peer closed.
                //   With op_flags::recv_all: fills all `size` bytes unless the peer
                //   closes first (then result < size).
    shutdown,   // stops the sending side (FIN); pending receives continue.
    close,      // cancels every pending operation on `handle` (they complete
                //   with operation_canceled), then closes it; result 0.
    read_at,    // file: reads `size` bytes at `offset`; result < size only at EOF.
    write_at,   // file: writes all `size` bytes at `offset`; result == size.
    fsync,      // file: flushes data and metadata.
    fdatasync,  // file: flushes data (and metadata needed to read it back).
    timer,      // completes after `timeout` with no error (cancelled: operation_canceled).
    recv_pooled,  // handle: a connected socket; the caller sets no data/size. The
                //   buffer is taken from the context's receive pool only when data
                //   has arrived. On completion op.data points at that buffer, which
                //   holds op.result bytes (1..context_options::recv_buffer_size) and
                //   is the caller's until io_context::release_recv_buffer(op.data).
                //   result 0 with op.data == nullptr: the peer closed. Errors as for
                //   recv, with op.data == nullptr. With op_flags::multishot: stays
                //   armed, completes once per received chunk (more() == true) in
                //   arrival order, then once more (more() == false, op.data ==
                //   nullptr) on peer close, error or cancel. An empty pool does not
                //   fail it: it waits (TCP holds the data; context_counters::
                //   recv_starved counts the waits) and goes on when buffers come back.
};

/// Returns "accept", "write_at", ... for logs and error messages.
const char* to_string(op_code code) noexcept;

enum op_flags : std::uint8_t {
    op_flag_none = 0,
    op_flag_multishot = 1 << 0,  // accept, recv_pooled: stay armed until cancelled, closed or error
    op_flag_recv_all = 1 << 1,   // recv: do not complete before `size` bytes (or close)
};

struct operation;

/// Completion callback; see the rules at the top of this file.
using completion_fn = void (*)(operation& op);

namespace detail {
/// Backend-private state. Each backend overlays its own struct on `storage`
/// (an OVERLAPPED and AcceptEx address block on Windows, a timespec on
/// io_uring) and static_asserts that it fits.
struct op_private {
    std::uint64_t done = 0;        // bytes already transferred (short-write re-queue)
    operation* next = nullptr;     // intrusive link for backend queues
    operation* prev = nullptr;     // intrusive link for backend queues
    std::uint32_t state = 0;       // backend state bits (pending, cancel requested, ...)
    std::uint32_t aux = 0;         // backend scratch (e.g. a worker or slot index)
    alignas(16) unsigned char storage[192];  // backend-specific overlay
};
}  // namespace detail

struct operation {
    // ---- request: set by the caller before submit ----
    op_code code = op_code::nop;            // what to do
    std::uint8_t flags = op_flag_none;      // op_flags bits
    native_handle handle = invalid_handle;  // socket or file acted on
    std::byte* data = nullptr;              // buffer for send/recv/read_at/write_at;
                                            //   recv_pooled: set by the context (a pool buffer)
    std::uint32_t size = 0;                 // bytes to transfer
    std::uint64_t offset = 0;               // file offset for read_at/write_at
    std::chrono::nanoseconds timeout{0};    // timer duration; connect limit (0: none)
    endpoint peer;                          // connect: destination; accept: filled in
    completion_fn on_complete = nullptr;    // called once per completion, see above
    void* user = nullptr;                   // caller's pointer, never touched by the engine

    // ---- result: set by the context just before on_complete ----
    std::int64_t result = 0;  // bytes transferred, or the accepted socket
    std::error_code error;    // empty on success
    bool more_ = false;       // multishot: further completions will follow

    /// True while a multishot operation is still armed.
    bool more() const noexcept { return more_; }
    /// Convenience: result as a handle (accept).
    native_handle accepted() const noexcept { return static_cast<native_handle>(result); }

    // ---- backend-private; do not touch ----
    detail::op_private priv_;
};

}  // namespace swarmbench
