// Errors: every failure is a std::error_code. Operating-system failures use
// std::system_category() (errno on POSIX, GetLastError/WSAGetLastError on
// Windows); engine-level failures use swarmbench::engine_category(). The
// portable conditions callers test against are std::errc values:
//   std::errc::operation_canceled  the operation was cancelled (cancel(), close)
//   std::errc::timed_out           a timer fired / a connect hit its timeout
//   std::errc::connection_refused, connection_reset, broken_pipe, ...
// Backends map their native codes so `ec == std::errc::operation_canceled`
// is true for a cancelled operation on every backend.
#pragma once

#include <string>
#include <system_error>

namespace swarmbench {

/// Engine-level errors that have no errno equivalent.
enum class engine_errc {
    backend_unavailable = 1,  // requested backend cannot run here (message says why)
    unsupported_operation,    // op_code not implemented by this backend
    invalid_operation,        // malformed operation (null buffer, bad op_code, ...)
    context_stopped,          // submitted to a context that is shutting down
};

const std::error_category& engine_category() noexcept;
std::error_code make_error_code(engine_errc e) noexcept;

/// The last OS error as an error_code (errno on POSIX).
std::error_code last_system_error() noexcept;

/// "connect 127.0.0.1:80: Connection refused" style description; `what` names
/// the operation or resource. Adds a hint naming the fix where one is known
/// (EMFILE: "raise the open-file limit (ulimit -n)").
std::string describe_error(const std::string& what, const std::error_code& ec);

}  // namespace swarmbench

template <>
struct std::is_error_code_enum<swarmbench::engine_errc> : std::true_type {};
