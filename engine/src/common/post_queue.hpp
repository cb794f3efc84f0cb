// post_queue: the queue behind io_context::post(), shared by the backends.
// Any thread pushes a function; the owning thread collects what has been
// pushed and runs it. The wake-up itself stays in each backend (io_uring
// reads its eventfd through the ring, epoll through epoll_wait, IOCP will
// post a completion packet), so push() only says whether one is needed.
//
// Thread rules: push() and has_queued() from any thread; everything else on
// the owning thread only. Functions run on the owning thread, outside the
// lock, and may post again (that lands in the next collect()).
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <mutex>
#include <vector>

namespace swarmbench::detail {

class post_queue {
public:
    /// Any thread. Queues `fn`; true when the queue was empty before, i.e.
    /// when no wake-up is owed yet for what is queued.
    bool push(std::function<void()> fn);

    /// Any thread. True when something may be waiting for collect().
    bool has_queued() const noexcept { return has_queued_.load(std::memory_order_acquire); }

    /// Owning thread. Moves everything queued so far behind what is already
    /// collected (order kept).
    void collect();

    /// Owning thread. True when collect() took functions not run yet.
    bool has_collected() const noexcept { return !collected_.empty(); }

    /// Owning thread. Runs the collected functions, oldest first; returns how many.
    std::size_t run_collected();

    /// Owning thread. collect() then run_collected().
    std::size_t run_all() {
        collect();
        return run_collected();
    }

    /// Owning thread. Destroys everything queued or collected without running it.
    void clear() noexcept;

private:
    std::mutex mutex_;                              // guards queued_
    std::vector<std::function<void()>> queued_;     // pushed, not yet collected
    std::vector<std::function<void()>> collected_;  // collected, not yet run (owning thread)
    std::atomic<bool> has_queued_{false};           // queued_ may be non-empty
};

}  // namespace swarmbench::detail
