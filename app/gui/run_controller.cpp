#include "run_controller.hpp"

#include <stdexcept>
#include <utility>

#include "swarmbench/log.hpp"

namespace swarmbench::gui {

bool run_controller::start(run_request request) {
    if (running()) return false;
    session_.reset();  // the last run has ended: joins at once
    controls_ = std::make_shared<swarm_controls>();
    request.controls = controls_;
    if (request.mode == run_mode::swarm) request.snapshot_interval = std::chrono::milliseconds(250);
    try {
        session_ = std::make_unique<run_session>(std::move(request));
    } catch (const std::invalid_argument& e) {
        log().error("cannot start the run: {}", e.what());
        return false;
    }
    delivered_ = false;
    return true;
}

void run_controller::stop() noexcept {
    if (session_) session_->stop();
}

bool run_controller::running() const { return session_ && !session_->finished(); }

run_inbox run_controller::drain() {
    run_inbox in;
    if (!session_) return in;
    const bool done = session_->finished();  // nothing is queued after it: the pop below takes the rest
    events_.clear();
    session_->pop_events(events_);
    for (session_event& e : events_) {
        if (e.kind == session_event::kind_t::sample) in.samples.push_back(e.sample);
        else in.last_progress = std::move(e.report);
    }
    in.snapshot = session_->take_snapshot();
    if (done && !delivered_) {
        in.finished = session_->result();
        delivered_ = true;
    }
    return in;
}

}  // namespace swarmbench::gui
