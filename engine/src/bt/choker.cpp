// choker: see choker.hpp.
#include "swarmbench/bt/choker.hpp"

#include <algorithm>
#include <vector>

#include "swarmbench/splitmix.hpp"

namespace swarmbench::bt {

choker::choker(const choker_options& options) : options_(options), rng_(options.seed) {}

std::uint64_t choker::next_random() noexcept { return splitmix64(rng_); }

std::int64_t choker::next_due() const noexcept {
    return started_ ? std::min(next_rechoke_, next_optimistic_) : 0;
}

choker::result choker::tick(std::int64_t now, std::span<choke_candidate> candidates, bool seed) {
    result r;
    const bool first = !started_;
    started_ = true;
    if (first || now >= next_optimistic_) {
        // The previous optimistic unchoke goes back to the regular ranking
        // (choked unless the rechoke below gives it a regular slot).
        std::vector<choke_candidate*> pool;
        for (choke_candidate& c : candidates) {
            if (c.id == optimistic_ && c.unchoked) c.unchoked = false;
            if (c.interested && !c.unchoked) pool.push_back(&c);
        }
        optimistic_ = 0;
        if (!pool.empty()) {
            choke_candidate& lucky = *pool[next_random() % pool.size()];
            lucky.unchoked = true;
            optimistic_ = lucky.id;
        }
        next_optimistic_ = now + options_.optimistic_interval_ns;
        r.rotated = true;
    }
    if (first || now >= next_rechoke_) {
        std::vector<choke_candidate*> ranked;
        for (choke_candidate& c : candidates)
            if (c.interested && c.id != optimistic_) ranked.push_back(&c);
        const auto score = [seed](const choke_candidate* c) { return seed ? c->uploaded : c->downloaded; };
        std::stable_sort(ranked.begin(), ranked.end(),
                         [&](const choke_candidate* a, const choke_candidate* b) { return score(a) > score(b); });
        const std::size_t regular = options_.slots > 1 ? options_.slots - 1 : options_.slots;
        for (std::size_t i = 0; i < ranked.size(); ++i) ranked[i]->unchoked = i < regular;
        next_rechoke_ = now + options_.rechoke_interval_ns;
        r.rechoked = true;
    }
    return r;
}

}  // namespace swarmbench::bt
