// stream: N TCP streams, one direction, like `iperf3 -P N`. The first
// baseline mode: it measures the network path of the engine alone.
//
//   loopback  both ends in this process on a context_group; each context
//             owns a listener (SO_REUSEPORT, one port) and a share of the
//             senders; the receivers are whatever its listener accepts.
//   listen    only the receiving side, until stopped, `seconds` pass, or
//             (with expect_connections) that many connections came and went.
//   target    only the sending side, against another `stream --listen`.
//
// Goodput is bytes received per second (loopback, listen) or bytes the
// kernel accepted per second (target: the receiver is elsewhere).
//
// Thread rules: run_stream blocks the calling thread for the whole run and
// calls hooks.on_progress on it; it starts and joins its own context threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "swarmbench/backend.hpp"
#include "swarmbench/endpoint.hpp"
#include "swarmbench/results.hpp"
#include "swarmbench/settings/schema.hpp"
#include "swarmbench/workloads/run_control.hpp"

namespace swarmbench {

struct stream_config {
    enum class role_t { loopback, listen, target };

    role_t role = role_t::loopback;      // which ends run here
    std::uint32_t connections = 1;       // streams to open (listen: see expect_connections)
    bool expect_connections = false;     // listen: finish once `connections` came and all closed
    double seconds = 10;                 // measured window; listen: 0 = until stopped
    std::uint32_t bytes_per_op = 128 * 1024;  // size of each send and recv
    std::uint32_t sends_in_flight = 1;   // send ops kept pending per connection (1..2)
    backend_kind backend = backend_kind::automatic;  // completion-port implementation
    unsigned threads = 0;                // contexts (0: one per core)
    endpoint target;                     // target role: where to connect
    endpoint listen;                     // listen role: where to listen (loopback: 127.0.0.1:0)
    std::chrono::milliseconds interval{100};         // sampling interval
    std::chrono::milliseconds connect_timeout{10000};  // per connect attempt
    std::uint32_t connects_in_flight = 512;  // per context: bounds the SYN burst on the listen backlog
};

/// "loopback", "listen", "target".
const char* to_string(stream_config::role_t role) noexcept;

/// The stream_config's schema: every field's name, type, unit, range, doc and
/// default (stream_settings.cpp / disk_settings.cpp).
const settings::schema<stream_config>& stream_schema();

/// Every option, for the results document's `config` (the schema's JSON form).
nlohmann::json to_json(const stream_config& config);

/// Every problem with `config`, one line each naming the field (ranges, then
/// the rules between fields); empty when it can run.
std::vector<std::string> validate(const stream_config& config);

/// Runs the stream workload. Never throws for run-time failures (port in use,
/// EMFILE, backend unavailable): they end up in summary.errors /
/// error_messages with status "failed" when nothing could be measured.
results run_stream(const stream_config& config, const run_hooks& hooks);

}  // namespace swarmbench
