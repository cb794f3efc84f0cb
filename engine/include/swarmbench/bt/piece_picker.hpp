// piece_picker: which blocks to request from which peer.
//
// Tracks how many peers have each piece (from bitfields, haves and seeds),
// the pieces we have, and every block in flight. pick() hands a peer blocks
// from pieces already under way first (to finish pieces quickly), then from
// new pieces in the configured order: rarest-first (default; ties broken at
// random with a seeded generator), sequential, random, or custom (the pieces
// listed in picker_options::priority first, in that order, then the rest by
// index as in sequential; a listed piece that goes back to the pool is
// started again before those listed after it). When every block still
// needed has been requested, end-game lets a block be requested from a
// second peer; when it arrives, mark_received() names the peers whose
// duplicate requests should be cancelled. A lost peer's blocks and a piece
// that failed its hash go back to the pool.
//
// Cost: availability changes O(1) (pieces sit in per-availability buckets
// with swap-remove); mark_received / abort_request O(1); pick O(blocks
// returned + partial pieces + pieces scanned until one the peer has), which
// is O(1) for seeds (custom order also scans the listed pieces a non-seed
// peer lacks); abort_peer O(blocks in flight); the steady state allocates
// nothing.
//
// Thread rules: one picker per torrent per context thread; not synchronised.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "swarmbench/bt/geometry.hpp"

namespace swarmbench::bt {

/// Caller-assigned id of a connection (small integers, stable while connected).
using peer_handle = std::uint32_t;

/// A block: piece index and block number inside the piece.
struct block_ref {
    std::uint32_t piece = 0;  // piece index
    std::uint32_t block = 0;  // block number, offset = block * block size
    friend bool operator==(const block_ref&, const block_ref&) = default;
};

enum class pick_order : std::uint8_t { rarest_first, sequential, random, custom };

struct picker_options {
    pick_order order = pick_order::rarest_first;  // which new piece to start
    std::uint32_t block_size = default_block_size;  // bytes per request
    std::uint64_t seed = 1;                       // tie-break randomness
    bool end_game = true;                         // allow duplicate requests at the end
    std::uint32_t max_requests_per_block = 2;     // in end-game, 1..4
    std::vector<std::uint32_t> priority;          // custom: start these pieces first, in this order, then the rest by index
                                                  //   (entries out of range or repeated are ignored)
    std::uint32_t max_downloading = 0;            // pieces under way at once (0: no limit): a peer that assembles
                                                  //   pieces in memory bounds that memory here, and its connections
                                                  //   share the pieces under way instead of each starting its own
};

enum class block_result : std::uint8_t {
    accepted,        // new data; keep it
    piece_complete,  // new data and the piece now has every block: hash it
    duplicate,       // already had it (e.g. end-game race): drop the data
    unexpected,      // piece not being downloaded or bad reference: drop it
};

class piece_picker {
public:
    static constexpr std::uint32_t max_requesters = 4;

    explicit piece_picker(const piece_geometry& geometry, picker_options options = {});

    // ---- availability. A peer's pieces must be registered before pick().
    void add_peer_bitfield(const bitfield& has);
    void remove_peer_bitfield(const bitfield& has);
    void add_have(std::uint32_t piece);
    void remove_have(std::uint32_t piece);
    /// A peer with every piece (have all / full bitfield), counted in O(1).
    void add_seed() noexcept { ++seeds_; }
    void remove_seed() noexcept { if (seeds_) --seeds_; }
    std::uint32_t availability(std::uint32_t piece) const { return avail_[piece] + seeds_; }

    // ---- our pieces
    bool have(std::uint32_t piece) const { return state_[piece] == piece_state::have; }
    std::uint32_t have_count() const noexcept { return have_count_; }
    bool complete() const noexcept { return have_count_ == geometry_.piece_count(); }
    const bitfield& have_bitfield() const noexcept { return have_bits_; }
    /// Marks a piece as had without downloading it (resume, seeding).
    void set_have(std::uint32_t piece);
    /// Whether `has` holds a piece we still need. O(pieces / 8).
    bool is_interesting(const bitfield& has) const;

    // ---- picking
    /// Appends up to `max_blocks` blocks for `peer` (whose pieces are `has`)
    /// to `out` and marks them requested by it. Returns how many (0 if
    /// has.size() is not the piece count). Never returns a block this peer
    /// already has an outstanding request for.
    std::size_t pick(peer_handle peer, const bitfield& has, std::size_t max_blocks,
                     std::vector<block_ref>& out);
    /// Every block still needed (from pieces some peer has) is requested.
    bool in_end_game() const;
    /// No pick can give anyone anything now: no block is open, the cap on
    /// pieces under way is reached, and it is not the end game. (Cheap: a
    /// peer with thousands of connections asks it before each of them.)
    bool exhausted() const {
        return open_list_.empty() && options_.max_downloading != 0 &&
               downloading_count() >= options_.max_downloading && !in_end_game();
    }

