// iocp_flush_pool: see iocp_flush_pool.hpp for the thread rules.
#include "iocp_flush_pool.hpp"

#include <algorithm>

#include "iocp_context.hpp"

namespace swarmbench::detail {

iocp_flush_pool::iocp_flush_pool(unsigned threads, HANDLE port, ULONG_PTR key) noexcept
    : thread_count_(threads == 0 ? 1 : threads), port_(port), key_(key) {}

iocp_flush_pool::~iocp_flush_pool() { stop(); }

bool iocp_flush_pool::submit(operation& op, std::error_code& ec) {
    ec.clear();
    if (threads_.size() < thread_count_) {
        try {
            threads_.emplace_back([this] { worker_main(); });
        } catch (const std::system_error& e) {
            // Zero workers is fatal for this job; fewer than asked is fine.
            if (threads_.empty()) {
                ec = e.code();
                return false;
            }
        }
    }
    {
        std::lock_guard<std::mutex> lock(mutex_);
        jobs_.push_back(&op);
    }
    jobs_cv_.notify_one();
    return true;
}

bool iocp_flush_pool::withdraw(operation& op) noexcept {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = std::find(jobs_.begin(), jobs_.end(), &op);
    if (it == jobs_.end()) return false;
    jobs_.erase(it);
    return true;
}

std::vector<operation*> iocp_flush_pool::withdraw_all() {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<operation*> out(jobs_.begin(), jobs_.end());
    jobs_.clear();
    return out;
}

void iocp_flush_pool::stop() noexcept {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
    }
    jobs_cv_.notify_all();
    for (std::thread& t : threads_) {
        if (t.joinable()) t.join();
    }
    threads_.clear();
}

void iocp_flush_pool::worker_main() noexcept {
    for (;;) {
        operation* op = nullptr;
        {
            std::unique_lock<std::mutex> lock(mutex_);
            jobs_cv_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
            if (stopping_) return;  // queued jobs stay for withdraw_all()
            op = jobs_.front();
            jobs_.pop_front();
        }
        // fsync and fdatasync alike: Windows has one flush for data and metadata.
        const BOOL ok = ::FlushFileBuffers(as_handle(op->handle));
        iocp_data(*op).worker_error = ok ? 0 : ::GetLastError();
        // The packet hands the operation back; the port orders our write
        // above before the owner's read after dequeuing it.
        ::PostQueuedCompletionStatus(port_, 0, key_, &iocp_data(*op).ov);
    }
}

}  // namespace swarmbench::detail
