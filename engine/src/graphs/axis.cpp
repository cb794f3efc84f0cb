// axis: nice ticks and unit labels (see axis.hpp).
#include "graphs/axis.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace swarmbench::detail {

namespace {

// Leaves a sliver of room above the largest value so a line at the maximum
// does not sit on the plot's top edge.
constexpr double headroom = 1.02;

struct display_unit {
    double divisor;      // base units per display unit
    const char* suffix;  // with its leading space
};

// The display unit that keeps the data's largest value readable.
display_unit choose_unit(axis_kind kind, double max_value) {
    switch (kind) {
    case axis_kind::bytes_per_s: {
        static constexpr const char* names[] = {" B/s", " KiB/s", " MiB/s", " GiB/s", " TiB/s"};
        int k = 0;
        double d = 1;
        while (k < 4 && max_value / d >= 1024.0) {
            d *= 1024.0;
            ++k;
        }
        return {d, names[k]};
    }
    case axis_kind::milliseconds:
        if (max_value >= 1000) return {1000, " s"};
        if (max_value > 0 && max_value < 1) return {0.001, " \xC2\xB5s"};  // "µs"
        return {1, " ms"};
    case axis_kind::microseconds:
        if (max_value >= 1e6) return {1e6, " s"};
        if (max_value >= 1000) return {1000, " ms"};
        return {1, " \xC2\xB5s"};
    case axis_kind::count:
        if (max_value >= 10000) return {1000, "k"};
        return {1, ""};
    case axis_kind::seconds:
        return {1, ""};
    }
    return {1, ""};
}

// The digits after the point that show every multiple of `step` exactly.
int decimals_for(double step) {
    for (int d = 0; d < 6; ++d) {
        double scaled = step * std::pow(10.0, d);
        if (std::fabs(scaled - std::round(scaled)) < 1e-6 * std::max(1.0, scaled)) return d;
    }
    return 6;
}

// Counts shown as plain integers take whole steps only (no "2.5 connections").
double whole_count_step(axis_kind kind, double divisor, double step) {
    if (kind != axis_kind::count || divisor != 1) return step;
    if (step < 1) return 1;
    if (step != std::floor(step)) return nice_ceil(std::ceil(step));
    return step;
}

axis_scale base_scale(axis_kind kind, double max_value) {
    if (!(max_value > 0) || !std::isfinite(max_value)) max_value = 0;
    display_unit unit = choose_unit(kind, max_value);
    axis_scale a;
    a.kind = kind;
    a.divisor = unit.divisor;
    a.suffix = unit.suffix;
    return a;
}

// The data's largest value in display units; 1 when there is nothing above
// zero, so an all-zero series still gets an axis of 0..1.
double display_max(const axis_scale& a, double max_value) {
    if (!(max_value > 0) || !std::isfinite(max_value)) return 1;
    return max_value / a.divisor;
}

}  // namespace

double nice_ceil(double value) {
    if (!(value > 0) || !std::isfinite(value)) return 1;
    double base = std::pow(10.0, std::floor(std::log10(value)));
    double f = value / base;
    for (double m : {1.0, 2.0, 2.5, 5.0})
        if (f <= m * (1 + 1e-9)) return m * base;
    return 10 * base;
}

std::vector<double> axis_scale::ticks() const {
    std::vector<double> out;
    out.reserve(static_cast<std::size_t>(intervals) + 1);
    for (int i = 0; i <= intervals; ++i) out.push_back(step * i * divisor);
    return out;
}

std::string axis_scale::label(double base_value) const {
    double v = base_value / divisor;
    if (std::fabs(v) < step * 1e-9) return "0";
    return fmt::format("{:.{}f}{}", v, decimals, suffix);
}

axis_scale make_value_axis(axis_kind kind, double max_value, int target_intervals) {
    axis_scale a = base_scale(kind, max_value);
    double top = display_max(a, max_value) * headroom;
    int target = std::max(1, target_intervals);
    a.step = whole_count_step(kind, a.divisor, nice_ceil(top / target));
    a.intervals = std::max(1, static_cast<int>(std::ceil(top / a.step - 1e-9)));
    a.decimals = decimals_for(a.step);
    return a;
}

axis_scale make_aligned_axis(axis_kind kind, double max_value, int intervals) {
    axis_scale a = base_scale(kind, max_value);
    a.intervals = std::max(1, intervals);
    a.step = whole_count_step(kind, a.divisor, nice_ceil(display_max(a, max_value) * headroom / a.intervals));
    a.decimals = decimals_for(a.step);
    return a;
}

axis_scale make_time_axis(double max_seconds, int target_intervals) {
    axis_scale a = base_scale(axis_kind::seconds, max_seconds);
    double end = max_seconds > 0 && std::isfinite(max_seconds) ? max_seconds : 1;
    a.step = nice_ceil(end / std::max(1, target_intervals));
    a.intervals = std::max(0, static_cast<int>(std::floor(end / a.step + 1e-9)));
    a.decimals = decimals_for(a.step);
    return a;
}

}  // namespace swarmbench::detail
