// wire: the BitTorrent peer wire protocol (BEP 3), the extension protocol
// handshake (BEP 10) and the fast extension (BEP 6): encoders that write into
// caller buffers, and an incremental decoder that checks everything.
//
// The decoder is fed whatever the socket produced (one byte at a time works),
// checks every length and index against the torrent's piece geometry and the
// configured limits, and yields messages or a protocol error with the reason
// ("have: piece index 900 out of range (torrent has 512 pieces)"). After an
// error it stays failed: drop the peer and log error().
//
// Piece payloads are never copied when the whole message is in the input
// (message::data points into it). With wire_options::stream_pieces the
// decoder instead reports a piece_header, then piece_data chunks as they
// arrive, or lets the caller receive the payload itself (skip_payload()), so a
// block can land directly in a pool buffer.
//
// Strict where it matters, lenient where real clients are: whatever breaks
// framing or safety (lengths, indexes, block bounds, a fast or extended
// message that was not negotiated) is an error, as in libtorrent. What
// libtorrent accepts is accepted and marked in message::bend, for the caller
// to count per peer: a BITFIELD, HAVE ALL or HAVE NONE after other messages
// (aria2 sends a second BITFIELD instead of a batch of HAVEs: it replaces the
// peer's piece set), spare bits set at the end of a bitfield (ignored), a
// malformed extended handshake (ignored), an unknown message id (skipped).
//
// Thread rules: a decoder belongs to its connection's thread. Encoders are
// reentrant and allocate nothing (except encode_extended_handshake, which
// builds the bencoded dictionary once per connection).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "swarmbench/bt/geometry.hpp"
#include "swarmbench/bt/result.hpp"
#include "swarmbench/bt/sha1.hpp"

namespace swarmbench::bt {

/// Message ids on the wire.
enum class msg_id : std::uint8_t {
    choke = 0, unchoke = 1, interested = 2, not_interested = 3, have = 4, bitfield = 5,
    request = 6, piece = 7, cancel = 8, port = 9,
    suggest = 13, have_all = 14, have_none = 15, reject = 16, allowed_fast = 17,  // BEP 6
    extended = 20,                                                                // BEP 10
};

using peer_id = std::array<std::uint8_t, 20>;
using reserved_bits = std::array<std::uint8_t, 8>;

/// Reserved-byte flags: extension protocol (byte 5, 0x10), fast (byte 7, 0x04).
inline constexpr std::uint8_t extension_bit = 0x10;
inline constexpr std::uint8_t fast_bit = 0x04;
/// Reserved bytes advertising the given extensions.
reserved_bits make_reserved(bool extensions, bool fast) noexcept;

struct handshake {
    reserved_bits reserved{};  // feature flags
    sha1_hash info_hash{};     // torrent being asked for
    peer_id id{};              // the sender's peer id

