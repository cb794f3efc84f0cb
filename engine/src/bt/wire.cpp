// wire: peer wire encoders and the incremental, validating decoder.
//
// [SECTION] helpers
// [SECTION] encoders
// [SECTION] extended handshake
// [SECTION] decoder state machine
// [SECTION] message bodies
#include "swarmbench/bt/wire.hpp"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "swarmbench/bt/bencode.hpp"

namespace swarmbench::bt {

// ---------------------------------------------------------------- [SECTION] helpers

namespace {

constexpr std::string_view protocol_name = "BitTorrent protocol";

inline void put32(std::byte* p, std::uint32_t v) noexcept {
    p[0] = static_cast<std::byte>(v >> 24);
    p[1] = static_cast<std::byte>(v >> 16);
    p[2] = static_cast<std::byte>(v >> 8);
    p[3] = static_cast<std::byte>(v);
}

inline std::uint32_t get32(const std::byte* p) noexcept {
    return (std::uint32_t{std::to_integer<std::uint8_t>(p[0])} << 24) |
           (std::uint32_t{std::to_integer<std::uint8_t>(p[1])} << 16) |
           (std::uint32_t{std::to_integer<std::uint8_t>(p[2])} << 8) |
           std::uint32_t{std::to_integer<std::uint8_t>(p[3])};
}

// Length prefix and id.
inline std::byte* put_head(std::byte* p, std::uint32_t length, msg_id id) noexcept {
    put32(p, length);
    p[4] = static_cast<std::byte>(id);
    return p + 5;
}

std::size_t encode_index(std::span<std::byte> out, msg_id id, std::uint32_t index) noexcept {
    if (out.size() < 9) return 0;
    put32(put_head(out.data(), 5, id), index);
    return 9;
}

std::size_t encode_block(std::span<std::byte> out, msg_id id, std::uint32_t index,
                         std::uint32_t begin, std::uint32_t length) noexcept {
    if (out.size() < 17) return 0;
    std::byte* p = put_head(out.data(), 13, id);
    put32(p, index);
    put32(p + 4, begin);
    put32(p + 8, length);
    return 17;
}

const char* id_name(std::uint8_t id) noexcept {
    switch (id) {
    case 0: return "choke";
    case 1: return "unchoke";
    case 2: return "interested";
    case 3: return "not interested";
    case 4: return "have";
    case 5: return "bitfield";
    case 6: return "request";
    case 7: return "piece";
    case 8: return "cancel";
    case 9: return "port";
    case 13: return "suggest piece";
    case 14: return "have all";
    case 15: return "have none";
    case 16: return "reject request";
    case 17: return "allowed fast";
    case 20: return "extended";
    default: return "unknown";
    }
}

}  // namespace

reserved_bits make_reserved(bool extensions, bool fast) noexcept {
    reserved_bits r{};
    if (extensions) r[5] |= extension_bit;
    if (fast) r[7] |= fast_bit;
    return r;
}

const char* to_string(message_kind k) noexcept {
    switch (k) {
    case message_kind::handshake: return "handshake";
    case message_kind::keep_alive: return "keep-alive";
    case message_kind::choke: return "choke";
    case message_kind::unchoke: return "unchoke";
    case message_kind::interested: return "interested";
    case message_kind::not_interested: return "not interested";
    case message_kind::have: return "have";
    case message_kind::bitfield: return "bitfield";
    case message_kind::request: return "request";
    case message_kind::piece: return "piece";
    case message_kind::cancel: return "cancel";
    case message_kind::port: return "port";
    case message_kind::suggest: return "suggest piece";
    case message_kind::have_all: return "have all";
    case message_kind::have_none: return "have none";
    case message_kind::reject: return "reject request";
    case message_kind::allowed_fast: return "allowed fast";
    case message_kind::extended_handshake: return "extended handshake";
    case message_kind::extended: return "extended";
    case message_kind::unknown: return "unknown";
    case message_kind::piece_header: return "piece header";
    case message_kind::piece_data: return "piece data";
    }
    return "?";
}

// ---------------------------------------------------------------- [SECTION] encoders

std::size_t encode_handshake(std::span<std::byte> out, const handshake& hs) noexcept {
    if (out.size() < handshake_size) return 0;
    std::byte* p = out.data();
    p[0] = std::byte{19};
    std::memcpy(p + 1, protocol_name.data(), 19);
    std::memcpy(p + 20, hs.reserved.data(), 8);
    std::memcpy(p + 28, hs.info_hash.data(), 20);
    std::memcpy(p + 48, hs.id.data(), 20);
    return handshake_size;
}

std::size_t encode_keep_alive(std::span<std::byte> out) noexcept {
    if (out.size() < 4) return 0;
    put32(out.data(), 0);
    return 4;
}

std::size_t encode_simple(std::span<std::byte> out, msg_id id) noexcept {
    if (out.size() < 5) return 0;
    put_head(out.data(), 1, id);
    return 5;
}

std::size_t encode_have(std::span<std::byte> out, std::uint32_t index) noexcept {
    return encode_index(out, msg_id::have, index);
}
std::size_t encode_suggest(std::span<std::byte> out, std::uint32_t index) noexcept {
    return encode_index(out, msg_id::suggest, index);
}
std::size_t encode_allowed_fast(std::span<std::byte> out, std::uint32_t index) noexcept {
    return encode_index(out, msg_id::allowed_fast, index);
}

std::size_t encode_bitfield(std::span<std::byte> out, const bitfield& bits) noexcept {
    const std::span<const std::byte> b = bits.bytes();
    if (out.size() < 5 + b.size()) return 0;
    std::byte* p = put_head(out.data(), static_cast<std::uint32_t>(1 + b.size()), msg_id::bitfield);
    if (!b.empty()) std::memcpy(p, b.data(), b.size());
    return 5 + b.size();
}

std::size_t encode_request(std::span<std::byte> out, std::uint32_t index, std::uint32_t begin,
                           std::uint32_t length) noexcept {
    return encode_block(out, msg_id::request, index, begin, length);
}
std::size_t encode_cancel(std::span<std::byte> out, std::uint32_t index, std::uint32_t begin,
                          std::uint32_t length) noexcept {
    return encode_block(out, msg_id::cancel, index, begin, length);
}
std::size_t encode_reject(std::span<std::byte> out, std::uint32_t index, std::uint32_t begin,
                          std::uint32_t length) noexcept {
    return encode_block(out, msg_id::reject, index, begin, length);
}

std::size_t encode_piece_header(std::span<std::byte> out, std::uint32_t index, std::uint32_t begin,
                                std::uint32_t block_length) noexcept {
    if (out.size() < piece_header_size) return 0;
    std::byte* p = put_head(out.data(), 9 + block_length, msg_id::piece);
    put32(p, index);
    put32(p + 4, begin);
    return piece_header_size;
}

std::size_t encode_port(std::span<std::byte> out, std::uint16_t port) noexcept {
    if (out.size() < 7) return 0;
    std::byte* p = put_head(out.data(), 3, msg_id::port);
    p[0] = static_cast<std::byte>(port >> 8);
    p[1] = static_cast<std::byte>(port);
    return 7;
}

std::size_t encode_extended(std::span<std::byte> out, std::uint8_t ext_id,
                            std::span<const std::byte> payload) noexcept {
    if (out.size() < 6 + payload.size()) return 0;
    std::byte* p = put_head(out.data(), static_cast<std::uint32_t>(2 + payload.size()), msg_id::extended);
    p[0] = static_cast<std::byte>(ext_id);
    if (!payload.empty()) std::memcpy(p + 1, payload.data(), payload.size());
    return 6 + payload.size();
}

// ---------------------------------------------------------------- [SECTION] extended handshake

std::string extended_handshake_payload(const extended_handshake& hs) {
    bencode::dict d;
    bencode::dict m;
    for (const auto& [name, id] : hs.m) bencode::dict_set(m, name, std::int64_t{id});
    bencode::dict_set(d, "m", std::move(m));
    if (hs.p) bencode::dict_set(d, "p", std::int64_t{*hs.p});
    if (hs.reqq) bencode::dict_set(d, "reqq", std::int64_t{*hs.reqq});
    if (!hs.v.empty()) bencode::dict_set(d, "v", hs.v);
    return bencode::encode(bencode::value(std::move(d)));
}

std::size_t encode_extended_handshake(std::span<std::byte> out, const extended_handshake& hs) {
    const std::string payload = extended_handshake_payload(hs);
    return encode_extended(out, 0, std::as_bytes(std::span<const char>(payload.data(), payload.size())));
}

result<extended_handshake> parse_extended_handshake(std::span<const std::byte> payload) {
    bencode::decode_limits limits;
    limits.max_depth = 8;        // real handshakes nest two levels
    limits.max_items = 4096;     // and carry a few dozen values
    auto v = bencode::decode(payload, limits);
    if (!v) return parse_error{"extended handshake: " + v.error()};
    if (!v->is_dict()) return parse_error{"extended handshake: not a dictionary"};
    extended_handshake hs;
    if (const bencode::value* m = v->find("m")) {
        if (!m->is_dict()) return parse_error{"extended handshake: 'm' is not a dictionary"};
        for (const bencode::dict_entry& e : m->as_dict()) {
            if (!e.val.is_int() || e.val.as_int() < 0 || e.val.as_int() > 255)
                return parse_error{fmt::format(
                    "extended handshake: m[\"{}\"] is not an id in 0..255", e.key)};
            hs.m.emplace_back(e.key, static_cast<std::uint8_t>(e.val.as_int()));
        }
    }
    if (const bencode::value* ver = v->find("v")) {
        if (!ver->is_string()) return parse_error{"extended handshake: 'v' is not a string"};
        hs.v = ver->as_string();
    }
    if (const bencode::value* reqq = v->find("reqq")) {
        if (!reqq->is_int() || reqq->as_int() < 1 || reqq->as_int() > 0xffffffffll)
            return parse_error{"extended handshake: 'reqq' is not a positive 32-bit integer"};
        hs.reqq = static_cast<std::uint32_t>(reqq->as_int());
    }
    if (const bencode::value* p = v->find("p")) {
        if (!p->is_int() || p->as_int() < 1 || p->as_int() > 65535)
            return parse_error{"extended handshake: 'p' is not a port in 1..65535"};
        hs.p = static_cast<std::uint16_t>(p->as_int());
    }
    return hs;
}

// ---------------------------------------------------------------- [SECTION] decoder state machine

wire_decoder::wire_decoder(const piece_geometry& geometry, wire_options options)
    : geometry_(geometry),
      options_(options),
      bitfield_bytes_((geometry.piece_count() + 7) / 8),
      state_(options.expect_handshake ? state::handshake : state::length) {
    wire_limits& l = options_.limits;
    l.max_request_length = std::clamp<std::uint32_t>(l.max_request_length, 1, max_block_limit);
    l.max_piece_block = std::clamp<std::uint32_t>(l.max_piece_block, 1, max_block_limit);
    l.max_message_size = std::max<std::uint32_t>(l.max_message_size, 64);
    max_length_ = std::max({l.max_message_size, 1 + bitfield_bytes_, 9 + l.max_piece_block});
}

wire_decoder::status wire_decoder::fail(std::string reason) {
    error_ = std::move(reason);
    state_ = state::failed;
    body_.clear();
    body_.shrink_to_fit();  // a dead peer keeps no buffer
    return status::error;
}

void wire_decoder::skip_payload(std::uint32_t n) noexcept {
    n = std::min(n, payload_left_);
    payload_left_ -= n;
    payload_begin_ += n;
    if (payload_left_ == 0 && state_ == state::piece_payload) state_ = state::length;
}

wire_decoder::handshake_scratch& wire_decoder::scratch() {
    if (!scratch_) scratch_ = std::make_unique<handshake_scratch>();
    return *scratch_;
}

wire_decoder::status wire_decoder::parse_handshake(message& out) {
    handshake& hs = scratch_->hs;
    const auto* p = scratch_->buf.data();
    std::memcpy(hs.reserved.data(), p + 20, 8);
    std::memcpy(hs.info_hash.data(), p + 28, 20);
    std::memcpy(hs.id.data(), p + 48, 20);
    if (options_.expected_info_hash && *options_.expected_info_hash != hs.info_hash)
        return fail(fmt::format("handshake: info-hash {} is not this torrent's ({})",
                                to_hex(hs.info_hash), to_hex(*options_.expected_info_hash)));
    ext_ = hs.supports_extensions() && (options_.our_reserved[5] & extension_bit);
    fast_ = hs.supports_fast() && (options_.our_reserved[7] & fast_bit);
    state_ = state::length;
    out = message{};
    out.kind = message_kind::handshake;
    out.hs = &hs;
    return status::message;
}

bool wire_decoder::check_length(std::uint32_t len, std::uint8_t id) {
    std::uint32_t want = 0;  // exact length, 0 for variable
    switch (id) {
    case 0: case 1: case 2: case 3: case 14: case 15: want = 1; break;
    case 4: case 13: case 17: want = 5; break;
    case 5: want = 1 + bitfield_bytes_; break;
    case 6: case 8: case 16: want = 13; break;
    case 9: want = 3; break;
    case 7:
        if (len < 10) {
            fail(fmt::format("piece: message length {} leaves no block (minimum 10)", len));
            return false;
        }
        if (len - 9 > options_.limits.max_piece_block) {
            fail(fmt::format("piece: block of {} bytes exceeds the limit of {} bytes", len - 9,
                             options_.limits.max_piece_block));
            return false;
        }
        return true;
    case 20:
        if (len < 2) {
            fail("extended: message has no extended id");
            return false;
        }
        [[fallthrough]];
    default:
        if (len > options_.limits.max_message_size) {
            fail(fmt::format("{} (id {}): length {} exceeds the limit of {} bytes", id_name(id), id,
                             len, options_.limits.max_message_size));
            return false;
        }
        return true;
    }
    if (len != want) {
        fail(fmt::format("{}: message length {} (expected {})", id_name(id), len, want));
        return false;
    }
    return true;
}

wire_decoder::status wire_decoder::next(std::span<const std::byte>& in, message& out) {
    // A message split across inputs was assembled in body_; between messages
    // give a large one's memory back, so an idle connection holds none (the
    // spans of the previous message die with this call anyway).
    if (state_ == state::length && head_have_ == 0 && body_.capacity() > 256) std::vector<std::byte>().swap(body_);
    if (scratch_ && state_ != state::handshake) scratch_.reset();  // the handshakes' (see handshake_scratch)
    for (;;) {
        switch (state_) {
        case state::failed:
            return status::error;

        case state::handshake: {
            if (in.empty()) return status::need_more;  // (memcpy from an empty span's null data is undefined)
            handshake_scratch& h = scratch();
            const std::size_t before = h.have;
            const std::size_t n = std::min(in.size(), handshake_size - h.have);
            std::memcpy(h.buf.data() + h.have, in.data(), n);
            in = in.subspan(n);
            h.have += n;
            // Check the protocol string as soon as it is here, so garbage
            // fails on its first bytes rather than after 68.
            if (before == 0 && h.have >= 1 && h.buf[0] != std::byte{19})
                return fail(fmt::format("handshake: first byte {} is not 19 (not a BitTorrent peer)",
                                        std::to_integer<int>(h.buf[0])));
            if (before < 20 && h.have >= 20 && std::memcmp(h.buf.data() + 1, protocol_name.data(), 19) != 0)
                return fail("handshake: protocol string is not \"BitTorrent protocol\"");
            if (h.have < handshake_size) return status::need_more;
            return parse_handshake(out);
        }

        case state::length: {
            if (in.empty()) return status::need_more;
            if (head_have_ == 0 && in.size() >= 4) {
                msg_len_ = get32(in.data());
                in = in.subspan(4);
            } else {
                const std::size_t n = std::min(in.size(), 4 - head_have_);
                std::memcpy(head_.data() + head_have_, in.data(), n);
                in = in.subspan(n);
                head_have_ += n;
                if (head_have_ < 4) return status::need_more;
                head_have_ = 0;
                msg_len_ = get32(head_.data());
            }
            if (msg_len_ == 0) {
                out = message{};
                out.kind = message_kind::keep_alive;
                return status::message;
            }
            if (msg_len_ > max_length_)
                return fail(fmt::format("message length {} exceeds the limit of {} bytes", msg_len_,
                                        max_length_));
            state_ = state::id;
            break;
        }

        case state::id: {
            if (in.empty()) return status::need_more;
            id_ = std::to_integer<std::uint8_t>(in[0]);
            in = in.subspan(1);
            if (!check_length(msg_len_, id_)) return status::error;
            body_need_ = msg_len_ - 1;
            const bool known = id_ <= 9 || (id_ >= 13 && id_ <= 17) || id_ == 20;
            if (!known) {
                skip_left_ = body_need_;
                state_ = skip_left_ ? state::skip : state::length;
                out = message{};
                out.kind = message_kind::unknown;
                out.ext_id = id_;
                out.length = body_need_;
                out.bend = bend_unknown_message;
                return status::message;
            }
            if (id_ == 7 && options_.stream_pieces) {
                state_ = state::piece_head;
                break;
            }
            if (body_need_ == 0) {
                state_ = state::length;
                return parse_body({}, out);
            }
            body_.clear();
            state_ = state::body;
            break;
        }

        case state::body: {
            if (in.empty()) return status::need_more;
            if (body_.empty() && in.size() >= body_need_) {
                const auto body = in.first(body_need_);
                in = in.subspan(body_need_);
                state_ = state::length;
                return parse_body(body, out);
            }
            if (body_.capacity() < body_need_) body_.reserve(body_need_);
            const std::size_t n = std::min<std::size_t>(in.size(), body_need_ - body_.size());
            body_.insert(body_.end(), in.begin(), in.begin() + static_cast<std::ptrdiff_t>(n));
            in = in.subspan(n);
            if (body_.size() < body_need_) return status::need_more;
            state_ = state::length;
            return parse_body(body_, out);
        }

        case state::piece_head: {
            if (in.empty()) return status::need_more;
            const std::size_t n = std::min(in.size(), 8 - head_have_);
            std::memcpy(head_.data() + head_have_, in.data(), n);
            in = in.subspan(n);
            head_have_ += n;
            if (head_have_ < 8) return status::need_more;
            head_have_ = 0;
            const std::uint32_t index = get32(head_.data());
            const std::uint32_t begin = get32(head_.data() + 4);
            const std::uint32_t length = msg_len_ - 9;
            if (!check_block("piece", index, begin, length, options_.limits.max_piece_block))
                return status::error;
            seen_message_ = true;
            payload_index_ = index;
            payload_begin_ = begin;
            payload_left_ = length;
            state_ = state::piece_payload;
            out = message{};
            out.kind = message_kind::piece_header;
            out.index = index;
            out.begin = begin;
            out.length = length;
            return status::message;
        }

        case state::piece_payload: {
            if (payload_left_ == 0) {
                state_ = state::length;
                break;
            }
            if (in.empty()) return status::need_more;
            const std::size_t n = std::min<std::size_t>(in.size(), payload_left_);
            out = message{};
            out.kind = message_kind::piece_data;
            out.index = payload_index_;
            out.begin = payload_begin_;
            out.data = in.first(n);
            in = in.subspan(n);
            payload_left_ -= static_cast<std::uint32_t>(n);
            payload_begin_ += static_cast<std::uint32_t>(n);
            if (payload_left_ == 0) state_ = state::length;
            return status::message;
        }

        case state::skip: {
            if (in.empty()) return status::need_more;
            const std::size_t n = std::min<std::size_t>(in.size(), skip_left_);
            in = in.subspan(n);
            skip_left_ -= static_cast<std::uint32_t>(n);
            if (skip_left_ == 0) state_ = state::length;
            break;
        }
        }
    }
}

// ---------------------------------------------------------------- [SECTION] message bodies

bool wire_decoder::check_index(std::string_view what, std::uint32_t index) {
    if (index < geometry_.piece_count()) return true;
    fail(fmt::format("{}: piece index {} out of range (torrent has {} pieces)", what, index,
                     geometry_.piece_count()));
    return false;
}

bool wire_decoder::check_block(std::string_view what, std::uint32_t index, std::uint32_t begin,
                               std::uint32_t length, std::uint32_t max_length) {
    if (!check_index(what, index)) return false;
    if (length == 0) {
        fail(fmt::format("{}: zero-length block in piece {}", what, index));
        return false;
    }
    if (length > max_length) {
        fail(fmt::format("{}: block length {} exceeds the limit of {} bytes", what, length, max_length));
        return false;
    }
    const std::uint32_t size = geometry_.piece_size(index);
    if (begin > size || length > size - begin) {
        fail(fmt::format("{}: block at offset {} length {} runs past the end of piece {} ({} bytes)",
                         what, begin, length, index, size));
        return false;
    }
    return true;
}

bool wire_decoder::check_fast(std::string_view what) {
    if (fast_) return true;
    fail(fmt::format("{}: fast-extension message but the fast extension was not negotiated", what));
    return false;
}

wire_decoder::status wire_decoder::parse_body(std::span<const std::byte> body, message& out) {
    out = message{};
    const std::byte* p = body.data();
    switch (id_) {
    case 0: out.kind = message_kind::choke; break;
    case 1: out.kind = message_kind::unchoke; break;
    case 2: out.kind = message_kind::interested; break;
    case 3: out.kind = message_kind::not_interested; break;
    case 4:
        out.kind = message_kind::have;
        out.index = get32(p);
        if (!check_index("have", out.index)) return status::error;
        break;
    case 5: {
        out.kind = message_kind::bitfield;
        // Spare bits set: libtorrent clears them; bitfield::assign does too.
        const std::uint32_t spare = bitfield_bytes_ * 8 - geometry_.piece_count();
        if (spare != 0 && (std::to_integer<std::uint8_t>(body.back()) & ((1u << spare) - 1)))
            out.bend = bend_bitfield_spare_bits;
        if (seen_message_) out.bend = bend_late_bitfield;  // replaces the peer's piece set
        out.data = body;
        break;
    }
    case 6: case 8: case 16: {
        out.kind = id_ == 6 ? message_kind::request
                 : id_ == 8 ? message_kind::cancel : message_kind::reject;
        if (id_ == 16 && !check_fast("reject request")) return status::error;
        out.index = get32(p);
        out.begin = get32(p + 4);
        out.length = get32(p + 8);
        if (!check_block(id_name(id_), out.index, out.begin, out.length,
                         options_.limits.max_request_length))
            return status::error;
        break;
    }
    case 7:
        out.kind = message_kind::piece;
        out.index = get32(p);
        out.begin = get32(p + 4);
        out.length = static_cast<std::uint32_t>(body.size() - 8);
        if (!check_block("piece", out.index, out.begin, out.length, options_.limits.max_piece_block))
            return status::error;
        out.data = body.subspan(8);
        break;
    case 9:
        out.kind = message_kind::port;
        out.port = static_cast<std::uint16_t>((std::to_integer<unsigned>(p[0]) << 8) |
                                              std::to_integer<unsigned>(p[1]));
        break;
    case 13: case 17:
        out.kind = id_ == 13 ? message_kind::suggest : message_kind::allowed_fast;
        if (!check_fast(id_name(id_))) return status::error;
        out.index = get32(p);
        if (!check_index(id_name(id_), out.index)) return status::error;
        break;
    case 14: case 15:
        out.kind = id_ == 14 ? message_kind::have_all : message_kind::have_none;
        if (!check_fast(id_name(id_))) return status::error;
        if (seen_message_) out.bend = id_ == 14 ? bend_late_have_all : bend_late_have_none;
        break;
    case 20:
        if (!ext_) return fail("extended: message but the extension protocol was not negotiated");
        out.ext_id = std::to_integer<std::uint8_t>(p[0]);
        out.data = body.subspan(1);
        if (out.ext_id == 0) {
            // A malformed one is ignored, as libtorrent does: the framing is
            // intact and the peer works without extensions.
            auto hs = parse_extended_handshake(out.data);
            if (!hs) {
                out.kind = message_kind::extended;
                out.bend = bend_bad_extended_handshake;
                return status::message;
            }
            extended_handshake& ext = scratch().ext;
            ext = std::move(hs.value());
            out.kind = message_kind::extended_handshake;
            out.ext_hs = &ext;
        } else {
            out.kind = message_kind::extended;
        }
        return status::message;  // extended messages do not end the "first message" window
    default:
        return fail(fmt::format("internal: unexpected message id {}", id_));
    }
    seen_message_ = true;
    return status::message;
}

}  // namespace swarmbench::bt
