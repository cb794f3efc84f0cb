// The scenario (JSON form, string setter, validation) and the sample column
// table. Pure logic: no sockets, no files except the shipped scenario assets.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "swarmbench/swarm/client_roles.hpp"
#include "swarmbench/swarm/sample.hpp"
#include "swarmbench/swarm/scenario.hpp"

namespace swarmbench {
namespace {

constexpr std::uint64_t KiB = 1024;
constexpr std::uint64_t MiB = 1024 * KiB;
constexpr std::uint64_t GiB = 1024 * MiB;
constexpr std::uint64_t TiB = 1024 * GiB;

bool starts_with(const std::string& s, const std::string& prefix) {
    return s.compare(0, prefix.size(), prefix) == 0;
}

// The error of a parse that must fail ("" if it unexpectedly succeeded).
std::string parse_error_of(const std::string& text) {
    auto r = parse_scenario(text);
    return r.ok() ? std::string() : r.error();
}

// A non-default value for every field, as CLI text. Together they form a
// valid scenario (disk_only needs no seeders; 64 MiB over 4 files is
// 4 KiB-aligned for direct).
const std::map<std::string, std::string>& non_defaults() {
    static const std::map<std::string, std::string> m = {
        {"torrent_size", "64MiB"},
        {"piece_size", "1MiB"},
        {"file_count", "4"},
        {"content_seed", "18446744073709551615"},
        {"seeders", "2"},
        {"leechers", "3"},
        {"connections_per_leecher", "8"},
        {"pipeline", "64"},
        {"pick", "custom"},
        {"piece_order", "5, 0,63"},
        {"end_game", "false"},
        {"choking", "yes"},
        {"unchoke_slots", "4"},
        {"rechoke_interval_s", "2.5"},
        {"optimistic_interval_s", "15"},
        {"rate_limit", "10MiB"},
        {"slow_fraction", "0.1"},
        {"slow_rate", "64KiB"},
        {"churn_per_s", "5"},
        {"storage", "disk_only"},
        {"direct", "1"},
        {"preallocate", "no"},
        {"data_dir", "/tmp/swarmbench data"},
        {"keep_data", "TRUE"},
        {"torrent_file", "/tmp/T.torrent"},
        {"content_dir", "/srv/content"},
        {"upload_to", "127.0.0.1:51413"},
        {"spread_sources", "true"},
        {"client_grace_s", "15"},
        {"links", R"([{"name": "dsl", "share": 0.5, "down": "16Mbit", "up": "1Mbit", "rtt_ms": 40},
                     {"name": "dc", "share": 0.5, "rtt_ms": 1, "jitter": "uniform", "jitter_ms": 0.5}])"},
        {"seeder_link", "dc"},
        {"duration_s", "30"},
        {"timeout_s", "60"},
        {"backend", "epoll"},
        {"threads", "2"},
        {"interval_ms", "250"},
        {"listen_host", "::1"},
        {"base_port", "7000"},
        {"connect_to", "127.0.0.1:6881, [::1]:6882"},
        {"seeders_at", "127.0.0.1:7001,127.0.0.1:7002"},
        {"swarm_id", "3735928559"},
        {"seed", "42"},
    };
    return m;
}

// ---------------------------------------------------------------------------
// JSON form
// ---------------------------------------------------------------------------

TEST(ScenarioJson, DefaultsValidateClean) {
    const swarm_scenario s;
    EXPECT_EQ(validate(s), std::vector<std::string>{});
    EXPECT_EQ(total_connections(s), 8u * 32u);
}

TEST(ScenarioJson, FieldNamesAreTheJsonKeysInDeclarationOrder) {
    const auto& names = scenario_field_names();
    ASSERT_FALSE(names.empty());
    EXPECT_EQ(names.front(), "torrent_size");
    EXPECT_EQ(names.back(), "seed");
    EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), names.size());
    const nlohmann::json j = to_json(swarm_scenario{});
    std::set<std::string> keys;
    for (const auto& [k, v] : j.items()) keys.insert(k);
    EXPECT_EQ(keys, std::set<std::string>(names.begin(), names.end()));
}

TEST(ScenarioJson, WritesEnumsAsNamesSizesAsIntegersEndpointsAsStrings) {
    swarm_scenario s;
    s.connect_to = {endpoint::loopback_v4(6881)};
    const nlohmann::json j = to_json(s);
    EXPECT_EQ(j.at("pick"), "rarest_first");
    EXPECT_EQ(j.at("storage"), "files");
    EXPECT_EQ(j.at("backend"), "auto");
    ASSERT_TRUE(j.at("torrent_size").is_number_unsigned());
    EXPECT_EQ(j.at("torrent_size").get<std::uint64_t>(), GiB);
    EXPECT_EQ(j.at("piece_size").get<std::uint64_t>(), 256 * KiB);
    EXPECT_EQ(j.at("connect_to"), nlohmann::json::array({"127.0.0.1:6881"}));
    EXPECT_EQ(j.at("end_game"), true);
    EXPECT_EQ(j.at("listen_host"), "127.0.0.1");
}

TEST(ScenarioJson, RoundTripOfDefaults) {
    const swarm_scenario defaults;
    auto r = parse_scenario(to_json(defaults).dump(2));
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(r.value(), defaults);
}

/// Fields for real clients, which disk_only (in the non-default values) excludes.
bool client_field(const std::string& name) {
    return name == "torrent_file" || name == "content_dir" || name == "upload_to" || name == "spread_sources" ||
           name == "links" || name == "seeder_link";  // (links need connections: not disk_only)
}

TEST(ScenarioJson, RoundTripOfEveryFieldChanged) {
    swarm_scenario s;
    swarm_scenario clients;  // the client fields, on a scenario with storage "files"
    swarm_scenario split;    // seeders_at, on a scenario whose seeders run elsewhere
    split.seeders = 0;
    for (const auto& [name, value] : non_defaults()) {
        auto e = set_scenario_field(name == "seeders_at" ? split : client_field(name) ? clients : s, name, value);
        ASSERT_FALSE(e.has_value()) << *e;
    }
    for (const swarm_scenario& one : {s, clients, split}) {
        ASSERT_EQ(validate(one), std::vector<std::string>{});
        ASSERT_NE(one, swarm_scenario{});
        auto r = parse_scenario(to_json(one).dump());
        ASSERT_TRUE(r.ok()) << r.error();
        EXPECT_EQ(r.value(), one);
    }
    auto r = parse_scenario(to_json(s).dump());
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(r->content_seed, std::numeric_limits<std::uint64_t>::max());
    EXPECT_EQ(r->rechoke_interval_s, 2.5);
    ASSERT_EQ(r->connect_to.size(), 2u);
    EXPECT_EQ(r->connect_to[1].to_string(), "[0:0:0:0:0:0:0:1]:6882");
}

