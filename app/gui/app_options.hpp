// app_options: swarmbench-gui's command line, for scripted use:
//
//   swarmbench-gui [--scenario FILE] [--timeline FILE] [--run] [--export DIR] [--screenshot FILE]
//                  [--screenshot-at S] [--exit-when-done] [--size WxH] [--tab NAME] [--write-icon FILE]
//                  [--frame-stats FILE]
//
// Thread rules: plain values; main thread.
#pragma once

#include <optional>
#include <string>
#include <variant>

namespace swarmbench::gui {

struct app_options {
    std::string scenario;        // --scenario: load this file at start
    std::string timeline;        // --timeline: load this timeline file at start
    bool run = false;            // --run: start at once
    std::string export_dir;      // --export: export here when the run ends
    std::string screenshot;      // --screenshot: save the window here when the run ends
    double screenshot_at_s = -1; // --screenshot-at: ... or this many seconds into the run (< 0: at the end)
    bool exit_when_done = false; // --exit-when-done: quit after the run (and export, screenshot)
    int width = 1440;            // --size: window size in screen coordinates
    int height = 900;
    std::string tab;             // --tab: the bottom view shown first (Log, Peers, Pieces, "Disk map")
    std::string write_icon;      // --write-icon: write the icon PNG and exit (assets/icon.png)
    std::string frame_stats;     // --frame-stats: write frame-time percentiles of the running phase here at exit
    bool help = false;           // --help
};

/// Parsed options, or the error message ("--size: expected WxH, got 12").
std::variant<app_options, std::string> parse_options(int argc, char** argv);

/// The --help text.
const char* usage_text() noexcept;

}  // namespace swarmbench::gui
