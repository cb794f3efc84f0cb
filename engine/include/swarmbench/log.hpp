// log: the engine's spdlog logger and compile-time trace switch.
//
// SWARMBENCH_TRACE(...) is compiled out of release builds (SPDLOG_ACTIVE_LEVEL
// is set per build type by CMake), so the hot path pays nothing for it.
//
// The logger has one sink, a fan-out (spdlog's dist_sink) holding the stderr
// colour sink and whatever add_log_sink() adds, such as the app's log panel.
// spdlog's own sink list (logger::sinks()) is not guarded, so never change it:
// add and remove sinks through the fan-out, whose mutex the logging threads
// take too.
//
// Thread rules: the logger is thread-safe; set_log_level, add_log_sink and
// remove_log_sink from any thread, also while other threads log.
#pragma once

#include <functional>
#include <memory>
#include <string_view>

#include <spdlog/spdlog.h>

namespace swarmbench {

/// The shared "swarmbench" logger (created on first use, stderr colour sink).
spdlog::logger& log();

/// Adds `sink` to log()'s fan-out: it receives every line logged from now on,
/// formatted by its own pattern.
void add_log_sink(std::shared_ptr<spdlog::sinks::sink> sink);

/// Removes `sink` from the fan-out. When this returns no thread is writing
/// to it, and none will.
void remove_log_sink(const std::shared_ptr<spdlog::sinks::sink>& sink);

/// A hook around each line the stderr sink writes: it must call `write` once
/// (that writes the line) and may print before and after, as the CLI does to
/// clear its live progress line and draw it again below the log line.
using log_around_fn = std::function<void(const std::function<void()>& write)>;

/// Sets the hook (null: none). Returns once no line is being written with
/// the old one. The hook runs on the logging thread, under the sink's lock:
/// it must not log.
void set_stderr_log_around(log_around_fn around);

/// "trace", "debug", "info", "warn", "error", "off"; false for unknown names.
bool set_log_level(std::string_view level);

}  // namespace swarmbench

#define SWARMBENCH_TRACE(...) SPDLOG_LOGGER_TRACE(&::swarmbench::log(), __VA_ARGS__)
#define SWARMBENCH_DEBUG(...) SPDLOG_LOGGER_DEBUG(&::swarmbench::log(), __VA_ARGS__)
