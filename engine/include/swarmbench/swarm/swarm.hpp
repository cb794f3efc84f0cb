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
// `controls` may be changed from any thread while it runs.
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
#include "swarmbench/swarm/sample.hpp"
#include "swarmbench/swarm/snapshot.hpp"
#include "swarmbench/swarm/scenario.hpp"
#include "swarmbench/workloads/run_control.hpp"

namespace swarmbench {

/// A fault to inject into a running swarm (swarm_controls::inject).
struct swarm_fault {
    enum class kind_t : std::uint8_t {
        drop,     // close `count` live connections (leecher side), chosen at random;
                  //   each leecher reconnects as after churn. Counted as disconnects.
        corrupt,  // seeders send `count` blocks with one byte flipped; the leecher's
                  //   hash check fails, the piece is re-downloaded, the sender banned
                  //   as for any wrong data. Counted as hash_failures (storage "files"
                  //   only: "discard" checks nothing, "disk_only" has no seeders).
        stall,    // `count` connections, chosen at random, get no block from their
                  //   seeder for `seconds`; their queued requests are served after.
                  //   Leechers do not drop a connection for silence during a stall.
    };
    kind_t kind = kind_t::drop;
    std::uint32_t count = 1;  // 1 .. 100000 (fewer if the swarm has fewer connections)
    double seconds = 0;       // stall: 0.01 .. 3600; ignored otherwise
};
/// "drop", "corrupt", "stall".
const char* to_string(swarm_fault::kind_t k) noexcept;

/// Settings a caller may change while the swarm runs (any thread). Shards
/// read them once per tick (every 20 ms); 0 means "keep the scenario's".
struct swarm_controls {
    std::atomic<std::uint32_t> connections_per_leecher{0};  // grow or shrink each leecher's connections
    std::atomic<std::uint32_t> pipeline{0};                 // requests in flight per connection
    std::atomic<std::uint64_t> rate_limit{0};               // per-connection upload limit (B/s); UINT64_MAX: unlimited
    std::atomic<std::uint64_t> slow_rate{0};                // slow connections' limit (B/s)
    std::atomic<double> churn_per_s{-1};                    // swarm-wide churn rate; < 0: keep the scenario's

    /// Queues a fault (any thread). The controller hands it to the shards at
    /// its next wake-up (within one sampling interval), split over them by
    /// their share of connections, and records it in results.events. Returns
    /// false (and queues nothing) if the fault's fields are out of range.
    bool inject(const swarm_fault& fault);
    /// Takes every queued fault (the controller; any thread).
    std::vector<swarm_fault> take_faults();

private:
    std::mutex faults_mutex_;
    std::vector<swarm_fault> faults_;  // guarded by faults_mutex_
};

struct swarm_hooks {
    run_hooks run;  // stop flag and progress line (phase "preparing", "connecting", "running", "stopping")
    /// Each sample, on the controller thread, right after it is taken.
    std::function<void(const swarm_sample&)> on_sample;
    /// Steering; may be null.
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
