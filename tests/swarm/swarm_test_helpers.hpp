// Helpers shared by the whole-swarm tests (swarm_run_test.cpp,
// swarm_shaping_test.cpp, snapshot_test.cpp): the per-backend fixture, a small
// scenario, a bounded run, checks of the downloaded files and of the results
// folder.
//
// Thread rules: test thread only (run_bounded's hook runs on the swarm's
// controller thread, which is the calling thread).
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "swarmbench/bt/synthetic.hpp"
#include "swarmbench/results_folder.hpp"
#include "swarmbench/swarm/swarm.hpp"
#include "test_support.hpp"

namespace swarmbench::test {

/// A whole-swarm test, run once per backend (skipped, with the reason, where
/// the backend cannot run), with a fresh directory for data and results.
class swarm_backend_test : public ::testing::TestWithParam<backend_kind> {
protected:
    void SetUp() override {
        std::string why;
        if (!backend_available(GetParam(), &why)) GTEST_SKIP() << to_string(GetParam()) << " unavailable here: " << why;
        ASSERT_TRUE(dir_.ok());
    }
    std::filesystem::path data() const { return dir_.path() / "data"; }
    std::filesystem::path out() const { return dir_.path() / "results"; }

    temp_dir dir_;  // data and results of the test's run
};

/// A small swarm: odd total size and several files, so blocks and pieces
/// straddle file boundaries.
inline swarm_scenario small_scenario(backend_kind kind, const std::filesystem::path& data) {
    swarm_scenario sc;
    sc.torrent_size = (48ULL << 20) + 12345;
    sc.piece_size = 256 * 1024;
    sc.file_count = 5;
    sc.seeders = 2;
    sc.leechers = 3;
    sc.connections_per_leecher = 8;
    sc.backend = kind;
    sc.threads = 2;
    sc.data_dir = data.string();
    sc.timeout_s = 120;
    return sc;
}

/// Every file of every leecher equals the synthetic content. Returns the
/// number of files checked; reports the first difference.
inline std::size_t verify_leechers(const swarm_scenario& sc, const std::filesystem::path& data) {
    bt::synthetic_spec spec;
    spec.seed = sc.content_seed;
    spec.total_size = sc.torrent_size;
    spec.piece_size = sc.piece_size;
    spec.file_count = sc.file_count;
    auto t = bt::make_synthetic_torrent(spec);
    EXPECT_TRUE(t.ok());
    if (!t) return 0;
    std::size_t checked = 0;
    for (std::uint32_t l = 1; l <= sc.leechers; ++l) {
        char name[32];
        std::snprintf(name, sizeof name, "leecher-%02u", l);
        for (const bt::torrent_file& f : t->files()) {
            const std::filesystem::path p = data / name / f.relative_path();
            std::ifstream in(p, std::ios::binary);
            EXPECT_TRUE(in) << "missing " << p;
            std::vector<std::byte> bytes(f.length);
            in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
            EXPECT_EQ(static_cast<std::uint64_t>(in.gcount()), f.length) << p;
            EXPECT_TRUE(bt::synthetic_matches(sc.content_seed, f.offset, bytes)) << p << " differs from the content";
            ++checked;
        }
    }
    return checked;
}

/// Runs `sc` with a results folder in `out`, stopping it if it runs past
/// `limit` (so a hung swarm fails the test instead of blocking it).
/// `controls` (optional) steers it; `on_sample` sees every sample.
inline results run_bounded(const swarm_scenario& sc, const std::filesystem::path& out,
                           std::function<void(const swarm_sample&)> on_sample = {},
                           std::chrono::seconds limit = std::chrono::seconds(120),
                           swarm_controls* controls = nullptr) {
    std::atomic<bool> stop{false};
    swarm_hooks hooks;
    hooks.run.stop = &stop;
    hooks.output_dir = out;
    hooks.controls = controls;
    const auto deadline = std::chrono::steady_clock::now() + limit;
    hooks.on_sample = [&](const swarm_sample& s) {
        if (std::chrono::steady_clock::now() > deadline) {
            ADD_FAILURE() << "swarm still running after " << limit.count() << " s; stopping it";
            stop = true;
        }
        if (on_sample) on_sample(s);
    };
    return run_swarm(sc, hooks);
}

inline std::string all_errors(const results& r) {
    std::string s;
    for (const auto& m : r.summary.error_messages) s += m + "\n";
    return s;
}

/// The results folder parses and says what the run returned.
inline void expect_folder(const std::filesystem::path& out, const results& r) {
    auto loaded = load_results(out);
    ASSERT_TRUE(loaded.ok()) << loaded.error();
    ASSERT_TRUE(loaded->document.is_object());
    EXPECT_EQ(loaded->document["summary"]["status"], r.summary.status);
    EXPECT_EQ(loaded->document["config"]["mode"], "swarm");
    EXPECT_EQ(loaded->document["peers"].size(), r.peers.size());
    EXPECT_EQ(loaded->document["events"].size(), r.events.size());
    EXPECT_EQ(loaded->rows(), r.series.size());
    EXPECT_EQ(loaded->series.count("goodput_bps"), 1u);
}

}  // namespace swarmbench::test
