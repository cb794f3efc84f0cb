// live_view_state: what the live panels (peers table, piece map, disk seek
// map; app/gui/panels/) draw from: the latest snapshot copy, the disk writes
// seen so far, and each panel's view settings.
//
// Thread rules: UI (main) thread only.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "panels/live_panels.hpp"
#include "swarmbench/results.hpp"
#include "swarmbench/swarm/snapshot.hpp"

namespace swarmbench::gui {

struct live_view_state {
    std::optional<swarm_snapshot> snapshot;  // the latest (its writes moved into `writes`)
    disk_history writes;                     // every disk write seen, bounded
    std::uint64_t dropped_writes = 0;        // writes the engine thinned out
    std::uint64_t torrent_bytes = 0;         // y range of the disk map
    peers_view peers;                        // peers table sort and filter
    piece_map_view pieces;                   // piece map layout
    disk_map_view disk;                      // disk map window
};

/// Takes a snapshot in: keeps it as the latest and appends its writes
/// (panel_live.cpp). UI thread.
void absorb_snapshot(live_view_state& live, swarm_snapshot&& snap);
/// At the end of a run: the peers table shows every connection the run made,
/// in its final state with its close reason (results' peers), not the last
/// snapshot's, so its count and totals are the summary's. UI thread.
void absorb_final_peers(live_view_state& live, const std::vector<peer_summary>& peers);
/// Forgets the previous run's live data (not the view settings).
void reset_live(live_view_state& live, std::uint64_t torrent_bytes);

}  // namespace swarmbench::gui
