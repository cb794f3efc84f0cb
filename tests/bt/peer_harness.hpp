// peer_harness: drives pure peer sessions with byte strings, for the session
// tests and the peer session fuzz target. The recording peer_io performs
// every effect in memory (writes into a map, hashes with the real SHA-1,
// reads from the synthetic content) after the call that asked returns, as
// the re-entrancy rule of peer_io.hpp requires of a real I/O layer.
//
// The remote side is plain wire encoding: helpers build its messages, and
// `drain` decodes what a session writes with a strict wire_decoder.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "swarmbench/bt/local_peer.hpp"
#include "swarmbench/bt/peer_session.hpp"
#include "swarmbench/bt/synthetic.hpp"
#include "swarmbench/bt/torrent.hpp"
#include "swarmbench/bt/wire.hpp"

namespace swarmbench::bt::harness {

using bytes = std::vector<std::byte>;

/// A small synthetic torrent: `pieces` pieces of `piece_size` bytes.
inline torrent make_torrent(std::uint32_t pieces = 8, std::uint32_t piece_size = 64 * 1024, std::uint64_t seed = 7) {
    synthetic_spec spec;
    spec.seed = seed;
    spec.total_size = std::uint64_t{pieces} * piece_size;
    spec.piece_size = piece_size;
    auto t = make_synthetic_torrent(spec);
    return std::move(t.value());
}

/// One decoded message, owning its bytes.
struct msg {
    message_kind kind = message_kind::keep_alive;
    std::uint32_t index = 0, begin = 0, length = 0;
    bytes data;                              // bitfield, block, extended payload
    std::optional<handshake> hs;             // handshake
    std::optional<extended_handshake> ext;   // extended handshake
};

/// Records and performs every effect; sessions and peers are the test's.
class recorder : public peer_io {
public:
    explicit recorder(const torrent& t, std::uint64_t content_seed) : torrent_(t), seed_(content_seed) {}

    // ---- what happened
    std::vector<peer_session*> wants;                      // want_send, in order (repeats kept)
    std::vector<peer_session*> closed_sessions;            // closed
    std::map<std::pair<std::uint32_t, std::uint32_t>, bytes> written;  // (piece, begin) -> bytes
    std::vector<std::pair<std::uint32_t, bool>> pieces;    // piece_done
    std::vector<block_request> reads;                      // read_block, unanswered
    std::vector<std::pair<peer_session*, block_request>> read_from;  // ...and by whom
    std::vector<std::string> notes;                        // note (first ones)
    std::size_t lent = 0;                                  // blocks lent through block_read, not released
    int completions = 0;                                   // completed
    int established_count = 0;                             // established
    std::uint64_t received_bytes = 0;                      // block_received lengths
    int bad_releases = 0;                                  // release_block of something never lent
    std::function<void(peer_session&, const block_request&, std::span<std::byte>)> corrupt;  // fill hook

    void want_send(peer_session& s) override { wants.push_back(&s); }
    void closed(peer_session& s) override { closed_sessions.push_back(&s); }
    void fill_block(peer_session& s, const block_request& r, std::span<std::byte> out) override {
        synthetic_fill(seed_, torrent_.geometry().piece_offset(r.piece) + r.begin, out);
        if (corrupt) corrupt(s, r, out);
    }
    void read_block(peer_session& s, const block_request& r) override {
        reads.push_back(r);
        read_from.emplace_back(&s, r);
    }
    void release_block(const std::byte* data) override {
        --lent;
        for (auto it = buffers_.begin(); it != buffers_.end(); ++it)
            if (it->get()->data() == data) {
                buffers_.erase(it);
                return;
            }
        ++bad_releases;  // a block never lent (or released twice)
    }
    void established(peer_session&) override { ++established_count; }
    void block_received(peer_session&, std::uint32_t length, std::int64_t) override { received_bytes += length; }
    void note(peer_session&, const char* what, bool first) override {
        if (first) notes.emplace_back(what);
    }
    void write_block(local_peer& p, const write_ticket& t, std::span<const std::byte> data) override {
        writes_.push_back({&p, t, bytes(data.begin(), data.end())});
    }
    void hash_piece(local_peer& p, std::uint32_t piece, std::span<const std::byte> data) override {
        hashes_.push_back({&p, piece, sha1_of(data) == torrent_.piece_hash(piece)});
    }
    std::optional<bool> block_matches(local_peer&, std::uint32_t piece, std::uint32_t begin,
                                      std::span<const std::byte> data) override {
        return synthetic_matches(seed_, torrent_.geometry().piece_offset(piece) + begin, data);
    }
    void piece_done(local_peer&, std::uint32_t piece, bool passed) override { pieces.emplace_back(piece, passed); }
    void completed(local_peer&) override { ++completions; }

