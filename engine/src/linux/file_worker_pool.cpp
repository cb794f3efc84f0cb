// file_worker_pool: blocking pread/pwrite/fsync on a few threads for the
// epoll backend. See file_worker_pool.hpp for the thread rules.
#include "file_worker_pool.hpp"

#include <unistd.h>

#include <cerrno>

#include "swarmbench/log.hpp"

namespace swarmbench::detail {
namespace {

// Phases kept in op.priv_.aux while the pool holds an operation (under the mutex).
constexpr std::uint32_t phase_queued = 1;   // in the job queue; cancel() may remove it
constexpr std::uint32_t phase_running = 2;  // a worker is executing it
constexpr std::uint32_t phase_done = 3;     // on the done list

}  // namespace

file_worker_pool::file_worker_pool(unsigned threads, notify_fn notify, void* notify_arg) noexcept
    : thread_count_(threads == 0 ? 1 : threads), notify_(notify), notify_arg_(notify_arg) {}

file_worker_pool::~file_worker_pool() { stop(); }

bool file_worker_pool::submit(operation& op, std::error_code& ec) {
    ec.clear();
    if (threads_.empty()) {
        threads_.reserve(thread_count_);
        for (unsigned i = 0; i < thread_count_; ++i) {
            try {
                threads_.emplace_back([this] { worker_main(); });
            } catch (const std::system_error& e) {
                log().warn("file worker {} of {} failed to start: {}", i + 1, thread_count_, e.what());
                if (threads_.empty()) {
                    ec = e.code();
                    return false;
                }
                break;
            }
        }
    }
    {
        std::lock_guard<std::mutex> lock(mutex_);
        op.priv_.aux = phase_queued;
        op.priv_.next = nullptr;
        op.priv_.prev = job_tail_;
        if (job_tail_ != nullptr) {
            job_tail_->priv_.next = &op;
        } else {
            job_head_ = &op;
        }
        job_tail_ = &op;
    }
    jobs_cv_.notify_one();
    return true;
}

void file_worker_pool::unlink_job(operation& op) noexcept {
    if (op.priv_.prev != nullptr) {
        op.priv_.prev->priv_.next = op.priv_.next;
    } else {
        job_head_ = op.priv_.next;
    }
    if (op.priv_.next != nullptr) {
        op.priv_.next->priv_.prev = op.priv_.prev;
    } else {
        job_tail_ = op.priv_.prev;
    }
    op.priv_.next = nullptr;
    op.priv_.prev = nullptr;
    op.priv_.aux = 0;
}

bool file_worker_pool::cancel(operation& op) noexcept {
    std::lock_guard<std::mutex> lock(mutex_);
    if (op.priv_.aux != phase_queued) return false;
    unlink_job(op);
    return true;
}

operation* file_worker_pool::cancel_handle(native_handle h) noexcept {
    operation* head = nullptr;
    operation* tail = nullptr;
    std::lock_guard<std::mutex> lock(mutex_);
    for (operation* op = job_head_; op != nullptr;) {
        operation* next = op->priv_.next;
        if (h == invalid_handle || op->handle == h) {
            unlink_job(*op);
            if (tail != nullptr) {
                tail->priv_.next = op;
            } else {
                head = op;
            }
            tail = op;
        }
        op = next;
    }
    return head;
}

operation* file_worker_pool::cancel_all() noexcept { return cancel_handle(invalid_handle); }

operation* file_worker_pool::take_done() noexcept {
    std::lock_guard<std::mutex> lock(mutex_);
    operation* head = done_head_;
    for (operation* op = head; op != nullptr; op = op->priv_.next) op->priv_.aux = 0;
    done_head_ = nullptr;
    done_tail_ = nullptr;
    return head;
}

void file_worker_pool::stop() noexcept {
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

void file_worker_pool::worker_main() noexcept {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
        jobs_cv_.wait(lock, [this] { return stopping_ || job_head_ != nullptr; });
        if (stopping_) return;
        operation* op = job_head_;
        unlink_job(*op);
        op->priv_.aux = phase_running;
        lock.unlock();

        execute(*op);

        lock.lock();
        op->priv_.aux = phase_done;
        op->priv_.next = nullptr;
        const bool was_empty = done_head_ == nullptr;
        if (done_tail_ != nullptr) {
            done_tail_->priv_.next = op;
        } else {
            done_head_ = op;
        }
        done_tail_ = op;
        if (was_empty) {
            // Only the empty -> non-empty edge needs a wake: the context takes
            // the whole list each time it is woken.
            lock.unlock();
            notify_(notify_arg_);
            lock.lock();
        }
    }
}

void file_worker_pool::execute(operation& op) noexcept {
    const int fd = static_cast<int>(op.handle);
    std::error_code ec;
    switch (op.code) {
        case op_code::read_at:
            // Loop until all bytes or EOF: the contract allows result < size only at EOF.
            while (op.priv_.done < op.size) {
                ssize_t n = ::pread(fd, op.data + op.priv_.done, op.size - op.priv_.done,
                                    static_cast<off_t>(op.offset + op.priv_.done));
                if (n > 0) {
                    op.priv_.done += static_cast<std::uint64_t>(n);
                } else if (n == 0) {
                    break;
                } else if (errno != EINTR) {
                    ec = std::error_code(errno, std::system_category());
                    break;
                }
            }
            break;
        case op_code::write_at:
            while (op.priv_.done < op.size) {
                ssize_t n = ::pwrite(fd, op.data + op.priv_.done, op.size - op.priv_.done,
                                     static_cast<off_t>(op.offset + op.priv_.done));
                if (n > 0) {
                    op.priv_.done += static_cast<std::uint64_t>(n);
                } else if (n == 0) {
                    // No progress and no error: stop rather than spin.
                    ec = std::make_error_code(std::errc::io_error);
                    break;
                } else if (errno != EINTR) {
                    ec = std::error_code(errno, std::system_category());
                    break;
                }
            }
            break;
        case op_code::fsync:
            if (::fsync(fd) != 0) ec = std::error_code(errno, std::system_category());
            break;
        case op_code::fdatasync:
            if (::fdatasync(fd) != 0) ec = std::error_code(errno, std::system_category());
            break;
        default:
            ec = std::make_error_code(std::errc::operation_not_supported);
            break;
    }
    op.result = static_cast<std::int64_t>(op.priv_.done);
    op.error = ec;
    op.more_ = false;
}

}  // namespace swarmbench::detail
