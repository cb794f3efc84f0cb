// The timeline (swarm/timeline.hpp): a plan checked as it is built, its file
// form read and written, and its actions handed to a swarm_controls in
// time order. The run that applies it is tested in swarm_shaping_test and
// through Python and the CLI.
#include <gtest/gtest.h>

#include <string>

#include "swarmbench/swarm/timeline.hpp"

namespace swarmbench {
namespace {

using json = nlohmann::json;

std::string error_of(const bt::result<swarm_timeline>& r) { return r ? std::string("(no error)") : r.error(); }

TEST(Timeline, ActionsAreCheckedAsTheyAreAddedAndKeptInTimeOrder) {
    swarm_timeline tl;
    EXPECT_EQ(tl.set(2, "pipeline", 32), std::nullopt);
    EXPECT_EQ(tl.ramp("connections_per_leecher", 0, 1, 1, 9, 4), std::nullopt);
    EXPECT_EQ(tl.fault(0.5, {swarm_fault::kind_t::drop, 2, 0}), std::nullopt);
    EXPECT_EQ(tl.phase(1.5, "throttled", {{"rate_limit", "1MiB"}, {"pipeline", 4}}), std::nullopt);
    ASSERT_EQ(tl.actions().size(), 1u + 5u + 1u + 1u);
    EXPECT_EQ(tl.end_s(), 2);
    for (std::size_t i = 1; i < tl.actions().size(); ++i) EXPECT_LE(tl.actions()[i - 1].t_s, tl.actions()[i].t_s);
    EXPECT_EQ(tl.actions()[0].label, "connections_per_leecher = 1 (ramp 0/4)");
    EXPECT_EQ(tl.actions()[2].label, "connections_per_leecher = 5 (ramp 2/4)");
    EXPECT_EQ(tl.actions()[3].label, "fault drop 2");
    EXPECT_EQ(tl.actions()[6].label, "phase throttled: rate_limit = 1 MiB/s, pipeline = 4");
    EXPECT_EQ(tl.actions()[7].label, "pipeline = 32");

    // Refused, each naming what is wrong, and nothing added.
    EXPECT_EQ(tl.set(-1, "pipeline", 3).value_or(""), "t: must be 0 or more seconds, got -1");
    EXPECT_EQ(tl.set(1, "pipeline", 0).value_or(""), "pipeline: must be 1..2048, got 0");
    EXPECT_NE(tl.set(1, "speed", 3).value_or("").find("speed: not a control"), std::string::npos);
    EXPECT_NE(tl.set(1, "seeders", 3).value_or("").find("seeders: not a control"), std::string::npos);
    EXPECT_EQ(tl.ramp("pipeline", 0, 1, 1, 5000, 4).value_or(""), "pipeline: must be 1..2048, got 5000");
    EXPECT_EQ(tl.ramp("pipeline", 2, 1, 1, 8, 4).value_or(""), "t1: must be at least t0 (2), got 1");
    EXPECT_EQ(tl.ramp("pipeline", 0, 1, 1, 8, 0).value_or(""), "steps: must be 1..10000, got 0");
    EXPECT_EQ(tl.ramp("rate_limit", 0, 1, 0, "8MiB", 2).value_or(""),
              "rate_limit: a ramp needs limits at both ends, got 0 (unlimited)");
    EXPECT_EQ(tl.fault(1, {swarm_fault::kind_t::stall, 1, 0}).value_or(""),
              "seconds: must be 0.01..3600 s for a stall, got 0");
    EXPECT_EQ(tl.phase(1, "", {}).value_or(""), "phase: a phase needs a name");
    EXPECT_EQ(tl.actions().size(), 8u);
}

TEST(Timeline, TheFileFormRoundTripsAndNamesTheBadEntry) {
    const auto parsed = swarm_timeline::parse(R"([
        {"t": 0, "phase": "warm-up", "set": {"pipeline": 8}},
        {"t": 2, "set": {"rate_limit": "4MiB", "churn_per_s": 1.5}},
        {"t": 3, "fault": {"kind": "stall", "count": 4, "seconds": 2}},
        {"t": 4, "ramp": "connections_per_leecher", "from": 2, "to": 8, "until": 7, "steps": 3},
        {"t": 9, "set": {"rate_limit": null}}
    ])");
    ASSERT_TRUE(parsed) << parsed.error();
    const swarm_timeline& tl = parsed.value();
    ASSERT_EQ(tl.actions().size(), 1u + 1u + 1u + 4u + 1u);
    EXPECT_EQ(tl.actions()[0].phase, "warm-up");
    EXPECT_EQ(tl.actions().back().label, "rate_limit = the scenario's");
    EXPECT_EQ(tl.actions()[1].label, "churn_per_s = 1.5, rate_limit = 4 MiB/s") << "one entry, one action";
    EXPECT_EQ(tl.actions()[3].t_s, 4);
    EXPECT_EQ(tl.actions()[6].t_s, 7);
    EXPECT_EQ(tl.actions()[6].sets.at(0).value, 8);

