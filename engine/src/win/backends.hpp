// backends: factory and probe of the Windows backend. Only
// make_io_context.cpp calls these; everything else speaks io_context.
#pragma once

#include <memory>
#include <string>
#include <system_error>

#include "swarmbench/io_context.hpp"

namespace swarmbench::detail {

/// Starts Winsock and loads AcceptEx/ConnectEx (once per process); false
/// with the reason if IOCP cannot run.
bool iocp_probe(std::string* why_not);
std::unique_ptr<io_context> make_iocp_context(const context_options& options, std::error_code& ec);

}  // namespace swarmbench::detail
