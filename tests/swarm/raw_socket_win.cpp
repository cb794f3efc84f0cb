// raw_socket_win: raw_socket.hpp on Winsock (blocking sockets; no
// completion port). Winsock is started once, here, and never cleaned up:
// the engine starts it too, and WSAStartup counts its callers.
//
// Thread rules: see raw_socket.hpp.
// clang-format off
#include <winsock2.h>
#include <windows.h>
// clang-format on

#include <system_error>

#include "raw_socket.hpp"

namespace swarmbench::test::raw {
namespace {

SOCKET sock_of(socket_t s) { return static_cast<SOCKET>(s); }

socket_t handle_of(SOCKET s) { return s == INVALID_SOCKET ? invalid_handle : static_cast<socket_t>(s); }

/// WSAStartup once per process; false (with WSAGetLastError unchanged) if it failed.
bool winsock_started() {
    static const bool started = [] {
        WSADATA data{};
        return ::WSAStartup(MAKEWORD(2, 2), &data) == 0;
    }();
    return started;
}

sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    return a;
}

}  // namespace

socket_t listen_loopback(int backlog, std::uint16_t& port, std::string& why) {
    if (!winsock_started()) {
        why = "WSAStartup failed";
        return invalid_handle;
    }
    const SOCKET s = ::socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (s == INVALID_SOCKET) {
        why = "socket: " + last_error();
        return invalid_handle;
    }
    sockaddr_in a = loopback(0);
    int len = sizeof a;
    if (::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(s, backlog) != 0 ||
        ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
        why = "bind/listen on 127.0.0.1: " + last_error();
        ::closesocket(s);
        return invalid_handle;
    }
    port = ntohs(a.sin_port);
    return handle_of(s);
}

socket_t accept(socket_t listener) { return handle_of(::accept(sock_of(listener), nullptr, nullptr)); }

socket_t connect_loopback(std::uint16_t port) {
    if (!winsock_started()) return invalid_handle;
    const SOCKET s = ::socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (s == INVALID_SOCKET) return invalid_handle;
    const sockaddr_in a = loopback(port);
    if (::connect(s, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0) {
        ::closesocket(s);
        return invalid_handle;
    }
    return handle_of(s);
}

bool send_all(socket_t s, const char* data, std::size_t n) {
    while (n > 0) {
        const int chunk = n > (1u << 30) ? (1 << 30) : static_cast<int>(n);
        const int sent = ::send(sock_of(s), data, chunk, 0);  // Winsock never raises a signal
        if (sent <= 0) return false;
        data += sent;
        n -= static_cast<std::size_t>(sent);
    }
    return true;
}

bool recv_exact(socket_t s, char* data, std::size_t n) {
    while (n > 0) {
        const int chunk = n > (1u << 30) ? (1 << 30) : static_cast<int>(n);
        const int got = ::recv(sock_of(s), data, chunk, 0);
        if (got <= 0) return false;
        data += got;
        n -= static_cast<std::size_t>(got);
    }
    return true;
}

void set_recv_timeout(socket_t s, std::chrono::milliseconds limit) {
    const DWORD ms = static_cast<DWORD>(limit.count());  // Winsock takes milliseconds, not a timeval
    (void)::setsockopt(sock_of(s), SOL_SOCKET, SO_RCVTIMEO, reinterpret_cast<const char*>(&ms), sizeof ms);
}

void shutdown_both(socket_t s) { (void)::shutdown(sock_of(s), SD_BOTH); }

void close(socket_t s) {
    if (s != invalid_handle) ::closesocket(sock_of(s));
}

std::string last_error() { return std::error_code(::WSAGetLastError(), std::system_category()).message(); }

}  // namespace swarmbench::test::raw
