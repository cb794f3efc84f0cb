// run_control: how a caller (CLI, app, Python) stops a running workload and
// watches its progress. Shared by every workload.
//
// Thread rules: `stop` may be set from any thread or a signal handler (it is
// a lock-free atomic); on_progress runs on the thread that called the
// workload's run function, between samples, never on a context thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace swarmbench {

/// One progress report, delivered once per sampling interval.
struct progress {
    std::string phase;          // "connecting", "running", "listening", "writing", "syncing", "stopping"
    double elapsed_s = 0;       // seconds since the phase began
    double duration_s = 0;      // planned length of the phase (0: open-ended)
    std::uint64_t bytes = 0;    // payload bytes so far in the measured window
    double rate_bytes_per_s = 0;  // over the last interval
    std::uint64_t done = 0;     // phase-specific count: connections, ops
    std::uint64_t total = 0;    // what `done` counts towards (0: unknown)
    std::uint64_t errors = 0;   // errors so far
    double fraction = -1;       // share of the work done, 0..1 (-1: not known)
    std::string warning{};      // what the user should know now ("no connection to the client ..."), or ""
};

struct run_hooks {
    /// Set to true to end the run early; the workload still returns what it
    /// measured, with summary.status "interrupted". May be null.
    const std::atomic<bool>* stop = nullptr;
    /// Called with each sample (see thread rules). May be empty.
    std::function<void(const progress&)> on_progress;

    bool stop_requested() const noexcept { return stop != nullptr && stop->load(std::memory_order_relaxed); }
};

}  // namespace swarmbench
