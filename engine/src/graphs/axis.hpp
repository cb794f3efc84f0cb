// axis: tick placement and unit-formatted tick labels for the graphs.
// Pure arithmetic, no cairo, so the graphs code only lays out and draws.
//
// A value axis always starts at 0 (rates, latencies and counts are never
// negative) and ends at a round number just above the data: ticks are
// multiples of a "nice" step (1, 2, 2.5 or 5 times a power of ten) in the
// display unit chosen for the data's size, e.g. 0, 0.5, 1, 1.5 GiB/s.
//
// Thread rules: pure functions; any thread.
#pragma once

#include <string>
#include <vector>

namespace swarmbench::detail {

/// What an axis measures, in the column's base unit.
enum class axis_kind {
    bytes_per_s,   // B/s, shown in B/s .. TiB/s (binary)
    milliseconds,  // ms, shown in µs, ms or s
    microseconds,  // µs, shown in µs, ms or s
    count,         // plain counts, shown as 12 or 12.5k
    seconds,       // the time axis
};

/// A laid-out axis from 0 to top(): base units per display unit, the step
/// between ticks and how many steps there are.
struct axis_scale {
    axis_kind kind = axis_kind::count;  // what the numbers are
    double divisor = 1;      // base units per display unit (1024 for KiB/s)
    std::string suffix;      // display unit with a leading space, e.g. " GiB/s"; "" for none
    double step = 1;         // tick spacing, display units
    int intervals = 1;       // ticks are 0, step, ..., intervals * step
    int decimals = 0;        // digits after the point in labels

    /// The axis end, base units.
    double top() const { return step * intervals * divisor; }
    /// Tick positions, base units, from 0 to top().
    std::vector<double> ticks() const;
    /// "1.5 GiB/s", "250 µs", "0" (zero is always a bare "0").
    std::string label(double base_value) const;
};

/// An axis for data whose largest value is `max_value` (base units; <= 0 or
/// NaN means no data above zero), with about `target_intervals` steps.
axis_scale make_value_axis(axis_kind kind, double max_value, int target_intervals);

/// An axis with exactly `intervals` steps covering `max_value`, so its ticks
/// line up with another axis's grid (the right-hand axis of a dual chart).
axis_scale make_aligned_axis(axis_kind kind, double max_value, int intervals);

/// The time axis: 0 to `max_seconds` exactly (no empty tail after the
/// data), ticks at nice steps inside it, about `target_intervals` of them.
/// top() is the last tick, not the range end.
axis_scale make_time_axis(double max_seconds, int target_intervals);

/// The smallest nice number (1, 2, 2.5, 5 x 10^k) >= `value` (> 0).
double nice_ceil(double value);

}  // namespace swarmbench::detail
