// bencode: strict recursive-descent decoder and canonical encoder.
// The decoder works on raw bytes and never allocates more than the input
// proves it needs (string lengths are checked against what remains first).
#include "swarmbench/bt/bencode.hpp"

#include <algorithm>
#include <charconv>
#include <limits>

#include <fmt/format.h>

namespace swarmbench::bt::bencode {

// ---------------------------------------------------------------- value

const value* value::find(std::string_view key) const noexcept {
    if (!is_dict()) return nullptr;
    return dict_find(std::get<3>(v_), key);
}

bool operator==(const value& a, const value& b) { return a.v_ == b.v_; }

namespace {

auto key_less = [](const dict_entry& e, std::string_view k) {
    return std::string_view(e.key) < k;
};

}  // namespace

void dict_set(dict& d, std::string_view key, value v) {
    auto it = std::lower_bound(d.begin(), d.end(), key, key_less);
    if (it != d.end() && it->key == key) {
        it->val = std::move(v);
        return;
    }
    d.insert(it, dict_entry{std::string(key), std::move(v)});
}

const value* dict_find(const dict& d, std::string_view key) noexcept {
    auto it = std::lower_bound(d.begin(), d.end(), key, key_less);
    if (it != d.end() && it->key == key) return &it->val;
    return nullptr;
}

// ---------------------------------------------------------------- decoder

namespace {

class decoder {
public:
    decoder(std::span<const std::byte> in, const decode_limits& limits)
        : in_(in), limits_(limits) {}

    // Set before parse() to capture the raw bytes of a top-level dict value.
    std::string_view capture_key_;              // key to capture, empty for none
    std::span<const std::byte> captured_{};     // raw bytes of the captured value

    bool parse_top(value& out) {
        if (in_.size() > limits_.max_input)
            return fail(fmt::format("input of {} bytes exceeds the limit of {} bytes",
                                    in_.size(), limits_.max_input),
                        0);
        if (in_.empty()) return fail("empty input", 0);
        if (!parse(out, 0)) return false;
        if (pos_ != in_.size()) return fail("trailing data after the top-level value", pos_);
        return true;
    }

    const std::string& error() const { return error_; }

private:
    bool fail(std::string_view reason, std::size_t offset) {
        error_ = fmt::format("bencode: {} at offset {}", reason, offset);
        return false;
    }
    char peek() const { return static_cast<char>(in_[pos_]); }
    bool at_end() const { return pos_ >= in_.size(); }

    // Parses canonical decimal digits in [pos_, terminator); `what` names the
    // field for errors. Leaves pos_ on the terminator.
    bool parse_decimal(char terminator, bool allow_negative, std::int64_t& out,
                       std::string_view what) {
        const std::size_t start = pos_;
        bool negative = false;
        if (allow_negative && !at_end() && peek() == '-') {
            negative = true;
            ++pos_;
        }
        const std::size_t digits_start = pos_;
        std::uint64_t magnitude = 0;
        // Allow one more than INT64_MAX for INT64_MIN.
        const std::uint64_t cap = negative
            ? std::uint64_t{std::numeric_limits<std::int64_t>::max()} + 1
            : std::uint64_t{std::numeric_limits<std::int64_t>::max()};
        while (!at_end() && peek() >= '0' && peek() <= '9') {
            const auto d = static_cast<std::uint64_t>(peek() - '0');
            if (magnitude > (cap - d) / 10)
                return fail(fmt::format("{} overflows 64 bits", what), start);
            magnitude = magnitude * 10 + d;
            ++pos_;
        }
        if (at_end()) return fail(fmt::format("unexpected end of input in {}", what), pos_);
        if (pos_ == digits_start) {
            return fail(fmt::format("{} has no digits", what), start);
        }
        if (peek() != terminator)
            return fail(fmt::format("unexpected character '{}' in {}",
                                    printable(peek()), what),
                        pos_);
        if (in_[digits_start] == std::byte{'0'} && pos_ - digits_start > 1)
            return fail(fmt::format("leading zero in {}", what), start);
        if (negative && magnitude == 0) return fail(fmt::format("negative zero in {}", what), start);
        out = negative ? static_cast<std::int64_t>(0 - magnitude)
                       : static_cast<std::int64_t>(magnitude);
        return true;
    }

    static std::string printable(char c) {
        if (c >= 0x20 && c < 0x7f) return std::string(1, c);
        return fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
    }

    bool parse_string(std::string& out) {
        const std::size_t start = pos_;
        std::int64_t len = 0;
        if (!parse_decimal(':', false, len, "string length")) return false;
        ++pos_;  // ':'
        const std::size_t remaining = in_.size() - pos_;
        if (static_cast<std::uint64_t>(len) > remaining)
            return fail(fmt::format("string length {} exceeds the {} bytes remaining", len,
                                    remaining),
                        start);
        const auto* p = reinterpret_cast<const char*>(in_.data() + pos_);
        out.assign(p, static_cast<std::size_t>(len));
        pos_ += static_cast<std::size_t>(len);
        return true;
    }

