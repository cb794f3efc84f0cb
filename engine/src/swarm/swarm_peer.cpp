// swarm_peer: one of this run's peers, a bt::local_peer driven through the
// engine. A seeder and a leecher are two configurations of the same peer
// (peer_setup): a seeder starts with every piece and uploads, listening and
// dialling upload_to clients; a leecher starts empty, dials the run's seeders
// and connect_to clients and keeps what it downloads in its storage.
//
// [SECTION] configuration and set-up
// [SECTION] peer_io: the sessions' and the local peer's effects
// [SECTION] accepting and dialling
// [SECTION] tick, churn, stop, completion
// [SECTION] disk-only: blocks generated without connections
//
// Outside clients (upload_to peers, clients that connect in, connect_to
// clients): every request is queued, never dropped (a silent drop stalls
// some clients for minutes); the HAVEs a client sends our seeders go to the
// run's remote_registry, and once it has announced every piece the
// connection closes ("done") and is not dialled again. A named client lost
// or unreachable is dialled again with backoff (0.2 s doubling to 5 s).
//
// Faults: a stalled session serves no block until its stall ends; while the
// shard owes corrupt blocks, the next blocks its seeders serve carry one
// flipped byte each; a dropped connection reconnects at once.
#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "swarm_types.hpp"
#include "swarmbench/bt/synthetic.hpp"
#include "swarmbench/error.hpp"
#include "swarmbench/log.hpp"

