// file_worker_pool: the threads that run the epoll backend's regular-file
// operations (read_at, write_at, fsync, fdatasync). epoll cannot wait on
// regular files, so, like libuv's threadpool, a few threads do the blocking
// calls and hand the finished operations back to the context.
//
// Thread rules:
//   * submit(), cancel(), cancel_handle(), cancel_all(), take_done() and stop()
//     are called by the owning context's thread only.
//   * A worker owns an operation only between taking it from the job queue and
//     putting it on the done list. It fills op.result, op.error and
//     op.priv_.done, and never calls on_complete: the context thread does.
//   * The list links (op.priv_.next / prev) and the phase marker (op.priv_.aux)
//     of an operation inside the pool are guarded by the pool mutex; the
//     context must not touch them until take_done() or a cancel hands it back.
//   * `notify` is called from a worker thread (outside the lock) when the done
//     list goes from empty to non-empty; it must be safe from any thread.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

#include "common/op_queue.hpp"
#include "swarmbench/operation.hpp"

namespace swarmbench::detail {

class file_worker_pool {
public:
    /// Wakes the context; called from a worker thread.
    using notify_fn = void (*)(void* arg) noexcept;

    /// No thread starts before the first submit(), so network-only contexts
    /// cost no threads. `threads` 0 is treated as 1.
    file_worker_pool(unsigned threads, notify_fn notify, void* notify_arg) noexcept;
    /// stop(); operations still queued are not completed (cancel_all() them first).
    ~file_worker_pool();
    file_worker_pool(const file_worker_pool&) = delete;
    file_worker_pool& operator=(const file_worker_pool&) = delete;

    /// Queues a file operation (op.code is read_at, write_at, fsync or
    /// fdatasync). Starts the workers on first use; false with ec set if no
    /// thread could be started (the operation is then not queued).
    bool submit(operation& op, std::error_code& ec);

    /// Removes `op` if no worker has taken it yet; true if removed. A running
    /// operation stays and arrives through take_done() with its real result.
    bool cancel(operation& op) noexcept;

    /// Removes every queued (not running) operation on `h` and hands them
    /// back to the caller, oldest first.
    op_queue cancel_handle(native_handle h) noexcept;

    /// Removes every queued operation; handed back as above.
    op_queue cancel_all() noexcept;

    /// Takes every finished operation, in finishing order (empty if none).
    op_queue take_done() noexcept;

    /// Lets running jobs finish, then joins the workers. Queued jobs stay queued.
    void stop() noexcept;

private:
    void worker_main() noexcept;
    static void execute(operation& op) noexcept;

    std::mutex mutex_;                  // guards everything below except threads_/thread_count_
    std::condition_variable jobs_cv_;   // signalled when a job is queued or on stop
    op_queue jobs_;                     // queued jobs, oldest first
    op_queue done_;                     // finished jobs, in finishing order
    bool stopping_ = false;             // workers exit once set
    std::vector<std::thread> threads_;  // started lazily; touched by the context thread only
    unsigned thread_count_ = 1;         // how many workers to start
    notify_fn notify_ = nullptr;        // wakes the context when done_ becomes non-empty
    void* notify_arg_ = nullptr;        // argument for notify_
};

}  // namespace swarmbench::detail
