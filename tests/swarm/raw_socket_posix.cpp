// raw_socket_posix: raw_socket.hpp on BSD sockets.
//
// Thread rules: see raw_socket.hpp.
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "raw_socket.hpp"

namespace swarmbench::test::raw {
namespace {

int fd_of(socket_t s) { return static_cast<int>(s); }

}  // namespace

socket_t listen_loopback(int backlog, std::uint16_t& port, std::string& why) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        why = "socket: " + last_error();
        return invalid_handle;
    }
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, backlog) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
        why = "bind/listen on 127.0.0.1: " + last_error();
        ::close(fd);
        return invalid_handle;
    }
    port = ntohs(a.sin_port);
    return fd;
}

socket_t accept(socket_t listener) {
    const int c = ::accept4(fd_of(listener), nullptr, nullptr, SOCK_CLOEXEC);
    return c < 0 ? invalid_handle : c;
}

socket_t connect_loopback(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return invalid_handle;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(fd);
        return invalid_handle;
    }
    return fd;
}

bool send_all(socket_t s, const char* data, std::size_t n) {
    while (n > 0) {
        const ssize_t sent = ::send(fd_of(s), data, n, MSG_NOSIGNAL);
        if (sent <= 0) return false;
        data += sent;
        n -= static_cast<std::size_t>(sent);
    }
    return true;
}

bool recv_exact(socket_t s, char* data, std::size_t n) {
    while (n > 0) {
        const ssize_t got = ::recv(fd_of(s), data, n, 0);
        if (got <= 0) return false;
        data += got;
        n -= static_cast<std::size_t>(got);
    }
    return true;
}

void set_recv_timeout(socket_t s, std::chrono::milliseconds limit) {
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(limit.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>(limit.count() % 1000 * 1000);
    (void)::setsockopt(fd_of(s), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

void shutdown_both(socket_t s) { (void)::shutdown(fd_of(s), SHUT_RDWR); }

void close(socket_t s) {
    if (s != invalid_handle) ::close(fd_of(s));
}

std::string last_error() { return std::strerror(errno); }

}  // namespace swarmbench::test::raw
