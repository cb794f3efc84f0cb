#include "swarmbench/context_group.hpp"

#include "swarmbench/error.hpp"
#include "swarmbench/log.hpp"

#include <algorithm>
#include <condition_variable>
#include <mutex>

namespace swarmbench {

context_group::context_group(backend_kind kind, unsigned threads, const context_options& options,
                             std::error_code& ec) {
    ec.clear();
    backend_choice choice = choose_backend(kind);
    if (choice.active == backend_kind::automatic) {
        log().error("{}", choice.reason);  // the error code cannot carry why
        ec = make_error_code(engine_errc::backend_unavailable);
        return;
    }
    kind_ = choice.active;
    if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());

    // Each thread creates its own context, reports, then runs it until stop().
    std::mutex m;
    std::condition_variable cv;
    unsigned ready = 0;
    std::error_code first_error;
    contexts_.resize(threads);
    for (unsigned i = 0; i < threads; ++i) {
        threads_.emplace_back([this, i, &m, &cv, &ready, &first_error, options] {
            std::error_code local;
            auto ctx = make_io_context(kind_, options, local);
            io_context* raw = ctx.get();
            {
                std::lock_guard lock(m);
                if (local && !first_error) first_error = local;
                contexts_[i] = std::move(ctx);
                ++ready;
                // Notify under the lock: the constructor's locals die once it returns.
                cv.notify_all();
            }
            if (raw == nullptr) return;
            raw->run();
            // Destroy on the owning thread: pending operations complete here.
            std::unique_ptr<io_context> mine;
            {
                std::lock_guard lock(m_);
                mine = std::move(contexts_[i]);
            }
        });
    }
    std::unique_lock lock(m);
    cv.wait(lock, [&] { return ready == threads; });
    if (first_error) {
        ec = first_error;
        lock.unlock();
        stop();
        join();
        contexts_.clear();
    }
}

context_group::~context_group() {
    stop();
    join();
}

void context_group::post(std::size_t i, std::function<void(io_context&)> fn) {
    std::lock_guard lock(m_);
    if (i >= contexts_.size() || !contexts_[i]) return;
    io_context* ctx = contexts_[i].get();
    ctx->post([ctx, fn = std::move(fn)] { fn(*ctx); });
}

void context_group::stop() {
    std::lock_guard lock(m_);
    for (auto& c : contexts_)
        if (c) c->stop();
}

void context_group::join() {
    for (auto& t : threads_)
        if (t.joinable()) t.join();
    threads_.clear();
}

}  // namespace swarmbench
