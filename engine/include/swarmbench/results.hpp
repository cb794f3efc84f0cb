// results: the one results document every mode produces (stream, disk, and
// later the swarm), and its JSON form. docs/results-schema.md describes it.
//
//   { "schema": 1, "config": {...}, "environment": {...},
//     "summary": {...}, "timeseries": { "t_s": [...], "bytes": [...], ... } }
//
// A mode fills the common fields and the optional block that is its own; a
// new mode adds one optional block here and its fields in to_json.
//
// Thread rules: plain values; build them on one thread, copy freely.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "swarmbench/backend.hpp"

namespace swarmbench {

/// The results schema version; bump when a field changes meaning.
inline constexpr int results_schema_version = 2;

/// "0.1.0": the version this library was built as.
const char* version() noexcept;

/// Where a run happened. Deliberately no hostname (results get shared).
struct environment_info {
    std::string backend;         // active backend: "io_uring", "epoll", "iocp"; "none" if none ran
    std::string backend_reason;  // why that one (fallbacks say what failed)
    std::string os;              // "Linux", "Windows"
    std::string kernel;          // uname release + version
    std::string cpu_model;       // "AMD EPYC 7B13" (from /proc/cpuinfo)
    unsigned cores = 0;          // hardware threads
    std::string swarmbench_version;  // version()
};

/// Fills everything but the backend fields (any thread).
environment_info detect_environment();

/// Connection set-up figures (stream, swarm).
struct connection_summary {
    std::uint64_t requested = 0;    // connections asked for (0 in --listen mode)
    std::uint64_t established = 0;  // connects that succeeded (listen mode: accepted)
    std::uint64_t accepted = 0;     // connections the receiving side accepted
    std::uint64_t failed = 0;       // connects that failed or timed out
    double connect_seconds = 0;     // first connect to last established
    double connect_rate_per_s = 0;  // established / connect_seconds
    double rss_bytes_per_connection = 0;  // process RSS growth while establishing / established
};

/// Disk-write figures.
struct disk_summary {
    std::uint64_t ops = 0;          // writes completed
    double iops = 0;                // ops / seconds
    double latency_us_p50 = 0;      // per-write completion latency, microseconds
    double latency_us_p99 = 0;
    double latency_us_p999 = 0;
    double latency_us_mean = 0;
    double latency_us_max = 0;
    double fsync_seconds = 0;       // final fdatasync, included in seconds (0 without --fsync)
    std::string path;               // the file written
};

/// What the leechers of one access-link class (scenario links) downloaded.
struct link_goodput {
    std::string name;                  // the class
    std::uint32_t leechers = 0;        // leechers of the class
    std::uint64_t bytes = 0;           // payload they received
    double goodput_bytes_per_s = 0;    // sum of each leecher's bytes over its time (to its completion, else the run's)
    double per_leecher_bytes_per_s = 0;  // ...their mean
};

/// Swarm figures (mode "swarm").
struct swarm_summary {
    std::uint32_t seeders = 0;               // seeders that ran
    std::uint32_t leechers = 0;              // leechers that ran
    std::uint32_t leechers_complete = 0;     // leechers that verified every piece
    std::uint64_t torrent_bytes = 0;         // size of the torrent
    std::uint32_t piece_count = 0;           // pieces in the torrent
    std::uint64_t pieces_complete = 0;       // pieces completed, all leechers (and outside clients)
    std::uint64_t pieces_verified = 0;       // ...of them, those that passed a SHA-1 check (0 when not hashed)
    bool pieces_hashed = false;              // pieces were SHA-1 checked (files, a torrent_file, outside clients)
    std::uint64_t hash_failures = 0;         // pieces that failed their hash
    std::uint64_t protocol_errors = 0;       // peers dropped for breaking the protocol
    std::uint64_t disconnects = 0;           // connections lost or dropped (churn included)
    std::uint64_t connect_failures = 0;      // outgoing connections that never finished the handshake
                                             //   (refused, reset, timed out, no descriptor left)
    std::uint64_t net_bytes_in = 0;          // every byte received on a socket
    std::uint64_t net_bytes_out = 0;         // every byte sent
    std::uint64_t disk_bytes_written = 0;    // bytes written to files (0 with storage discard)
    double completion_seconds = 0;           // first byte to last leecher (or outside client) complete (0: not all completed)
    std::uint32_t remote_peers = 0;          // outside clients that handshook with our seeders (by address)
    std::uint32_t remote_peers_complete = 0; // ...of them, those that announced every piece (their hash checks passed)
    std::uint64_t client_redials = 0;        // dials to named clients (upload_to, connect_to) after a lost or failed one
    double client_down_s_max = 0;            // longest a named client had no connection with us (sampled; 0: none named)
    double request_ms_p50 = 0;               // request -> piece latency over the run
    double request_ms_p90 = 0;
    double request_ms_p99 = 0;
    double disk_write_us_p50 = 0;            // write completion latency over the run
    double disk_write_us_p99 = 0;
    double connect_ms_p50 = 0;               // connect latency over the run
    double connect_ms_p99 = 0;
    double cpu_seconds_per_gib = 0;          // cpu_seconds / (bytes / GiB)
    std::vector<link_goodput> links;         // per access-link class, in the scenario's order (empty: no links)
    std::uint64_t link_chunks = 0;           // received chunks the links held, all peers
    double link_late_ms_p50 = 0;             // how much later than due they were delivered
    double link_late_ms_p99 = 0;
    std::string storage;                     // "files", "discard", "disk_only"
    std::string data_dir;                    // where files went ("" if none)
    bool data_kept = false;                  // data_dir still exists after the run
};

/// One connection's life (results.json "peers").
struct peer_summary {
    std::string leecher;              // "leecher-03" (or the seeder serving an outside client)
    std::uint32_t id = 0;             // the connection's number at that peer: leecher and id name it
    std::string local;                // our end's address ("127.0.0.5:40123"; "" if it never opened)
    std::string remote;               // "seeder-01 127.0.0.1:40123" or the connect_to address
    std::string state;                // "done", "closed", "dropped: <reason>", "failed: <reason>"
    bool slow = false;                // rate-limited as a slow peer
    std::string link;                 // our peer's access-link class (scenario links), "" when not emulated
    std::uint64_t bytes_in = 0;       // received on this connection
    std::uint64_t bytes_out = 0;      // sent on this connection
    std::uint64_t blocks = 0;         // new blocks it delivered
    std::uint64_t requests = 0;       // requests sent
    std::uint64_t rejects = 0;        // requests rejected or lost to choke
    double request_ms_p50 = 0;        // request -> piece latency on this connection
    double request_ms_p99 = 0;
    double connected_s = 0;           // seconds it was connected
    /// Bends of the protocol the remote made that we accepted, as real clients
    /// do, and how often: "late bitfield", "unknown extension message", ...
    /// (bt::message::bend and the swarm's own). Empty for a peer that kept to
    /// the letter.
    std::map<std::string, std::uint64_t> notes;
};

/// The headline numbers. `bytes` and `seconds` cover the measured window only
/// (not connection set-up or file preallocation).
struct run_summary {
    std::string status = "ok";        // "ok", "interrupted" (SIGINT / stop), "failed"
    std::uint64_t bytes = 0;          // payload bytes counted in the window
    double seconds = 0;               // length of the measured window
    double goodput_bytes_per_s = 0;   // bytes / seconds
    std::string counted_at;           // "receiver", "sender" or "disk": where bytes were counted
    double cpu_seconds = 0;           // process user+sys CPU during the window
    std::uint64_t errors = 0;         // failed operations (cancellations at the end are not errors)
    std::vector<std::string> error_messages;  // the first few, each naming its fix
    std::optional<connection_summary> connections;  // stream and swarm
    std::optional<disk_summary> disk;               // disk
    std::optional<swarm_summary> swarm;             // swarm
};

/// Equal-length columns, one row per sample. `bytes` is cumulative from the
/// start of the window; goodput_bytes_per_s is the rate over the interval
/// that ends at t_s. Modes add columns to `extra`, each as long as t_s.
struct timeseries {
    std::vector<double> t_s;                   // seconds since the window opened
    std::vector<std::uint64_t> bytes;          // cumulative payload bytes
    std::vector<double> goodput_bytes_per_s;   // rate over the last interval
    std::map<std::string, std::vector<double>> extra;  // mode columns, e.g. "ops"

