// The run session (session/run_session.hpp) on every backend: every mode
// runs on the session's thread, reports progress and samples in order
// through its bounded queue, applies a timeline, and leaves a complete
// results folder that load_results reads back; a bad request is refused
// before anything runs, a bad folder before the workload starts.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <stdexcept>

#include "swarm_test_helpers.hpp"
#include "swarmbench/session/run_session.hpp"

namespace swarmbench::test {
namespace {

using namespace std::chrono_literals;

class session : public swarm_backend_test {
protected:
    /// Drains `s` until it has finished (bounded), returning every event.
    static std::vector<session_event> drain(run_session& s, std::chrono::seconds limit = 120s) {
        std::vector<session_event> all;
        const auto deadline = std::chrono::steady_clock::now() + limit;
        while (std::chrono::steady_clock::now() < deadline) {
            s.wait_until(std::chrono::steady_clock::now() + 200ms);
            const bool done = s.finished();  // before popping: nothing is pushed after it
            s.pop_events(all);
            if (done) break;
        }
        return all;
    }

    static std::size_t count(const std::vector<session_event>& events, session_event::kind_t kind) {
        std::size_t n = 0;
        for (const auto& e : events) n += e.kind == kind;
        return n;
    }

    static void expect_samples_in_order(const std::vector<session_event>& events) {
        double t = -1;
        for (const auto& e : events) {
            if (e.kind != session_event::kind_t::sample) continue;
            EXPECT_GT(e.sample.t_s, t);
            t = e.sample.t_s;
        }
    }

