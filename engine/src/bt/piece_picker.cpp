// piece_picker: availability buckets, downloading slots, end-game.
//
// [SECTION] availability buckets
// [SECTION] our pieces
// [SECTION] picking
// [SECTION] events
#include "swarmbench/bt/piece_picker.hpp"

#include <algorithm>

#include "swarmbench/splitmix.hpp"

namespace swarmbench::bt {

namespace {
constexpr std::uint32_t no_rank = UINT32_MAX;  // prio_rank_ of a piece not in the priority list
}  // namespace

piece_picker::piece_picker(const piece_geometry& geometry, picker_options options)
    : geometry_(geometry),
      options_(options),
      avail_(geometry.piece_count(), 0),
      state_(geometry.piece_count(), piece_state::needed),
      have_bits_(geometry.piece_count()),
      bucket_pos_(geometry.piece_count(), 0),
      slot_of_(geometry.piece_count(), -1),
      rng_(options.seed) {
    if (options_.block_size == 0) options_.block_size = default_block_size;
    if (options_.order == pick_order::custom) {
        // Rank every listed piece; keep only the first mention of each valid one.
        prio_rank_.assign(geometry.piece_count(), no_rank);
        std::vector<std::uint32_t> listed;
        listed.reserve(options_.priority.size());
        for (const std::uint32_t p : options_.priority) {
            if (p >= geometry.piece_count() || prio_rank_[p] != no_rank) continue;
            prio_rank_[p] = static_cast<std::uint32_t>(listed.size());
            listed.push_back(p);
        }
        options_.priority = std::move(listed);
    } else {
        options_.priority.clear();
    }
    options_.max_requests_per_block = std::clamp<std::uint32_t>(options_.max_requests_per_block, 1,
                                                                max_requesters);
    buckets_.resize(1);
    buckets_[0].reserve(geometry.piece_count());
    for (std::uint32_t p = 0; p < geometry.piece_count(); ++p) bucket_insert(p);
    // Shuffle the initial bucket so ties between equally rare pieces do not
    // follow index order (Fisher-Yates with the seeded generator).
    auto& b = buckets_[0];
    for (std::size_t i = b.size(); i > 1; --i) {
        const std::size_t j = next_random() % i;
        std::swap(b[i - 1], b[j]);
        bucket_pos_[b[i - 1]] = static_cast<std::uint32_t>(i - 1);
        bucket_pos_[b[j]] = static_cast<std::uint32_t>(j);
    }
}

std::uint64_t piece_picker::next_random() noexcept { return splitmix64(rng_); }

// ---------------------------------------------------------------- [SECTION] availability buckets

std::uint32_t piece_picker::bucket_of(std::uint32_t piece) const noexcept {
    return options_.order == pick_order::rarest_first ? avail_[piece] : 0;
}

void piece_picker::bucket_insert(std::uint32_t piece) {
    const std::uint32_t b = bucket_of(piece);
    if (b >= buckets_.size()) buckets_.resize(b + 1);
    bucket_pos_[piece] = static_cast<std::uint32_t>(buckets_[b].size());
    buckets_[b].push_back(piece);
    ++needed_count_;
    if (avail_[piece] == 0) ++needed_zero_avail_;
    if (piece < seq_cursor_) seq_cursor_ = piece;
    if (!prio_rank_.empty() && prio_rank_[piece] < prio_cursor_) prio_cursor_ = prio_rank_[piece];
}

void piece_picker::bucket_remove(std::uint32_t piece) {
    auto& bucket = buckets_[bucket_of(piece)];
    const std::uint32_t pos = bucket_pos_[piece];
    const std::uint32_t last = bucket.back();
    bucket[pos] = last;
    bucket_pos_[last] = pos;
    bucket.pop_back();
    --needed_count_;
    if (avail_[piece] == 0) --needed_zero_avail_;
}

// Called after avail_[piece] changed from `old_avail`; moves a needed piece
// to its new bucket.
void piece_picker::avail_changed(std::uint32_t piece, std::uint32_t old_avail) {
    if (state_[piece] != piece_state::needed) return;
    const std::uint32_t now = avail_[piece];
    avail_[piece] = old_avail;
    bucket_remove(piece);
    avail_[piece] = now;
    bucket_insert(piece);
}

void piece_picker::add_peer_bitfield(const bitfield& has) {
    const std::uint32_t n = std::min(has.size(), geometry_.piece_count());
    for (std::uint32_t p = 0; p < n; ++p)
        if (has.get(p)) add_have(p);
}

void piece_picker::remove_peer_bitfield(const bitfield& has) {
    const std::uint32_t n = std::min(has.size(), geometry_.piece_count());
    for (std::uint32_t p = 0; p < n; ++p)
        if (has.get(p)) remove_have(p);
}

void piece_picker::add_have(std::uint32_t piece) {
    if (piece >= avail_.size()) return;
    ++avail_[piece];
    avail_changed(piece, avail_[piece] - 1);
}

void piece_picker::remove_have(std::uint32_t piece) {
    if (piece >= avail_.size() || avail_[piece] == 0) return;
    --avail_[piece];
    avail_changed(piece, avail_[piece] + 1);
}

// ---------------------------------------------------------------- [SECTION] our pieces

void piece_picker::set_have(std::uint32_t piece) {
    if (piece >= state_.size() || state_[piece] == piece_state::have) return;
    if (state_[piece] == piece_state::needed) bucket_remove(piece);
    if (slot_of_[piece] >= 0) release_slot(static_cast<std::uint32_t>(slot_of_[piece]));
    state_[piece] = piece_state::have;
    have_bits_.set(piece);
    ++have_count_;
}

bool piece_picker::is_interesting(const bitfield& has) const {
    const std::uint32_t n = std::min(has.size(), geometry_.piece_count());
    for (std::uint32_t p = 0; p < n; ++p)
        if (has.get(p) && state_[p] != piece_state::have) return true;
    return false;
}

std::uint32_t piece_picker::blocks_in_piece(std::uint32_t piece) const {
    return geometry_.blocks_in_piece(piece, options_.block_size);
}

std::uint32_t piece_picker::block_length(block_ref b) const {
    const std::uint32_t size = geometry_.piece_size(b.piece);
    const std::uint32_t off = block_offset(b);
    return off >= size ? 0 : std::min(options_.block_size, size - off);
}

bool piece_picker::is_requested_by(peer_handle peer, block_ref block) const {
    if (block.piece >= slot_of_.size() || slot_of_[block.piece] < 0) return false;
    const downloading_piece& dp = slots_[static_cast<std::uint32_t>(slot_of_[block.piece])];
    if (block.block >= dp.blocks.size()) return false;
    const block_info& b = dp.blocks[block.block];
    return std::find(b.req.begin(), b.req.begin() + b.requesters, peer) != b.req.begin() + b.requesters;
}

bool piece_picker::received(block_ref block) const {
    if (block.piece >= state_.size()) return false;
    if (state_[block.piece] == piece_state::have) return true;
    if (slot_of_[block.piece] < 0) return false;
    const downloading_piece& dp = slots_[static_cast<std::uint32_t>(slot_of_[block.piece])];
    return block.block < dp.blocks.size() && dp.blocks[block.block].state == block_state::received;
}

// ---------------------------------------------------------------- [SECTION] picking

void piece_picker::open_list_add(std::uint32_t slot) {
    downloading_piece& dp = slots_[slot];
    if (dp.open_pos >= 0) return;
    dp.open_pos = static_cast<std::int32_t>(open_list_.size());
    open_list_.push_back(slot);
}

void piece_picker::open_list_remove(std::uint32_t slot) {
    downloading_piece& dp = slots_[slot];
    if (dp.open_pos < 0) return;
    const auto pos = static_cast<std::uint32_t>(dp.open_pos);
    const std::uint32_t last = open_list_.back();
    open_list_[pos] = last;
    slots_[last].open_pos = static_cast<std::int32_t>(pos);
    open_list_.pop_back();
    dp.open_pos = -1;
}

std::uint32_t piece_picker::start_download(std::uint32_t piece) {
    bucket_remove(piece);
    state_[piece] = piece_state::downloading;
    std::uint32_t slot;
    if (!free_slots_.empty()) {
        slot = free_slots_.back();
        free_slots_.pop_back();
    } else {
        slot = static_cast<std::uint32_t>(slots_.size());
        slots_.emplace_back();
    }
    downloading_piece& dp = slots_[slot];
    const std::uint32_t n = blocks_in_piece(piece);
    dp.piece = piece;
    dp.open = n;
    dp.received = 0;
    dp.open_pos = -1;
    dp.in_use = true;
    dp.blocks.assign(n, block_info{});  // keeps capacity: no allocation once warm
    slot_of_[piece] = static_cast<std::int32_t>(slot);
    open_list_add(slot);
    return slot;
}

void piece_picker::release_slot(std::uint32_t slot) {
    downloading_piece& dp = slots_[slot];
    for (const block_info& bi : dp.blocks) end_game_room_ -= room_in(bi);  // a piece had while blocks were out
    open_list_remove(slot);
    slot_of_[dp.piece] = -1;
    dp.in_use = false;
    free_slots_.push_back(slot);
}

std::size_t piece_picker::take_open_blocks(peer_handle peer, std::uint32_t slot, std::size_t max,
                                           std::vector<block_ref>& out) {
    downloading_piece& dp = slots_[slot];
    std::size_t n = 0;
    for (std::uint32_t b = 0; b < dp.blocks.size() && n < max && dp.open > 0; ++b) {
        block_info& bi = dp.blocks[b];
        if (bi.state != block_state::open) continue;
        bi.state = block_state::requested;
        bi.requesters = 1;
        bi.req[0] = peer;
        end_game_room_ += room_in(bi);
        --dp.open;
        out.push_back(block_ref{dp.piece, b});
        ++n;
    }
    if (dp.open == 0) open_list_remove(slot);
    return n;
}

std::int64_t piece_picker::find_new_piece(const bitfield& has) {
    const std::uint32_t count = geometry_.piece_count();
    if (has.size() < count) return -1;
    if (options_.order == pick_order::custom) {
        // The listed pieces first, in their order; then the rest as sequential.
        const auto& listed = options_.priority;
        while (prio_cursor_ < listed.size() && state_[listed[prio_cursor_]] != piece_state::needed) ++prio_cursor_;
        for (std::size_t i = prio_cursor_; i < listed.size(); ++i)
            if (state_[listed[i]] == piece_state::needed && has.get(listed[i])) return listed[i];
    }
    if (options_.order == pick_order::sequential || options_.order == pick_order::custom) {
        while (seq_cursor_ < count && state_[seq_cursor_] != piece_state::needed) ++seq_cursor_;
        for (std::uint32_t p = seq_cursor_; p < count; ++p)
            if (state_[p] == piece_state::needed && has.get(p)) return p;
        return -1;
    }
    // Rarest first: bucket 0 holds pieces only seeds have, so only a seed can
    // serve them. Random order keeps everything in bucket 0.
    const std::size_t first =
        (options_.order == pick_order::rarest_first && !has.all()) ? 1 : 0;
    for (std::size_t b = first; b < buckets_.size(); ++b) {
        const auto& bucket = buckets_[b];
        if (bucket.empty()) continue;
        const std::size_t size = bucket.size();
        const std::size_t start = next_random() % size;
        for (std::size_t k = 0; k < size; ++k) {
            std::size_t i = start + k;
            if (i >= size) i -= size;
            if (has.get(bucket[i])) return bucket[i];
        }
    }
    return -1;
}

bool piece_picker::in_end_game() const {
    const std::uint32_t reachable = seeds_ > 0 ? needed_count_ : needed_count_ - needed_zero_avail_;
    if (reachable > 0) return false;
    for (std::uint32_t slot : open_list_)
        if (seeds_ > 0 || avail_[slots_[slot].piece] > 0) return false;
    return downloading_count() > 0;
}

std::size_t piece_picker::pick(peer_handle peer, const bitfield& has, std::size_t max_blocks,
                               std::vector<block_ref>& out) {
    if (has.size() < geometry_.piece_count()) return 0;
    std::size_t n = 0;
    // 1. Finish what is under way.
    for (std::size_t i = 0; i < open_list_.size() && n < max_blocks;) {
        const std::uint32_t slot = open_list_[i];
        if (has.get(slots_[slot].piece)) {
            n += take_open_blocks(peer, slot, max_blocks - n, out);
            if (slots_[slot].open_pos < 0) continue;  // removed: slot i now holds another
        }
        ++i;
    }
    // 2. Start new pieces, as many as the cap on pieces under way allows.
    while (n < max_blocks && (options_.max_downloading == 0 || downloading_count() < options_.max_downloading)) {
        const std::int64_t piece = find_new_piece(has);
        if (piece < 0) break;
        const std::uint32_t slot = start_download(static_cast<std::uint32_t>(piece));
        n += take_open_blocks(peer, slot, max_blocks - n, out);
    }
    // 3. End-game: ask this peer too for blocks others are fetching.
    // end_game_room_: without it, every request at the very end scanned every
    // block of every piece under way for nothing (10% of a 2,000-connection
    // leecher's CPU). The scan starts where the last one found room, past
    // blocks that had none or gave theirs (from the first slot each time, the
    // same full blocks cost a 2,000-connection leecher 5% of its CPU).
    if (n < max_blocks && options_.end_game && end_game_room_ > 0 && in_end_game()) {
        const auto slots = static_cast<std::uint32_t>(slots_.size());
        for (std::uint32_t k = 0; k < slots && n < max_blocks; ++k) {
            const std::uint32_t slot = (end_game_slot_ + k) % slots;
            downloading_piece& dp = slots_[slot];
            if (!dp.in_use || !has.get(dp.piece)) continue;
            for (std::uint32_t b = 0; b < dp.blocks.size() && n < max_blocks; ++b) {
                block_info& bi = dp.blocks[b];
                if (room_in(bi) == 0) continue;
                const auto end = bi.req.begin() + bi.requesters;
                if (std::find(bi.req.begin(), end, peer) != end) continue;
                bi.req[bi.requesters++] = peer;
                end_game_room_ -= 1 - room_in(bi);
                out.push_back(block_ref{dp.piece, b});
                end_game_slot_ = slot;
                ++n;
            }
        }
    }
    return n;
}

// ---------------------------------------------------------------- [SECTION] events

block_result piece_picker::mark_received(peer_handle peer, block_ref block,
                                         std::vector<peer_handle>& cancel) {
    cancel.clear();
    if (block.piece >= state_.size()) return block_result::unexpected;
    if (state_[block.piece] == piece_state::have) return block_result::duplicate;
    const std::int32_t s = slot_of_[block.piece];
    if (s < 0) return block_result::unexpected;
    const auto slot = static_cast<std::uint32_t>(s);
    downloading_piece& dp = slots_[slot];
    if (block.block >= dp.blocks.size()) return block_result::unexpected;
    block_info& bi = dp.blocks[block.block];
    if (bi.state == block_state::received) {
        // A late copy (end-game race, or after cancel): forget the request.
        return block_result::duplicate;
    }
    // Accept the data even if this peer's request was aborted meanwhile:
    // it is still needed and the piece hash will judge it.
    for (std::uint8_t i = 0; i < bi.requesters; ++i)
        if (bi.req[i] != peer) cancel.push_back(bi.req[i]);
    if (bi.state == block_state::open) {
        --dp.open;
        if (dp.open == 0) open_list_remove(slot);
    }
    end_game_room_ -= room_in(bi);
    bi.state = block_state::received;
    bi.requesters = 0;
    bi.from = peer;
    ++dp.received;
    return dp.received == dp.blocks.size() ? block_result::piece_complete : block_result::accepted;
}

void piece_picker::drop_requester(std::uint32_t slot, std::uint32_t block, peer_handle peer) {
    downloading_piece& dp = slots_[slot];
    block_info& bi = dp.blocks[block];
    if (bi.state != block_state::requested) return;
    const auto end = bi.req.begin() + bi.requesters;
    const auto it = std::find(bi.req.begin(), end, peer);
    if (it == end) return;
    *it = bi.req[bi.requesters - 1];
    end_game_room_ -= room_in(bi);
    --bi.requesters;
    if (bi.requesters > 0) {
        end_game_room_ += room_in(bi);
        return;
    }
    bi.state = block_state::open;
    ++dp.open;
    if (dp.open == dp.blocks.size()) {
        // Nothing requested or received: the piece goes back to the pool.
        const std::uint32_t piece = dp.piece;
        release_slot(slot);
        state_[piece] = piece_state::needed;
        bucket_insert(piece);
        return;
    }
    open_list_add(slot);
}

void piece_picker::abort_request(peer_handle peer, block_ref block) {
    if (block.piece >= slot_of_.size() || slot_of_[block.piece] < 0) return;
    const auto slot = static_cast<std::uint32_t>(slot_of_[block.piece]);
    if (block.block >= slots_[slot].blocks.size()) return;
    drop_requester(slot, block.block, peer);
}

std::size_t piece_picker::abort_peer(peer_handle peer) {
    std::size_t n = 0;
    for (std::uint32_t slot = 0; slot < slots_.size(); ++slot) {
        for (std::uint32_t b = 0; slots_[slot].in_use && b < slots_[slot].blocks.size(); ++b) {
            const block_info& bi = slots_[slot].blocks[b];
            const auto end = bi.req.begin() + bi.requesters;
            if (bi.state == block_state::requested && std::find(bi.req.begin(), end, peer) != end) {
                drop_requester(slot, b, peer);
                ++n;
            }
        }
    }
    return n;
}

void piece_picker::piece_passed(std::uint32_t piece) { set_have(piece); }

void piece_picker::piece_failed(std::uint32_t piece, std::vector<peer_handle>* contributors) {
    if (piece >= slot_of_.size() || slot_of_[piece] < 0) return;
    const auto slot = static_cast<std::uint32_t>(slot_of_[piece]);
    if (contributors) {
        contributors->clear();
        for (const block_info& bi : slots_[slot].blocks) {
            if (bi.state == block_state::received &&
                std::find(contributors->begin(), contributors->end(), bi.from) == contributors->end())
                contributors->push_back(bi.from);
        }
    }
    release_slot(slot);
    state_[piece] = piece_state::needed;
    bucket_insert(piece);
}

}  // namespace swarmbench::bt
