// torrent: metainfo round trips, info-hash, layout, path safety.
#include <gtest/gtest.h>

#include <string>

#include "swarmbench/bt/torrent.hpp"

namespace bt = swarmbench::bt;

namespace {

// A single-file info dictionary: 100000 bytes in 16 KiB pieces (7 hashes).
std::string single_info() {
    std::string pieces;
    for (int i = 0; i < 140; ++i) pieces.push_back(static_cast<char>(i));
    return "d6:lengthi100000e4:name8:data.bin12:piece lengthi16384e6:pieces140:" + pieces + "e";
}

std::vector<bt::sha1_hash> fake_hashes(std::size_t n) {
    std::vector<bt::sha1_hash> h(n);
    for (std::size_t i = 0; i < n; ++i) h[i].fill(static_cast<std::uint8_t>(i));
    return h;
}

bt::torrent_spec multi_spec() {
    bt::torrent_spec s;
    s.name = "album";
    s.announce = "http://tracker.invalid/announce";
    s.piece_length = 16384;
    s.files = {{{"a.bin"}, 10000}, {{"sub", "b.bin"}, 0}, {{"sub", "c.bin"}, 30000}, {{"d.bin"}, 5}};
    s.piece_hashes = fake_hashes(3);  // 40005 bytes -> 3 pieces
    return s;
}

std::string error_of_info(const std::string& info) {
    auto t = bt::torrent::parse("d4:info" + info + "e");
    EXPECT_FALSE(t.ok());
    return t.ok() ? std::string() : t.error();
}

}  // namespace

TEST(Torrent, InfoHashMatchesKnownValue) {
    // Expected value from: python3 -c "import hashlib; print(hashlib.sha1(<same bytes>).hexdigest())"
    auto t = bt::torrent::parse("d8:announce3:url4:info" + single_info() + "e");
    ASSERT_TRUE(t.ok()) << t.error();
    EXPECT_EQ(t->info_hash_hex(), "0d3921c5a4cbddc2e6b6c90c1dadecdf34547948");
    EXPECT_EQ(t->announce(), "url");
    EXPECT_EQ(t->name(), "data.bin");
    EXPECT_FALSE(t->multi_file());
    EXPECT_EQ(t->total_length(), 100000u);
    EXPECT_EQ(t->piece_count(), 7u);
    EXPECT_EQ(t->piece_size(6), 100000u - 6 * 16384);
    EXPECT_EQ(t->piece_size(7), 0u);
    EXPECT_EQ(t->piece_hash(1)[0], 20);
    ASSERT_EQ(t->files().size(), 1u);
    EXPECT_EQ(t->files()[0].relative_path(), "data.bin");
}

TEST(Torrent, SingleFileRoundTrip) {
    bt::torrent_spec s;
    s.name = "one.iso";
    s.piece_length = 32768;
    s.multi_file = false;
    s.files = {{{}, 65537}};
    s.piece_hashes = fake_hashes(3);
    auto t = bt::torrent::make(s);
    ASSERT_TRUE(t.ok()) << t.error();
    const std::string bytes = t->encode();
    auto back = bt::torrent::parse(bytes);
    ASSERT_TRUE(back.ok()) << back.error();
    EXPECT_EQ(back->info_hash(), t->info_hash());
    EXPECT_EQ(back->encode(), bytes);
    EXPECT_EQ(back->total_length(), 65537u);
    EXPECT_EQ(back->announce(), "");
    EXPECT_EQ(back->files()[0].relative_path(), "one.iso");
}

TEST(Torrent, MultiFileRoundTripAndLayout) {
    auto t = bt::torrent::make(multi_spec());
    ASSERT_TRUE(t.ok()) << t.error();
    auto back = bt::torrent::parse(t->encode());
    ASSERT_TRUE(back.ok()) << back.error();
    EXPECT_EQ(back->info_hash(), t->info_hash());
    EXPECT_EQ(back->announce(), "http://tracker.invalid/announce");
    ASSERT_EQ(back->files().size(), 4u);
    EXPECT_EQ(back->files()[2].relative_path(), "album/sub/c.bin");
    EXPECT_EQ(back->files()[2].offset, 10000u);
    EXPECT_EQ(back->files()[3].offset, 40000u);
    EXPECT_EQ(back->total_length(), 40005u);
    // Unknown keys in info survive (the info-hash covers them).
    std::string info = back->info_bytes();
    info.insert(info.size() - 1, "7:privatei1e");
    auto with_private = bt::torrent::parse("d4:info" + info + "e");
    ASSERT_TRUE(with_private.ok()) << with_private.error();
    EXPECT_EQ(with_private->info_bytes(), info);
    EXPECT_NE(with_private->info_hash(), t->info_hash());
}

