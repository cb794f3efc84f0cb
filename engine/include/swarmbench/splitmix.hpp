// splitmix: the engine's one pseudo-random generator, splitmix64 (Steele,
// Lea and Flood): tiny, well mixed, and the same on every platform, unlike
// std's distributions and std::shuffle, whose algorithms the standard
// leaves open, so a seeded run deals, picks and jitters the same anywhere.
//
// Thread rules: pure functions of the caller's state.
#pragma once

#include <cstdint>

namespace swarmbench {

/// The next number of the sequence whose state is `state` (advanced).
inline std::uint64_t splitmix64(std::uint64_t& state) noexcept {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/// Uniform in [0, 1), from the top 53 bits.
inline double splitmix_unit(std::uint64_t& state) noexcept {
    return static_cast<double>(splitmix64(state) >> 11) * 0x1.0p-53;
}

}  // namespace swarmbench
