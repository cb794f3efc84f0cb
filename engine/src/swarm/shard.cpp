// shard: what one engine context does for the swarm: its periodic tick
// (steering, rate-limit refills, churn, choking, reconnects, freeing ended
// connections), its part of injected faults, set-up of its peers, the
// deferred effects of their sessions (shard_settle), and teardown.
//
// Faults arrive posted by the controller, already split over the shards:
// drop closes random live leecher-side connections here, stall silences
// random live seeder-side ones, corrupt is a count of blocks the seeders
// here send with a flipped byte (swarm_peer.cpp).
//
// Teardown: shard_stop() closes every connection and listener; each close
// cancels what is pending on it. `live` counts every operation and storage
// write the shard has in flight; when it reaches zero the shard closes its
// files and rings the controller.
#include <algorithm>

#include "swarm_types.hpp"
#include "swarmbench/error.hpp"
#include "swarmbench/log.hpp"
#include "swarmbench/splitmix.hpp"

namespace swarmbench::detail {

namespace {
constexpr auto tick_period = std::chrono::milliseconds(20);

void on_tick(operation& op);
void finish_shard(shard& s);

void arm_tick(shard& s) {
    s.tick_op.code = op_code::timer;
    s.tick_op.timeout = tick_period;
    s.tick_op.user = &s;
    s.tick_op.on_complete = on_tick;
    s.tick_pending = true;
    submit_shard_op(s, s.tick_op);
}

void churn(shard& s, double dt_s) {
    const swarm_scenario& sc = s.run->scenario;
    if (s.steer.churn_per_s <= 0 || s.leechers.empty()) return;
    // This shard's share of the swarm-wide rate, by its share of leechers.
    s.churn_budget += s.steer.churn_per_s * dt_s * static_cast<double>(s.leechers.size()) / sc.leechers;
    for (int guard = 0; s.churn_budget >= 1 && guard < 10000; ++guard) {
        s.churn_budget -= 1;
        swarm_peer& l = *s.leechers[next_random(s) % s.leechers.size()];
        if (!l.done) peer_churn_one(l);
    }
}

void on_tick(operation& op) {
    shard& s = *static_cast<shard*>(op.user);
    s.tick_pending = false;
    if (!s.stopping) {
        const std::int64_t now = steady_ns();
        const double dt_s = static_cast<double>(now - s.last_tick_ns) / 1e9;
        s.last_tick_ns = now;
        for (auto& p : s.seeders) peer_tick(*p, now);
        for (auto& p : s.leechers) peer_tick(*p, now);
        churn(s, dt_s);
        arm_tick(s);
    }
    shard_op_done(s);
    shard_settle(s);
}

/// Moves `n` (at most all) randomly chosen entries of `v` to its front
/// (partial Fisher-Yates) and returns how many were chosen.
std::size_t choose_random(shard& s, std::vector<connection*>& v, std::uint64_t n) {
    const std::size_t k = static_cast<std::size_t>(std::min<std::uint64_t>(n, v.size()));
    for (std::size_t i = 0; i < k; ++i) std::swap(v[i], v[i + next_random(s) % (v.size() - i)]);
    return k;
}

/// The shard's end, once nothing is in flight: the last summaries, files
/// closed, the controller told.
void finish_shard(shard& s) {
    for (auto& l : s.leechers) {
        peer_tick(*l, steady_ns());  // collects the last summaries
        if (l->storage) l->storage->close_files();
    }
    if (s.content) s.content->close_files();
    for (auto& sd : s.seeders) peer_tick(*sd, steady_ns());
    s.run->finished.fetch_add(1, std::memory_order_release);
    s.run->bell.ring();
}

}  // namespace

void shard_steer(shard& s, const steering& v) {
    s.steer = v;
}

void shard_apply_fault(shard& s, const swarm_fault& f) {
    if (s.stopping) return;
    std::vector<connection*> live;
    switch (f.kind) {
        case swarm_fault::kind_t::drop: {
            for (auto& l : s.leechers)
                for (auto& c : l->conns)
                    if (c->established()) live.push_back(c.get());
            // Closing one only queues its reconnect: `live` stays valid.
            const std::size_t k = choose_random(s, live, f.count);
            for (std::size_t i = 0; i < k; ++i) conn_close(*live[i], drop_fault_reason);
            log().debug("shard {}: fault: dropped {} of {} live connections", s.index, k, live.size());
            break;
        }
        case swarm_fault::kind_t::stall: {
            for (auto& sd : s.seeders)
                for (auto& c : sd->conns)
                    if (c->established()) live.push_back(c.get());
            const std::int64_t until = steady_ns() + static_cast<std::int64_t>(f.seconds * 1e9);
            const std::size_t k = choose_random(s, live, f.count);
            for (std::size_t i = 0; i < k; ++i) live[i]->session->stall_until(until);
            log().debug("shard {}: fault: stalled {} of {} live connections for {} s", s.index, k, live.size(),
                        f.seconds);
            break;
        }
        case swarm_fault::kind_t::corrupt:
            s.corrupt_blocks += f.count;
            log().debug("shard {}: fault: the next {} blocks sent go out corrupted", s.index, f.count);
            break;
    }
    shard_settle(s);
}

void shard_settle(shard& s) {
    if (s.settling) return;  // the outer call carries on
    s.settling = true;
    // Each step may ask for more (a hash passes: HAVEs to flush; a leecher
    // completes: closes once sent): go round until nothing is left.
    for (int round = 0; round < 1000 && (!s.deferred.empty() || !s.flushes.empty()); ++round) {
        for (std::size_t i = 0; i < s.deferred.size(); ++i) {
            const deferred_action a = s.deferred[i];  // (the vector may grow)
            switch (a.kind) {
                case deferred_action::kind_t::hashed: a.peer->bt->piece_hashed(a.piece, a.passed); break;
                case deferred_action::kind_t::completed: leecher_complete(*a.peer); break;
                case deferred_action::kind_t::close_done: conn_close(*a.conn, "done"); break;
            }
        }
        s.deferred.clear();
        for (std::size_t i = 0; i < s.flushes.size(); ++i) {
            connection& c = *s.flushes[i];
            c.flush_queued = false;
            conn_flush(c);
        }
        s.flushes.clear();
    }
    s.settling = false;
}

std::uint64_t next_random(shard& s) noexcept { return splitmix64(s.rng); }

void submit_shard_op(shard& s, operation& op) {
    ++s.live;
    s.ctx->submit(op);
}

void shard_op_done(shard& s) {
    --s.live;
    maybe_finish_shard(s);
}

void maybe_finish_shard(shard& s) {
    if (!s.stopping || s.finished || s.live != 0) return;
    s.finished = true;
    // Not here: this runs inside the completion callback of the last
    // operation, which may still hold its connection, and finishing frees
    // every ended connection. A posted function runs once that callback (and
    // the rest of its batch) has returned.
    s.ctx->post([&s] { finish_shard(s); });
}

void record_error(shard& s, const std::string& message) {
    s.counters.errors.add(1);
    log().error("{}", message);
    s.run->errors.add(message);
}

void record_latency(shard& s, latency_histogram interval_histograms::*which, latency_histogram shard::*run_hist,
                    std::int64_t ns) {
    const auto d = std::chrono::nanoseconds(ns);
    (s.*run_hist).record(d);
    std::lock_guard lock(s.counters.hist_mutex);
    (s.counters.interval.*which).record(d);
}

std::string shard_setup(shard& s, io_context& ctx) {
    s.ctx = &ctx;
    const swarm_run& run = *s.run;
    const swarm_scenario& sc = run.scenario;
    s.steer = run.steer;  // with what was steered before the run: in force from the first connection
    s.rng = sc.seed * 0x2545F4914F6CDD1DULL + s.index;
    for (auto& sd : s.seeders) {
        endpoint where;
        std::error_code ec;
        where = endpoint::parse(sc.listen_host + ":" + std::to_string(sc.base_port ? sc.base_port + sd->index : 0), ec);
        if (!ec) ec = peer_listen(*sd, where);
        if (ec)
            return describe_error(sd->name + ": cannot listen on " + where.to_string(), ec);
    }
    if (!s.seeders.empty() && !run.content_seed) {
        // Serving a torrent_file from its files: one read-only storage per shard.
        file_storage_options o;
        o.preallocate = false;
        o.truncate = false;
        o.read_only = true;
        auto st = open_file_storage(ctx, *run.torrent, sc.content_dir, o);
        if (!st) return "content_dir: " + st.error();
        s.content = std::move(st.value());
    }
    for (auto* group : {&s.seeders, &s.leechers})
        for (auto& p : *group)
            if (std::string e = peer_setup(*p, ctx); !e.empty()) return e;
    return {};
}

void shard_start(shard& s) {
    // The tick starts with the peers: one before peer_start would steer a
    // leecher with no connections yet up to its target, and peer_start would
    // dial them all again (under load the other shards' set-up can take
    // longer than a tick).
    s.last_tick_ns = steady_ns();
    arm_tick(s);
    for (auto& sd : s.seeders) peer_start(*sd);
    for (auto& l : s.leechers) peer_start(*l);
    shard_settle(s);
}

void shard_stop(shard& s) {
    if (s.stopping) return;
    s.stopping = true;
    if (s.tick_pending) s.ctx->cancel(s.tick_op);
    link_stop(s);
    for (auto& sd : s.seeders) peer_stop(*sd);
    for (auto& l : s.leechers) peer_stop(*l);
    shard_settle(s);
    maybe_finish_shard(s);
}

}  // namespace swarmbench::detail
