// op_queue: the intrusive FIFO of operations that every backend threads
// through operation::priv_.next / prev (io_uring's overflow and cancel
// queues, epoll's per-descriptor queues and completion list, the epoll file
// pool's job and done lists). Header-only: every call is a few pointer moves.
//
// Thread rules: none of its own. Whoever owns the queue (a context's thread,
// or a mutex holder in the file pool) is the only one touching it and the
// links of the operations in it.
//
// Ownership: the queue never owns operations; it links caller-owned ones.
// An operation is in at most one op_queue at a time (one pair of links).
#pragma once

#include <utility>

#include "swarmbench/operation.hpp"

namespace swarmbench::detail {

class op_queue {
public:
    op_queue() noexcept = default;
    // Moving hands the whole chain over and leaves the source empty; a copy
    // would let two queues claim the same links.
    op_queue(op_queue&& other) noexcept
        : head_(std::exchange(other.head_, nullptr)), tail_(std::exchange(other.tail_, nullptr)) {}
    op_queue& operator=(op_queue&& other) noexcept {
        head_ = std::exchange(other.head_, nullptr);
        tail_ = std::exchange(other.tail_, nullptr);
        return *this;
    }
    op_queue(const op_queue&) = delete;
    op_queue& operator=(const op_queue&) = delete;

    bool empty() const noexcept { return head_ == nullptr; }
    /// Oldest operation, or nullptr; it stays queued.
    operation* front() const noexcept { return head_; }

    void push_back(operation& op) noexcept {
        op.priv_.next = nullptr;
        op.priv_.prev = tail_;
        if (tail_ != nullptr) {
            tail_->priv_.next = &op;
        } else {
            head_ = &op;
        }
        tail_ = &op;
    }

    /// Puts `op` back at the head (an operation popped but not served).
    void push_front(operation& op) noexcept {
        op.priv_.prev = nullptr;
        op.priv_.next = head_;
        if (head_ != nullptr) {
            head_->priv_.prev = &op;
        } else {
            tail_ = &op;
        }
        head_ = &op;
    }

    /// Unlinks and returns the oldest operation, or nullptr when empty.
    operation* pop_front() noexcept {
        operation* op = head_;
        if (op != nullptr) remove(*op);
        return op;
    }

    /// Unlinks `op`, which must be in this queue.
    void remove(operation& op) noexcept {
        if (op.priv_.prev != nullptr) {
            op.priv_.prev->priv_.next = op.priv_.next;
        } else {
            head_ = op.priv_.next;
        }
        if (op.priv_.next != nullptr) {
            op.priv_.next->priv_.prev = op.priv_.prev;
        } else {
            tail_ = op.priv_.prev;
        }
        op.priv_.next = nullptr;
        op.priv_.prev = nullptr;
    }

    /// Calls fn(op) for each operation, oldest first; fn must not unlink any.
    template <class Fn>
    void for_each(Fn&& fn) const {
        for (operation* op = head_; op != nullptr; op = op->priv_.next) fn(*op);
    }

    /// Moves every operation for which pred(op) holds into the returned
    /// queue, keeping their order; the others stay here in theirs.
    template <class Pred>
    op_queue extract_if(Pred&& pred) noexcept(noexcept(pred(std::declval<const operation&>()))) {
        op_queue out;
        for (operation* op = head_; op != nullptr;) {
            operation* next = op->priv_.next;
            if (pred(static_cast<const operation&>(*op))) {
                remove(*op);
                out.push_back(*op);
            }
            op = next;
        }
        return out;
    }

private:
    operation* head_ = nullptr;  // oldest
    operation* tail_ = nullptr;  // newest
};

}  // namespace swarmbench::detail
