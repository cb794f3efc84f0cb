// Access links (scenario `links`, net/link.hpp) in whole swarms, on every
// backend: a delayed connection delivers nothing sooner than its round trip
// allows, a download rate bounds the bytes over the run, classes are dealt by
// share, and a swarm of mixed classes (jitter, a small queue that pauses
// receiving) completes byte-exact.
//
// Every check is a lower bound on time (the engine's own clock, in results):
// a loaded machine can only make a run slower, never faster.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "swarm_test_helpers.hpp"
#include "swarmbench/bt/geometry.hpp"
#include "swarmbench/bt/wire.hpp"
#include "swarmbench/swarm/swarm.hpp"
#include "test_support.hpp"

namespace swarmbench::test {
namespace {

using namespace std::chrono_literals;

std::vector<link_class> links_of(const char* json) {
    auto r = links_from_json(nlohmann::json::parse(json));
    EXPECT_TRUE(r.ok()) << r.error();
    return r ? r.value() : std::vector<link_class>{};
}

/// `seeders` x `leechers` x `conns` connections of a one-file torrent of
/// `size` in 64 KiB pieces, through `links`, nothing written.
swarm_scenario links_scenario(backend_kind kind, const std::filesystem::path& data, std::uint64_t size,
                              std::uint32_t seeders, std::uint32_t leechers, std::uint32_t conns, const char* links) {
    swarm_scenario sc = small_scenario(kind, data);
    sc.torrent_size = size;
    sc.piece_size = 64 * 1024;
    sc.file_count = 1;
    sc.seeders = seeders;
    sc.leechers = leechers;
    sc.connections_per_leecher = conns;
    sc.storage = storage_mode::discard;
    sc.links = links_of(links);
    return sc;
}

class swarm_links : public swarm_backend_test {};

TEST_P(swarm_links, a_delayed_connection_delivers_nothing_sooner_than_its_round_trip) {
    // One connection, 4 requests in flight, 60 ms of round trip: each round of
    // 4 blocks takes at least 60 ms, so 1 MiB (64 blocks) at least 16 rounds.
    swarm_scenario sc =
        links_scenario(GetParam(), data(), 1 << 20, 1, 1, 1, R"([{"name": "far", "share": 1, "rtt_ms": 60}])");
    sc.pipeline = 4;
    const results r = run_bounded(sc, out(), {}, 60s);
    ASSERT_EQ(r.summary.status, "ok") << all_errors(r);
    ASSERT_TRUE(r.summary.swarm);
    EXPECT_EQ(r.summary.swarm->leechers_complete, 1u);
    EXPECT_GE(r.summary.swarm->completion_seconds, 16 * 0.060);
    ASSERT_EQ(r.peers.size(), 1u);
    EXPECT_EQ(r.peers[0].link, "far");
    // Every request waited a round trip; the histogram's buckets are coarser
    // than a millisecond, so a tenth of it is left for them.
    EXPECT_GE(r.peers[0].request_ms_p50, 0.9 * 60);
}

TEST_P(swarm_links, a_download_rate_bounds_the_bytes_over_the_run) {
    // 2 leechers of 1 MiB/s each download 3 MiB: at least 3 s less a burst.
    const swarm_scenario sc =
        links_scenario(GetParam(), data(), 3 << 20, 1, 2, 4, R"([{"name": "capped", "share": 1, "down": "1MiB"}])");
    const results r = run_bounded(sc, out(), {}, 60s);
    ASSERT_EQ(r.summary.status, "ok") << all_errors(r);
    EXPECT_EQ(r.summary.swarm->leechers_complete, 2u);
    EXPECT_EQ(r.summary.bytes, 2 * sc.torrent_size);
    const double burst = bt::default_block_size + bt::piece_header_size;  // link_shaping's least burst
    EXPECT_GE(r.summary.swarm->completion_seconds, (static_cast<double>(sc.torrent_size) - burst) / (1 << 20));
}

TEST_P(swarm_links, mixed_classes_are_dealt_by_share_and_complete_byte_exact) {
    // Files on disk, seeders of their own class, jitter of every shape, and a
    // queue small enough that receiving pauses and resumes.
    swarm_scenario sc = links_scenario(GetParam(), data(), (6ULL << 20) + 4321, 2, 4, 4, R"([
        {"name": "dsl", "share": 0.5, "down": "32Mbit", "up": "4Mbit", "rtt_ms": 20, "queue": "64KiB"},
        {"name": "mobile", "share": 0.25, "down": "40Mbit", "up": "8Mbit", "rtt_ms": 30, "jitter_ms": 10},
        {"name": "dc", "share": 0.25, "rtt_ms": 2, "jitter": "pareto", "jitter_ms": 1}])");
    sc.file_count = 3;
    sc.storage = storage_mode::files;
    sc.seeder_link = "dc";
    const results r = run_bounded(sc, out(), {}, 90s);
    ASSERT_EQ(r.summary.status, "ok") << all_errors(r);
    ASSERT_TRUE(r.summary.swarm);
    EXPECT_EQ(r.summary.swarm->leechers_complete, sc.leechers);
    EXPECT_EQ(r.summary.swarm->pieces_verified, ((sc.torrent_size + sc.piece_size - 1) / sc.piece_size) * sc.leechers);
    EXPECT_EQ(r.summary.bytes, sc.torrent_size * sc.leechers);
    EXPECT_EQ(verify_leechers(sc, data()), std::size_t{sc.leechers} * sc.file_count);
    // Each leecher's connections carry its class: 2 dsl, 1 mobile, 1 dc.
    std::map<std::string, std::string> class_of;
    for (const peer_summary& p : r.peers) {
        auto [it, fresh] = class_of.emplace(p.leecher, p.link);
        EXPECT_EQ(it->second, p.link) << p.leecher << " has connections of two classes";
    }
    std::map<std::string, int> count;
    for (const auto& [leecher, link] : class_of) ++count[link];
    EXPECT_EQ(count["dsl"], 2);
    EXPECT_EQ(count["mobile"], 1);
    EXPECT_EQ(count["dc"], 1);
    expect_folder(out(), r);
}

INSTANTIATE_TEST_SUITE_P(, swarm_links, ::testing::ValuesIn(compiled_backends()), backend_param_name);

}  // namespace
}  // namespace swarmbench::test
