// file_worker_pool: blocking pread/pwrite/fsync on a few threads for the
// epoll backend. See file_worker_pool.hpp for the thread rules.
#include "file_worker_pool.hpp"

#include <unistd.h>

#include <cerrno>
#include <utility>

#include "swarmbench/log.hpp"

namespace swarmbench::detail {
namespace {

// Phases kept in op.priv_.aux while the pool holds an operation (under the mutex).
constexpr std::uint32_t phase_queued = 1;   // in the job queue; cancel() may remove it
constexpr std::uint32_t phase_running = 2;  // a worker is executing it
constexpr std::uint32_t phase_done = 3;     // on the done list

// Repeats a positioned transfer from op.priv_.done on until all op.size
// bytes moved, `io` returns 0 (then `on_zero` is the error) or fails
// (EINTR retried). op.priv_.done counts what moved either way.
template <class Io>
std::error_code transfer_all(operation& op, std::error_code on_zero, Io io) noexcept {
    while (op.priv_.done < op.size) {
        const ssize_t n = io(op.data + op.priv_.done, op.size - op.priv_.done,
                             static_cast<off_t>(op.offset + op.priv_.done));
        if (n > 0) {
            op.priv_.done += static_cast<std::uint64_t>(n);
        } else if (n == 0) {
            return on_zero;
        } else if (errno != EINTR) {
            return std::error_code(errno, std::system_category());
        }
    }
    return {};
}

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
        jobs_.push_back(op);
    }
    jobs_cv_.notify_one();
    return true;
}

bool file_worker_pool::cancel(operation& op) noexcept {
    std::lock_guard<std::mutex> lock(mutex_);
    if (op.priv_.aux != phase_queued) return false;
    jobs_.remove(op);
    op.priv_.aux = 0;
    return true;
}

op_queue file_worker_pool::cancel_handle(native_handle h) noexcept {
    std::lock_guard<std::mutex> lock(mutex_);
    op_queue out = jobs_.extract_if(
        [h](const operation& op) noexcept { return h == invalid_handle || op.handle == h; });
    out.for_each([](operation& op) { op.priv_.aux = 0; });
    return out;
}

op_queue file_worker_pool::cancel_all() noexcept { return cancel_handle(invalid_handle); }

op_queue file_worker_pool::take_done() noexcept {
    std::lock_guard<std::mutex> lock(mutex_);
    op_queue out = std::move(done_);
    out.for_each([](operation& op) { op.priv_.aux = 0; });
    return out;
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
        jobs_cv_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
        if (stopping_) return;
        operation* op = jobs_.pop_front();
        op->priv_.aux = phase_running;
        lock.unlock();

        execute(*op);

        lock.lock();
        op->priv_.aux = phase_done;
        const bool was_empty = done_.empty();
        done_.push_back(*op);
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
            // n == 0 is EOF: the contract allows result < size only there.
            ec = transfer_all(op, {}, [fd](void* at, std::size_t n, off_t off) { return ::pread(fd, at, n, off); });
            break;
        case op_code::write_at:
            // n == 0 is no progress and no error: stop rather than spin.
            ec = transfer_all(op, std::make_error_code(std::errc::io_error),
                              [fd](void* at, std::size_t n, off_t off) { return ::pwrite(fd, at, n, off); });
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