TEST(Torrent, BlockSpanningTwoFilesIsSplit) {
    auto t = bt::torrent::make(multi_spec());
    ASSERT_TRUE(t.ok()) << t.error();
    std::vector<bt::file_segment> seg;
    // Piece 0, bytes [8192, 16384): 1808 bytes of a.bin, the empty b.bin
    // skipped, then 6384 bytes of c.bin.
    ASSERT_TRUE(t->map_span(0, 8192, 8192, seg));
    ASSERT_EQ(seg.size(), 2u);
    EXPECT_EQ(seg[0].file, 0u);
    EXPECT_EQ(seg[0].file_offset, 8192u);
    EXPECT_EQ(seg[0].length, 1808u);
    EXPECT_EQ(seg[0].block_offset, 0u);
    EXPECT_EQ(seg[1].file, 2u);
    EXPECT_EQ(seg[1].file_offset, 0u);
    EXPECT_EQ(seg[1].length, 6384u);
    EXPECT_EQ(seg[1].block_offset, 1808u);
    // The short last piece (40005 - 32768 = 7237 bytes) ends in d.bin.
    ASSERT_TRUE(t->map_span(2, 0, 7237, seg));
    ASSERT_EQ(seg.size(), 2u);
    EXPECT_EQ(seg[0].file, 2u);
    EXPECT_EQ(seg[0].file_offset, 32768u - 10000u);
    EXPECT_EQ(seg[0].length, 7232u);
    EXPECT_EQ(seg[1].file, 3u);
    EXPECT_EQ(seg[1].length, 5u);
    EXPECT_EQ(seg[1].block_offset, 7232u);
    // Within one file.
    ASSERT_TRUE(t->map_span(1, 0, 100, seg));
    ASSERT_EQ(seg.size(), 1u);
    EXPECT_EQ(seg[0].file, 2u);
    EXPECT_EQ(seg[0].file_offset, 16384u - 10000u);
    // Outside the piece.
    EXPECT_FALSE(t->map_span(2, 7000, 238, seg));
    EXPECT_FALSE(t->map_span(3, 0, 1, seg));
    EXPECT_EQ(t->file_at(10000), 2u);
    EXPECT_EQ(t->file_at(9999), 0u);
}

TEST(Torrent, ValidationErrorsNameTheProblem) {
    const std::string pieces140 = "6:pieces140:" + std::string(140, 'x');
    EXPECT_EQ(error_of_info("d6:lengthi100000e4:name1:a12:piece lengthi16000e" + pieces140 + "e"),
              "torrent: piece length 16000 must be a power of two between 16384 and 268435456");
    EXPECT_EQ(error_of_info("d6:lengthi100000e4:name1:a12:piece lengthi8192e" + pieces140 + "e"),
              "torrent: piece length 8192 must be a power of two between 16384 and 268435456");
    EXPECT_EQ(error_of_info("d6:lengthi100000e4:name1:a12:piece lengthi16384e6:pieces21:" +
                            std::string(21, 'x') + "e"),
              "torrent: 'pieces' length 21 is not a multiple of 20");
    EXPECT_EQ(error_of_info("d6:lengthi100000e4:name1:a12:piece lengthi16384e6:pieces20:" +
                            std::string(20, 'x') + "e"),
              "torrent: 1 piece hashes for 7 pieces (100000 bytes in pieces of 16384)");
    EXPECT_EQ(error_of_info("d6:lengthi0e4:name1:a12:piece lengthi16384e6:pieces0:e"),
              "torrent: total length is 0");
    EXPECT_EQ(error_of_info("d6:lengthi-5e4:name1:a12:piece lengthi16384e6:pieces0:e"),
              "torrent: 'length' is not a non-negative integer");
    EXPECT_EQ(error_of_info("d4:name1:a12:piece lengthi16384e6:pieces0:e"),
              "torrent: info has neither 'length' nor 'files'");
    EXPECT_EQ(error_of_info("d6:lengthi1e12:piece lengthi16384e6:pieces0:e"),
              "torrent: info has no 'name' string");
    EXPECT_EQ(error_of_info("d5:filesle4:name1:a12:piece lengthi16384e6:pieces0:e"),
              "torrent: 'files' is empty");
    EXPECT_EQ(bt::torrent::parse("d4:infoi1ee").error(), "torrent: 'info' is not a dictionary");
    EXPECT_EQ(bt::torrent::parse("le").error(), "torrent: top level is not a dictionary");
    EXPECT_EQ(bt::torrent::parse("d4:infod").error(), "bencode: unterminated dictionary at offset 8");
}

