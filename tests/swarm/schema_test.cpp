// The settings schema: every kind of settings (scenario, stream, disk) is one
// table, and what front ends read from it holds for every field.
#include <gtest/gtest.h>

#include <set>

#include "swarmbench/swarm/scenario.hpp"
#include "swarmbench/workloads/disk.hpp"
#include "swarmbench/workloads/stream.hpp"

namespace swarmbench {
namespace {

using settings::value_type;

// Every field of every table: a doc, a group, a unique name and flag; a
// choice lists its names; a ranged field states its range; the defaults
// read back through the table unchanged.
template <class C>
void expect_well_formed(const settings::schema<C>& sc) {
    std::set<std::string> names, flags;
    for (const auto& f : sc.fields()) {
        const std::string name(f.info.name);
        EXPECT_FALSE(f.info.doc.empty()) << name;
        EXPECT_FALSE(f.info.group.empty()) << name;
        EXPECT_TRUE(names.insert(name).second) << name << " twice";
        EXPECT_TRUE(flags.insert(f.info.cli_flag()).second) << f.info.cli_flag() << " twice";
        if (f.info.type == value_type::choice) {
            EXPECT_GE(f.info.choices.size(), 2u) << name;
        }
        if (f.info.ranged) {
            EXPECT_FALSE(f.info.range_text().empty()) << name;
        }
        if (f.info.type == value_type::size || f.info.type == value_type::rate) {
            EXPECT_FALSE(f.info.unit.empty()) << name;
        }
    }
    C c{};
    const nlohmann::json d = sc.to_json(c);
    EXPECT_EQ(d, sc.defaults());
    C back{};
    EXPECT_TRUE(sc.apply_json(back, d).empty());
    EXPECT_EQ(sc.to_json(back), d);
    // Every default passes its own field's checks.
    EXPECT_TRUE(sc.check_fields(c).empty()) << sc.check_fields(c).front();
}

TEST(Schema, EveryTableIsWellFormed) {
    expect_well_formed(scenario_schema());
    expect_well_formed(stream_schema());
    expect_well_formed(disk_schema());
}

TEST(Schema, TextAndJsonSetTheSameValues) {
    const auto& sc = scenario_schema();
    const std::pair<const char*, nlohmann::json> cases[] = {
        {"torrent_size", "64MiB"}, {"pipeline", 32},           {"rate_limit", "4MiB"},
        {"pick", "sequential"},    {"end_game", false},        {"slow_fraction", 0.25},
        {"connect_to", nlohmann::json::array({"127.0.0.1:6881", "[::1]:7000"})},
    };
    const char* texts[] = {"64MiB", "32", "4MiB", "sequential", "false", "0.25", "127.0.0.1:6881, [::1]:7000"};
    for (std::size_t i = 0; i < std::size(cases); ++i) {
        swarm_scenario a, b;
        ASSERT_FALSE(sc.set(a, cases[i].first, cases[i].second)) << cases[i].first;
        ASSERT_FALSE(sc.set_text(b, cases[i].first, texts[i])) << cases[i].first;
        EXPECT_EQ(sc.get(a, cases[i].first), sc.get(b, cases[i].first)) << cases[i].first;
    }
    swarm_scenario s;
    ASSERT_FALSE(sc.set(s, "rate_limit", "4MiB"));
    EXPECT_EQ(s.rate_limit, 4u << 20);
    EXPECT_EQ(sc.get(s, "rate_limit"), 4u << 20) << "sizes and rates read back as numbers of bytes";
}

TEST(Schema, ARefusedValueChangesNothingAndNamesTheField) {
    const auto& sc = scenario_schema();
    swarm_scenario s;
    EXPECT_EQ(sc.set(s, "pipeline", 0), "pipeline: must be 1..2048, got 0");
    EXPECT_EQ(sc.set(s, "piece_size", "100KiB"),
              "piece_size: must be a power of two, 16 KiB..64 MiB, got 100 KiB");
    EXPECT_EQ(sc.set(s, "storage", "tape"), "storage: must be \"files\", \"discard\" or \"disk_only\", got \"tape\"");
    EXPECT_EQ(sc.set(s, "listen_host", "localhost:1"),
              "listen_host: must be an IPv4 or IPv6 address such as 127.0.0.1 or ::1, got \"localhost:1\"");
    EXPECT_EQ(sc.set(s, "piece_order", nlohmann::json::array({1, 1})),
              "piece_order: piece 1 is listed twice (entries 1 and 2); list each piece once");
    EXPECT_EQ(sc.set(s, "seedrs", 1), "seedrs: unknown field (did you mean \"seeders\"?)");
    EXPECT_EQ(sc.set_text(s, "rate-limit", "-1KiB"), "rate_limit: must be 0 or 1 KiB..100 GiB, got -1024");
    EXPECT_EQ(s, swarm_scenario{});
}

TEST(Schema, AcceptsTellsAWrongKindFromABadValue) {
    using S = settings::schema<swarm_scenario>;
    const auto& sc = scenario_schema();
    auto info = [&](const char* n) { return sc.find(n)->info; };
    EXPECT_TRUE(S::accepts(info("pipeline"), 3));
    EXPECT_FALSE(S::accepts(info("pipeline"), 3.0));
    EXPECT_FALSE(S::accepts(info("pipeline"), true));
    EXPECT_TRUE(S::accepts(info("rate_limit"), "4MiB"));
    EXPECT_TRUE(S::accepts(info("slow_fraction"), 1));
    EXPECT_FALSE(S::accepts(info("connect_to"), nlohmann::json::array({6881})));
    EXPECT_FALSE(S::accepts(info("piece_order"), nlohmann::json::array({"1"})));
}

TEST(Schema, FlagsKeepTheirShortNamesAndEveryOtherFieldItsOwn) {
    const auto& sc = scenario_schema();
    EXPECT_EQ(sc.find("torrent_size")->info.cli_flag(), "--size");
    EXPECT_EQ(sc.find("connections_per_leecher")->info.cli_flag(), "--connections");
    EXPECT_EQ(sc.find("duration_s")->info.cli_flag(), "--duration");
    EXPECT_EQ(sc.find("interval_ms")->info.cli_flag(), "--interval-ms");
    EXPECT_EQ(sc.find("rate_limit")->info.unit, "B/s");
}

TEST(Schema, StreamAndDiskValidateTheirRules) {
    stream_config st;
    EXPECT_TRUE(validate(st).empty());
    ASSERT_FALSE(stream_schema().set(st, "role", "target"));
    ASSERT_EQ(validate(st).size(), 1u);
    EXPECT_TRUE(validate(st)[0].rfind("target: role \"target\" needs", 0) == 0) << validate(st)[0];
    ASSERT_FALSE(stream_schema().set(st, "target", "127.0.0.1:5201"));
    EXPECT_TRUE(validate(st).empty());
    EXPECT_EQ(stream_schema().set(st, "interval_ms", 5), "interval_ms: must be 10..60000 ms, got 5");
    EXPECT_EQ(to_json(st).at("interval_ms"), 100);

    disk_config dk;
    ASSERT_FALSE(disk_schema().set_text(dk, "size", "20000"));
    ASSERT_EQ(validate(dk).size(), 1u);
    EXPECT_EQ(validate(dk)[0], "size: must be a positive multiple of block (16 KiB), got 20000 B (19.5 KiB)");
    EXPECT_EQ(disk_schema().set(dk, "queue_depth", 0), "queue_depth: must be 1..4096, got 0");
}

}  // namespace
}  // namespace swarmbench
