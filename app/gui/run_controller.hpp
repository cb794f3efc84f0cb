// run_controller: runs one workload (the swarm, or a stream / disk baseline)
// on its own std::thread so the UI never waits on the engine. The workload's
// hooks push copies into a mutex-guarded inbox; the UI swaps the inbox out
// once per frame (drain), so the lock is held only for a swap or a push.
//
// Stop sets the workload's stop flag; the thread is joined by the next
// start(), by join_if_done(), or by the destructor (which stops first).
//
// Thread rules: every member function is for the UI thread except that the
// hooks run on the controller thread; controls() may be written from any.
#pragma once

#include <atomic>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "swarmbench/results.hpp"
#include "swarmbench/swarm/sample.hpp"
#include "swarmbench/swarm/snapshot.hpp"
#include "swarmbench/swarm/swarm.hpp"
#include "swarmbench/workloads/disk.hpp"
#include "swarmbench/workloads/run_control.hpp"
#include "swarmbench/workloads/stream.hpp"

namespace swarmbench::gui {

/// What to run; exactly the part named by `mode` is used.
struct run_request {
    enum class kind { swarm, stream, disk };
    kind mode = kind::swarm;           // which workload
    swarm_scenario scenario;           // mode swarm
    stream_config stream;              // mode stream
    disk_config disk;                  // mode disk
    std::filesystem::path output_dir;  // the run's results folder (created)
};

/// Everything the controller thread produced since the last drain.
struct run_inbox {
    std::vector<swarm_sample> samples;        // in time order
    std::optional<swarm_snapshot> snapshot;   // the latest (older ones dropped)
    std::vector<disk_write_point> writes;     // every snapshot's writes, in order
    std::uint64_t dropped_writes = 0;         // sum of snapshots' dropped_writes
    std::optional<progress> last_progress;    // the latest
    std::optional<results> finished;          // set once, when the workload returned
};

class run_controller {
public:
    run_controller() = default;
    ~run_controller();
    run_controller(const run_controller&) = delete;
    run_controller& operator=(const run_controller&) = delete;

    /// Starts the run on a new thread. False if one is still running.
    bool start(run_request request);
    /// Asks the running workload to stop (returns at once).
    void stop() noexcept { stop_.store(true); }
    /// True from start() until the workload returned.
    bool running() const noexcept { return running_.load(); }
    /// Hands over what arrived since the previous call.
    run_inbox drain();
    /// Joins a finished thread (no-op while running).
    void join_if_done();
    /// Steering for the running swarm (any thread; 0 = the scenario's).
    swarm_controls& controls() noexcept { return controls_; }

private:
    void run(run_request request);  // the controller thread's body
    void push_sample(const swarm_sample& s);

    std::thread thread_;               // the controller thread
    std::atomic<bool> stop_{false};    // the workload's stop flag
    std::atomic<bool> running_{false}; // a workload is running
    swarm_controls controls_;          // read by the swarm's shards each tick
    std::mutex mutex_;                 // guards inbox_
    run_inbox inbox_;                  // filled by the hooks, swapped out by drain()
};

}  // namespace swarmbench::gui