    /// The folder the session wrote reads back as `plot` and the app read it.
    void expect_folder(const char* mode, std::size_t min_rows) {
        auto loaded = load_results(out());
        ASSERT_TRUE(loaded) << loaded.error();
        EXPECT_EQ(loaded.value().document.at("config").at("mode"), mode);
        EXPECT_EQ(loaded.value().document.at("summary").at("status"), "ok");
        EXPECT_GE(loaded.value().rows(), min_rows);
        if (SWARMBENCH_TEST_GRAPHS) {
            EXPECT_TRUE(std::filesystem::exists(out() / "throughput.png"));
        }
    }
};

TEST_P(session, a_swarm_applies_its_timeline_and_leaves_a_complete_folder) {
    run_request req;
    req.scenario = small_scenario(GetParam(), data());
    req.scenario.storage = storage_mode::discard;
    req.scenario.torrent_size = 16 << 20;
    req.scenario.duration_s = 1.0;
    req.scenario.interval_ms = 50;
    ASSERT_EQ(req.timeline.set(0, "pipeline", 4), std::nullopt);
    ASSERT_EQ(req.timeline.phase(0.3, "narrow", {{"connections_per_leecher", 2}}), std::nullopt);
    req.output_dir = out();
    req.snapshot_interval = 100ms;
    run_session s(std::move(req));
    const auto events = drain(s);
    ASSERT_TRUE(s.finished());
    const results r = *s.result();
    ASSERT_EQ(r.summary.status, "ok") << all_errors(r);
    EXPECT_GE(count(events, session_event::kind_t::sample), 10u);
    EXPECT_GE(count(events, session_event::kind_t::progress), 1u);
    expect_samples_in_order(events);
    EXPECT_EQ(s.dropped_events(), 0u);
    std::vector<std::string> whats;
    for (const auto& e : r.events) whats.push_back(e.what);
    EXPECT_EQ(whats, (std::vector<std::string>{"pipeline 16 -> 4", "phase narrow", "connections_per_leecher 8 -> 2"}));
    EXPECT_EQ(r.events[0].t_s, 0.0) << "actions at t = 0 are in force from the first connection";
    EXPECT_GE(r.events[1].t_s, 0.3);
    EXPECT_TRUE(s.take_snapshot().has_value()) << "the last snapshot, taken at the end, is kept";
    if (SWARMBENCH_TEST_GRAPHS) {
        EXPECT_EQ(s.folder_errors(), std::vector<std::string>{});
    }
    expect_folder("swarm", 10);
}

TEST_P(session, stream_and_disk_report_samples_and_write_the_same_folder) {
    for (const run_mode mode : {run_mode::stream, run_mode::disk}) {
        SCOPED_TRACE(to_string(mode));
        std::filesystem::remove_all(out());
        run_request req;
        req.mode = mode;
        req.stream.backend = req.disk.backend = GetParam();
        req.stream.seconds = 0.5;
        req.stream.connections = 2;
        req.stream.threads = 1;  // Wine refuses a second listener on the port (no SO_REUSEPORT on Windows)
        req.stream.interval = req.disk.interval = 10ms;
        req.disk.size = 64 << 20;  // several 10 ms intervals, even on a fast disk
        req.disk.dir = data().string();
        std::filesystem::create_directories(data());
        req.output_dir = out();
        run_session s(std::move(req));
        const results r = s.wait();
        ASSERT_EQ(r.summary.status, "ok") << all_errors(r);
        std::vector<session_event> events;
        s.pop_events(events);
        EXPECT_GE(count(events, session_event::kind_t::sample), 1u);
        EXPECT_EQ(count(events, session_event::kind_t::sample), count(events, session_event::kind_t::progress))
            << "one sample per progress report";
        expect_samples_in_order(events);
        expect_folder(to_string(mode), 1);
    }
}

TEST_P(session, a_full_queue_drops_the_oldest_and_counts_them_and_stop_interrupts) {
    run_request req;
    req.mode = run_mode::stream;
    req.stream.backend = GetParam();
    req.stream.seconds = 30;
    req.stream.threads = 1;
    req.stream.interval = 10ms;
    run_session s(req, 2);
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (s.dropped_events() < 3 && std::chrono::steady_clock::now() < deadline) s.wait_until(deadline);
    s.stop();
    const results r = s.wait();
    EXPECT_EQ(r.summary.status, "interrupted");
    EXPECT_GE(s.dropped_events(), 3u);
    std::vector<session_event> events;
    EXPECT_LE(s.pop_events(events), 2u);
}

INSTANTIATE_TEST_SUITE_P(, session, ::testing::ValuesIn(compiled_backends()), backend_param_name);

TEST(session_request, a_bad_request_is_refused_before_anything_runs_naming_each_field) {
    run_request req;
    req.scenario.pipeline = 0;
    ASSERT_EQ(req.timeline.set(1, "pipeline", 8), std::nullopt);
    try {
        run_session s(req);
        FAIL() << "an invalid scenario ran";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("pipeline: must be 1..2048, got 0"), std::string::npos) << e.what();
    }
    req.mode = run_mode::disk;
    req.disk.block = 3;
    const auto problems = validate(req);
    ASSERT_GE(problems.size(), 2u);
    EXPECT_EQ(problems[0].rfind("block: ", 0), 0u) << problems[0];
    EXPECT_EQ(problems.back(), "timeline: only a swarm takes one, not a disk run");
}

TEST(session_request, a_folder_that_cannot_be_made_fails_the_run_before_it_starts) {
    temp_dir dir;
    ASSERT_TRUE(dir.ok());
    std::ofstream(dir.path() / "file") << "x";
    run_request req;
    req.mode = run_mode::disk;
    req.disk.size = 1 << 20;
    req.disk.dir = dir.path().string();
    req.output_dir = dir.path() / "file" / "results";
    run_session s(req);
    const results r = s.wait();
    EXPECT_EQ(r.summary.status, "failed");
    EXPECT_EQ(r.mode, "disk");
    EXPECT_EQ(r.summary.bytes, 0u) << "the workload ran";
    ASSERT_EQ(r.summary.error_messages.size(), 1u);
    EXPECT_NE(r.summary.error_messages[0].find("cannot create results folder"), std::string::npos)
        << r.summary.error_messages[0];
}

}  // namespace
}  // namespace swarmbench::test
