// seeder: listens, answers handshakes with "have all", serves requested
// blocks generated from the synthetic content, and optionally chokes like a
// real client and limits each connection's upload rate.
//
// [SECTION] accepting
// [SECTION] messages from a leecher
// [SECTION] serving blocks (rate limits)
// [SECTION] choking
// [SECTION] tick and stop
//
// Serving: requests queue per connection; seeder_pump() turns as many as fit
// (and as the token bucket allows) into piece messages written straight into
// the connection's outgoing buffer (header, then the block generated in
// place), up to `max_out` bytes, so one send carries many blocks.
//
// Faults (swarm_controls::inject): a stalled connection serves no block until
// its stall ends (requests keep queueing; the tick serves them after); while
// the shard owes corrupt blocks, the next blocks served carry one flipped
// byte each.
#include <algorithm>

#include "swarm_types.hpp"
#include "swarmbench/bt/synthetic.hpp"
#include "swarmbench/error.hpp"
#include "swarmbench/log.hpp"

namespace swarmbench::detail {

namespace {

constexpr std::size_t max_out = 256 * 1024;  // bytes queued per send
constexpr std::uint32_t block_message = bt::piece_header_size + bt::default_block_size;

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
            if (c.am_choking) {
                if (c.fast) reject(c, m.index, m.begin, m.length);
                break;
            }
            c.queue.push_back({m.index, m.begin, m.length});
            seeder_pump(c);
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

void seeder_pump(connection& c) {
    if (c.state != conn_state::active) return;
    shard& s = *c.owner;
    const bt::torrent& t = *s.run->torrent;
    const std::uint64_t seed = s.run->scenario.content_seed;
    // A stall fault: nothing is served until it ends (the tick resumes it).
    const bool stalled = c.stalled_until_ns != 0 && steady_ns() < c.stalled_until_ns;
    while (!stalled && !c.queue.empty() && c.out.size() < max_out) {
        const queued_request q = c.queue.front();
        const std::uint32_t need = bt::piece_header_size + q.length;
        if (c.rate != 0) {
            if (c.tokens < need) break;  // the tick refills
            c.tokens -= need;
        }
        c.queue.pop_front();
        const std::span<std::byte> msg = conn_append(c, need);
        bt::encode_piece_header(msg, q.index, q.begin, q.length);
        bt::synthetic_fill(seed, t.geometry().piece_offset(q.index) + q.begin, msg.subspan(bt::piece_header_size));
        if (s.corrupt_blocks > 0 && q.length > 0) {
            // A corrupt fault: one flipped byte, as a bad disk or NIC would leave.
            --s.corrupt_blocks;
            msg[bt::piece_header_size + q.length / 2] ^= std::byte{0xff};
            log().debug("{}: sending block at {} of piece {} to {} corrupted (fault)", c.as_seeder->name, q.begin,
                        q.index, c.remote);
        }
        c.interval_out += need;
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
            conns[i] = std::move(conns.back());
            conns.pop_back();
        } else {
            ++i;
        }
    }
    if (s.stopping) return;
    for (auto& c : conns) {
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

void seeder_stop(seeder& sd) {
    shard& s = *sd.owner;
    if (sd.accept_pending) s.ctx->cancel(sd.accept_op);
    if (sd.retry_pending) s.ctx->cancel(sd.retry_timer);
    if (!sd.accept_pending && sd.listener != invalid_handle) {
        s.ctx->close_now(sd.listener);
        sd.listener = invalid_handle;
    }
    for (auto& c : sd.conns) conn_close(*c, "run ended");
}

}  // namespace swarmbench::detail
