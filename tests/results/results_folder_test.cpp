// Results folders: the CSV time series streamed row by row and read back
// (also after a kill), results.json replaced atomically, stream-style folders
// that only hold results.json, and errors that name the file and the line.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>

#include "test_support.hpp"
#include "swarmbench/results_folder.hpp"

namespace swarmbench {
namespace {

namespace fs = std::filesystem;

using test::temp_dir;  // a fresh directory under $TMPDIR, removed at the end

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void spit(const fs::path& p, const std::string& text) {
    std::ofstream out(p, std::ios::binary);
    out << text;
}

constexpr double nan_v = std::numeric_limits<double>::quiet_NaN();
constexpr double inf_v = std::numeric_limits<double>::infinity();

TEST(TimeseriesCsv, RoundTripKeepsIntegersExactAndDoublesClose) {
    temp_dir dir;
    const fs::path csv = dir.path() / "timeseries.csv";
    timeseries_writer w;
    ASSERT_EQ(w.open(csv, {"t_s", "bytes", "rate", "latency"}), std::nullopt);
    ASSERT_TRUE(w.is_open());
    const double big = 9007199254740991.0;  // 2^53 - 1: the largest exact counter
    ASSERT_EQ(w.append({0.1, 0, 1.0 / 3.0, nan_v}), std::nullopt);
    ASSERT_EQ(w.append({0.2, big, 1234567.891, inf_v}), std::nullopt);
    ASSERT_EQ(w.append({0.3, -0.0, 1e-7, -inf_v}), std::nullopt);
    ASSERT_EQ(w.append({0.4, 4096, 1e20, 17}), std::nullopt);  // beyond 2^53: not exact, so %g style
    w.close();
    EXPECT_FALSE(w.is_open());

    const std::string text = slurp(csv);
    EXPECT_EQ(text.substr(0, text.find('\n')), "t_s,bytes,rate,latency");
    EXPECT_NE(text.find("0.2,9007199254740991,1234567.89,\n"), std::string::npos) << text;
    EXPECT_NE(text.find("0.3,0,1e-07,\n"), std::string::npos) << text;  // -0 prints as 0; -inf empty
    EXPECT_NE(text.find("0.4,4096,1e+20,17\n"), std::string::npos) << text;
    EXPECT_EQ(text.find(".0,"), std::string::npos) << "integers must not carry a fraction: " << text;

    auto parsed = parse_timeseries_csv(text);
    ASSERT_TRUE(parsed) << parsed.error();
    const loaded_results& r = parsed.value();
    EXPECT_EQ(r.columns, (std::vector<std::string>{"t_s", "bytes", "rate", "latency"}));
    ASSERT_EQ(r.rows(), 4u);
    const auto& bytes = r.series.at("bytes");
    EXPECT_EQ(bytes[0], 0);
    EXPECT_EQ(bytes[1], big);
    EXPECT_EQ(bytes[3], 4096);
    EXPECT_NEAR(r.series.at("rate")[0], 1.0 / 3.0, 1e-9);
    EXPECT_DOUBLE_EQ(r.series.at("rate")[2], 1e-7);
    EXPECT_DOUBLE_EQ(r.series.at("t_s")[1], 0.2);
    EXPECT_TRUE(std::isnan(r.series.at("latency")[0]));
    EXPECT_TRUE(std::isnan(r.series.at("latency")[1]));  // inf is written empty and reads as NaN
    EXPECT_TRUE(std::isnan(r.series.at("latency")[2]));
    EXPECT_EQ(r.series.at("latency")[3], 17);
}

TEST(TimeseriesCsv, TornLastLineIsIgnored) {
    auto r = parse_timeseries_csv("t_s,bytes\n0.1,100\n0.2,200\n0.3,3");
    ASSERT_TRUE(r) << r.error();
    ASSERT_EQ(r->rows(), 2u);
    EXPECT_EQ(r->series.at("bytes")[1], 200);

    auto header_only = parse_timeseries_csv("t_s,bytes\n");
    ASSERT_TRUE(header_only) << header_only.error();
    EXPECT_EQ(header_only->rows(), 0u);
    EXPECT_EQ(header_only->columns.size(), 2u);
}

TEST(TimeseriesCsv, AcceptsCrLfAndBlankLines) {
    auto r = parse_timeseries_csv("t_s,x\r\n0.1,1\r\n\r\n0.2,nan\r\n");
    ASSERT_TRUE(r) << r.error();
    ASSERT_EQ(r->rows(), 2u);
    EXPECT_TRUE(std::isnan(r->series.at("x")[1]));
}

TEST(TimeseriesCsv, ErrorsNameTheLine) {
    auto bad_number = parse_timeseries_csv("t_s,bytes\n0.1,100\n0.2,12x\n");
    ASSERT_FALSE(bad_number);
    EXPECT_NE(bad_number.error().find("line 3"), std::string::npos) << bad_number.error();
    EXPECT_NE(bad_number.error().find("bytes"), std::string::npos) << bad_number.error();

    auto fields = parse_timeseries_csv("t_s,bytes\n0.1,100,7\n");
    ASSERT_FALSE(fields);
    EXPECT_NE(fields.error().find("line 2: 3 fields, expected 2"), std::string::npos) << fields.error();

    EXPECT_FALSE(parse_timeseries_csv(""));
    EXPECT_FALSE(parse_timeseries_csv("t_s,bytes"));  // a header without its newline
    auto dup = parse_timeseries_csv("t_s,t_s\n");
    ASSERT_FALSE(dup);
    EXPECT_NE(dup.error().find("line 1"), std::string::npos);
    EXPECT_FALSE(parse_timeseries_csv("t_s,,x\n"));
}

TEST(TimeseriesWriter, RejectsAWrongRowWidth) {
    temp_dir dir;
    timeseries_writer w;
    ASSERT_EQ(w.open(dir.path() / "timeseries.csv", {"t_s", "x"}), std::nullopt);
    auto e = w.append({1.0});
    ASSERT_TRUE(e.has_value());
    EXPECT_NE(e->find("expected 2"), std::string::npos) << *e;
    EXPECT_EQ(w.append({1.0, 2.0}), std::nullopt);  // still usable
}

TEST(TimeseriesWriter, OpenErrorNamesThePath) {
    temp_dir dir;
    timeseries_writer w;
    const fs::path p = dir.path() / "missing" / "timeseries.csv";
    auto e = w.open(p, {"t_s"});
    ASSERT_TRUE(e.has_value());
    EXPECT_NE(e->find(p.string()), std::string::npos) << *e;
    EXPECT_FALSE(w.is_open());
}

TEST(TimeseriesWriter, FullDiskFailsTheOpenWithItsReason) {
    if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full here";
    timeseries_writer w;
    auto e = w.open("/dev/full", {"t_s", "x"});
    ASSERT_TRUE(e.has_value()) << "the header write must fail on /dev/full";
    EXPECT_NE(e->find("/dev/full"), std::string::npos) << *e;
    EXPECT_NE(e->find("space"), std::string::npos) << *e;
    EXPECT_FALSE(w.is_open());
}

TEST(ResultsFolder, AKilledWriterLeavesParseableRows) {
    temp_dir dir;
    timeseries_writer w;  // never closed before the read: as if the run were killed
    ASSERT_EQ(w.open(dir.path() / "timeseries.csv", {"t_s", "net_in_bps", "connections_active"}), std::nullopt);
    for (int i = 1; i <= 50; ++i)
        ASSERT_EQ(w.append({i * 0.1, 1e6 * i, static_cast<double>(i % 7)}), std::nullopt);
    // A kill in the middle of a row leaves half of it behind.
    {
        std::ofstream torn(dir.path() / "timeseries.csv", std::ios::binary | std::ios::app);
        torn << "5.1,51000";
    }
    auto r = load_results(dir.path());
    ASSERT_TRUE(r) << r.error();
    EXPECT_TRUE(r->document.is_null());  // killed before results.json was written
    EXPECT_EQ(r->rows(), 50u);
    EXPECT_EQ(r->series.at("net_in_bps")[49], 5e7);
    EXPECT_EQ(r->label, dir.path().filename().string());
    EXPECT_EQ(r->columns.front(), "t_s");
}

TEST(ResultsFolder, JsonIsReplacedAtomically) {
    temp_dir dir;
    nlohmann::json first = {{"schema", 1}, {"summary", {{"status", "interrupted"}}}};
    nlohmann::json second = {{"schema", 1}, {"summary", {{"status", "ok"}, {"bytes", 42}}}};
    ASSERT_EQ(write_results_json(dir.path(), first), std::nullopt);
    ASSERT_EQ(write_results_json(dir.path(), second), std::nullopt);
    EXPECT_FALSE(fs::exists(dir.path() / "results.json.tmp"));
    const std::string text = slurp(dir.path() / "results.json");
    EXPECT_EQ(nlohmann::json::parse(text), second);
    EXPECT_NE(text.find("\n  \"schema\": 1"), std::string::npos) << "pretty, 2-space indent:\n" << text;

    // NaN has no JSON form: it becomes null rather than breaking the file.
    ASSERT_EQ(write_results_json(dir.path(), {{"x", nan_v}, {"s", std::string("bad \xff utf8")}}), std::nullopt);
    EXPECT_TRUE(nlohmann::json::parse(slurp(dir.path() / "results.json"))["x"].is_null());

    auto e = write_results_json(dir.path() / "nope", first);
    ASSERT_TRUE(e.has_value());
    EXPECT_NE(e->find("nope"), std::string::npos) << *e;
}

TEST(ResultsFolder, StreamFolderWithOnlyResultsJson) {
    temp_dir dir;
    const fs::path run = dir.path() / "stream-run";
    ASSERT_TRUE(create_results_dir(run));
    nlohmann::json doc = {
        {"schema", 1},
        {"config", {{"mode", "stream"}}},
        {"timeseries",
         {{"t_s", {0.1, 0.2, 0.3}},
          {"bytes", {100, 300, 600}},
          {"goodput_bytes_per_s", {1000.0, 2000.0, nullptr}},
          {"connections", {2, 2, 2}}}}};
    ASSERT_EQ(write_results_json(run, doc), std::nullopt);
    auto r = load_results(run / "");  // a trailing slash still names the folder
    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(r->label, "stream-run");
    EXPECT_EQ(r->document["config"]["mode"], "stream");
    ASSERT_EQ(r->rows(), 3u);
    EXPECT_EQ(r->columns.front(), "t_s");
    EXPECT_EQ(r->columns.size(), 4u);
    EXPECT_EQ(r->series.at("bytes")[2], 600);
    EXPECT_TRUE(std::isnan(r->series.at("goodput_bytes_per_s")[2]));
}

TEST(ResultsFolder, CsvWinsOverTheDocumentAndABrokenDocumentIsSkipped) {
    temp_dir dir;
    spit(dir.path() / "timeseries.csv", "t_s,goodput_bps\n0.1,5\n0.2,6\n");
    spit(dir.path() / "results.json", "{\"schema\": 1, \"timeseries\": {\"t_s\": [1]},");  // torn
    auto r = load_results(dir.path());
    ASSERT_TRUE(r) << r.error();
    EXPECT_TRUE(r->document.is_null());
    EXPECT_EQ(r->rows(), 2u);
    EXPECT_EQ(r->series.count("goodput_bps"), 1u);
}

TEST(ResultsFolder, ErrorsNameTheFileAndLine) {
    temp_dir dir;
    spit(dir.path() / "timeseries.csv", "t_s,x\n0.1,1\n0.2,oops\n");
    auto csv = load_results(dir.path());
    ASSERT_FALSE(csv);
    EXPECT_NE(csv.error().find("timeseries.csv"), std::string::npos) << csv.error();
    EXPECT_NE(csv.error().find("line 3"), std::string::npos) << csv.error();

    fs::remove(dir.path() / "timeseries.csv");
    spit(dir.path() / "results.json", "{\n  \"schema\": 1,\n  \"summary\": oops\n}\n");
    auto json = load_results(dir.path());
    ASSERT_FALSE(json);
    EXPECT_NE(json.error().find("results.json"), std::string::npos) << json.error();
    EXPECT_NE(json.error().find("line 3"), std::string::npos) << json.error();

    spit(dir.path() / "results.json", R"({"timeseries": {"t_s": [1, 2], "x": [1]}})");
    auto lengths = load_results(dir.path());
    ASSERT_FALSE(lengths);
    EXPECT_NE(lengths.error().find("timeseries.x"), std::string::npos) << lengths.error();

    auto missing = load_results(dir.path() / "absent");
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().find("absent"), std::string::npos) << missing.error();

