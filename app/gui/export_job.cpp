#include "export_job.hpp"

#include <system_error>
#include <utility>

#include "swarmbench/graphs.hpp"
#include "swarmbench/log.hpp"
#include "swarmbench/swarm/swarm.hpp"

namespace swarmbench::gui {
namespace {

// Built without cairo (the Windows cross build) there are no graphs to draw:
// the export is complete with results.json and timeseries.csv, and the log
// says how to get graphs, as `swarmbench run` does. Set by app/gui/CMakeLists.txt.
constexpr bool with_graphs = SWARMBENCH_GUI_WITH_GRAPHS != 0;

}  // namespace

export_outcome export_results(const std::filesystem::path& run_dir, const std::filesystem::path& target,
                              const std::vector<loaded_results>& overlays) {
    namespace fs = std::filesystem;
    export_outcome out;
    out.dir = target;
    if (auto made = create_results_dir(target); !made) {
        out.errors.push_back(made.error());
        return out;
    }
    std::error_code ec;
    const bool same = fs::equivalent(run_dir, target, ec);
    if (!same) {
        for (const char* name : {results_json_name, timeseries_csv_name}) {
            const fs::path from = run_dir / name;
            if (!fs::exists(from, ec)) continue;
            if (!fs::copy_file(from, target / name, fs::copy_options::overwrite_existing, ec) && ec)
                out.errors.push_back("cannot copy " + from.string() + " to " + target.string() + ": " + ec.message());
            else
                out.files.push_back(target / name);
        }
    }
    auto loaded = load_results(target);
    if (!loaded) {
        out.errors.push_back(loaded.error());
        return out;
    }
    std::vector<loaded_results> runs{loaded.value()};
    runs.insert(runs.end(), overlays.begin(), overlays.end());
    graph_output g = render_graphs(runs, target);
    if (!with_graphs) {
        for (const auto& e : g.errors) log().warn("export: {}", e);
        g.errors.clear();
    }
    out.files.insert(out.files.end(), g.files.begin(), g.files.end());
    out.errors.insert(out.errors.end(), g.errors.begin(), g.errors.end());
    return out;
}

export_job::~export_job() {
    if (thread_.joinable()) thread_.join();
}

bool export_job::start(std::filesystem::path run_dir, std::filesystem::path target,
                       std::vector<loaded_results> overlays) {
    if (busy_.load()) return false;
    if (thread_.joinable()) thread_.join();
    busy_.store(true);
    thread_ = std::thread([this, run_dir = std::move(run_dir), target = std::move(target),
                           overlays = std::move(overlays)] {
        export_outcome o;
        try {
            o = export_results(run_dir, target, overlays);
        } catch (const std::exception& e) {
            o.dir = target;
            o.errors.push_back(std::string("export failed: ") + e.what());
        }
        {
            std::lock_guard lock(mutex_);
            done_ = std::move(o);
        }
        busy_.store(false);
    });
    return true;
}

std::optional<export_outcome> export_job::take() {
    std::lock_guard lock(mutex_);
    std::optional<export_outcome> out;
    std::swap(out, done_);
    return out;
}

}  // namespace swarmbench::gui
