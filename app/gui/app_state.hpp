// app_state: everything the UI draws from, owned by the UI thread. The run
// controller hands over copies (samples, snapshots, results) once per frame;
// panels read and edit this struct and ask for actions through app_commands,
// so they never hold engine pointers and can be drawn headless in tests.
//
// Thread rules: UI (main) thread only.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "live_view_state.hpp"
#include "settings_form.hpp"
#include "scrolling_buffer.hpp"
#include "swarmbench/results.hpp"
#include "swarmbench/results_folder.hpp"
#include "swarmbench/session/run_session.hpp"
#include "swarmbench/swarm/sample.hpp"
#include "swarmbench/workloads/disk.hpp"
#include "swarmbench/workloads/run_control.hpp"
#include "swarmbench/workloads/stream.hpp"

namespace swarmbench::gui {


/// The UI's own choices, kept apart from run data (Tracy's ViewData): paths,
/// the graphs' time window, which views are shown.
struct ui_settings {
    run_mode mode = run_mode::swarm;          // what Start runs
    std::string scenario_path;                // load/save box ("" : nothing loaded; the hint names the defaults)
    std::string timeline_path;                // the timeline box ("" : none loaded)
    std::string results_parent = "swarmbench-results";  // each run gets a folder in here
    std::string export_dir;                   // Export target ("" : the run's own folder)
    std::string open_dir;                     // Open results folder box
    float window_s = 30;                      // seconds of history the graphs show
    bool whole_run = false;                   // graphs show the whole run, not the window
    bool show_overlays = true;                // draw opened results folders
    bool log_auto_scroll = true;              // log panel sticks to the bottom
    std::string log_filter;                   // substring filter on log lines
    int graph_height = 0;                     // per chart (0: share the space)
};

/// A vertical line on the graphs where a steering setting changed.
struct marker {
    double t_s = 0;      // sample clock
    std::string label;   // "pipeline 32"
};

/// Steering values as the sliders show them (0: the scenario's).
struct steering_state {
    int connections_per_leecher = 0;  // slider value
    int pipeline = 0;                 // slider value
    float rate_limit_mib = 0;         // MiB/s per connection
    bool unlimited = true;            // no rate limit
    bool touched = false;             // the user moved something this run
};

/// Where the current or last run is.
enum class run_phase : int { idle, running, stopping, finished };

/// Requests the panels make; the app carries them out after drawing.
struct app_commands {
    bool start = false;                     // Start pressed
    bool stop = false;                      // Stop pressed
    bool load_scenario = false;             // Load (ui.scenario_path)
    bool save_scenario = false;             // Save (ui.scenario_path)
    bool load_timeline = false;             // Load (ui.timeline_path)
    std::optional<std::string> export_to;   // Export into this folder
    std::optional<std::string> open_results;  // overlay this results folder
    bool clear_overlays = false;            // drop every overlay
    std::vector<std::string> steered;       // steering changed: write controls, one marker each
    bool quit = false;                      // File > Quit
};

struct app_state {
    ui_settings ui;                          // persisted-style UI choices
    scenario_form form;                      // the scenario being edited, with per-field errors
    std::string form_source;                 // the file the form was loaded from ("" : the defaults)
    /// The stream baseline's settings; the app runs both ends here (loopback).
    settings_form<stream_config> stream_form{stream_config{}, {"role", "expect_connections", "target", "listen"}};
    settings_form<disk_config> disk_form;    // the disk baseline's settings

    run_phase phase = run_phase::idle;       // controller state as last seen
    run_mode running_mode = run_mode::swarm; // mode of the current/last run
    scrolling_buffer<swarm_sample> samples{36000};  // this run's samples (1 h at 100 ms)
    std::vector<marker> markers;             // steering changes this run
    std::vector<loaded_results> overlays;    // opened results folders
    live_view_state live;                    // snapshot-fed views
    progress last_progress;                  // latest progress report
    std::filesystem::path run_dir;           // this run's results folder
    std::optional<results> last_results;     // the finished run's document
    steering_state steer;                    // steering sliders
    swarm_timeline timeline;                 // timed changes the next swarm run applies (docs/timeline.md)

    std::vector<std::string> log_lines;      // copied from the log sink, bounded
    std::uint64_t log_seen = 0;              // sink sequence number copied so far
    std::string notice;                      // last action's outcome, shown in the status bar
    bool export_busy = false;                // an export runs in the background
    bool open_export_popup = false;          // the menu asked for the Export popup (opened next frame)
    bool open_results_popup = false;         // the menu asked for the Open results popup
};

}  // namespace swarmbench::gui
