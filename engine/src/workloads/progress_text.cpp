#include "swarmbench/workloads/progress_text.hpp"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "swarmbench/units.hpp"

namespace swarmbench {

namespace {

/// A part of the line and how much it matters (0: always shown; a larger
/// number goes first when the line is too wide).
struct segment {
    std::string text;  // with its leading separator
    int rank = 0;
    std::string brief = {};  // a shorter form tried before anything is left out (empty: none)
};

std::string fit(std::vector<segment> parts, std::size_t width) {
    auto length = [&] {
        std::size_t n = 0;
        for (const auto& p : parts) n += p.text.size();
        return n;
    };
    // Shorter forms first (the rate without its bits): they lose less than a part does.
    for (auto& p : parts)
        if (width > 0 && length() > width && !p.brief.empty()) p.text = std::move(p.brief);
    while (width > 0 && length() > width) {
        // The highest rank goes; of equal ranks, the last.
        auto worst = std::max_element(parts.begin(), parts.end(),
                                      [](const segment& x, const segment& y) { return x.rank <= y.rank; });
        if (worst == parts.end() || worst->rank == 0) break;
        parts.erase(worst);
    }
    std::string line;
    for (const auto& p : parts) line += p.text;
    if (width > 0 && line.size() > width) line.resize(width);  // what must stay is wider than asked
    return line;
}

}  // namespace

std::string progress_text(const progress& p, std::size_t width) {
    char when[48];
    if (p.duration_s > 0) std::snprintf(when, sizeof(when), "[%5.1f/%.1f s]", p.elapsed_s, p.duration_s);
    else std::snprintf(when, sizeof(when), "[%5.1f s]", p.elapsed_s);
    std::vector<segment> parts{{when, 0}, {" " + (p.phase.empty() ? std::string("starting") : p.phase), 0}};
    auto conns = [&] { return segment{"  " + format_count(p.done) + " conns", 5}; };
    auto rate = [&](int rank) {
        return segment{"  " + format_rate(p.rate_bytes_per_s), rank, "  " + format_bytes(p.rate_bytes_per_s) + "/s"};
    };
    if (p.fraction >= 0 && p.phase == "running") {
        // Swarm: rate, share done and the time left at the current rate.
        char pct[64];
        std::snprintf(pct, sizeof(pct), "  %5.1f%%", 100.0 * p.fraction);
        parts.push_back(rate(2));
        parts.push_back({"  " + format_bytes(static_cast<double>(p.bytes)), 4});
        parts.push_back({pct, 1});
        if (p.total > 0 && p.rate_bytes_per_s > 0 && p.bytes < p.total) {
            char eta[48];
            std::snprintf(eta, sizeof(eta), "  ETA %.0f s", static_cast<double>(p.total - p.bytes) / p.rate_bytes_per_s);
            parts.push_back({eta, 3});
        }
        parts.push_back(conns());
    } else if (p.phase == "connecting") {
        parts.push_back({" " + format_count(p.done) + "/" + format_count(p.total) + " established", 1});
    } else {
        parts.push_back(rate(2));
        parts.push_back({"  " + format_bytes(static_cast<double>(p.bytes)), 3});
        if (p.total > 0 && (p.phase == "writing" || p.phase == "syncing" || p.phase == "stopping"))
            parts.push_back({"  " + format_count(p.done) + "/" + format_count(p.total) + " ops", 4});
        else
            parts.push_back(conns());
    }
    if (p.errors > 0) parts.push_back({"  " + format_count(p.errors) + " errors", 1});
    if (!p.warning.empty()) parts.push_back({"  " + p.warning, 6});
    return fit(std::move(parts), width);
}

}  // namespace swarmbench
