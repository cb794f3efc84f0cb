// posix_io: the synchronous POSIX socket and file calls shared by the
// io_uring and epoll backends (open_listener, open_tcp_socket, open_file, ...).
//
// Thread rules: plain functions over file descriptors; any thread.
#pragma once

#include <sys/socket.h>

#include <string>
#include <system_error>

#include "swarmbench/endpoint.hpp"
#include "swarmbench/io_context.hpp"

namespace swarmbench::detail {

/// Fills `out` from `ep`; returns the length to pass to bind/connect (0 if ep is invalid).
socklen_t to_sockaddr(const endpoint& ep, sockaddr_storage& out) noexcept;
/// The endpoint held by a sockaddr (family none if unsupported).
endpoint from_sockaddr(const sockaddr* sa, socklen_t len) noexcept;

/// Non-blocking, close-on-exec listening socket; see io_context::open_listener.
int posix_open_listener(const endpoint& where, int backlog, bool reuse_port, std::error_code& ec);
/// Non-blocking, close-on-exec TCP socket, TCP_NODELAY, optionally bound to `source`.
int posix_open_tcp_socket(endpoint::family_t family, const endpoint* source, std::error_code& ec);
/// Opens a file; preallocates with fallocate (falls back to ftruncate where
/// the filesystem cannot). O_DIRECT where asked.
int posix_open_file(const std::string& path, const file_options& options, std::error_code& ec);
/// getsockname as an endpoint.
endpoint posix_local_endpoint(int fd, std::error_code& ec);
/// Makes an accepted socket non-blocking + TCP_NODELAY (epoll; io_uring accepts with flags).
void posix_prepare_accepted(int fd) noexcept;

}  // namespace swarmbench::detail
