// swarmbench-gui's core without a window: imgui's example_null set-up (a
// context, a display size, a built font atlas; no GL) around gui_app::frame,
// plus the pieces behind it (scenario form, log sink, ring buffer, axes).
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <imgui.h>

#include "app.hpp"
#include "chart.hpp"
#include "log_sink.hpp"
#include "settings_form.hpp"
#include "scrolling_buffer.hpp"
#include "swarmbench/log.hpp"
#include "null_imgui.hpp"

namespace swarmbench::gui {
namespace {

namespace fs = std::filesystem;

fs::path temp_dir(const char* name) {
    fs::path p = fs::temp_directory_path() / (std::string("swarmbench-app-gui-") + name + "-" + std::to_string(::getpid()));
    fs::remove_all(p);
    fs::create_directories(p);
    return p;
}

class null_imgui : public null_imgui_fixture {
protected:
    /// One whole app frame; returns the vertices submitted.
    static int frame(gui_app& app) {
        ImGui::NewFrame();
        app.frame();
        ImGui::Render();
        return ImGui::GetDrawData()->TotalVtxCount;
    }

};

// ------------------------------------------------------------ scenario form

TEST(scenario_form, every_field_round_trips_through_its_text) {
    scenario_form form;
    for (const auto& f : form.fields()) form.edit(f, form.text(f));
    EXPECT_TRUE(form.valid());
    for (const auto& f : form.fields()) EXPECT_EQ(form.error(f), "") << f;
    EXPECT_EQ(form.value(), swarm_scenario{});
}

TEST(scenario_form, bad_text_keeps_last_good_value_and_names_the_field) {
    scenario_form form;
    form.edit("pipeline", "0");
    EXPECT_FALSE(form.valid());
    EXPECT_NE(form.error("pipeline").find("pipeline"), std::string::npos) << form.error("pipeline");
    EXPECT_EQ(form.value().pipeline, swarm_scenario{}.pipeline);
    form.edit("pipeline", "32");
    EXPECT_TRUE(form.valid());
    EXPECT_EQ(form.value().pipeline, 32u);
    form.edit("torrent_size", "64MiB");
    EXPECT_EQ(form.value().torrent_size, 64ull << 20);
    EXPECT_EQ(form.text("torrent_size"), "64MiB");
    form.edit("storage", "nowhere");
    EXPECT_FALSE(form.error("storage").empty());
}

TEST(scenario_form, sizes_format_with_units) {
    swarm_scenario s;
    s.torrent_size = 64ull << 20;
    s.piece_size = 256 * 1024;
    EXPECT_EQ(scenario_form::format(s, "torrent_size"), "64MiB");
    EXPECT_EQ(scenario_form::format(s, "piece_size"), "256KiB");
    EXPECT_EQ(scenario_form::widget("end_game"), field_widget::check);
    EXPECT_EQ(scenario_form::widget("pick"), field_widget::choice);
    EXPECT_EQ(scenario_form::widget("seeders"), field_widget::text);
}

// Widgets, choices, tooltips and headings come from the scenario's schema.
TEST(scenario_form, the_schema_drives_widgets_choices_tooltips_and_groups) {
    EXPECT_EQ(scenario_form::widget("backend"), field_widget::choice);
    const auto& backends = scenario_form::choices("backend");
    ASSERT_FALSE(backends.empty());
    EXPECT_EQ(backends.front(), "auto");
    for (backend_kind k : available_backends())
        EXPECT_NE(std::find(backends.begin(), backends.end(), to_string(k)), backends.end()) << to_string(k);
    EXPECT_EQ(backends.size(), available_backends().size() + 1) << "only the backends that run here";
    EXPECT_EQ(scenario_form::choices("storage"), (std::vector<std::string>{"files", "discard", "disk_only"}));
    const std::string tip = scenario_form::tooltip("pipeline");
    EXPECT_NE(tip.find("Outstanding 16 KiB requests"), std::string::npos) << tip;
    EXPECT_NE(tip.find("Range: 1..2048"), std::string::npos) << tip;
    EXPECT_NE(tip.find("Default: 16"), std::string::npos) << tip;
    EXPECT_NE(scenario_form::tooltip("rate_limit").find("Unit: B/s"), std::string::npos);
    EXPECT_EQ(scenario_form::group("pipeline"), "peers");
    EXPECT_EQ(scenario_form::group("torrent_size"), "torrent");
}

// The baselines' forms are the same model over their own schemas: the same
// fields, ranges, units and messages as the CLI's stream and disk flags.
TEST(settings_form, the_baselines_forms_come_from_their_schemas) {
    settings_form<stream_config> stream{stream_config{}, {"role", "expect_connections", "target", "listen"}};
    EXPECT_EQ(std::find(stream.fields().begin(), stream.fields().end(), "role"), stream.fields().end());
    ASSERT_NE(std::find(stream.fields().begin(), stream.fields().end(), "connections"), stream.fields().end());
    stream.edit("seconds", "0.1");  // the CLI's lower bound, where the old form clamped at 0.5
    EXPECT_TRUE(stream.valid()) << stream.error("seconds");
    EXPECT_EQ(stream.value().seconds, 0.1);
    stream.edit("connections", "0");
    EXPECT_EQ(stream.error("connections"), "connections: must be 1..100000, got 0");
    EXPECT_EQ(settings_form<stream_config>::choices("backend").front(), "auto");

    settings_form<disk_config> disk;
    disk.edit("size", "1G");
    EXPECT_EQ(disk.error("size"),
              "size: ambiguous unit \"G\" in \"1G\": write 1GiB (1073741824 bytes) or 1GB (1000000000 bytes)");
    disk.edit("size", "64MiB");
    EXPECT_TRUE(disk.valid());
    disk.edit("block", "20000");
    EXPECT_FALSE(disk.valid()) << "a size that is not a multiple of the block";
    EXPECT_NE(settings_form<disk_config>::tooltip("queue_depth").find("Range: 1..4096"), std::string::npos);
}

// ------------------------------------------------------------ helpers

TEST(scrolling_buffer, keeps_the_newest_in_order) {
    scrolling_buffer<int> b(4);
    for (int i = 0; i < 10; ++i) b.push(i);
    ASSERT_EQ(b.size(), 4u);
    for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(b[i], static_cast<int>(6 + i));
    EXPECT_EQ(b.back(), 9);
}

TEST(log_sink, copies_new_lines_and_counts_lost_ones) {
    ring_sink sink(3);
    sink.set_pattern("%v");
    spdlog::logger logger("t", std::shared_ptr<ring_sink>(&sink, [](ring_sink*) {}));
    std::uint64_t seen = 0;
    std::vector<std::string> out;
    logger.info("one");
    logger.info("two");
    EXPECT_EQ(sink.copy_since(seen, out), 0u);
    EXPECT_EQ(out, (std::vector<std::string>{"one", "two"}));
    for (int i = 0; i < 5; ++i) logger.info("n{}", i);
    out.clear();
    EXPECT_EQ(sink.copy_since(seen, out), 2u);  // n0, n1 overwritten before the copy
    EXPECT_EQ(out, (std::vector<std::string>{"n2", "n3", "n4"}));
}

TEST(chart, axes_are_round_and_unit_formatted) {
    EXPECT_EQ(nice_ticks(0, 10, 5), (std::vector<double>{0, 2, 4, 6, 8, 10}));
    EXPECT_EQ(format_axis(0, axis_unit::rate), "0");
    EXPECT_NE(format_axis(64.0 * 1048576, axis_unit::rate).find("MiB/s"), std::string::npos);
    EXPECT_EQ(format_axis(12.5, axis_unit::ms), "12 ms");
    EXPECT_EQ(format_axis(0.25, axis_unit::ms), "0.25 ms");
    EXPECT_EQ(format_axis(25000, axis_unit::count), "25.0k");
}

// ------------------------------------------------------------ the whole frame

TEST_F(null_imgui, idle_frames_draw_every_panel) {
    gui_app app(app_options{});
    int vertices = 0;
    for (int i = 0; i < 3; ++i) vertices = frame(app);
    EXPECT_GT(vertices, 1000);
    EXPECT_FALSE(app.should_quit());
    EXPECT_EQ(app.state().phase, run_phase::idle);
}

// The app's side of tests/bad_input/cases.json: the settings forms show the
// engine's message under the field (and Start stays disabled); controls,
// timeline entries and faults come into the app as a timeline file, which
// the loader refuses with the message (the CLI and Python give the same).
TEST_F(null_imgui, the_shared_bad_input_table_is_refused_with_the_engines_messages) {
    std::ifstream in(fs::path(SWARMBENCH_SOURCE_DIR) / "tests" / "bad_input" / "cases.json");
    ASSERT_TRUE(in) << "tests/bad_input/cases.json";
    const nlohmann::json cases = nlohmann::json::parse(in).at("cases");
    ASSERT_GE(cases.size(), 10u);
    const fs::path dir = temp_dir("bad-input");
    gui_app app(app_options{});
    app_state& st = app.state();
    for (std::size_t i = 0; i < cases.size(); ++i) {
        const nlohmann::json& c = cases[i];
        const std::string kind = c.at("kind"), error = c.at("error");
        SCOPED_TRACE("case " + std::to_string(i + 1) + ": " + c.dump());
        const auto text = [&] { return c.at("value").is_string() ? c.at("value").get<std::string>() : c.at("value").dump(); };
        if (kind == "scenario" || kind == "stream" || kind == "disk") {
            const std::string field = c.at("field");
            std::string shown;
            bool valid = true;
            if (kind == "scenario") {
                st.form.edit(field, text());
                shown = st.form.error(field), valid = st.form.valid();
                st.form.reset(swarm_scenario{});
            } else if (kind == "stream") {
                st.stream_form.edit(field, text());
                shown = st.stream_form.error(field), valid = st.stream_form.valid();
                st.stream_form.reset(stream_config{});
            } else {
                st.disk_form.edit(field, text());
                shown = st.disk_form.error(field), valid = st.disk_form.valid();
                st.disk_form.reset(disk_config{});
            }
            EXPECT_EQ(shown, error);
            EXPECT_FALSE(valid) << "Start would be enabled";
            continue;
        }
        nlohmann::json entry;
        if (kind == "control") entry = {{"t", 1}, {"set", {{c.at("field").get<std::string>(), c.at("value")}}}};
        else if (kind == "timeline") entry = c.at("entry");
        else entry = {{"t", 1}, {"fault", c.at("fault")}};
        const fs::path plan = dir / ("plan-" + std::to_string(i + 1) + ".json");
        std::ofstream(plan) << nlohmann::json::array({entry}).dump();
        st.ui.timeline_path = plan.string();
        app_commands cmd;
        cmd.load_timeline = true;
        app.act(cmd);
        EXPECT_NE(st.notice.find(error), std::string::npos) << st.notice;
        EXPECT_TRUE(st.timeline.empty()) << "a refused plan was loaded";
    }
}

TEST_F(null_imgui, scripted_run_goes_to_completion_headless) {
    const fs::path dir = temp_dir("run");
    const fs::path scenario = dir / "s.json";
    std::ofstream(scenario) << R"({"torrent_size": "8MiB", "piece_size": "256KiB", "seeders": 1, "leechers": 2,
                                   "connections_per_leecher": 2, "storage": "discard", "threads": 1,
                                   "interval_ms": 20, "timeout_s": 60})";
    app_options o;
    o.scenario = scenario.string();
    o.run = true;
    o.exit_when_done = true;
    o.export_dir = (dir / "export").string();
    gui_app app(o);
    app.state().ui.results_parent = (dir / "runs").string();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
    int frames = 0;
    while (!app.should_quit() && std::chrono::steady_clock::now() < deadline && frames < 100000) {
        frame(app);
        ++frames;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));  // a frame's pacing, not a wait for a result
    }
    ASSERT_TRUE(app.should_quit()) << "run did not finish within the deadline";
    EXPECT_EQ(app.exit_code(), 0);
    ASSERT_TRUE(app.state().last_results.has_value());
    EXPECT_EQ(app.state().last_results->summary.status, "ok");
    EXPECT_FALSE(app.state().samples.empty());
    EXPECT_TRUE(fs::exists(app.state().run_dir / "results.json"));
    EXPECT_TRUE(fs::exists(dir / "export" / "results.json"));
    EXPECT_TRUE(fs::exists(dir / "export" / "timeseries.csv"));
    // Issue 20, item 6: after the run the peers table holds every connection
    // the run made, in its final state, each named by leecher and id with our
    // end's address: the summary's count, not the last snapshot's.
    ASSERT_TRUE(app.state().live.snapshot.has_value());
    const std::vector<peer_snapshot>& rows = app.state().live.snapshot->peers;
    ASSERT_EQ(rows.size(), app.state().last_results->peers.size());
    EXPECT_GE(rows.size(), 4u);  // 2 leechers x 2 connections
    std::set<std::pair<std::string, std::uint32_t>> names;
    for (const peer_snapshot& p : rows) {
        EXPECT_FALSE(p.local.empty()) << p.leecher << " #" << p.id;
        EXPECT_TRUE(p.state != "active" && p.state != "closing" && p.state != "connecting") << p.state;
        names.insert({p.leecher, p.id});
    }
    EXPECT_EQ(names.size(), rows.size()) << "two rows name the same connection";
    fs::remove_all(dir);
}

