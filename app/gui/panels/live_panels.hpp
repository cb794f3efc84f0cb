// live_panels: the app's views of a running swarm's state (peers table,
// piece map, disk seek map), drawn from copies (swarm_snapshot) that the UI
// thread owns; no engine pointers. Each draws into the current ImGui window.
//
// Thread rules: main (UI) thread only, inside an ImGui frame.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "swarmbench/swarm/snapshot.hpp"

namespace swarmbench::gui {

/// Columns of the peers table, in display order (peers_view::sort_column).
enum peer_column : int {
    peer_col_leecher, peer_col_id, peer_col_local, peer_col_remote, peer_col_state, peer_col_slow, peer_col_link,
    peer_col_choked,
    peer_col_requests, peer_col_in_rate, peer_col_bytes_in, peer_col_bytes_out,
    peer_col_blocks, peer_col_request_p50, peer_col_notes,
    peer_column_count
};

/// The peers table's derived row order, kept between frames so it is rebuilt
/// only when the sort, the filter or the sorted/filtered data change (not
/// persisted; a plain cache the panel owns).
struct peers_table_cache {
    std::vector<std::size_t> order;   // indices into peers, sorted and filtered
    std::uint64_t fingerprint = 0;    // hash of the keys the order depends on
    std::size_t rows = 0;             // peers.size() it was built for (indices stay in range)
    int column = -1;                  // sort column the order was built for
    bool ascending = true;            // direction the order was built for
    std::string filter;               // filter the order was built for
    std::uint64_t rebuilds = 0;       // times the order was rebuilt (tests, stats)
};

/// Sort and filter state of the peers table (persisted UI state).
struct peers_view {
    int sort_column = 0;      // column index the table is sorted by
    bool ascending = true;    // sort direction
    std::string filter;       // substring matched against leecher and remote
    peers_table_cache cache;  // derived row order (not persisted)
};

/// The row order of the peers table: indices of peers whose leecher or
/// remote contains filter (case-insensitive; empty matches all), stably
/// sorted by column (a peer_column; out of range means unsorted). Names
/// compare naturally ("leecher-9" < "leecher-10"), booleans false < true,
/// equal keys keep index order in both directions. Pure; any thread.
std::vector<std::size_t> sorted_peer_order(const std::vector<peer_snapshot>& peers, int column,
                                           bool ascending, std::string_view filter = {});

/// A sortable table of every live connection, clipped (ImGuiListClipper) so
/// thousands of rows cost only the visible ones. Returns the rows submitted
/// this frame (the visible ones plus the clipper's measuring row), not the
/// rows matching the filter (view.cache.order.size()).
std::size_t draw_peers_table(const std::vector<peer_snapshot>& peers, peers_view& view);

struct piece_map_view {
    int leecher = -1;          // -1: one row per leecher; else only that one, larger
    float cell = 3.0f;         // pixel size of one piece cell
};

/// One grid per leecher: pieces missing, in flight and verified, in three
/// colours, drawn with ImDrawList. Rows wrap at the available width and a
/// run of equal cells is at most three rectangles (its partial first row,
/// its whole rows, its partial last row), so a finished leecher costs two.
void draw_piece_map(const std::vector<leecher_snapshot>& leechers, piece_map_view& view);

/// The disk writes the app has seen, bounded (oldest dropped first). Owned
/// by the UI thread like the other panel state; not synchronised.
class disk_history {
public:
    explicit disk_history(std::size_t capacity = 200000) : capacity_(capacity) {}
    /// Appends points, keeping time order (a batch need not be sorted), then
    /// drops the oldest beyond capacity.
    void add(const std::vector<disk_write_point>& points);
    void clear() { points_.clear(); dropped_ = 0; }
    const std::deque<disk_write_point>& points() const { return points_; }
    std::size_t capacity() const { return capacity_; }
    /// Points dropped for room since construction or clear().
    std::uint64_t dropped() const { return dropped_; }

private:
    std::size_t capacity_;                // most points kept
    std::deque<disk_write_point> points_; // in time order
    std::uint64_t dropped_ = 0;           // oldest points dropped for room
};

struct disk_map_view {
    double window_s = 30;      // seconds of history shown
    bool colour_by_leecher = true;  // else one colour
};

/// The disk seek map: write offset (y, 0..torrent_bytes; 0 means unknown,
/// fit the writes) over time (x, the last window_s seconds up to now_s, on
/// the clock of disk_write_point::t_s), one dot per write coloured by
/// leecher, hover shows the nearest write. Dots landing on an already drawn
/// 2-pixel cell are skipped (newest wins), so a frame costs at most one dot
/// per cell however many writes the window holds.
void draw_disk_map(const disk_history& history, double now_s, std::uint64_t torrent_bytes,
                   disk_map_view& view);

}  // namespace swarmbench::gui
