#include "panels/format.hpp"

#include <cmath>
#include <cstdio>

#include "swarmbench/units.hpp"

namespace swarmbench::gui {

std::string format_bytes_per_s(double bytes_per_s) {
    return format_bytes(bytes_per_s) + "/s";
}

std::string format_ms(double ms) {
    char buf[32];
    if (!(ms > 0)) std::snprintf(buf, sizeof(buf), "0 ms");
    else if (ms < 1.0) std::snprintf(buf, sizeof(buf), "%.0f us", ms * 1000.0);
    else if (ms < 1000.0) std::snprintf(buf, sizeof(buf), ms < 10 ? "%.2f ms" : ms < 100 ? "%.1f ms" : "%.0f ms", ms);
    else std::snprintf(buf, sizeof(buf), "%.2f s", ms / 1000.0);
    return buf;
}

double nice_step(double range, int max_ticks) {
    if (!(range > 0) || max_ticks < 1 || !std::isfinite(range)) return 1;
    double raw = range / max_ticks;
    double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (m * magnitude >= raw) return m * magnitude;
    return 10 * magnitude;
}

double nice_byte_step(double range, int max_ticks) {
    if (!(range > 0) || max_ticks < 1 || !std::isfinite(range)) return 1;
    double raw = range / max_ticks;
    double step = 1;
    while (step < raw && step < 0x1p62) step *= 2;
    return step;
}

ImU32 series_colour(std::size_t i) {
    // Our own picks: distinct hues at similar brightness, so no series
    // dominates and each stays visible on the dark theme.
    static constexpr ImU32 colours[palette_size] = {
        IM_COL32(86, 180, 233, 255),   // sky blue
        IM_COL32(230, 159, 0, 255),    // orange
        IM_COL32(0, 190, 140, 255),    // green-teal
        IM_COL32(240, 228, 66, 255),   // yellow
        IM_COL32(204, 121, 167, 255),  // pink
        IM_COL32(213, 94, 0, 255),     // vermilion
        IM_COL32(150, 150, 255, 255),  // lavender
        IM_COL32(170, 220, 120, 255),  // lime
        IM_COL32(255, 130, 130, 255),  // salmon
        IM_COL32(200, 200, 200, 255),  // light grey
    };
    return colours[i % palette_size];
}

}  // namespace swarmbench::gui