    // ---- events
    /// A block arrived from `peer`. On accepted/piece_complete, `cancel`
    /// receives the other peers that had requested it (send them cancel).
    block_result mark_received(peer_handle peer, block_ref block, std::vector<peer_handle>& cancel);
    /// `peer` will not deliver `block` (choke, reject, cancel): back to the pool.
    void abort_request(peer_handle peer, block_ref block);
    /// `peer` is gone: all its requests go back to the pool. Returns how many.
    std::size_t abort_peer(peer_handle peer);
    /// The piece hashed correctly: we have it.
    void piece_passed(std::uint32_t piece);
    /// The piece failed its hash: every block is needed again. `contributors`
    /// (if given) receives the peers that sent its blocks.
    void piece_failed(std::uint32_t piece, std::vector<peer_handle>* contributors = nullptr);

    // ---- queries
    std::uint32_t block_size() const noexcept { return options_.block_size; }
    std::uint32_t blocks_in_piece(std::uint32_t piece) const;
    std::uint32_t block_offset(block_ref b) const noexcept { return b.block * options_.block_size; }
    std::uint32_t block_length(block_ref b) const;
    /// Whether `peer` has an outstanding request for `block`.
    bool is_requested_by(peer_handle peer, block_ref block) const;
    /// Whether `block` has arrived (its piece under way, or had).
    bool received(block_ref block) const;
    /// Whether `piece` is under way: blocks requested or received, not yet
    /// passed its hash. False for an index out of range.
    bool downloading(std::uint32_t piece) const noexcept {
        return piece < state_.size() && state_[piece] == piece_state::downloading;
    }
    /// Pieces with blocks in flight or awaiting their hash.
    std::size_t downloading_count() const noexcept { return slots_.size() - free_slots_.size(); }
    /// Blocks requested from fewer peers than end game may ask: what an end-
    /// game pick could still hand out (to a peer not already asked).
    std::uint32_t end_game_room() const noexcept { return end_game_room_; }
    const piece_geometry& geometry() const noexcept { return geometry_; }

private:
    enum class piece_state : std::uint8_t { needed, downloading, have };
    enum class block_state : std::uint8_t { open, requested, received };

    struct block_info {
        block_state state = block_state::open;         // where the block is
        std::uint8_t requesters = 0;                   // entries used in `req`
        std::array<peer_handle, max_requesters> req{}; // peers asked for it
        peer_handle from = 0;                          // who delivered it
    };
    struct downloading_piece {
        std::uint32_t piece = 0;      // piece index
        std::uint32_t open = 0;       // blocks nobody has been asked for
        std::uint32_t received = 0;   // blocks delivered
        std::int32_t open_pos = -1;   // index in open_list_, -1 if absent
        bool in_use = false;          // slot holds a piece
        std::vector<block_info> blocks;  // one per block
    };

    std::uint32_t bucket_of(std::uint32_t piece) const noexcept;
    void bucket_insert(std::uint32_t piece);
    void bucket_remove(std::uint32_t piece);
    void avail_changed(std::uint32_t piece, std::uint32_t old_avail);
    std::int64_t find_new_piece(const bitfield& has);
    std::uint32_t start_download(std::uint32_t piece);
    void release_slot(std::uint32_t slot);
    void open_list_add(std::uint32_t slot);
    void open_list_remove(std::uint32_t slot);
    std::size_t take_open_blocks(peer_handle peer, std::uint32_t slot, std::size_t max,
                                 std::vector<block_ref>& out);
    void drop_requester(std::uint32_t slot, std::uint32_t block, peer_handle peer);
    /// 1 if `b` is requested from fewer peers than end game may ask (room for
    /// one more requester), else 0: what end_game_room_ counts.
    std::uint32_t room_in(const block_info& b) const noexcept {
        return b.state == block_state::requested && b.requesters < options_.max_requests_per_block ? 1 : 0;
    }
    std::uint64_t next_random() noexcept;

    piece_geometry geometry_;                 // piece sizes
    picker_options options_;                  // order, block size, end-game
    std::vector<std::uint32_t> avail_;        // peers with each piece, seeds excluded
    std::uint32_t seeds_ = 0;                 // peers with every piece
    std::vector<piece_state> state_;          // per piece
    bitfield have_bits_;                      // pieces we have
    std::uint32_t have_count_ = 0;            // pieces we have
    std::vector<std::vector<std::uint32_t>> buckets_;  // needed pieces by bucket_of()
    std::vector<std::uint32_t> bucket_pos_;   // index of a needed piece in its bucket
    std::uint32_t needed_count_ = 0;          // pieces in buckets_ (needed, not started)
    std::uint32_t needed_zero_avail_ = 0;     // needed pieces that no non-seed peer has
    std::uint32_t seq_cursor_ = 0;            // sequential, custom: no needed piece below this
    std::vector<std::uint32_t> prio_rank_;    // custom: piece -> index in options_.priority, or UINT32_MAX
    std::uint32_t prio_cursor_ = 0;           // custom: no needed piece in options_.priority before this
    std::vector<std::int32_t> slot_of_;       // piece -> slot in slots_, -1 if none
    std::vector<downloading_piece> slots_;    // pieces being downloaded (recycled)
    std::vector<std::uint32_t> free_slots_;   // unused entries of slots_
    std::vector<std::uint32_t> open_list_;    // slots with open blocks
    std::uint32_t end_game_room_ = 0;         // blocks room_in() counts: 0 means end game has nothing to give
    std::uint32_t end_game_slot_ = 0;         // where the next end-game pick starts (where the last one found room)
    std::uint64_t rng_;                       // splitmix64 state
};

}  // namespace swarmbench::bt
