// seeder: listens (and dials upload_to peers), answers handshakes with
// "have all", serves requested blocks generated from the synthetic content
// or read from content_dir, and optionally chokes like a real client and
// limits each connection's upload rate.
//
// [SECTION] accepting and dialling
// [SECTION] messages from a leecher
// [SECTION] serving blocks (rate limits)
// [SECTION] choking
// [SECTION] tick and stop
//
// Serving: requests queue per connection; seeder_pump() turns as many as fit
// (and as the token bucket allows) into piece messages written straight into
// the connection's outgoing buffer (header, then the block generated in
// place), up to `max_out` bytes, so one send carries many blocks. From
// content_dir, each block is read first (a few reads in flight per
// connection) and the finished reads go out in request order.
//
// Outside clients (upload_to peers, clients that connect in): every request
// is queued, never dropped (a silent drop stalls some clients for minutes),
// their HAVEs go to the run's remote_registry, and once a client has
// announced every piece the connection closes ("done") — two seeds have
// nothing to say — and is not dialled again.
//
// Faults (swarm_controls::inject): a stalled connection serves no block until
// its stall ends (requests keep queueing; the tick serves them after); while
// the shard owes corrupt blocks, the next blocks served carry one flipped
// byte each.
#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "swarm_types.hpp"
#include "swarmbench/bt/synthetic.hpp"
#include "swarmbench/error.hpp"
#include "swarmbench/log.hpp"