TEST(ScenarioJson, MissingKeysKeepDefaultsAndSizesTakeUnits) {
    auto r = parse_scenario(R"({"leechers": 3, "torrent_size": "64MiB", "piece_size": "1MiB",
                                "rate_limit": "10MiB", "slow_rate": 65536, "timeout_s": 1e3})");
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(r->leechers, 3u);
    EXPECT_EQ(r->torrent_size, 64 * MiB);
    EXPECT_EQ(r->piece_size, MiB);
    EXPECT_EQ(r->rate_limit, 10 * MiB);
    EXPECT_EQ(r->slow_rate, 64 * KiB);
    EXPECT_EQ(r->timeout_s, 1000.0);
    EXPECT_EQ(r->seeders, swarm_scenario{}.seeders);
    EXPECT_EQ(r->pick, bt::pick_order::rarest_first);
}

TEST(ScenarioJson, IntegerWrittenAsWholeFloatIsAccepted) {
    auto r = parse_scenario(R"({"torrent_size": 2e9, "pipeline": 32.0})");
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(r->torrent_size, 2'000'000'000u);
    EXPECT_EQ(r->pipeline, 32u);
}

TEST(ScenarioJson, CommentsAreAllowed) {
    auto r = parse_scenario("{\n  // a quick run\n  \"leechers\": 2 /* two */\n}");
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(r->leechers, 2u);
}

TEST(ScenarioJson, UnknownFieldSuggestsTheClosestName) {
    EXPECT_EQ(parse_error_of(R"({"seedrs": 2})"), "seedrs: unknown field (did you mean \"seeders\"?)");
    EXPECT_EQ(parse_error_of(R"({"conections_per_leecher": 2})"),
              "conections_per_leecher: unknown field (did you mean \"connections_per_leecher\"?)");
    EXPECT_EQ(parse_error_of(R"({"piecesize": 2})"),
              "piecesize: unknown field (did you mean \"piece_size\"?)");
}

TEST(ScenarioJson, SyntaxErrorNamesLineAndColumn) {
    const std::string e = parse_error_of("{\n  \"seeders\": 2,\n  \"leechers\": \n}");
    EXPECT_TRUE(starts_with(e, "line 4, column 1: ")) << e;
    EXPECT_EQ(e.find("json.exception"), std::string::npos) << e;
    const std::string empty = parse_error_of("");
    EXPECT_TRUE(starts_with(empty, "line 1, column 1: ")) << empty;
    const std::string trailing = parse_error_of("{\"seeders\": 2}\n}");
    EXPECT_TRUE(starts_with(trailing, "line 2, ")) << trailing;
    // A number too large for a double carries no position from the parser.
    const std::string overflow = parse_error_of("{\n\"slow_fraction\": 1e400}");
    EXPECT_TRUE(starts_with(overflow, "line 2, column 18: ")) << overflow;
}

TEST(ScenarioJson, TopLevelMustBeAnObject) {
    EXPECT_EQ(parse_error_of("[1, 2]"), "scenario: expected a JSON object of fields, got array");
    EXPECT_EQ(parse_error_of("42"), "scenario: expected a JSON object of fields, got number");
}

TEST(ScenarioJson, TypeErrorsNameFieldExpectedAndActualType) {
    EXPECT_EQ(parse_error_of(R"({"seeders": "four"})"), "seeders: expected an integer, got string");
    EXPECT_EQ(parse_error_of(R"({"end_game": 1})"), "end_game: expected a boolean, got number");
    EXPECT_EQ(parse_error_of(R"({"slow_fraction": "half"})"), "slow_fraction: expected a number, got string");
    EXPECT_EQ(parse_error_of(R"({"data_dir": null})"), "data_dir: expected a string, got null");
    EXPECT_EQ(parse_error_of(R"({"pipeline": 16.5})"), "pipeline: expected an integer, got 16.5");
    EXPECT_EQ(parse_error_of(R"({"torrent_size": true})"),
              "torrent_size: expected a size (an integer or a string such as \"1GiB\"), got boolean");
    EXPECT_EQ(parse_error_of(R"({"pick": 2})"),
              "pick: expected \"rarest_first\", \"sequential\", \"random\" or \"custom\", got number");
    EXPECT_EQ(parse_error_of(R"({"connect_to": "1.2.3.4:5"})"),
              "connect_to: expected a list of \"HOST:PORT\" strings, got string");
    EXPECT_EQ(parse_error_of(R"({"connect_to": [5]})"), "connect_to: entry 1 must be a \"HOST:PORT\" string, got number");
    EXPECT_EQ(parse_error_of(R"({"storage": "tape"})"),
              "storage: must be \"files\", \"discard\" or \"disk_only\", got \"tape\"");
}

TEST(ScenarioJson, OutOfRangeValuesNameTheRange) {
    EXPECT_EQ(parse_error_of(R"({"pipeline": 0})"), "pipeline: must be 1..2048, got 0");
    EXPECT_EQ(parse_error_of(R"({"seeders": -1})"), "seeders: must be 0..10000, got -1");
    EXPECT_EQ(parse_error_of(R"({"pipeline": 5000000000})"), "pipeline: must be 1..2048, got 5000000000");
    EXPECT_EQ(parse_error_of(R"({"torrent_size": "17TiB"})"), "torrent_size: must be 1 B..16 TiB, got 17 TiB");
    EXPECT_EQ(parse_error_of(R"({"rate_limit": "10MiB/s", "piece_size": "256K"})"),
              "piece_size: ambiguous unit \"K\" in \"256K\": write 256KiB (262144 bytes) or 256kB (256000 bytes)");
    EXPECT_EQ(parse_error_of(R"({"torrent_size": "1Gbit"})"),
              "torrent_size: bits are for rates; a size is in bytes (1GiB, 256KiB or 4096), got \"1Gbit\"");
}

TEST(ScenarioJson, EveryProblemIsReportedOnItsOwnLine) {
    const std::string e = parse_error_of(R"({"pipeline": 0, "leechers": 0, "sedes": 1})");
    std::vector<std::string> lines;
    std::istringstream in(e);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    // Unknown keys and type errors first; ranges only once every key was read.
    ASSERT_EQ(lines.size(), 1u) << e;
    EXPECT_TRUE(starts_with(lines[0], "sedes: unknown field")) << e;
    const std::string ranges = parse_error_of(R"({"pipeline": 0, "leechers": 10001})");
    EXPECT_EQ(ranges, "leechers: must be 0..10000, got 10001\npipeline: must be 1..2048, got 0");
}

// ---------------------------------------------------------------------------
// the string setter
// ---------------------------------------------------------------------------

TEST(ScenarioSet, EveryFieldIsSettableFromText) {
    const auto& names = scenario_field_names();
    EXPECT_EQ(non_defaults().size(), names.size());
    const nlohmann::json defaults = to_json(swarm_scenario{});
    for (const std::string& name : names) {
        ASSERT_EQ(non_defaults().count(name), 1u) << "no test value for " << name;
        swarm_scenario s;
        auto e = set_scenario_field(s, name, non_defaults().at(name));
        ASSERT_FALSE(e.has_value()) << name << ": " << *e;
        const nlohmann::json j = to_json(s);
        EXPECT_NE(j.at(name), defaults.at(name)) << name;
        // Only that one field changed.
        for (const std::string& other : names) {
            if (other != name) {
                EXPECT_EQ(j.at(other), defaults.at(other)) << name << " changed " << other;
            }
        }
    }
}

TEST(ScenarioSet, ParsesSizesBooleansEnumsAndLists) {
    swarm_scenario s;
    ASSERT_FALSE(set_scenario_field(s, "torrent_size", "1GiB"));
    EXPECT_EQ(s.torrent_size, GiB);
    ASSERT_FALSE(set_scenario_field(s, "torrent_size", "1.5GiB"));
    EXPECT_EQ(s.torrent_size, GiB + GiB / 2);
    ASSERT_FALSE(set_scenario_field(s, "piece_size", "256KiB"));
    EXPECT_EQ(s.piece_size, 256 * KiB);
    ASSERT_FALSE(set_scenario_field(s, "rate_limit", " 1048576 "));
    EXPECT_EQ(s.rate_limit, MiB);
    ASSERT_FALSE(set_scenario_field(s, "rate_limit", "0"));
    EXPECT_EQ(s.rate_limit, 0u);
    for (const char* yes : {"true", "1", "yes", "Yes"}) {
        s.end_game = false;
        ASSERT_FALSE(set_scenario_field(s, "end_game", yes));
        EXPECT_TRUE(s.end_game) << yes;
    }
    for (const char* no : {"false", "0", "no", "FALSE"}) {
        s.end_game = true;
        ASSERT_FALSE(set_scenario_field(s, "end_game", no));
        EXPECT_FALSE(s.end_game) << no;
    }
    ASSERT_FALSE(set_scenario_field(s, "pick", "random"));
    EXPECT_EQ(s.pick, bt::pick_order::random);
    ASSERT_FALSE(set_scenario_field(s, "backend", "io_uring"));
    EXPECT_EQ(s.backend, backend_kind::io_uring);
    ASSERT_FALSE(set_scenario_field(s, "storage", "discard"));
    EXPECT_EQ(s.storage, storage_mode::discard);
    ASSERT_FALSE(set_scenario_field(s, "connect_to", "127.0.0.1:7000,[::1]:7001,"));
    ASSERT_EQ(s.connect_to.size(), 2u);
    EXPECT_EQ(s.connect_to[0], endpoint::loopback_v4(7000));
    EXPECT_EQ(s.connect_to[1].family, endpoint::family_t::v6);
    ASSERT_FALSE(set_scenario_field(s, "connect_to", ""));
    EXPECT_TRUE(s.connect_to.empty());
    ASSERT_FALSE(set_scenario_field(s, "slow_fraction", "0.25"));
    EXPECT_EQ(s.slow_fraction, 0.25);
    // CLI spelling with dashes.
    ASSERT_FALSE(set_scenario_field(s, "connections-per-leecher", "12"));
    EXPECT_EQ(s.connections_per_leecher, 12u);
}

TEST(ScenarioSet, RefusedValueLeavesTheFieldUnchanged) {
    swarm_scenario s;
    EXPECT_EQ(set_scenario_field(s, "pipeline", "0"), "pipeline: must be 1..2048, got 0");
    EXPECT_EQ(s.pipeline, swarm_scenario{}.pipeline);
    EXPECT_EQ(set_scenario_field(s, "connections_per_leecher", "0"),
              "connections_per_leecher: must be 1..10000, got 0");
    EXPECT_EQ(s.connections_per_leecher, swarm_scenario{}.connections_per_leecher);
    EXPECT_EQ(set_scenario_field(s, "listen_host", "example.org"),
              "listen_host: must be an IPv4 or IPv6 address such as 127.0.0.1 or ::1, got \"example.org\"");
    EXPECT_EQ(s.listen_host, "127.0.0.1");
}

TEST(ScenarioSet, BadTextNamesTheFieldAndWhatIsExpected) {
    swarm_scenario s;
    EXPECT_EQ(set_scenario_field(s, "threads", "many"), "threads: expected an integer, got \"many\"");
    EXPECT_EQ(set_scenario_field(s, "threads", "2.5"), "threads: expected an integer, got \"2.5\"");
    EXPECT_EQ(set_scenario_field(s, "torrent_size", "1 parsec"),
              "torrent_size: unknown unit \"parsec\" in \"1 parsec\" (units: B, KiB, MiB, GiB, TiB, kB, MB, GB, TB)");
    swarm_scenario rates;  // `s` stays untouched by the refusals: checked below
    EXPECT_EQ(set_scenario_field(rates, "rate_limit", "100Mbit/s"), std::nullopt);
    EXPECT_EQ(rates.rate_limit, 12'500'000u);
    EXPECT_EQ(set_scenario_field(s, "duration_s", "nan"), "duration_s: expected a number, got \"nan\"");
    EXPECT_EQ(set_scenario_field(s, "duration_s", "10s"), "duration_s: expected a number, got \"10s\"");
    EXPECT_EQ(set_scenario_field(s, "end_game", "maybe"),
              "end_game: expected true or false (or 1/0, yes/no), got \"maybe\"");
    EXPECT_EQ(set_scenario_field(s, "pick", "fastest"),
              "pick: must be \"rarest_first\", \"sequential\", \"random\" or \"custom\", got \"fastest\"");
    EXPECT_EQ(set_scenario_field(s, "backend", "kqueue"),
              "backend: must be \"auto\", \"io_uring\", \"epoll\" or \"iocp\", got \"kqueue\"");
    const auto bad_peer = set_scenario_field(s, "connect_to", "127.0.0.1:1,nohost");
    ASSERT_TRUE(bad_peer.has_value());
    EXPECT_TRUE(starts_with(*bad_peer, "connect_to: entry 2 must be HOST:PORT")) << *bad_peer;
    EXPECT_EQ(set_scenario_field(s, "connect_to", "127.0.0.1:0"),
              "connect_to: entry 1 must have a port in 1..65535, got \"127.0.0.1:0\"");
    EXPECT_EQ(set_scenario_field(s, "pipline", "4"), "pipline: unknown field (did you mean \"pipeline\"?)");
    // Text that is not UTF-8 could not be written back as JSON: refused where it comes in.
    EXPECT_EQ(set_scenario_field(s, "torrent_file", "a\xff.torrent"),
              "torrent_file: not UTF-8 text (byte 0xFF at offset 1); settings are stored as JSON, which holds only "
              "UTF-8");
    EXPECT_TRUE(set_scenario_field(s, "torrent_file", "\xed\xa0\x80").has_value());  // a UTF-16 surrogate
    EXPECT_TRUE(set_scenario_field(s, "torrent_file", "\xc0\xaf").has_value());      // an overlong '/'
    EXPECT_EQ(s, swarm_scenario{});
    swarm_scenario unicode;
    EXPECT_EQ(set_scenario_field(unicode, "torrent_file", "d\xc3\xa9j\xc3\xa0-\xf0\x9f\x8c\x8a.torrent"), std::nullopt);
    EXPECT_EQ(unicode.torrent_file, "d\xc3\xa9j\xc3\xa0-\xf0\x9f\x8c\x8a.torrent");
}

TEST(ScenarioSet, ValuesBeyondTheStorageTypeReportTheRange) {
    swarm_scenario s;
    EXPECT_EQ(set_scenario_field(s, "base_port", "70000"), "base_port: must be 0..65535, got 70000");
    EXPECT_EQ(set_scenario_field(s, "piece_size", "8GiB"),
              "piece_size: must be a power of two, 16 KiB..64 MiB, got 8 GiB");
    EXPECT_EQ(set_scenario_field(s, "seeders", "-3"), "seeders: must be 0..10000, got -3");
    EXPECT_EQ(set_scenario_field(s, "seed", "99999999999999999999"),
              "seed: must be 0..18446744073709551615, got 99999999999999999999");
    EXPECT_EQ(set_scenario_field(s, "torrent_size", "-1KiB"), "torrent_size: must be 1 B..16 TiB, got -1024");
    EXPECT_EQ(s, swarm_scenario{});
}

// ---------------------------------------------------------------------------
// validate
// ---------------------------------------------------------------------------

struct violation {
    const char* what;                            // for failure messages
    std::function<void(swarm_scenario&)> apply;  // makes the scenario invalid
    std::string message;                         // the one expected problem
};

TEST(ScenarioValidate, EachRangeViolationNamesFieldRangeAndValue) {
    const std::vector<violation> cases = {
        {"torrent_size 0", [](auto& s) { s.torrent_size = 0; }, "torrent_size: must be 1 B..16 TiB, got 0 B"},
        {"torrent_size > 16 TiB", [](auto& s) { s.torrent_size = 16 * TiB + 1; },
         "torrent_size: must be 1 B..16 TiB, got 17592186044417 B (16.0 TiB)"},
        {"piece_size small", [](auto& s) { s.piece_size = 8 * KiB; },
         "piece_size: must be a power of two, 16 KiB..64 MiB, got 8 KiB"},
        {"piece_size big", [](auto& s) { s.piece_size = 128 * MiB; },
         "piece_size: must be a power of two, 16 KiB..64 MiB, got 128 MiB"},
        {"piece_size not power of two", [](auto& s) { s.piece_size = 100000; },
         "piece_size: must be a power of two, 16 KiB..64 MiB, got 100000 B (97.7 KiB)"},
        {"file_count 0", [](auto& s) { s.file_count = 0; }, "file_count: must be 1..100000, got 0"},
        {"file_count big", [](auto& s) { s.file_count = 100001; }, "file_count: must be 1..100000, got 100001"},
        {"seeders big", [](auto& s) { s.seeders = 10001; }, "seeders: must be 0..10000, got 10001"},
        {"leechers 0 and seeders 0",
         [](auto& s) {
             s.leechers = 0;
             s.seeders = 0;
             s.connect_to = {endpoint::loopback_v4(6881)};
         },
         "leechers: must be 1..10000 unless seeders serve outside clients, got 0 leechers and 0 seeders"},
        {"leechers big", [](auto& s) { s.leechers = 10001; }, "leechers: must be 0..10000, got 10001"},
        {"upload_to without seeders",
         [](auto& s) {
             s.seeders = 0;
             s.connect_to = {endpoint::loopback_v4(6881)};
             s.upload_to = {endpoint::loopback_v4(6882)};
         },
         "upload_to: needs seeders (1..10000) to dial those peers, got 0 seeders"},
        {"upload_to port 0", [](auto& s) { s.upload_to = {endpoint::loopback_v4(0)}; },
         "upload_to: entry 1 must have a port in 1..65535, got \"127.0.0.1:0\""},
        {"content_dir alone", [](auto& s) { s.content_dir = "/srv"; },
         "content_dir: needs torrent_file (the torrent whose content it holds)"},
        {"torrent_file with disk_only",
         [](auto& s) {
             s.torrent_file = "T.torrent";
             s.storage = storage_mode::disk_only;
         },
         "torrent_file: storage \"disk_only\" generates synthetic content only; use storage \"files\""},
        {"connections 0", [](auto& s) { s.connections_per_leecher = 0; },
         "connections_per_leecher: must be 1..10000, got 0"},
        {"connections big", [](auto& s) { s.connections_per_leecher = 10001; },
         "connections_per_leecher: must be 1..10000, got 10001"},
        {"pipeline 0", [](auto& s) { s.pipeline = 0; }, "pipeline: must be 1..2048, got 0"},
        {"pipeline big", [](auto& s) { s.pipeline = 2049; }, "pipeline: must be 1..2048, got 2049"},
        {"unchoke_slots 0", [](auto& s) { s.unchoke_slots = 0; }, "unchoke_slots: must be 1..10000, got 0"},
        {"rechoke small", [](auto& s) { s.rechoke_interval_s = 0.05; },
         "rechoke_interval_s: must be 0.1..3600 s, got 0.05"},
        {"rechoke big", [](auto& s) { s.rechoke_interval_s = 3601; },
         "rechoke_interval_s: must be 0.1..3600 s, got 3601"},
        {"optimistic 0", [](auto& s) { s.optimistic_interval_s = 0; },
         "optimistic_interval_s: must be 0.1..3600 s, got 0"},
        {"rate_limit small", [](auto& s) { s.rate_limit = 512; },
         "rate_limit: must be 0 or 1 KiB..100 GiB, got 512 B"},
        {"rate_limit big", [](auto& s) { s.rate_limit = 101 * GiB; },
         "rate_limit: must be 0 or 1 KiB..100 GiB, got 101 GiB"},
        {"slow_fraction negative", [](auto& s) { s.slow_fraction = -0.1; },
         "slow_fraction: must be 0..1, got -0.1"},
        {"slow_fraction big", [](auto& s) { s.slow_fraction = 1.5; }, "slow_fraction: must be 0..1, got 1.5"},
        {"slow_fraction NaN", [](auto& s) { s.slow_fraction = std::nan(""); },
         "slow_fraction: must be 0..1, got nan"},
        {"slow_rate 0", [](auto& s) { s.slow_rate = 0; }, "slow_rate: must be 1 KiB..100 GiB, got 0 B"},
        {"churn negative", [](auto& s) { s.churn_per_s = -1; }, "churn_per_s: must be 0..100000 1/s, got -1"},
        {"churn big", [](auto& s) { s.churn_per_s = 100001; }, "churn_per_s: must be 0..100000 1/s, got 100001"},
        {"duration small", [](auto& s) { s.duration_s = 0.05; },
         "duration_s: must be 0 or 0.1..86400 s, got 0.05"},
        {"duration big", [](auto& s) { s.duration_s = 86401; },
         "duration_s: must be 0 or 0.1..86400 s, got 86401"},
        {"duration negative", [](auto& s) { s.duration_s = -1; },
         "duration_s: must be 0 or 0.1..86400 s, got -1"},
        {"timeout small", [](auto& s) { s.timeout_s = 0.5; }, "timeout_s: must be 1..604800 s, got 0.5"},
        {"timeout big", [](auto& s) { s.timeout_s = 604801; }, "timeout_s: must be 1..604800 s, got 604801"},
        {"threads big", [](auto& s) { s.threads = 257; }, "threads: must be 0..256, got 257"},
        {"interval small", [](auto& s) { s.interval_ms = 9; }, "interval_ms: must be 10..10000 ms, got 9"},
        {"interval big", [](auto& s) { s.interval_ms = 10001; }, "interval_ms: must be 10..10000 ms, got 10001"},
        {"listen_host name", [](auto& s) { s.listen_host = "not-an-ip"; },
         "listen_host: must be an IPv4 or IPv6 address such as 127.0.0.1 or ::1, got \"not-an-ip\""},
        {"listen_host empty", [](auto& s) { s.listen_host.clear(); },
         "listen_host: must be an IPv4 or IPv6 address such as 127.0.0.1 or ::1, got \"\""},
        {"connect_to port 0", [](auto& s) { s.connect_to = {endpoint::loopback_v4(0)}; },
         "connect_to: entry 1 must have a port in 1..65535, got \"127.0.0.1:0\""},
    };
    for (const violation& c : cases) {
        swarm_scenario s;
        c.apply(s);
        EXPECT_EQ(validate(s), std::vector<std::string>{c.message}) << c.what;
    }
}

TEST(ScenarioValidate, RangeEdgesAreAccepted) {
    const std::vector<std::function<void(swarm_scenario&)>> edges = {
        [](auto& s) { s.rate_limit = 0; },
        [](auto& s) { s.rate_limit = KiB; },
        [](auto& s) { s.rate_limit = 100 * GiB; },
        [](auto& s) { s.duration_s = 0.1; },
        [](auto& s) { s.duration_s = 86400; },
        [](auto& s) { s.slow_fraction = 1; },
        [](auto& s) { s.threads = 256; },
        [](auto& s) { s.piece_size = 16 * KiB; },
        [](auto& s) { s.piece_size = 64 * MiB; },
        [](auto& s) { s.torrent_size = 16 * TiB; },
        [](auto& s) { s.torrent_size = 1; },  // smaller than a piece is legal
        [](auto& s) { s.listen_host = "::1"; },
        [](auto& s) { s.listen_host = "0.0.0.0"; },
        [](auto& s) { s.seeders = 10000; },
        [](auto& s) { s.file_count = 100000; },
    };
    for (std::size_t i = 0; i < edges.size(); ++i) {
        swarm_scenario s;
        edges[i](s);
        EXPECT_EQ(validate(s), std::vector<std::string>{}) << "edge " << i;
    }
}

TEST(ScenarioValidate, NoSeedersNeedsPeersToConnectToUnlessDiskOnly) {
    swarm_scenario s;
    s.seeders = 0;
    EXPECT_EQ(validate(s), std::vector<std::string>{"seeders: must be 1..10000 unless connect_to names peers to "
                                                    "download from or seeders_at names this run's seeders in another "
                                                    "process, got 0"});
    s.connect_to = {endpoint::loopback_v4(6881)};
    EXPECT_EQ(validate(s), std::vector<std::string>{});
    s.connect_to.clear();
    s.seeders_at = {endpoint::loopback_v4(6881)};
    EXPECT_EQ(validate(s), std::vector<std::string>{});
    s.seeders_at.clear();
    s.storage = storage_mode::disk_only;
    EXPECT_EQ(validate(s), std::vector<std::string>{});
}

TEST(ScenarioValidate, SeedersElsewhereMeansNoneHere) {
    swarm_scenario s;
    s.seeders_at = {endpoint::loopback_v4(6881)};
    EXPECT_EQ(validate(s), std::vector<std::string>{"seeders_at: names this run's seeders in another process, so "
                                                    "seeders must be 0 here, got 4"});
    s.seeders = 0;
    s.seeders_at.push_back(endpoint::loopback_v4(0));
    EXPECT_EQ(validate(s), std::vector<std::string>{"seeders_at: entry 2 must have a port in 1..65535, got "
                                                    "\"127.0.0.1:0\""});
    s.seeders_at.pop_back();
    s.storage = storage_mode::disk_only;
    EXPECT_EQ(validate(s), std::vector<std::string>{"seeders_at: needs sockets; storage \"disk_only\" has none"});
}

TEST(ScenarioValidate, EveryFileNeedsAtLeastOneByte) {
    swarm_scenario s;
    s.torrent_size = 10;
    s.file_count = 11;
    EXPECT_EQ(validate(s), std::vector<std::string>{
                               "file_count: must be 1..10 (no empty files in a torrent of 10 B), got 11"});
    s.file_count = 10;
    EXPECT_EQ(validate(s), std::vector<std::string>{});
}

TEST(ScenarioValidate, PieceCountMustFit32Bits) {
    swarm_scenario s;
    s.torrent_size = std::uint64_t{1} << 62;  // also over 16 TiB
    s.piece_size = 16 * KiB;
    const auto problems = validate(s);
    ASSERT_EQ(problems.size(), 2u);
    EXPECT_TRUE(starts_with(problems[0], "torrent_size: must be 1 B..16 TiB")) << problems[0];
    EXPECT_EQ(problems[1],
              "torrent_size: 4096 PiB in pieces of 16 KiB makes 281474976710656 pieces, must be at most "
              "4294967295 (raise piece_size)");
}

TEST(ScenarioValidate, DirectNeedsFilesAnd4KiBAlignedFiles) {
    swarm_scenario s;
    s.direct = true;
    EXPECT_EQ(validate(s), std::vector<std::string>{});  // one 1 GiB file
    s.storage = storage_mode::discard;
    EXPECT_EQ(validate(s), std::vector<std::string>{
                               "direct: needs storage \"files\" or \"disk_only\", got storage \"discard\""});
    s.storage = storage_mode::disk_only;
    EXPECT_EQ(validate(s), std::vector<std::string>{});
    s.storage = storage_mode::files;
    s.file_count = 4;  // 256 MiB each
    EXPECT_EQ(validate(s), std::vector<std::string>{});
    s.file_count = 3;  // 357913942, 357913941, 357913941
    EXPECT_EQ(validate(s), std::vector<std::string>{
                               "direct: needs every file but the last to be a multiple of 4 KiB; torrent_size "
                               "1 GiB over 3 files gives files of 357913942 B (341 MiB)"});
    // The first torrent_size % file_count files get the extra byte: 4096,
    // 4096, 4095 is aligned except for the last, which may be short.
    s.torrent_size = 3 * 4096 - 1;
    EXPECT_EQ(validate(s), std::vector<std::string>{});
    s.torrent_size = GiB + 5;  // 4 files: 268435458, then 268435457 x 3
    s.file_count = 4;
    ASSERT_EQ(validate(s).size(), 1u);
    EXPECT_TRUE(starts_with(validate(s)[0], "direct: ")) << validate(s)[0];
    s.direct = false;
    EXPECT_EQ(validate(s), std::vector<std::string>{});
}

TEST(ScenarioValidate, SeederPortsMustFitBelow65536) {
    swarm_scenario s;
    s.base_port = 65530;
    s.seeders = 6;  // 65530..65535
    EXPECT_EQ(validate(s), std::vector<std::string>{});
    s.seeders = 7;
    EXPECT_EQ(validate(s), std::vector<std::string>{
                               "base_port: must be 0 or 1..65529 with 7 seeders (seeder i listens on "
                               "base_port + i), got 65530"});
    s.storage = storage_mode::disk_only;  // no listening seeders
    EXPECT_EQ(validate(s), std::vector<std::string>{});
}

TEST(ScenarioPieceOrder, ParsesFromJsonAndTextAndWritesIntegers) {
    auto r = parse_scenario(R"({"torrent_size": "4MiB", "piece_size": "1MiB", "pick": "custom",
                                "piece_order": [3, 1, 2.0]})");
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(r->pick, bt::pick_order::custom);
    EXPECT_EQ(r->piece_order, (std::vector<std::uint32_t>{3, 1, 2}));
    const nlohmann::json j = to_json(r.value());
    EXPECT_EQ(j.at("pick"), "custom");
    EXPECT_EQ(j.at("piece_order"), nlohmann::json::array({3, 1, 2}));
    EXPECT_EQ(to_json(swarm_scenario{}).at("piece_order"), nlohmann::json::array());
    auto back = parse_scenario(j.dump());
    ASSERT_TRUE(back.ok()) << back.error();
    EXPECT_EQ(back.value(), r.value());

    swarm_scenario s;
    ASSERT_FALSE(set_scenario_field(s, "pick", "custom"));
    ASSERT_FALSE(set_scenario_field(s, "piece-order", " 3,1 , 2,"));  // CLI spelling, spaces, a trailing comma
    EXPECT_EQ(s.piece_order, (std::vector<std::uint32_t>{3, 1, 2}));
    EXPECT_EQ(validate(s), std::vector<std::string>{});
    ASSERT_FALSE(set_scenario_field(s, "piece_order", ""));
    EXPECT_TRUE(s.piece_order.empty());
}