    /// Answers the writes and hashes asked so far (and those they cause),
    /// as an I/O layer does after the input that asked returns.
    void settle(bool writes_ok = true) {
        for (int guard = 0; guard < 100000 && (!writes_.empty() || !hashes_.empty()); ++guard) {
            if (!writes_.empty()) {
                pending_write w = std::move(writes_.front());
                writes_.erase(writes_.begin());
                if (writes_ok) written[{w.t.piece, w.t.begin}] = std::move(w.data);
                w.peer->block_written(w.t, writes_ok);
            } else {
                pending_hash h = hashes_.front();
                hashes_.erase(hashes_.begin());
                h.peer->piece_hashed(h.piece, h.passed);
            }
        }
    }
    std::size_t writes_waiting() const { return writes_.size(); }

    /// Answers the oldest read with the synthetic content.
    void answer_read() {
        auto [s, r] = read_from.front();
        read_from.erase(read_from.begin());
        reads.erase(reads.begin());
        auto b = std::make_unique<bytes>(r.length);
        synthetic_fill(seed_, torrent_.geometry().piece_offset(r.piece) + r.begin, *b);
        const std::byte* data = b->data();
        buffers_.push_back(std::move(b));
        ++lent;
        s->block_read(r, data);
    }

    /// Whether every byte of the torrent was written with the right content.
    bool all_written_correctly() const {
        std::uint64_t total = 0;
        for (const auto& [key, data] : written) {
            if (!synthetic_matches(seed_, torrent_.geometry().piece_offset(key.first) + key.second, data)) return false;
            total += data.size();
        }
        return total == torrent_.geometry().total_length();
    }

private:
    struct pending_write {
        local_peer* peer;
        write_ticket t;
        bytes data;
    };
    struct pending_hash {
        local_peer* peer;
        std::uint32_t piece;
        bool passed;
    };
    const torrent& torrent_;
    std::uint64_t seed_;
    std::vector<pending_write> writes_;
    std::vector<pending_hash> hashes_;
    std::vector<std::unique_ptr<bytes>> buffers_;
};

/// Everything `s` has to send, in buffers of `chunk` bytes, decoded as a
/// remote would (strict decoder; `expect_handshake` for the first drain).
class remote_view {
public:
    remote_view(const torrent& t, bool expect_handshake = true) : decoder_(t.geometry(), options(t, expect_handshake)) {}

