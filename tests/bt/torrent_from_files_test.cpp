// torrent_from_files: torrents made from real files and directories: the
// file list, order and lengths, piece hashes checked against an independent
// hash of the concatenated bytes, verification of the same folder, refusals.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "swarmbench/bt/content_files.hpp"
#include "swarmbench/bt/sha1.hpp"
#include "swarmbench/bt/synthetic.hpp"
#include "swarmbench/bt/torrent_from_files.hpp"
#include "bt_temp_dir.hpp"

namespace bt = swarmbench::bt;
namespace fs = std::filesystem;

namespace {

using swarmbench::bt_test::temp_dir;

/// Writes `length` bytes of the synthetic stream `seed` to `p` (creating
/// parents) and returns them.
std::string write_file(const fs::path& p, std::uint64_t length, std::uint64_t seed) {
    fs::create_directories(p.parent_path());
    std::string bytes(length, '\0');
    bt::synthetic_fill(seed, 0, std::as_writable_bytes(std::span(bytes.data(), bytes.size())));
    std::ofstream(p, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return bytes;
}

bt::from_files_spec spec_with(std::uint32_t piece, unsigned threads = 2) {
    bt::from_files_spec s;
    s.piece_size = piece;
    s.hooks.threads = threads;
    return s;
}

}  // namespace

TEST(TorrentFromFiles, DirectoryOfOddSizesNestedAndSorted) {
    temp_dir d;
    const fs::path root = d.path() / "album";
    // Written out of order; the torrent lists them by relative path,
    // component by component: ".hidden" < "a.bin" < "empty" < "one" <
    // "sub/deeper/x" < "sub/y" ("sub" sorts as a whole before "sub.txt").
    struct want_file {
        std::vector<std::string> path;
        std::uint64_t length;
    };
    const std::vector<want_file> want{{{".hidden"}, 17},        {{"a.bin"}, 300001},    {{"empty"}, 0},
                                      {{"one"}, 1},             {{"sub", "deeper", "x"}, 5000},
                                      {{"sub", "y"}, 70000},    {{"sub.txt"}, 3}};
    std::vector<std::string> contents(want.size());
    for (std::size_t i : {5u, 3u, 0u, 6u, 1u, 4u, 2u}) {
        fs::path p = root;
        for (const std::string& c : want[i].path) p /= c;
        contents[i] = write_file(p, want[i].length, 100 + i);
    }
    fs::create_directories(root / "nothing" / "here");  // empty directories leave no trace

    auto t = bt::make_torrent_from_path(root, spec_with(64 * 1024, 3));
    ASSERT_TRUE(t) << t.error();
    EXPECT_EQ(t->name(), "album");
    EXPECT_TRUE(t->multi_file());
    EXPECT_FALSE(t->content_seed());
    ASSERT_EQ(t->files().size(), want.size());
    std::uint64_t offset = 0;
    for (std::size_t i = 0; i < want.size(); ++i) {
        std::vector<std::string> path{"album"};
        path.insert(path.end(), want[i].path.begin(), want[i].path.end());
        EXPECT_EQ(t->files()[i].path, path) << "file " << i;
        EXPECT_EQ(t->files()[i].length, want[i].length) << "file " << i;
        EXPECT_EQ(t->files()[i].offset, offset) << "file " << i;
        offset += want[i].length;
    }
    EXPECT_EQ(t->total_length(), offset);
    EXPECT_EQ(t->piece_length(), 64u * 1024);
    EXPECT_EQ(t->piece_count(), (offset + 65535) / 65536);

    // Independent check: SHA-1 of each piece of the concatenated bytes.
    std::string all;
    for (const std::string& c : contents) all += c;
    for (std::uint32_t p = 0; p < t->piece_count(); ++p)
        EXPECT_EQ(t->piece_hash(p), bt::sha1_of(std::string_view(all).substr(std::uint64_t{p} * 65536, t->piece_size(p))))
            << "piece " << p;

    // The folder it came from verifies; the .torrent round-trips.
    auto r = bt::verify_content(t.value(), d.path());
    ASSERT_TRUE(r) << r.error();
    EXPECT_TRUE(r->ok());
    auto parsed = bt::torrent::parse(t->encode());
    ASSERT_TRUE(parsed) << parsed.error();
    EXPECT_EQ(parsed->info_hash(), t->info_hash());
    EXPECT_FALSE(parsed->content_seed());

    // One thread or several, a trailing separator or not: the same torrent.
    auto one = bt::make_torrent_from_path(root / "", spec_with(64 * 1024, 1));
    ASSERT_TRUE(one) << one.error();
    EXPECT_EQ(one->name(), "album");
    EXPECT_EQ(one->info_hash(), t->info_hash());

    // A changed byte is found in the right piece: "sub/deeper/x" starts at
    // 17 + 300001 + 0 + 1 = 300019, so its byte 4000 is stream byte 304019.
    {
        std::fstream f(root / "sub" / "deeper" / "x", std::ios::binary | std::ios::in | std::ios::out);
        f.seekp(4000);
        f.put(static_cast<char>(contents[4][4000] ^ 1));
    }
    r = bt::verify_content(t.value(), d.path());
    ASSERT_TRUE(r) << r.error();
    ASSERT_TRUE(r->first_bad_piece);
    EXPECT_EQ(*r->first_bad_piece, 304019u / 65536);
    EXPECT_EQ(r->bad_pieces, 1u);
}

TEST(TorrentFromFiles, SingleFileAndName) {
    temp_dir d;
    const std::string bytes = write_file(d.path() / "data.bin", 100000, 1);
    auto t = bt::make_torrent_from_path(d.path() / "data.bin", spec_with(16 * 1024));
    ASSERT_TRUE(t) << t.error();
    EXPECT_FALSE(t->multi_file());
    EXPECT_EQ(t->name(), "data.bin");
    ASSERT_EQ(t->files().size(), 1u);
    EXPECT_EQ(t->files()[0].path, std::vector<std::string>{"data.bin"});
    EXPECT_EQ(t->total_length(), 100000u);
    EXPECT_EQ(t->piece_count(), 7u);
    EXPECT_EQ(t->piece_hash(6), bt::sha1_of(std::string_view(bytes).substr(6 * 16384)));
    auto r = bt::verify_content(t.value(), d.path());
    ASSERT_TRUE(r) << r.error();
    EXPECT_TRUE(r->ok());

    // A given name and announce; the info-hash depends on the name.
    bt::from_files_spec spec = spec_with(16 * 1024);
    spec.name = "renamed.bin";
    spec.announce = "http://127.0.0.1:6969/announce";
    auto named = bt::make_torrent_from_path(d.path() / "data.bin", spec);
    ASSERT_TRUE(named) << named.error();
    EXPECT_EQ(named->name(), "renamed.bin");
    EXPECT_EQ(named->announce(), spec.announce);
    EXPECT_NE(named->info_hash(), t->info_hash());
    spec.name = "..";
    auto bad = bt::make_torrent_from_path(d.path() / "data.bin", spec);
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().find("name: path component \"..\" is not allowed"), std::string::npos) << bad.error();
}