namespace swarmbench::detail {

namespace {

constexpr std::size_t max_out = 256 * 1024;  // bytes queued per send
constexpr std::uint32_t block_message = bt::piece_header_size + bt::default_block_size;
constexpr std::size_t max_reads = 16;  // content_dir: block reads in flight per connection
// Requests queued per connection before a flood is refused: clients send more
// than the reqq we advertise (answered, never dropped), but not 16 times more.
constexpr std::size_t max_queued_requests = 16 * advertised_reqq;
constexpr std::int64_t dial_back_delay_ns = 1'000'000'000;      // a client that connected in left
constexpr std::uint32_t dial_wave = 4;                          // seeders that first dial a client at once
constexpr std::int64_t dial_wave_gap_ns = 20'000'000;           // between waves (one tick)

// ---------------------------------------------------------------------------
// [SECTION] accepting
// ---------------------------------------------------------------------------

void arm_accept(seeder& sd, shard& s);

void on_accept(operation& op) {
    seeder& sd = *static_cast<seeder*>(op.user);
    shard& s = *sd.owner;
    const bool last = !op.more();
    if (last) sd.accept_pending = false;
    if (op.error) {
        if (!(s.stopping && is_cancel(op.error))) {
            record_error(s, describe_error(sd.name + ": accept on " + sd.where.to_string(), op.error));
            if (last && !s.stopping && !sd.retry_pending) {
                // EMFILE and friends: try again shortly rather than spin.
                sd.retry_timer.code = op_code::timer;
                sd.retry_timer.timeout = std::chrono::milliseconds(100);
                sd.retry_timer.user = &sd;
                sd.retry_timer.on_complete = [](operation& t) {
                    seeder& self = *static_cast<seeder*>(t.user);
                    self.retry_pending = false;
                    if (!self.owner->stopping && !self.accept_pending) arm_accept(self, *self.owner);
                    shard_op_done(*self.owner);
                };
                sd.retry_pending = true;
                submit_shard_op(s, sd.retry_timer);
            }
        }
    } else if (s.stopping) {
        s.ctx->close_now(op.accepted());
    } else {
        auto owned = make_connection(s, false);
        connection& c = *owned;
        c.as_seeder = &sd;
        c.fd = op.accepted();
        c.remote = op.peer.to_string();
        c.remote_ep = op.peer;
        c.id = sd.next_conn_id++;
        c.state = conn_state::handshaking;
        c.connect_start_ns = steady_ns();
        sd.conns.push_back(std::move(owned));
        conn_start_recv(c);
    }
    if (last) {
        if (!s.stopping && !op.error) arm_accept(sd, s);
        if (s.stopping && sd.listener != invalid_handle) {
            s.ctx->close_now(sd.listener);
            sd.listener = invalid_handle;
        }
        shard_op_done(s);
    }
}

void arm_accept(seeder& sd, shard& s) {
    operation& op = sd.accept_op;
    op.code = op_code::accept;
    op.flags = op_flag_multishot;
    op.handle = sd.listener;
    op.on_complete = on_accept;
    sd.accept_pending = true;
    submit_shard_op(s, op);
}

void send_simple(connection& c, bt::msg_id id) {
    bt::encode_simple(conn_append(c, 5), id);
}

void reject(connection& c, std::uint32_t index, std::uint32_t begin, std::uint32_t length) {
    bt::encode_reject(conn_append(c, 17), index, begin, length);
}

/// Chokes `c`: queued requests are rejected (fast) or dropped (BEP 3).
void choke(connection& c) {
    if (c.am_choking) return;
    c.am_choking = true;
    send_simple(c, bt::msg_id::choke);
    if (c.fast)
        for (const queued_request& q : c.queue) reject(c, q.index, q.begin, q.length);
    c.queue.clear();
    conn_flush(c);
}

void unchoke(connection& c) {
    if (!c.am_choking) return;
    c.am_choking = false;
    send_simple(c, bt::msg_id::unchoke);
    conn_flush(c);
}

std::size_t unchoked_count(const seeder& sd) {
    std::size_t n = 0;
    for (const auto& c : sd.conns)
        if (c->state == conn_state::active && !c->am_choking) ++n;
    return n;
}

/// Dials an outside client.
void dial(seeder& sd, const seeder_dial& d) {
    shard& s = *sd.owner;
    auto owned = make_connection(s, false);
    connection& c = *owned;
    c.as_seeder = &sd;
    c.id = sd.next_conn_id++;
    c.target = d.target;
    c.remote = d.to.to_string();
    c.remote_ep = d.to;
    c.remote_key = d.key;
    c.retry = d.retry;
    c.named_client = d.target >= 0 ? upload_client(static_cast<std::size_t>(d.target)) : -1;
    c.dial_failures = d.failures;
    sd.conns.push_back(std::move(owned));
    conn_connect(c, d.to);
}

}  // namespace

void seeder_start(seeder& sd) {
    // Seeders dial in waves of dial_wave, one tick apart: a client's listen
    // backlog is short (libtorrent's holds 6), and a SYN it drops costs that
    // connection the kernel's 1 s retransmit (connection_tester spaces its
    // connects too).
    const auto targets = static_cast<std::uint32_t>(sd.owner->run->scenario.upload_to.size());
    const std::int64_t at = steady_ns() + static_cast<std::int64_t>(sd.index / dial_wave) * dial_wave_gap_ns;
    for (std::uint32_t t = 0; t < targets; ++t) {
        const endpoint& to = sd.owner->run->scenario.upload_to[t];
        seeder_dial d{at, to, to.to_string(), static_cast<int>(t)};
        d.first = true;
        if (sd.index < dial_wave) dial(sd, d);
        else sd.redials.push_back(std::move(d));
    }
}

namespace {

/// A connection of `sd` with an outside client ended before the client had
/// announced every piece: dial it (again) unless it broke the protocol or
/// the run is ending. An upload_to peer is dialled back as long as the run
/// goes. A client that connected in and told us its listen port (BEP 10
/// "p") is dialled back too: clients close their connections to seeds the
/// moment they complete, often before their last HAVEs go out, and the
/// bitfield a client sends on a fresh connection tells whether it did.
void maybe_redial(seeder& sd, const connection& c) {
    shard& s = *sd.owner;
    if (s.stopping || c.protocol_error || c.remote_complete) return;
    if (!c.remote_key.empty() && s.run->remotes.complete(c.remote_key)) return;
    const std::int64_t now = steady_ns();
    if (c.outgoing && c.target >= 0) {
        // Backoff: 0.2 s after a connection that worked, doubling (to 5 s)
        // while dials fail; the controller gives up after client_grace_s.
        const endpoint& to = s.run->scenario.upload_to[static_cast<std::size_t>(c.target)];
        const bool failed = c.established_ns == 0;
        const std::uint32_t failures = failed ? c.dial_failures + 1 : 0;
        sd.redials.push_back({now + redial_backoff_ns(failures), to,
                              c.remote_key.empty() ? to.to_string() : c.remote_key, c.target, failed, failures});
    } else if (c.external && c.remote_listen_port != 0 && c.established_ns != 0) {
        endpoint back = c.remote_ep;
        back.port = c.remote_listen_port;
        sd.redials.push_back({now + dial_back_delay_ns, back, c.remote_key, -1, false});
    }
}

}  // namespace

std::error_code seeder_listen(seeder& sd, shard& s, const endpoint& where) {
    std::error_code ec;
    sd.listener = s.ctx->open_listener(where, 4096, /*reuse_port=*/false, ec);
    if (ec) {
        sd.listener = invalid_handle;
        return ec;
    }
    sd.where = s.ctx->local_endpoint(sd.listener, ec);
    if (ec) return ec;
    sd.accept_op.user = &sd;
    arm_accept(sd, s);
    return {};
}

// ---------------------------------------------------------------------------
// [SECTION] messages from a leecher
// ---------------------------------------------------------------------------

void seeder_on_established(connection& c) {
    shard& s = *c.owner;
    if (c.fast) {
        send_simple(c, bt::msg_id::have_all);
    } else {
        const bt::bitfield all(s.run->torrent->piece_count(), true);
        bt::encode_bitfield(conn_append(c, 5 + all.bytes().size()), all);
    }
    c.rate = c.slow ? s.slow_rate : s.rate_limit;
    c.tokens = block_message;
    if (!s.run->scenario.choking) unchoke(c);
}

namespace {

/// An outside client announced pieces: count them once per client, and end
/// the connection when it has them all.
void on_remote_has(connection& c, const bt::message& m) {
    using k = bt::message_kind;
    shard& s = *c.owner;
    const std::uint32_t pieces = s.run->torrent->piece_count();
    remote_registry::update u;
    if (m.kind == k::have) {
        u = s.run->remotes.have(c.remote_key, m.index);
    } else {
        bt::bitfield bits(pieces, m.kind == k::have_all);
        if (m.kind == k::bitfield) bits.assign(m.data, pieces);
        u = s.run->remotes.have_bits(c.remote_key, bits);
    }
    s.counters.pieces_verified.add(u.new_pieces);
    if (u.completed) {
        log().info("{}: {} has every piece ({} of them, each passed its own hash check)", c.as_seeder->name, c.remote,
                   pieces);
        s.run->bell.ring();
    }
    if (!c.remote_complete && s.run->remotes.complete(c.remote_key)) {
        c.remote_complete = true;
        conn_close(c, "done");
    }
}

}  // namespace

void seeder_on_message(connection& c, const bt::message& m) {
    using k = bt::message_kind;
    shard& s = *c.owner;
    seeder& sd = *c.as_seeder;
    const swarm_scenario& sc = s.run->scenario;
    switch (m.kind) {
        case k::interested:
            c.peer_interested = true;
            if (sc.choking && c.am_choking && unchoked_count(sd) < sc.unchoke_slots) unchoke(c);
            break;
        case k::not_interested:
            c.peer_interested = false;
            break;
        case k::request:
            ++c.requests_received;
            if (c.am_choking) {
                if (c.fast) reject(c, m.index, m.begin, m.length);
                break;
            }
            if (c.queue.size() >= max_queued_requests) {
                // Far past the reqq we advertised: a flood, not a client. With
                // the fast extension say no; without it, drop the peer.
                if (c.fast) {
                    reject(c, m.index, m.begin, m.length);
                    break;
                }
                c.owner->counters.protocol_errors.add(1);
                log().warn("{} <- {}: protocol error, dropping the peer: more than {} requests queued",
                           c.as_seeder->name, c.remote, max_queued_requests);
                conn_close(c, fmt::format("dropped: protocol error: more than {} requests queued (we accept {})",
                                          max_queued_requests, advertised_reqq),
                           true);
                break;
            }
            c.queue.push_back({m.index, m.begin, m.length, c.external ? steady_ns() : 0});
            seeder_pump(c);
            break;
        case k::have:
        case k::bitfield:
        case k::have_all:
            if (c.external) on_remote_has(c, m);
            break;
        case k::cancel: {
            auto it = std::find_if(c.queue.begin(), c.queue.end(),
                                   [&](const queued_request& q) { return q.index == m.index && q.begin == m.begin; });
            if (it != c.queue.end()) {
                c.queue.erase(it);
                if (c.fast) reject(c, m.index, m.begin, m.length);  // BEP 6: answer every cancel
            }
            break;
        }
        default:
            break;  // have, bitfield, have all/none, piece (unrequested), extended, ...
    }
}

// ---------------------------------------------------------------------------
// [SECTION] serving blocks
// ---------------------------------------------------------------------------

namespace {

/// Takes the tokens one block message needs; false if the bucket is short
/// (the tick refills it).
bool take_tokens(connection& c, std::uint32_t need) {
    if (c.rate == 0) return true;
    if (c.tokens < need) return false;
    c.tokens -= need;
    return true;
}

/// Appends the piece message answering `q` to `c.out`: the block generated
/// from the synthetic content, or copied from `data` (read from content_dir).
void emit_block(connection& c, const queued_request& q, std::span<const std::byte> data) {
    shard& s = *c.owner;
    const std::uint32_t need = bt::piece_header_size + q.length;
    const std::span<std::byte> msg = conn_append(c, need);
    bt::encode_piece_header(msg, q.index, q.begin, q.length);
    const std::span<std::byte> block = msg.subspan(bt::piece_header_size);
    if (s.run->content_seed)
        bt::synthetic_fill(*s.run->content_seed, s.run->torrent->geometry().piece_offset(q.index) + q.begin, block);
    else
        std::memcpy(block.data(), data.data(), q.length);
    if (s.corrupt_blocks > 0 && q.length > 0) {
        // A corrupt fault: one flipped byte, as a bad disk or NIC would leave.
        --s.corrupt_blocks;
        block[q.length / 2] ^= std::byte{0xff};
        log().debug("{}: sending block at {} of piece {} to {} corrupted (fault)", c.as_seeder->name, q.begin, q.index,
                    c.remote);
    }
    c.interval_out += need;
    if (c.external) {
        // Serving an outside client is this run's payload: how fast it takes data.
        ++c.blocks;
        s.counters.payload.add(q.length);
        const std::int64_t now = steady_ns();
        c.last_piece_ns = now;
        c.request_latency.record(now - q.received_ns);
        record_latency(s, &interval_histograms::request, &shard::run_request, now - q.received_ns);
        std::int64_t expected = 0;
        s.run->first_byte_ns.compare_exchange_strong(expected, now, std::memory_order_relaxed);
        s.run->last_served_ns.store(now, std::memory_order_relaxed);
    }
}

void start_reads(connection& c);

/// Sends the finished reads at the front, in request order.
void drain_reads(connection& c) {
    while (!c.reads.empty() && c.reads.front()->done && c.state == conn_state::active) {
        const std::unique_ptr<block_read> r = std::move(c.reads.front());
        c.reads.pop_front();
        if (!r->error.empty()) {
            record_error(*c.owner, c.as_seeder->name + ": " + r->error);
            conn_close(c, "failed: " + r->error);
            return;
        }
        emit_block(c, r->request, r->data);
    }
}

void on_block_read(void* user, const storage_result& result) {
    block_read& r = *static_cast<block_read*>(user);
    connection& c = *r.conn;
    shard& s = *c.owner;
    r.done = true;
    if (result.error) r.error = "reading " + result.where + ": " + result.error.message();
    if (c.state == conn_state::active) {
        drain_reads(c);
        start_reads(c);
        conn_flush(c);
    }
    --c.pending;  // last: the connection may be freed once nothing is pending
    shard_op_done(s);
}

/// content_dir: reads the next queued blocks (a few in flight per connection).
void start_reads(connection& c) {
    shard& s = *c.owner;
    // Reads in flight count as queued bytes: each becomes a block message in
    // `out`, which then stays within one pool buffer (no growth, no copy).
    while (!c.queue.empty() && c.reads.size() < max_reads &&
           c.out.size() + (c.reads.size() + 1) * block_message <= max_out) {
        const queued_request q = c.queue.front();
        if (!take_tokens(c, bt::piece_header_size + q.length)) break;
        c.queue.pop_front();
        auto r = std::make_unique<block_read>();
        r->conn = &c;
        r->request = q;
        r->data.resize(q.length);
        block_read& read = *r;
        c.reads.push_back(std::move(r));
        ++c.pending;
        ++s.live;
        s.content->async_read(q.index, q.begin, read.data, on_block_read, &read);
    }
}

}  // namespace

void seeder_pump(connection& c) {
    if (c.state != conn_state::active) return;
    shard& s = *c.owner;
    // A stall fault: nothing is served until it ends (the tick resumes it).
    const bool stalled = c.stalled_until_ns != 0 && steady_ns() < c.stalled_until_ns;
    if (stalled) {
        conn_flush(c);
        return;
    }
    if (s.content) {
        start_reads(c);
    } else {
        while (!c.queue.empty() && c.out.size() < max_out) {
            const queued_request q = c.queue.front();
            if (!take_tokens(c, bt::piece_header_size + q.length)) break;
            c.queue.pop_front();
            emit_block(c, q, {});
        }
    }
    conn_flush(c);
}

// ---------------------------------------------------------------------------
// [SECTION] choking and tick
// ---------------------------------------------------------------------------

namespace {

/// Regular rechoke: the interested connections we uploaded to fastest keep
/// their slots (minus one kept for the optimistic unchoke).
void rechoke(seeder& sd, shard& s) {
    const swarm_scenario& sc = s.run->scenario;
    std::vector<connection*> interested;
    for (auto& c : sd.conns)
        if (c->state == conn_state::active && c->peer_interested && !c->optimistic) interested.push_back(c.get());
    std::sort(interested.begin(), interested.end(),
              [](const connection* a, const connection* b) { return a->interval_out > b->interval_out; });
    const std::size_t regular = sc.unchoke_slots > 1 ? sc.unchoke_slots - 1 : sc.unchoke_slots;
    for (std::size_t i = 0; i < interested.size(); ++i) {
        if (i < regular)
            unchoke(*interested[i]);
        else
            choke(*interested[i]);
    }
    for (auto& c : sd.conns) c->interval_out = 0;
}

void rotate_optimistic(seeder& sd, shard& s) {
    std::vector<connection*> candidates;
    for (auto& c : sd.conns) {
        if (c->optimistic) {
            c->optimistic = false;
            if (c->state == conn_state::active) choke(*c);
        }
        if (c->state == conn_state::active && c->peer_interested && c->am_choking) candidates.push_back(c.get());
    }
    if (candidates.empty()) return;
    connection& lucky = *candidates[next_random(s) % candidates.size()];
    lucky.optimistic = true;
    unchoke(lucky);
}

}  // namespace

void seeder_tick(seeder& sd, std::int64_t now, double dt_s) {
    shard& s = *sd.owner;
    const swarm_scenario& sc = s.run->scenario;
    auto& conns = sd.conns;
    for (std::size_t i = 0; i < conns.size();) {
        if (conn_finished(*conns[i])) {
            seeder_summarize(s, *conns[i]);
            maybe_redial(sd, *conns[i]);
            conns[i] = std::move(conns.back());
            conns.pop_back();
        } else {
            ++i;
        }
    }
    if (s.stopping) return;
    for (std::size_t i = 0; i < sd.redials.size();) {
        if (sd.redials[i].at_ns > now) {
            ++i;
            continue;
        }
        const seeder_dial d = std::move(sd.redials[i]);
        sd.redials[i] = std::move(sd.redials.back());
        sd.redials.pop_back();
        if (d.target >= 0 && !d.first)
            s.run->clients[static_cast<std::size_t>(upload_client(static_cast<std::size_t>(d.target)))]->redials.fetch_add(
                1, std::memory_order_relaxed);
        dial(sd, d);
    }
    for (auto& c : conns) {
        conn_keep_alive(*c, now);
        if (c->state == conn_state::handshaking && now - c->connect_start_ns > 10'000'000'000) {
            conn_close(*c, "dropped: no handshake within 10 s");
            continue;
        }
        if (c->state != conn_state::active) continue;
        if (c->stalled_until_ns != 0 && now >= c->stalled_until_ns) {
            c->stalled_until_ns = 0;  // the stall is over: serve what queued up meanwhile
            seeder_pump(*c);
        }
        c->rate = c->slow ? s.slow_rate : s.rate_limit;  // steering may have changed it
        if (c->rate == 0) {
            // Unlimited, perhaps just steered so: requests that waited for
            // tokens would otherwise wait for a new request that never comes
            // (the leecher's pipeline is full).
            if (!c->queue.empty()) seeder_pump(*c);
            continue;
        }
        // Token bucket: refill by rate x elapsed, holding at most one
        // block message or 100 ms of rate, whichever is more.
        const double cap = std::max<double>(block_message, static_cast<double>(c->rate) * 0.1);
        c->tokens = std::min(cap, c->tokens + static_cast<double>(c->rate) * dt_s);
        if (!c->queue.empty()) seeder_pump(*c);
    }
    if (!sc.choking) return;
    const auto period = [](double s_) { return static_cast<std::int64_t>(s_ * 1e9); };
    if (now >= sd.next_optimistic_ns) {
        rotate_optimistic(sd, s);
        sd.next_optimistic_ns = now + period(sc.optimistic_interval_s);
    }
    if (now >= sd.next_rechoke_ns) {
        rechoke(sd, s);
        sd.next_rechoke_ns = now + period(sc.rechoke_interval_s);
    }
}

void seeder_summarize(shard& s, const connection& c) {
    // Our own leechers' connections are summarized at the leecher's end;
    // an outside client's only here. (Dials that failed are counted and
    // their first errors kept in the summary; redials would flood this.)
    if (c.external) s.peers.push_back(summarize(c, c.as_seeder->name));
}

void seeder_stop(seeder& sd) {
    shard& s = *sd.owner;
    if (sd.accept_pending) s.ctx->cancel(sd.accept_op);
    if (sd.retry_pending) s.ctx->cancel(sd.retry_timer);
    if (!sd.accept_pending && sd.listener != invalid_handle) {
        s.ctx->close_now(sd.listener);
        sd.listener = invalid_handle;
    }
    sd.redials.clear();
    for (auto& c : sd.conns) conn_close(*c, "run ended");
}

}  // namespace swarmbench::detail
