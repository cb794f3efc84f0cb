// timer_heap: the binary min-heap of timer operations (timers, connect
// deadlines) shared by the backends that keep their own timers (epoll, IOCP;
// io_uring has kernel timeouts). Keyed by a deadline each backend keeps in its
// own overlay on op.priv_.storage, where it also keeps the operation's slot in
// the heap, so removal (a cancel) is O(log n) with no search.
//
// Thread rules: the owning context's thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "swarmbench/operation.hpp"

namespace swarmbench::detail {

/// `Slot` tells where an operation keeps its key and position:
///   static std::int64_t deadline(operation&) noexcept;   // steady-clock ns
///   static std::uint32_t& index(operation&) noexcept;    // written by the heap
template <class Slot>
class timer_heap {
public:
    bool empty() const noexcept { return ops_.empty(); }
    operation* top() const noexcept { return ops_.empty() ? nullptr : ops_.front(); }

    void push(operation& op) {
        ops_.push_back(&op);
        sift_up(ops_.size() - 1);
    }

    /// Removes `op` if it is in the heap (a no-op otherwise).
    void remove(operation& op) noexcept {
        const std::size_t i = Slot::index(op);
        if (i >= ops_.size() || ops_[i] != &op) return;
        operation* last = ops_.back();
        ops_.pop_back();
        if (last == &op) return;
        place(i, last);
        sift_down(i);
        sift_up(Slot::index(*last));
    }

    /// Hands every operation to fn and empties the heap (destructors).
    template <class Fn>
    void drain(Fn&& fn) {
        std::vector<operation*> all;
        all.swap(ops_);
        for (operation* op : all) fn(*op);
    }

private:
    void place(std::size_t i, operation* op) noexcept {
        ops_[i] = op;
        Slot::index(*op) = static_cast<std::uint32_t>(i);
    }

    void sift_up(std::size_t i) noexcept {
        operation* op = ops_[i];
        const std::int64_t key = Slot::deadline(*op);
        while (i > 0) {
            const std::size_t parent = (i - 1) / 2;
            if (Slot::deadline(*ops_[parent]) <= key) break;
            place(i, ops_[parent]);
            i = parent;
        }
        place(i, op);
    }

    void sift_down(std::size_t i) noexcept {
        operation* op = ops_[i];
        const std::int64_t key = Slot::deadline(*op);
        const std::size_t n = ops_.size();
        for (;;) {
            std::size_t child = 2 * i + 1;
            if (child >= n) break;
            if (child + 1 < n && Slot::deadline(*ops_[child + 1]) < Slot::deadline(*ops_[child])) ++child;
            if (key <= Slot::deadline(*ops_[child])) break;
            place(i, ops_[child]);
            i = child;
        }
        place(i, op);
    }

    std::vector<operation*> ops_;  // heap order; capacity kept for the steady state
};

}  // namespace swarmbench::detail
