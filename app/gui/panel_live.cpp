// The live tabs: the peers table, piece map and disk seek map drawn by the
// panels library (app/gui/panels/) from the latest snapshot copy.
#include <imgui.h>

#include "panels.hpp"

namespace swarmbench::gui {

void absorb_snapshot(live_view_state& live, swarm_snapshot&& snap) {
    live.writes.add(snap.writes);
    live.dropped_writes += snap.dropped_writes;
    snap.writes.clear();
    live.snapshot = std::move(snap);
}

void absorb_final_peers(live_view_state& live, const std::vector<peer_summary>& peers) {
    if (!live.snapshot) live.snapshot.emplace();  // a run too short for a snapshot still has its connections
    std::vector<peer_snapshot>& rows = live.snapshot->peers;
    rows.clear();
    rows.reserve(peers.size());
    for (const peer_summary& p : peers) {
        peer_snapshot r;
        r.leecher = p.leecher;
        r.id = p.id;
        r.local = p.local;
        r.remote = p.remote;
        r.state = p.state;  // "done", "closed by the remote", "dropped: <reason>", ...
        r.slow = p.slow;
        r.link = p.link;
        r.choked = false;   // nothing is choked once it has ended
        r.bytes_in = p.bytes_in;
        r.bytes_out = p.bytes_out;
        r.blocks = p.blocks;
        r.request_ms_p50 = p.request_ms_p50;
        r.notes = p.notes;
        rows.push_back(std::move(r));
    }
}

void reset_live(live_view_state& live, std::uint64_t torrent_bytes) {
    live.snapshot.reset();
    live.writes.clear();
    live.dropped_writes = 0;
    live.torrent_bytes = torrent_bytes;
}

namespace {
bool no_snapshot(const app_state& state) {
    if (state.live.snapshot) return false;
    ImGui::TextDisabled(state.phase == run_phase::running ? "waiting for the first snapshot..."
                                                          : "start a swarm run to see its live state");
    return true;
}
}  // namespace

void draw_peers_tab(app_state& state) {
    if (no_snapshot(state)) return;
    draw_peers_table(state.live.snapshot->peers, state.live.peers);
}

void draw_pieces_tab(app_state& state) {
    if (no_snapshot(state)) return;
    draw_piece_map(state.live.snapshot->leechers, state.live.pieces);
}

void draw_disk_tab(app_state& state) {
    if (no_snapshot(state)) return;
    if (state.live.dropped_writes > 0)
        ImGui::TextDisabled("%llu writes thinned out by the engine",
                            static_cast<unsigned long long>(state.live.dropped_writes));
    const double now = state.samples.empty() ? state.live.snapshot->t_s : state.samples.back().t_s;
    draw_disk_map(state.live.writes, now, state.live.torrent_bytes, state.live.disk);
}

}  // namespace swarmbench::gui
