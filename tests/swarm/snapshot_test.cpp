// Live snapshots (swarm_hooks::on_snapshot) of whole swarms over loopback,
// on every backend: they arrive about every interval, the last one shows the
// end state, peers and piece maps are plausible mid-run, and the disk write
// points account for every write (capped and counted when there are too
// many). A run without on_snapshot is unaffected.
//
// [SECTION] helpers
// [SECTION] snapshots of a networked swarm
// [SECTION] disk-only: write points and the cap
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "swarmbench/swarm/swarm.hpp"
#include "swarm_test_helpers.hpp"
#include "test_support.hpp"

namespace swarmbench::test {
namespace {

// ---------------------------------------------------------------------------
// [SECTION] helpers
// ---------------------------------------------------------------------------

constexpr std::uint32_t block = 16 * 1024;

/// A small, rate-limited swarm (about two seconds), so several snapshots see
/// it mid-run: 3 leechers x 4 connections at 512 KiB/s each, 4 MiB + a bit.
swarm_scenario slow_scenario(backend_kind kind, const std::filesystem::path& data) {
    swarm_scenario sc;
    sc.torrent_size = (4ULL << 20) + 12345;
    sc.piece_size = 64 * 1024;
    sc.file_count = 3;
    sc.seeders = 2;
    sc.leechers = 3;
    sc.connections_per_leecher = 4;
    sc.rate_limit = 512 * 1024;
    sc.backend = kind;
    sc.threads = 2;
    sc.data_dir = data.string();
    sc.timeout_s = 120;
    return sc;
}

std::uint32_t piece_count(const swarm_scenario& sc) {
    return static_cast<std::uint32_t>((sc.torrent_size + sc.piece_size - 1) / sc.piece_size);
}

std::uint64_t block_count(const swarm_scenario& sc) {
    // Blocks never straddle pieces: full pieces, then the last one's.
    const std::uint64_t full = sc.torrent_size / sc.piece_size;
    const std::uint64_t rest = sc.torrent_size % sc.piece_size;
    return full * (sc.piece_size / block) + (rest + block - 1) / block;
}

std::string leecher_name(std::uint32_t i) {
    char name[32];
    std::snprintf(name, sizeof name, "leecher-%02u", i + 1);
    return name;
}

/// Runs `sc` with `hooks`, stopping it past `limit` so a hung swarm fails
/// the test instead of blocking it.
results run_bounded(const swarm_scenario& sc, swarm_hooks hooks,
                    std::chrono::seconds limit = std::chrono::seconds(120)) {
    std::atomic<bool> stop{false};
    hooks.run.stop = &stop;
    const auto deadline = std::chrono::steady_clock::now() + limit;
    hooks.on_sample = [&](const swarm_sample&) {
        if (std::chrono::steady_clock::now() > deadline) {
            ADD_FAILURE() << "swarm still running after " << limit.count() << " s; stopping it";
            stop = true;
        }
    };
    return run_swarm(sc, hooks);
}

std::string all_errors(const results& r) {
    std::string s;
    for (const auto& m : r.summary.error_messages) s += m + "\n";
    return s;
}

/// The write points of every snapshot, per leecher, cover [0, size) exactly
/// once (no gap, no overlap); their lengths sum to `bytes`.
void expect_writes_tile_the_torrent(const std::vector<swarm_snapshot>& snaps, const swarm_scenario& sc,
                                    std::uint64_t bytes) {
    std::vector<std::vector<disk_write_point>> by_leecher(sc.leechers);
    std::uint64_t sum = 0, dropped = 0;
    for (const auto& s : snaps) {
        dropped += s.dropped_writes;
        for (const auto& w : s.writes) {
            ASSERT_LT(w.leecher, sc.leechers);
            EXPECT_GE(w.t_s, 0.0);
            EXPECT_LE(w.t_s, snaps.back().t_s + 1.0);
            by_leecher[w.leecher].push_back(w);
            sum += w.length;
        }
    }
    ASSERT_EQ(dropped, 0u) << "the scenario is meant to stay under the cap";
    EXPECT_EQ(sum, bytes);
    EXPECT_EQ(sum, sc.torrent_size * sc.leechers);
    for (std::uint32_t l = 0; l < sc.leechers; ++l) {
        auto& ws = by_leecher[l];
        std::sort(ws.begin(), ws.end(), [](const auto& a, const auto& b) { return a.offset < b.offset; });
        std::uint64_t at = 0;
        for (const auto& w : ws) {
            ASSERT_EQ(w.offset, at) << leecher_name(l) << ": gap or overlap in the write points";
            at += w.length;
        }
        EXPECT_EQ(at, sc.torrent_size) << leecher_name(l);
    }
}

/// The last snapshot: every leecher done, every piece had.
void expect_end_state(const swarm_snapshot& last, const swarm_scenario& sc) {
    const std::uint32_t pieces = piece_count(sc);
    ASSERT_EQ(last.leechers.size(), sc.leechers);
    for (std::uint32_t i = 0; i < sc.leechers; ++i) {
        const leecher_snapshot& l = last.leechers[i];
        EXPECT_EQ(l.name, leecher_name(i));
        EXPECT_TRUE(l.done) << l.name;
        EXPECT_EQ(l.rounds, 1u) << l.name;
        EXPECT_EQ(l.have, pieces) << l.name;
        EXPECT_EQ(l.in_flight, 0u) << l.name;
        ASSERT_EQ(l.pieces.size(), pieces) << l.name;
        EXPECT_TRUE(std::all_of(l.pieces.begin(), l.pieces.end(), [](std::uint8_t c) { return c == piece_have; }))
            << l.name;
    }
}

using swarm_snapshots = swarm_backend_test;

// ---------------------------------------------------------------------------
// [SECTION] snapshots of a networked swarm
// ---------------------------------------------------------------------------

TEST_P(swarm_snapshots, follow_a_run_to_its_end) {
    const swarm_scenario sc = slow_scenario(GetParam(), data());
    constexpr auto interval = std::chrono::milliseconds(100);
    std::vector<swarm_snapshot> snaps;
    swarm_hooks hooks;
    hooks.snapshot_interval = interval;
    hooks.on_snapshot = [&](swarm_snapshot&& s) { snaps.push_back(std::move(s)); };
    const results r = run_bounded(sc, hooks);
    ASSERT_EQ(r.summary.status, "ok") << all_errors(r);
    ASSERT_TRUE(r.summary.swarm);
    const swarm_summary& w = *r.summary.swarm;
    ASSERT_EQ(w.leechers_complete, sc.leechers);
    ASSERT_GE(snaps.size(), 2u) << "expected mid-run snapshots and the final one";

    // About one per interval plus the final one (loose: a busy machine is slow).
    const double run_s = snaps.back().t_s;
    const double expected = run_s / (static_cast<double>(interval.count()) / 1e3);
    EXPECT_LE(static_cast<double>(snaps.size()), expected + 2) << run_s << " s";
    EXPECT_GE(static_cast<double>(snaps.size()), std::max(2.0, expected / 4)) << run_s << " s";
    for (std::size_t i = 1; i < snaps.size(); ++i) EXPECT_LE(snaps[i - 1].t_s, snaps[i].t_s);

    expect_end_state(snaps.back(), sc);

    // Mid-run: pieces in flight, peers with plausible counters, in leecher order.
    bool saw_in_flight = false, saw_rate = false;
    std::uint64_t most_in = 0;
    for (std::size_t k = 0; k + 1 < snaps.size(); ++k) {
        const swarm_snapshot& s = snaps[k];
        ASSERT_EQ(s.leechers.size(), sc.leechers);
        for (const leecher_snapshot& l : s.leechers) {
            ASSERT_EQ(l.pieces.size(), piece_count(sc));
            const auto in_flight = std::count(l.pieces.begin(), l.pieces.end(), std::uint8_t{piece_in_flight});
            const auto have = std::count(l.pieces.begin(), l.pieces.end(), std::uint8_t{piece_have});
            EXPECT_EQ(static_cast<std::uint32_t>(in_flight), l.in_flight);
            EXPECT_EQ(static_cast<std::uint32_t>(have), l.have);
            if (in_flight > 0 && !l.done) saw_in_flight = true;
        }
        std::uint64_t in = 0;
        for (std::size_t i = 0; i < s.peers.size(); ++i) {
            const peer_snapshot& p = s.peers[i];
            if (i > 0) {
                EXPECT_LE(s.peers[i - 1].leecher, p.leecher) << "peers not in leecher order";
            }
            EXPECT_EQ(p.leecher.rfind("leecher-", 0), 0u) << p.leecher;
            EXPECT_EQ(p.remote.rfind("seeder-", 0), 0u) << p.remote;
            EXPECT_TRUE(p.state == "connecting" || p.state == "handshaking" || p.state == "active" ||
                        p.state == "closing")
                << p.state;
            EXPECT_GE(p.in_bps, 0.0);
            EXPECT_LE(p.blocks * block, p.bytes_in + block);  // the last block is short
            if (p.in_bps > 0 && p.bytes_in > 0) saw_rate = true;
            in += p.bytes_in;
        }
        EXPECT_LE(in, w.net_bytes_in) << "snapshot at " << s.t_s << " s";
        most_in = std::max(most_in, in);
    }
    EXPECT_TRUE(saw_in_flight) << "no mid-run snapshot showed a piece in flight";
    EXPECT_TRUE(saw_rate) << "no peer ever showed a receive rate";
    EXPECT_GT(most_in, 0u);

    expect_writes_tile_the_torrent(snaps, sc, w.disk_bytes_written);
}

TEST_P(swarm_snapshots, a_run_without_them_still_works) {
    swarm_scenario sc = slow_scenario(GetParam(), data());
    sc.rate_limit = 0;
    swarm_hooks hooks;
    hooks.snapshot_interval = std::chrono::milliseconds(10);  // ignored: no on_snapshot
    const results r = run_bounded(sc, hooks);
    ASSERT_EQ(r.summary.status, "ok") << all_errors(r);
    ASSERT_TRUE(r.summary.swarm);
    EXPECT_EQ(r.summary.swarm->leechers_complete, sc.leechers);
    EXPECT_EQ(r.summary.swarm->disk_bytes_written, sc.torrent_size * sc.leechers);
}

TEST_P(swarm_snapshots, a_stopped_run_still_ends_with_a_snapshot) {
    swarm_scenario sc = slow_scenario(GetParam(), data());
    sc.rate_limit = 64 * 1024;  // far from done when stopped
    std::atomic<bool> stop{false};
    std::vector<swarm_snapshot> snaps;
    swarm_hooks hooks;
    hooks.run.stop = &stop;
    hooks.snapshot_interval = std::chrono::milliseconds(50);
    hooks.on_snapshot = [&](swarm_snapshot&& s) {
        // Stop once some data has arrived.
        for (const auto& p : s.peers)
            if (p.bytes_in > 0) stop = true;
        snaps.push_back(std::move(s));
    };
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    hooks.on_sample = [&](const swarm_sample&) {
        if (std::chrono::steady_clock::now() > deadline) stop = true;
    };
    const results r = run_swarm(sc, hooks);
    EXPECT_EQ(r.summary.status, "interrupted") << all_errors(r);
    ASSERT_FALSE(snaps.empty());
    const swarm_snapshot& last = snaps.back();
    ASSERT_EQ(last.leechers.size(), sc.leechers);
    std::uint32_t had = 0;
    for (const auto& l : last.leechers) {
        EXPECT_FALSE(l.done) << l.name;
        had += l.have;
    }
    EXPECT_LT(had, piece_count(sc) * sc.leechers);
    EXPECT_FALSE(last.peers.empty()) << "the final snapshot is taken before teardown closes the connections";
}

// ---------------------------------------------------------------------------
// [SECTION] disk-only: write points and the cap
// ---------------------------------------------------------------------------

TEST_P(swarm_snapshots, disk_only_writes_are_capped_and_counted) {
    // One snapshot (the final one) holds every write of one leecher: more
    // than the cap, so it is thinned evenly and the rest counted.
    swarm_scenario sc;
    sc.storage = storage_mode::disk_only;
    sc.torrent_size = 96ULL << 20;  // 6144 blocks
    sc.piece_size = 256 * 1024;
    sc.leechers = 1;
    sc.connections_per_leecher = 4;
    sc.backend = GetParam();
    sc.threads = 1;
    sc.data_dir = data().string();
    sc.timeout_s = 120;
    std::vector<swarm_snapshot> snaps;
    swarm_hooks hooks;
    hooks.snapshot_interval = std::chrono::seconds(600);  // only the final snapshot
    hooks.on_snapshot = [&](swarm_snapshot&& s) { snaps.push_back(std::move(s)); };
    const results r = run_bounded(sc, hooks);
    ASSERT_EQ(r.summary.status, "ok") << all_errors(r);
    ASSERT_EQ(snaps.size(), 1u);
    const swarm_snapshot& s = snaps.front();
    expect_end_state(s, sc);
    EXPECT_TRUE(s.peers.empty());
    ASSERT_GT(block_count(sc), disk_points_per_snapshot);
    EXPECT_EQ(s.writes.size(), disk_points_per_snapshot);
    EXPECT_EQ(s.writes.size() + s.dropped_writes, block_count(sc));
    // Evenly thinned: in time order, and spread over the whole torrent.
    std::uint64_t lowest = UINT64_MAX, highest = 0;
    for (std::size_t i = 0; i < s.writes.size(); ++i) {
        const disk_write_point& w = s.writes[i];
        if (i > 0) {
            EXPECT_LE(s.writes[i - 1].t_s, w.t_s);
        }
        EXPECT_EQ(w.leecher, 0u);
        EXPECT_EQ(w.length, block);
        EXPECT_LT(w.offset, sc.torrent_size);
        lowest = std::min(lowest, w.offset);
        highest = std::max(highest, w.offset);
    }
    EXPECT_LT(lowest, sc.torrent_size / 8);
    EXPECT_GT(highest, sc.torrent_size / 8 * 7);
}

TEST_P(swarm_snapshots, disk_only_writes_tile_the_torrent_under_the_cap) {
    swarm_scenario sc;
    sc.storage = storage_mode::disk_only;
    sc.torrent_size = (8ULL << 20) + 4096;
    sc.piece_size = 128 * 1024;
    sc.leechers = 2;
    sc.connections_per_leecher = 2;
    sc.backend = GetParam();
    sc.threads = 2;
    sc.data_dir = data().string();
    sc.timeout_s = 120;
    std::vector<swarm_snapshot> snaps;
    swarm_hooks hooks;
    hooks.snapshot_interval = std::chrono::milliseconds(20);
    hooks.on_snapshot = [&](swarm_snapshot&& s) { snaps.push_back(std::move(s)); };
    const results r = run_bounded(sc, hooks);
    ASSERT_EQ(r.summary.status, "ok") << all_errors(r);
    ASSERT_FALSE(snaps.empty());
    expect_end_state(snaps.back(), sc);
    ASSERT_TRUE(r.summary.swarm);
    expect_writes_tile_the_torrent(snaps, sc, r.summary.swarm->disk_bytes_written);
}

INSTANTIATE_TEST_SUITE_P(, swarm_snapshots, ::testing::ValuesIn(compiled_backends()), backend_param_name);

}  // namespace
}  // namespace swarmbench::test
