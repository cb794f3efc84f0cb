// units: parsing and printing byte sizes and rates, shared by the CLI, the
// app and the Python module so "16KiB" means the same everywhere.
//
// Thread rules: pure functions; any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace swarmbench {

/// Parses a byte size: "4096", "16KiB", "16k", "512MiB", "1G", "1.5GiB", "2TiB".
/// Suffixes are binary (K = KiB = KB = 1024), as fio counts by default;
/// "B" alone means bytes. Case-insensitive. nullopt on anything else
/// (negative, empty, overflow, a fraction that is not a whole byte count).
std::optional<std::uint64_t> parse_size(std::string_view text) noexcept;

/// "16 KiB", "1.50 GiB", "512 B": the largest binary unit that keeps the
/// value >= 1, three significant digits.
std::string format_bytes(double bytes);

/// "2.31 GiB/s (19.8 Gbit/s)": bytes per second with the network-style bit rate.
std::string format_rate(double bytes_per_s);

}  // namespace swarmbench
