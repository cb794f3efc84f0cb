// link_shaping: the access link of each of our peers that has a class
// (scenario.links, net/link.hpp), emulated in user space on the shard's
// thread, on every backend.
//
// The model, per peer: its upload rate gates its connections' sends (one
// token bucket for all of them), its download rate and its round trip hold
// what they receive. A peer's whole `rtt_ms` is applied to what it receives
// (not half each way): the round trip of a connection between classes X and
// Y, what bounds its throughput (requests in flight x 16 KiB / RTT), is then
// rtt_X + rtt_Y, and a real client connected to one of our peers sees our
// class's share without our side touching its bytes.
//
// Received bytes stay in the receive pool's buffers while held (no copy); a
// connection holding its class's `queue` stops receiving, so the kernel's
// socket buffer fills and TCP back-pressures the sender, then resumes below
// half of it. One timer per shard (link_timer) wakes at the earliest due
// among its connections; an earlier due cancels and re-arms it. Under load
// the timer's completion waits behind others, so every receive completion
// also serves what is due (link_poll): busy shards deliver on time without
// waking for it.
//
// Thread rules: the shard's thread only.
#include <algorithm>
#include <functional>

#include "swarm_types.hpp"
#include "swarmbench/bt/geometry.hpp"
#include "swarmbench/bt/wire.hpp"

