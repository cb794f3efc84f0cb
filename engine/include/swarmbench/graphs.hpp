// graphs: the charts of a results folder as PNG and SVG, drawn with cairo.
// Used by `swarmbench run` (at the end), `swarmbench plot` (re-render and
// overlay several runs), the app's export and Python's export().
//
// Graphs (each <name>.png and <name>.svg):
//   throughput  network in/out, goodput and disk writes over time (B/s axis)
//   latency     request->piece p50/p90/p99 (ms) and disk write p99 (us, right axis)
//   connections active and half-open connections over time
// Steering changes and faults (results.json "events") are dashed vertical
// markers labelled with what changed.
// With several runs every line is drawn once per run, the legend naming the
// run (its folder name) and the metric. A folder without a column a graph
// needs (stream and disk results have only goodput) simply lacks that line.
//
// Library: swarmbench::graphs (built when cairo is found; the engine itself
// does not depend on cairo).
//
// Thread rules: reentrant; each call uses its own cairo surfaces.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "swarmbench/results_folder.hpp"

namespace swarmbench {

struct graph_options {
    int width = 1200;    // pixels (PNG) / points (SVG)
    int height = 600;
    std::string title_suffix;  // appended to each title, e.g. " (io_uring)"
};

/// What render_graphs wrote, or why not.
struct graph_output {
    std::vector<std::filesystem::path> files;  // every PNG and SVG written
    std::vector<std::string> errors;           // "cannot write X: ..." per failure
};

/// Draws every graph for `runs` (one or more) into `out_dir` (created).
graph_output render_graphs(const std::vector<loaded_results>& runs,
                           const std::filesystem::path& out_dir, const graph_options& options = {});

}  // namespace swarmbench
