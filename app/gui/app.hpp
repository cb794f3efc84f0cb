// app: swarmbench-gui's frame. Owns the UI state, the run controller, the
// export job and the log sink; each frame it drains what the engine thread
// produced, draws the panels and carries out what they asked for. It knows
// nothing of GLFW or OpenGL (main.cpp does), so it runs under a null ImGui
// context in tests too.
//
// Scripted use (--run, --export, --screenshot, --exit-when-done): when the
// run ends it exports, lets a few frames draw the final graphs, asks main
// for a screenshot, then asks to quit.
//
// Thread rules: UI (main) thread only.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "app_options.hpp"
#include "app_state.hpp"
#include "export_job.hpp"
#include "log_sink.hpp"
#include "run_controller.hpp"

namespace swarmbench::gui {

class gui_app {
public:
    explicit gui_app(app_options options);
    ~gui_app();
    gui_app(const gui_app&) = delete;
    gui_app& operator=(const gui_app&) = delete;

    /// One frame, between ImGui::NewFrame and ImGui::Render.
    void frame();

    /// main reads the framebuffer after rendering this frame and reports back.
    bool wants_screenshot() const noexcept { return step_ == script_step::screenshot; }
    /// A scripted session that will take a screenshot: the pointer is kept
    /// off the window, so no tooltip it happens to raise is in the picture.
    bool hides_pointer() const noexcept { return !options_.screenshot.empty() && step_ != script_step::off; }
    const std::string& screenshot_path() const noexcept { return options_.screenshot; }
    void screenshot_taken(const std::optional<std::string>& error);

    /// A swarm is moving data (samples arrive), and how many connections it
    /// had at the last sample: what --frame-stats measures frames against.
    bool moving_data() const noexcept {
        return state_.phase == run_phase::running && state_.running_mode == run_mode::swarm && !state_.samples.empty();
    }
    std::uint32_t connections_active() const noexcept {
        return state_.samples.empty() ? 0 : state_.samples.back().connections_active;
    }

    /// Something changes without input (a run, an export, a scripted step):
    /// main then draws at the display rate; otherwise it sleeps until input.
    bool animating() const noexcept {
        return state_.phase == run_phase::running || state_.phase == run_phase::stopping || exporter_.busy() ||
               (step_ != script_step::off && step_ != script_step::done);
    }

    bool should_quit() const noexcept { return quit_; }
    /// 0: the run (and export, screenshot) succeeded or no run was scripted.
    int exit_code() const noexcept { return exit_code_; }

    app_state& state() noexcept { return state_; }
    /// Carries out what the panels asked for this frame (public so tests and
    /// scripts can ask the same way the panels do).
    void act(app_commands& cmd);

private:
    enum class script_step { off, waiting_run, exporting, settling, screenshot, done };

    void drain();
    void start_run();
    void finish_run(results&& r);
    /// Each false, with the reason in the notice and the log, on a file that cannot be read or used.
    bool load_scenario(const std::string& path);
    bool load_timeline(const std::string& path);
    void save_scenario(const std::string& path);
    void open_results(const std::string& dir);
    void apply_steering(const std::vector<std::string>& changes);
    void advance_script();
    void draw_layout(app_commands& cmd);
    void fail_script(const std::string& why);

    app_options options_;               // the command line
    app_state state_;                   // what the panels draw
    run_controller controller_;         // the engine thread
    export_job exporter_;               // the export thread
    std::shared_ptr<ring_sink> sink_;   // the log panel's source
    script_step step_ = script_step::off;  // scripted flow position
    int settle_frames_ = 0;             // frames left before the screenshot
    std::string frame_text_;            // the screenshot frame's text, for FILE.txt
    bool shot_taken_ = false;           // --screenshot done (live, with --screenshot-at)
    bool started_ = false;              // --run handled
    bool tab_selected_ = false;         // --tab applied
    bool quit_ = false;                 // main should leave its loop
    int exit_code_ = 0;                 // process exit status
};

}  // namespace swarmbench::gui
