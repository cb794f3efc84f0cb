// iocp_flush_pool: the threads that run FlushFileBuffers for the IOCP
// backend's fsync and fdatasync. Windows has no overlapped flush, and
// FlushFileBuffers blocks until the disk has the data, so (like libuv's
// threadpool for fs_fsync) a worker makes the call and hands the operation
// back through the completion port: PostQueuedCompletionStatus with the
// operation's OVERLAPPED, exactly like a finished kernel I/O.
//
// Shutdown cannot lose a wake-up: workers wait on a condition variable for
// "a job or stopping_", checked under the mutex, and stop() sets the flag
// and notifies them all. No per-worker shutdown packets go through a port
// that several workers read (in one GetQueuedCompletionStatusEx batch a
// worker could take two of them and another would never wake).
//
// Thread rules:
//   * submit(), withdraw(), withdraw_all() and stop() are called on the
//     owning context's thread only.
//   * A worker owns an operation only between taking it from the queue and
//     posting its packet. It reads op.handle and op.code, writes the overlay's
//     result code (iocp_op_data::worker_error) and nothing else: the
//     operation's list links stay the context's.
#pragma once

#include <windows.h>

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

#include "swarmbench/operation.hpp"

namespace swarmbench::detail {

class iocp_flush_pool {
public:
    /// No thread starts before the first submit(). `threads` 0 is treated as 1.
    iocp_flush_pool(unsigned threads, HANDLE port, ULONG_PTR key) noexcept;
    /// stop(). Queued jobs are dropped: withdraw_all() them first.
    ~iocp_flush_pool();
    iocp_flush_pool(const iocp_flush_pool&) = delete;
    iocp_flush_pool& operator=(const iocp_flush_pool&) = delete;

    /// Queues a flush of op.handle; its packet arrives on the port when done.
    /// False with ec set if no worker could be started (nothing queued).
    bool submit(operation& op, std::error_code& ec);

    /// Removes `op` if no worker has taken it; true if removed (no packet will come).
    bool withdraw(operation& op) noexcept;

    /// Removes every queued job (no packet will come for them).
    std::vector<operation*> withdraw_all();

    /// Lets running flushes finish (their packets are posted), then joins.
    void stop() noexcept;

private:
    void worker_main() noexcept;

    std::mutex mutex_;                 // guards jobs_ and stopping_
    std::condition_variable jobs_cv_;  // a job was queued, or stopping_ was set
    std::deque<operation*> jobs_;      // queued flushes, oldest first
    bool stopping_ = false;            // workers exit once set (each sees it: no lost wake-up)
    std::vector<std::thread> threads_;  // started lazily; owning thread only
    unsigned thread_count_ = 1;        // how many workers to start
    HANDLE port_ = nullptr;            // where finished flushes are posted (not owned)
    ULONG_PTR key_ = 0;                // completion key of those packets
};

}  // namespace swarmbench::detail
