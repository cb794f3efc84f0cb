// run_session: one run of any mode on its own thread (session/run_session.hpp).
//
// [SECTION] request
// [SECTION] the run's thread
// [SECTION] what callers take
#include "swarmbench/session/run_session.hpp"

#include <stdexcept>
#include <utility>

#include "swarmbench/graphs.hpp"
#include "swarmbench/log.hpp"
#include "swarmbench/results_folder.hpp"
#include "swarmbench/swarm/swarm.hpp"

namespace swarmbench {

namespace {

using steady = std::chrono::steady_clock;

/// Disk write points kept for a caller that takes snapshots rarely; beyond
/// this many the oldest are dropped and counted in dropped_writes.
constexpr std::size_t max_kept_writes = 1 << 20;

/// Stream and disk report progress, not samples: one sample per report, on
/// the session's clock, so the graphs and views draw every mode alike.
swarm_sample sample_from_progress(const progress& p, double t_s, run_mode mode) {
    swarm_sample s;
    s.t_s = t_s;
    s.payload_total = p.bytes;
    s.goodput_bps = p.rate_bytes_per_s;
    if (mode == run_mode::stream) {
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

// ---------------------------------------------------------------------------
// [SECTION] request
// ---------------------------------------------------------------------------

const char* to_string(run_mode m) noexcept {
    switch (m) {
        case run_mode::swarm: return "swarm";
        case run_mode::stream: return "stream";
        case run_mode::disk: return "disk";
    }
    return "unknown";
}

std::vector<std::string> validate(const run_request& r) {
    std::vector<std::string> problems;
    backend_kind backend = backend_kind::automatic;
    switch (r.mode) {
        case run_mode::swarm:
            problems = validate(r.scenario);
            backend = r.scenario.backend;
            break;
        case run_mode::stream:
            problems = validate(r.stream);
            backend = r.stream.backend;
            break;
        case run_mode::disk:
            problems = validate(r.disk);
            backend = r.disk.backend;
            break;
    }
    // A backend this machine cannot run is a bad request, refused before a
    // run that would only fail at set-up (iocp on Linux, io_uring disabled).
    if (const backend_choice c = choose_backend(backend); c.active == backend_kind::automatic)
        problems.push_back("backend: " + c.reason);
    if (r.mode != run_mode::swarm && !r.timeline.empty())
        problems.push_back(std::string("timeline: only a swarm takes one, not a ") + to_string(r.mode) + " run");
    if (r.snapshot_interval.count() < 0) problems.push_back("snapshot_interval: must be 0 or more ms");
    return problems;
}

run_session::run_session(run_request request, std::size_t event_capacity)
    : request_(std::move(request)),
      controls_(request_.controls ? request_.controls : std::make_shared<swarm_controls>()),
      capacity_(std::max<std::size_t>(1, event_capacity)) {
    if (const auto problems = validate(request_); !problems.empty()) {
        std::string all;
        for (const auto& p : problems) all += (all.empty() ? "" : "\n") + p;
        throw std::invalid_argument(all);
    }
    thread_ = std::thread([this] { body(); });
}

run_session::~run_session() {
    stop();
    if (thread_.joinable()) thread_.join();
}

// ---------------------------------------------------------------------------
// [SECTION] the run's thread
// ---------------------------------------------------------------------------

void run_session::push(session_event e) {
    {
        std::lock_guard lock(mutex_);
        if (events_.size() >= capacity_) {
            events_.pop_front();
            ++dropped_;
        }
        events_.push_back(std::move(e));
    }
    cv_.notify_all();
}

void run_session::keep_snapshot(swarm_snapshot&& snap) {
    std::lock_guard lock(mutex_);
    if (snapshot_) {
        // Keep the writes the caller has not taken yet, the newest last.
        std::vector<disk_write_point> writes = std::move(snapshot_->writes);
        std::uint64_t dropped = snapshot_->dropped_writes + snap.dropped_writes;
        writes.insert(writes.end(), snap.writes.begin(), snap.writes.end());
        if (writes.size() > max_kept_writes) {
            const std::size_t extra = writes.size() - max_kept_writes;
            writes.erase(writes.begin(), writes.begin() + static_cast<std::ptrdiff_t>(extra));
            dropped += extra;
        }
        snap.writes = std::move(writes);
        snap.dropped_writes = dropped;
    }
    snapshot_ = std::move(snap);
}

results run_session::run_workload() {
    const auto t0 = steady::now();
    const auto on_progress = [this](const progress& p) { push({session_event::kind_t::progress, p, {}}); };
    switch (request_.mode) {
        case run_mode::swarm: {
            swarm_hooks hooks;
            hooks.run.stop = &stop_;
            hooks.run.on_progress = on_progress;
            hooks.on_sample = [this](const swarm_sample& s) {
                request_.timeline.apply_due(*controls_, s.t_s, &next_action_);
                push({session_event::kind_t::sample, {}, s});
            };
            hooks.controls = controls_.get();
            if (request_.snapshot_interval.count() > 0) {
                hooks.on_snapshot = [this](swarm_snapshot&& snap) { keep_snapshot(std::move(snap)); };
                hooks.snapshot_interval = request_.snapshot_interval;
            }
            hooks.output_dir = request_.output_dir;
            request_.timeline.apply_due(*controls_, 0.0, &next_action_);  // in force from the first connection
            return run_swarm(request_.scenario, hooks);
        }
        case run_mode::stream:
        case run_mode::disk: {
            run_hooks hooks;
            hooks.stop = &stop_;
            hooks.on_progress = [this, t0, on_progress](const progress& p) {
                on_progress(p);
                const double t = std::chrono::duration<double>(steady::now() - t0).count();
                push({session_event::kind_t::sample, {}, sample_from_progress(p, t, request_.mode)});
            };
            return request_.mode == run_mode::stream ? run_stream(request_.stream, hooks)
                                                     : run_disk(request_.disk, hooks);
        }
    }
    return {};
}

void run_session::finish_folder(results& r) {
    if (!request_.output_dir) return;
    const std::filesystem::path& dir = *request_.output_dir;
    std::vector<std::string> errors;
    // The swarm streamed its folder as it ran; the others write theirs now.
    if (request_.mode != run_mode::swarm) errors = write_results_folder(dir, to_json(r), table_of(r));
    if (errors.empty() && request_.graphs && std::filesystem::exists(dir / timeseries_csv_name)) {
        auto loaded = load_results(dir);
        if (!loaded) errors.push_back(loaded.error());
        else errors = render_graphs({loaded.value()}, dir).errors;
    }
    for (const auto& e : errors) log().error("results folder: {}", e);
    std::lock_guard lock(mutex_);
    folder_errors_ = std::move(errors);
}

void run_session::body() {
    results r;
    try {
        // A baseline's folder is made before it runs: a bad -o costs no run.
        bool can_run = true;
        if (request_.mode != run_mode::swarm && request_.output_dir) {
            if (auto made = create_results_dir(*request_.output_dir); !made) {
                r.mode = to_string(request_.mode);
                r.environment = detect_environment();
                r.summary.status = "failed";
                ++r.summary.errors;
                r.summary.error_messages.push_back(made.error());
                can_run = false;
            }
        }
        if (can_run) {
            r = run_workload();
            finish_folder(r);
        }
    } catch (const std::exception& e) {
        // The workloads report run-time failures in their results; this is
        // a bug or bad_alloc, still shown to the user rather than ending them.
        r.mode = to_string(request_.mode);
        r.summary.status = "failed";
        ++r.summary.errors;
        r.summary.error_messages.push_back(std::string("internal error: ") + e.what());
        log().error("run: {}", e.what());
    }
    {
        std::lock_guard lock(mutex_);
        result_ = std::move(r);
    }
    cv_.notify_all();
}

// ---------------------------------------------------------------------------
// [SECTION] what callers take
// ---------------------------------------------------------------------------

bool run_session::finished() const {
    std::lock_guard lock(mutex_);
    return result_.has_value();
}

bool run_session::wait_until(steady::time_point deadline) {
    std::unique_lock lock(mutex_);
    return cv_.wait_until(lock, deadline, [&] { return !events_.empty() || result_.has_value(); });
}

std::size_t run_session::pop_events(std::vector<session_event>& out, std::size_t max) {
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (; n < max && !events_.empty(); ++n) {
        out.push_back(std::move(events_.front()));
        events_.pop_front();
    }
    return n;
}

std::uint64_t run_session::dropped_events() const {
    std::lock_guard lock(mutex_);
    return dropped_;
}

std::optional<swarm_snapshot> run_session::take_snapshot() {
    std::lock_guard lock(mutex_);
    return std::exchange(snapshot_, std::nullopt);
}

std::optional<results> run_session::result() const {
    std::lock_guard lock(mutex_);
    return result_;
}

results run_session::wait() {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return result_.has_value(); });
    return *result_;
}

std::vector<std::string> run_session::folder_errors() const {
    std::lock_guard lock(mutex_);
    return folder_errors_;
}

}  // namespace swarmbench
