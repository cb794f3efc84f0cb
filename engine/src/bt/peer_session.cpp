// peer_session: see peer_session.hpp.
//
// [SECTION] life cycle
// [SECTION] output: what to say, encoded late
// [SECTION] input: dispatch
// [SECTION] downloading: pieces of the remote, interest, requests, blocks
// [SECTION] uploading: requests, serving, choking
// [SECTION] timers and closing
#include "swarmbench/bt/peer_session.hpp"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "swarmbench/bt/local_peer.hpp"
#include "swarmbench/bt/torrent.hpp"

namespace swarmbench::bt {

namespace {

/// What libtorrent assumes of a peer that does not say how many requests it
/// queues (BEP 10 reqq): more in flight gets a peer dropped.
constexpr std::uint32_t default_remote_reqq = 250;

enum special_kind : std::uint8_t { plain = 0, sp_handshake = 1, sp_ext_handshake = 2, sp_keep_alive = 3, sp_bitfield = 4 };

constexpr std::uint32_t piece_message(std::uint32_t length) { return piece_header_size + length; }

wire_options decoder_options(const torrent& t) {
    wire_options o;
    o.expected_info_hash = t.info_hash();
    o.limits.max_piece_block = default_block_size;
    o.limits.max_request_length = default_block_size;
    o.stream_pieces = true;  // payloads land in the piece buffer, never in a per-connection one
    return o;
}

}  // namespace

// ---------------------------------------------------------------------------
// [SECTION] life cycle
// ---------------------------------------------------------------------------

peer_session::peer_session(local_peer& peer, const session_options& options, std::int64_t now)
    : peer_(peer),
      io_(peer.io()),
      decoder_(peer.torrent_ref().geometry(), decoder_options(peer.torrent_ref())),
      handle_(peer.new_handle()),
      outgoing_(options.outgoing),
      our_id_(options.our_id),
      rate_(options.rate) {
    stats_.created_ns = now;
    last_output_ns_ = now;
    last_refill_ns_ = now;
    tokens_ = piece_message(default_block_size);
    peer_.attach(*this);
    if (outgoing_) push(special(sp_handshake));
}

peer_session::~peer_session() {
    if (!closed()) teardown();
    peer_.detach(*this);
}

// ---------------------------------------------------------------------------
// [SECTION] output
// ---------------------------------------------------------------------------

void peer_session::want_send() {
    if (state_ != state_t::closed) io_.want_send(*this);
}

void peer_session::push(const pending& p) {
    if (state_ == state_t::closed) return;
    out_.push_back(p);
    want_send();
}

std::size_t peer_session::size_of(const pending& p) const noexcept {
    switch (p.special) {
        case sp_handshake: return handshake_size;
        case sp_ext_handshake: return 512;  // an upper bound; encode() writes the real size
        case sp_keep_alive: return 4;
        case sp_bitfield: return 5 + (peer_.torrent_ref().piece_count() + 7) / 8;
        default: break;
    }
    switch (p.id) {
        case msg_id::have:
        case msg_id::suggest:
        case msg_id::allowed_fast: return 9;
        case msg_id::request:
        case msg_id::cancel:
        case msg_id::reject: return 17;
        default: return 5;
    }
}

std::size_t peer_session::encode(const pending& p, std::span<std::byte> out) const {
    switch (p.special) {
        case sp_handshake: {
            handshake hs;
            hs.reserved = make_reserved(true, true);
            hs.info_hash = peer_.torrent_ref().info_hash();
            hs.id = our_id_;
            return encode_handshake(out, hs);
        }
        case sp_ext_handshake: {
            extended_handshake ext;
            ext.v = peer_.options().client_name;
            // A deep queue, really accepted: a client such as transmission
            // keeps at most reqq requests in flight.
            ext.reqq = peer_.options().advertised_reqq;
            if (peer_.options().listen_port) ext.p = peer_.options().listen_port;
            return encode_extended_handshake(out, ext);
        }
        case sp_keep_alive: return encode_keep_alive(out);
        case sp_bitfield: return encode_bitfield(out, peer_.picker().have_bitfield());
        default: break;
    }
    switch (p.id) {
        case msg_id::have: return encode_have(out, p.index);
        case msg_id::allowed_fast: return encode_allowed_fast(out, p.index);
        case msg_id::suggest: return encode_suggest(out, p.index);
        case msg_id::request: return encode_request(out, p.index, p.begin, p.length);
        case msg_id::cancel: return encode_cancel(out, p.index, p.begin, p.length);
        case msg_id::reject: return encode_reject(out, p.index, p.begin, p.length);
        default: return encode_simple(out, p.id);
    }
}

bool peer_session::has_output() const noexcept {
    return out_head_ < out_.size() || requests_unsent_ > 0 || (serve_head_ < serve_.size() && serve_[serve_head_].ready);
}

std::size_t peer_session::output_bytes() const noexcept {
    std::size_t n = 0;
    for (std::size_t i = out_head_; i < out_.size(); ++i) n += size_of(out_[i]);
    n += requests_unsent_ * 17;
    for (std::size_t i = serve_head_; i < serve_.size() && serve_[i].ready; ++i) n += piece_message(serve_[i].r.length);
    return n;
}

std::size_t peer_session::output_hint() const noexcept {
    if (out_head_ < out_.size()) return size_of(out_[out_head_]);
    if (requests_unsent_ > 0) return 17;
    if (serve_head_ < serve_.size() && serve_[serve_head_].ready) return piece_message(serve_[serve_head_].r.length);
    return 0;
}

std::size_t peer_session::write_output(std::span<std::byte> out, std::int64_t now) {
    if (state_ == state_t::closed) return 0;
    peer_.now_ = std::max(peer_.now_, now);
    std::size_t n = 0;
    // What to say first (handshakes, announcements, requests, choking,
    // rejects): small, and late requests cost the remote idle time.
    while (out_head_ < out_.size()) {
        const pending& p = out_[out_head_];
        if (p.special == sp_ext_handshake) {
            std::byte tmp[512];
            const std::size_t k = encode(p, tmp);
            if (n + k > out.size()) break;
            std::memcpy(out.data() + n, tmp, k);
            n += k;
        } else {
            if (n + size_of(p) > out.size()) break;
            n += encode(p, out.subspan(n));
        }
        ++out_head_;
    }
    if (out_head_ == out_.size()) {
        out_.clear();
        out_head_ = 0;
        if (out_.capacity() > 64) out_.shrink_to_fit();  // a burst of HAVEs is over
    }
    // Then our new requests (after an INTERESTED above), oldest first.
    if (out_head_ == out_.size()) {
        while (requests_unsent_ > 0 && n + 17 <= out.size()) {
            const block_ref b = requests_[requests_.size() - requests_unsent_].block;
            n += encode_request(out.subspan(n), b.piece, peer_.picker().block_offset(b), peer_.picker().block_length(b));
            --requests_unsent_;
        }
    }
    // Then blocks, in request order, each filled straight into `out`.
    for (;;) {
        pump(now);
        if (serve_head_ >= serve_.size() || !serve_[serve_head_].ready) break;
        serve_entry& e = serve_[serve_head_];
        const std::size_t need = piece_message(e.r.length);
        if (n + need > out.size()) break;
        encode_piece_header(out.subspan(n), e.r.piece, e.r.begin, e.r.length);
        const std::span<std::byte> block = out.subspan(n + piece_header_size, e.r.length);
        if (e.data) {
            std::memcpy(block.data(), e.data, e.r.length);
            io_.release_block(e.data);
            e.data = nullptr;
        } else {
            io_.fill_block(*this, e.r, block);
        }
        n += need;
        committed_bytes_ -= need;
        ++serve_head_;
        ++stats_.blocks_out;
        stats_.last_block_ns = now;
        uploaded_since_rechoke += e.r.length;
        if (e.r.received_ns && keep_serve_latency_) {
            if (!serve_latency_) serve_latency_ = std::make_unique<compact_histogram>();
            serve_latency_->record(now - e.r.received_ns);
        }
        io_.block_sent(*this, e.r, now);
    }
    compact_serve();
    stats_.bytes_out += n;
    if (n) {
        last_output_ns_ = now;
        unsent_ = true;
    }
    return n;
}

void peer_session::output_sent(std::int64_t now) {
    peer_.now_ = std::max(peer_.now_, now);
    unsent_ = false;
    if (!close_when_sent_.empty() && !has_output()) close(std::exchange(close_when_sent_, {}));
}

// ---------------------------------------------------------------------------
// [SECTION] input
// ---------------------------------------------------------------------------

void peer_session::receive(std::span<const std::byte> bytes, std::int64_t now) {
    if (state_ == state_t::closed) return;
    peer_.now_ = std::max(peer_.now_, now);
    stats_.bytes_in += bytes.size();
    message m;
    while (state_ != state_t::closed) {
        const auto st = decoder_.next(bytes, m);
        if (st == wire_decoder::status::need_more) break;
        if (st == wire_decoder::status::error) {
            close("dropped: protocol error: " + decoder_.error(), true);
            break;
        }
        on_message(m, now);
    }
}

void peer_session::note(const char* what) {
    for (auto& [name, count] : notes_)
        if (name == what || std::strcmp(name, what) == 0) {
            ++count;
            io_.note(*this, what, false);
            return;
        }
    notes_.emplace_back(what, 1);
    io_.note(*this, what, true);
}

void peer_session::on_message(const message& m, std::int64_t now) {
    using k = message_kind;
    if (m.bend) note(m.bend);
    switch (m.kind) {
        case k::handshake: on_handshake(*m.hs, now); break;
        case k::extended_handshake:
            if (m.ext_hs->reqq) remote_reqq_ = std::max<std::uint32_t>(1, *m.ext_hs->reqq);
            client_ = m.ext_hs->v.substr(0, 64);
            if (m.ext_hs->p) remote_port_ = *m.ext_hs->p;
            request_more(now);  // a reqq may allow more
            break;
        case k::extended:
            // We advertise no extension messages (our "m" is empty): libtorrent
            // ignores what no extension claims, and so do we.
            if (m.ext_id != 0) note("unknown extension message");
            break;
        case k::bitfield:
        case k::have_all:
        case k::have_none: on_remote_set(m); request_more(now); break;
        case k::have: on_have(m.index); request_more(now); break;
        case k::unchoke:
            peer_choking_ = false;
            request_more(now);
            break;
        case k::choke:
            peer_choking_ = true;
            // BEP 6: with fast, rejects say what was dropped (the stall
            // timeout catches a remote that never sends them).
            if (!fast_) abort_requests();
            break;
        case k::allowed_fast:
            if (std::find(allowed_fast_.begin(), allowed_fast_.end(), m.index) == allowed_fast_.end() &&
                allowed_fast_.size() < 64)
                allowed_fast_.push_back(m.index);
            request_more(now);
            break;
        case k::reject: {
            const block_ref block{m.index, m.begin / peer_.picker().block_size()};
            auto it = std::find_if(requests_.begin(), requests_.end(), [&](const outstanding& q) { return q.block == block; });
            if (it != requests_.end() && m.begin % peer_.picker().block_size() == 0) {
                erase_request(it);
                peer_.picker().abort_request(handle_, block);
                ++stats_.rejects;
            }
            request_more(now);
            break;
        }
        case k::piece_header: on_piece_header(m, now); break;
        case k::piece_data: on_piece_data(m, now); break;
        case k::interested:
            peer_interested_ = true;
            if (am_choking_ && peer_.options().upload && peer_.options().choking &&
                peer_.choker_.slot_free(peer_.unchoked_))
                set_choked(false);
            break;
        case k::not_interested: peer_interested_ = false; break;
        case k::request: on_request(m, now); break;
        case k::cancel: on_cancel(m); break;
        default: break;  // keep-alive, port, suggest, unknown (skipped by the decoder)
    }
}

void peer_session::on_handshake(const handshake& hs, std::int64_t now) {
    remote_id_ = hs.id;
    fast_ = decoder_.fast_negotiated();
    ext_ = decoder_.extensions_negotiated();
    if (!outgoing_) push(special(sp_handshake));  // dialled by them: ours answers (dialling, ours went first)
    if (ext_) push(special(sp_ext_handshake));
    // Our pieces: have all / have none where BEP 6 allows, else a bitfield
    // (none at all for a peer without pieces and without BEP 6).
    const piece_picker& picker = peer_.picker();
    const bool all = picker.complete();
    if (fast_ && all) push({msg_id::have_all});
    else if (picker.have_count() > 0) push(special(sp_bitfield));
    else if (fast_) push({msg_id::have_none});
    state_ = state_t::active;
    stats_.established_ns = now;
    last_block_in_ns_ = now;
    io_.established(*this);
    if (peer_.options().upload && !peer_.options().choking) set_choked(false);
}

// ---------------------------------------------------------------------------
// [SECTION] downloading
// ---------------------------------------------------------------------------

void peer_session::register_remote() {
    if (remote_registered_) return;
    if (!remote_seed_) {
        if (remote_has_.size() == 0) return;  // nothing announced yet
        remote_seed_ = remote_has_.all();
    }
    remote_registered_ = true;
    if (remote_seed_) peer_.picker().add_seed();
    else peer_.picker().add_peer_bitfield(remote_has_);
}

void peer_session::unregister_remote() {
    if (!remote_registered_) return;
    remote_registered_ = false;
    if (remote_seed_) peer_.picker().remove_seed();
    else peer_.picker().remove_peer_bitfield(remote_has_);
}

void peer_session::on_remote_set(const message& m) {
    const std::uint32_t pieces = peer_.torrent_ref().piece_count();
    unregister_remote();  // a late set replaces the first (a bend, noted by the decoder)
    if (m.kind == message_kind::bitfield) remote_has_.assign(m.data, pieces);
    else remote_has_ = bitfield(pieces, m.kind == message_kind::have_all);
    remote_seed_ = remote_has_.all();
    if (wants_piece_notices()) peer_.notice(*this);  // a late set that is no seed's
    if (peer_.options().seed) {
        // A seed wants nothing: the map is only for peer_io, then let go
        // (thousands of connections would each hold one).
        io_.remote_pieces(*this, std::nullopt);
        remote_has_ = bitfield();
        return;
    }
    register_remote();
    io_.remote_pieces(*this, std::nullopt);
    // A seed's map says no more than remote_seed_ (request_more picks from
    // the local peer's all-set map): let go of it, as above; a leecher's
    // connections are mostly to seeds.
    if (remote_seed_) remote_has_ = bitfield();
    update_interest();
}

void peer_session::on_have(std::uint32_t piece) {
    if (peer_.options().seed || remote_seed_) {
        // A seed keeps no map, nor does anyone of a seed (on_remote_set);
        // a seed's HAVE is redundant (counted with its have-all).
        io_.remote_pieces(*this, piece);
        return;
    }
    const std::uint32_t pieces = peer_.torrent_ref().piece_count();
    if (remote_has_.size() != pieces) {
        remote_has_ = bitfield(pieces);
        register_remote();
    }
    if (!remote_has_.get(piece)) {
        remote_has_.set(piece);
        if (!remote_seed_) peer_.picker().add_have(piece);  // a seed has it counted already
    }
    io_.remote_pieces(*this, piece);
    update_interest();
}

void peer_session::update_interest() {
    if (state_ != state_t::active) return;
    const bool want = !peer_.complete() && !peer_.picker().complete() && remote_registered_ &&
                      (remote_seed_ || peer_.picker().is_interesting(remote_has_));
    if (want == am_interested_) return;
    am_interested_ = want;
    push({want ? msg_id::interested : msg_id::not_interested});
}

void peer_session::request_more(std::int64_t now) {
    if (state_ != state_t::active || !remote_registered_ || peer_.failed_ || peer_.stopped_ ||
        peer_.picker().complete())
        return;
    // Never more in flight than the remote accepts (BEP 10 reqq): libtorrent
    // drops a peer that overruns it.
    const std::size_t pipeline =
        std::min<std::size_t>(peer_.pipeline(), remote_reqq_ ? remote_reqq_ : default_remote_reqq);
    if (requests_.size() >= pipeline) return;
    const bitfield* has = remote_seed_ ? &peer_.all_ : &remote_has_;
    if (peer_choking_) {
        // Choked: only the pieces the remote declared allowed-fast (BEP 6).
        if (allowed_fast_.empty()) return;
        bitfield& allowed = peer_.allowed_scratch_;
        allowed = bitfield(peer_.torrent_ref().piece_count());
        for (std::uint32_t p : allowed_fast_)
            if (has->get(p)) allowed.set(p);
        has = &allowed;
    }
    std::vector<block_ref>& picks = peer_.pick_scratch_;
    picks.clear();
    peer_.picker().pick(handle_, *has, pipeline - requests_.size(), picks);
    for (const block_ref& b : picks) {
        requests_.push_back({b, now});
        ++stats_.requests_sent;
    }
    requests_unsent_ += picks.size();
    if (!picks.empty()) want_send();
}

void peer_session::on_piece_header(const message& m, std::int64_t now) {
    const std::uint32_t bs = peer_.picker().block_size();
    in_block_ = true;
    block_wanted_ = false;
    block_claimed_ = false;
    block_spilled_ = false;
    block_ = {m.index, m.begin / bs};
    block_begin_ = m.begin;
    // Not asked for (late after a cancel or a choke, or misaligned): its
    // bytes are dropped as they come.
    auto it = std::find_if(requests_.begin(), requests_.end(), [&](const outstanding& q) { return q.block == block_; });
    if (it == requests_.end() || m.begin % bs != 0 || m.length != peer_.picker().block_length(block_)) return;
    block_wanted_ = true;
    block_sent_ns_ = it->sent_ns;
    erase_request(it);
    if (peer_.options().keep_blocks) block_claimed_ = peer_.claim_block(handle_, block_, block_dest_, block_spilled_);
    if (m.length == 0) finish_block(now);  // (the decoder refuses empty blocks; kept for safety)
}

void peer_session::on_piece_data(const message& m, std::int64_t now) {
    if (!in_block_) return;
    // A claim can be revoked by a faster copy (local_peer::finish_spill):
    // then our bytes are dropped.
    if (block_claimed_ && (block_spilled_ || peer_.holds_claim(handle_, block_)))
        std::memcpy(block_dest_.data() + (m.begin - block_begin_), m.data.data(), m.data.size());
    downloaded_since_rechoke += m.data.size();
    if (decoder_.payload_remaining() == 0) finish_block(now);
}

void peer_session::finish_block(std::int64_t now) {
    in_block_ = false;
    if (!block_wanted_) return;
    stats_.last_block_ns = now;
    last_block_in_ns_ = now;
    bool fresh = false;
    if (block_spilled_) {
        block_claimed_ = block_spilled_ = false;
        fresh = peer_.finish_spill(handle_, block_, block_dest_);
    } else if (!peer_.options().keep_blocks || (block_claimed_ && peer_.holds_claim(handle_, block_))) {
        block_claimed_ = false;
        fresh = peer_.block_complete(handle_, block_);
    } else if (!block_claimed_) {
        // Another session is writing this block (an end-game race) and no
        // spare buffer was free: ours is the copy that loses.
        peer_.picker().abort_request(handle_, block_);
    }
    block_claimed_ = false;  // (a revoked claim: the faster copy is the block)
    if (fresh) {
        ++stats_.blocks_in;
        const std::int64_t latency = now - block_sent_ns_;
        if (!latency_) latency_ = std::make_unique<compact_histogram>();
        latency_->record(latency);
        io_.block_received(*this, peer_.picker().block_length(block_), latency);
    }
    request_more(now);
}

void peer_session::cancel_request(block_ref block) {
    auto it = std::find_if(requests_.begin(), requests_.end(), [&](const outstanding& q) { return q.block == block; });
    if (it == requests_.end()) return;
    const bool sent = static_cast<std::size_t>(it - requests_.begin()) < requests_.size() - requests_unsent_;
    erase_request(it);
    if (sent) push({msg_id::cancel, plain, block.piece, peer_.picker().block_offset(block), peer_.picker().block_length(block)});
}

void peer_session::erase_request(std::vector<outstanding>::iterator it) {
    // Unsent requests are the tail: one leaving from there is one less to write.
    if (static_cast<std::size_t>(it - requests_.begin()) >= requests_.size() - requests_unsent_) --requests_unsent_;
    requests_.erase(it);
}

void peer_session::abort_requests() {
    for (const outstanding& q : requests_) peer_.picker().abort_request(handle_, q.block);
    stats_.rejects += requests_.size();
    requests_.clear();
    requests_unsent_ = 0;
}

void peer_session::set_redundant_haves(bool send) {
    redundant_haves_ = send;
    if (wants_piece_notices()) peer_.notice(*this);
}

void peer_session::piece_passed(std::uint32_t piece) {
    if (state_ != state_t::active) return;
    if (!redundant_haves_ && (remote_seed_ || (remote_has_.size() > piece && remote_has_.get(piece)))) {
        update_interest();
        return;
    }
    // Lazily: a HAVE rides with the next requests, or goes at the next tick.
    // Sent at once, each passed piece would cost every connection of the
    // peer a send of its own: O(connections) sends per piece.
    out_.push_back({msg_id::have, plain, piece});
    update_interest();
}

// ---------------------------------------------------------------------------
// [SECTION] uploading
// ---------------------------------------------------------------------------

void peer_session::reject(const block_request& r) {
    if (fast_) push({msg_id::reject, plain, r.piece, r.begin, r.length});
}

void peer_session::on_request(const message& m, std::int64_t now) {
    ++stats_.requests_received;
    const block_request r{m.index, m.begin, m.length, now};
    if (am_choking_ || !peer_.has_piece(m.index)) {
        reject(r);  // BEP 6: say no; without it, silence
        return;
    }
    const std::uint32_t flood = peer_.options().max_queued_requests;
    if (requests_queued() >= flood) {
        // Far past the reqq we advertised: a flood, not a client. With the
        // fast extension say no; without it, drop the peer.
        if (fast_) {
            reject(r);
            return;
        }
        close(fmt::format("dropped: protocol error: more than {} requests queued (we accept {})", flood,
                          peer_.options().advertised_reqq),
              true);
        return;
    }
    serve_.push_back({r});
    pump(now);
}

void peer_session::on_cancel(const message& m) {
    for (std::size_t i = serve_head_; i < serve_.size(); ++i) {
        serve_entry& e = serve_[i];
        if (e.r.piece != m.index || e.r.begin != m.begin) continue;
        reject(e.r);  // BEP 6: answer every cancel
        if (e.committed) committed_bytes_ -= piece_message(e.r.length);
        if (e.data) io_.release_block(e.data);
        if (i < committed_end_) --committed_end_;
        serve_.erase(serve_.begin() + static_cast<std::ptrdiff_t>(i));
        break;
    }
}

void peer_session::pump(std::int64_t now) {
    if (state_ != state_t::active) return;
    if (stalled_until_ != 0) {
        if (now < stalled_until_) return;  // a stall fault: nothing served until it ends
        stalled_until_ = 0;
    }
    const local_peer_options& o = peer_.options();
    bool ready = false;
    if (committed_end_ < serve_head_) committed_end_ = serve_head_;
    while (committed_end_ < serve_.size()) {
        serve_entry& e = serve_[committed_end_];
        const std::uint32_t need = piece_message(e.r.length);
        if (committed_bytes_ > 0 && committed_bytes_ + need > o.serve_window) break;
        if (o.serve_reads && reads_ >= o.max_reads) break;
        if (rate_ != 0) {
            if (tokens_ < need) break;
            tokens_ -= need;
        }
        e.committed = true;
        committed_bytes_ += need;
        ++committed_end_;
        if (o.serve_reads) {
            ++reads_;
            io_.read_block(*this, e.r);
        } else {
            e.ready = true;
            ready = true;
        }
    }
    if (ready && serve_head_ < serve_.size() && serve_[serve_head_].ready) want_send();
}

void peer_session::block_read(const block_request& r, const std::byte* data) {
    if (reads_) --reads_;
    for (std::size_t i = serve_head_; i < committed_end_ && i < serve_.size(); ++i) {
        serve_entry& e = serve_[i];
        if (e.ready || !(e.r == r)) continue;
        e.data = data;
        e.ready = true;
        if (i == serve_head_) want_send();
        return;
    }
    io_.release_block(data);  // cancelled or choked meanwhile
}

void peer_session::block_read_failed(const block_request& r, const std::string& why) {
    if (reads_) --reads_;
    close(fmt::format("failed: reading block at {} of piece {}: {}", r.begin, r.piece, why));
}

void peer_session::drop_serving(bool reject_them) {
    for (std::size_t i = serve_head_; i < serve_.size(); ++i) {
        if (reject_them) reject(serve_[i].r);
        if (serve_[i].data) io_.release_block(serve_[i].data);
    }
    serve_.clear();
    serve_head_ = committed_end_ = committed_bytes_ = 0;
}

void peer_session::compact_serve() {
    if (serve_head_ == 0) return;
    if (serve_head_ == serve_.size()) {
        serve_.clear();
        committed_end_ = serve_head_ = 0;
        if (serve_.capacity() > 64) serve_.shrink_to_fit();
        return;
    }
    if (serve_head_ < 64 && serve_head_ * 2 < serve_.size()) return;  // amortised
    serve_.erase(serve_.begin(), serve_.begin() + static_cast<std::ptrdiff_t>(serve_head_));
    committed_end_ -= std::min(committed_end_, serve_head_);
    serve_head_ = 0;
}

void peer_session::set_choked(bool choked) {
    if (state_ != state_t::active || choked == am_choking_) return;
    am_choking_ = choked;
    if (choked) {
        --peer_.unchoked_;
        push({msg_id::choke});
        drop_serving(true);  // BEP 6 rejects each; BEP 3 forgets them
    } else {
        ++peer_.unchoked_;
        push({msg_id::unchoke});
    }
}

// ---------------------------------------------------------------------------
// [SECTION] timers and closing
// ---------------------------------------------------------------------------

void peer_session::tick(std::int64_t now) {
    if (state_ == state_t::closed) return;
    peer_.now_ = std::max(peer_.now_, now);
    const local_peer_options& o = peer_.options();
    if (state_ == state_t::handshaking) {
        if (now - stats_.created_ns > o.handshake_timeout_ns)
            close(fmt::format("dropped: no handshake within {} s", o.handshake_timeout_ns / 1'000'000'000));
        return;
    }
    if (!requests_.empty() && now - std::max(last_block_in_ns_, peer_.excused_until_) > o.stall_timeout_ns) {
        close(fmt::format("dropped: stalled (no block for {} s with requests outstanding)",
                          o.stall_timeout_ns / 1'000'000'000));
        return;
    }
    if (has_output()) want_send();  // lazy HAVEs
    // Clients drop a peer silent for 2 minutes (libtorrent, transmission).
    if (!has_output() && !unsent_ && now - last_output_ns_ >= o.keep_alive_ns) {
        push(special(sp_keep_alive));
        last_output_ns_ = now;
    }
    if (rate_ != 0) {
        // Token bucket: at most one block message or 100 ms of rate.
        const double cap = std::max<double>(piece_message(default_block_size), static_cast<double>(rate_) * 0.1);
        tokens_ = std::min(cap, tokens_ + static_cast<double>(rate_) * static_cast<double>(now - last_refill_ns_) / 1e9);
    }
    last_refill_ns_ = now;
    if (requests_queued() > 0) pump(now);
}

void peer_session::close_when_sent(std::string reason) {
    if (state_ == state_t::closed) return;
    if (!has_output() && !unsent_) {
        close(std::move(reason));
        return;
    }
    close_when_sent_ = std::move(reason);
    want_send();
}

void peer_session::teardown() {
    if (in_block_ && block_spilled_) peer_.release_spill(block_dest_);
    else if (in_block_ && block_claimed_) peer_.release_claim(handle_, block_);
    in_block_ = block_claimed_ = block_spilled_ = false;
    peer_.picker().abort_peer(handle_);
    stats_.rejects += requests_.size();
    requests_.clear();
    requests_unsent_ = 0;
    unregister_remote();
    if (!am_choking_) {
        am_choking_ = true;
        --peer_.unchoked_;
    }
    drop_serving(false);
    out_.clear();
    out_head_ = 0;
}

void peer_session::close(std::string reason, bool protocol_error) {
    if (state_ == state_t::closed) return;
    const bool had_requests = !requests_.empty();
    teardown();
    state_ = state_t::closed;
    close_reason_ = std::move(reason);
    protocol_error_ = protocol_error;
    stats_.closed_ns = std::max(peer_.now_, stats_.created_ns);
    io_.closed(*this);
    // Its blocks went back to the pool: others may take them now.
    if (had_requests) peer_.request_on_all();
}

}  // namespace swarmbench::bt
