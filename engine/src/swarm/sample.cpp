// sample: the column table of the swarm time series. One table lists each
// column's name, unit and how to read it from a swarm_sample, so the CSV
// header, the JSON keys and the values can never drift apart.
#include "swarmbench/swarm/sample.hpp"

#include <iterator>

namespace swarmbench {

namespace {

struct column_def {
    const char* name;                         // field name, CSV header
    const char* unit;                         // "s", "B", "B/s", "us", "ms", "count", "%"
    double (*get)(const swarm_sample&);       // the value as a double
};

// A captureless lambda per column, in swarm_sample declaration order.
#define SWARMBENCH_COLUMN(field, unit) \
    column_def { #field, unit, [](const swarm_sample& s) { return static_cast<double>(s.field); } }

const column_def columns[] = {
    SWARMBENCH_COLUMN(t_s, "s"),
    SWARMBENCH_COLUMN(net_in_total, "B"),
    SWARMBENCH_COLUMN(net_out_total, "B"),
    SWARMBENCH_COLUMN(net_in_bps, "B/s"),
    SWARMBENCH_COLUMN(net_out_bps, "B/s"),
    SWARMBENCH_COLUMN(payload_total, "B"),
    SWARMBENCH_COLUMN(goodput_bps, "B/s"),
    SWARMBENCH_COLUMN(disk_write_total, "B"),
    SWARMBENCH_COLUMN(disk_write_bps, "B/s"),
    SWARMBENCH_COLUMN(disk_write_us_p50, "us"),
    SWARMBENCH_COLUMN(disk_write_us_p90, "us"),
    SWARMBENCH_COLUMN(disk_write_us_p99, "us"),
    SWARMBENCH_COLUMN(request_ms_p50, "ms"),
    SWARMBENCH_COLUMN(request_ms_p90, "ms"),
    SWARMBENCH_COLUMN(request_ms_p99, "ms"),
    SWARMBENCH_COLUMN(connections_active, "count"),
    SWARMBENCH_COLUMN(connections_half_open, "count"),
    SWARMBENCH_COLUMN(connect_ms_p50, "ms"),
    SWARMBENCH_COLUMN(connect_ms_p99, "ms"),
    SWARMBENCH_COLUMN(connects_total, "count"),
    SWARMBENCH_COLUMN(disconnects_total, "count"),
    SWARMBENCH_COLUMN(pieces_complete_total, "count"),
    SWARMBENCH_COLUMN(pieces_wanted, "count"),
    SWARMBENCH_COLUMN(hash_failures_total, "count"),
    SWARMBENCH_COLUMN(protocol_errors_total, "count"),
    SWARMBENCH_COLUMN(leechers_done, "count"),
    SWARMBENCH_COLUMN(cpu_percent, "%"),
    SWARMBENCH_COLUMN(rss_bytes, "B"),
    SWARMBENCH_COLUMN(client_connections, "count"),
    SWARMBENCH_COLUMN(client_down_s, "s"),
    SWARMBENCH_COLUMN(link_held_bytes, "B"),
};

#undef SWARMBENCH_COLUMN

}  // namespace

const std::vector<sample_column>& sample_columns() {
    static const std::vector<sample_column> out = [] {
        std::vector<sample_column> v;
        v.reserve(std::size(columns));
        for (const column_def& c : columns) v.push_back({c.name, c.unit});
        return v;
    }();
    return out;
}

std::vector<double> sample_values(const swarm_sample& s) {
    std::vector<double> v;
    v.reserve(std::size(columns));
    for (const column_def& c : columns) v.push_back(c.get(s));
    return v;
}

}  // namespace swarmbench
