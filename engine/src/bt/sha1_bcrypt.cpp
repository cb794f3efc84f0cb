// sha1 on Windows' own CNG (bcrypt.dll), so the Win32 build needs no OpenSSL.
// The algorithm provider is opened once per process (CNG handles are
// thread-safe to share); each sha1 object owns one hash object. The parts
// common to every build are in sha1.cpp.
#include <windows.h>
#include <bcrypt.h>

#include <cstdio>
#include <stdexcept>
#include <string>
#include <utility>

#include "swarmbench/bt/sha1.hpp"

namespace swarmbench::bt {

namespace {

bool ok(NTSTATUS s) { return s >= 0; }

[[noreturn]] void fail(const char* what, NTSTATUS s) {
    char code[16];
    std::snprintf(code, sizeof(code), "0x%08lx", static_cast<unsigned long>(s));
    throw std::runtime_error(std::string("sha1: ") + what + " failed (NTSTATUS " + code + ")");
}

BCRYPT_ALG_HANDLE provider() {
    static const BCRYPT_ALG_HANDLE alg = [] {
        BCRYPT_ALG_HANDLE h = nullptr;
        NTSTATUS s = BCryptOpenAlgorithmProvider(&h, BCRYPT_SHA1_ALGORITHM, nullptr, 0);
        if (!ok(s)) fail("BCryptOpenAlgorithmProvider(SHA1)", s);
        return h;
    }();
    return alg;
}

BCRYPT_HASH_HANDLE new_hash() {
    BCRYPT_HASH_HANDLE h = nullptr;
    // CNG allocates the hash object itself when given no buffer (Windows 7+).
    NTSTATUS s = BCryptCreateHash(provider(), &h, nullptr, 0, nullptr, 0, 0);
    if (!ok(s)) fail("BCryptCreateHash", s);
    return h;
}

BCRYPT_HASH_HANDLE handle_of(void* p) { return static_cast<BCRYPT_HASH_HANDLE>(p); }

void destroy(void* p) {
    if (p) BCryptDestroyHash(handle_of(p));
}

}  // namespace

sha1::sha1() : ctx_(new_hash()) {}

sha1::~sha1() { destroy(ctx_); }

sha1::sha1(sha1&& other) noexcept : ctx_(std::exchange(other.ctx_, nullptr)) {}

sha1& sha1::operator=(sha1&& other) noexcept {
    if (this != &other) {
        destroy(ctx_);
        ctx_ = std::exchange(other.ctx_, nullptr);
    }
    return *this;
}

void sha1::update(std::span<const std::byte> data) {
    // BCryptHashData takes a ULONG length: feed very large spans in parts.
    auto* p = reinterpret_cast<PUCHAR>(const_cast<std::byte*>(data.data()));
    std::size_t left = data.size();
    while (left > 0) {
        const ULONG n = static_cast<ULONG>(left > 0x40000000u ? 0x40000000u : left);
        NTSTATUS s = BCryptHashData(handle_of(ctx_), p, n, 0);
        if (!ok(s)) fail("BCryptHashData", s);
        p += n;
        left -= n;
    }
}

sha1_hash sha1::finish() {
    sha1_hash h{};
    NTSTATUS s = BCryptFinishHash(handle_of(ctx_), h.data(), static_cast<ULONG>(h.size()), 0);
    if (!ok(s)) fail("BCryptFinishHash", s);
    reset();
    return h;
}

void sha1::reset() {
    // A finished CNG hash cannot be reused without BCRYPT_HASH_REUSABLE_FLAG
    // (Windows 8+, and not everywhere under Wine): start a fresh one.
    BCRYPT_HASH_HANDLE fresh = new_hash();
    destroy(ctx_);
    ctx_ = fresh;
}

sha1_hash sha1_of(std::span<const std::byte> data) {
    sha1 h;
    h.update(data);
    return h.finish();
}

}  // namespace swarmbench::bt