namespace swarmbench::detail {

namespace {

void on_link_timer(operation& op);

constexpr std::int64_t ns_per_ms = 1'000'000;

/// A piece message carrying one block: the least a link passes at once.
constexpr std::uint64_t block_message = bt::default_block_size + bt::piece_header_size;

/// Bytes a bucket may pass at once: 10 ms of its rate, at least a block.
std::uint64_t link_burst(std::uint64_t rate) { return std::max<std::uint64_t>(rate / 100, block_message); }

void arm_link_timer(shard& s, std::int64_t now) {
    link_timer& t = s.links;
    if (t.heap.empty() || s.stopping) return;
    const std::int64_t want = t.heap.front().due;
    if (t.armed) {
        if (want < t.armed_for && !t.cancelling) {
            t.cancelling = true;  // its completion re-arms for `want`
            s.ctx->cancel(t.op);
        }
        return;
    }
    t.op = operation{};
    t.op.code = op_code::timer;
    t.op.timeout = std::chrono::nanoseconds(std::max<std::int64_t>(want - now, 0));
    t.op.user = &s;
    t.op.on_complete = on_link_timer;
    t.armed = true;
    t.armed_for = want;
    submit_shard_op(s, t.op);
}

/// Holds `c` for `due` (an earlier due than the one it holds moves it).
void hold_until(connection& c, std::int64_t due, std::int64_t now) {
    shard& s = *c.owner->owner;
    if (s.stopping || (c.link_due != 0 && c.link_due <= due)) return;  // (stopping: connections are closing)
    c.link_due = due;
    ++c.pending;  // one per heap entry: the connection outlives its entries
    s.links.heap.push_back({due, &c});
    std::push_heap(s.links.heap.begin(), s.links.heap.end(), std::greater<>{});
    arm_link_timer(s, now);
}

/// What is due on `c` at `now`: held bytes to the session, a waiting send.
void serve_due(connection& c, std::int64_t now) {
    shard& s = *c.owner->owner;
    c.inbound.release(now, [&](delay_line<held_recv>::entry&& e) {
        s.run_link_late.record(std::chrono::nanoseconds(now - e.due_ns));
        s.counters.link_held.add(-static_cast<std::int64_t>(e.bytes));
        if (c.state == conn_state::open && c.session)
            c.session->receive(std::span<const std::byte>(e.item.data, e.item.size), now);
        s.ctx->release_recv_buffer(e.item.data);
    });
    if (c.state != conn_state::open) return;
    if (c.recv_paused && !c.recv_armed && c.inbound.bytes_held() <= c.owner->access->queue / 2) {
        c.recv_paused = false;
        conn_arm_recv(c);
    }
    if (!c.held_end.empty() && c.inbound.empty()) {
        conn_close(c, std::move(c.held_end));
        return;
    }
    if (!c.inbound.empty()) hold_until(c, c.inbound.next_due(), now);
    if (c.link_flush) {
        c.link_flush = false;
        conn_flush(c);
    }
}

/// Serves every connection whose hold is due by `now` (all, when stopping).
void serve_heap(shard& s, std::int64_t now) {
    link_timer& t = s.links;
    while (!t.heap.empty() && (s.stopping || t.heap.front().due <= now)) {
        std::pop_heap(t.heap.begin(), t.heap.end(), std::greater<>{});
        const link_timer::entry e = t.heap.back();
        t.heap.pop_back();
        connection& c = *e.conn;
        --c.pending;
        if (e.due != c.link_due) continue;  // moved earlier since: a later entry of its own
        c.link_due = 0;
        if (!s.stopping && c.state == conn_state::open) serve_due(c, now);
    }
}

void on_link_timer(operation& op) {
    shard& s = *static_cast<shard*>(op.user);
    s.links.armed = false;
    s.links.cancelling = false;
    const std::int64_t now = steady_ns();
    serve_heap(s, now);
    arm_link_timer(s, now);
    shard_op_done(s);
    shard_settle(s);
}

}  // namespace

void link_open(connection& c) {
    const link_class* l = c.owner->access;
    if (l == nullptr) return;
    // Each connection its own generator: the run's seed, the peer, the connection.
    const std::uint64_t seed = c.owner->owner->run->scenario.seed ^ (std::uint64_t{c.owner->index} << 32) ^
                               (c.owner->role == peer_role::seeder ? 0x5eed0000'00000000ull : 0) ^ c.id;
    c.delay = delay_model(static_cast<std::int64_t>(l->rtt_ms * ns_per_ms),
                          static_cast<std::int64_t>(l->jitter_ms * ns_per_ms), l->jitter, seed);
}

void link_poll(shard& s, std::int64_t now) {
    if (s.links.heap.empty() || s.links.heap.front().due > now) return;
    serve_heap(s, now);
    arm_link_timer(s, now);
}

bool link_hold(connection& c, std::byte* data, std::size_t n, std::int64_t now) {
    swarm_peer& p = *c.owner;
    if (p.access == nullptr || c.owner->owner->stopping) return false;
    // The download rate queues it, then the round trip delays it.
    const std::int64_t crossed = p.down.take(now, n);
    const std::int64_t due = c.inbound.push(crossed + c.delay.draw(), n, held_recv{data, n});
    c.owner->owner->counters.link_held.add(static_cast<std::int64_t>(n));
    if (c.inbound.bytes_held() >= p.access->queue && c.recv_armed && !c.recv_paused) {
        c.recv_paused = true;  // the kernel buffers the rest; TCP back-pressures the sender
        c.owner->owner->ctx->cancel(c.recv_op);
    }
    hold_until(c, due, now);
    return true;
}

bool link_hold_end(connection& c, const std::string& reason) {
    if (c.owner->access == nullptr || c.inbound.empty()) return false;
    if (c.held_end.empty()) c.held_end = reason;
    return true;
}

bool link_send_waits(connection& c, std::int64_t now) {
    swarm_peer& p = *c.owner;
    if (p.access == nullptr || p.up.unlimited()) return false;
    const std::int64_t ready = p.up.ready_at(now);
    if (ready <= now) return false;
    c.link_flush = true;
    hold_until(c, ready, now);
    return true;
}

std::size_t link_send_cap(const connection& c, std::size_t cap) {
    const swarm_peer& p = *c.owner;
    if (p.access == nullptr || p.up.unlimited()) return cap;
    // A send the size of 20 ms of the rate (at least a block and a few
    // messages): a slow uplink then sends steadily rather than a large
    // buffer and a long silence.
    return std::min<std::size_t>(cap, std::max<std::uint64_t>(p.up.rate() / 50, block_message + 64));
}

void link_sent(connection& c, std::size_t n, std::int64_t now) {
    swarm_peer& p = *c.owner;
    if (p.access != nullptr) p.up.take(now, n);
}

void link_drop(connection& c) {
    shard& s = *c.owner->owner;
    c.inbound.clear([&](delay_line<held_recv>::entry&& e) {
        s.counters.link_held.add(-static_cast<std::int64_t>(e.bytes));
        s.ctx->release_recv_buffer(e.item.data);
    });
    c.link_flush = false;
}

void link_stop(shard& s) {
    if (s.links.armed && !s.links.cancelling) {
        s.links.cancelling = true;
        s.ctx->cancel(s.links.op);  // its completion releases every entry (s.stopping)
    }
}

void link_setup_peer(swarm_peer& p) {
    const swarm_run& run = *p.owner->run;
    const swarm_scenario& sc = run.scenario;
    const link_class* l = nullptr;
    if (p.role == peer_role::leecher && p.index < run.leecher_links.size())
        l = &sc.links[run.leecher_links[p.index]];
    if (p.role == peer_role::seeder && !sc.seeder_link.empty())
        for (const link_class& c : sc.links)
            if (c.name == sc.seeder_link) l = &c;
    p.access = l;
    if (l == nullptr) return;
    p.up = token_bucket(l->up, link_burst(l->up));
    p.down = token_bucket(l->down, link_burst(l->down));
}

}  // namespace swarmbench::detail
