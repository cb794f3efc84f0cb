// token_bucket: a link's rate, as a virtual clock (GCRA, the generic cell
// rate algorithm): a link of R bytes/s busy until `busy_until` carries n
// more bytes by max(now, busy_until) + n / R, less the `burst` it may send
// at once after a quiet spell (the depth of the bucket), so a shaper woken
// by a timer a little late does not lose rate.
//
// Time is the caller's clock in nanoseconds (the engine's steady clock, or a
// test's); nothing here reads a clock.
//
// Thread rules: a plain value; one thread at a time.
#pragma once

#include <algorithm>
#include <cstdint>

namespace swarmbench {

class token_bucket {
public:
    /// Unlimited: every take() is done at once.
    token_bucket() = default;
    /// `rate` bytes/s (0: unlimited), `burst` bytes allowed at once.
    token_bucket(std::uint64_t rate, std::uint64_t burst) noexcept : rate_(rate), burst_(burst) {}

    bool unlimited() const noexcept { return rate_ == 0; }
    std::uint64_t rate() const noexcept { return rate_; }

    /// When more bytes could start without exceeding the rate (<= now: at once).
    std::int64_t ready_at(std::int64_t now_ns) const noexcept {
        if (unlimited()) return now_ns;
        return std::max(now_ns, busy_until_ - burst_ns());
    }

    /// Takes `n` bytes at `now`: returns when the link has carried their last
    /// byte (`now` while the burst covers them). Taking before ready_at()
    /// is allowed: the bytes queue behind those taken before.
    std::int64_t take(std::int64_t now_ns, std::uint64_t n) noexcept {
        if (unlimited()) return now_ns;
        busy_until_ = std::max(busy_until_, now_ns) + duration_ns(n);
        return std::max(now_ns, busy_until_ - burst_ns());
    }

private:
    std::int64_t duration_ns(std::uint64_t n) const noexcept {
        // n / rate seconds, rounded up: never faster than the rate. Whole
        // seconds and the rest apart, so n * 1e9 cannot overflow (the rest
        // times 1e9 fits for rates below 18 GB/s; link rates stop at 12.5).
        constexpr std::uint64_t giga = 1'000'000'000u;
        const std::uint64_t whole = n / rate_, rest = n % rate_;
        return static_cast<std::int64_t>(whole * giga + (rest * giga + rate_ - 1) / rate_);
    }
    std::int64_t burst_ns() const noexcept { return duration_ns(burst_); }

    std::uint64_t rate_ = 0;        // bytes/s, 0: unlimited
    std::uint64_t burst_ = 0;       // bytes
    std::int64_t busy_until_ = 0;   // when the link finishes what it was given
};

}  // namespace swarmbench
