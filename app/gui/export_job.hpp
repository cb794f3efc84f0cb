// export_job: copies a run's results folder (results.json, timeseries.csv)
// into the folder the user chose and draws its graphs there with
// render_graphs, the same PNG and SVG files `swarmbench run` writes. Runs on
// its own thread so the UI keeps drawing while cairo works.
//
// Thread rules: UI thread for every member; the work runs on the job's thread.
#pragma once

#include <atomic>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "swarmbench/results_folder.hpp"

namespace swarmbench::gui {

struct export_outcome {
    std::filesystem::path dir;                  // where the files went
    std::vector<std::filesystem::path> files;   // every file written or copied
    std::vector<std::string> errors;            // each names the file and the reason
};

/// The export itself (any thread; blocking). `overlays` are drawn as extra
/// runs on the graphs.
export_outcome export_results(const std::filesystem::path& run_dir, const std::filesystem::path& target,
                              const std::vector<loaded_results>& overlays);

class export_job {
public:
    export_job() = default;
    ~export_job();
    export_job(const export_job&) = delete;
    export_job& operator=(const export_job&) = delete;

    /// Starts an export; false while one is still busy.
    bool start(std::filesystem::path run_dir, std::filesystem::path target, std::vector<loaded_results> overlays);
    bool busy() const noexcept { return busy_.load(); }
    /// The finished export's outcome, once.
    std::optional<export_outcome> take();

private:
    std::thread thread_;                   // the export thread
    std::atomic<bool> busy_{false};        // an export runs
    std::mutex mutex_;                     // guards done_
    std::optional<export_outcome> done_;   // set by the thread at the end
};

}  // namespace swarmbench::gui
