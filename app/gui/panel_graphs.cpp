// The graphs panel: the standard charts stacked, over the scrolling window
// (or the whole run), with opened results overlaid.
#include <algorithm>

#include <imgui.h>

#include "chart.hpp"
#include "panels.hpp"

namespace swarmbench::gui {

void draw_graphs_panel(app_state& state) {
    static const std::vector<loaded_results> no_overlays;
    const auto& overlays = state.ui.show_overlays ? state.overlays : no_overlays;
    double t_end = state.samples.empty() ? 0 : state.samples.back().t_s;
    if (state.samples.empty()) {
        for (const auto& o : overlays) {
            auto t = o.series.find("t_s");
            if (t != o.series.end() && !t->second.empty()) t_end = std::max(t_end, t->second.back());
        }
    }
    const double window = std::max(1.0, static_cast<double>(state.ui.window_s));
    double x_min = 0, x_max = std::max(t_end, 1.0);
    if (!state.ui.whole_run && t_end > window) x_min = t_end - window;
    // While a run is young the axis grows in steps (no rescaling every
    // sample); a finished run that fits the window fills the chart.
    const bool live = state.phase == run_phase::running || state.phase == run_phase::stopping;
    if (!state.ui.whole_run && t_end <= window && live) x_max = std::max(t_end, std::min(window, 10.0));

    const auto& charts = standard_charts();
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const float gap = ImGui::GetStyle().ItemSpacing.y;
    const float weights[] = {1.6f, 1.0f, 0.8f};  // throughput gets the most room
    float total = 0;
    for (std::size_t i = 0; i < charts.size(); ++i) total += weights[i % 3];
    const float room = std::max(0.0f, avail.y - gap * static_cast<float>(charts.size() - 1));
    for (std::size_t i = 0; i < charts.size(); ++i) {
        const float h = std::max(80.0f, room * weights[i % 3] / total);
        ImGui::PushID(static_cast<int>(i));
        draw_chart("chart", charts[i], state.samples, overlays, state.markers, x_min, x_max, ImVec2(avail.x, h));
        ImGui::PopID();
    }
}

}  // namespace swarmbench::gui
