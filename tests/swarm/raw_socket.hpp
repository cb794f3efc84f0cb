// raw_socket: blocking loopback TCP through the OS's own socket calls, for
// the swarm tests' stand-ins that must not go through the engine under test:
// hostile peers and a socket that holds a port. One header, one file per OS
// (raw_socket_posix.cpp: BSD sockets; raw_socket_win.cpp: Winsock).
//
// Thread rules: plain blocking system calls. A socket is used by one thread
// at a time, except that shutdown_both() may be called from another thread
// to end a receive blocked on it.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "swarmbench/operation.hpp"

namespace swarmbench::test::raw {

/// A descriptor (POSIX) or a SOCKET (Windows); invalid_handle for none.
using socket_t = native_handle;

/// A TCP listener on 127.0.0.1 at a port the OS picks, written to `port`.
/// invalid_handle on failure, with the reason in `why`.
socket_t listen_loopback(int backlog, std::uint16_t& port, std::string& why);
/// Waits for the next connection; invalid_handle if the listener failed.
socket_t accept(socket_t listener);
/// A connection to 127.0.0.1:`port`; invalid_handle on failure.
socket_t connect_loopback(std::uint16_t port);
/// Sends all `n` bytes (never raising SIGPIPE); false if the connection
/// failed first.
bool send_all(socket_t s, const char* data, std::size_t n);
/// Receives exactly `n` bytes; false on end of stream, error or timeout.
bool recv_exact(socket_t s, char* data, std::size_t n);
/// Bounds every later receive on `s` (SO_RCVTIMEO).
void set_recv_timeout(socket_t s, std::chrono::milliseconds limit);
/// Shuts down both directions (a receive blocked on `s` returns).
void shutdown_both(socket_t s);
/// Closes `s` (invalid_handle: nothing).
void close(socket_t s);
/// The message of the last failed call on this thread (errno / WSAGetLastError).
std::string last_error();

}  // namespace swarmbench::test::raw
