// test_support_posix: the POSIX side of the engine tests' OS helpers
// (RLIMIT_NOFILE, socket options on descriptors); see test_support.hpp.
//
// Thread rules: the test's thread, like the rest of test_support.
#include <sys/resource.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "test_support.hpp"

namespace swarmbench::test {

nofile_limit::nofile_limit() {
    rlimit rl{};
    if (::getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        soft_ = rl.rlim_cur;
        hard_ = rl.rlim_max;
    }
}

nofile_limit::~nofile_limit() {
    rlimit rl{};
    rl.rlim_cur = soft_;
    rl.rlim_max = hard_;
    ::setrlimit(RLIMIT_NOFILE, &rl);
}

bool nofile_limit::set_soft(std::uint64_t value, std::string* why) {
    // UBSan's vptr check (address,undefined builds) proves a dynamic type it
    // has not seen yet by writing through a pipe; with no descriptor left
    // that fails and it reports a false "invalid vptr" on the first
    // error_code comparison at the limit. Compare once while descriptors are
    // free, touching both categories, so the check is cached. No-op otherwise.
    const std::error_code warm(EMFILE, std::system_category());
    static_cast<void>(warm == std::errc::operation_canceled);
    rlimit rl{};
    rl.rlim_cur = value;
    rl.rlim_max = hard_;
    if (::setrlimit(RLIMIT_NOFILE, &rl) == 0) return true;
    if (why) *why = std::strerror(errno);
    return false;
}

std::uint64_t nofile_limit_leaving(std::uint64_t free_slots) {
    std::vector<bool> open;
    std::error_code ec;
    // The iterator holds a descriptor of its own while listing; counting it
    // as open only makes the answer one tighter.
    for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
        auto fd = static_cast<std::size_t>(std::atoi(it->path().filename().c_str()));
        if (fd >= open.size()) open.resize(fd + 1, false);
        open[fd] = true;
    }
    std::uint64_t free_seen = 0, n = 0;
    for (; free_seen < free_slots; ++n)
        if (n >= open.size() || !open[n]) ++free_seen;
    return n;
}

void set_socket_buffers(native_handle socket, int bytes) {
    int fd = static_cast<int>(socket);
    EXPECT_EQ(::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bytes, sizeof(bytes)), 0) << std::strerror(errno);
    EXPECT_EQ(::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes)), 0) << std::strerror(errno);
}

void set_send_buffer(native_handle socket, int bytes) {
    EXPECT_EQ(::setsockopt(static_cast<int>(socket), SOL_SOCKET, SO_SNDBUF, &bytes, sizeof(bytes)), 0)
        << std::strerror(errno);
}

void set_linger_reset(native_handle socket) {
    linger l{};
    l.l_onoff = 1;
    l.l_linger = 0;
    EXPECT_EQ(::setsockopt(static_cast<int>(socket), SOL_SOCKET, SO_LINGER, &l, sizeof(l)), 0)
        << std::strerror(errno);
}

}  // namespace swarmbench::test
