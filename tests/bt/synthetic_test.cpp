// synthetic content and SHA-1: determinism, random access, the torrent builder.
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstring>
#include <limits>
#include <vector>

#include <fmt/format.h>

#include "swarmbench/bt/sha1.hpp"
#include "swarmbench/bt/synthetic.hpp"

namespace bt = swarmbench::bt;

namespace {

std::vector<std::byte> fill(std::uint64_t seed, std::uint64_t offset, std::size_t n) {
    std::vector<std::byte> v(n);
    bt::synthetic_fill(seed, offset, v);
    return v;
}

}  // namespace

TEST(Sha1, KnownVectorsAndIncremental) {
    EXPECT_EQ(bt::to_hex(bt::sha1_of("abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
    EXPECT_EQ(bt::to_hex(bt::sha1_of("")), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    bt::sha1 h;
    h.update("a");
    h.update("");
    h.update("bc");
    EXPECT_EQ(bt::to_hex(h.finish()), "a9993e364706816aba3e25717850c26c9cd0d89d");
    // finish() resets for the next message; a moved-to object keeps working.
    h.update("abc");
    bt::sha1 moved = std::move(h);
    EXPECT_EQ(bt::to_hex(moved.finish()), "a9993e364706816aba3e25717850c26c9cd0d89d");
}

TEST(Synthetic, DeterministicAndSeedDependent) {
    EXPECT_EQ(fill(7, 0, 4096), fill(7, 0, 4096));
    EXPECT_NE(fill(7, 0, 4096), fill(8, 0, 4096));
    EXPECT_NE(fill(7, 0, 64), fill(7, 64, 64));
    // Not trivially zero or repeating.
    const auto v = fill(0, 0, 1 << 16);
    std::size_t zeros = 0;
    for (std::byte b : v) zeros += b == std::byte{0};
    EXPECT_LT(zeros, v.size() / 128);
}

TEST(Synthetic, ContentFormatIsPinned) {
    // Other tools (gen-data, earlier results) rely on the exact bytes; a
    // change to the generator must be deliberate.
    std::array<std::byte, 16> b{};
    bt::synthetic_fill(1, 0, b);
    std::string hex;
    for (std::byte x : b) hex += fmt::format("{:02x}", static_cast<unsigned>(x));
    EXPECT_EQ(hex, "352bb49b0631d02aeacce4f97183fd85");
}

TEST(Synthetic, RandomAccessMatchesSequentialStream) {
    const std::uint64_t base = (3ull << 30) + 5;  // beyond 32-bit offsets
    const auto whole = fill(42, base, 10000);
    std::uint64_t state = 1;
    for (int i = 0; i < 500; ++i) {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        const std::size_t off = (state >> 33) % 10000;
        const std::size_t len = std::min<std::size_t>((state >> 13) % 300, 10000 - off);
        const auto part = fill(42, base + off, len);
        ASSERT_EQ(0, std::memcmp(part.data(), whole.data() + off, len)) << "off " << off << " len " << len;
        EXPECT_TRUE(bt::synthetic_matches(42, base + off, part));
    }
    auto corrupt = fill(42, base, 9000);
    corrupt[8999] ^= std::byte{1};
    EXPECT_FALSE(bt::synthetic_matches(42, base, corrupt));
    EXPECT_TRUE(bt::synthetic_matches(42, base, std::span<const std::byte>()));
}

TEST(Synthetic, HashMatchesContent) {
    const auto data = fill(9, 12345, 100000);
    EXPECT_EQ(bt::synthetic_hash(9, 12345, 100000), bt::sha1_of(data));
}

TEST(Synthetic, BuildsMultiFileTorrentWithCorrectHashes) {
    bt::synthetic_spec s;
    s.seed = 3;
    s.total_size = 10 * 16384 + 1000;
    s.piece_size = 16384;
    s.file_count = 3;
    s.name = "synth";
    auto t = bt::make_synthetic_torrent(s);
    ASSERT_TRUE(t.ok()) << t.error();
    EXPECT_TRUE(t->multi_file());
    EXPECT_EQ(t->piece_count(), 11u);
    ASSERT_EQ(t->files().size(), 3u);
    // 164840 = 3 * 54946 + 2: the first two files get one byte more.
    EXPECT_EQ(t->files()[0].length, 54947u);
    EXPECT_EQ(t->files()[1].length, 54947u);
    EXPECT_EQ(t->files()[2].length, 54946u);
    EXPECT_EQ(t->files()[1].relative_path(), "synth/file-0001.bin");
    for (std::uint32_t p = 0; p < t->piece_count(); ++p) {
        const auto data = fill(3, t->geometry().piece_offset(p), t->piece_size(p));
        EXPECT_EQ(t->piece_hash(p), bt::sha1_of(data)) << "piece " << p;
    }
    // Same spec, same torrent.
    auto again = bt::make_synthetic_torrent(s);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->info_hash(), t->info_hash());
    s.seed = 4;
    EXPECT_NE(bt::make_synthetic_torrent(s)->info_hash(), t->info_hash());
}

TEST(Synthetic, ContentSeedRidesOutsideTheInfoDictionaryForAnySeed) {
    bt::synthetic_spec s;
    s.total_size = 3 * 16384 + 5;
    s.piece_size = 16384;
    for (const std::uint64_t seed : {std::uint64_t{0}, std::uint64_t{7}, std::uint64_t{1} << 63,
                                     std::numeric_limits<std::uint64_t>::max()}) {
        s.seed = seed;
        auto t = bt::make_synthetic_torrent(s);
        ASSERT_TRUE(t.ok()) << t.error();
        EXPECT_EQ(t->content_seed(), seed);
        auto back = bt::torrent::parse(t->encode());
        ASSERT_TRUE(back.ok()) << "seed " << seed << ": " << back.error();
        EXPECT_EQ(back->content_seed(), seed);
        EXPECT_EQ(back->info_hash(), t->info_hash());
        EXPECT_EQ(back->encode(), t->encode());
        // Without the seed: the same info-hash, and nothing claims synthetic content.
        bt::torrent plain = t.value();
        plain.set_content_seed(std::nullopt);
        auto plain_back = bt::torrent::parse(plain.encode());
        ASSERT_TRUE(plain_back.ok());
        EXPECT_EQ(plain_back->content_seed(), std::nullopt);
        EXPECT_EQ(plain_back->info_hash(), t->info_hash());
    }
}

TEST(Synthetic, SingleFileAndErrors) {
    bt::synthetic_spec s;
    s.total_size = 1 << 20;
    s.piece_size = 1 << 18;
    auto t = bt::make_synthetic_torrent(s);
    ASSERT_TRUE(t.ok()) << t.error();
    EXPECT_FALSE(t->multi_file());
    EXPECT_EQ(t->files()[0].relative_path(), "swarmbench-synthetic");

    s.piece_size = 20000;
    EXPECT_EQ(bt::make_synthetic_torrent(s).error(),
              "synthetic: piece_size 20000 must be a power of two between 16384 and 268435456");
    s.piece_size = 1 << 18;
    s.total_size = 0;
    EXPECT_EQ(bt::make_synthetic_torrent(s).error(), "synthetic: total_size must be > 0");
    s.total_size = 1 << 20;
    s.file_count = 2;
    s.file_pattern = "same.bin";
    EXPECT_EQ(bt::make_synthetic_torrent(s).error(),
              "synthetic: torrent: file path \"swarmbench-synthetic/same.bin\" appears twice");
    s.file_pattern = "../x{}";
    EXPECT_EQ(bt::make_synthetic_torrent(s).error(),
              "synthetic: torrent: files[0].path: path component \"../x0\" contains a path separator");
    s.file_pattern = "f{:q}";
    EXPECT_NE(bt::make_synthetic_torrent(s).error().find("synthetic: file_pattern \"f{:q}\""),
              std::string::npos);
}

// Run by hand (Release build) to measure the builder:
//   swarmbench_bt_tests --gtest_also_run_disabled_tests --gtest_filter='*Build1GiB*'
TEST(Synthetic, DISABLED_Build1GiB) {
    bt::synthetic_spec s;
    s.total_size = 1ull << 30;
    s.piece_size = 1 << 18;
    s.file_count = 4;
    const auto t0 = std::chrono::steady_clock::now();
    auto t = bt::make_synthetic_torrent(s);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ASSERT_TRUE(t.ok()) << t.error();
    std::vector<std::byte> buf(1 << 20);
    const auto g0 = std::chrono::steady_clock::now();
    for (std::uint64_t off = 0; off < s.total_size; off += buf.size()) bt::synthetic_fill(1, off, buf);
    const double gen = std::chrono::duration<double>(std::chrono::steady_clock::now() - g0).count();
    std::printf("1 GiB synthetic torrent (%u pieces): built in %.3f s (%.2f GB/s); generation alone %.3f s (%.2f GB/s)\n",
                t->piece_count(), secs, 1.073741824 / secs, gen, 1.073741824 / gen);
}
