// delay_line: what one direction of an emulated link holds, in order, until
// it is due: references to buffers already in flight (never copies), each
// with the time it may be delivered and its size, so what a link holds
// counts in the run's memory figures.
//
// delay_model draws each chunk's one-way delay: a mean plus jitter of a
// shape (link.hpp's jitter_shape), from its own seeded generator so a run
// repeats. A chunk is never due before the one ahead of it: TCP delivers in
// order, so a late chunk holds up those behind it, as a real queue does.
//
// Time is the caller's clock in nanoseconds; nothing here reads a clock.
//
// Thread rules: plain values; one thread at a time (the shard that owns the
// connection).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <deque>
#include <utility>

#include "swarmbench/net/link.hpp"
#include "swarmbench/splitmix.hpp"

namespace swarmbench {

class delay_model {
public:
    delay_model() = default;
    delay_model(std::int64_t mean_ns, std::int64_t jitter_ns, jitter_shape shape, std::uint64_t seed) noexcept
        : mean_ns_(mean_ns), jitter_ns_(jitter_ns), shape_(shape), rng_(seed) {}

    std::int64_t mean_ns() const noexcept { return mean_ns_; }
    bool none() const noexcept { return mean_ns_ == 0 && jitter_ns_ == 0; }

    /// One chunk's delay, >= 0.
    std::int64_t draw() noexcept {
        if (jitter_ns_ == 0) return mean_ns_;
        const double j = static_cast<double>(jitter_ns_);
        double extra = 0;
        switch (shape_) {
            case jitter_shape::normal: {
                // Box-Muller; u1 in (0, 1] so the log is finite.
                const double u1 = 1.0 - unit(), u2 = unit();
                extra = j * std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
                break;
            }
            case jitter_shape::uniform: extra = j * (2.0 * unit() - 1.0); break;
            case jitter_shape::pareto: {
                // Pareto of shape a = 2.5 and scale x_m has mean a x_m / (a - 1):
                // x_m = jitter * 0.6 makes its mean `jitter`.
                constexpr double a = 2.5;
                const double xm = j * (a - 1) / a;
                extra = xm / std::pow(1.0 - unit(), 1.0 / a);
                break;
            }
        }
        return std::max<std::int64_t>(0, mean_ns_ + static_cast<std::int64_t>(std::llround(extra)));
    }

private:
    double unit() noexcept { return splitmix_unit(rng_); }

    std::int64_t mean_ns_ = 0;
    std::int64_t jitter_ns_ = 0;
    jitter_shape shape_ = jitter_shape::normal;
    std::uint64_t rng_ = 1;  // splitmix64 state
};

template <class T>
class delay_line {
public:
    struct entry {
        std::int64_t due_ns;   // when it may be delivered
        std::uint64_t bytes;   // its size, for bytes_held()
        T item;                // a reference to the buffer (a pointer and length, a pool handle)
    };

    /// Holds `item` of `bytes` until `due_ns`, or until the chunk ahead of it
    /// is due if that is later (no reordering). Returns the due time used.
    std::int64_t push(std::int64_t due_ns, std::uint64_t bytes, T item) {
        if (!held_.empty()) due_ns = std::max(due_ns, held_.back().due_ns);
        held_.push_back(entry{due_ns, bytes, std::move(item)});
        bytes_ += bytes;
        return due_ns;
    }

    bool empty() const noexcept { return held_.empty(); }
    std::size_t size() const noexcept { return held_.size(); }
    std::uint64_t bytes_held() const noexcept { return bytes_; }
    /// When the first chunk is due (only when !empty()).
    std::int64_t next_due() const noexcept { return held_.front().due_ns; }

    /// Hands every chunk due by `now` to deliver(entry&&), in order; returns how many.
    template <class Deliver>
    std::size_t release(std::int64_t now_ns, Deliver&& deliver) {
        std::size_t n = 0;
        while (!held_.empty() && held_.front().due_ns <= now_ns) {
            entry e = std::move(held_.front());
            held_.pop_front();
            bytes_ -= e.bytes;
            ++n;
            deliver(std::move(e));
        }
        return n;
    }

    /// Hands every chunk to drop(entry&&) whatever its time (a connection
    /// closing gives its buffers back).
    template <class Drop>
    void clear(Drop&& drop) {
        while (!held_.empty()) {
            entry e = std::move(held_.front());
            held_.pop_front();
            bytes_ -= e.bytes;
            drop(std::move(e));
        }
    }

private:
    std::deque<entry> held_;
    std::uint64_t bytes_ = 0;
};

}  // namespace swarmbench
