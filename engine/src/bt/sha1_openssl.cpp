// sha1 on OpenSSL (POSIX builds): EVP_MD_CTX with EVP_sha1 (the SHA1_* calls
// are deprecated in OpenSSL 3). The parts common to every build are in sha1.cpp.
#include "swarmbench/bt/sha1.hpp"

#include <stdexcept>
#include <utility>

#include <openssl/evp.h>

namespace swarmbench::bt {

namespace {

EVP_MD_CTX* ctx_of(void* p) { return static_cast<EVP_MD_CTX*>(p); }

void init_or_throw(EVP_MD_CTX* ctx) {
    if (EVP_DigestInit_ex(ctx, EVP_sha1(), nullptr) != 1)
        throw std::runtime_error("sha1: EVP_DigestInit_ex failed (OpenSSL without SHA-1?)");
}

}  // namespace

sha1::sha1() {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    if (!ctx) throw std::runtime_error("sha1: EVP_MD_CTX_new failed (out of memory)");
    ctx_ = ctx;
    try {
        init_or_throw(ctx);
    } catch (...) {
        EVP_MD_CTX_free(ctx);
        ctx_ = nullptr;
        throw;
    }
}

sha1::~sha1() { EVP_MD_CTX_free(ctx_of(ctx_)); }

sha1::sha1(sha1&& other) noexcept : ctx_(std::exchange(other.ctx_, nullptr)) {}

sha1& sha1::operator=(sha1&& other) noexcept {
    if (this != &other) {
        EVP_MD_CTX_free(ctx_of(ctx_));
        ctx_ = std::exchange(other.ctx_, nullptr);
    }
    return *this;
}

void sha1::update(std::span<const std::byte> data) {
    EVP_DigestUpdate(ctx_of(ctx_), data.data(), data.size());
}

sha1_hash sha1::finish() {
    sha1_hash h{};
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx_of(ctx_), h.data(), &len);
    init_or_throw(ctx_of(ctx_));
    return h;
}

void sha1::reset() { init_or_throw(ctx_of(ctx_)); }

sha1_hash sha1_of(std::span<const std::byte> data) {
    sha1_hash h{};
    unsigned int len = 0;
    EVP_Digest(data.data(), data.size(), h.data(), &len, EVP_sha1(), nullptr);
    return h;
}

}  // namespace swarmbench::bt
