// format: small helpers the app's panels share: short unit labels for table
// cells and axes (built on swarmbench/units.hpp), "nice" axis steps, and a
// fixed colour palette for series (leechers, runs).
//
// Thread rules: pure functions; any thread (palette values are ImU32 but
// need no ImGui context).
#pragma once

#include <cstddef>
#include <string>

#include <imgui.h>

namespace swarmbench::gui {

/// "512 B/s", "16.0 KiB/s", "1.50 GiB/s": binary units, no bit rate (the
/// engine's format_rate adds "(… Gbit/s)", too wide for a table cell).
std::string format_bytes_per_s(double bytes_per_s);

/// "12.3 ms", "850 us", "1.20 s": a latency given in milliseconds.
std::string format_ms(double ms);

/// A 1-2-5 x 10^k step so that range/step is at most max_ticks (time axes).
/// range <= 0 or max_ticks < 1 gives 1.
double nice_step(double range, int max_ticks);

/// A power-of-two byte step (1 KiB, 64 MiB, ...) so that range/step is at
/// most max_ticks, for byte axes whose labels should read "256 MiB", not
/// "268 MB". range <= 0 or max_ticks < 1 gives 1.
double nice_byte_step(double range, int max_ticks);

/// Number of colours in series_colour's palette.
inline constexpr std::size_t palette_size = 10;

/// The i-th series colour (wraps after palette_size), opaque, readable on
/// ImGui's dark background.
ImU32 series_colour(std::size_t i);

}  // namespace swarmbench::gui