// Issue 20, item 2: the path box and the form show what is loaded, and the
// panel says what Start runs (the defaults or the file, edited or not).
TEST_F(null_imgui, the_form_says_what_start_runs) {
    {
        gui_app app(app_options{});
        frame(app);
        EXPECT_EQ(app.state().ui.scenario_path, "");  // no file named that was never loaded
        EXPECT_EQ(app.state().form_source, "");       // the defaults
        EXPECT_FALSE(app.state().form.edited());
        app.state().form.edit("pipeline", "32");
        EXPECT_TRUE(app.state().form.edited());
        app.state().form.edit("pipeline", "16");  // back to the default: not an edit
        EXPECT_FALSE(app.state().form.edited());
        app.state().form.edit("pipeline", "x");  // what the box shows is not what was loaded
        EXPECT_TRUE(app.state().form.edited());
    }
    const fs::path dir = temp_dir("loaded");
    const fs::path scenario = dir / "s.json";
    std::ofstream(scenario) << R"({"torrent_size": "8MiB", "leechers": 2})";
    app_options o;
    o.scenario = scenario.string();
    gui_app app(o);
    frame(app);
    EXPECT_EQ(app.state().ui.scenario_path, scenario.string());
    EXPECT_EQ(app.state().form_source, scenario.string());
    EXPECT_EQ(app.state().form.value().torrent_size, 8u << 20);
    EXPECT_EQ(app.state().form.value().leechers, 2u);
    EXPECT_FALSE(app.state().form.edited());
    fs::remove_all(dir);
}

