// post_queue: see post_queue.hpp for the thread rules.
#include "common/post_queue.hpp"

#include <utility>

namespace swarmbench::detail {

bool post_queue::push(std::function<void()> fn) {
    std::lock_guard<std::mutex> lock(mutex_);
    const bool was_empty = queued_.empty();
    queued_.push_back(std::move(fn));
    has_queued_.store(true, std::memory_order_release);
    return was_empty;
}

void post_queue::collect() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (collected_.empty()) {
        collected_.swap(queued_);  // the common case: no copy, capacities trade places
    } else {
        for (auto& fn : queued_) collected_.push_back(std::move(fn));
        queued_.clear();
    }
    has_queued_.store(false, std::memory_order_release);
}

std::size_t post_queue::run_collected() {
    if (collected_.empty()) return 0;
    // Run from a local vector: a function may post, or even turn the loop
    // (and so collect) again, without disturbing this iteration.
    std::vector<std::function<void()>> batch;
    batch.swap(collected_);
    for (auto& fn : batch) fn();
    const std::size_t n = batch.size();
    batch.clear();
    if (collected_.empty()) collected_.swap(batch);  // keep the capacity
    return n;
}

void post_queue::clear() noexcept {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        queued_.clear();
        has_queued_.store(false, std::memory_order_release);
    }
    collected_.clear();
}

}  // namespace swarmbench::detail
