// local_peer: one of our BitTorrent peers, what all of its connections
// share: the pieces it has and wants (the picker), the pieces it assembles in
// memory, its sessions, and its choker. A seeder and a leecher are two
// configurations of it (seed, upload, download); the sessions do the rest.
//
// Pieces being assembled are bounded per peer (max_assembling pieces, the
// picker's cap on pieces under way), never per connection: connections share
// the pieces under way. A block's bytes are written into its piece's buffer
// as they arrive by the one session that claimed the block (its first
// sender). A second sender of the same block (an end-game race) streams
// into a spare block buffer of the peer's (spill_cap of them); if it
// finishes first, its copy goes into the piece buffer and the first
// sender's claim is revoked (its further bytes are dropped), so a sender
// that trickles never holds a block hostage and two copies never mix.
// Without a spare buffer the duplicate's bytes are dropped. Each block is
// written to storage once whole, the piece hashed once whole; the buffer is
// recycled when both are done.
//
// A piece that fails its hash is downloaded again; its senders are judged
// block by block where the content is known (peer_io::block_matches), else
// only a piece that came from one sender convicts it. Convicted sessions
// close with a protocol error (never dialled again).
//
// Pure: no system calls; effects go through peer_io (see its re-entrancy
// rule). Thread rules: a peer and its sessions belong to one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "swarmbench/buffer_pool.hpp"
#include "swarmbench/bt/choker.hpp"
#include "swarmbench/bt/geometry.hpp"
#include "swarmbench/bt/peer_io.hpp"
#include "swarmbench/bt/piece_picker.hpp"
#include "swarmbench/bt/sha1.hpp"

namespace swarmbench::bt {

class torrent;

struct local_peer_options {
    // ---- what it is
    bool seed = false;          // starts with every piece
    bool upload = true;         // serves pieces it has to peers it unchokes; false: never unchokes
    bool keep_blocks = true;    // assemble received blocks (write, hash); false: count them, drop the bytes
    bool verify = true;         // hash assembled pieces (false: pieces pass once written, e.g. generated locally)
    bool serve_reads = false;   // serving reads blocks (peer_io::read_block) instead of filling them in place
    std::uint32_t max_assembling = 0;  // pieces in memory at once (0: 64 MiB worth, at least 4)
    picker_options picker;      // piece order, end-game (its max_downloading is set from max_assembling)

    // ---- its sessions
    std::uint32_t pipeline = 16;           // requests in flight per session (set_pipeline)
    std::uint32_t advertised_reqq = 2048;  // BEP 10 reqq we send: requests we queue per session
    std::uint32_t max_queued_requests = 16 * 2048;  // past this a remote floods: reject (BEP 6) or drop it
    std::uint32_t max_reads = 16;          // serve_reads: block reads in flight per session
    std::uint32_t serve_window = 256 * 1024;  // bytes of blocks committed to go out per session
    std::string client_name;               // BEP 10 "v"
    std::uint16_t listen_port = 0;         // BEP 10 "p" (0: not sent)
    bool choking = false;                  // choke like a client (the choker); false: unchoke every peer
    choker_options choke;                  // slots, intervals
    std::int64_t handshake_timeout_ns = 10'000'000'000;  // no handshake by then: drop
    std::int64_t stall_timeout_ns = 30'000'000'000;      // requests out and no block for this long: drop
    std::int64_t keep_alive_ns = 60'000'000'000;         // say something after this much silence
};

class local_peer {
public:
    /// `t` and `io` must outlive the peer.
    local_peer(const torrent& t, peer_io& io, local_peer_options options);
    ~local_peer();
    local_peer(const local_peer&) = delete;
    local_peer& operator=(const local_peer&) = delete;

    // ---- inputs from the I/O layer
    /// A write asked by peer_io::write_block finished (ok: it succeeded).
    void block_written(const write_ticket& t, bool ok);
    /// A hash asked by peer_io::hash_piece finished.
    void piece_hashed(std::uint32_t piece, bool passed);
    /// Timers of every session (timeouts, keep-alives, rate refills) and the
    /// choker. Call a few times a second.
    void tick(std::int64_t now);
    /// Requests in flight per session, from now on.
    void set_pipeline(std::uint32_t n);
    /// Silence before this time does not count as a stall (a stall fault).
    void excuse_silence_until(std::int64_t ns) noexcept { excused_until_ = ns; }
    /// Downloads everything again with a fresh picker, over the same
    /// sessions (timed runs repeat the download). `seed` varies the order.
    void restart(std::uint64_t seed);
    /// Blocks generated locally (disk-only: no connection): `handle` stands
    /// for a virtual connection from new_handle(). Picks up to `max` blocks
    /// it may "receive" next into `out`.
    std::size_t pick_local(peer_handle handle, std::size_t max, std::vector<block_ref>& out);
    /// A locally generated block: its bytes go straight into the piece
    /// buffer returned by local_block_buffer() before this call. Returns
    /// false for a block the peer had already (nothing new).
    bool receive_local(peer_handle handle, block_ref block);
    /// Where a locally generated block's bytes go (keep_blocks).
    std::span<std::byte> local_block_buffer(block_ref block);
    /// A handle for a session or a local generator, never reused.
    peer_handle new_handle() noexcept { return next_handle_++; }