    /// Appends one row (extra columns are appended by the caller).
    void push(double t, std::uint64_t total_bytes, double rate);
    std::size_t size() const noexcept { return t_s.size(); }
};

/// Something that changed during a run: a steering change or an injected
/// fault (swarm). Graphs draw them as markers.
struct run_event {
    double t_s = 0;    // seconds since the window opened, as timeseries t_s
    std::string what;  // "pipeline 16 -> 32", "drop 10 connections", "stall 4 connections for 2 s"
};

/// One run's whole document.
struct results {
    std::string mode;            // "stream", "disk", "swarm"
    nlohmann::json config;       // the mode and every option, as the run saw them
    environment_info environment;
    run_summary summary;
    timeseries series;
    std::vector<peer_summary> peers;  // swarm: one per connection made
    std::vector<run_event> events;    // swarm: steering changes and faults, in time order
};

nlohmann::json to_json(const environment_info& env);
nlohmann::json to_json(const run_summary& summary);
nlohmann::json to_json(const timeseries& series);
nlohmann::json to_json(const peer_summary& peer);
nlohmann::json to_json(const run_event& event);
/// The whole document (see docs/results-schema.md).
nlohmann::json to_json(const results& r);

/// Whether the run measured anything: false for one that failed before its
/// window opened (a port in use, a folder it cannot write), whose summary is
/// then only its errors.
bool measured(const results& r) noexcept;

/// Graphs of fewer samples than this are a dot or a step, not a curve.
inline constexpr std::size_t few_samples = 10;

/// "only 4 samples over 0.31 s: too few to graph; run longer (duration_s, a
/// rate_limit or a larger torrent)", or nullopt for a run with enough (or
/// one that never ran). The CLI's summary and the app's log show it.
std::optional<std::string> few_samples_warning(const results& r);

/// Sets summary.seconds, bytes and goodput together (goodput 0 for an empty window).
void set_goodput(run_summary& summary, std::uint64_t bytes, double seconds);

}  // namespace swarmbench
