// progress_text (workloads/progress_text.hpp): the CLI's live line and the
// app's run bar. What a narrower width gives up, in order.
#include <gtest/gtest.h>

#include "swarmbench/workloads/progress_text.hpp"

namespace swarmbench {
namespace {

progress halfway() {
    progress p;
    p.phase = "running";
    p.elapsed_s = 1.0;
    p.bytes = 32ull << 20;
    p.total = 64ull << 20;
    p.rate_bytes_per_s = 16.0 * (1 << 20);
    p.done = 24;
    p.fraction = 0.5;
    return p;
}

TEST(progress_text, the_whole_line_when_it_fits) {
    EXPECT_EQ(progress_text(halfway()),
              "[  1.0 s] running  16 MiB/s (134 Mbit/s)  32 MiB   50.0%  ETA 2 s  24 conns");
}

TEST(progress_text, a_narrow_width_drops_the_bits_first_then_the_least_useful_parts) {
    const progress p = halfway();
    // The rate in bytes only, before anything is left out.
    EXPECT_EQ(progress_text(p, 72), "[  1.0 s] running  16 MiB/s  32 MiB   50.0%  ETA 2 s  24 conns");
    // Then the connections, the byte count, the ETA, the rate.
    EXPECT_EQ(progress_text(p, 60), "[  1.0 s] running  16 MiB/s  32 MiB   50.0%  ETA 2 s");
    EXPECT_EQ(progress_text(p, 48), "[  1.0 s] running  16 MiB/s   50.0%  ETA 2 s");
    EXPECT_EQ(progress_text(p, 40), "[  1.0 s] running  16 MiB/s   50.0%");
    EXPECT_EQ(progress_text(p, 30), "[  1.0 s] running   50.0%");
    // Time, phase and share done stay, cut only when even they do not fit.
    EXPECT_EQ(progress_text(p, 12), "[  1.0 s] ru");
    for (std::size_t w = 1; w <= 90; ++w) EXPECT_LE(progress_text(p, w).size(), w) << w;
}

TEST(progress_text, errors_and_other_phases) {
    progress p = halfway();
    p.errors = 1234;
    EXPECT_EQ(progress_text(p, 40), "[  1.0 s] running   50.0%  1,234 errors");
    progress c;
    c.phase = "connecting";
    c.elapsed_s = 0.25;
    c.duration_s = 3;
    c.done = 12;
    c.total = 1500;
    EXPECT_EQ(progress_text(c), "[  0.2/3.0 s] connecting 12/1,500 established");
    progress w;
    w.phase = "writing";
    w.elapsed_s = 2;
    w.bytes = 1 << 30;
    w.rate_bytes_per_s = 512.0 * (1 << 20);
    w.done = 4096;
    w.total = 65536;
    EXPECT_EQ(progress_text(w), "[  2.0 s] writing  512 MiB/s (4.29 Gbit/s)  1 GiB  4,096/65,536 ops");
}

}  // namespace
}  // namespace swarmbench
