// leecher: downloads the torrent over its connections (or, in disk-only
// mode, generates the same blocks locally), writes every block at its file
// offset, hashes every completed piece and announces it.
//
// [SECTION] connections: opening, reconnecting, steering
// [SECTION] messages from a seeder
// [SECTION] blocks: piece buffers, writes, hashes
// [SECTION] disk-only driver
// [SECTION] tick, start, stop
//
// A piece is assembled in a 4 KiB-aligned buffer of piece_length bytes; each
// block is written from there as it arrives (so the write pattern is the
// network's arrival order, as in a real client), and the piece is hashed
// from memory once its last block is in. The buffer is recycled when the
// piece has been hashed and its writes are done. A piece that fails its hash
// gives its buffer up (writes may still read it) and is downloaded again.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <optional>

#include <fmt/format.h>

#include "swarm_types.hpp"
#include "swarmbench/bt/synthetic.hpp"
#include "swarmbench/log.hpp"

namespace swarmbench::detail {

namespace {

constexpr std::int64_t reconnect_delay_ns = 200'000'000;     // after a lost connection
constexpr std::int64_t failed_connect_delay_ns = 1'000'000'000;  // after a failed connect
constexpr std::int64_t handshake_timeout_ns = 10'000'000'000;
constexpr std::int64_t stall_timeout_ns = 30'000'000'000;

const swarm_scenario& scenario_of(const leecher& l) { return l.owner->run->scenario; }
const bt::torrent& torrent_of(const leecher& l) { return *l.owner->run->torrent; }

void request_more(connection& c);
void ban_senders_of_bad_blocks(leecher& l, const piece_buffer& b);
void disk_only_pump(leecher& l);
void check_complete(leecher& l);

// ---------------------------------------------------------------------------
// [SECTION] connections
// ---------------------------------------------------------------------------

/// Number of connection targets: seeders, then connect_to entries.
std::size_t seeder_targets(const leecher& l) { return l.owner->run->seeders.size(); }

void open_connection(leecher& l, int target, bool retry = false, std::uint32_t failures = 0) {
    shard& s = *l.owner;
    const swarm_run& run = *s.run;
    auto owned = make_connection(s, true);
    connection& c = *owned;
    c.as_leecher = &l;
    c.id = l.next_conn_id++;
    c.target = target;
    c.retry = retry;
    endpoint to;
    if (target >= 0) {
        const seeder_address& a = run.seeders[static_cast<std::size_t>(target)];
        to = a.where;
        c.remote = a.name + " " + a.where.to_string();
    } else {
        to = run.scenario.connect_to[static_cast<std::size_t>(-1 - target)];
        c.remote = to.to_string();
        c.named_client = connect_client(run, static_cast<std::size_t>(-1 - target));
        c.dial_failures = failures;
    }
    const double draw = static_cast<double>(next_random(s) >> 11) * 0x1.0p-53;
    c.slow = draw < run.scenario.slow_fraction;
    l.conns.push_back(std::move(owned));
    conn_connect(c, to);
}

/// Opens one more connection to the next seeder in turn.
void open_seeder_connection(leecher& l) {
    const std::size_t n = seeder_targets(l);
    if (n == 0) return;
    const auto target = static_cast<int>((l.index + l.next_target++) % n);
    open_connection(l, target);
}

std::size_t seeder_connection_count(const leecher& l) {
    std::size_t n = 0;
    for (const auto& c : l.conns)
        if (c->target >= 0 && c->state != conn_state::closing) ++n;
    return n;
}

void broadcast_have(leecher& l, std::uint32_t piece) {
    for (auto& c : l.conns) {
        if (c->state != conn_state::active) continue;
        bt::encode_have(conn_append(*c, 9), piece);
    }
}

void send_simple(connection& c, bt::msg_id id) {
    bt::encode_simple(conn_append(c, 5), id);
}

void update_interest(connection& c) {
    leecher& l = *c.as_leecher;
    const bool want = !l.picker->complete() &&
                      (c.remote_seed || (c.remote_registered && l.picker->is_interesting(c.remote_has)));
    if (want == c.am_interested) return;
    c.am_interested = want;
    send_simple(c, want ? bt::msg_id::interested : bt::msg_id::not_interested);
}

/// Counts the remote's pieces in the picker once (bitfield, have all/none, or a first have).
void register_remote(connection& c, bool seed) {
    leecher& l = *c.as_leecher;
    if (c.remote_registered) return;
    c.remote_registered = true;
    c.remote_seed = seed || c.remote_has.all();
    if (c.remote_seed)
        l.picker->add_seed();
    else
        l.picker->add_peer_bitfield(c.remote_has);
}

void unregister_remote(connection& c) {
    leecher& l = *c.as_leecher;
    if (!c.remote_registered) return;
    c.remote_registered = false;
    if (c.remote_seed)
        l.picker->remove_seed();
    else
        l.picker->remove_peer_bitfield(c.remote_has);
}

// ---------------------------------------------------------------------------
// [SECTION] blocks
// ---------------------------------------------------------------------------

piece_buffer* buffer_for(leecher& l, std::uint32_t piece) {
    if (l.buffer_of[piece] >= 0) return l.buffers[static_cast<std::size_t>(l.buffer_of[piece])].get();
    piece_buffer* b = nullptr;
    if (!l.free_buffers.empty()) {
        b = l.free_buffers.back();
        l.free_buffers.pop_back();
    } else {
        const std::size_t bytes = (std::size_t{torrent_of(l).piece_length()} + 4095) & ~std::size_t{4095};
        l.memory.push_back(allocate_aligned(bytes, 4096));
        std::byte* mem = l.memory.back().get();
        auto owned = std::make_unique<piece_buffer>();
        owned->owner = &l;
        owned->data = mem;
        owned->slot = static_cast<std::uint32_t>(l.buffers.size());
        b = owned.get();
        l.buffers.push_back(std::move(owned));
    }
    b->piece = piece;
    b->writes_pending = 0;
    b->complete = false;
    b->detached = false;
    l.buffer_of[piece] = static_cast<std::int32_t>(b->slot);
    return b;
}

void release_buffer(leecher& l, piece_buffer* b) {
    if (!b->detached) l.buffer_of[b->piece] = -1;
    l.free_buffers.push_back(b);
}

void on_write_done(void* user, const storage_result& r) {
    block_write* w = static_cast<block_write*>(user);
    piece_buffer* b = w->buffer;
    leecher& l = *b->owner;
    shard& s = *l.owner;
    l.free_writes.push_back(w);
    --b->writes_pending;
    if (l.in_flight) --l.in_flight;
    if (r.error) {
        if (!l.failed) {
            l.failed = true;
            record_error(s, "disk: " + l.name + ": writing " + r.where + ": " + r.error.message() +
                                (r.error == std::errc::no_space_on_device || r.error == std::errc::file_too_large
                                     ? " (free space there, or choose another data directory)"
                                     : ""));
            s.run->fatal.store(true, std::memory_order_release);
            s.run->bell.ring();
        }
    } else {
        s.counters.disk_written.add(r.bytes);
        record_latency(s, &interval_histograms::disk_write, &shard::run_disk_write, r.latency.count());
        if (s.run->snapshots) record_write(s, l, b->piece, w->begin, w->length);
    }
    if (b->writes_pending == 0 && (b->complete || b->detached)) release_buffer(l, b);
    if (!s.stopping && !l.failed) {
        if (scenario_of(l).storage == storage_mode::disk_only) disk_only_pump(l);
        check_complete(l);
    }
    shard_op_done(s);
}

void write_block(leecher& l, piece_buffer* b, std::uint32_t begin, std::uint32_t length) {
    block_write* w = nullptr;
    if (!l.free_writes.empty()) {
        w = l.free_writes.back();
        l.free_writes.pop_back();
    } else {
        l.writes.push_back(std::make_unique<block_write>());
        w = l.writes.back().get();
    }
    w->buffer = b;
    w->begin = begin;
    w->length = length;
    ++b->writes_pending;
    ++l.owner->live;
    l.storage->async_write(b->piece, begin, std::span<const std::byte>(b->data + begin, length), on_write_done, w);
}

/// Every block of `piece` is in: hash it (files, disk-only) or take it (discard).
void piece_complete(leecher& l, std::uint32_t piece) {
    shard& s = *l.owner;
    const bt::torrent& t = torrent_of(l);
    bool passed = true;
    piece_buffer* b = nullptr;
    if (l.storage) {
        b = l.buffers[static_cast<std::size_t>(l.buffer_of[piece])].get();
        b->complete = true;
    }
    // Disk-only generates its blocks itself, so there is nothing to verify
    // (and hashing would blur the disk figure); real downloads are hashed.
    if (b && (scenario_of(l).storage == storage_mode::files || s.run->verify_discard)) {
        l.hasher.update(std::span<const std::byte>(b->data, t.piece_size(piece)));
        passed = l.hasher.finish() == t.piece_hash(piece);
    }
    if (passed) {
        l.picker->piece_passed(piece);
        s.counters.pieces_verified.add(1);
        if (scenario_of(l).storage != storage_mode::disk_only) broadcast_have(l, piece);
        if (b && b->writes_pending == 0) release_buffer(l, b);
    } else {
        s.counters.hash_failures.add(1);
        log().warn("{}: piece {} failed its hash check; downloading it again", l.name, piece);
        if (b) ban_senders_of_bad_blocks(l, *b);
        l.picker->piece_failed(piece);
        if (b) {
            b->detached = true;
            l.buffer_of[piece] = -1;
            if (b->writes_pending == 0) l.free_buffers.push_back(b);
        }
    }
}

/// A piece failed its hash: find which blocks were wrong and drop (and never
/// dial again) the peers that sent them. Synthetic content can be checked
/// block by block, which attributes the fault exactly where a client without
/// that knowledge would need libtorrent's "smart ban". For other content only
/// a piece that came from one peer alone convicts it; otherwise the piece is
/// downloaded again and a repeat offender is caught when it sends one alone.
void ban_senders_of_bad_blocks(leecher& l, const piece_buffer& b) {
    const bt::torrent& t = torrent_of(l);
    const std::uint32_t bs = l.picker->block_size();
    const std::uint64_t base = t.geometry().piece_offset(b.piece);
    const std::optional<std::uint64_t> seed = l.owner->run->content_seed;
    const bool one_sender = !b.senders.empty() && std::all_of(b.senders.begin(), b.senders.end(),
                                                              [&](bt::peer_handle h) { return h == b.senders[0]; });
    for (std::uint32_t k = 0; k < b.senders.size(); ++k) {
        const std::uint32_t length = std::min(bs, t.piece_size(b.piece) - k * bs);
        if (seed ? bt::synthetic_matches(*seed, base + std::uint64_t{k} * bs,
                                         std::span<const std::byte>(b.data + std::size_t{k} * bs, length))
                 : !one_sender)
            continue;
        for (auto& c : l.conns)
            if (c->id == b.senders[k] && c->state != conn_state::closing)
                conn_close(*c, fmt::format("dropped: sent wrong data (block {} of piece {} failed the hash check)", k, b.piece),
                           true);
    }
}

/// A block arrived (from a connection or the disk-only generator).
/// `data` is null when the block was generated straight into its buffer.
void accept_block(leecher& l, bt::peer_handle from, bt::block_ref block, std::span<const std::byte> data) {
    shard& s = *l.owner;
    const std::uint32_t begin = l.picker->block_offset(block);
    const std::uint32_t length = l.picker->block_length(block);
    const bt::block_result r = l.picker->mark_received(from, block, l.cancel_scratch);
    if (r == bt::block_result::duplicate || r == bt::block_result::unexpected) return;
    s.counters.payload.add(length);
    std::int64_t expected = 0;
    s.run->first_byte_ns.compare_exchange_strong(expected, steady_ns(), std::memory_order_relaxed);
    // End-game: tell the others that were asked for this block.
    for (bt::peer_handle other : l.cancel_scratch) {
        for (auto& c : l.conns) {
            if (c->id != other || c->state != conn_state::active) continue;
            bt::encode_cancel(conn_append(*c, 17), block.piece, begin, length);
            auto& reqs = c->requests;
            reqs.erase(std::remove_if(reqs.begin(), reqs.end(), [&](const auto& q) { return q.block == block; }),
                       reqs.end());
            conn_flush(*c);
        }
    }
    if (l.storage) {
        piece_buffer* b = buffer_for(l, block.piece);
        if (!data.empty()) std::memcpy(b->data + begin, data.data(), length);
        if (b->senders.size() <= block.block) b->senders.resize(block.block + 1);
        b->senders[block.block] = from;
        write_block(l, b, begin, length);
    }
    if (r == bt::block_result::piece_complete) {
        piece_complete(l, block.piece);
        check_complete(l);  // discard mode has no write completion to do it
    }
}

void on_piece(connection& c, const bt::message& m) {
    leecher& l = *c.as_leecher;
    const std::uint32_t bs = l.picker->block_size();
    const bt::block_ref block{m.index, m.begin / bs};
    auto it = std::find_if(c.requests.begin(), c.requests.end(), [&](const auto& q) { return q.block == block; });
    if (it == c.requests.end() || m.begin % bs != 0 || m.length != l.picker->block_length(block)) return;  // not asked for: drop
    const std::int64_t now = steady_ns();
    const std::int64_t latency = now - it->sent_ns;
    c.requests.erase(it);
    c.request_latency.record(latency);
    record_latency(*l.owner, &interval_histograms::request, &shard::run_request, latency);
    c.last_piece_ns = now;
    ++c.blocks;
    accept_block(l, c.id, block, m.data);
}

void request_more(connection& c) {
    leecher& l = *c.as_leecher;
    shard& s = *l.owner;
    if (c.state != conn_state::active || l.done || l.failed || s.stopping) return;
    if (!c.remote_registered) return;
    // Never more in flight than the remote said it accepts (BEP 10 reqq):
    // libtorrent drops a peer that overruns it. An outside client that does
    // not say gets 250, what libtorrent assumes of such peers.
    std::size_t pipeline = s.pipeline;
    if (c.remote_reqq != 0) pipeline = std::min<std::size_t>(pipeline, c.remote_reqq);
    else if (c.external) pipeline = std::min<std::size_t>(pipeline, 250);
    if (c.requests.size() >= pipeline) return;
    l.pick_scratch.clear();
    const bt::bitfield* has = c.remote_seed ? &l.all_pieces : &c.remote_has;
    bt::bitfield allowed;
    if (c.peer_choking) {
        // Choked: only the pieces the remote declared allowed-fast (BEP 6).
        if (c.allowed_fast.none()) return;
        allowed = c.allowed_fast;
        for (std::uint32_t i = 0; i < allowed.size(); ++i)
            if (allowed.get(i) && !has->get(i)) allowed.reset(i);
        has = &allowed;
    }
    l.picker->pick(c.id, *has, pipeline - c.requests.size(), l.pick_scratch);
    if (l.pick_scratch.empty()) return;
    const std::int64_t now = steady_ns();
    for (const bt::block_ref& b : l.pick_scratch) {
        bt::encode_request(conn_append(c, 17), b.piece, l.picker->block_offset(b), l.picker->block_length(b));
        c.requests.push_back({b, now});
        ++c.requests_sent;
    }
    conn_flush(c);
}

void request_on_all(leecher& l) {
    for (auto& c : l.conns) request_more(*c);
}

/// Forgets every outstanding request of `c` (choke without fast, close).
void abort_requests(connection& c) {
    leecher& l = *c.as_leecher;
    for (const auto& q : c.requests) l.picker->abort_request(c.id, q.block);
    c.rejects += c.requests.size();
    c.requests.clear();
}

void leecher_complete(leecher& l) {
    shard& s = *l.owner;
    const swarm_scenario& sc = scenario_of(l);
    ++l.rounds_done;
    if (sc.duration_s > 0) {
        // Timed run: download again, with a fresh picker, over the same connections.
        l.picker = make_picker(l);
        for (auto& c : l.conns) {
            c->remote_registered = false;
            if (c->state == conn_state::active && (c->remote_seed || c->remote_has.size())) register_remote(*c, c->remote_seed);
        }
        if (sc.storage == storage_mode::disk_only) l.picker->add_seed();
        for (auto& c : l.conns) {
            if (c->state != conn_state::active) continue;
            update_interest(*c);
            request_more(*c);
        }
        return;
    }
    l.done = true;
    l.done_ns = steady_ns();
    const std::uint32_t done = l.owner->run->leechers_done.fetch_add(1, std::memory_order_acq_rel) + 1;
    log().debug("{}: complete ({} of {} leechers)", l.name, done, sc.leechers);
    if (done == sc.leechers) s.run->all_done_ns.store(l.done_ns, std::memory_order_release);
    // Its last HAVEs go out first: an outside client counts our pieces.
    for (auto& c : l.conns) conn_close_when_sent(*c, "done");
    s.run->bell.ring();
}

void check_complete(leecher& l) {
    if (l.done || l.failed || !l.picker->complete()) return;
    for (const auto& b : l.buffers)
        if (b->writes_pending) return;
    leecher_complete(l);
}

// ---------------------------------------------------------------------------
// [SECTION] disk-only driver
// ---------------------------------------------------------------------------

/// Keeps connections x pipeline generated blocks in flight to the storage.
void disk_only_pump(leecher& l) {
    shard& s = *l.owner;
    if (s.stopping || l.done || l.failed) return;
    const swarm_scenario& sc = scenario_of(l);
    const std::uint32_t budget = std::max<std::uint32_t>(1, s.conns_per_leecher * s.pipeline);
    const bt::torrent& t = torrent_of(l);
    std::uint32_t idle_rounds = 0;
    while (l.in_flight < budget && idle_rounds < s.conns_per_leecher) {
        // Virtual peers take turns, as connections would.
        const bt::peer_handle peer = 1 + (l.next_target++ % std::max<std::uint32_t>(1, s.conns_per_leecher));
        l.pick_scratch.clear();
        l.picker->pick(peer, l.all_pieces, std::min<std::uint32_t>(s.pipeline, budget - l.in_flight), l.pick_scratch);
        if (l.pick_scratch.empty()) {
            ++idle_rounds;
            continue;
        }
        idle_rounds = 0;
        for (const bt::block_ref& b : l.pick_scratch) {
            if (l.picker->have(b.piece)) continue;
            piece_buffer* buf = buffer_for(l, b.piece);
            const std::uint32_t begin = l.picker->block_offset(b);
            const std::uint32_t length = l.picker->block_length(b);
            bt::synthetic_fill(sc.content_seed, t.geometry().piece_offset(b.piece) + begin,
                               std::span<std::byte>(buf->data + begin, length));
            ++l.in_flight;  // end-game is off here, so every pick becomes one write
            accept_block(l, peer, b, {});
        }
    }
    check_complete(l);
}

}  // namespace

// ---------------------------------------------------------------------------
// [SECTION] messages from a seeder
// ---------------------------------------------------------------------------

void leecher_on_established(connection& c) {
    leecher& l = *c.as_leecher;
    if (l.picker->have_count() > 0) {
        const bt::bitfield& have = l.picker->have_bitfield();
        bt::encode_bitfield(conn_append(c, 5 + have.bytes().size()), have);
    } else if (c.fast) {
        send_simple(c, bt::msg_id::have_none);
    }
}

void leecher_on_message(connection& c, const bt::message& m) {
    using k = bt::message_kind;
    leecher& l = *c.as_leecher;
    const std::uint32_t pieces = torrent_of(l).piece_count();
    switch (m.kind) {
        case k::bitfield:
            if (c.remote_registered) unregister_remote(c);
            c.remote_has.assign(m.data, pieces);
            register_remote(c, false);
            update_interest(c);
            request_more(c);
            break;
        case k::have_all:
            if (c.remote_registered) unregister_remote(c);
            c.remote_has = l.all_pieces;
            register_remote(c, true);
            update_interest(c);
            request_more(c);
            break;
        case k::have_none:
            if (c.remote_registered) unregister_remote(c);
            c.remote_has = bt::bitfield(pieces);
            register_remote(c, false);
            break;
        case k::have:
            if (c.remote_has.size() != pieces) c.remote_has = bt::bitfield(pieces);
            if (!c.remote_registered) register_remote(c, false);
            if (!c.remote_seed && !c.remote_has.get(m.index)) {
                c.remote_has.set(m.index);
                l.picker->add_have(m.index);
            }
            update_interest(c);
            request_more(c);
            break;
        case k::unchoke:
            c.peer_choking = false;
            request_more(c);
            break;
        case k::choke:
            c.peer_choking = true;
            // BEP 6: with fast, rejects say what was dropped (the stall
            // timeout catches a remote that never sends them).
            if (!c.fast) abort_requests(c);
            break;
        case k::piece:
            on_piece(c, m);
            request_more(c);
            break;
        case k::reject: {
            const bt::block_ref block{m.index, m.begin / l.picker->block_size()};
            auto it = std::find_if(c.requests.begin(), c.requests.end(), [&](const auto& q) { return q.block == block; });
            if (it != c.requests.end()) {
                c.requests.erase(it);
                l.picker->abort_request(c.id, block);
                ++c.rejects;
            }
            request_more(c);
            break;
        }
        case k::allowed_fast:
            if (c.allowed_fast.size() != pieces) c.allowed_fast = bt::bitfield(pieces);
            c.allowed_fast.set(m.index);
            request_more(c);
            break;
        case k::request:
            // Leechers here only download; say so where the protocol lets us.
            if (c.fast) {
                bt::encode_reject(conn_append(c, 17), m.index, m.begin, m.length);
            }
            break;
        default:
            break;  // keep-alive, interest, cancel, suggest, allowed fast, port, extended
    }
}

void leecher_on_closed(connection& c) {
    leecher& l = *c.as_leecher;
    shard& s = *l.owner;
    l.picker->abort_peer(c.id);
    c.rejects += c.requests.size();
    c.requests.clear();
    unregister_remote(c);
    if (s.stopping || l.done || l.failed || c.end_reason == "steered down") return;
    if (c.protocol_error) {
        if (c.target < 0) l.banned_connect_to.push_back(static_cast<std::uint32_t>(-1 - c.target));
        return;  // never reconnect to a peer that broke the protocol
    }
    const bool never_connected = c.established_ns == 0;
    const bool at_once = c.end_reason == "churn" || c.end_reason == drop_fault_reason;
    // A connect_to peer (a named client) is dialled with backoff: 0.2 s after
    // a connection that worked, doubling to 5 s while dials fail.
    const std::uint32_t failures = never_connected ? c.dial_failures + 1 : 0;
    const std::int64_t delay = at_once          ? 0
                               : c.target < 0   ? redial_backoff_ns(failures)
                               : never_connected ? failed_connect_delay_ns
                                                 : reconnect_delay_ns;
    l.reconnect_at.push_back(steady_ns() + delay);
    l.reconnect_target.push_back(c.target);
    l.reconnect_retry.push_back(never_connected);
    l.reconnect_failures.push_back(failures);
    // Its blocks went back to the pool: others may take them now.
    for (auto& other : l.conns)
        if (other.get() != &c) request_more(*other);
}

// ---------------------------------------------------------------------------
// [SECTION] tick, start, stop
// ---------------------------------------------------------------------------

void leecher_start(leecher& l) {
    shard& s = *l.owner;
    const swarm_scenario& sc = scenario_of(l);
    if (sc.storage == storage_mode::disk_only) {
        l.picker->add_seed();
        disk_only_pump(l);
        return;
    }
    for (std::uint32_t k = 0; k < s.conns_per_leecher && seeder_targets(l) > 0; ++k) open_seeder_connection(l);
    for (std::size_t i = 0; i < sc.connect_to.size(); ++i) open_connection(l, -1 - static_cast<int>(i));
}

void leecher_tick(leecher& l, std::int64_t now) {
    shard& s = *l.owner;
    // Connections that ended and have nothing pending: keep their summary, free them.
    auto& conns = l.conns;
    for (std::size_t i = 0; i < conns.size();) {
        if (conn_finished(*conns[i])) {
            s.peers.push_back(summarize(*conns[i], l.name));
            conns[i] = std::move(conns.back());
            conns.pop_back();
        } else {
            ++i;
        }
    }
    if (s.stopping || l.done || l.failed || scenario_of(l).storage == storage_mode::disk_only) return;
    // A stall fault silences connections on purpose: silence counts from its end.
    const std::int64_t stall_end = s.run->stall_until_ns.load(std::memory_order_relaxed);
    for (auto& c : conns) {
        conn_keep_alive(*c, now);
        if (c->state == conn_state::handshaking && now - c->connect_start_ns > handshake_timeout_ns)
            conn_close(*c, "dropped: no handshake within 10 s");
        else if (c->state == conn_state::active && !c->requests.empty() &&
                 now - std::max(c->last_piece_ns, stall_end) > stall_timeout_ns)
            conn_close(*c, "dropped: stalled (no block for 30 s with requests outstanding)");
    }
    // Reconnect what was lost, when due.
    for (std::size_t i = 0; i < l.reconnect_at.size();) {
        if (l.reconnect_at[i] > now) {
            ++i;
            continue;
        }
        const int target = l.reconnect_target[i];
        const bool retry = l.reconnect_retry[i];
        const std::uint32_t failures = l.reconnect_failures[i];
        l.reconnect_at[i] = l.reconnect_at.back();
        l.reconnect_at.pop_back();
        l.reconnect_target[i] = l.reconnect_target.back();
        l.reconnect_target.pop_back();
        l.reconnect_retry[i] = l.reconnect_retry.back();
        l.reconnect_retry.pop_back();
        l.reconnect_failures[i] = l.reconnect_failures.back();
        l.reconnect_failures.pop_back();
        if (target >= 0) {
            open_seeder_connection(l);
        } else if (std::find(l.banned_connect_to.begin(), l.banned_connect_to.end(),
                             static_cast<std::uint32_t>(-1 - target)) == l.banned_connect_to.end()) {
            const auto index = static_cast<std::size_t>(-1 - target);
            s.run->clients[static_cast<std::size_t>(connect_client(*s.run, index))]->redials.fetch_add(
                1, std::memory_order_relaxed);
            open_connection(l, target, retry, failures);
        }
    }
    // Steering: grow or shrink to the target count of seeder connections.
    std::size_t have = seeder_connection_count(l);
    for (int t : l.reconnect_target) have += t >= 0 ? 1 : 0;
    while (have < s.conns_per_leecher && seeder_targets(l) > 0) {
        open_seeder_connection(l);
        ++have;
    }
    for (auto& c : conns) {
        if (have <= s.conns_per_leecher) break;
        if (c->target >= 0 && c->state != conn_state::closing) {
            conn_close(*c, "steered down");
            --have;
        }
    }
    request_on_all(l);  // picks up pipeline changes and blocks freed elsewhere
}

void leecher_stop(leecher& l) {
    for (auto& c : l.conns) conn_close(*c, l.done ? "done" : "run ended");
}

/// Churn: drops a random active connection of `l` (it reconnects at once).
bool leecher_churn_one(leecher& l) {
    std::vector<connection*> active;
    for (auto& c : l.conns)
        if (c->state == conn_state::active && c->target >= 0) active.push_back(c.get());
    if (active.empty()) return false;
    connection& c = *active[next_random(*l.owner) % active.size()];
    conn_close(c, "churn");
    return true;
}

}  // namespace swarmbench::detail
