// sample: one row of a swarm's time series, taken every interval_ms, and the
// column table that turns it into timeseries.csv, results.json and graphs.
//
// Cumulative counters end in _total; rates are over the interval that ends
// at t_s; latency percentiles are over that interval too (0 when nothing
// completed in it).
//
// Thread rules: plain values; copy freely.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace swarmbench {

struct swarm_sample {
    double t_s = 0;                     // seconds since the swarm started moving data
    // network (payload and protocol bytes on every socket)
    std::uint64_t net_in_total = 0;     // bytes received
    std::uint64_t net_out_total = 0;    // bytes sent
    double net_in_bps = 0;              // bytes/s received
    double net_out_bps = 0;             // bytes/s sent
    // goodput: new block payload accepted by leechers (duplicates excluded)
    std::uint64_t payload_total = 0;    // bytes
    double goodput_bps = 0;             // bytes/s
    // disk
    std::uint64_t disk_write_total = 0; // bytes written
    double disk_write_bps = 0;          // bytes/s
    double disk_write_us_p50 = 0;       // write completion latency, microseconds
    double disk_write_us_p90 = 0;
    double disk_write_us_p99 = 0;
    // request -> piece message latency, milliseconds
    double request_ms_p50 = 0;
    double request_ms_p90 = 0;
    double request_ms_p99 = 0;
    // connections
    std::uint32_t connections_active = 0;     // handshaken and not closed
    std::uint32_t connections_half_open = 0;  // connect or handshake in progress
    double connect_ms_p50 = 0;          // connect() latency over the interval
    double connect_ms_p99 = 0;
    std::uint64_t connects_total = 0;   // connections established so far
    std::uint64_t disconnects_total = 0;  // connections lost or dropped so far
    // pieces
    std::uint64_t pieces_complete_total = 0;  // whole pieces, all leechers (hash-checked when results say pieces_hashed)
    std::uint64_t pieces_wanted = 0;          // pieces x leechers
    std::uint64_t hash_failures_total = 0;    // failed their hash
    std::uint64_t protocol_errors_total = 0;  // peers dropped for breaking the protocol
    std::uint32_t leechers_done = 0;          // leechers with every piece
    // process
    double cpu_percent = 0;             // process CPU over the interval (100 = one core)
    std::uint64_t rss_bytes = 0;        // resident memory
    // named outside clients (upload_to, connect_to)
    std::uint32_t client_connections = 0;  // established connections to them
    double client_down_s = 0;           // the longest any one of them has had no connection (0: each has one)
    // access links (scenario links)
    std::uint64_t link_held_bytes = 0;  // received bytes the links hold, not yet due (receive-pool buffers)
};

/// A column of the time series: its name (CSV header, JSON key) and unit
/// ("s", "B", "B/s", "us", "ms", "count", "%").
struct sample_column {
    std::string name;  // e.g. "net_in_bps"
    std::string unit;  // e.g. "B/s"
};

/// The columns, in CSV order (t_s first).
const std::vector<sample_column>& sample_columns();
/// One sample as values in sample_columns() order (counters as doubles,
/// exact below 2^53).
std::vector<double> sample_values(const swarm_sample& s);

}  // namespace swarmbench
