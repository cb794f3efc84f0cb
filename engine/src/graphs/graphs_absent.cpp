// graphs_absent: render_graphs for builds without cairo (SWARMBENCH_WITH_GRAPHS
// off, e.g. the Windows cross build), so every consumer links the same API
// and reports the same fix instead of compiling graphs in and out.
#include "swarmbench/graphs.hpp"

namespace swarmbench {

graph_output render_graphs(const std::vector<loaded_results>& /*runs*/, const std::filesystem::path& /*out_dir*/,
                           const graph_options& /*options*/) {
    graph_output out;
    out.errors.push_back(
        "built without cairo, so no graphs were drawn (results.json and timeseries.csv are complete; "
        "for graphs: libcairo2-dev on Debian or vcpkg's \"graphs\" feature on Windows, then rebuild "
        "with -DSWARMBENCH_WITH_GRAPHS=ON)");
    return out;
}

}  // namespace swarmbench
