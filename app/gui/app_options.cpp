#include "app_options.hpp"

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace swarmbench::gui {

const char* usage_text() noexcept {
    return "Usage: swarmbench-gui [options]\n"
           "  --scenario FILE     load this scenario file at start\n"
           "  --timeline FILE     load this timeline (docs/timeline.md) for the swarm at start\n"
           "  --run               start the run at once\n"
           "  --export DIR        export the results folder and graphs here when the run ends\n"
           "  --screenshot FILE   save the window as a PNG when the run ends, and the text\n"
           "                      it shows beside it (FILE with .txt)\n"
           "  --screenshot-at S   take that screenshot S seconds into the run, while it moves\n"
           "                      data (at its end if it ends sooner)\n"
           "  --exit-when-done    quit once the run (and export and screenshot) are done;\n"
           "                      exit status 0 if the run's status is ok, 1 otherwise\n"
           "  --size WxH          window size (default 1440x900)\n"
           "  --tab NAME          bottom view shown first: Log, Peers, Pieces or \"Disk map\"\n"
           "  --write-icon FILE   write the app icon as a 256x256 PNG and exit\n"
           "  --frame-stats FILE  write frame-time percentiles (while a run moves data) as JSON at exit\n"
           "  -h, --help          this text\n";
}

std::variant<app_options, std::string> parse_options(int argc, char** argv) {
    app_options o;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        auto value = [&](std::string& out) -> bool {
            if (i + 1 >= argc) return false;
            out = argv[++i];
            return true;
        };
        if (arg == "--run") {
            o.run = true;
        } else if (arg == "--exit-when-done") {
            o.exit_when_done = true;
        } else if (arg == "-h" || arg == "--help") {
            o.help = true;
        } else if (arg == "--scenario" || arg == "--timeline" || arg == "--export" || arg == "--screenshot" || arg == "--write-icon" ||
                   arg == "--size" || arg == "--tab" || arg == "--frame-stats" || arg == "--screenshot-at") {
            std::string v;
            if (!value(v)) return std::string(arg) + ": expects a value";
            if (arg == "--scenario") o.scenario = v;
            if (arg == "--timeline") o.timeline = v;
            if (arg == "--export") o.export_dir = v;
            if (arg == "--screenshot") o.screenshot = v;
            if (arg == "--write-icon") o.write_icon = v;
            if (arg == "--frame-stats") o.frame_stats = v;
            if (arg == "--screenshot-at") {
                char* end = nullptr;
                const double s = std::strtod(v.c_str(), &end);
                if (v.empty() || *end != '\0' || !(s >= 0 && s <= 86400))
                    return "--screenshot-at: expected seconds in 0..86400, got " + v;
                o.screenshot_at_s = s;
            }
            if (arg == "--tab") {
                if (v != "Log" && v != "Peers" && v != "Pieces" && v != "Disk map")
                    return "--tab: one of Log, Peers, Pieces, \"Disk map\"; got " + v;
                o.tab = v;
            }
            if (arg == "--size") {
                int w = 0, h = 0;
                char tail = 0;
                if (std::sscanf(v.c_str(), "%dx%d%c", &w, &h, &tail) != 2 || w < 320 || h < 240 || w > 16384 ||
                    h > 16384)
                    return "--size: expected WxH of at least 320x240, got " + v;
                o.width = w;
                o.height = h;
            }
        } else {
            return "unknown option " + std::string(arg) + " (see --help)";
        }
    }
    return o;
}

}  // namespace swarmbench::gui
