// units: the one unit policy, for every way a size or a rate comes in or
// goes out (CLI flags, scenario and timeline files, the app, Python, the
// summary and the graphs):
//
//   B                         bytes (a bare number is bytes too)
//   KiB MiB GiB TiB PiB       powers of 2 (any case: "kib" is KiB)
//   kB MB GB TB PB            powers of 10 (exactly so spelled)
//   Kbit Mbit Gbit Tbit       bits, powers of 10 (rates only; any case)
//   .../s                     a rate may say so ("4MiB/s", "100Mbit/s")
//
// Bare K, M, G, T, P and the spellings that could mean either power (KB,
// kb, mb, Gb, ...) are refused with both readings named, and so is "b"
// (bits or bytes?). Output is binary for bytes ("1.50 GiB"), rates also in
// bits ("2.31 GiB/s (19.8 Gbit/s)").
//
// Thread rules: pure functions; any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "swarmbench/bt/result.hpp"

namespace swarmbench {

/// What is being read: only a rate takes bits and "/s".
enum class quantity : std::uint8_t { size, rate };

/// Parses a byte count by the unit policy above: "4096", "16KiB", "1.5GiB",
/// "512kB", "4MiB/s" and "100Mbit" (rates). The error says what is wrong
/// and, for an ambiguous unit, both readings: "ambiguous unit \"K\" in
/// \"16K\": write 16KiB (16384 bytes) or 16kB (16000 bytes)". Also refused:
/// negatives, empty text, overflow, a value that is not a whole number of
/// bytes ("1.3B", "1bit").
bt::result<std::uint64_t> parse_quantity(std::string_view text, quantity q);

/// "16 KiB", "1.50 GiB", "512 B": the largest binary unit that keeps the
/// value >= 1, three significant digits.
std::string format_bytes(double bytes);

/// "2.31 GiB/s (19.8 Gbit/s)": bytes per second with the network-style bit rate.
std::string format_rate(double bytes_per_s);

/// "0.0123 ms", "1.25 ms", "123 ms", "1234 ms": a latency in milliseconds
/// with three significant digits (whole milliseconds from 1000 on).
std::string format_ms(double ms);

/// "1,234,567": a count with thousands separators (not the locale's: output
/// is the same everywhere).
std::string format_count(std::uint64_t n);

}  // namespace swarmbench
