// peer_io: where the effects of a pure BitTorrent peer go (the quinn-proto
// shape, STYLE.md 18). A peer_session and its local_peer never make a system
// call; they call these methods, and the I/O layer around them (the swarm's
// shards, or a test recording what happened) performs them and feeds the
// results back in.
//
// Re-entrancy rule: these methods are called from inside session and peer
// methods. An implementation must not call back into any session or peer of
// the same torrent from inside one (record what to do and do it after the
// call that caused it returns), except fill_block, which only writes `out`,
// and the session's setters that only store a value (set_rate, stall_until,
// set_redundant_haves, set_serve_latency).
//
// Thread rules: called on the thread that owns the peer and its sessions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace swarmbench::bt {

class local_peer;
class peer_session;

/// A block a remote asked us for.
struct block_request {
    std::uint32_t piece = 0;        // piece index
    std::uint32_t begin = 0;        // offset in the piece
    std::uint32_t length = 0;       // bytes
    std::int64_t received_ns = 0;   // when the request arrived
    friend bool operator==(const block_request& a, const block_request& b) noexcept {
        return a.piece == b.piece && a.begin == b.begin && a.length == b.length;
    }
};

/// A storage write the local peer asked for; handed back when it is done.
struct write_ticket {
    std::uint32_t piece = 0;  // piece index
    std::uint32_t begin = 0;  // offset in the piece
    std::uint32_t slot = 0;   // the local peer's piece buffer (its own bookkeeping)
};

class peer_io {
public:
    virtual ~peer_io() = default;

    // ---- a session's effects ----

    /// `s` has bytes to send: when no send is in flight on its socket, get a
    /// buffer of at least s.output_hint() bytes, call s.write_output(buffer)
    /// and send what it wrote. Called again for every new output; ignore the
    /// repeats while a send is pending or a flush is already scheduled.
    virtual void want_send(peer_session& s) = 0;
    /// `s` has ended (s.close_reason(), s.protocol_error()): close its
    /// socket. Called exactly once per session, whoever closed it.
    virtual void closed(peer_session& s) = 0;
    /// Serving without reads (local_peer_options::serve_reads false): write
    /// the block `r` into `out` (out.size() == r.length), from write_output.
    virtual void fill_block(peer_session& s, const block_request& r, std::span<std::byte> out) = 0;
    /// Serving with reads: read block `r` and answer s.block_read(r, data)
    /// with the bytes lent until release_block(data), or s.block_read_failed.
    virtual void read_block(peer_session& s, const block_request& r) { (void)s; (void)r; }
    /// A block lent through block_read is no longer needed.
    virtual void release_block(const std::byte* data) { (void)data; }

    // ---- a session's news (counters, logs); optional ----

    /// The handshake arrived and was answered: the session is active.
    virtual void established(peer_session& s) { (void)s; }
    /// A new block arrived (not a duplicate), `latency_ns` after it was requested.
    virtual void block_received(peer_session& s, std::uint32_t length, std::int64_t latency_ns) {
        (void)s; (void)length; (void)latency_ns;
    }
    /// A piece message answering `r` was written into an output buffer at `now`.
    virtual void block_sent(peer_session& s, const block_request& r, std::int64_t now) { (void)s; (void)r; (void)now; }
    /// The remote announced pieces: `piece`, or (nullopt) its whole set was
    /// replaced (bitfield, have all, have none); see s.remote_pieces().
    virtual void remote_pieces(peer_session& s, std::optional<std::uint32_t> piece) { (void)s; (void)piece; }
    /// The remote bent the protocol the way real clients do (`what` has
    /// static storage); `first`: the first of this kind on this session.
    virtual void note(peer_session& s, const char* what, bool first) { (void)s; (void)what; (void)first; }

    // ---- the local peer's effects ----

    /// Write `data` (the block of t.piece at t.begin) to storage; answer
    /// p.block_written(t, ok). `data` stays valid until then.
    virtual void write_block(local_peer& p, const write_ticket& t, std::span<const std::byte> data) = 0;
    /// Hash the complete piece `data`; answer p.piece_hashed(piece, passed).
    /// `data` stays valid until then.
    virtual void hash_piece(local_peer& p, std::uint32_t piece, std::span<const std::byte> data) = 0;
    /// After a failed hash: whether `data` (block of `piece` at `begin`) is
    /// the right content, when the content is known block by block
    /// (generated content); nullopt when only the piece hash can tell.
    virtual std::optional<bool> block_matches(local_peer& p, std::uint32_t piece, std::uint32_t begin,
                                              std::span<const std::byte> data) {
        (void)p; (void)piece; (void)begin; (void)data;
        return std::nullopt;
    }

    // ---- the local peer's news; optional ----

    /// `piece` passed (or failed) its hash check.
    virtual void piece_done(local_peer& p, std::uint32_t piece, bool passed) { (void)p; (void)piece; (void)passed; }
    /// Every piece passed and every write finished.
    virtual void completed(local_peer& p) { (void)p; }
};

}  // namespace swarmbench::bt