namespace swarmbench::detail {

namespace {

constexpr std::int64_t reconnect_delay_ns = 200'000'000;         // a leecher's lost connection
constexpr std::int64_t failed_connect_delay_ns = 1'000'000'000;  // a leecher's failed connect to a seeder
constexpr std::int64_t dial_back_delay_ns = 1'000'000'000;       // a client that connected in left
constexpr std::uint32_t dial_wave = 4;                           // seeders that first dial a client at once
constexpr std::int64_t dial_wave_gap_ns = 20'000'000;            // between waves (one tick)
// Connects in flight per shard; the rest wait in their peer's dials for the
// next tick (256 a tick is 12,800 a second). Thousands of SYNs at once
// overflow the listeners' SYN queues (tcp_max_syn_backlog, 2048 on Linux by
// default), and each SYN dropped costs its connection a 1 s retransmit.
constexpr std::uint32_t max_dials_in_flight = 256;

shard& shard_of(const swarm_peer& p) { return *p.owner; }
const swarm_scenario& scenario_of(const swarm_peer& p) { return p.owner->run->scenario; }
connection& conn_of(const bt::peer_session& s) { return *static_cast<connection*>(s.user); }

void defer(shard& s, deferred_action a) { s.deferred.push_back(a); }

block_io& new_block_io(shard& s) {
    if (s.free_block_ios.empty()) {
        s.block_ios.push_back(std::make_unique<block_io>());
        return *s.block_ios.back();
    }
    block_io* b = s.free_block_ios.back();
    s.free_block_ios.pop_back();
    *b = block_io{};
    return *b;
}

}  // namespace

// ---------------------------------------------------------------------------
// [SECTION] configuration and set-up
// ---------------------------------------------------------------------------

std::unique_ptr<swarm_peer> make_swarm_peer(shard& s, peer_role role, std::uint32_t index) {
    auto p = std::make_unique<swarm_peer>();
    p->owner = &s;
    p->role = role;
    p->index = index;
    p->name = fmt::format("{}-{:02}", role == peer_role::seeder ? "seeder" : "leecher", index + 1);
    link_setup_peer(*p);
    return p;
}

bt::picker_options picker_options_of(const swarm_peer& p) {
    const swarm_scenario& sc = scenario_of(p);
    bt::picker_options o;
    o.order = sc.pick;
    o.priority = sc.piece_order;
    o.seed = sc.seed * 1000003 + p.index * 7919 + p.rounds_done;
    // Generated blocks never race, so disk-only has no end-game.
    o.end_game = sc.end_game && sc.storage != storage_mode::disk_only;
    return o;
}

std::string peer_setup(swarm_peer& p, io_context& ctx) {
    shard& s = shard_of(p);
    const swarm_run& run = *s.run;
    const swarm_scenario& sc = run.scenario;
    bt::local_peer_options o;
    o.client_name = std::string("swarmbench ") + version();
    o.advertised_reqq = advertised_reqq;
    o.max_queued_requests = 16 * advertised_reqq;
    o.pipeline = s.steer.pipeline;
    if (p.role == peer_role::seeder) {
        o.seed = true;
        o.upload = true;
        o.serve_reads = !run.content_seed;  // a torrent_file is served from content_dir
        o.listen_port = p.where.port;
        o.choking = sc.choking;
        o.choke.slots = sc.unchoke_slots;
        o.choke.rechoke_interval_ns = static_cast<std::int64_t>(sc.rechoke_interval_s * 1e9);
        o.choke.optimistic_interval_ns = static_cast<std::int64_t>(sc.optimistic_interval_s * 1e9);
        o.choke.seed = sc.seed * 31 + p.index;
    } else {
        // Leechers here only download (star): they never unchoke anyone.
        o.upload = false;
        o.picker = picker_options_of(p);
        if (sc.storage == storage_mode::discard) {
            // A torrent_file is verified even when discarded: the blocks are
            // assembled and hashed, and the writes go nowhere.
            if (run.verify_discard) p.storage = make_discard_storage(ctx);
        } else {
            file_storage_options fo;
            fo.preallocate = sc.preallocate;
            fo.direct = sc.direct;
            auto st = open_file_storage(ctx, *run.torrent, run.data_dir / p.name, fo);
            if (!st) return p.name + ": " + st.error();
            p.storage = std::move(st.value());
        }
        o.keep_blocks = p.storage != nullptr;
        // Disk-only generates its blocks itself, so there is nothing to verify
        // (and hashing would blur the disk figure); real downloads are hashed.
        o.verify = sc.storage == storage_mode::files || run.verify_discard;
    }
    p.bt = std::make_unique<bt::local_peer>(*run.torrent, p, std::move(o));
    return {};
}

// ---------------------------------------------------------------------------
// [SECTION] peer_io
// ---------------------------------------------------------------------------

void swarm_peer::want_send(bt::peer_session& s) {
    auto* c = static_cast<connection*>(s.user);
    if (c == nullptr || c->flush_queued) return;  // (null: the session is being made; conn_open flushes)
    c->flush_queued = true;
    owner->flushes.push_back(c);
}

void swarm_peer::closed(bt::peer_session& s) {
    connection& c = conn_of(s);
    if (s.protocol_error() && s.close_reason().rfind("dropped: protocol error", 0) == 0) {
        owner->counters.protocol_errors.add(1);
        log().warn("{} <- {}: {}", name, c.remote, s.close_reason());
    }
    conn_close(c, s.close_reason(), s.protocol_error());
}

void swarm_peer::fill_block(bt::peer_session& s, const bt::block_request& r, std::span<std::byte> out) {
    shard& sh = *owner;
    bt::synthetic_fill(*sh.run->content_seed, sh.run->torrent->geometry().piece_offset(r.piece) + r.begin, out);
    if (sh.corrupt_blocks > 0 && !out.empty()) {
        // A corrupt fault: one flipped byte, as a bad disk or NIC would leave.
        --sh.corrupt_blocks;
        out[out.size() / 2] ^= std::byte{0xff};
        log().debug("{}: sending block at {} of piece {} to {} corrupted (fault)", name, r.begin, r.piece,
                    conn_of(s).remote);
    }
}

namespace {

void on_block_read(void* user, const storage_result& result) {
    block_io& b = *static_cast<block_io*>(user);
    connection& c = *b.conn;
    shard& s = *b.peer->owner;
    if (result.error) {
        s.free_blocks.push_back(b.data);
        const std::string why = "reading " + result.where + ": " + result.error.message();
        if (!c.session->closed()) record_error(s, b.peer->name + ": " + why);
        c.session->block_read_failed(b.request, why);
    } else {
        c.session->block_read(b.request, b.data);  // lent until release_block
    }
    s.free_block_ios.push_back(&b);
    --c.pending;  // last touch of the connection, as in connection.cpp's callbacks
    shard_op_done(s);
    shard_settle(s);
}

void on_write_done(void* user, const storage_result& r) {
    block_io& b = *static_cast<block_io*>(user);
    swarm_peer& p = *b.peer;
    shard& s = *p.owner;
    const bt::write_ticket t = b.ticket;
    s.free_block_ios.push_back(&b);
    if (r.error) {
        if (!p.failed) {
            p.failed = true;
            record_error(s, "disk: " + p.name + ": writing " + r.where + ": " + r.error.message() +
                                (r.error == std::errc::no_space_on_device || r.error == std::errc::file_too_large
                                     ? " (free space there, or choose another data directory)"
                                     : ""));
            s.run->fatal.store(true, std::memory_order_release);
            s.run->bell.ring();
        }
    } else {
        s.counters.disk_written.add(r.bytes);
        record_latency(s, &interval_histograms::disk_write, &shard::run_disk_write, r.latency.count());
        if (s.run->snapshots) record_write(s, p, t.piece, t.begin, static_cast<std::uint32_t>(r.bytes));
    }
    p.bt->block_written(t, !r.error);
    if (!s.stopping && !p.failed && scenario_of(p).storage == storage_mode::disk_only) disk_only_pump(p);
    shard_op_done(s);
    shard_settle(s);
}

}  // namespace

void swarm_peer::read_block(bt::peer_session& s, const bt::block_request& r) {
    shard& sh = *owner;
    connection& c = conn_of(s);
    block_io& b = new_block_io(sh);
    b.peer = this;
    b.conn = &c;
    b.request = r;
    if (sh.free_blocks.empty()) {
        sh.blocks.push_back(std::unique_ptr<std::byte[]>(new std::byte[bt::default_block_size]));
        sh.free_blocks.push_back(sh.blocks.back().get());
    }
    b.data = sh.free_blocks.back();
    sh.free_blocks.pop_back();
    ++c.pending;
    ++sh.live;
    sh.content->async_read(r.piece, r.begin, std::span<std::byte>(b.data, r.length), on_block_read, &b);
}

void swarm_peer::release_block(const std::byte* data) { owner->free_blocks.push_back(const_cast<std::byte*>(data)); }

void swarm_peer::established(bt::peer_session& s) {
    connection& c = conn_of(s);
    shard& sh = *owner;
    const bt::peer_id& id = s.remote_id();
    c.external = !std::equal(id.begin(), id.begin() + 12, sh.run->id_prefix.begin());
    if (role == peer_role::seeder) {
        c.slow = id[19] == 'S';
        // A connection between two of our own peers is counted once, at the
        // leecher's end; one from outside is counted here.
        c.counted = c.external;
        if (c.external) {
            // Dialled: set by the dial; came in: its IP (the port is ephemeral).
            if (c.target.key.empty()) c.target.key = c.remote.substr(0, c.remote.rfind(':'));
            sh.run->remotes.seen(c.target.key, sh.run->torrent->piece_count());
        }
        s.set_rate(c.slow ? sh.steer.slow_rate : sh.steer.rate_limit);
    } else {
        c.counted = true;
    }
    // A peer of this run that has a piece learns nothing from our HAVE; and
    // its connection is summarized at its end, with its own latencies.
    s.set_redundant_haves(c.external);
    s.set_serve_latency(c.external || role == peer_role::leecher);
    if (c.named_client() >= 0) {
        client_link& link = *sh.run->clients[static_cast<std::size_t>(c.named_client())];
        link.up.fetch_add(1, std::memory_order_acq_rel);
        link.down_since_ns.store(0, std::memory_order_release);
    }
    c.up = true;
    if (c.outgoing) sh.counters.half_open.add(-1);
    (role == peer_role::leecher ? sh.counters.leecher_live : sh.counters.seeder_live).add(1);
    if (c.counted) {
        sh.counters.active.add(1);
        sh.counters.connects.add(1);
    }
}

void swarm_peer::block_received(bt::peer_session&, std::uint32_t length, std::int64_t latency_ns) {
    shard& sh = *owner;
    sh.counters.payload.add(length);
    payload_in += length;
    std::int64_t expected = 0;
    sh.run->first_byte_ns.compare_exchange_strong(expected, steady_ns(), std::memory_order_relaxed);
    record_latency(sh, &interval_histograms::request, &shard::run_request, latency_ns);
}

void swarm_peer::block_sent(bt::peer_session& s, const bt::block_request& r, std::int64_t now) {
    if (!conn_of(s).external) return;
    // Serving an outside client is this run's payload: how fast it takes data.
    shard& sh = *owner;
    sh.counters.payload.add(r.length);
    record_latency(sh, &interval_histograms::request, &shard::run_request, now - r.received_ns);
    std::int64_t expected = 0;
    sh.run->first_byte_ns.compare_exchange_strong(expected, now, std::memory_order_relaxed);
    sh.run->last_served_ns.store(now, std::memory_order_relaxed);
}

void swarm_peer::remote_pieces(bt::peer_session& s, std::optional<std::uint32_t> piece) {
    connection& c = conn_of(s);
    if (role != peer_role::seeder || !c.external) return;
    // An outside client announced pieces: count them once per client, and
    // end the connection when it has them all.
    shard& sh = *owner;
    const std::uint32_t pieces = sh.run->torrent->piece_count();
    const remote_registry::update u =
        piece ? sh.run->remotes.have(c.target.key, *piece) : sh.run->remotes.have_bits(c.target.key, s.remote_pieces());
    sh.counters.pieces_verified.add(u.new_pieces);
    if (u.completed) {
        log().info("{}: {} has every piece ({} of them, each passed its own hash check)", name, c.remote, pieces);
        sh.run->bell.ring();
    }
    if (!c.remote_complete && sh.run->remotes.complete(c.target.key)) {
        c.remote_complete = true;
        defer(sh, {deferred_action::kind_t::close_done, nullptr, 0, false, &c});
    }
}

void swarm_peer::note(bt::peer_session& s, const char* what, bool first) {
    if (first)
        log().info("{} <- {}: accepted a {} (real clients send it; counted in the peer's notes)", name, conn_of(s).remote,
                   what);
}

void swarm_peer::write_block(bt::local_peer&, const bt::write_ticket& t, std::span<const std::byte> data) {
    shard& sh = *owner;
    block_io& b = new_block_io(sh);
    b.peer = this;
    b.ticket = t;
    ++sh.live;
    storage->async_write(t.piece, t.begin, data, on_write_done, &b);
}

void swarm_peer::hash_piece(bt::local_peer&, std::uint32_t piece, std::span<const std::byte> data) {
    shard& sh = *owner;
    sh.hasher.update(data);
    defer(sh, {deferred_action::kind_t::hashed, this, piece, sh.hasher.finish() == sh.run->torrent->piece_hash(piece)});
}

std::optional<bool> swarm_peer::block_matches(bt::local_peer&, std::uint32_t piece, std::uint32_t begin,
                                              std::span<const std::byte> data) {
    // Synthetic content can be checked block by block, which attributes a
    // bad piece exactly where a client without that knowledge would need
    // libtorrent's "smart ban".
    const swarm_run& run = *owner->run;
    if (!run.content_seed) return std::nullopt;
    return bt::synthetic_matches(*run.content_seed, run.torrent->geometry().piece_offset(piece) + begin, data);
}

void swarm_peer::piece_done(bt::local_peer&, std::uint32_t piece, bool passed) {
    shard& sh = *owner;
    if (passed) {
        sh.counters.pieces_verified.add(1);
        return;
    }
    sh.counters.hash_failures.add(1);
    log().warn("{}: piece {} failed its hash check; downloading it again", name, piece);
}

void swarm_peer::completed(bt::local_peer&) { defer(*owner, {deferred_action::kind_t::completed, this}); }

// ---------------------------------------------------------------------------
// [SECTION] accepting and dialling
// ---------------------------------------------------------------------------

namespace {

void arm_accept(swarm_peer& p);

void on_accept(operation& op) {
    swarm_peer& p = *static_cast<swarm_peer*>(op.user);
    shard& s = shard_of(p);
    const bool last = !op.more();
    if (last) p.accept_pending = false;
    if (op.error) {
        if (!(s.stopping && is_cancel(op.error))) {
            record_error(s, describe_error(p.name + ": accept on " + p.where.to_string(), op.error));
            if (last && !s.stopping && !p.retry_pending) {
                // EMFILE and friends: try again shortly rather than spin.
                p.retry_timer.code = op_code::timer;
                p.retry_timer.timeout = std::chrono::milliseconds(100);
                p.retry_timer.user = &p;
                p.retry_timer.on_complete = [](operation& t) {
                    swarm_peer& self = *static_cast<swarm_peer*>(t.user);
                    self.retry_pending = false;
                    if (!self.owner->stopping && !self.accept_pending) arm_accept(self);
                    shard_op_done(*self.owner);
                };
                p.retry_pending = true;
                submit_shard_op(s, p.retry_timer);
            }
        }
    } else if (s.stopping) {
        s.ctx->close_now(op.accepted());
    } else {
        connection& c = add_connection(p);
        c.fd = op.accepted();
        c.remote = op.peer.to_string();
        c.remote_ep = op.peer;
        c.connect_start_ns = steady_ns();
        conn_open(c);
    }
    if (last) {
        if (!s.stopping && !op.error) arm_accept(p);
        if (s.stopping && p.listener != invalid_handle) {
            s.ctx->close_now(p.listener);
            p.listener = invalid_handle;
        }
        shard_op_done(s);
    }
    shard_settle(s);
}

void arm_accept(swarm_peer& p) {
    operation& op = p.accept_op;
    op.code = op_code::accept;
    op.flags = op_flag_multishot;
    op.handle = p.listener;
    op.user = &p;
    op.on_complete = on_accept;
    p.accept_pending = true;
    submit_shard_op(shard_of(p), op);
}

/// Makes the connection `d` asks for.
void dial(swarm_peer& p, const pending_dial& d) {
    shard& s = shard_of(p);
    const swarm_run& run = *s.run;
    if (d.target.kind == dial_target::kind_t::seeder && run.seeders.empty()) return;
    connection& c = add_connection(p);
    c.target = d.target;
    c.retry = d.retry;
    c.dial_failures = d.failures;
    endpoint to = d.target.to;
    if (d.target.kind == dial_target::kind_t::seeder) {
        const seeder_address& a = run.seeders[(p.index + p.next_seeder++) % run.seeders.size()];
        to = a.where;
        c.remote = a.name + " " + a.where.to_string();
    } else {
        c.remote = to.to_string();
    }
    c.remote_ep = to;
    if (p.role == peer_role::leecher) {
        const double draw = static_cast<double>(next_random(s) >> 11) * 0x1.0p-53;
        c.slow = draw < run.scenario.slow_fraction;
    }
    conn_connect(c, to);
}

dial_target client_target(const swarm_run& run, int client) {
    dial_target t;
    t.kind = dial_target::kind_t::client;
    t.client = client;
    const auto i = static_cast<std::size_t>(client);
    t.to = i < run.scenario.upload_to.size() ? run.scenario.upload_to[i]
                                              : run.scenario.connect_to[i - run.scenario.upload_to.size()];
    t.key = t.to.to_string();
    return t;
}

/// Makes the dials that are due.
void dial_due(swarm_peer& p, std::int64_t now) {
    shard& s = shard_of(p);
    for (std::size_t i = 0; i < p.dials.size() && s.dials_in_flight < max_dials_in_flight;) {
        if (p.dials[i].at_ns > now) {
            ++i;
            continue;
        }
        const pending_dial d = std::move(p.dials[i]);
        p.dials[i] = std::move(p.dials.back());
        p.dials.pop_back();
        const int client = d.target.kind == dial_target::kind_t::client ? d.target.client : -1;
        if (client >= 0 && std::find(p.banned_clients.begin(), p.banned_clients.end(),
                                     static_cast<std::uint32_t>(client)) != p.banned_clients.end())
            continue;  // broke the protocol: never again
        if (client >= 0 && !d.first)
            s.run->clients[static_cast<std::size_t>(client)]->redials.fetch_add(1, std::memory_order_relaxed);
        dial(p, d);
    }
}

/// Makes the connection now, or at the next tick when the shard has
/// max_dials_in_flight connects out already.
void dial_or_defer(swarm_peer& p, pending_dial d) {
    if (shard_of(p).dials_in_flight < max_dials_in_flight) dial(p, d);
    else p.dials.push_back(std::move(d));
}

std::size_t seeder_connection_count(const swarm_peer& p) {
    std::size_t n = 0;
    for (const auto& c : p.conns)
        if (c->to_seeder() && c->state != conn_state::closing) ++n;
    for (const auto& d : p.dials)
        if (d.target.kind == dial_target::kind_t::seeder) ++n;
    return n;
}

}  // namespace

std::error_code peer_listen(swarm_peer& p, const endpoint& where) {
    shard& s = shard_of(p);
    std::error_code ec;
    p.listener = s.ctx->open_listener(where, 4096, /*reuse_port=*/false, ec);
    if (ec) {
        p.listener = invalid_handle;
        return ec;
    }
    p.where = s.ctx->local_endpoint(p.listener, ec);
    if (ec) return ec;
    arm_accept(p);
    return {};
}

void peer_start(swarm_peer& p) {
    shard& s = shard_of(p);
    const swarm_run& run = *s.run;
    const swarm_scenario& sc = run.scenario;
    if (p.role == peer_role::seeder) {
        // Seeders dial in waves of dial_wave, one tick apart: a client's listen
        // backlog is short (libtorrent's holds 6), and a SYN it drops costs that
        // connection the kernel's 1 s retransmit (connection_tester spaces its
        // connects too).
        const std::int64_t at = steady_ns() + static_cast<std::int64_t>(p.index / dial_wave) * dial_wave_gap_ns;
        for (std::size_t t = 0; t < sc.upload_to.size(); ++t) {
            pending_dial d{at, client_target(run, upload_client(t))};
            d.first = true;
            if (p.index < dial_wave) dial(p, d);
            else p.dials.push_back(std::move(d));
        }
        return;
    }
    if (sc.storage == storage_mode::disk_only) {
        p.bt->picker().add_seed();  // every piece is to be had: generated
        p.virtual_peers = std::max<std::uint32_t>(1, s.steer.conns_per_leecher);
        p.local_handle = p.bt->new_handle();
        for (std::uint32_t i = 1; i < p.virtual_peers; ++i) p.bt->new_handle();  // consecutive handles
        disk_only_pump(p);
        return;
    }
    for (std::uint32_t k = 0; k < s.steer.conns_per_leecher && !run.seeders.empty(); ++k) dial_or_defer(p, pending_dial{});
    for (std::size_t i = 0; i < sc.connect_to.size(); ++i) {
        pending_dial d{0, client_target(run, connect_client(run, i))};
        d.first = true;
        dial_or_defer(p, std::move(d));
    }
}

void peer_connection_closed(swarm_peer& p, const connection& c) {
    shard& s = shard_of(p);
    const swarm_run& run = *s.run;
    const std::int64_t now = steady_ns();
    const bool never_connected = !c.up;
    const std::uint32_t failures = never_connected ? c.dial_failures + 1 : 0;
    if (s.stopping) return;
    if (c.protocol_error) {
        // Never again to a peer that broke the protocol.
        if (c.named_client() >= 0) p.banned_clients.push_back(static_cast<std::uint32_t>(c.named_client()));
        return;
    }
    if (p.role == peer_role::seeder) {
        // An upload_to peer is dialled back as long as the run goes, until it
        // has every piece; a client that connected in and told us its listen
        // port (BEP 10 "p") is dialled back too: clients close their
        // connections to seeds the moment they complete, often before their
        // last HAVEs go out, and the bitfield on a fresh connection tells.
        if (c.remote_complete || (!c.target.key.empty() && run.remotes.complete(c.target.key))) return;
        if (c.outgoing && c.named_client() >= 0) {
            // Backoff: 0.2 s after a connection that worked, doubling (to 5 s)
            // while dials fail; the controller gives up after client_grace_s.
            pending_dial d{now + redial_backoff_ns(failures), c.target, never_connected, failures};
            p.dials.push_back(std::move(d));
        } else if (c.external && c.session && c.session->remote_listen_port() != 0 && c.up) {
            dial_target back;
            back.kind = dial_target::kind_t::dial_back;
            back.to = c.remote_ep;
            back.to.port = c.session->remote_listen_port();
            back.key = c.target.key;
            p.dials.push_back({now + dial_back_delay_ns, std::move(back)});
        }
        return;
    }
    if (p.done || p.failed || c.end_reason == "steered down") return;
    const bool at_once = c.end_reason == "churn" || c.end_reason == drop_fault_reason;
    // A connect_to peer (a named client) is dialled with backoff: 0.2 s after
    // a connection that worked, doubling to 5 s while dials fail.
    const std::int64_t delay = at_once                   ? 0
                               : c.named_client() >= 0   ? redial_backoff_ns(failures)
                               : never_connected         ? failed_connect_delay_ns
                                                         : reconnect_delay_ns;
    p.dials.push_back({now + delay, c.target, never_connected, failures});
}

void peer_connection_gone(swarm_peer& p, const connection& c) {
    // Our own peers' connections are summarized at the leecher's end; an
    // outside client's at the seeder's too. (Dials that failed are counted
    // and their first errors kept in the summary; redials would flood it.)
    if (p.role == peer_role::leecher || c.external) p.owner->peers.push_back(summarize(c, p.name));
}

// ---------------------------------------------------------------------------
// [SECTION] tick, churn, stop, completion
// ---------------------------------------------------------------------------

void peer_tick(swarm_peer& p, std::int64_t now) {
    shard& s = shard_of(p);
    // Connections that ended and have nothing pending: keep their summary, free them.
    auto& conns = p.conns;
    for (std::size_t i = 0; i < conns.size() && p.closing != 0;) {
        if (conn_finished(*conns[i])) {
            peer_connection_gone(p, *conns[i]);
            conns[i] = std::move(conns.back());
            conns.pop_back();
            --p.closing;
        } else {
            ++i;
        }
    }
    if (s.stopping || !p.bt) return;
    const swarm_scenario& sc = scenario_of(p);
    if (p.role == peer_role::seeder) {
        if (s.steer.rate_limit != p.applied_rate || s.steer.slow_rate != p.applied_slow_rate) {  // steering
            // (Sessions made since take the shard's rates as they come up.)
            for (auto& c : conns)
                if (c->up && c->session) c->session->set_rate(c->slow ? s.steer.slow_rate : s.steer.rate_limit);
            p.applied_rate = s.steer.rate_limit;
            p.applied_slow_rate = s.steer.slow_rate;
        }
        p.bt->tick(now);
        dial_due(p, now);
        return;
    }
    if (p.done || p.failed || sc.storage == storage_mode::disk_only) return;
    // A stall fault silences connections on purpose: silence counts from its end.
    p.bt->excuse_silence_until(s.run->stall_until_ns.load(std::memory_order_relaxed));
    if (p.bt->pipeline() != s.steer.pipeline) p.bt->set_pipeline(s.steer.pipeline);
    p.bt->tick(now);
    dial_due(p, now);
    // Steering: grow or shrink to the target count of seeder connections.
    std::size_t have = seeder_connection_count(p);
    for (; have < s.steer.conns_per_leecher && !s.run->seeders.empty(); ++have) dial_or_defer(p, pending_dial{});
    // Down: dials not yet made go first (they count in `have`; closing a live
    // connection for each would steer below the target once they are made).
    for (std::size_t i = p.dials.size(); i-- > 0 && have > s.steer.conns_per_leecher;) {
        if (p.dials[i].target.kind != dial_target::kind_t::seeder) continue;
        p.dials.erase(p.dials.begin() + static_cast<std::ptrdiff_t>(i));
        --have;
    }
    for (std::size_t i = 0; i < conns.size() && have > s.steer.conns_per_leecher; ++i) {
        connection& c = *conns[i];
        if (c.to_seeder() && c.state != conn_state::closing) {
            conn_close(c, "steered down");
            --have;
        }
    }
}

void leecher_complete(swarm_peer& p) {
    shard& s = shard_of(p);
    const swarm_scenario& sc = scenario_of(p);
    ++p.rounds_done;
    if (sc.duration_s > 0) {
        // Timed run: download again, with a fresh picker, over the same connections.
        p.bt->restart(picker_options_of(p).seed);
        if (sc.storage == storage_mode::disk_only) {
            p.bt->picker().add_seed();
            disk_only_pump(p);
        }
        return;
    }
    p.done = true;
    p.done_ns = steady_ns();
    const std::uint32_t done = s.run->leechers_done.fetch_add(1, std::memory_order_acq_rel) + 1;
    log().debug("{}: complete ({} of {} leechers)", p.name, done, sc.leechers);
    if (done == sc.leechers) s.run->all_done_ns.store(p.done_ns, std::memory_order_release);
    // Its last HAVEs go out first: an outside client counts our pieces.
    for (auto& c : p.conns) {
        if (c->session && !c->session->closed()) c->session->close_when_sent("done");
        else conn_close(*c, "done");
    }
    s.run->bell.ring();
}

void peer_stop(swarm_peer& p) {
    shard& s = shard_of(p);
    if (p.accept_pending) s.ctx->cancel(p.accept_op);
    if (p.retry_pending) s.ctx->cancel(p.retry_timer);
    if (!p.accept_pending && p.listener != invalid_handle) {
        s.ctx->close_now(p.listener);
        p.listener = invalid_handle;
    }
    p.dials.clear();
    if (p.bt) p.bt->stop_requesting();
    for (auto& c : p.conns) conn_close(*c, p.done ? "done" : "run ended");
}

bool peer_churn_one(swarm_peer& p) {
    std::vector<connection*> live;
    for (auto& c : p.conns)
        if (c->up && c->state == conn_state::open && c->to_seeder()) live.push_back(c.get());
    if (live.empty()) return false;
    conn_close(*live[next_random(shard_of(p)) % live.size()], "churn");
    return true;
}

// ---------------------------------------------------------------------------
// [SECTION] disk-only
// ---------------------------------------------------------------------------

void disk_only_pump(swarm_peer& p) {
    shard& s = shard_of(p);
    if (s.stopping || p.done || p.failed || !p.bt) return;
    const swarm_scenario& sc = scenario_of(p);
    const bt::torrent& t = *s.run->torrent;
    const std::uint32_t budget = std::max<std::uint32_t>(1, s.steer.conns_per_leecher * s.steer.pipeline);
    std::uint32_t idle_rounds = 0;
    // Virtual peers take turns, as connections would.
    while (p.bt->writes_pending() < budget && idle_rounds < p.virtual_peers && !p.bt->complete()) {
        const bt::peer_handle peer = p.local_handle + (p.turn++ % p.virtual_peers);
        p.pick_scratch.clear();
        const std::size_t room = budget - p.bt->writes_pending();
        p.bt->pick_local(peer, std::min<std::size_t>(s.steer.pipeline, room), p.pick_scratch);
        if (p.pick_scratch.empty()) {
            ++idle_rounds;
            continue;
        }
        idle_rounds = 0;
        for (const bt::block_ref& b : p.pick_scratch) {
            const std::span<std::byte> buf = p.bt->local_block_buffer(b);
            bt::synthetic_fill(sc.content_seed, t.geometry().piece_offset(b.piece) + p.bt->picker().block_offset(b), buf);
            if (!p.bt->receive_local(peer, b)) continue;
            // Generated blocks are this mode's payload, as received ones are elsewhere.
            s.counters.payload.add(buf.size());
            std::int64_t expected = 0;
            s.run->first_byte_ns.compare_exchange_strong(expected, steady_ns(), std::memory_order_relaxed);
        }
    }
}

}  // namespace swarmbench::detail
