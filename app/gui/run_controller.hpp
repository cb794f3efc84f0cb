// run_controller: the app's adapter of the engine's run_session
// (session/run_session.hpp), which runs the workload on its own thread so
// the UI never waits on the engine. Once per frame the UI drains what
// arrived (samples, progress, the latest snapshot with its disk writes, the
// results) as copies.
//
// Thread rules: UI thread only; controls() may be used from any thread (it
// is the run's swarm_controls). The session stops and joins its thread when
// the next start() or the destructor replaces it.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "swarmbench/results.hpp"
#include "swarmbench/session/run_session.hpp"
#include "swarmbench/swarm/sample.hpp"
#include "swarmbench/swarm/snapshot.hpp"

namespace swarmbench::gui {

/// Everything the run produced since the last drain.
struct run_inbox {
    std::vector<swarm_sample> samples;        // in time order
    std::optional<swarm_snapshot> snapshot;   // the latest, with every write since the last drain
    std::optional<progress> last_progress;    // the latest
    std::optional<results> finished;          // set once, when the run has ended and its folder is written
};

class run_controller {
public:
    /// Starts `request` (its controls are this controller's, fresh for each
    /// run). False, with the reason logged, if a run is still going or the
    /// request is invalid.
    bool start(run_request request);
    /// Asks the run to stop (returns at once).
    void stop() noexcept;
    /// True from start() until the run has ended.
    bool running() const;
    /// Hands over what arrived since the previous call.
    run_inbox drain();
    /// Steering of the current run (any thread).
    swarm_controls& controls() noexcept { return *controls_; }

private:
    std::shared_ptr<swarm_controls> controls_ = std::make_shared<swarm_controls>();  // the current run's
    std::unique_ptr<run_session> session_;  // the current or last run
    bool delivered_ = false;                // its results were handed over
    std::vector<session_event> events_;     // scratch for drain()
};

}  // namespace swarmbench::gui
