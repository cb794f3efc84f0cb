// frame_stats: frame times for the app's benchmark (--frame-stats FILE).
//
// Per frame, main measures two spans and tells whether a run was moving data:
//   ui_ms    building the frame: NewFrame, the app's panels, ImGui::Render
//            (CPU only: what the 16 ms budget of a 60 Hz display is about)
//   work_ms  ui_ms plus drawing it: RenderDrawData and glFinish, so software
//            GL (llvmpipe under Xvfb) is counted too; swap and vsync are not
// Only frames taken while a run is in its "running" phase are kept, each with
// the connections active at that time, so the figure is "with N connections".
// write() turns them into percentiles in a small JSON file.
//
// Thread rules: UI (main) thread only.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace swarmbench::gui {

class frame_stats {
public:
    /// One frame that was measured.
    /// One frame that was measured; `vertices`: ImDrawData::TotalVtxCount.
    void add(double ui_ms, double work_ms, std::uint32_t connections, int vertices);

    std::size_t frames() const noexcept { return ui_ms_.size(); }

    /// Writes {"frames", "connections_max", "connections_median", "ui_ms": {p50, p90, p99, max, mean},
    /// "work_ms": {...},
    /// "vertices": {...}} to `path`. Error names the path.
    std::optional<std::string> write(const std::filesystem::path& path) const;

private:
    std::vector<double> ui_ms_;                // per frame
    std::vector<double> work_ms_;              // per frame
    std::vector<std::uint32_t> connections_;   // per frame
    std::vector<double> vertices_;             // per frame
};

}  // namespace swarmbench::gui
