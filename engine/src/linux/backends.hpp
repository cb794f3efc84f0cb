// backends: factory and probe functions of the Linux backends. Only
// make_io_context.cpp calls these; everything else speaks io_context.
#pragma once

#include <memory>
#include <string>
#include <system_error>

#include "swarmbench/io_context.hpp"

namespace swarmbench::detail {

/// Sets up a small ring and probes the opcodes the engine needs; false with a
/// reason ("io_uring unavailable: kernel.io_uring_disabled=2") if it cannot run.
bool io_uring_probe(std::string* why_not);
std::unique_ptr<io_context> make_io_uring_context(const context_options& options, std::error_code& ec);
std::unique_ptr<io_context> make_epoll_context(const context_options& options, std::error_code& ec);

}  // namespace swarmbench::detail