TEST(ScenarioPieceOrder, BadEntriesNameTheFieldAndTheEntry) {
    EXPECT_EQ(parse_error_of(R"({"piece_order": "3,1,2"})"), "piece_order: expected a list of piece indexes, got string");
    EXPECT_EQ(parse_error_of(R"({"piece_order": [0, -1]})"),
              "piece_order: entry 2 must be a piece index (an integer 0..4294967295), got -1");
    EXPECT_EQ(parse_error_of(R"({"piece_order": [1.5]})"),
              "piece_order: entry 1 must be a piece index (an integer 0..4294967295), got 1.5");
    EXPECT_EQ(parse_error_of(R"({"piece_order": ["7"]})"),
              "piece_order: entry 1 must be a piece index (an integer 0..4294967295), got \"7\"");
    EXPECT_EQ(parse_error_of(R"({"piece_order": [4294967296]})"),
              "piece_order: entry 1 must be a piece index (an integer 0..4294967295), got 4294967296");
    swarm_scenario s;
    EXPECT_EQ(set_scenario_field(s, "piece_order", "3,x,2"),
              "piece_order: entry 2 must be a piece index (an integer 0..4294967295), got \"x\"");
    EXPECT_EQ(set_scenario_field(s, "piece_order", "-1"),
              "piece_order: entry 1 must be a piece index (an integer 0..4294967295), got \"-1\"");
    EXPECT_EQ(set_scenario_field(s, "piece_order", "1,2,1"),
              "piece_order: piece 1 is listed twice (entries 1 and 3); list each piece once");
    EXPECT_EQ(s, swarm_scenario{});  // every refused value left it unchanged
}

