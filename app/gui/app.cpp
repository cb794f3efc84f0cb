// app: [SECTION] set-up, [SECTION] per frame, [SECTION] actions, [SECTION] scripted runs.
#include "app.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include <imgui.h>
#include <imgui_internal.h>  // GImGui->LogBuffer: the text of the screenshot frame

#include "panels.hpp"
#include "swarmbench/log.hpp"
#include "swarmbench/units.hpp"
#include "system.hpp"

namespace swarmbench::gui {

namespace {
constexpr std::size_t max_log_lines = 5000;  // the panel keeps this many
}  // namespace

// ---------------------------------------------------------------- [SECTION] set-up

gui_app::gui_app(app_options options) : options_(std::move(options)) {
    sink_ = install_log_sink();
    raise_open_file_limit();
    // The baselines start shorter than the CLI's defaults: a first Start should not take a minute.
    disk_config disk;
    disk.size = 256ULL << 20;
    state_.disk_form.reset(disk);
    stream_config stream;
    stream.connections = 4;
    state_.stream_form.reset(stream);
    if (options_.run || !options_.export_dir.empty() || !options_.screenshot.empty()) step_ = script_step::waiting_run;
    // A scripted run of a file that cannot be used runs nothing else instead.
    if (!options_.scenario.empty()) {
        state_.ui.scenario_path = options_.scenario;
        if (!load_scenario(options_.scenario) && step_ != script_step::off) fail_script("--scenario " + state_.notice);
    }
    if (!options_.timeline.empty()) {
        state_.ui.timeline_path = options_.timeline;
        if (!load_timeline(options_.timeline) && step_ != script_step::off) fail_script("--timeline " + state_.notice);
    }
    log().info("swarmbench-gui {} (Dear ImGui {})", version(), ImGui::GetVersion());
}

gui_app::~gui_app() {
    controller_.stop();
    // The run's threads may still be logging (the controller joins them only
    // as it is destroyed): the fan-out's lock makes that safe.
    remove_log_sink(sink_);
}

// ---------------------------------------------------------------- [SECTION] per frame

void gui_app::frame() {
    drain();
    if (options_.run && !started_) {
        started_ = true;
        if (step_ == script_step::done) {
            // refused at start-up (fail_script): nothing runs
        } else if ((state_.ui.mode == run_mode::swarm && !state_.form.valid())) {
            std::string all;
            for (const auto& f : state_.form.fields())
                if (!state_.form.error(f).empty()) all += " " + state_.form.error(f) + ";";
            for (const auto& p : state_.form.general_problems()) all += " " + p + ";";
            fail_script("--run: the scenario is invalid:" + all);
        } else {
            start_run();
        }
    }
    // Before drawing: the frame that becomes the screenshot knows it is, and
    // captures its text (draw_layout).
    advance_script();
    app_commands cmd;
    draw_layout(cmd);
    act(cmd);
}

void gui_app::drain() {
    std::vector<std::string> fresh;
    sink_->copy_since(state_.log_seen, fresh);
    for (auto& l : fresh) state_.log_lines.push_back(std::move(l));
    if (state_.log_lines.size() > max_log_lines)
        state_.log_lines.erase(state_.log_lines.begin(),
                               state_.log_lines.begin() + static_cast<std::ptrdiff_t>(state_.log_lines.size() - max_log_lines));

    run_inbox in = controller_.drain();
    for (const auto& s : in.samples) state_.samples.push(s);
    if (in.last_progress) state_.last_progress = *in.last_progress;
    if (in.snapshot) absorb_snapshot(state_.live, std::move(*in.snapshot));
    if (in.finished) finish_run(std::move(*in.finished));

    if (auto done = exporter_.take()) {
        state_.export_busy = false;
        if (done->errors.empty()) {
            state_.notice = "exported " + std::to_string(done->files.size()) + " files to " + done->dir.string();
            log().info("{}", state_.notice);
        } else {
            state_.notice = "export: " + done->errors.front();
            for (const auto& e : done->errors) log().error("export: {}", e);
            if (step_ != script_step::off) exit_code_ = 1;
        }
        if (step_ == script_step::exporting) {
            step_ = script_step::settling;
            settle_frames_ = 3;
        }
    }
}

void gui_app::draw_layout(app_commands& cmd) {
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(vp->WorkPos);
    ImGui::SetNextWindowSize(vp->WorkSize);
    const ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                   ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_MenuBar |
                                   ImGuiWindowFlags_NoBringToFrontOnFocus;
    ImGui::PushStyleVar(ImGuiStyleVar_WindowRounding, 0);
    ImGui::Begin("swarmbench", nullptr, flags);
    ImGui::PopStyleVar();
    // The screenshot frame's text goes beside the picture (shot.txt), so a
    // test can read what the window says without reading pixels. ImGui's
    // log capture takes every text the window and its children draw.
    const bool capture_text = wants_screenshot();
    if (capture_text) ImGui::LogToBuffer();
    draw_menu(state_, cmd);

    const float font = ImGui::GetFontSize();
    const float status_h = ImGui::GetFrameHeightWithSpacing();
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const float left_w = std::clamp(avail.x * 0.3f, font * 24, font * 34);
    const float body_h = avail.y - status_h;

    ImGui::BeginChild("left", ImVec2(left_w, body_h), true);
    draw_run_panel(state_, cmd);                            // Start/Stop, progress, steering, summary
    ImGui::Separator();
    draw_scenario_panel(state_, cmd);                       // mode and settings
    ImGui::EndChild();
    ImGui::SameLine();

    ImGui::BeginChild("right", ImVec2(0, body_h), false);
    const float right_h = ImGui::GetContentRegionAvail().y;
    ImGui::BeginChild("graphs", ImVec2(0, right_h * 0.64f), true);
    draw_graphs_panel(state_);                              // throughput, latency, connections
    ImGui::EndChild();
    ImGui::BeginChild("tabs", ImVec2(0, 0), true);
    if (ImGui::BeginTabBar("views")) {
        // --tab selects one view on the first frame only.
        auto tab = [this](const char* name) {
            const bool pick = !tab_selected_ && options_.tab == name;
            return ImGui::BeginTabItem(name, nullptr, pick ? ImGuiTabItemFlags_SetSelected : 0);
        };
        if (tab("Log")) { draw_log_panel(state_); ImGui::EndTabItem(); }
        if (tab("Peers")) { draw_peers_tab(state_); ImGui::EndTabItem(); }
        if (tab("Pieces")) { draw_pieces_tab(state_); ImGui::EndTabItem(); }
        if (tab("Disk map")) { draw_disk_tab(state_); ImGui::EndTabItem(); }
        tab_selected_ = true;
        ImGui::EndTabBar();
    }
    ImGui::EndChild();
    ImGui::EndChild();

    // Status bar.
    ImGui::Separator();
    const char* phase = state_.phase == run_phase::running    ? "running"
                        : state_.phase == run_phase::stopping ? "stopping"
                        : state_.phase == run_phase::finished ? "finished"
                                                              : "idle";
    // What a user asks of a status bar: what runs, how far, what is open (frame times: --frame-stats).
    std::string status = std::string(to_string(state_.running_mode)) + " " + phase;
    if (!state_.samples.empty()) status += " | " + format_count(state_.samples.size()) + " samples";
    if (!state_.overlays.empty())
        status += " | " + format_count(state_.overlays.size()) + " results folder" +
                  (state_.overlays.size() == 1 ? "" : "s") + " shown";
    if (!state_.notice.empty()) status += " | " + state_.notice;
    ImGui::TextDisabled("%s", status.c_str());
    if (capture_text) {
        frame_text_ = GImGui->LogBuffer.c_str();
        ImGui::LogFinish();
    }
    ImGui::End();
    draw_popups(state_, cmd);
    if (ImGui::GetIO().KeyCtrl && ImGui::IsKeyPressed('Q')) cmd.quit = true;
}

// ---------------------------------------------------------------- [SECTION] actions

void gui_app::act(app_commands& cmd) {
    if (cmd.load_scenario) load_scenario(state_.ui.scenario_path);
    if (cmd.save_scenario) save_scenario(state_.ui.scenario_path);
    if (cmd.load_timeline) load_timeline(state_.ui.timeline_path);
    if (cmd.start) start_run();
    if (cmd.stop && state_.phase == run_phase::running) {
        controller_.stop();
        state_.phase = run_phase::stopping;
        log().info("stopping the run");
    }
    if (!cmd.steered.empty()) apply_steering(cmd.steered);
    if (cmd.export_to) {
        if (exporter_.start(state_.run_dir, *cmd.export_to, state_.ui.show_overlays ? state_.overlays : std::vector<loaded_results>{})) {
            state_.export_busy = true;
            state_.notice = "exporting to " + *cmd.export_to + "...";
        }
    }
    if (cmd.open_results) open_results(*cmd.open_results);
    if (cmd.clear_overlays) state_.overlays.clear();
    if (cmd.quit) quit_ = true;
}

void gui_app::start_run() {
    if (controller_.running()) return;
    run_request req;
    req.output_dir = default_results_dir(state_.ui.results_parent);
    req.mode = state_.ui.mode;
    req.scenario = state_.form.value();
    if (req.mode == run_mode::swarm) req.timeline = state_.timeline;
    req.stream = state_.stream_form.value();
    req.disk = state_.disk_form.value();
    state_.samples.clear();
    state_.markers.clear();
    state_.last_results.reset();
    state_.last_progress = progress{};
    reset_live(state_.live, req.scenario.torrent_size);
    const swarm_scenario& sc = req.scenario;
    state_.steer = steering_state{};
    state_.steer.connections_per_leecher = static_cast<int>(sc.connections_per_leecher);
    state_.steer.pipeline = static_cast<int>(sc.pipeline);
    state_.steer.unlimited = sc.rate_limit == 0;
    state_.steer.rate_limit_mib = sc.rate_limit == 0 ? 100.0f : static_cast<float>(sc.rate_limit / 1048576.0);
    state_.run_dir = *req.output_dir;
    state_.running_mode = state_.ui.mode;
    state_.ui.export_dir.clear();
    if (controller_.start(std::move(req))) {
        state_.phase = run_phase::running;
        state_.notice = "results go to " + state_.run_dir.string();
        log().info("{} run started; results in {}", to_string(state_.running_mode), state_.run_dir.string());
    }
}

void gui_app::finish_run(results&& r) {
    log().info("{} run {}: goodput {}", r.mode, r.summary.status, format_rate(r.summary.goodput_bytes_per_s));
    for (const auto& e : r.summary.error_messages) log().warn("{}", e);
    if (const auto few = few_samples_warning(r)) log().warn("{}", *few);
    if (r.mode == "swarm") absorb_final_peers(state_.live, r.peers);
    if (step_ != script_step::off && r.summary.status != "ok") exit_code_ = 1;
    state_.last_results = std::move(r);
    state_.phase = run_phase::finished;
    if (step_ == script_step::waiting_run) {
        if (!options_.export_dir.empty() &&
            exporter_.start(state_.run_dir, options_.export_dir, std::vector<loaded_results>{})) {
            state_.export_busy = true;
            step_ = script_step::exporting;
        } else {
            step_ = script_step::settling;
            settle_frames_ = 3;
        }
    }
}

namespace {

/// The file's text, or nullopt.
std::optional<std::string> read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace

bool gui_app::load_scenario(const std::string& path) {
    const auto text = read_text(path);
    auto parsed = text ? parse_scenario(*text) : bt::result<swarm_scenario>(bt::parse_error{"cannot read the file"});
    if (!parsed) {
        state_.notice = path + ": " + parsed.error();
        log().error("{}", state_.notice);
        return false;
    }
    state_.form.reset(parsed.value());
    state_.form_source = path;
    state_.ui.mode = run_mode::swarm;
    state_.notice = "loaded " + path;
    log().info("scenario {} loaded", path);
    return true;
}

bool gui_app::load_timeline(const std::string& path) {
    if (path.empty()) {
        state_.timeline.clear();
        state_.notice = "timeline cleared";
        return true;
    }
    const auto text = read_text(path);
    auto parsed = text ? swarm_timeline::parse(*text) : bt::result<swarm_timeline>(bt::parse_error{"cannot read the file"});
    if (!parsed) {
        state_.notice = path + ": " + parsed.error();
        log().error("{}", state_.notice);
        return false;
    }
    state_.timeline = std::move(parsed.value());
    state_.notice = "timeline " + path + " loaded";
    log().info("timeline {} loaded: {} actions until {:.1f} s", path, state_.timeline.actions().size(),
               state_.timeline.end_s());
    return true;
}

void gui_app::save_scenario(const std::string& path) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << to_json(state_.form.value()).dump(2) << "\n";
    state_.notice = out ? "saved " + path : "cannot write " + path;
    if (out && state_.form.valid()) {  // the form is now what the file holds
        state_.form_source = path;
        state_.form.reset(state_.form.value());
    }
    if (out) log().info("scenario saved to {}", path);
    else log().error("{}", state_.notice);
}

void gui_app::open_results(const std::string& dir) {
    auto loaded = load_results(dir);
    if (!loaded) {
        state_.notice = loaded.error();
        log().error("open results: {}", loaded.error());
        return;
    }
    state_.overlays.push_back(std::move(loaded.value()));
    state_.notice = "opened " + dir;
    log().info("overlaying {} ({} rows)", dir, state_.overlays.back().rows());
}

void gui_app::apply_steering(const std::vector<std::string>& changes) {
    if (state_.phase != run_phase::running) return;
    const steering_state& s = state_.steer;
    swarm_controls& c = controller_.controls();
    // Each is checked by the schema; the sliders keep within the ranges, so
    // an error here is a bug worth a line in the log.
    for (const auto& err : {c.set("connections_per_leecher", std::max(1, s.connections_per_leecher)),
                            c.set("pipeline", std::max(1, s.pipeline)),
                            c.set("rate_limit", s.unlimited ? 0 : static_cast<std::uint64_t>(s.rate_limit_mib * 1048576.0))})
        if (err) log().error("steering: {}", *err);
    const double t = state_.samples.empty() ? 0 : state_.samples.back().t_s;
    for (const auto& label : changes) {
        state_.markers.push_back({t, label});
        log().info("steering: {} at {:.1f} s", label, t);
    }
}

// ---------------------------------------------------------------- [SECTION] scripted runs

void gui_app::advance_script() {
    // --screenshot-at: the live frame, once the run's own clock has passed S.
    if (step_ == script_step::waiting_run && !options_.screenshot.empty() && options_.screenshot_at_s >= 0 &&
        !shot_taken_ && state_.phase == run_phase::running && !state_.samples.empty() &&
        state_.samples.back().t_s >= options_.screenshot_at_s)
        step_ = script_step::screenshot;
    if (step_ == script_step::settling && --settle_frames_ <= 0)
        step_ = options_.screenshot.empty() || shot_taken_ ? script_step::done : script_step::screenshot;
    if (step_ == script_step::done && options_.exit_when_done) quit_ = true;
}

void gui_app::screenshot_taken(const std::optional<std::string>& error) {
    if (error) {
        log().error("screenshot: {}", *error);
        exit_code_ = 1;
    } else {
        log().info("screenshot saved to {}", options_.screenshot);
        const std::filesystem::path text_path = std::filesystem::path(options_.screenshot).replace_extension(".txt");
        std::ofstream out(text_path, std::ios::binary);
        out << frame_text_;
        if (!out.flush()) {
            log().error("screenshot: cannot write the frame's text to {}", text_path.string());
            exit_code_ = 1;
        }
    }
    shot_taken_ = true;
    if (state_.phase == run_phase::running || state_.phase == run_phase::stopping) {
        step_ = script_step::waiting_run;  // a live screenshot: the run (and the export) go on
        return;
    }
    step_ = script_step::done;
    if (options_.exit_when_done) quit_ = true;
}

void gui_app::fail_script(const std::string& why) {
    log().error("{}", why);
    state_.notice = why;
    exit_code_ = 2;
    step_ = script_step::done;
    if (options_.exit_when_done) quit_ = true;
}

}  // namespace swarmbench::gui
