#include "frame_stats.hpp"

#include <algorithm>
#include <fstream>
#include <numeric>

#include <nlohmann/json.hpp>

namespace swarmbench::gui {

namespace {

/// Nearest-rank percentiles of `v` (sorted copy), as the CLI's summaries are.
nlohmann::json summary(std::vector<double> v) {
    if (v.empty()) return nlohmann::json::object();
    std::sort(v.begin(), v.end());
    auto pct = [&](double p) {
        const auto rank = static_cast<std::size_t>(p / 100.0 * static_cast<double>(v.size() - 1) + 0.5);
        return v[std::min(rank, v.size() - 1)];
    };
    const double mean = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
    return {{"p50", pct(50)}, {"p90", pct(90)}, {"p99", pct(99)}, {"max", v.back()}, {"mean", mean}};
}

}  // namespace

void frame_stats::add(double ui_ms, double work_ms, std::uint32_t connections, int vertices) {
    vertices_.push_back(vertices);
    ui_ms_.push_back(ui_ms);
    work_ms_.push_back(work_ms);
    connections_.push_back(connections);
}

std::optional<std::string> frame_stats::write(const std::filesystem::path& path) const {
    std::vector<std::uint32_t> conns = connections_;
    std::sort(conns.begin(), conns.end());
    const nlohmann::json doc = {
        {"frames", ui_ms_.size()},
        {"connections_max", conns.empty() ? 0 : conns.back()},
        {"connections_median", conns.empty() ? 0 : conns[conns.size() / 2]},
        {"ui_ms", summary(ui_ms_)},
        {"work_ms", summary(work_ms_)},
        {"vertices", summary(vertices_)},
    };
    std::ofstream out(path);
    out << doc.dump(2) << '\n';
    out.close();
    if (!out) return "cannot write frame stats to " + path.string();
    return std::nullopt;
}

}  // namespace swarmbench::gui