TEST(ScenarioPieceOrder, CustomAndTheListGoTogetherAndNamePiecesOfTheTorrent) {
    swarm_scenario s;
    s.torrent_size = 64 * MiB;
    s.piece_size = 256 * KiB;  // 256 pieces
    s.pick = bt::pick_order::custom;
    EXPECT_EQ(validate(s), std::vector<std::string>{
                               "piece_order: pick \"custom\" needs the pieces to start first (e.g. [3, 1, 2]), got "
                               "an empty list"});
    s.piece_order = {255, 0, 300, 256};
    EXPECT_EQ(validate(s), std::vector<std::string>{
                               "piece_order: entry 3 must be 0..255 (torrent_size 64 MiB in pieces of 256 KiB makes "
                               "256 pieces), got 300"});
    s.piece_order = {255, 0, 7, 0};
    EXPECT_EQ(validate(s), std::vector<std::string>{
                               "piece_order: piece 0 is listed twice (entries 2 and 4); list each piece once"});
    s.piece_order = {255, 0, 7};
    EXPECT_EQ(validate(s), std::vector<std::string>{});
    s.pick = bt::pick_order::sequential;
    EXPECT_EQ(validate(s), std::vector<std::string>{
                               "piece_order: needs pick \"custom\", got pick \"sequential\" (set pick to "
                               "\"custom\" or clear piece_order)"});
    // The same messages through the JSON form.
    EXPECT_EQ(parse_error_of(R"({"pick": "custom"})"),
              "piece_order: pick \"custom\" needs the pieces to start first (e.g. [3, 1, 2]), got an empty list");
    EXPECT_EQ(parse_error_of(R"({"piece_order": [1]})"),
              "piece_order: needs pick \"custom\", got pick \"rarest_first\" (set pick to \"custom\" or clear "
              "piece_order)");
}

