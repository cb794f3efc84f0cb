// stats: the measuring instruments the workloads share: counters a context
// thread writes and a sampler reads, a latency histogram, process CPU and RSS.
//
// Thread rules: relaxed_counter is written by one thread (its context's) and
// read by any; latency_histogram belongs to one thread at a time (hand it
// over through a join or a lock); the process_* functions are any-thread.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>

namespace swarmbench {

/// A counter with one writer and any number of readers. The writer pays a
/// plain load and store (no locked instruction) on the hot path; readers see
/// a recent value. Relaxed ordering: totals are exact once the writer has
/// been joined, approximate (but never torn) while it runs.
class relaxed_counter {
public:
    /// Writer thread only.
    void add(std::uint64_t n) noexcept {
        value_.store(value_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    }
    /// Any thread.
    std::uint64_t get() const noexcept { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<std::uint64_t> value_{0};  // single-writer running total
};

/// Log-linear histogram of durations (HdrHistogram-style): 32 sub-buckets per
/// power of two, so any percentile is within ~3% of the true value, in a fixed
/// 15 KiB with no allocation on record().
class latency_histogram {
public:
    /// Records one duration (negative counts as zero).
    void record(std::chrono::nanoseconds d) noexcept;
    /// Adds another histogram's counts (merging per-thread histograms).
    void merge(const latency_histogram& other) noexcept;

    std::uint64_t count() const noexcept { return count_; }
    /// The value below which `fraction` (0..1) of the samples lie, in
    /// nanoseconds; 0 when empty. Reports the middle of the bucket.
    double percentile_ns(double fraction) const noexcept;
    double mean_ns() const noexcept { return count_ ? static_cast<double>(sum_ns_) / static_cast<double>(count_) : 0; }
    std::uint64_t max_ns() const noexcept { return max_ns_; }

private:
    static constexpr int sub_bits = 5;                  // 32 sub-buckets per octave
    static constexpr int octaves = 59;                  // up to 2^64 ns
    static constexpr std::size_t bucket_count = (octaves + 1) << sub_bits;
    std::array<std::uint64_t, bucket_count> buckets_{};  // sample counts per bucket
    std::uint64_t count_ = 0;                            // samples recorded
    std::uint64_t sum_ns_ = 0;                           // for the mean
    std::uint64_t max_ns_ = 0;                           // largest sample
};

/// Request latencies of one connection (a peer summary) in 4 sub-buckets per
/// power of two (~20% resolution) in 16-bit counts (324 bytes: there is one
/// per connection): enough for a per-peer p50/p99. A full bucket halves every
/// count, which keeps the shape (the percentiles) and forgets the oldest.
class compact_histogram {
public:
    void record(std::int64_t ns) noexcept;
    double percentile_ns(double fraction) const noexcept;

private:
    std::array<std::uint16_t, 160> buckets_{};  // 40 octaves x 4
    std::uint32_t count_ = 0;                   // sum of the buckets
};

/// Resident set size of this process in bytes (0 if unknown).
std::uint64_t process_rss_bytes() noexcept;

/// User + system CPU time this process has used, in seconds (all threads,
/// including kernel I/O workers that belong to it).
double process_cpu_seconds() noexcept;

}  // namespace swarmbench
