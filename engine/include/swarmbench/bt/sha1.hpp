// sha1: incremental SHA-1 (OpenSSL EVP, or CNG on Windows, underneath) for piece hashes and
// info-hashes. No OpenSSL header leaks into users of this one.
//
// Thread rules: one sha1 object per thread at a time; the free functions are
// reentrant.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace swarmbench::bt {

/// A SHA-1 digest.
using sha1_hash = std::array<std::uint8_t, 20>;

/// Lower-case hex of a digest (40 characters).
std::string to_hex(const sha1_hash& h);

class sha1 {
public:
    /// Throws std::runtime_error if OpenSSL cannot create a digest context.
    sha1();
    ~sha1();
    sha1(sha1&& other) noexcept;
    sha1& operator=(sha1&& other) noexcept;
    sha1(const sha1&) = delete;
    sha1& operator=(const sha1&) = delete;

    void update(std::span<const std::byte> data);
    void update(std::string_view data);
    /// The digest of everything since construction or the last reset; the
    /// object is reset and ready for the next message.
    sha1_hash finish();
    void reset();

private:
    void* ctx_ = nullptr;  // EVP_MD_CTX*, owned
};

/// One-shot helpers.
sha1_hash sha1_of(std::span<const std::byte> data);
sha1_hash sha1_of(std::string_view data);

}  // namespace swarmbench::bt