TEST(ScenarioValidate, TotalConnectionsDoesNotOverflow) {
    swarm_scenario s;
    s.leechers = 10000;
    s.connections_per_leecher = 10000;
    EXPECT_EQ(total_connections(s), 100'000'000u);
}

// ---------------------------------------------------------------------------
// the shipped scenario files
// ---------------------------------------------------------------------------

std::string read_asset(const std::string& name) {
    std::ifstream in(std::string(SWARMBENCH_SOURCE_DIR) + "/assets/scenarios/" + name);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

TEST(ScenarioAssets, DefaultFileIsTheDefaults) {
    const std::string text = read_asset("default.json");
    ASSERT_FALSE(text.empty()) << "assets/scenarios/default.json missing";
    auto r = parse_scenario(text);
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(r.value(), swarm_scenario{});
    // It lists every field, so it doubles as documentation.
    EXPECT_EQ(nlohmann::json::parse(text), to_json(swarm_scenario{}));
}

TEST(ScenarioAssets, SmallFileIsAQuickValidRun) {
    const std::string text = read_asset("small.json");
    ASSERT_FALSE(text.empty()) << "assets/scenarios/small.json missing";
    auto r = parse_scenario(text);
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(r->torrent_size, 64 * MiB);
    EXPECT_EQ(r->seeders, 2u);
    EXPECT_EQ(r->leechers, 3u);
    EXPECT_EQ(r->connections_per_leecher, 8u);
    EXPECT_EQ(total_connections(r.value()), 24u);
    // Held to 4 MiB/s per connection, a leecher takes about 2 s: a run long enough to graph.
    EXPECT_EQ(r->rate_limit, 4 * MiB);
}

// ---------------------------------------------------------------------------
// sample columns
// ---------------------------------------------------------------------------

TEST(SampleColumns, OneValuePerColumnAndUniqueNames) {
    const auto& cols = sample_columns();
    ASSERT_FALSE(cols.empty());
    EXPECT_EQ(sample_values(swarm_sample{}).size(), cols.size());
    EXPECT_EQ(cols.front().name, "t_s");
    EXPECT_EQ(cols.front().unit, "s");
    std::set<std::string> names;
    const std::set<std::string> units = {"s", "B", "B/s", "us", "ms", "count", "%"};
    for (const sample_column& c : cols) {
        EXPECT_TRUE(names.insert(c.name).second) << "duplicate " << c.name;
        EXPECT_EQ(units.count(c.unit), 1u) << c.name << " has unit " << c.unit;
    }
}

TEST(SampleColumns, ValuesFollowTheDeclarationOrderWithUnits) {
    swarm_sample s;
    double next = 1;
    // Every field, in declaration order, gets a distinct value.
    s.t_s = next++;
    s.net_in_total = static_cast<std::uint64_t>(next++);
    s.net_out_total = static_cast<std::uint64_t>(next++);
    s.net_in_bps = next++;
    s.net_out_bps = next++;
    s.payload_total = static_cast<std::uint64_t>(next++);
    s.goodput_bps = next++;
    s.disk_write_total = static_cast<std::uint64_t>(next++);
    s.disk_write_bps = next++;
    s.disk_write_us_p50 = next++;
    s.disk_write_us_p90 = next++;
    s.disk_write_us_p99 = next++;
    s.request_ms_p50 = next++;
    s.request_ms_p90 = next++;
    s.request_ms_p99 = next++;
    s.connections_active = static_cast<std::uint32_t>(next++);
    s.connections_half_open = static_cast<std::uint32_t>(next++);
    s.connect_ms_p50 = next++;
    s.connect_ms_p99 = next++;
    s.connects_total = static_cast<std::uint64_t>(next++);
    s.disconnects_total = static_cast<std::uint64_t>(next++);
    s.pieces_complete_total = static_cast<std::uint64_t>(next++);
    s.pieces_wanted = static_cast<std::uint64_t>(next++);
    s.hash_failures_total = static_cast<std::uint64_t>(next++);
    s.protocol_errors_total = static_cast<std::uint64_t>(next++);
    s.leechers_done = static_cast<std::uint32_t>(next++);
    s.cpu_percent = next++;
    s.rss_bytes = static_cast<std::uint64_t>(next++);
    s.client_connections = static_cast<std::uint32_t>(next++);
    s.client_down_s = next++;
    s.link_held_bytes = static_cast<std::uint64_t>(next++);
    const std::vector<double> values = sample_values(s);
    ASSERT_EQ(values.size(), static_cast<std::size_t>(next - 1));
    for (std::size_t i = 0; i < values.size(); ++i) EXPECT_EQ(values[i], double(i + 1)) << i;

    std::map<std::string, std::string> unit_of;
    for (const sample_column& c : sample_columns()) unit_of[c.name] = c.unit;
    EXPECT_EQ(unit_of.at("net_in_total"), "B");
    EXPECT_EQ(unit_of.at("net_out_bps"), "B/s");
    EXPECT_EQ(unit_of.at("goodput_bps"), "B/s");
    EXPECT_EQ(unit_of.at("disk_write_us_p99"), "us");
    EXPECT_EQ(unit_of.at("request_ms_p50"), "ms");
    EXPECT_EQ(unit_of.at("connect_ms_p99"), "ms");
    EXPECT_EQ(unit_of.at("connections_half_open"), "count");
    EXPECT_EQ(unit_of.at("pieces_wanted"), "count");
    EXPECT_EQ(unit_of.at("cpu_percent"), "%");
    EXPECT_EQ(unit_of.at("rss_bytes"), "B");
}

TEST(SampleColumns, LargeCountersAreExactBelow2To53) {
    swarm_sample s;
    s.net_in_total = (std::uint64_t{1} << 53) - 1;
    const auto values = sample_values(s);
    EXPECT_EQ(values.at(1), 9007199254740991.0);
}

// ---- client roles (swarmbench upload|download|seed, Python's *_scenario) ----

TEST(client_roles, each_role_with_a_torrent_and_a_client_is_a_valid_scenario_of_that_role) {
    for (client_role r : {client_role::upload, client_role::download, client_role::seed}) {
        SCOPED_TRACE(std::string(to_string(r)));
        swarm_scenario sc = client_scenario(r);
        sc.torrent_file = "t.torrent";  // validate does not open it
        if (!client_target_field(r).empty()) {
            ASSERT_FALSE(scenario_schema().set(sc, client_target_field(r), nlohmann::json::array({"127.0.0.1:6881"})));
        }
        EXPECT_EQ(validate(sc), std::vector<std::string>{});
        // The count field holds the role's peers; the other side is fixed at 0.
        const bool download = r == client_role::download;
        EXPECT_EQ(scenario_schema().get(sc, client_count_field(r)), r == client_role::seed ? 1 : 8);
        EXPECT_EQ(download ? sc.seeders : sc.leechers, 0u);
        EXPECT_EQ(sc.storage, download ? storage_mode::files : storage_mode::discard);
        EXPECT_EQ(sc.pipeline, download ? 500u : swarm_scenario{}.pipeline);
        EXPECT_EQ(sc.spread_sources, r != client_role::seed);
        if (download) {
            EXPECT_EQ(sc.connections_per_leecher, 1u);
        }
    }
}

TEST(client_roles, a_link_class_goes_to_the_fake_peers_of_each_role) {
    for (client_role r : {client_role::upload, client_role::download, client_role::seed}) {
        SCOPED_TRACE(std::string(to_string(r)));
        auto f = client_link_fields(r, R"({"up": "1Mbit", "rtt_ms": 40})");
        ASSERT_TRUE(f) << f.error();
        EXPECT_EQ(f->at("links").size(), 1u);
        EXPECT_EQ(f->at("links")[0].at("name"), "link");
        EXPECT_EQ(f->at("links")[0].at("up"), 125'000);
        // Seeders are the fake peers of upload and seed; download's are leechers, dealt the one class.
        EXPECT_EQ(f->contains("seeder_link"), r != client_role::download);
        swarm_scenario sc = client_scenario(r);
        for (const auto& [name, value] : f->items()) ASSERT_FALSE(scenario_schema().set(sc, name, value)) << name;
        EXPECT_EQ(sc.links.size(), 1u);
    }
    auto error_of = [](const char* text) {
        auto f = client_link_fields(client_role::upload, text);
        return f ? std::string("accepted") : f.error();
    };
    EXPECT_EQ(error_of(R"({"rtt_ms": -1, "up": 0})"),
              "link: rtt_ms: must be 0..10000 ms, got -1\nlink: up: must be 1 KiB..16 GiB (leave it out for no limit), "
              "got 0");
    EXPECT_EQ(error_of(R"({"share": 0.5})"), "link: share: the fake peers are all of this one class; leave share out");
    EXPECT_EQ(error_of("[1]").substr(0, 42), "link: expected one class as a JSON object ");
    EXPECT_EQ(error_of("{").substr(0, 14), "link: line 1, ");
}

TEST(client_roles, a_listen_address_sets_host_and_port_as_written_or_is_refused_unchanged) {
    swarm_scenario sc = client_scenario(client_role::seed);
    ASSERT_FALSE(set_client_listen(sc, "[::1]:7000"));
    EXPECT_EQ(sc.listen_host, "::1");
    EXPECT_EQ(sc.base_port, 7000u);
    ASSERT_FALSE(set_client_listen(sc, "127.0.0.1:0"));
    EXPECT_EQ(sc.listen_host, "127.0.0.1");
    EXPECT_EQ(sc.base_port, 0u);
    for (const char* bad : {"127.0.0.1", "127.0.0.1:70000", ":7000", "", "[::1:7000"}) {
        SCOPED_TRACE(bad);
        const auto err = set_client_listen(sc, bad);
        ASSERT_TRUE(err);
        EXPECT_EQ(err->rfind("listen: expected \"ADDR:PORT\"", 0), 0u) << *err;
        EXPECT_NE(err->find(std::string("got \"") + bad + "\""), std::string::npos) << *err;
        EXPECT_EQ(sc.listen_host, "127.0.0.1");
        EXPECT_EQ(sc.base_port, 0u);
    }
}

}  // namespace
}  // namespace swarmbench