    // ---- state
    const torrent& torrent_ref() const noexcept { return torrent_; }
    const local_peer_options& options() const noexcept { return options_; }
    peer_io& io() const noexcept { return io_; }
    piece_picker& picker() noexcept { return *picker_; }
    const piece_picker& picker() const noexcept { return *picker_; }
    /// Every piece passed and every write is done.
    bool complete() const noexcept { return complete_; }
    bool has_piece(std::uint32_t piece) const noexcept { return picker_->have(piece); }
    std::uint32_t pipeline() const noexcept { return pipeline_; }
    /// Piece buffers allocated (in use or free), and in use now.
    std::size_t buffers_allocated() const noexcept { return buffers_.size(); }
    std::size_t buffers_in_use() const noexcept { return buffers_.size() - free_buffers_.size(); }
    /// A storage write failed: the peer asks for nothing more.
    bool failed() const noexcept { return failed_; }
    /// The run is ending: ask for nothing more. Its connections close one
    /// after another next, and each would otherwise hand its blocks to all
    /// the others to ask for again (at 2,500 connections, 6 million picks).
    void stop_requesting() noexcept { stopped_ = true; }
    /// Storage writes asked for and not yet answered.
    std::size_t writes_pending() const noexcept { return writes_pending_; }
    const std::vector<peer_session*>& sessions() const noexcept { return sessions_; }

private:
    friend class peer_session;

    /// One piece being assembled.
    struct piece_buffer {
        std::uint32_t piece = 0;              // which
        std::uint32_t slot = 0;               // index in buffers_
        aligned_bytes data;                   // piece_length bytes, 4 KiB aligned (O_DIRECT writes)
        std::vector<peer_handle> claim;       // per block: the session writing it (0: none)
        std::vector<peer_handle> senders;     // per block: who delivered it
        std::uint32_t writes_pending = 0;     // storage writes in flight
        bool hashing = false;                 // hash asked, not answered
        bool complete = false;                // every block in
        bool detached = false;                // failed: free once writes drain
        bool in_use = false;                  // holds a piece
    };

    // For sessions.
    void attach(peer_session& s);
    void detach(peer_session& s);
    /// (Back) on the noticed_ list: a session whose wants_piece_notices() turned true.
    void notice(peer_session& s);
    /// A session starts receiving `block`: true if it may keep the bytes;
    /// `out` then receives where: the piece buffer (the block's first
    /// sender: its claim), or a spare block buffer (`spilled`: a second
    /// sender while the claim is held).
    bool claim_block(peer_handle h, block_ref block, std::span<std::byte>& out, bool& spilled);
    /// Whether `h` still holds its claim on `block` (a spilled copy that
    /// finished first revokes it).
    bool holds_claim(peer_handle h, block_ref block) const;
    /// A spilled copy arrived whole: it becomes the block unless the block
    /// arrived meanwhile. Frees the spare buffer; returns block_complete's answer.
    bool finish_spill(peer_handle h, block_ref block, std::span<std::byte> spill);
    /// A session gives up its claim on `block`, or its spare buffer (closed mid-block).
    void release_claim(peer_handle h, block_ref block);
    void release_spill(std::span<std::byte> spill);
    /// A whole block arrived on session `h` (claimed or not). Returns false
    /// for a duplicate or an unexpected one.
    bool block_complete(peer_handle h, block_ref block);
    /// Blocks went back to the pool: every session asks for more.
    void request_on_all();
    std::uint32_t bound() const noexcept;

    piece_buffer* buffer_of(std::uint32_t piece);
    piece_buffer& buffer_for(std::uint32_t piece);
    void free_buffer(piece_buffer& b);
    void piece_complete(std::uint32_t piece);
    void piece_passed(std::uint32_t piece);
    void convict_senders(const piece_buffer& b);
    void check_complete();
    void choke_round(std::int64_t now);

    const torrent& torrent_;                   // what is shared
    peer_io& io_;                              // effects
    local_peer_options options_;               // settings
    std::unique_ptr<piece_picker> picker_;     // what to ask for next
    choker choker_;                            // who to upload to
    std::vector<peer_session*> sessions_;      // attached sessions (any state)
    /// Sessions told of each passed piece: those that may owe the remote a
    /// HAVE or may lose interest in it (peer_session::wants_piece_notices).
    /// A session to a seed of our own needs neither until we complete (then
    /// check_complete tells every session), so it leaves this list the first
    /// time a pass finds it there: a leecher of 500 seeder connections
    /// passes each piece in O(1), not O(connections).
    std::vector<peer_session*> noticed_;
    std::vector<std::unique_ptr<piece_buffer>> buffers_;  // all ever made
    std::vector<piece_buffer*> free_buffers_;  // ready for reuse
    std::vector<std::int32_t> buffer_index_;   // piece -> index in buffers_, -1: none (keep_blocks only)
    static constexpr std::size_t spill_cap = 32;  // spare block buffers (end-game duplicates)
    std::vector<aligned_bytes> spill_store_;   // spare block buffers made so far
    std::vector<std::byte*> spill_free_;       // ...not in use
    std::vector<peer_handle> cancel_scratch_;  // reused by block_complete
    std::vector<block_ref> pick_scratch_;      // reused by sessions' requests
    bitfield allowed_scratch_;                 // reused by sessions' allowed-fast picks
    std::vector<choke_candidate> candidates_;  // reused by the choker
    bitfield all_;                             // every piece: what a remote seed has
    std::size_t unchoked_ = 0;                 // sessions we unchoke now
    std::int64_t now_ = 0;                     // the latest time any input brought
    bool failed_ = false;                      // a write failed: ask for nothing more
    bool stopped_ = false;                     // the run is ending: ask for nothing more
    std::size_t request_turn_ = 0;             // request_on_all's first session
    std::size_t writes_pending_ = 0;           // storage writes asked, not answered
    std::uint32_t pipeline_ = 16;              // per session
    peer_handle next_handle_ = 1;              // never reused
    std::int64_t excused_until_ = 0;           // stall faults
    bool complete_ = false;                    // done
};

}  // namespace swarmbench::bt
