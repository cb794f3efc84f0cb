// progress_text: a progress report as the one line people read, written once
// for the CLI's live line and the app's run bar:
//
//   [  1.7/3.0 s] running  16.3 MiB/s (136 Mbit/s)  25.0 MiB   56.7%  ETA 1 s  8 conns
//
// Fitted to a width by writing the rate without its bits, then by leaving
// out its least useful parts first (the connections, the byte count, the
// ETA, the rate), never the time, phase, share done or errors.
//
// Thread rules: none (a pure function).
#pragma once

#include <cstddef>
#include <string>

#include "swarmbench/workloads/run_control.hpp"

namespace swarmbench {

/// The line for `p`, at most `width` characters (0: any width; ASCII only,
/// so a character is a terminal column).
std::string progress_text(const progress& p, std::size_t width = 0);

}  // namespace swarmbench
