// deliver_completions: the last step of run_once in the backends that keep
// their own completion list (epoll, IOCP): run up to `limit` callbacks,
// keeping the exactly-once bookkeeping in one place.
//
// Thread rules: the owning context's thread only.
#pragma once

#include <cstddef>
#include <cstdint>

#include "common/op_queue.hpp"
#include "swarmbench/io_context.hpp"

namespace swarmbench::detail {

/// Pops and completes operations from `completions`, at most `limit`.
/// A final completion clears the state bits and counts off `pending` before
/// its callback (which may resubmit the same operation); a multishot one
/// clears only `completing_bit` (pending, in no list: "in its callback") and
/// is handed to `rearm(op)` after its callback. Returns how many ran.
template <class Rearm>
std::size_t deliver_completions(op_queue& completions, std::size_t limit, std::uint32_t completing_bit,
                                std::size_t& pending, context_counters& counters, Rearm&& rearm) {
    std::size_t ran = 0;
    while (ran < limit) {
        operation* op = completions.pop_front();
        if (op == nullptr) break;
        ++ran;
        ++counters.completed;
        if (!op->more_) {
            op->priv_.state = 0;
            --pending;
            if (op->on_complete != nullptr) op->on_complete(*op);
            continue;
        }
        op->priv_.state &= ~completing_bit;
        if (op->on_complete != nullptr) op->on_complete(*op);
        rearm(*op);
    }
    return ran;
}

}  // namespace swarmbench::detail
