// bencode: a strict decoder and a canonical encoder (BEP 3).
//
// Strict means the decoder accepts exactly the canonical encoding: integers
// without leading zeros, "-0" or empty digits; string lengths likewise and
// checked against the remaining input before anything is allocated;
// dictionary keys strictly ascending (byte order) and unique; nothing after
// the top-level value. Depth, item count and input size are limited, so a
// hostile input costs bounded time and memory. Because only canonical input
// is accepted, encode(decode(x)) == x for every accepted x.
//
// Errors read "bencode: <reason> at offset <n>".
//
// Thread rules: values are plain data; the functions are reentrant.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "swarmbench/bt/result.hpp"

namespace swarmbench::bt::bencode {

class value;
struct dict_entry;
/// A list of values.
using list = std::vector<value>;
/// A dictionary: entries strictly sorted by key (byte order), keys unique.
/// Use dict_set()/dict_find() to keep that invariant.
using dict = std::vector<dict_entry>;

/// A bencoded value: integer, byte string, list or dictionary.
class value {
public:
    using variant_type = std::variant<std::int64_t, std::string, list, dict>;

    // Defined below dict_entry: constructing the variant needs every
    // alternative complete (clang instantiates it at the end of this class).
    value();
    value(std::int64_t i);       // NOLINT: implicit by design
    value(int i);                // NOLINT
    value(std::string s);        // NOLINT
    value(std::string_view s);   // NOLINT
    value(const char* s);        // NOLINT
    value(list l);               // NOLINT
    value(dict d);               // NOLINT

    bool is_int() const noexcept { return v_.index() == 0; }
    bool is_string() const noexcept { return v_.index() == 1; }
    bool is_list() const noexcept { return v_.index() == 2; }
    bool is_dict() const noexcept { return v_.index() == 3; }

    /// Accessors throw std::bad_variant_access on the wrong type.
    std::int64_t as_int() const { return std::get<0>(v_); }
    const std::string& as_string() const { return std::get<1>(v_); }
    const list& as_list() const { return std::get<2>(v_); }
    list& as_list() { return std::get<2>(v_); }
    const dict& as_dict() const { return std::get<3>(v_); }
    dict& as_dict() { return std::get<3>(v_); }

    /// Dictionary lookup (binary search); nullptr if absent or not a dict.
    const value* find(std::string_view key) const noexcept;

    const variant_type& variant() const noexcept { return v_; }
    friend bool operator==(const value& a, const value& b);

private:
    variant_type v_;  // the alternative held
};

struct dict_entry {
    std::string key;  // raw byte-string key
    value val;        // its value
    friend bool operator==(const dict_entry&, const dict_entry&) = default;
};

inline value::value() : v_(std::int64_t{0}) {}
inline value::value(std::int64_t i) : v_(i) {}
inline value::value(int i) : v_(std::int64_t{i}) {}
inline value::value(std::string s) : v_(std::move(s)) {}
inline value::value(std::string_view s) : v_(std::string(s)) {}
inline value::value(const char* s) : v_(std::string(s)) {}
inline value::value(list l) : v_(std::move(l)) {}
inline value::value(dict d) : v_(std::move(d)) {}

/// Inserts or replaces `key`, keeping the dictionary sorted.
void dict_set(dict& d, std::string_view key, value v);
/// The value under `key`, or nullptr.
const value* dict_find(const dict& d, std::string_view key) noexcept;

/// Bounds on what decode() accepts.
struct decode_limits {
    std::size_t max_input = 64u << 20;   // bytes of input
    std::size_t max_depth = 64;          // nesting of lists and dictionaries
    std::size_t max_items = 1u << 20;    // values of any kind, in total
};

/// Decodes exactly one value spanning the whole input.
result<value> decode(std::span<const std::byte> input, const decode_limits& limits = {});
result<value> decode(std::string_view input, const decode_limits& limits = {});

/// Like decode(), and also returns the raw bytes (a sub-span of `input`) of
/// the value under `key` in the top-level dictionary, e.g. "info" for the
/// info-hash. `raw` is empty if the top level is not a dict or lacks the key.
result<value> decode_with_raw(std::span<const std::byte> input, std::string_view key,
                              std::span<const std::byte>& raw,
                              const decode_limits& limits = {});

/// The canonical encoding of `v` (sorted keys, shortest integers).
std::string encode(const value& v);
/// Appends the canonical encoding of `v` to `out`.
void encode_to(const value& v, std::string& out);

}  // namespace swarmbench::bt::bencode
