// snapshot: the shards' side of swarm_snapshot (snapshot.hpp) and the
// controller's merge.
//
// [SECTION] write_recorder: storage writes between two snapshots
// [SECTION] a shard's part (the shard's thread)
// [SECTION] merging (the controller's thread)
//
// Cost: nothing unless swarm_run::snapshots; then one small append per
// storage write, and per snapshot O(pieces x leechers + connections) copying
// on each shard's thread.
#include <algorithm>

#include "swarm_types.hpp"

namespace swarmbench::detail {

namespace {

const char* state_name(const connection& c) noexcept {
    if (c.state == conn_state::connecting) return "connecting";
    if (c.state == conn_state::closing) return "closing";
    return c.up ? "active" : "handshaking";
}

}  // namespace

// ---------------------------------------------------------------------------
// [SECTION] write_recorder
// ---------------------------------------------------------------------------

std::uint64_t thin_evenly(std::vector<disk_write_point>& points, std::size_t cap) {
    const std::size_t n = points.size();
    if (n <= cap) return 0;
    // Index i*n/cap never runs behind i, so copying forward in place is safe.
    for (std::size_t i = 0; i < cap; ++i) points[i] = points[i * n / cap];
    points.resize(cap);
    return n - cap;
}

void write_recorder::record(const disk_write_point& p) {
    if (++phase_ < stride_) {
        ++dropped_;
        return;
    }
    phase_ = 0;
    points_.push_back(p);
    if (points_.size() < bound) return;
    // Full: keep every other point, and from now on one write in 2 x stride_.
    const std::size_t n = points_.size();
    for (std::size_t i = 0; 2 * i < n; ++i) points_[i] = points_[2 * i];
    points_.resize((n + 1) / 2);
    dropped_ += n / 2;
    stride_ *= 2;
}

std::uint64_t write_recorder::take(std::vector<disk_write_point>& out, std::size_t cap) {
    std::uint64_t dropped = dropped_ + thin_evenly(points_, cap);
    out.insert(out.end(), points_.begin(), points_.end());
    points_.clear();  // keeps its capacity: the steady state allocates nothing here
    dropped_ = 0;
    stride_ = 1;
    phase_ = 0;
    return dropped;
}

void record_write(shard& s, const swarm_peer& l, std::uint32_t piece, std::uint32_t begin, std::uint32_t length) {
    disk_write_point p;
    p.t_s = static_cast<double>(steady_ns() - s.run->start_ns) / 1e9;
    p.leecher = l.index;
    p.offset = s.run->torrent->geometry().piece_offset(piece) + begin;
    p.length = length;
    s.writes.record(p);
}

// ---------------------------------------------------------------------------
// [SECTION] a shard's part
// ---------------------------------------------------------------------------

namespace {

leecher_snapshot snapshot_of(const swarm_peer& l) {
    leecher_snapshot out;
    out.name = l.name;
    out.done = l.done;
    out.rounds = l.rounds_done;
    if (!l.bt) return out;  // set-up never reached it
    const bt::piece_picker& p = l.bt->picker();
    const std::uint32_t pieces = p.geometry().piece_count();
    out.pieces.assign(pieces, piece_missing);
    for (std::uint32_t i = 0; i < pieces; ++i) {
        if (p.have(i)) {
            out.pieces[i] = piece_have;
            ++out.have;
        } else if (p.downloading(i)) {
            out.pieces[i] = piece_in_flight;
            ++out.in_flight;
        }
    }
    return out;
}

constexpr std::uint32_t seeder_rows = 0x8000'0000u;  // sort key of seeder rows: after the leechers'

/// One connection of our peer `ours` (a leecher's, or a seeder's with an
/// outside client); remembers bytes_in for the next in_bps.
peer_snapshot snapshot_of(connection& c, const std::string& ours, std::int64_t now) {
    peer_snapshot out;
    out.leecher = ours;
    out.id = c.id;
    out.local = c.local;
    const bt::peer_session* session = c.session.get();
    out.remote = session && !session->remote_client().empty() ? c.remote + " (" + session->remote_client() + ")" : c.remote;
    out.state = state_name(c);
    out.slow = c.slow;
    if (c.owner->access != nullptr) out.link = c.owner->access->name;
    std::uint64_t bytes_in = 0;
    if (session) {
        const bool serving = c.owner->role == peer_role::seeder;
        const bt::session_stats& st = session->stats();
        bytes_in = st.bytes_in;
        out.choked = session->peer_choking();
        out.interested = session->am_interested();
        out.requests = static_cast<std::uint32_t>(serving ? session->requests_queued() : session->requests_out());
        out.bytes_in = st.bytes_in;
        out.bytes_out = st.bytes_out;
        out.blocks = serving ? st.blocks_out : st.blocks_in;
        if (const compact_histogram* h = serving ? session->serve_latency() : session->request_latency())
            out.request_ms_p50 = h->percentile_ns(0.5) / 1e6;
    }
    out.notes = notes_of(c);
    // First snapshot of this connection: its rate since it was opened.
    const std::int64_t since = c.snap_ns != 0 ? c.snap_ns : c.connect_start_ns;
    if (since > 0 && now > since)
        out.in_bps = static_cast<double>(bytes_in - c.snap_bytes_in) / (static_cast<double>(now - since) / 1e9);
    c.snap_ns = now;
    c.snap_bytes_in = bytes_in;
    return out;
}

}  // namespace

void fill_snapshot(shard& s, snapshot_part& out) {
    const std::int64_t now = steady_ns();
    out.leechers.reserve(s.leechers.size());
    for (const auto& lp : s.leechers) {
        swarm_peer& l = *lp;
        out.leechers.emplace_back(l.index, snapshot_of(l));
        for (auto& c : l.conns) out.peers.emplace_back(l.index, snapshot_of(*c, l.name, now));
    }
    // Seeders' connections with outside clients (upload, seed): what a user
    // testing a client watches. Listed after every leecher's.
    for (const auto& sp : s.seeders)
        for (auto& c : sp->conns)
            if (c->external) out.peers.emplace_back(seeder_rows + sp->index, snapshot_of(*c, sp->name, now));
    out.dropped_writes = s.writes.take(out.writes, disk_points_per_snapshot);
    out.filled.store(true, std::memory_order_release);
}

// ---------------------------------------------------------------------------
// [SECTION] merging
// ---------------------------------------------------------------------------

bool adopt_late_writes(snapshot_round& late, snapshot_part& into) {
    bool all = true;
    for (snapshot_part& p : late.parts) {
        if (p.adopted) continue;
        if (!p.filled.load(std::memory_order_acquire)) {
            all = false;
            continue;
        }
        into.writes.insert(into.writes.end(), p.writes.begin(), p.writes.end());
        into.dropped_writes += p.dropped_writes;
        p.writes = {};
        p.adopted = true;
    }
    return all;
}

swarm_snapshot merge_snapshot(snapshot_round& round, std::uint32_t leechers) {
    swarm_snapshot out;
    out.leechers.resize(leechers);
    std::vector<std::pair<std::uint32_t, peer_snapshot>> peers;
    for (snapshot_part& p : round.parts) {
        for (auto& [index, l] : p.leechers)
            if (index < leechers) out.leechers[index] = std::move(l);
        for (auto& entry : p.peers) peers.push_back(std::move(entry));
        out.writes.insert(out.writes.end(), p.writes.begin(), p.writes.end());
        out.dropped_writes += p.dropped_writes;
    }
    // Each part lists a leecher's connections together; keep that order.
    std::stable_sort(peers.begin(), peers.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    out.peers.reserve(peers.size());
    for (auto& entry : peers) out.peers.push_back(std::move(entry.second));
    std::stable_sort(out.writes.begin(), out.writes.end(),
                     [](const disk_write_point& a, const disk_write_point& b) { return a.t_s < b.t_s; });
    out.dropped_writes += thin_evenly(out.writes, disk_points_per_snapshot);
    return out;
}

}  // namespace swarmbench::detail
