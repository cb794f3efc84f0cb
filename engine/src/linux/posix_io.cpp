#include "posix_io.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "swarmbench/error.hpp"

namespace swarmbench::detail {

socklen_t to_sockaddr(const endpoint& ep, sockaddr_storage& out) noexcept {
    std::memset(&out, 0, sizeof(out));
    if (ep.family == endpoint::family_t::v4) {
        auto* sin = reinterpret_cast<sockaddr_in*>(&out);
        sin->sin_family = AF_INET;
        sin->sin_port = htons(ep.port);
        std::memcpy(&sin->sin_addr, ep.addr.data(), 4);
        return sizeof(sockaddr_in);
    }
    if (ep.family == endpoint::family_t::v6) {
        auto* sin6 = reinterpret_cast<sockaddr_in6*>(&out);
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(ep.port);
        std::memcpy(&sin6->sin6_addr, ep.addr.data(), 16);
        return sizeof(sockaddr_in6);
    }
    return 0;
}

endpoint from_sockaddr(const sockaddr* sa, socklen_t len) noexcept {
    endpoint ep;
    if (sa == nullptr) return ep;
    if (sa->sa_family == AF_INET && len >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
        const auto* sin = reinterpret_cast<const sockaddr_in*>(sa);
        ep.family = endpoint::family_t::v4;
        ep.port = ntohs(sin->sin_port);
        std::memcpy(ep.addr.data(), &sin->sin_addr, 4);
    } else if (sa->sa_family == AF_INET6 && len >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
        const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(sa);
        ep.family = endpoint::family_t::v6;
        ep.port = ntohs(sin6->sin6_port);
        std::memcpy(ep.addr.data(), &sin6->sin6_addr, 16);
    }
    return ep;
}

namespace {
int family_of(endpoint::family_t f) { return f == endpoint::family_t::v6 ? AF_INET6 : AF_INET; }

void set_int_option(int fd, int level, int name, int value) noexcept {
    ::setsockopt(fd, level, name, &value, sizeof(value));
}

int fail(int fd, std::error_code& ec) noexcept {
    ec = last_system_error();
    if (fd >= 0) ::close(fd);
    return -1;
}
}  // namespace

int posix_open_listener(const endpoint& where, int backlog, bool reuse_port, std::error_code& ec) {
    ec.clear();
    sockaddr_storage ss;
    socklen_t len = to_sockaddr(where, ss);
    if (len == 0) {
        ec = std::make_error_code(std::errc::address_family_not_supported);
        return -1;
    }
    int fd = ::socket(family_of(where.family), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return fail(fd, ec);
    set_int_option(fd, SOL_SOCKET, SO_REUSEADDR, 1);
    if (reuse_port) set_int_option(fd, SOL_SOCKET, SO_REUSEPORT, 1);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) return fail(fd, ec);
    if (::listen(fd, backlog) != 0) return fail(fd, ec);
    return fd;
}

int posix_open_tcp_socket(endpoint::family_t family, const endpoint* source, std::error_code& ec) {
    ec.clear();
    int fd = ::socket(family_of(family), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return fail(fd, ec);
    set_int_option(fd, IPPROTO_TCP, TCP_NODELAY, 1);
    if (source != nullptr && source->valid()) {
        sockaddr_storage ss;
        socklen_t len = to_sockaddr(*source, ss);
        if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) return fail(fd, ec);
    }
    return fd;
}

int posix_open_file(const std::string& path, const file_options& options, std::error_code& ec) {
    ec.clear();
    int flags = O_CLOEXEC | (options.read_only ? O_RDONLY : O_RDWR);
    if (options.create && !options.read_only) flags |= O_CREAT;
    if (options.truncate && !options.read_only) flags |= O_TRUNC;
    if (options.direct) flags |= O_DIRECT;
    int fd = ::open(path.c_str(), flags, 0644);
    if (fd < 0) return fail(fd, ec);
    if (options.preallocate > 0 && !options.read_only) {
        int rc = ::posix_fallocate(fd, 0, static_cast<off_t>(options.preallocate));
        if (rc == EOPNOTSUPP || rc == EINVAL) {
            // tmpfs and some FUSE filesystems cannot reserve; a sized file still works.
            rc = ::ftruncate(fd, static_cast<off_t>(options.preallocate)) == 0 ? 0 : errno;
        }
        if (rc != 0) {
            ec = std::error_code(rc, std::system_category());
            ::close(fd);
            return -1;
        }
    }
    return fd;
}

endpoint posix_local_endpoint(int fd, std::error_code& ec) {
    ec.clear();
    sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) {
        ec = last_system_error();
        return {};
    }
    return from_sockaddr(reinterpret_cast<sockaddr*>(&ss), len);
}

void posix_prepare_accepted(int fd) noexcept {
    int fl = ::fcntl(fd, F_GETFL);
    if (fl >= 0) ::fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    set_int_option(fd, IPPROTO_TCP, TCP_NODELAY, 1);
}

}  // namespace swarmbench::detail
