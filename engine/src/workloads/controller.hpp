// controller: small pieces the workload runners share on their controlling
// thread: a wake-up the context threads can ring, a bounded error log, and
// "run this on every context and wait".
//
// Thread rules: see each class.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <system_error>
#include <vector>

#include "swarmbench/context_group.hpp"
#include "swarmbench/results.hpp"

namespace swarmbench::detail {

using clock = std::chrono::steady_clock;

/// Seconds between two time points, as a double.
inline double seconds_between(clock::time_point a, clock::time_point b) {
    return std::chrono::duration<double>(b - a).count();
}

/// A doorbell: context threads ring it, the controller waits on it with a
/// deadline. Any thread may ring; one controller waits.
class doorbell {
public:
    void ring() {
        std::lock_guard lock(m_);
        ++rings_;
        cv_.notify_all();
    }
    /// Returns when rung since the last call, or at `deadline`.
    void wait_until(clock::time_point deadline) {
        std::unique_lock lock(m_);
        cv_.wait_until(lock, deadline, [&] { return rings_ != seen_; });
        seen_ = rings_;
    }

private:
    std::mutex m_;                // guards rings_, seen_
    std::condition_variable cv_;  // signalled by ring()
    std::uint64_t rings_ = 0;     // times rung
    std::uint64_t seen_ = 0;      // rings_ at the controller's last wake
};

/// The first few error messages of a run (any thread), each already run
/// through describe_error so it names the fix.
class error_log {
public:
    void add(std::string message) {
        std::lock_guard lock(m_);
        ++count_;
        if (messages_.size() < max_messages) messages_.push_back(std::move(message));
    }
    /// Moves the messages into a summary, noting how many were left out.
    void drain_into(run_summary& summary) {
        std::lock_guard lock(m_);
        for (auto& msg : messages_) summary.error_messages.push_back(std::move(msg));
        if (count_ > messages_.size())
            summary.error_messages.push_back("(" + std::to_string(count_ - messages_.size()) +
                                             " more errors not shown)");
        messages_.clear();
        count_ = 0;
    }

private:
    static constexpr std::size_t max_messages = 8;
    std::mutex m_;                       // guards everything below
    std::vector<std::string> messages_;  // the first max_messages messages
    std::uint64_t count_ = 0;            // messages offered, shown or not
};

/// Runs fn(i, context i) on every context thread and waits for all of them
/// (controller thread). Returns false if they did not all finish by `deadline`.
/// fn must not block; it runs on context threads.
bool run_on_each(context_group& group, const std::function<void(std::size_t, io_context&)>& fn,
                 clock::time_point deadline);

/// Waits until `finished` reaches `expected` (each shard counts itself in and
/// rings `bell` when it has closed everything) or `limit` passes. Returns
/// whether they all finished (controller thread).
inline bool wait_for_shards(doorbell& bell, const std::atomic<std::size_t>& finished, std::size_t expected,
                            std::chrono::seconds limit) {
    const auto deadline = clock::now() + limit;
    while (finished.load(std::memory_order_acquire) < expected && clock::now() < deadline)
        bell.wait_until(std::min(deadline, clock::now() + std::chrono::milliseconds(50)));
    return finished.load(std::memory_order_acquire) >= expected;
}

/// Marks a run as failed before or during set-up: status, error count,
/// message (shown by the front ends from the results, not logged).
void fail_run(results& r, const std::string& message);

/// True for the errors a cancelled operation completes with.
inline bool is_cancel(const std::error_code& ec) { return ec == std::errc::operation_canceled; }

/// True for the errors a peer that goes away causes (not our failure).
inline bool is_peer_gone(const std::error_code& ec) {
    return ec == std::errc::connection_reset || ec == std::errc::broken_pipe ||
           ec == std::errc::connection_aborted;
}

}  // namespace swarmbench::detail
