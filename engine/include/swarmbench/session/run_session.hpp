// run_session: one run of any mode (swarm, stream, disk) on a thread of its
// own, as the CLI, the app and Python all drive it (STYLE.md point 19: the
// front ends are adapters; the run is orchestrated here, once).
//
//   request   what to run: the mode's settings, a timeline and the controls
//             (swarm), the results folder and whether to draw graphs
//   events    progress reports and samples, in order, in a bounded queue
//             (the oldest dropped and counted when nobody drains it); stream
//             and disk get one sample per progress report, so every front
//             end graphs every mode alike
//   snapshot  the latest live view of a swarm (snapshot.hpp), with the disk
//             writes of every snapshot since the last take
//   controls  steering of a swarm (controls.hpp); the timeline is applied
//             through them right after each sample
//   result    the results document, once the run has ended and its folder
//             is complete: results.json, timeseries.csv and the graphs, for
//             every mode
//
// Thread rules: the constructor starts the run's thread (the controller of
// the workload); every member function may be called from any thread, and
// the destructor stops the run and joins the thread. Events, snapshots and
// results are copies: nothing returned refers into the running workload.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "swarmbench/results.hpp"
#include "swarmbench/swarm/controls.hpp"
#include "swarmbench/swarm/sample.hpp"
#include "swarmbench/swarm/scenario.hpp"
#include "swarmbench/swarm/snapshot.hpp"
#include "swarmbench/swarm/timeline.hpp"
#include "swarmbench/workloads/disk.hpp"
#include "swarmbench/workloads/run_control.hpp"
#include "swarmbench/workloads/stream.hpp"

namespace swarmbench {

enum class run_mode : std::uint8_t { swarm, stream, disk };
/// "swarm", "stream", "disk" (results.json's mode).
const char* to_string(run_mode m) noexcept;

/// What to run; the settings of `mode` are used, the others ignored.
struct run_request {
    run_mode mode = run_mode::swarm;
    swarm_scenario scenario;  // swarm
    stream_config stream;     // stream
    disk_config disk;         // disk
    swarm_timeline timeline;  // swarm: timed changes (a copy; applied from t = 0)
    /// Swarm: the steering to use, shared with whoever steers (null: the session's own).
    std::shared_ptr<swarm_controls> controls;
    /// The results folder (created): results.json and timeseries.csv as the
    /// run goes (swarm) or when it ends (stream, disk), the graphs at the end.
    std::optional<std::filesystem::path> output_dir;
    bool graphs = true;  // draw the graphs into output_dir
    /// Swarm: live snapshots for views this often (0: none).
    std::chrono::milliseconds snapshot_interval{0};
};

/// Why `r` cannot run, one line per problem naming its field (empty: it can),
/// a backend this machine cannot run included ("backend: iocp requested but
/// unavailable: ...").
std::vector<std::string> validate(const run_request& r);

/// One report of a running session.
struct session_event {
    enum class kind_t : std::uint8_t {
        progress,  // `progress` is set
        sample,    // `sample` is set (stream and disk: made from a progress report)
    };
    kind_t kind = kind_t::progress;
    progress report;      // kind progress
    swarm_sample sample;  // kind sample
};

class run_session {
public:
    /// Starts `request` on a thread of its own. Throws std::invalid_argument
    /// with validate()'s problems, one per line, if there are any (nothing
    /// runs then). `event_capacity` bounds the event queue (at least 1).
    explicit run_session(run_request request, std::size_t event_capacity = 4096);
    ~run_session();
    run_session(const run_session&) = delete;
    run_session& operator=(const run_session&) = delete;

    const run_request& request() const noexcept { return request_; }
    /// The swarm's steering (any mode has one; only a swarm reads it).
    swarm_controls& controls() noexcept { return *controls_; }

    /// Asks the run to end; it still writes what it measured, with status "interrupted".
    void stop() noexcept { stop_.store(true); }
    /// True once the run has ended and its folder is written (result() is set).
    bool finished() const;
    /// Waits until an event is queued or the run has finished, or `deadline`
    /// passes. True when there is something to take or the run has finished.
    bool wait_until(std::chrono::steady_clock::time_point deadline);
    /// Moves up to `max` queued events to the end of `out`, oldest first.
    /// Returns how many.
    std::size_t pop_events(std::vector<session_event>& out, std::size_t max = SIZE_MAX);
    /// Events dropped because the queue was full (the oldest go first).
    std::uint64_t dropped_events() const;
    /// The latest snapshot (swarm, with snapshot_interval set), carrying the
    /// disk writes of every snapshot since the last call; nullopt if none came.
    std::optional<swarm_snapshot> take_snapshot();
    /// The results once finished(), else nullopt.
    std::optional<results> result() const;
    /// Waits until the run has finished and returns its results.
    results wait();
    /// Problems writing the folder (each names its file); the run's own
    /// problems are in the results.
    std::vector<std::string> folder_errors() const;

private:
    void body();                                // the run's thread
    void push(session_event e);                 // queue one event
    void keep_snapshot(swarm_snapshot&& snap);  // on_snapshot
    results run_workload();                     // the mode's run function
    void finish_folder(results& r);             // results.json, timeseries.csv, graphs

    const run_request request_;                 // as given (validated)
    std::shared_ptr<swarm_controls> controls_;  // the request's or our own; never null
    const std::size_t capacity_;                // event queue bound
    std::atomic<bool> stop_{false};             // the workload's stop flag
    std::size_t next_action_ = 0;               // run's thread: first timeline action not applied

    mutable std::mutex mutex_;                  // guards everything below
    std::condition_variable cv_;                // an event arrived or the run finished
    std::deque<session_event> events_;          // not yet popped
    std::uint64_t dropped_ = 0;                 // events the full queue dropped
    std::optional<swarm_snapshot> snapshot_;    // latest, with the writes since the last take
    std::optional<results> result_;             // set when finished
    std::vector<std::string> folder_errors_;    // from finish_folder
    std::thread thread_;                        // last: started once everything above exists
};

}  // namespace swarmbench