    bool parse(value& out, std::size_t depth) {
        if (at_end()) return fail("unexpected end of input", pos_);
        if (++items_ > limits_.max_items)
            return fail(fmt::format("more than {} items", limits_.max_items), pos_);
        const char c = peek();
        if (c == 'i') {
            ++pos_;
            std::int64_t i = 0;
            if (!parse_decimal('e', true, i, "integer")) return false;
            ++pos_;
            out = value(i);
            return true;
        }
        if (c >= '0' && c <= '9') {
            std::string s;
            if (!parse_string(s)) return false;
            out = value(std::move(s));
            return true;
        }
        if (c == 'l' || c == 'd') {
            if (depth + 1 > limits_.max_depth)
                return fail(fmt::format("nesting deeper than {} levels", limits_.max_depth), pos_);
            return c == 'l' ? parse_list(out, depth + 1) : parse_dict(out, depth + 1);
        }
        return fail(fmt::format("unexpected character '{}'", printable(c)), pos_);
    }

    bool parse_list(value& out, std::size_t depth) {
        ++pos_;  // 'l'
        list l;
        while (true) {
            if (at_end()) return fail("unterminated list", pos_);
            if (peek() == 'e') break;
            value v;
            if (!parse(v, depth)) return false;
            l.push_back(std::move(v));
        }
        ++pos_;
        out = value(std::move(l));
        return true;
    }

    bool parse_dict(value& out, std::size_t depth) {
        ++pos_;  // 'd'
        dict d;
        while (true) {
            if (at_end()) return fail("unterminated dictionary", pos_);
            if (peek() == 'e') break;
            const std::size_t key_offset = pos_;
            if (peek() < '0' || peek() > '9')
                return fail("dictionary key is not a string", pos_);
            std::string key;
            if (!parse_string(key)) return false;
            if (!d.empty()) {
                if (key == d.back().key) return fail("duplicate dictionary key", key_offset);
                if (key < d.back().key) return fail("dictionary keys out of order", key_offset);
            }
            const std::size_t value_offset = pos_;
            value v;
            if (!parse(v, depth)) return false;
            if (depth == 1 && !capture_key_.empty() && key == capture_key_)
                captured_ = in_.subspan(value_offset, pos_ - value_offset);
            d.push_back(dict_entry{std::move(key), std::move(v)});
        }
        ++pos_;
        out = value(std::move(d));
        return true;
    }

    std::span<const std::byte> in_;  // the whole input
    decode_limits limits_;           // bounds applied
    std::size_t pos_ = 0;            // next byte to read
    std::size_t items_ = 0;          // values seen so far
    std::string error_;              // set by fail()
};

}  // namespace

result<value> decode(std::span<const std::byte> input, const decode_limits& limits) {
    decoder d(input, limits);
    value v;
    if (!d.parse_top(v)) return parse_error{d.error()};
    return v;
}

result<value> decode(std::string_view input, const decode_limits& limits) {
    return decode(std::as_bytes(std::span<const char>(input.data(), input.size())), limits);
}

result<value> decode_with_raw(std::span<const std::byte> input, std::string_view key,
                              std::span<const std::byte>& raw, const decode_limits& limits) {
    decoder d(input, limits);
    d.capture_key_ = key;
    value v;
    raw = {};
    if (!d.parse_top(v)) return parse_error{d.error()};
    raw = d.captured_;
    return v;
}

// ---------------------------------------------------------------- encoder

void encode_to(const value& v, std::string& out) {
    std::visit(
        [&out](const auto& x) {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, std::int64_t>) {
                fmt::format_to(std::back_inserter(out), "i{}e", x);
            } else if constexpr (std::is_same_v<T, std::string>) {
                fmt::format_to(std::back_inserter(out), "{}:", x.size());
                out.append(x);
            } else if constexpr (std::is_same_v<T, list>) {
                out.push_back('l');
                for (const value& e : x) encode_to(e, out);
                out.push_back('e');
            } else {
                // Entries are kept sorted by dict_set(); sort a copy of the
                // order if a caller built the vector by hand.
                std::vector<const dict_entry*> order;
                order.reserve(x.size());
                for (const dict_entry& e : x) order.push_back(&e);
                std::stable_sort(order.begin(), order.end(),
                                 [](const dict_entry* a, const dict_entry* b) {
                                     return a->key < b->key;
                                 });
                out.push_back('d');
                const std::string* last = nullptr;
                for (const dict_entry* e : order) {
                    if (last && *last == e->key) continue;  // canonical: first wins
                    last = &e->key;
                    fmt::format_to(std::back_inserter(out), "{}:", e->key.size());
                    out.append(e->key);
                    encode_to(e->val, out);
                }
                out.push_back('e');
            }
        },
        v.variant());
}

std::string encode(const value& v) {
    std::string out;
    encode_to(v, out);
    return out;
}

}  // namespace swarmbench::bt::bencode
