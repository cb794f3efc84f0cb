// swarmbench plot: re-renders the graphs of results folders, overlaying
// several runs on one set of graphs.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <set>
#include <vector>

#include "cli_common.hpp"
#include "swarmbench/graphs.hpp"
#include "swarmbench/results_folder.hpp"

namespace swarmbench::cli {

namespace {

namespace fs = std::filesystem;

struct plot_args {
    std::vector<std::string> dirs;  // DIR...
    std::string output;             // -o / --output
    std::string width = "1200";     // --width
    std::string height = "600";     // --height
    std::string title;              // --title
};

// Two folders of the same name (runs/a/latest, runs/b/latest) would share a
// legend label: name them by their parent too.
void disambiguate_labels(std::vector<loaded_results>& runs) {
    std::multiset<std::string> seen;
    for (const loaded_results& r : runs) seen.insert(r.label);
    for (loaded_results& r : runs) {
        if (seen.count(r.label) < 2) continue;
        fs::path parent = fs::absolute(r.dir).lexically_normal();
        if (!parent.has_filename()) parent = parent.parent_path();
        parent = parent.parent_path();
        if (!parent.filename().empty()) r.label = parent.filename().string() + "/" + r.label;
    }
}

int run(const plot_args& a) {
    graph_options options;
    options.width = static_cast<int>(parse_count("--width", a.width, 320, 16384));
    options.height = static_cast<int>(parse_count("--height", a.height, 200, 16384));
    options.title_suffix = a.title.empty() ? "" : "  " + a.title;
    if (a.output.empty() && a.dirs.size() > 1)
        throw usage_error("--output: required when plotting several folders (-o DIR: where the overlay goes)");
    const fs::path out_dir = a.output.empty() ? fs::path(a.dirs.front()) : fs::path(a.output);

    std::vector<loaded_results> runs;
    std::vector<std::string> failures;
    for (const std::string& dir : a.dirs) {
        auto loaded = load_results(dir);
        if (loaded) runs.push_back(std::move(loaded).value());
        else failures.push_back(loaded.error());
    }
    if (runs.empty()) {
        for (const std::string& f : failures) std::fprintf(stderr, "swarmbench: %s\n", f.c_str());
        return exit_runtime;
    }
    for (const std::string& f : failures) std::fprintf(stderr, "swarmbench: skipping: %s\n", f.c_str());
    disambiguate_labels(runs);

    graph_output out = render_graphs(runs, out_dir, options);
    for (const fs::path& f : out.files) std::printf("%s\n", f.string().c_str());
    std::fflush(stdout);
    for (const std::string& e : out.errors) std::fprintf(stderr, "swarmbench: %s\n", e.c_str());
    if (!out.errors.empty()) return exit_runtime;
    if (out.files.empty()) {
        std::fprintf(stderr, "swarmbench: nothing to plot: no folder has a time series (%s)\n",
                     runs.size() == 1 ? runs.front().dir.string().c_str() : "all empty");
        return exit_runtime;
    }
    return exit_ok;
}

}  // namespace

command make_plot_command(CLI::App& parent) {
    auto a = std::make_shared<plot_args>();
    CLI::App* sub = parent.add_subcommand(
        "plot", "Re-render the graphs (PNG and SVG) of results folders; several folders are overlaid, "
                "each run with its own line style");
    sub->add_option("DIR", a->dirs, "Results folders (each with timeseries.csv and/or results.json)")
        ->required()
        ->type_name("DIR...");
    sub->add_option("-o,--output", a->output,
                    "Where to write the graphs (default: the folder itself when only one is given)");
    sub->add_option("--width", a->width, "Image width in pixels, 320..16384")->capture_default_str();
    sub->add_option("--height", a->height, "Image height in pixels, 200..16384")->capture_default_str();
    sub->add_option("--title", a->title, "Text added to every graph's title, e.g. 'io_uring vs epoll'");
    return {sub, [a] { return run(*a); }};
}

}  // namespace swarmbench::cli