TEST(TorrentFromFiles, RefusesWhatItCannotShare) {
    temp_dir d;
    auto expect_error = [](const bt::result<bt::torrent>& t, const std::string& part) {
        ASSERT_FALSE(t) << "expected an error containing: " << part;
        EXPECT_NE(t.error().find(part), std::string::npos) << t.error();
    };
    expect_error(bt::make_torrent_from_path(d.path() / "nope", spec_with(16384)), "nope: no such file or directory");

    fs::create_directories(d.path() / "hollow" / "a" / "b");
    expect_error(bt::make_torrent_from_path(d.path() / "hollow", spec_with(16384)), "holds no files");

    write_file(d.path() / "zeros" / "x", 0, 1);
    write_file(d.path() / "zeros" / "y" / "z", 0, 1);
    expect_error(bt::make_torrent_from_path(d.path() / "zeros", spec_with(16384)), "no data to share (0 bytes in 2 files)");
    write_file(d.path() / "empty.bin", 0, 1);
    expect_error(bt::make_torrent_from_path(d.path() / "empty.bin", spec_with(16384)), "no data to share");

    write_file(d.path() / "ok" / "f", 1000, 1);
    for (std::uint32_t piece : {0u, 8192u, 24576u, 128u << 20})
        expect_error(bt::make_torrent_from_path(d.path() / "ok", spec_with(piece)),
                     "must be a power of two between 16384 and 67108864");
    EXPECT_TRUE(bt::make_torrent_from_path(d.path() / "ok", spec_with(64u << 20)));

    std::atomic<bool> stop{true};
    bt::from_files_spec stopped = spec_with(16384);
    stopped.hooks.stop = &stop;
    expect_error(bt::make_torrent_from_path(d.path() / "ok", stopped), "interrupted");
}

TEST(TorrentFromFiles, SymlinkInsideIsAnErrorNamingIt) {
    temp_dir d;
    write_file(d.path() / "tree" / "real", 1000, 1);
    std::error_code ec;
    fs::create_symlink("real", d.path() / "tree" / "link", ec);
    if (ec) GTEST_SKIP() << "cannot create a symlink here: " << ec.message();
    auto t = bt::make_torrent_from_path(d.path() / "tree", spec_with(16384));
    ASSERT_FALSE(t);
    EXPECT_NE(t.error().find("link: is a symbolic link"), std::string::npos) << t.error();
    // The path given may itself be a link: it is followed.
    fs::create_directory_symlink(d.path() / "tree", d.path() / "alias", ec);
    ASSERT_FALSE(ec) << ec.message();
    fs::remove(d.path() / "tree" / "link");
    auto via = bt::make_torrent_from_path(d.path() / "alias", spec_with(16384));
    ASSERT_TRUE(via) << via.error();
    EXPECT_EQ(via->name(), "alias");
    EXPECT_EQ(via->total_length(), 1000u);
}

TEST(TorrentFromFiles, UnsafeComponentIsAnErrorNamingThePath) {
    temp_dir d;
    write_file(d.path() / "tree" / "fine", 10, 1);
    // A name Linux allows but a torrent may not carry (Windows would read a
    // drive or stream name into it).
    write_file(d.path() / "tree" / "sub" / "bad:name", 10, 1);
    bool created = false;
    for (const auto& e : fs::directory_iterator(d.path() / "tree" / "sub"))
        created = created || e.path().filename() == "bad:name";
    if (!created) GTEST_SKIP() << "this file system cannot hold the name 'bad:name'";
    auto t = bt::make_torrent_from_path(d.path() / "tree", spec_with(16384));
    ASSERT_FALSE(t);
    EXPECT_NE(t.error().find("bad:name: path component \"bad:name\" contains ':'"), std::string::npos) << t.error();
}
