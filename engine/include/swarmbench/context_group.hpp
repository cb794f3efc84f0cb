// context_group: N io_contexts, each run by its own thread (thread-per-core,
// shared-nothing). Each thread creates its own context, so the context is
// owned by the thread that runs it from the start.
//
// Thread rules: construct, post(), stop() and destroy from any one controlling
// thread. context(i) may only be used on thread i (from a posted function or
// a completion callback); other threads reach it through post(i, fn).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

#include "swarmbench/backend.hpp"
#include "swarmbench/io_context.hpp"

namespace swarmbench {

class context_group {
public:
    /// Starts `threads` threads (0: one per core), each creating and running a
    /// context of `kind`. On failure (any context cannot be created) all
    /// threads are stopped, ec says why, and size() is 0.
    context_group(backend_kind kind, unsigned threads, const context_options& options,
                  std::error_code& ec);
    /// stop() and join().
    ~context_group();
    context_group(const context_group&) = delete;
    context_group& operator=(const context_group&) = delete;

    std::size_t size() const noexcept { return contexts_.size(); }
    /// The backend every context runs.
    backend_kind kind() const noexcept { return kind_; }

    /// Context i: touch only on thread i.
    io_context& context(std::size_t i) noexcept { return *contexts_[i]; }

    /// Runs fn(context(i)) on thread i.
    void post(std::size_t i, std::function<void(io_context&)> fn);

    /// Asks every thread to return from run() (any thread); idempotent.
    void stop();
    /// Waits for the threads; destroys each context on its own thread first.
    void join();

private:
    backend_kind kind_ = backend_kind::automatic;          // resolved backend
    std::vector<std::unique_ptr<io_context>> contexts_;  // one per thread, index = thread
    std::vector<std::thread> threads_;                  // runners
    std::mutex m_;  // guards contexts_ slots against a thread destroying its context
};

}  // namespace swarmbench