    const json written = tl.to_json();
    const auto again = swarm_timeline::from_json(written);
    ASSERT_TRUE(again) << again.error();
    EXPECT_EQ(again.value().to_json(), written);
    ASSERT_EQ(again.value().actions().size(), tl.actions().size());
    EXPECT_EQ(written.at(1).at("set").at("rate_limit"), 4u << 20) << "values are written as the schema reads them back";

    EXPECT_EQ(error_of(swarm_timeline::parse("{\"t\": 1}")),
              "a timeline is a JSON array of entries such as {\"t\": 2, \"set\": {\"pipeline\": 32}}, got an object");
    EXPECT_EQ(error_of(swarm_timeline::parse("[{\"t\": 1, \"set\": {\"pipeline\": 3}},\n {\"t\": 2,]")).substr(0, 18),
              "line 2, column 10:");
    EXPECT_EQ(error_of(swarm_timeline::parse(R"([{"t": 1, "set": {"pipeline": 3}}, {"t": 4, "set": {"pipeline": 0}}])")),
              "entry 2 (t = 4 s): pipeline: must be 1..2048, got 0");
    EXPECT_EQ(error_of(swarm_timeline::parse(R"([{"t": 1, "sett": {"pipeline": 3}}])")),
              "entry 1 (t = 1 s): unknown key \"sett\" (did you mean \"set\"?)");
    EXPECT_EQ(error_of(swarm_timeline::parse(R"([{"set": {"pipeline": 3}}])")),
              "entry 1: t: expected a number of seconds");
    EXPECT_EQ(error_of(swarm_timeline::parse(R"([{"t": 1, "set": {"pipeline": 3}, "fault": {"kind": "drop"}}])")),
              "entry 1 (t = 1 s): expected one of \"set\", \"phase\", \"fault\" or \"ramp\"");
    EXPECT_EQ(error_of(swarm_timeline::parse(R"([{"t": 1, "fault": {"kind": "melt"}}])")),
              "entry 1 (t = 1 s): fault: kind: must be \"drop\", \"corrupt\" or \"stall\"");
    EXPECT_EQ(error_of(swarm_timeline::parse(R"([{"t": 1, "ramp": "pipeline", "from": 1, "to": 4}])")),
              "entry 1 (t = 1 s): ramp: \"until\" is missing");
    EXPECT_EQ(error_of(swarm_timeline::parse(R"([{"t": 1, "set": {"pipeline": 3}, "until": 4}])")),
              "entry 1 (t = 1 s): \"until\" belongs to a ramp");
}

TEST(Timeline, DueActionsReachTheControlsOnceInOrderWithPhasesAsNotes) {
    swarm_timeline tl;
    ASSERT_EQ(tl.phase(1, "narrow", {{"connections_per_leecher", 1}}), std::nullopt);
    ASSERT_EQ(tl.set(0, "pipeline", 4), std::nullopt);
    ASSERT_EQ(tl.fault(2, {swarm_fault::kind_t::drop, 3, 0}), std::nullopt);
    swarm_controls c;
    std::size_t next = 0;
    EXPECT_EQ(tl.apply_due(c, 0.5, &next), 1u);
    EXPECT_EQ(tl.apply_due(c, 0.5, &next), 0u) << "an action applies once";
    EXPECT_EQ(tl.apply_due(c, 5, &next), 2u);
    EXPECT_EQ(next, 3u);
    const auto taken = c.take();
    ASSERT_EQ(taken.size(), 4u);
    EXPECT_EQ(taken[0].field, "pipeline");
    EXPECT_EQ(taken[1].note, "phase narrow") << "the phase's note comes before its sets";
    EXPECT_EQ(taken[2].field, "connections_per_leecher");
    ASSERT_TRUE(taken[3].fault.has_value());
    EXPECT_EQ(taken[3].fault->count, 3u);
    EXPECT_EQ(c.get("pipeline"), 4);
}

}  // namespace
}  // namespace swarmbench
