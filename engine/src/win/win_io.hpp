// win_io: the synchronous Winsock and file calls under the IOCP backend
// (the Windows counterpart of linux/posix_io): starting Winsock, opening
// listeners, connect sockets and files, addresses, the Microsoft extension
// functions (AcceptEx, ConnectEx, GetAcceptExSockaddrs), and turning Win32
// and WSA error codes into std::error_code.
//
// Thread rules: plain functions over handles; any thread. winsock() starts
// Winsock and loads the extensions once per process (thread-safe static).
#pragma once

// clang-format off
#include <winsock2.h>
#include <ws2tcpip.h>
#include <mswsock.h>
#include <windows.h>
// clang-format on

#include <string>
#include <system_error>

#include "swarmbench/endpoint.hpp"
#include "swarmbench/io_context.hpp"

namespace swarmbench::detail {

/// What Winsock offers this process, loaded once.
struct winsock_state {
    bool ok = false;                                    // WSAStartup and the extensions worked
    std::string why_not;                                // if not: what failed, naming the fix
    LPFN_ACCEPTEX accept_ex = nullptr;                  // AcceptEx
    LPFN_CONNECTEX connect_ex = nullptr;                // ConnectEx
    LPFN_GETACCEPTEXSOCKADDRS accept_ex_addrs = nullptr;  // GetAcceptExSockaddrs
    bool skip_on_success = false;  // TCP's provider is IFS: FILE_SKIP_COMPLETION_PORT_ON_SUCCESS is safe
};

/// WSAStartup (once, never undone: the process may open sockets until exit)
/// and the extension functions, fetched through WSAIoctl.
const winsock_state& winsock();

// ---- errors ----

/// `e` as an error_code that compares equal to `e` (its condition is
/// generic_category's) and words it as POSIX does ("Address already in
/// use"). Use it instead of std::make_error_code(e): on mingw that one's
/// message comes from msvcrt's strerror, which knows errno values up to 42
/// only and says "Unknown error" for every socket one (EADDRINUSE is 100).
std::error_code errc_code(std::errc e) noexcept;

/// A Win32 or WSA code as an error_code: known codes become std::errc values
/// through errc_code (libstdc++ on mingw does not map WSA codes through
/// system_category, so `ec == std::errc::connection_refused` would fail);
/// unknown ones stay in system_category, whose message is FormatMessage's.
std::error_code win_error(DWORD code) noexcept;
inline std::error_code last_win_error() noexcept { return win_error(::GetLastError()); }
inline std::error_code last_wsa_error() noexcept { return win_error(static_cast<DWORD>(::WSAGetLastError())); }

/// 995, 676, 64, 1236 and their WSA twins: the I/O was aborted or the
/// connection closed under it. The backend says operation_canceled when it
/// cancelled or closed; otherwise win_error calls them operation_canceled
/// (995), connection_reset (64) or connection_aborted (676, 1236).
bool is_abort_code(DWORD code) noexcept;

// ---- addresses ----

/// Fills `out`; returns the length for bind/connect, 0 if `ep` is invalid.
int to_sockaddr(const endpoint& ep, sockaddr_storage& out) noexcept;
/// The endpoint in a sockaddr (family none if unsupported).
endpoint from_sockaddr(const sockaddr* sa, int len) noexcept;
/// AF_INET or AF_INET6.
inline int af_of(endpoint::family_t f) noexcept { return f == endpoint::family_t::v6 ? AF_INET6 : AF_INET; }

// ---- handles ----

/// An overlapped, non-inheritable TCP socket of `af`.
SOCKET win_new_socket(int af, std::error_code& ec) noexcept;

/// socket + SO_EXCLUSIVEADDRUSE + bind + listen. Exclusive use makes a port
/// in use fail with address_in_use (SO_REUSEADDR on Windows would let a
/// second listener steal the port silently). reuse_port asks to share the
/// port between listeners: Windows has no SO_REUSEPORT, so that sets
/// SO_REUSEADDR instead (no load balancing).
SOCKET win_open_listener(const endpoint& where, int backlog, bool reuse_port, std::error_code& ec) noexcept;

/// socket + TCP_NODELAY + bind to `source`, or to ANY:0 of `family`:
/// ConnectEx refuses an unbound socket.
SOCKET win_open_tcp_socket(endpoint::family_t family, const endpoint* source, std::error_code& ec) noexcept;

/// CreateFileW (path in UTF-8) with FILE_FLAG_OVERLAPPED, FILE_FLAG_NO_BUFFERING
/// for options.direct, and preallocation like posix_fallocate: space reserved
/// (FileAllocationInfo) and the file extended to that size if shorter.
HANDLE win_open_file(const std::string& path, const file_options& options, std::error_code& ec) noexcept;

/// getsockname as an endpoint.
endpoint win_local_endpoint(SOCKET s, std::error_code& ec) noexcept;

/// The address family a socket was created with (AF_INET if it cannot be told).
int win_socket_family(SOCKET s) noexcept;

/// True if `h` is a socket (getsockopt SO_TYPE answers).
bool win_is_socket(native_handle h) noexcept;

/// closesocket for a socket, CloseHandle otherwise; the error if both refuse.
std::error_code win_close(native_handle h) noexcept;

inline SOCKET as_socket(native_handle h) noexcept { return static_cast<SOCKET>(h); }
inline HANDLE as_handle(native_handle h) noexcept { return reinterpret_cast<HANDLE>(h); }

}  // namespace swarmbench::detail