    temp_dir empty;
    auto nothing = load_results(empty.path());
    ASSERT_FALSE(nothing);
    EXPECT_NE(nothing.error().find("no results.json or timeseries.csv"), std::string::npos) << nothing.error();
}

TEST(ResultsFolder, DefaultDirIsATimestampAndAvoidsTakenNames) {
    temp_dir dir;
    fs::path first = default_results_dir(dir.path());
    EXPECT_EQ(first.parent_path(), dir.path());
    const std::string name = first.filename().string();
    ASSERT_GE(name.size(), 15u) << name;
    EXPECT_EQ(name[8], '-') << name;
    for (std::size_t i : {0u, 3u, 7u, 9u, 14u}) EXPECT_TRUE(std::isdigit(static_cast<unsigned char>(name[i]))) << name;
    ASSERT_TRUE(create_results_dir(first));
    fs::path second = default_results_dir(dir.path());
    EXPECT_NE(second, first);
    EXPECT_FALSE(fs::exists(second));
}

TEST(ResultsFolder, CreateFailsWhereAFileIsInTheWay) {
    temp_dir dir;
    spit(dir.path() / "file", "x");
    auto r = create_results_dir(dir.path() / "file");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().find("cannot create results folder"), std::string::npos) << r.error();
    auto nested = create_results_dir(dir.path() / "a" / "b" / "c");
    ASSERT_TRUE(nested) << nested.error();
    EXPECT_TRUE(fs::is_directory(dir.path() / "a" / "b" / "c"));
}

}  // namespace
}  // namespace swarmbench