    std::vector<msg> drain(peer_session& s, std::int64_t now, std::size_t chunk = 1 << 20) {
        std::vector<msg> out;
        for (int guard = 0; guard < 10000; ++guard) {
            bytes buf(std::max(chunk, s.output_hint()));
            const std::size_t n = s.write_output(buf, now);
            if (n == 0) break;
            s.output_sent(now);
            raw.insert(raw.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
            std::span<const std::byte> in(buf.data(), n);
            message m;
            for (;;) {
                const auto st = decoder_.next(in, m);
                if (st == wire_decoder::status::need_more) break;
                if (st == wire_decoder::status::error) {
                    error = decoder_.error();
                    return out;
                }
                msg x;
                x.kind = m.kind;
                x.index = m.index;
                x.begin = m.begin;
                x.length = m.length;
                x.data.assign(m.data.begin(), m.data.end());
                if (m.hs) x.hs = *m.hs;
                if (m.ext_hs) x.ext = *m.ext_hs;
                out.push_back(std::move(x));
            }
        }
        return out;
    }
    std::string error;  // the decoder's, if the session wrote something invalid
    bytes raw;          // every byte drained

private:
    static wire_options options(const torrent& t, bool hs) {
        wire_options o;
        o.expect_handshake = hs;
        o.expected_info_hash = t.info_hash();
        return o;
    }
    wire_decoder decoder_;
};

// ---- the remote's messages

inline bytes hs_bytes(const torrent& t, bool fast, bool ext, std::uint8_t id_byte = 0x42) {
    handshake hs;
    hs.reserved = make_reserved(ext, fast);
    hs.info_hash = t.info_hash();
    hs.id.fill(id_byte);
    bytes b(handshake_size);
    encode_handshake(b, hs);
    return b;
}
inline bytes simple(msg_id id) {
    bytes b(5);
    encode_simple(b, id);
    return b;
}
inline bytes have(std::uint32_t i) {
    bytes b(9);
    encode_have(b, i);
    return b;
}
inline bytes bits(const bitfield& f) {
    bytes b(5 + f.bytes().size());
    encode_bitfield(b, f);
    return b;
}
inline bytes request(std::uint32_t i, std::uint32_t begin, std::uint32_t len = default_block_size) {
    bytes b(17);
    encode_request(b, i, begin, len);
    return b;
}
inline bytes cancel(std::uint32_t i, std::uint32_t begin, std::uint32_t len = default_block_size) {
    bytes b(17);
    encode_cancel(b, i, begin, len);
    return b;
}
inline bytes reject(std::uint32_t i, std::uint32_t begin, std::uint32_t len = default_block_size) {
    bytes b(17);
    encode_reject(b, i, begin, len);
    return b;
}
inline bytes allowed_fast(std::uint32_t i) {
    bytes b(9);
    encode_allowed_fast(b, i);
    return b;
}
inline bytes ext_hs(std::optional<std::uint32_t> reqq, std::string v = "remote 1.0", std::optional<std::uint16_t> p = {}) {
    extended_handshake e;
    e.v = std::move(v);
    e.reqq = reqq;
    e.p = p;
    bytes b(512);
    b.resize(encode_extended_handshake(b, e));
    return b;
}
/// A piece message carrying the synthetic content of (piece, begin, len).
inline bytes piece_msg(const torrent& t, std::uint64_t seed, std::uint32_t i, std::uint32_t begin,
                       std::uint32_t len = default_block_size) {
    bytes b(piece_header_size + len);
    encode_piece_header(b, i, begin, len);
    synthetic_fill(seed, t.geometry().piece_offset(i) + begin, std::span<std::byte>(b).subspan(piece_header_size));
    return b;
}
inline bytes cat(std::initializer_list<bytes> parts) {
    bytes out;
    for (const bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

/// The right block for every request in `out`, as one byte string.
inline bytes answers(const torrent& t, std::uint64_t seed, const std::vector<msg>& out) {
    bytes all;
    for (const msg& m : out)
        if (m.kind == message_kind::request) {
            const bytes b = piece_msg(t, seed, m.index, m.begin, m.length);
            all.insert(all.end(), b.begin(), b.end());
        }
    return all;
}

/// Feeds `data` to `s` in pieces of `split` bytes (1 works).
inline void feed(peer_session& s, const bytes& data, std::int64_t now, std::size_t split = 1 << 20) {
    for (std::size_t i = 0; i < data.size() && !s.closed(); i += split)
        s.receive(std::span<const std::byte>(data).subspan(i, std::min(split, data.size() - i)), now);
}

/// The messages of kind `k` in `v`, in order.
inline std::vector<msg> only(const std::vector<msg>& v, message_kind k) {
    std::vector<msg> out;
    for (const msg& m : v)
        if (m.kind == k) out.push_back(m);
    return out;
}

inline std::size_t count(const std::vector<msg>& v, message_kind k) {
    return static_cast<std::size_t>(std::count_if(v.begin(), v.end(), [&](const msg& m) { return m.kind == k; }));
}

}  // namespace swarmbench::bt::harness
