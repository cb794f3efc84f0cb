// chart: a time-series chart drawn with ImDrawList, the way Tracy draws its
// own plots: lines over a time window, a unit-formatted y axis (B/s, ms,
// counts), the values under the cursor in a tooltip, vertical markers where
// a steering setting changed, and opened results folders overlaid as fainter
// lines of the same colours.
//
// Thread rules: UI thread, inside an ImGui window.
#pragma once

#include <string>
#include <vector>

#include <imgui.h>

#include "app_state.hpp"

namespace swarmbench::gui {

enum class axis_unit { rate, ms, count };

struct chart_line {
    const char* label;                      // legend: "net in"
    const char* column;                     // timeseries column, for overlays: "net_in_bps"
    double (*get)(const swarm_sample&);     // the live value
    ImU32 colour;                           // line colour
};

struct chart_spec {
    const char* title;              // "Throughput"
    axis_unit unit;                 // y axis formatting
    std::vector<chart_line> lines;  // drawn in order
};

/// The three charts of the graphs panel: throughput, latency, connections.
const std::vector<chart_spec>& standard_charts();

/// "1.5 GiB/s", "12.5 ms", "1.2k".
std::string format_axis(double value, axis_unit unit);

/// Up to about `target` round tick values (1, 2, 5 x 10^k) covering 0..max.
std::vector<double> nice_ticks(double lo, double hi, int target);

/// Draws one chart filling `size` at the cursor, x from x_min to x_max seconds.
void draw_chart(const char* id, const chart_spec& spec, const scrolling_buffer<swarm_sample>& samples,
                const std::vector<loaded_results>& overlays, const std::vector<marker>& markers, double x_min,
                double x_max, ImVec2 size);

}  // namespace swarmbench::gui
