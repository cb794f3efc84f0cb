#include "swarmbench/stats.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace swarmbench {

namespace {
constexpr int sub_bits = 5;
constexpr std::uint64_t sub_count = 1u << sub_bits;

// Values below sub_count map one-to-one; above, the top sub_bits+1 bits pick the bucket.
std::size_t bucket_of(std::uint64_t v) noexcept {
    if (v < sub_count) return static_cast<std::size_t>(v);
    int top = 63 - std::countl_zero(v);  // >= sub_bits
    int shift = top - sub_bits;
    std::uint64_t sub = (v >> shift) & (sub_count - 1);
    return static_cast<std::size_t>((static_cast<std::uint64_t>(shift + 1) << sub_bits) + sub);
}

// The middle of the value range a bucket covers.
double bucket_mid(std::size_t b) noexcept {
    if (b < sub_count) return static_cast<double>(b);
    std::uint64_t shift = (b >> sub_bits) - 1;
    std::uint64_t sub = b & (sub_count - 1);
    double low = static_cast<double>((sub_count + sub) << shift);
    double width = static_cast<double>(std::uint64_t{1} << shift);
    return low + width / 2.0;
}
}  // namespace

void latency_histogram::record(std::chrono::nanoseconds d) noexcept {
    std::uint64_t v = d.count() > 0 ? static_cast<std::uint64_t>(d.count()) : 0;
    std::size_t b = bucket_of(v);
    if (b >= bucket_count) b = bucket_count - 1;
    ++buckets_[b];
    ++count_;
    sum_ns_ += v;
    if (v > max_ns_) max_ns_ = v;
}

void latency_histogram::merge(const latency_histogram& other) noexcept {
    for (std::size_t i = 0; i < bucket_count; ++i) buckets_[i] += other.buckets_[i];
    count_ += other.count_;
    sum_ns_ += other.sum_ns_;
    if (other.max_ns_ > max_ns_) max_ns_ = other.max_ns_;
}

double latency_histogram::percentile_ns(double fraction) const noexcept {
    if (count_ == 0) return 0;
    if (fraction < 0) fraction = 0;
    if (fraction > 1) fraction = 1;
    // The rank of the wanted sample, 1-based; at least the first.
    auto rank = static_cast<std::uint64_t>(fraction * static_cast<double>(count_) + 0.5);
    if (rank == 0) rank = 1;
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < bucket_count; ++i) {
        seen += buckets_[i];
        if (seen >= rank) {
            double mid = bucket_mid(i);
            return mid > static_cast<double>(max_ns_) ? static_cast<double>(max_ns_) : mid;
        }
    }
    return static_cast<double>(max_ns_);
}

void compact_histogram::record(std::int64_t ns) noexcept {
    const auto v = static_cast<std::uint64_t>(std::max<std::int64_t>(ns, 1));
    const int octave = 63 - std::countl_zero(v);
    const auto sub = octave >= 2 ? static_cast<int>((v >> (octave - 2)) & 3) : 0;
    const auto idx = std::min<std::size_t>(static_cast<std::size_t>(octave * 4 + sub), buckets_.size() - 1);
    if (buckets_[idx] == UINT16_MAX) {
        count_ = 0;
        for (auto& b : buckets_) count_ += b = static_cast<std::uint16_t>(b / 2);
    }
    ++buckets_[idx];
    ++count_;
}

double compact_histogram::percentile_ns(double fraction) const noexcept {
    if (count_ == 0) return 0;
    const auto want = static_cast<std::uint64_t>(std::clamp(fraction, 0.0, 1.0) * static_cast<double>(count_ - 1)) + 1;
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < buckets_.size(); ++i) {
        seen += buckets_[i];
        if (seen >= want) {
            const int octave = static_cast<int>(i / 4);
            const double base = std::ldexp(1.0, octave);
            return base + base * (static_cast<double>(i % 4) + 0.5) / 4.0;
        }
    }
    return 0;
}

}  // namespace swarmbench
