// io_context: the portable completion-port contract every backend provides.
//
// Required of every backend (io_uring, epoll, iocp), like mio's "Required types":
//   * submit(op) never blocks and never completes inline: on_complete always
//     runs later, from run()/run_once()/poll() on the owning thread.
//   * Each submitted operation completes exactly once (see operation.hpp),
//     including after cancel(), close, errors, a full submission ring (queued,
//     not failed) and destruction of the context (pending ops complete with
//     operation_canceled during the destructor, on the destroying thread).
//   * Short sends and file writes are re-queued until done.
//   * Completions are harvested in bounded batches and run outside the wait.
//   * Errors are reported per operation; the context keeps running.
//
// Thread rules: one thread owns a context. Everything here must be called on
// that thread, except post(), stop() and the const accessors marked
// "any thread". Create the context on the thread that will run it, or hand it
// over before the first run().
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <system_error>

#include "swarmbench/backend.hpp"
#include "swarmbench/operation.hpp"

namespace swarmbench {

class buffer_pool;

/// Options for opening a file.
struct file_options {
    bool create = true;             // create if missing
    bool truncate = false;          // truncate to zero first
    bool read_only = false;         // open for reading only
    bool direct = false;            // O_DIRECT / FILE_FLAG_NO_BUFFERING (aligned buffers!)
    std::uint64_t preallocate = 0;  // reserve this many bytes (fallocate) if > 0
};

/// Counters a context keeps about itself. Read on the owning thread, or via
/// io_context::counters_snapshot() from any thread.
struct context_counters {
    std::uint64_t submitted = 0;      // operations accepted by submit()
    std::uint64_t completed = 0;      // completions delivered (multishot counts each)
    std::uint64_t requeued = 0;       // short transfers re-queued
    std::uint64_t queue_full = 0;     // times the submission queue was full
    std::uint64_t wakeups = 0;        // cross-thread wake-ups received
    std::uint64_t batches = 0;        // completion batches harvested
    std::uint64_t recv_starved = 0;   // times a recv_pooled found the receive pool empty and waited
};

class io_context {
public:
    virtual ~io_context() = default;
    io_context(const io_context&) = delete;
    io_context& operator=(const io_context&) = delete;

    /// Which backend this is, and why it was chosen (any thread).
    virtual backend_kind kind() const noexcept = 0;

    // ---- asynchronous operations (owning thread) ----

    /// Queues `op`. Fill op.code, the request fields and op.on_complete first.
    /// Invalid requests complete (later, never inline) with an error.
    virtual void submit(operation& op) = 0;

    /// Requests cancellation of a pending operation. If it has not completed
    /// yet it completes exactly once: with operation_canceled, or with its
    /// real result if that raced ahead. Cancelling an operation that is not
    /// pending on this context is a no-op.
    virtual void cancel(operation& op) = 0;

    // ---- synchronous handle management (owning thread; never blocks on the network) ----

    /// socket + SO_REUSEADDR (+ SO_REUSEPORT if asked) + bind + listen; the
    /// socket is non-blocking and associated with this context. port 0 picks
    /// one; local_endpoint() tells which.
    virtual native_handle open_listener(const endpoint& where, int backlog, bool reuse_port,
                                        std::error_code& ec) = 0;

    /// A non-blocking TCP socket for connect, optionally bound to `source`
    /// (e.g. 127.0.0.7:0 to spread peers over loopback addresses).
    virtual native_handle open_tcp_socket(endpoint::family_t family, const endpoint* source,
                                          std::error_code& ec) = 0;

    /// Opens a regular file for read_at/write_at/fsync.
    virtual native_handle open_file(const std::string& path, const file_options& options,
                                    std::error_code& ec) = 0;

    /// Closes a handle with no pending operations at once. Prefer op_code::close
    /// when operations may be pending.
    virtual void close_now(native_handle h) noexcept = 0;

    /// The local address a socket is bound to.
    virtual endpoint local_endpoint(native_handle socket, std::error_code& ec) const = 0;

    /// Optional speed-up: registers the pool's memory with the kernel (io_uring
    /// fixed buffers). Returns false, harmlessly, where the backend has no such
    /// thing. The pool must outlive the context or be unregistered first.
    virtual bool register_buffers(buffer_pool& pool) { (void)pool; return false; }

    // ---- the receive pool behind op_code::recv_pooled (owning thread) ----

    /// Gives back a buffer that a recv_pooled completion handed over (its
    /// op.data). Call it in on_complete or any time later on the owning
    /// thread, never after the context is destroyed. The buffer must not be
    /// touched afterwards: a waiting recv_pooled may be filled into it at
    /// once. A pointer that is not a lent pool buffer is logged and ignored.
    virtual void release_recv_buffer(std::byte* data) noexcept = 0;

    /// How many receive-pool buffers recv_pooled completions have handed to
    /// callers and not had back yet (0 before the pool exists). Owning thread
    /// (a plain count, not synchronised); for tests and memory accounting.
    virtual std::size_t recv_buffers_lent() const noexcept = 0;

    // ---- running (owning thread) ----

    /// Waits up to `timeout` (negative: forever) for completions, runs at most
    /// one bounded batch of them plus any posted functions. Returns how many
    /// completion callbacks and posted functions ran.
    virtual std::size_t run_once(std::chrono::nanoseconds timeout) = 0;

    /// run_once(0).
    std::size_t poll() { return run_once(std::chrono::nanoseconds(0)); }

    /// Runs until stop() is called.
    void run();

    /// Runs until `deadline` or stop(), whichever first.
    void run_until(std::chrono::steady_clock::time_point deadline);

    /// Number of submitted operations that have not completed for the last time.
    virtual std::size_t pending() const noexcept = 0;

    /// Counters since creation.
    virtual const context_counters& counters() const noexcept = 0;

    // ---- cross-thread (any thread) ----

    /// Runs `fn` on the owning thread during a later run_once(), and wakes the
    /// context if it is waiting. Functions run in the order posted.
    virtual void post(std::function<void()> fn) = 0;

    /// Makes run() return (any thread). run_once() keeps working afterwards;
    /// call restart() before run() again.
    void stop();
    void restart() noexcept;
    bool stopped() const noexcept;

protected:
    io_context() = default;

    /// Wakes the owning thread out of its wait (any thread).
    virtual void wake() = 0;

private:
    std::atomic<bool> stop_requested_{false};  // set by stop(), read by run()
};

/// Options every backend understands (unknown ones are ignored).
struct context_options {
    unsigned queue_entries = 4096;   // io_uring SQ size / epoll event batch
    unsigned file_threads = 2;       // epoll: threads serving regular-file operations
    unsigned batch_size = 128;       // completions harvested per run_once
    // The receive pool behind op_code::recv_pooled, allocated on the first
    // recv_pooled submit (contexts that never use it pay nothing).
    unsigned recv_buffer_size = 32 * 1024;  // bytes per pool buffer: the most one completion carries
    unsigned recv_buffer_count = 512;       // pool buffers (io_uring rounds its ring up to a power of two)
};

/// The only function that names concrete backends (engine/src/<os>/make_io_context.cpp).
/// Creates a context of `kind`; backend_kind::automatic picks the best that
/// works here (honouring SWARMBENCH_BACKEND) and logs any fallback. On failure
/// returns nullptr and sets ec to a message naming the fix.
std::unique_ptr<io_context> make_io_context(backend_kind kind, const context_options& options,
                                            std::error_code& ec);

}  // namespace swarmbench
