// swarm: the main job. Seeders and leechers speak the BitTorrent peer wire
// protocol over loopback on a context_group (one engine context per thread,
// each owning whole peers), leechers write every block at its file offset
// and SHA-1 every piece, and the run is sampled every interval.
//
//   seeders   listen (listen_host, base_port + i) and serve blocks generated
//             from the synthetic content; optionally choke like real clients
//             and limit their upload rate per connection.
//   leechers  each has its own piece picker and storage (data_dir/leecher-NN/),
//             opens connections_per_leecher connections spread over the
//             seeders (and connect_to), keeps `pipeline` requests in flight
//             on each, runs end-game, re-requests on hash failure or a lost
//             peer, and announces HAVE.
//   disk_only no sockets: each leecher's blocks are generated locally in the
//             order its picker hands them out, `connections x pipeline` in
//             flight, and written and hashed exactly as in a real run.
//
// Results: the results document (mode "swarm") with summary.swarm and one
// peer_summary per connection; the time series as swarm_sample rows, also
// streamed to `timeseries.csv` in the output folder as the run goes, so a
// killed run still leaves parseable data.
//
// Thread rules: run_swarm blocks the calling thread (the controller) for the
// whole run and calls the hooks on it; it starts and joins its own threads.
// `controls` may be used from any thread while it runs.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "swarmbench/results.hpp"
#include "swarmbench/swarm/controls.hpp"
#include "swarmbench/swarm/sample.hpp"
#include "swarmbench/swarm/snapshot.hpp"
#include "swarmbench/swarm/scenario.hpp"
#include "swarmbench/workloads/run_control.hpp"

namespace swarmbench {

struct swarm_hooks {
    run_hooks run;  // stop flag and progress line (phase "preparing", "connecting", "running", "stopping")
    /// Each sample, on the controller thread, right after it is taken.
    std::function<void(const swarm_sample&)> on_sample;
    /// Steering (controls.hpp); may be null. Commands queued before the run
    /// are in force from its first connection.
    swarm_controls* controls = nullptr;
    /// Live state for views (snapshot.hpp), on the controller thread, every
    /// snapshot_interval (10 ms at least) and once more when the run ends,
    /// before teardown, so the last one shows the end state; not taken at all
    /// when empty. A snapshot some context does not answer within 1 s is
    /// skipped (its disk write points arrive with the next one).
    std::function<void(swarm_snapshot&&)> on_snapshot;
    std::chrono::milliseconds snapshot_interval{250};
    /// If set, the results folder: timeseries.csv is streamed here during the
    /// run and results.json written at the end (and at the start, with status
    /// "running"). Created if missing.
    std::optional<std::filesystem::path> output_dir;
};

/// Runs a swarm. Never throws for run-time failures (port in use, disk full,
/// EMFILE, backend unavailable, invalid scenario): they end up in
/// summary.errors / error_messages, with status "failed" when the run could
/// not go on, "interrupted" when stopped, "ok" otherwise; what was measured
/// until then is always returned (and written to output_dir).
results run_swarm(const swarm_scenario& scenario, const swarm_hooks& hooks);

/// The default scenario file name inside a results folder, and the CSV name.
inline constexpr const char* results_json_name = "results.json";
inline constexpr const char* timeseries_csv_name = "timeseries.csv";

}  // namespace swarmbench
