// free_port: a port on 127.0.0.1 that nothing listens on right now, for a
// seeder's base_port or a connect_to target that must refuse. Another process
// may take it before the test does; tests that bind it name the port in use.
//
// Thread rules: any thread.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "raw_socket.hpp"

namespace swarmbench::test {

inline std::uint16_t free_port() {
    std::uint16_t port = 0;
    std::string why;
    const raw::socket_t s = raw::listen_loopback(1, port, why);
    EXPECT_NE(s, invalid_handle) << why;
    raw::close(s);
    return port;
}

}  // namespace swarmbench::test