    bool supports_extensions() const noexcept { return reserved[5] & extension_bit; }
    bool supports_fast() const noexcept { return reserved[7] & fast_bit; }
};

/// BEP 10 extended handshake (extended message id 0).
struct extended_handshake {
    /// Extension name -> message id the sender wants (0 disables), sorted by name.
    std::vector<std::pair<std::string, std::uint8_t>> m;
    std::string v;                      // client name and version, may be empty
    std::optional<std::uint32_t> reqq;  // outstanding requests the sender accepts
    std::optional<std::uint16_t> p;     // the sender's listen port
};

/// Limits the decoder enforces.
struct wire_limits {
    std::uint32_t max_message_size = 256 * 1024;  // bytes after the length prefix (bitfields may exceed it)
    std::uint32_t max_request_length = 16 * 1024; // request/cancel/reject block length, <= 128 KiB
    std::uint32_t max_piece_block = 16 * 1024;    // block carried by a piece message, <= 128 KiB
};
inline constexpr std::uint32_t max_block_limit = 128 * 1024;

struct wire_options {
    wire_limits limits;                         // size bounds
    bool expect_handshake = true;               // first 68 bytes are the handshake
    reserved_bits our_reserved = make_reserved(true, true);  // what we advertise
    std::optional<sha1_hash> expected_info_hash;  // reject a handshake for another torrent
    bool stream_pieces = false;                 // piece_header + piece_data instead of piece
};

enum class message_kind : std::uint8_t {
    handshake, keep_alive, choke, unchoke, interested, not_interested, have, bitfield,
    request, piece, cancel, port, suggest, have_all, have_none, reject, allowed_fast,
    extended_handshake, extended, unknown,
    piece_header, piece_data,  // stream_pieces mode
};
const char* to_string(message_kind k) noexcept;

/// A decoded message. Spans point into the input given to next() or into the
/// decoder; they are valid until the next call to next() (and, for input
/// spans, while the caller keeps that input alive).
struct message {
    message_kind kind = message_kind::keep_alive;  // what arrived
    std::uint32_t index = 0;   // piece index (have, request, piece, cancel, suggest, reject, allowed_fast)
    std::uint32_t begin = 0;   // offset in the piece (request, piece, cancel, reject; piece_data: of data[0])
    std::uint32_t length = 0;  // block length (request, cancel, reject, piece, piece_header); unknown: payload bytes (skipped)
    std::uint16_t port = 0;    // port message (BEP 5)
    std::uint8_t ext_id = 0;   // extended message id; unknown: the message id
    std::span<const std::byte> data;  // bitfield bytes, piece block or chunk, extended payload
    const handshake* hs = nullptr;                  // handshake
    const extended_handshake* ext_hs = nullptr;     // extended_handshake
    /// What a strict reading of BEP 3/6/10 refuses but real clients send and
    /// libtorrent accepts ("late bitfield", see the top of this file); null
    /// when the message kept to the letter. Static storage.
    const char* bend = nullptr;
};

/// Every message::bend the decoder can report, for tests and documentation.
inline constexpr const char* bend_late_bitfield = "late bitfield";
inline constexpr const char* bend_late_have_all = "late have all";
inline constexpr const char* bend_late_have_none = "late have none";
inline constexpr const char* bend_bitfield_spare_bits = "bitfield spare bits set";
inline constexpr const char* bend_bad_extended_handshake = "malformed extended handshake";
inline constexpr const char* bend_unknown_message = "unknown message id";

class wire_decoder {
public:
    enum class status { need_more, message, error };

    wire_decoder(const piece_geometry& geometry, wire_options options = {});

    /// Decodes from the front of `input`, advancing it past what was used.
    /// Returns message (in `out`), need_more (input exhausted), or error
    /// (see error(); every later call returns error too). Call in a loop until
    /// need_more. O(bytes consumed); allocates only to buffer a message split
    /// across inputs (at most the message size limit).
    status next(std::span<const std::byte>& input, message& out);

    const std::string& error() const noexcept { return error_; }
    bool failed() const noexcept { return state_ == state::failed; }
    /// Both sides set the bit (valid after the handshake, or set_negotiated()).
    bool extensions_negotiated() const noexcept { return ext_; }
    bool fast_negotiated() const noexcept { return fast_; }
    /// For a connection whose handshake was parsed elsewhere.
    void set_negotiated(bool extensions, bool fast) noexcept { ext_ = extensions; fast_ = fast; }

    /// stream_pieces mode: payload bytes of the current piece still to come
    /// (0 outside a piece payload), and a way to say the caller received `n`
    /// of them itself (n <= payload_remaining()).
    std::uint32_t payload_remaining() const noexcept { return payload_left_; }
    void skip_payload(std::uint32_t n) noexcept;

private:
    enum class state : std::uint8_t { handshake, length, id, body, piece_head, piece_payload, skip, failed };

    status fail(std::string reason);
    status parse_handshake(message& out);
    bool check_length(std::uint32_t len, std::uint8_t id);
    status parse_body(std::span<const std::byte> body, message& out);
    bool check_index(std::string_view what, std::uint32_t index);
    bool check_block(std::string_view what, std::uint32_t index, std::uint32_t begin,
                     std::uint32_t length, std::uint32_t max_length);
    bool check_fast(std::string_view what);

