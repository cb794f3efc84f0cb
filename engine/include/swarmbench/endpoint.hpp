// endpoint: an IPv4 or IPv6 address and a TCP port, stored portably.
//
// Thread rules: a plain value type; copy it freely between threads.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

namespace swarmbench {

/// An IP address and port. Stored in network byte order in a 16-byte array so
/// the same value works on POSIX and Windows without their socket headers.
struct endpoint {
    enum class family_t : std::uint8_t { none, v4, v6 };

    family_t family = family_t::none;  // which of the two address kinds is held
    std::uint16_t port = 0;            // host byte order
    std::array<std::uint8_t, 16> addr{};  // v4 uses the first 4 bytes

    /// 127.0.0.1:port.
    static endpoint loopback_v4(std::uint16_t port);
    /// a.b.c.d:port (host order octets).
    static endpoint v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d,
                       std::uint16_t port);

    /// Parses "1.2.3.4:5678", "[::1]:5678" or "localhost:5678". Sets ec to
    /// std::errc::invalid_argument with a message-worthy reason on failure.
    static endpoint parse(std::string_view text, std::error_code& ec);

    /// "127.0.0.1:6881" or "[::1]:6881".
    std::string to_string() const;

    bool valid() const { return family != family_t::none; }
    friend bool operator==(const endpoint&, const endpoint&) = default;
};

}  // namespace swarmbench
