// Whole-swarm faults that only POSIX can provoke (compiled on POSIX only;
// part of swarm_run_test.cpp's suite, which instantiates it per backend).
//
// No Windows counterpart: a full disk is faked with RLIMIT_FSIZE, which
// makes writes past a size fail with EFBIG. Windows has no per-process
// file-size limit, and filling a real volume (or a size-capped VHD, which
// needs administrator rights) is neither quick nor safe in a test.
//
// Thread rules: test thread only (as swarm_run_test.cpp).
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <csignal>
#include <string>

#include "swarm_test_helpers.hpp"
#include "swarmbench/swarm/swarm.hpp"

namespace swarmbench::test {
namespace {

// The fixture of swarm_run_test.cpp (the same type, so gtest merges the suites).
using swarm_run = swarm_backend_test;

TEST_P(swarm_run, disk_full_ends_the_run_with_partial_results) {
    // RLIMIT_FSIZE makes writes past 4 MiB fail with EFBIG, as a full disk
    // fails them with ENOSPC. SIGXFSZ would kill the process: ignore it.
    swarm_scenario sc = small_scenario(GetParam(), data());
    sc.preallocate = false;  // fallocate past the limit would fail at set-up instead
    struct rlimit old {};
    ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old), 0);
    auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
    struct rlimit small = old;
    small.rlim_cur = 4 << 20;
    ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
    const results r = run_bounded(sc, out());
    ::setrlimit(RLIMIT_FSIZE, &old);
    std::signal(SIGXFSZ, old_handler);

    EXPECT_EQ(r.summary.status, "failed");
    const std::string errors = all_errors(r);
    EXPECT_NE(errors.find("File too large"), std::string::npos) << errors;
    EXPECT_NE(errors.find("leecher-"), std::string::npos) << errors;
    EXPECT_NE(errors.find("at offset"), std::string::npos) << errors;
    EXPECT_GT(r.summary.swarm->disk_bytes_written, 0u);
    EXPECT_LT(r.summary.swarm->leechers_complete, sc.leechers);
    EXPECT_GE(r.series.size(), 1u);
    expect_folder(out(), r);
}

}  // namespace
}  // namespace swarmbench::test
