#include "run_controller.hpp"

#include <chrono>
#include <utility>

#include "swarmbench/log.hpp"
#include "swarmbench/results_folder.hpp"

namespace swarmbench::gui {

namespace {

/// Baselines report progress, not samples: one synthetic sample per report,
/// on the controller's own clock, so the graphs draw every mode alike.
swarm_sample sample_from_progress(const progress& p, double t_s, run_request::kind mode) {
    swarm_sample s;
    s.t_s = t_s;
    s.payload_total = p.bytes;
    s.goodput_bps = p.rate_bytes_per_s;
    if (mode == run_request::kind::stream) {
        s.net_in_total = p.bytes;
        s.net_in_bps = p.rate_bytes_per_s;
        s.connections_active = static_cast<std::uint32_t>(p.done);
    } else {
        s.disk_write_total = p.bytes;
        s.disk_write_bps = p.rate_bytes_per_s;
    }
    return s;
}

}  // namespace

run_controller::~run_controller() {
    stop();
    if (thread_.joinable()) thread_.join();
}

bool run_controller::start(run_request request) {
    if (running_.load()) return false;
    if (thread_.joinable()) thread_.join();
    stop_.store(false);
    controls_.reset();
    controls_.take();  // a new run starts from its scenario
    {
        std::lock_guard lock(mutex_);
        inbox_ = run_inbox{};
    }
    running_.store(true);
    thread_ = std::thread([this, r = std::move(request)]() mutable { run(std::move(r)); });
    return true;
}

run_inbox run_controller::drain() {
    run_inbox out;
    std::lock_guard lock(mutex_);
    std::swap(out, inbox_);
    return out;
}

void run_controller::join_if_done() {
    if (!running_.load() && thread_.joinable()) thread_.join();
}

void run_controller::push_sample(const swarm_sample& s) {
    std::lock_guard lock(mutex_);
    inbox_.samples.push_back(s);
}

void run_controller::run(run_request request) {
    results r;
    run_hooks base;
    base.stop = &stop_;
    const auto t0 = std::chrono::steady_clock::now();
    try {
        if (request.mode == run_request::kind::swarm) {
            swarm_hooks hooks;
            hooks.run = base;
            hooks.run.on_progress = [this](const progress& p) {
                std::lock_guard lock(mutex_);
                inbox_.last_progress = p;
            };
            hooks.on_sample = [this](const swarm_sample& s) { push_sample(s); };
            hooks.on_snapshot = [this](swarm_snapshot&& snap) {
                std::lock_guard lock(mutex_);
                inbox_.writes.insert(inbox_.writes.end(), snap.writes.begin(), snap.writes.end());
                inbox_.dropped_writes += snap.dropped_writes;
                snap.writes.clear();
                inbox_.snapshot = std::move(snap);
            };
            hooks.snapshot_interval = std::chrono::milliseconds(250);
            hooks.controls = &controls_;
            hooks.output_dir = request.output_dir;
            r = run_swarm(request.scenario, hooks);
        } else {
            base.on_progress = [this, t0, mode = request.mode](const progress& p) {
                const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
                const swarm_sample s = sample_from_progress(p, t, mode);
                std::lock_guard lock(mutex_);
                inbox_.last_progress = p;
                inbox_.samples.push_back(s);
            };
            r = request.mode == run_request::kind::stream ? run_stream(request.stream, base)
                                                          : run_disk(request.disk, base);
            // The baselines return their document; the swarm writes its own.
            if (auto dir = create_results_dir(request.output_dir); !dir) {
                log().error("results: {}", dir.error());
            } else if (auto err = write_results_json(request.output_dir, to_json(r))) {
                log().error("results: {}", *err);
            }
        }
    } catch (const std::exception& e) {
        // The workloads report run-time failures in the results; this is a bug
        // or bad_alloc, still shown to the user rather than ending the app.
        r.summary.status = "failed";
        r.summary.error_messages.push_back(std::string("internal error: ") + e.what());
        log().error("run: {}", e.what());
    }
    {
        std::lock_guard lock(mutex_);
        inbox_.finished = std::move(r);
    }
    running_.store(false);
}

}  // namespace swarmbench::gui
