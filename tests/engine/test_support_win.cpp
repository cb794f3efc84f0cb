// test_support_win: the Windows side of the engine tests' OS helpers
// (socket options on a SOCKET, the RLIMIT_NOFILE stand-in);
// see test_support.hpp.
//
// Thread rules: the test's thread, like the rest of test_support.
// clang-format off
#include <winsock2.h>
#include <windows.h>
// clang-format on

#include <limits>

#include "test_support.hpp"

namespace swarmbench::test {
namespace {

std::string wsa_message() { return std::error_code(::WSAGetLastError(), std::system_category()).message(); }

SOCKET as_socket(native_handle h) { return static_cast<SOCKET>(h); }

}  // namespace

// Windows limits handles per process only by memory (about 16 million), so
// the guard has nothing to save or lower: it reports "unlimited" and tests
// that need many sockets simply proceed.
nofile_limit::nofile_limit()
    : soft_(std::numeric_limits<std::uint64_t>::max()), hard_(std::numeric_limits<std::uint64_t>::max()) {}

nofile_limit::~nofile_limit() = default;

bool nofile_limit::set_soft(std::uint64_t value, std::string* why) {
    (void)value;
    (void)why;
    return true;
}

std::uint64_t nofile_limit_leaving(std::uint64_t free_slots) { return free_slots; }

void set_socket_buffers(native_handle socket, int bytes) {
    const char* v = reinterpret_cast<const char*>(&bytes);
    EXPECT_EQ(::setsockopt(as_socket(socket), SOL_SOCKET, SO_SNDBUF, v, sizeof(bytes)), 0) << wsa_message();
    EXPECT_EQ(::setsockopt(as_socket(socket), SOL_SOCKET, SO_RCVBUF, v, sizeof(bytes)), 0) << wsa_message();
}

void set_send_buffer(native_handle socket, int bytes) {
    EXPECT_EQ(::setsockopt(as_socket(socket), SOL_SOCKET, SO_SNDBUF, reinterpret_cast<const char*>(&bytes),
                           sizeof(bytes)),
              0)
        << wsa_message();
}

void set_linger_reset(native_handle socket) {
    linger l{};
    l.l_onoff = 1;
    l.l_linger = 0;
    EXPECT_EQ(::setsockopt(as_socket(socket), SOL_SOCKET, SO_LINGER, reinterpret_cast<const char*>(&l), sizeof(l)),
              0)
        << wsa_message();
}

}  // namespace swarmbench::test
