// local_peer: see local_peer.hpp.
//
// [SECTION] life cycle and sessions
// [SECTION] blocks: claims, buffers, writes
// [SECTION] pieces: hashes, convictions, completion
// [SECTION] timers, choking, restarts, local generation
#include "swarmbench/bt/local_peer.hpp"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "swarmbench/bt/peer_session.hpp"
#include "swarmbench/bt/torrent.hpp"

namespace swarmbench::bt {

namespace {

constexpr std::uint64_t default_assembly_bytes = 64ull << 20;

picker_options with_cap(picker_options o, std::uint32_t cap) {
    o.max_downloading = cap;
    return o;
}

}  // namespace

// ---------------------------------------------------------------------------
// [SECTION] life cycle and sessions
// ---------------------------------------------------------------------------

local_peer::local_peer(const torrent& t, peer_io& io, local_peer_options options)
    : torrent_(t),
      io_(io),
      options_(std::move(options)),
      picker_(std::make_unique<piece_picker>(t.geometry(), with_cap(options_.picker, bound()))),
      choker_(options_.choke),
      buffer_index_(options_.keep_blocks ? t.piece_count() : 0, -1),
      pipeline_(std::max<std::uint32_t>(1, options_.pipeline)) {
    all_ = bitfield(t.piece_count(), true);
    if (options_.seed) {
        for (std::uint32_t p = 0; p < t.piece_count(); ++p) picker_->set_have(p);
        complete_ = true;
    }
}

local_peer::~local_peer() = default;

std::uint32_t local_peer::bound() const noexcept {
    if (!options_.keep_blocks) return 0;  // nothing held in memory: no cap needed
    if (options_.max_assembling) return options_.max_assembling;
    const std::uint64_t per = std::max<std::uint64_t>(1, torrent_.piece_length());
    return static_cast<std::uint32_t>(std::max<std::uint64_t>(4, default_assembly_bytes / per));
}

void local_peer::attach(peer_session& s) {
    sessions_.push_back(&s);
    notice(s);
}

void local_peer::detach(peer_session& s) {
    auto it = std::find(sessions_.begin(), sessions_.end(), &s);
    if (it == sessions_.end()) return;
    *it = sessions_.back();
    sessions_.pop_back();
    if (!s.in_noticed_) return;
    s.in_noticed_ = false;
    auto n = std::find(noticed_.begin(), noticed_.end(), &s);
    *n = noticed_.back();
    noticed_.pop_back();
}

void local_peer::notice(peer_session& s) {
    if (s.in_noticed_) return;
    s.in_noticed_ = true;
    noticed_.push_back(&s);
}

void local_peer::request_on_all() {
    if (stopped_) return;
    // From a turning start, and only while the picker has something to give:
    // under the cap on pieces in memory a passed piece makes room for one
    // more, and at 2,500 connections asking each of them would cost 2,500
    // picks per piece. The turn shares that room among the connections.
    // (request_more only queues messages: no session attaches or detaches here.)
    const std::size_t n = sessions_.size();
    std::size_t k = 0;
    for (; k < n && !picker_->exhausted(); ++k) sessions_[(request_turn_ + k) % n]->request_more(now_);
    if (n != 0) request_turn_ = (request_turn_ + k) % n;  // next time, the ones not asked
}

void local_peer::set_pipeline(std::uint32_t n) {
    pipeline_ = std::max<std::uint32_t>(1, n);
    request_on_all();
}

// ---------------------------------------------------------------------------
// [SECTION] blocks
// ---------------------------------------------------------------------------

local_peer::piece_buffer* local_peer::buffer_of(std::uint32_t piece) {
    if (piece >= buffer_index_.size() || buffer_index_[piece] < 0) return nullptr;
    return buffers_[static_cast<std::size_t>(buffer_index_[piece])].get();
}

local_peer::piece_buffer& local_peer::buffer_for(std::uint32_t piece) {
    if (piece_buffer* b = buffer_of(piece)) return *b;
    piece_buffer* b = nullptr;
    if (!free_buffers_.empty()) {
        b = free_buffers_.back();
        free_buffers_.pop_back();
    } else {
        auto owned = std::make_unique<piece_buffer>();
        const std::size_t bytes = (std::size_t{torrent_.piece_length()} + 4095) & ~std::size_t{4095};
        owned->data = allocate_aligned(bytes, 4096);
        owned->slot = static_cast<std::uint32_t>(buffers_.size());
        b = owned.get();
        buffers_.push_back(std::move(owned));
    }
    const std::uint32_t blocks = picker_->blocks_in_piece(piece);
    b->piece = piece;
    b->claim.assign(blocks, 0);
    b->senders.assign(blocks, 0);
    b->writes_pending = 0;
    b->hashing = b->complete = b->detached = false;
    b->in_use = true;
    buffer_index_[piece] = static_cast<std::int32_t>(b->slot);
    return *b;
}

void local_peer::free_buffer(piece_buffer& b) {
    if (!b.detached && b.piece < buffer_index_.size() && buffer_of(b.piece) == &b) buffer_index_[b.piece] = -1;
    b.in_use = false;
    free_buffers_.push_back(&b);
}

bool local_peer::claim_block(peer_handle h, block_ref block, std::span<std::byte>& out, bool& spilled) {
    spilled = false;
    if (!picker_->downloading(block.piece) || picker_->received(block)) return false;
    piece_buffer& b = buffer_for(block.piece);
    if (block.block >= b.claim.size() || b.complete) return false;
    const std::uint32_t length = picker_->block_length(block);
    if (b.claim[block.block] == 0 || b.claim[block.block] == h) {
        b.claim[block.block] = h;
        out = std::span<std::byte>(b.data.get() + picker_->block_offset(block), length);
        return true;
    }
    // Another copy is arriving: race it in a spare buffer, if one is free.
    if (spill_free_.empty()) {
        if (spill_store_.size() >= spill_cap) return false;
        spill_store_.push_back(allocate_aligned(picker_->block_size(), 64));
        spill_free_.push_back(spill_store_.back().get());
    }
    out = std::span<std::byte>(spill_free_.back(), length);
    spill_free_.pop_back();
    spilled = true;
    return true;
}

bool local_peer::holds_claim(peer_handle h, block_ref block) const {
    if (block.piece >= buffer_index_.size() || buffer_index_[block.piece] < 0) return false;
    const piece_buffer& b = *buffers_[static_cast<std::size_t>(buffer_index_[block.piece])];
    return block.block < b.claim.size() && b.claim[block.block] == h;
}

bool local_peer::finish_spill(peer_handle h, block_ref block, std::span<std::byte> spill) {
    bool fresh = false;
    piece_buffer* b = buffer_of(block.piece);
    if (b && !b->complete && block.block < b->claim.size() && picker_->downloading(block.piece) &&
        !picker_->received(block)) {
        // Ours came first: it is the block; the claimant's further bytes are dropped.
        std::memcpy(b->data.get() + picker_->block_offset(block), spill.data(), spill.size());
        b->claim[block.block] = h;
        fresh = block_complete(h, block);
    } else {
        picker_->abort_request(h, block);
    }
    release_spill(spill);
    return fresh;
}

void local_peer::release_spill(std::span<std::byte> spill) { spill_free_.push_back(spill.data()); }

void local_peer::release_claim(peer_handle h, block_ref block) {
    piece_buffer* b = buffer_of(block.piece);
    if (b && block.block < b->claim.size() && b->claim[block.block] == h && b->senders[block.block] == 0)
        b->claim[block.block] = 0;
}

bool local_peer::block_complete(peer_handle h, block_ref block) {
    const block_result r = picker_->mark_received(h, block, cancel_scratch_);
    if (r == block_result::duplicate || r == block_result::unexpected) {
        if (piece_buffer* b = buffer_of(block.piece); b && block.block < b->claim.size() && b->claim[block.block] == h &&
                                                      b->senders[block.block] == 0)
            b->claim[block.block] = 0;
        return false;
    }
    // End-game: the others asked for this block cancel their requests.
    for (peer_handle other : cancel_scratch_)
        for (peer_session* s : sessions_)
            if (s->handle() == other && s->active()) s->cancel_request(block);
    if (options_.keep_blocks) {
        piece_buffer& b = buffer_for(block.piece);
        b.senders[block.block] = h;
        ++b.writes_pending;
        ++writes_pending_;
        const std::uint32_t begin = picker_->block_offset(block);
        io_.write_block(*this, {block.piece, begin, b.slot},
                        std::span<const std::byte>(b.data.get() + begin, picker_->block_length(block)));
    }
    if (r == block_result::piece_complete) piece_complete(block.piece);
    return true;
}

void local_peer::block_written(const write_ticket& t, bool ok) {
    if (writes_pending_) --writes_pending_;
    if (!ok) failed_ = true;  // the I/O layer reports the error; we stop asking
    if (t.slot < buffers_.size()) {
        // The ticket names the buffer: a failed piece's old buffer and its
        // fresh one may both have writes out.
        piece_buffer& b = *buffers_[t.slot];
        if (b.in_use && b.writes_pending > 0 && --b.writes_pending == 0 &&
            (b.detached || (b.complete && !b.hashing && picker_->have(b.piece))))
            free_buffer(b);
    }
    check_complete();
}

// ---------------------------------------------------------------------------
// [SECTION] pieces
// ---------------------------------------------------------------------------

void local_peer::piece_complete(std::uint32_t piece) {
    if (!options_.keep_blocks || !options_.verify) {
        // Discarded bytes cannot be hashed, generated ones need not be.
        if (piece_buffer* b = buffer_of(piece)) b->complete = true;
        piece_hashed(piece, true);
        return;
    }
    piece_buffer& b = buffer_for(piece);
    b.complete = true;
    b.hashing = true;
    io_.hash_piece(*this, piece, std::span<const std::byte>(b.data.get(), torrent_.piece_size(piece)));
}

void local_peer::piece_hashed(std::uint32_t piece, bool passed) {
    piece_buffer* b = buffer_of(piece);
    if (b) b->hashing = false;
    if (passed) {
        picker_->piece_passed(piece);
        io_.piece_done(*this, piece, true);
        for (std::size_t i = 0; i < noticed_.size();) {
            peer_session& s = *noticed_[i];
            if (s.wants_piece_notices()) {
                s.piece_passed(piece);
                ++i;
                continue;
            }
            s.in_noticed_ = false;  // see noticed_
            noticed_[i] = noticed_.back();
            noticed_.pop_back();
        }
        // The last piece: interest in seeds ends too (before the writes
        // drain and check_complete says so again).
        if (picker_->complete())
            for (std::size_t i = 0; i < sessions_.size(); ++i) sessions_[i]->update_interest();
        if (b && b->writes_pending == 0) free_buffer(*b);
        check_complete();
        // Under a cap on pieces in memory, a passed piece makes room for a
        // new one: connections that were starved may ask again.
        if (bound() != 0) request_on_all();
        return;
    }
    io_.piece_done(*this, piece, false);
    if (b) {
        convict_senders(*b);
        b->detached = true;
        buffer_index_[piece] = -1;
        if (b->writes_pending == 0) free_buffer(*b);
    }
    picker_->piece_failed(piece);
    request_on_all();
}

void local_peer::convict_senders(const piece_buffer& b) {
    const std::uint32_t bs = picker_->block_size();
    const bool one_sender = !b.senders.empty() && std::all_of(b.senders.begin(), b.senders.end(),
                                                              [&](peer_handle h) { return h == b.senders[0]; });
    for (std::uint32_t k = 0; k < b.senders.size(); ++k) {
        const std::uint32_t begin = k * bs;
        const std::uint32_t length = std::min(bs, torrent_.piece_size(b.piece) - begin);
        const std::optional<bool> good =
            io_.block_matches(*this, b.piece, begin, std::span<const std::byte>(b.data.get() + begin, length));
        if (good ? *good : !one_sender) continue;
        for (std::size_t i = 0; i < sessions_.size(); ++i) {
            peer_session& s = *sessions_[i];
            if (s.handle() == b.senders[k] && !s.closed())
                s.close(fmt::format("dropped: sent wrong data (block {} of piece {} failed the hash check)", k, b.piece),
                        true);
        }
    }
}

void local_peer::check_complete() {
    if (complete_ || failed_ || !picker_->complete() || writes_pending_ != 0) return;
    complete_ = true;
    for (std::size_t i = 0; i < sessions_.size(); ++i) sessions_[i]->update_interest();
    io_.completed(*this);
}

// ---------------------------------------------------------------------------
// [SECTION] timers, choking, restarts, local generation
// ---------------------------------------------------------------------------

void local_peer::tick(std::int64_t now) {
    now_ = std::max(now_, now);
    for (std::size_t i = 0; i < sessions_.size(); ++i) sessions_[i]->tick(now);
    if (options_.upload && options_.choking) choke_round(now);
}

void local_peer::choke_round(std::int64_t now) {
    if (now < choker_.next_due()) return;
    candidates_.clear();
    for (peer_session* s : sessions_)
        if (s->active())
            candidates_.push_back({s->handle(), s->peer_interested(), !s->am_choking(), s->uploaded_since_rechoke,
                                   s->downloaded_since_rechoke});
    const choker::result r = choker_.tick(now, candidates_, complete_);
    std::size_t c = 0;
    for (std::size_t i = 0; i < sessions_.size(); ++i) {
        peer_session& s = *sessions_[i];
        if (!s.active()) continue;
        s.set_choked(!candidates_[c++].unchoked);
        if (r.rechoked) s.uploaded_since_rechoke = s.downloaded_since_rechoke = 0;
    }
}

void local_peer::restart(std::uint64_t seed) {
    picker_options o = options_.picker;
    o.seed = seed;
    picker_ = std::make_unique<piece_picker>(torrent_.geometry(), with_cap(o, bound()));
    complete_ = false;
    for (peer_session* s : sessions_) {
        s->remote_registered_ = false;
        if (s->active()) s->register_remote();
    }
    for (std::size_t i = 0; i < sessions_.size(); ++i) {
        sessions_[i]->update_interest();
        sessions_[i]->request_more(now_);
    }
}

std::size_t local_peer::pick_local(peer_handle handle, std::size_t max, std::vector<block_ref>& out) {
    if (failed_) return 0;
    return picker_->pick(handle, all_, max, out);
}

std::span<std::byte> local_peer::local_block_buffer(block_ref block) {
    piece_buffer& b = buffer_for(block.piece);
    return {b.data.get() + picker_->block_offset(block), picker_->block_length(block)};
}

bool local_peer::receive_local(peer_handle handle, block_ref block) { return block_complete(handle, block); }

}  // namespace swarmbench::bt