TEST(Torrent, PathEscapingTorrentsAreRefused) {
    auto files_info = [](const std::string& path_list) {
        return "d5:filesld6:lengthi1e4:path" + path_list +
               "ee4:name3:dir12:piece lengthi16384e6:pieces20:" + std::string(20, 'x') + "e";
    };
    EXPECT_EQ(error_of_info(files_info("l2:..6:passwde")),
              "torrent: files[0].path: path component \"..\" is not allowed");
    EXPECT_EQ(error_of_info(files_info("l1:.e")),
              "torrent: files[0].path: path component \".\" is not allowed");
    EXPECT_EQ(error_of_info(files_info("l0:e")), "torrent: files[0].path: empty path component");
    EXPECT_EQ(error_of_info(files_info("le")), "torrent: files[0] has no 'path' list");
    EXPECT_EQ(error_of_info(files_info("l11:/etc/passwde")),
              "torrent: files[0].path: path component \"/etc/passwd\" contains a path separator");
    EXPECT_EQ(error_of_info(files_info("l7:..\\..\\x" "e")),
              "torrent: files[0].path: path component \"..\\x5c..\\x5cx\" contains a path separator");
    EXPECT_EQ(error_of_info(files_info("l4:C:\\x" "e")),
              "torrent: files[0].path: path component \"C:\\x5cx\" contains a path separator");
    EXPECT_EQ(error_of_info(files_info("l3:C:xe")),
              "torrent: files[0].path: path component \"C:x\" contains ':' (drive or stream name)");
    EXPECT_EQ(error_of_info(files_info(std::string("l3:a\0be", 7))),
              "torrent: files[0].path: path component \"a\\x00b\" contains a NUL byte");
    EXPECT_EQ(error_of_info(files_info("l3:CONe")),
              "torrent: files[0].path: path component \"CON\" is a reserved device name on Windows");
    EXPECT_EQ(error_of_info(files_info("l8:com1.txte")),
              "torrent: files[0].path: path component \"com1.txt\" is a reserved device name on Windows");
    EXPECT_EQ(error_of_info(files_info("l3:nule")),
              "torrent: files[0].path: path component \"nul\" is a reserved device name on Windows");
    // The torrent name is a path component too.
    EXPECT_EQ(error_of_info("d6:lengthi1e4:name2:..12:piece lengthi16384e6:pieces20:" +
                            std::string(20, 'x') + "e"),
              "torrent: name: path component \"..\" is not allowed");
    // Two files with one path, or a file used as a directory.
    auto two = [](const std::string& a, const std::string& b) {
        return "d5:filesld6:lengthi1e4:path" + a + "ed6:lengthi1e4:path" + b +
               "ee4:name3:dir12:piece lengthi16384e6:pieces20:" + std::string(20, 'x') + "e";
    };
    EXPECT_EQ(error_of_info(two("l1:ae", "l1:ae")), "torrent: file path \"dir/a\" appears twice");
    EXPECT_EQ(error_of_info(two("l1:ae", "l1:a1:be")),
              "torrent: file path \"dir/a\" is also used as a directory");
    // Ordinary names pass.
    EXPECT_FALSE(bt::check_path_component("console.log"));
    EXPECT_FALSE(bt::check_path_component("COM10"));
    EXPECT_FALSE(bt::check_path_component("..hidden"));
    EXPECT_FALSE(bt::check_path_component("\xc3\xa9t\xc3\xa9.mp3"));
}

TEST(Torrent, SafeJoinStaysInsideOutputDirectory) {
    const std::vector<std::string> ok = {"album", "sub", "c.bin"};
    auto p = bt::safe_join("/tmp/out/../out", ok);
    ASSERT_TRUE(p.ok()) << p.error();
    EXPECT_EQ(p->generic_string(), "/tmp/out/album/sub/c.bin");
    auto rel = bt::safe_join("out", ok);
    ASSERT_TRUE(rel.ok());
    EXPECT_EQ(rel->generic_string(), "out/album/sub/c.bin");
    const std::vector<std::string> up = {"a", "..", "..", "etc"};
    EXPECT_EQ(bt::safe_join("/tmp/out", up).error(), "path component \"..\" is not allowed");
    const std::vector<std::string> abs = {"/etc/passwd"};
    EXPECT_EQ(bt::safe_join("/tmp/out", abs).error(),
              "path component \"/etc/passwd\" contains a path separator");
    EXPECT_EQ(bt::safe_join("/tmp/out", {}).error(), "empty file path");
}

TEST(Torrent, MutatedTorrentsNeverCrash) {
    // Flip, drop and insert bytes of a valid multi-file torrent: every
    // variant is either accepted (and then survives a round trip) or refused
    // with a message. (Unknown top-level keys are not kept by encode(); the
    // info dictionary, and so the info-hash, always is.)
    const std::string good = bt::torrent::make(multi_spec())->encode();
    std::uint64_t state = 7;
    auto next = [&state] {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        return static_cast<std::size_t>(state >> 33);
    };
    int accepted = 0;
    for (int i = 0; i < 3000; ++i) {
        std::string s = good;
        for (int k = 0, edits = 1 + static_cast<int>(next() % 3); k < edits; ++k) {
            const std::size_t at = next() % s.size();
            switch (next() % 3) {
            case 0: s[at] = static_cast<char>(next()); break;
            case 1: s.erase(at, 1 + next() % 4); break;
            default: s.insert(at, 1, "0123456789:deil-"[next() % 16]); break;
            }
            if (s.empty()) s = "d";
        }
        auto t = bt::torrent::parse(s);
        if (t.ok()) {
            ++accepted;
            auto back = bt::torrent::parse(t->encode());
            ASSERT_TRUE(back.ok()) << back.error();
            EXPECT_EQ(back->info_hash(), t->info_hash());
            EXPECT_EQ(back->info_bytes(), t->info_bytes());
        } else {
            EXPECT_FALSE(t.error().empty());
        }
    }
    EXPECT_LT(accepted, 3000);
}
