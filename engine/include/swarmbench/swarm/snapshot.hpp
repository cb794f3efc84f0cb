// snapshot: a copy of a running swarm's state for live views (the app's
// peers table, piece maps and disk seek map; Python's live inspection).
//
// The controller asks every shard for its part on the shard's own thread (a
// posted function), merges the parts and hands the copy to
// swarm_hooks::on_snapshot, so readers never touch engine state. Taken every
// swarm_hooks::snapshot_interval (only when on_snapshot is set); costs one
// post per context and O(pieces x leechers + connections) copying.
//
// Thread rules: plain values; the receiver owns its copy.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace swarmbench {

/// One live connection, as a leecher sees it.
struct peer_snapshot {
    std::string leecher;              // "leecher-03"
    std::uint32_t id = 0;             // the connection's number at its peer (peer_summary::id)
    std::string local;                // our end's address ("" until open)
    std::string remote;               // "seeder-01 127.0.0.1:40123"
    std::string state;                // "connecting", "handshaking", "active", "closing"
    bool slow = false;                // rate-limited as a slow peer
    std::string link;                 // our peer's access-link class (peer_summary::link), "" when not emulated
    bool choked = true;               // the remote chokes us
    bool interested = false;          // we are interested in the remote
    std::uint32_t requests = 0;       // requests outstanding
    std::uint64_t bytes_in = 0;       // received so far
    std::uint64_t bytes_out = 0;      // sent so far
    double in_bps = 0;                // receive rate since the previous snapshot
    std::uint64_t blocks = 0;         // new blocks delivered
    double request_ms_p50 = 0;        // request -> piece latency so far
    std::map<std::string, std::uint64_t> notes;  // bends accepted so far (peer_summary::notes)
};

/// Piece states of one leecher, one byte per piece.
enum piece_cell : std::uint8_t { piece_missing = 0, piece_in_flight = 1, piece_have = 2 };

struct leecher_snapshot {
    std::string name;                  // "leecher-03"
    std::vector<std::uint8_t> pieces;  // piece_cell per piece
    std::uint32_t have = 0;            // pieces verified
    std::uint32_t in_flight = 0;       // pieces being downloaded
    bool done = false;                 // every piece verified
    std::uint32_t rounds = 0;          // completed downloads (timed runs repeat)
};

/// One storage write: where in the torrent it landed, and when.
struct disk_write_point {
    double t_s = 0;                // seconds since the data phase began
    std::uint32_t leecher = 0;     // leecher index (0-based)
    std::uint64_t offset = 0;      // byte offset in the torrent's stream
    std::uint32_t length = 0;      // bytes
};

struct swarm_snapshot {
    double t_s = 0;                          // when it was taken (same clock as samples)
    std::vector<leecher_snapshot> leechers;  // by leecher index
    std::vector<peer_snapshot> peers;        // every live connection, by leecher
    /// Writes since the previous snapshot, at most disk_points_per_snapshot
    /// (evenly thinned when there were more); dropped_writes says how many
    /// were left out.
    std::vector<disk_write_point> writes;
    std::uint64_t dropped_writes = 0;
};

/// Cap on swarm_snapshot::writes per snapshot.
inline constexpr std::size_t disk_points_per_snapshot = 4096;

}  // namespace swarmbench
