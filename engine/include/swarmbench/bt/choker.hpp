// choker: which remote peers one of our peers uploads to (BEP 3 choking),
// decided across all of that peer's connections on an injected clock.
//
// Every rechoke interval the interested peers that gave us most since the
// previous rechoke keep the regular slots (slots - 1; tit-for-tat on what
// they uploaded to us, or, when we are a seed and they upload nothing, on
// what we uploaded to them, i.e. who downloads fastest); every optimistic
// interval one more interested, choked peer is unchoked at random, in the
// slot kept for it. Peers that are not interested are left as they are.
//
// Pure: no clock, no I/O; the caller passes `now` and applies the decisions
// (a choke or unchoke message per change). Thread rules: one choker per
// local peer, on its thread.
#pragma once

#include <cstdint>
#include <span>

namespace swarmbench::bt {

struct choker_options {
    std::uint32_t slots = 4;                              // unchoked at once, the optimistic one included
    std::int64_t rechoke_interval_ns = 10'000'000'000;    // regular rechoke
    std::int64_t optimistic_interval_ns = 30'000'000'000; // optimistic rotation
    std::uint64_t seed = 1;                               // the optimistic draw
};

/// One connection as the choker sees it. `unchoked` is its state going in
/// and the decision coming out.
struct choke_candidate {
    std::uint32_t id = 0;           // the caller's handle (the optimistic one is remembered by it)
    bool interested = false;        // the remote wants our pieces
    bool unchoked = false;          // in: we unchoke it now; out: we should
    std::uint64_t uploaded = 0;     // bytes we sent it since the previous rechoke
    std::uint64_t downloaded = 0;   // bytes it sent us since the previous rechoke
};

class choker {
public:
    explicit choker(const choker_options& options);

    /// Whether a peer that just became interested may be unchoked at once:
    /// fewer than `slots` are unchoked now.
    bool slot_free(std::size_t unchoked_now) const noexcept { return unchoked_now < options_.slots; }

    /// What a tick did.
    struct result {
        bool rechoked = false;  // regular slots decided: reset the per-rechoke byte counts
        bool rotated = false;   // a new optimistic unchoke was drawn
    };
    /// Decides `candidates[i].unchoked` when a rechoke or a rotation is due
    /// (the first call does both); otherwise leaves them alone. `seed`: we
    /// have every piece (rank by what we uploaded, not by what we got).
    result tick(std::int64_t now, std::span<choke_candidate> candidates, bool seed);

    /// The current optimistic unchoke's id, or 0 for none.
    std::uint32_t optimistic() const noexcept { return optimistic_; }
    /// When the next tick will decide something.
    std::int64_t next_due() const noexcept;

private:
    std::uint64_t next_random() noexcept;

    choker_options options_;           // slots and intervals
    std::uint32_t optimistic_ = 0;     // id of the optimistic unchoke, 0: none
    bool started_ = false;             // the first tick happened
    std::int64_t next_rechoke_ = 0;    // when the next regular rechoke is due
    std::int64_t next_optimistic_ = 0; // when the next rotation is due
    std::uint64_t rng_;                // splitmix64 state
};

}  // namespace swarmbench::bt