TEST_F(null_imgui, invalid_scenario_with_run_exits_2) {
    const fs::path dir = temp_dir("invalid");
    const fs::path scenario = dir / "s.json";
    std::ofstream(scenario) << R"({"torrent_size": "8MiB"})";
    app_options o;
    o.scenario = scenario.string();
    o.run = true;
    o.exit_when_done = true;
    gui_app app(o);
    app.state().form.edit("pipeline", "0");  // typed after loading
    frame(app);
    EXPECT_TRUE(app.should_quit());
    EXPECT_EQ(app.exit_code(), 2);
    EXPECT_EQ(app.state().phase, run_phase::idle);
    fs::remove_all(dir);
}

}  // namespace
}  // namespace swarmbench::gui

namespace swarmbench::gui {
namespace {

class null_imgui_run : public null_imgui {
protected:
    /// Frames until `done` or the deadline; true if done.
    template <class Done>
    bool frames_until(gui_app& app, Done&& done, std::chrono::seconds limit) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        for (int i = 0; i < 100000 && std::chrono::steady_clock::now() < deadline; ++i) {
            frame(app);
            if (done()) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(5));  // frame pacing
        }
        return false;
    }
};

TEST_F(null_imgui_run, steering_marks_the_graphs_and_results_overlay) {
    const fs::path dir = temp_dir("steer");
    const fs::path scenario = dir / "s.json";
    std::ofstream(scenario) << R"({"torrent_size": "8MiB", "piece_size": "256KiB", "seeders": 1, "leechers": 1,
                                   "connections_per_leecher": 2, "storage": "discard", "threads": 1,
                                   "interval_ms": 20, "duration_s": 1.5, "timeout_s": 60})";
    app_options o;
    o.scenario = scenario.string();
    o.run = true;
    gui_app app(o);
    app.state().ui.results_parent = (dir / "runs").string();
    ASSERT_TRUE(frames_until(app, [&] { return app.state().samples.size() >= 3; }, std::chrono::seconds(60)));
    if (app.state().phase == run_phase::running) {
        app_commands cmd;
        app.state().steer.pipeline = 4;
        cmd.steered.push_back("pipeline 4");
        app.act(cmd);
        ASSERT_EQ(app.state().markers.size(), 1u);
        EXPECT_EQ(app.state().markers[0].label, "pipeline 4");
    }
    ASSERT_TRUE(frames_until(app, [&] { return app.state().phase == run_phase::finished; }, std::chrono::seconds(60)));
    EXPECT_EQ(app.state().last_results->summary.status, "ok");

    // The finished run's folder, opened again, becomes an overlay.
    app_commands open;
    open.open_results = app.state().run_dir.string();
    app.act(open);
    ASSERT_EQ(app.state().overlays.size(), 1u);
    EXPECT_GT(app.state().overlays[0].rows(), 0u);
    EXPECT_GT(frame(app), 1000);
    app_commands clear;
    clear.clear_overlays = true;
    app.act(clear);
    EXPECT_TRUE(app.state().overlays.empty());
    fs::remove_all(dir);
}

}  // namespace
}  // namespace swarmbench::gui
