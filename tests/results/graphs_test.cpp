// Graphs: a synthetic two-run set renders every graph as a PNG of the asked
// size that is not blank, and an SVG; stream-style folders (goodput only)
// get only the graphs they have data for; missing columns are not errors.
// Skips when the library was built without cairo.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>

#include "png_probe.hpp"
#include "test_support.hpp"
#include "swarmbench/graphs.hpp"

namespace swarmbench {
namespace {

namespace fs = std::filesystem;

using test::temp_dir;  // a fresh directory under $TMPDIR, removed at the end

bool built_without_cairo(const graph_output& out) {
    for (const std::string& e : out.errors)
        if (e.find("built without cairo") != std::string::npos) return true;
    return false;
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// A swarm run of `seconds` at 10 samples per second: rates that ramp up and
// wobble, latency percentiles with idle (zero) intervals, connections that
// open then settle. `scale` sets the second run apart.
loaded_results swarm_run(const std::string& label, double seconds, double scale) {
    loaded_results r;
    r.label = label;
    r.columns = {"t_s",         "net_in_bps",     "net_out_bps",    "goodput_bps",       "disk_write_bps",
                 "disk_write_us_p99", "request_ms_p50", "request_ms_p90", "request_ms_p99",
                 "connections_active", "connections_half_open"};
    const int n = static_cast<int>(seconds * 10);
    for (int i = 1; i <= n; ++i) {
        double t = i * 0.1;
        double ramp = std::min(1.0, t / 2.0);
        double wobble = 1 + 0.15 * std::sin(t * 3.1 * scale);
        double rate = 1.4e9 * scale * ramp * wobble;
        r.series["t_s"].push_back(t);
        r.series["net_in_bps"].push_back(rate * 1.03);
        r.series["net_out_bps"].push_back(rate * 1.02);
        r.series["goodput_bps"].push_back(rate);
        r.series["disk_write_bps"].push_back(i % 10 < 7 ? rate * 0.97 : rate * 1.4);
        bool idle = i % 23 == 0;  // nothing completed: percentile reads 0, drawn as a gap
        r.series["disk_write_us_p99"].push_back(idle ? 0 : 180 + 90 * std::sin(t) * scale);
        r.series["request_ms_p50"].push_back(idle ? 0 : 2.0 * scale + 0.4 * std::sin(t * 2));
        r.series["request_ms_p90"].push_back(idle ? 0 : 4.5 * scale + std::sin(t * 2));
        r.series["request_ms_p99"].push_back(idle ? 0 : 9.0 * scale + 2 * std::sin(t * 1.3));
        r.series["connections_active"].push_back(std::min(300.0, 40.0 * t * scale));
        r.series["connections_half_open"].push_back(t < 3 ? 60 - 20 * t : 0);
    }
    return r;
}

loaded_results stream_run(const std::string& label) {
    loaded_results r;
    r.label = label;
    r.columns = {"t_s", "bytes", "goodput_bytes_per_s", "connections"};
    double total = 0;
    for (int i = 1; i <= 50; ++i) {
        double rate = 3.2e9 + 2e8 * std::cos(i);
        total += rate / 10;
        r.series["t_s"].push_back(i * 0.1);
        r.series["bytes"].push_back(std::floor(total));
        r.series["goodput_bytes_per_s"].push_back(rate);
        r.series["connections"].push_back(8);
    }
    return r;
}

void expect_png(const fs::path& p, int width, int height) {
    test::png_probe_result png = test::probe_png(p);
    ASSERT_TRUE(png.ok) << p << ": " << png.error;
    EXPECT_EQ(png.width, width) << p;
    EXPECT_EQ(png.height, height) << p;
    const std::size_t pixels = static_cast<std::size_t>(width) * static_cast<std::size_t>(height);
    // Text, grid and lines cover a few percent of the page; a blank or
    // near-blank image has next to nothing.
    EXPECT_GT(png.ink_pixels, pixels / 100) << p << " looks blank";
    EXPECT_GT(png.colour_pixels, pixels / 400) << p << " has no coloured data lines";
}

void expect_svg(const fs::path& p) {
    const std::string text = slurp(p);
    EXPECT_EQ(text.rfind("<?xml", 0), 0u) << p;
    EXPECT_NE(text.find("<svg"), std::string::npos) << p;
    EXPECT_NE(text.find("</svg>"), std::string::npos) << p << " is cut short";
}

TEST(Graphs, TwoRunOverlayWritesEveryGraph) {
    temp_dir dir;
    std::vector<loaded_results> runs{swarm_run("run-a", 12, 1.0), swarm_run("run-b", 9, 0.6)};
    graph_options options;
    options.width = 900;
    options.height = 500;
    options.title_suffix = " (test)";
    graph_output out = render_graphs(runs, dir.path() / "graphs", options);
    if (built_without_cairo(out)) GTEST_SKIP() << out.errors.front();
    EXPECT_TRUE(out.errors.empty()) << out.errors.front();
    ASSERT_EQ(out.files.size(), 6u);
    for (const char* name : {"throughput", "latency", "connections"}) {
        const fs::path base = dir.path() / "graphs" / name;
        expect_png(fs::path(base).replace_extension(".png"), 900, 500);
        expect_svg(fs::path(base).replace_extension(".svg"));
    }
    for (const fs::path& f : out.files) EXPECT_TRUE(fs::exists(f)) << f;
    EXPECT_FALSE(fs::exists(dir.path() / "graphs" / "throughput.png.tmp"));
}

TEST(Graphs, DefaultSizeSingleRun) {
    temp_dir dir;
    graph_output out = render_graphs({swarm_run("only", 30, 1.0)}, dir.path());
    if (built_without_cairo(out)) GTEST_SKIP() << out.errors.front();
    EXPECT_TRUE(out.errors.empty()) << out.errors.front();
    expect_png(dir.path() / "throughput.png", graph_options{}.width, graph_options{}.height);
}

TEST(Graphs, EventsAreDrawnAsMarkersAndBadOnesIgnored) {
    temp_dir dir;
    loaded_results plain = swarm_run("plain", 10, 1.0);
    loaded_results marked = plain;
    marked.document = nlohmann::json::object();
    marked.document["events"] = nlohmann::json::array({
        {{"t_s", 2.5}, {"what", "pipeline 16 -> 64"}},
        {{"t_s", 6.0}, {"what", "drop 10 connections"}},
        {{"t_s", 500.0}, {"what", "after the last sample: not drawn"}},
        {{"what", "no time"}},
        "not an object",
    });
    graph_output a = render_graphs({plain}, dir.path() / "plain");
    if (built_without_cairo(a)) GTEST_SKIP() << a.errors.front();
    graph_output b = render_graphs({marked}, dir.path() / "marked");
    ASSERT_TRUE(a.errors.empty() && b.errors.empty());
    const test::png_probe_result without = test::probe_png(dir.path() / "plain" / "throughput.png");
    const test::png_probe_result with = test::probe_png(dir.path() / "marked" / "throughput.png");
    ASSERT_TRUE(without.ok && with.ok);
    // Two dashed lines the plot's height plus their labels: clearly more
    // coloured pixels than the same graph without events.
    EXPECT_GT(with.colour_pixels, without.colour_pixels + 200);
}

TEST(Graphs, StreamFolderGetsOnlyItsGraphs) {
    temp_dir dir;
    graph_output out = render_graphs({stream_run("stream")}, dir.path());
    if (built_without_cairo(out)) GTEST_SKIP() << out.errors.front();
    EXPECT_TRUE(out.errors.empty()) << out.errors.front();
    EXPECT_TRUE(fs::exists(dir.path() / "throughput.png"));
    EXPECT_TRUE(fs::exists(dir.path() / "connections.png"));
    EXPECT_FALSE(fs::exists(dir.path() / "latency.png")) << "a stream run has no latency columns";
    expect_png(dir.path() / "throughput.png", 1200, 600);
}

TEST(Graphs, MissingColumnsAndEmptyRunsAreSkippedNotErrors) {
    temp_dir dir;
    loaded_results no_time;  // columns but no t_s
    no_time.label = "no-time";
    no_time.columns = {"net_in_bps"};
    no_time.series["net_in_bps"] = {1, 2, 3};
    loaded_results all_nan;
    all_nan.label = "all-nan";
    all_nan.columns = {"t_s", "goodput_bps", "request_ms_p50"};
    all_nan.series["t_s"] = {0.1, 0.2};
    all_nan.series["goodput_bps"] = {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN()};
    all_nan.series["request_ms_p50"] = {0, 0};  // nothing completed in any interval
    loaded_results empty;
    empty.label = "empty";
    graph_output out = render_graphs({no_time, all_nan, empty}, dir.path() / "out");
    if (built_without_cairo(out)) GTEST_SKIP() << out.errors.front();
    EXPECT_TRUE(out.errors.empty()) << out.errors.front();
    EXPECT_TRUE(out.files.empty());
    EXPECT_FALSE(fs::exists(dir.path() / "out")) << "nothing to draw: the folder is not even created";

    // Mixed with a real run, the empty ones only lack their lines.
    out = render_graphs({no_time, swarm_run("real", 5, 1.0), all_nan}, dir.path() / "out");
    EXPECT_TRUE(out.errors.empty()) << out.errors.front();
    EXPECT_EQ(out.files.size(), 6u);
}

TEST(Graphs, SinglePointAndLongRunsDraw) {
    temp_dir dir;
    loaded_results one;
    one.label = "one";
    one.columns = {"t_s", "goodput_bps"};
    one.series["t_s"] = {0.1};
    one.series["goodput_bps"] = {5e8};
    graph_output out = render_graphs({one}, dir.path() / "one");
    if (built_without_cairo(out)) GTEST_SKIP() << out.errors.front();
    EXPECT_TRUE(out.errors.empty()) << out.errors.front();
    EXPECT_TRUE(fs::exists(dir.path() / "one" / "throughput.png"));

    // An hour at 10 samples/s: the SVG path is reduced per pixel column.
    out = render_graphs({swarm_run("hour", 3600, 1.0)}, dir.path() / "hour");
    EXPECT_TRUE(out.errors.empty()) << out.errors.front();
    EXPECT_LT(fs::file_size(dir.path() / "hour" / "throughput.svg"), 2u << 20);
}

TEST(Graphs, BadSizeAndUnwritableFolderAreErrors) {
    temp_dir dir;
    graph_options tiny;
    tiny.width = 10;
    graph_output out = render_graphs({swarm_run("a", 2, 1)}, dir.path(), tiny);
    if (built_without_cairo(out)) GTEST_SKIP() << out.errors.front();
    ASSERT_EQ(out.errors.size(), 1u);
    EXPECT_NE(out.errors[0].find("graph size"), std::string::npos) << out.errors[0];

    std::ofstream(dir.path() / "file") << "x";
    out = render_graphs({swarm_run("a", 2, 1)}, dir.path() / "file" / "graphs");
    ASSERT_FALSE(out.errors.empty());
    EXPECT_NE(out.errors[0].find("cannot create"), std::string::npos) << out.errors[0];
    EXPECT_TRUE(out.files.empty());
}

}  // namespace
}  // namespace swarmbench
