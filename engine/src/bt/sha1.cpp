// sha1: the parts common to every build. The digest itself comes from the
// platform's library: sha1_openssl.cpp (POSIX) or sha1_bcrypt.cpp (Windows CNG).
#include "swarmbench/bt/sha1.hpp"

namespace swarmbench::bt {

std::string to_hex(const sha1_hash& h) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string s(40, '0');
    for (std::size_t i = 0; i < h.size(); ++i) {
        s[2 * i] = digits[h[i] >> 4];
        s[2 * i + 1] = digits[h[i] & 15];
    }
    return s;
}

void sha1::update(std::string_view data) {
    update(std::as_bytes(std::span<const char>(data.data(), data.size())));
}

sha1_hash sha1_of(std::string_view data) {
    return sha1_of(std::as_bytes(std::span<const char>(data.data(), data.size())));
}

}  // namespace swarmbench::bt