    piece_geometry geometry_;          // indexes and lengths are checked against it
    wire_options options_;             // limits and negotiation
    std::uint32_t bitfield_bytes_;     // exact bitfield payload size
    std::uint32_t max_length_;         // largest length prefix accepted
    state state_;                      // where the parser is
    bool ext_ = false;                 // BEP 10 negotiated
    bool fast_ = false;                // BEP 6 negotiated
    bool seen_message_ = false;        // a message other than keep-alive/extended arrived (later piece sets are late)
    std::array<std::byte, 8> head_{};  // length prefix / piece header being assembled
    std::size_t head_have_ = 0;        // bytes in head_
    std::uint32_t msg_len_ = 0;        // current message length (id + payload)
    std::uint8_t id_ = 0;              // current message id
    std::vector<std::byte> body_;      // payload of a message split across inputs
    std::uint32_t body_need_ = 0;      // payload bytes of the current message
    std::uint32_t payload_left_ = 0;   // piece payload still to come (stream mode)
    std::uint32_t payload_index_ = 0;  // piece of the streamed payload
    std::uint32_t payload_begin_ = 0;  // piece offset of the next payload byte
    std::uint32_t skip_left_ = 0;      // unknown-message payload left to skip
    /// What only the handshakes need: on the heap while one is read, and
    /// until the next call (its message points into it), so that an open
    /// connection holds none of it (about 200 B each, of thousands).
    struct handshake_scratch {
        std::array<std::byte, 68> buf{};  // handshake being assembled
        std::size_t have = 0;             // bytes in buf
        handshake hs;                     // the handshake, for message::hs
        extended_handshake ext;           // the extended handshake, for message::ext_hs
    };
    handshake_scratch& scratch();
    std::unique_ptr<handshake_scratch> scratch_;  // null between handshakes
    std::string error_;                // why the decoder failed
};

// ---------------------------------------------------------------- encoders
// Each writes one complete message at the start of `out` and returns its size,
// or 0 if `out` is too small (nothing useful is written then).

inline constexpr std::size_t handshake_size = 68;
inline constexpr std::size_t piece_header_size = 13;  // length, id, index, begin

std::size_t encode_handshake(std::span<std::byte> out, const handshake& hs) noexcept;
std::size_t encode_keep_alive(std::span<std::byte> out) noexcept;
/// choke, unchoke, interested, not_interested, have_all, have_none.
std::size_t encode_simple(std::span<std::byte> out, msg_id id) noexcept;
std::size_t encode_have(std::span<std::byte> out, std::uint32_t index) noexcept;
std::size_t encode_suggest(std::span<std::byte> out, std::uint32_t index) noexcept;
std::size_t encode_allowed_fast(std::span<std::byte> out, std::uint32_t index) noexcept;
std::size_t encode_bitfield(std::span<std::byte> out, const bitfield& bits) noexcept;
std::size_t encode_request(std::span<std::byte> out, std::uint32_t index, std::uint32_t begin,
                           std::uint32_t length) noexcept;
std::size_t encode_cancel(std::span<std::byte> out, std::uint32_t index, std::uint32_t begin,
                          std::uint32_t length) noexcept;
std::size_t encode_reject(std::span<std::byte> out, std::uint32_t index, std::uint32_t begin,
                          std::uint32_t length) noexcept;
/// The 13-byte header of a piece message carrying `block_length` bytes; send
/// the block itself right after it (e.g. with writev from a pool buffer).
std::size_t encode_piece_header(std::span<std::byte> out, std::uint32_t index, std::uint32_t begin,
                                std::uint32_t block_length) noexcept;
std::size_t encode_port(std::span<std::byte> out, std::uint16_t port) noexcept;
std::size_t encode_extended(std::span<std::byte> out, std::uint8_t ext_id,
                            std::span<const std::byte> payload) noexcept;
/// The bencoded payload of an extended handshake (canonical dictionary).
std::string extended_handshake_payload(const extended_handshake& hs);
/// Extended message 0 carrying extended_handshake_payload(hs).
std::size_t encode_extended_handshake(std::span<std::byte> out, const extended_handshake& hs);
/// Parses an extended handshake payload (the bytes after the ext id).
result<extended_handshake> parse_extended_handshake(std::span<const std::byte> payload);

}  // namespace swarmbench::bt
