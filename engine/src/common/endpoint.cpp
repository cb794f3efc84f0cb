#include "swarmbench/endpoint.hpp"

#include <charconv>
#include <cstdio>

namespace swarmbench {

endpoint endpoint::loopback_v4(std::uint16_t port) { return v4(127, 0, 0, 1, port); }

endpoint endpoint::v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d,
                      std::uint16_t port) {
    endpoint ep;
    ep.family = family_t::v4;
    ep.port = port;
    ep.addr[0] = a;
    ep.addr[1] = b;
    ep.addr[2] = c;
    ep.addr[3] = d;
    return ep;
}

namespace {

bool parse_port(std::string_view s, std::uint16_t& port) {
    unsigned value = 0;
    auto [p, err] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (err != std::errc() || p != s.data() + s.size() || value > 65535) return false;
    port = static_cast<std::uint16_t>(value);
    return true;
}

bool parse_v4(std::string_view s, std::array<std::uint8_t, 16>& addr) {
    for (int i = 0; i < 4; ++i) {
        auto dot = i < 3 ? s.find('.') : s.size();
        if (dot == std::string_view::npos) return false;
        unsigned v = 0;
        auto part = s.substr(0, dot);
        auto [p, err] = std::from_chars(part.data(), part.data() + part.size(), v);
        if (part.empty() || err != std::errc() || p != part.data() + part.size() || v > 255) return false;
        addr[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v);
        s = i < 3 ? s.substr(dot + 1) : std::string_view{};
    }
    return true;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// RFC 4291 text form without embedded IPv4 (enough for "::1" and full forms).
bool parse_v6(std::string_view s, std::array<std::uint8_t, 16>& addr) {
    std::array<std::uint16_t, 8> head{}, tail{};
    int nhead = 0, ntail = 0;
    bool gap = false;
    std::size_t i = 0;
    if (s.substr(0, 2) == "::") {
        gap = true;
        i = 2;
    }
    while (i < s.size()) {
        unsigned v = 0;
        int digits = 0;
        while (i < s.size() && hex_value(s[i]) >= 0 && digits < 5) {
            v = v * 16 + static_cast<unsigned>(hex_value(s[i]));
            ++i;
            ++digits;
        }
        if (digits == 0 || digits > 4) return false;
        if (gap) {
            if (ntail >= 8) return false;
            tail[static_cast<std::size_t>(ntail++)] = static_cast<std::uint16_t>(v);
        } else {
            if (nhead >= 8) return false;
            head[static_cast<std::size_t>(nhead++)] = static_cast<std::uint16_t>(v);
        }
        if (i == s.size()) break;
        if (s[i] != ':') return false;
        ++i;
        if (i < s.size() && s[i] == ':') {
            if (gap) return false;
            gap = true;
            ++i;
        }
    }
    if (nhead + ntail > (gap ? 7 : 8) || (!gap && nhead != 8)) return false;
    std::array<std::uint16_t, 8> words{};
    for (int k = 0; k < nhead; ++k) words[static_cast<std::size_t>(k)] = head[static_cast<std::size_t>(k)];
    for (int k = 0; k < ntail; ++k) words[static_cast<std::size_t>(8 - ntail + k)] = tail[static_cast<std::size_t>(k)];
    for (std::size_t k = 0; k < 8; ++k) {
        addr[2 * k] = static_cast<std::uint8_t>(words[k] >> 8);
        addr[2 * k + 1] = static_cast<std::uint8_t>(words[k] & 0xff);
    }
    return true;
}

}  // namespace

endpoint endpoint::parse(std::string_view text, std::error_code& ec) {
    ec = std::make_error_code(std::errc::invalid_argument);
    endpoint ep;
    std::string_view host, port;
    if (!text.empty() && text.front() == '[') {
        auto close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') return {};
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
        if (!parse_v6(host, ep.addr)) return {};
        ep.family = family_t::v6;
    } else {
        auto colon = text.rfind(':');
        if (colon == std::string_view::npos) return {};
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
        if (host == "localhost") {
            ep.addr = {127, 0, 0, 1};
        } else if (!parse_v4(host, ep.addr)) {
            return {};
        }
        ep.family = family_t::v4;
    }
    if (!parse_port(port, ep.port)) return {};
    ec.clear();
    return ep;
}

std::string endpoint::to_string() const {
    char buf[64];
    if (family == family_t::v4) {
        std::snprintf(buf, sizeof(buf), "%u.%u.%u.%u:%u", addr[0], addr[1], addr[2], addr[3], port);
        return buf;
    }
    if (family == family_t::v6) {
        std::string out = "[";
        for (std::size_t k = 0; k < 8; ++k) {
            if (k) out += ':';
            std::snprintf(buf, sizeof(buf), "%x", (addr[2 * k] << 8) | addr[2 * k + 1]);
            out += buf;
        }
        std::snprintf(buf, sizeof(buf), "]:%u", port);
        return out + buf;
    }
    return "(none)";
}

}  // namespace swarmbench
