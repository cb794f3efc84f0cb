// result: a value or a parse error, for the BitTorrent parsers.
//
// The parsers face hostile input (torrent files, peer messages), so they
// report failures as values rather than exceptions: a caller can drop a peer
// with the message as the logged reason. Messages are short reasons
// such as "bencode: leading zero in integer at offset 4".
//
// Thread rules: plain value type; no shared state.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace swarmbench::bt {

/// Why a parse or validation failed; `message` names the reason and, where it
/// applies, the byte offset or the field.
struct parse_error {
    std::string message;  // human-readable reason, ready for a log line
};

/// Either a T or a parse_error. Accessing the wrong alternative is a bug
/// (std::bad_variant_access).
template <class T>
class result {
public:
    result(T value) : v_(std::move(value)) {}                // NOLINT: implicit by design
    result(parse_error error) : v_(std::move(error)) {}      // NOLINT: implicit by design

    bool ok() const noexcept { return v_.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }

    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    T* operator->() { return &std::get<0>(v_); }
    const T* operator->() const { return &std::get<0>(v_); }

    /// The error message; only valid when !ok().
    const std::string& error() const { return std::get<1>(v_).message; }

private:
    std::variant<T, parse_error> v_;  // the value, or why there is none
};

}  // namespace swarmbench::bt
