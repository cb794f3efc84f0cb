// log: the engine's spdlog logger and compile-time trace switch.
//
// SWARMBENCH_TRACE(...) is compiled out of release builds (SPDLOG_ACTIVE_LEVEL
// is set per build type by CMake), so the hot path pays nothing for it.
//
// Thread rules: the logger is thread-safe; set_log_level from any thread.
#pragma once

#include <memory>
#include <string_view>

#include <spdlog/spdlog.h>

namespace swarmbench {

/// The shared "swarmbench" logger (created on first use, stderr colour sink).
spdlog::logger& log();

/// "trace", "debug", "info", "warn", "error", "off"; false for unknown names.
bool set_log_level(std::string_view level);

}  // namespace swarmbench

#define SWARMBENCH_TRACE(...) SPDLOG_LOGGER_TRACE(&::swarmbench::log(), __VA_ARGS__)
#define SWARMBENCH_DEBUG(...) SPDLOG_LOGGER_DEBUG(&::swarmbench::log(), __VA_ARGS__)
