// content_files: synthetic content written as a download folder and read
// back, hashing across file boundaries, mismatches reported as the right
// piece, refusals before anything is written. Real temp directories.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "swarmbench/bt/content_files.hpp"
#include "swarmbench/bt/synthetic.hpp"
#include "bt_temp_dir.hpp"

namespace bt = swarmbench::bt;
namespace fs = std::filesystem;

namespace {

using swarmbench::bt_test::temp_dir;

bt::torrent synthetic(std::uint64_t seed, std::uint64_t size, std::uint32_t piece, std::uint32_t files) {
    bt::synthetic_spec spec;
    spec.seed = seed;
    spec.total_size = size;
    spec.piece_size = piece;
    spec.file_count = files;
    spec.name = "content";
    spec.hash_threads = 2;
    auto t = bt::make_synthetic_torrent(spec);
    if (!t) throw std::runtime_error(t.error());
    return std::move(t.value());
}

std::string read_all(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

void flip_byte(const fs::path& p, std::uint64_t at) {
    std::fstream f(p, std::ios::binary | std::ios::in | std::ios::out);
    ASSERT_TRUE(f) << p;
    f.seekg(static_cast<std::streamoff>(at));
    char c = 0;
    f.read(&c, 1);
    c = static_cast<char>(c ^ 0x5a);
    f.seekp(static_cast<std::streamoff>(at));
    f.write(&c, 1);
    ASSERT_TRUE(f);
}

}  // namespace

TEST(ContentFiles, MultiFileWriteLaysOutTheDownloadFolderAndVerifies) {
    temp_dir d;
    // 3 MiB + 5 bytes in 3 files of 64 KiB pieces: files end mid-piece.
    const std::uint64_t size = (3u << 20) + 5;
    const bt::torrent t = synthetic(42, size, 64 * 1024, 3);
    ASSERT_EQ(t.files().size(), 3u);

    bt::write_options opt;
    ASSERT_EQ(bt::write_synthetic_content(t, d.path(), opt), std::nullopt);
    EXPECT_EQ(bt::content_root(t, d.path()), d.path() / "content");
    std::uint64_t sum = 0;
    for (const bt::torrent_file& f : t.files()) {
        const fs::path p = d.path() / "content" / f.path.back();
        ASSERT_TRUE(fs::is_regular_file(p)) << p;
        ASSERT_EQ(fs::file_size(p), f.length);
        // The bytes are the synthetic stream at the file's offset.
        const std::string bytes = read_all(p);
        EXPECT_TRUE(bt::synthetic_matches(42, f.offset, std::as_bytes(std::span(bytes.data(), bytes.size()))));
        sum += f.length;
    }
    EXPECT_EQ(sum, size);

    auto r = bt::verify_content(t, d.path());
    ASSERT_TRUE(r) << r.error();
    EXPECT_TRUE(r->ok());
    EXPECT_EQ(r->pieces, t.piece_count());
    EXPECT_EQ(r->bad_pieces, 0u);
    EXPECT_FALSE(r->first_bad_piece);
}

TEST(ContentFiles, FlippedByteIsReportedAsItsPiece) {
    temp_dir d;
    const bt::torrent t = synthetic(7, 2u << 20, 32 * 1024, 4);  // 4 files of 512 KiB, 64 pieces
    ASSERT_EQ(bt::write_synthetic_content(t, d.path()), std::nullopt);
    // Byte 100000 of the third file: stream offset 2 * 512 KiB + 100000.
    const bt::torrent_file& f = t.files()[2];
    flip_byte(d.path() / "content" / f.path.back(), 100000);
    const std::uint32_t want = static_cast<std::uint32_t>((f.offset + 100000) / t.piece_length());

    bt::content_hooks hooks;
    hooks.threads = 3;  // several workers: the answer must not depend on who hashed what
    auto r = bt::verify_content(t, d.path(), hooks);
    ASSERT_TRUE(r) << r.error();
    EXPECT_FALSE(r->ok());
    EXPECT_EQ(r->bad_pieces, 1u);
    ASSERT_TRUE(r->first_bad_piece);
    EXPECT_EQ(*r->first_bad_piece, want);
    ASSERT_EQ(r->first_bad_files.size(), 1u);
    EXPECT_EQ(r->first_bad_files[0], f.relative_path());
}

TEST(ContentFiles, BadPieceAcrossAFileBoundaryNamesBothFiles) {
    temp_dir d;
    // 3 files of 100000 bytes in 64 KiB pieces: piece 1 covers files 0 and 1.
    const bt::torrent t = synthetic(3, 300000, 64 * 1024, 3);
    ASSERT_EQ(bt::write_synthetic_content(t, d.path()), std::nullopt);
    flip_byte(d.path() / "content" / t.files()[1].path.back(), 0);  // stream byte 100000: piece 1
    auto r = bt::verify_content(t, d.path());
    ASSERT_TRUE(r) << r.error();
    ASSERT_TRUE(r->first_bad_piece);
    EXPECT_EQ(*r->first_bad_piece, 1u);
    EXPECT_EQ(r->bad_pieces, 1u);
    EXPECT_EQ(r->first_bad_files,
              (std::vector<std::string>{t.files()[0].relative_path(), t.files()[1].relative_path()}));
}

TEST(ContentFiles, SingleFileGoesToDirSlashName) {
    temp_dir d;
    const bt::torrent t = synthetic(9, 100001, 16 * 1024, 1);
    ASSERT_FALSE(t.multi_file());
    ASSERT_EQ(bt::write_synthetic_content(t, d.path() / "new" / "dir"), std::nullopt);  // created
    const fs::path p = d.path() / "new" / "dir" / "content";
    ASSERT_TRUE(fs::is_regular_file(p));
    EXPECT_EQ(fs::file_size(p), 100001u);
    EXPECT_EQ(bt::content_root(t, d.path() / "new" / "dir"), p);
    auto r = bt::verify_content(t, d.path() / "new" / "dir");
    ASSERT_TRUE(r) << r.error();
    EXPECT_TRUE(r->ok());
}

TEST(ContentFiles, ExistingFilesAreRefusedUnlessOverwrite) {
    temp_dir d;
    const bt::torrent t = synthetic(5, 1u << 20, 64 * 1024, 2);
    ASSERT_EQ(bt::write_synthetic_content(t, d.path()), std::nullopt);
    EXPECT_EQ(bt::existing_content_files(t, d.path()).size(), 2u);
    // Damage one file, then a second write without overwrite must change nothing.
    const fs::path second = d.path() / "content" / t.files()[1].path.back();
    fs::resize_file(second, 10);
    auto refused = bt::write_synthetic_content(t, d.path());
    ASSERT_TRUE(refused);
    EXPECT_NE(refused->find("already exist"), std::string::npos) << *refused;
    EXPECT_EQ(fs::file_size(second), 10u);
    auto r = bt::verify_content(t, d.path());
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().find("has 10 bytes, the torrent says 524288"), std::string::npos) << r.error();
    // With overwrite it is whole again.
    bt::write_options opt;
    opt.overwrite = true;
    ASSERT_EQ(bt::write_synthetic_content(t, d.path(), opt), std::nullopt);
    r = bt::verify_content(t, d.path());
    ASSERT_TRUE(r) << r.error();
    EXPECT_TRUE(r->ok());
}

TEST(ContentFiles, MissingFileAndDirectoryInTheWayAreErrorsNamingThem) {
    temp_dir d;
    const bt::torrent t = synthetic(5, 1u << 20, 64 * 1024, 2);
    auto missing = bt::verify_content(t, d.path());
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().find(t.files()[0].path.back() + ": missing"), std::string::npos) << missing.error();

    fs::create_directories(d.path() / "content" / t.files()[0].path.back());
    bt::write_options opt;
    opt.overwrite = true;
    auto why = bt::write_synthetic_content(t, d.path(), opt);
    ASSERT_TRUE(why);
    EXPECT_NE(why->find("is a directory"), std::string::npos) << *why;
    EXPECT_FALSE(fs::exists(d.path() / "content" / t.files()[1].path.back())) << "wrote before refusing";
}

TEST(ContentFiles, SymlinkInTheWayIsNeverWrittenThrough) {
    temp_dir d;
    const bt::torrent t = synthetic(5, 1u << 20, 64 * 1024, 2);
    fs::create_directories(d.path() / "elsewhere");
    std::error_code ec;
    fs::create_directory_symlink(d.path() / "elsewhere", d.path() / "content", ec);
    if (ec) GTEST_SKIP() << "cannot create a symlink here: " << ec.message();
    bt::write_options opt;
    opt.overwrite = true;
    auto why = bt::write_synthetic_content(t, d.path(), opt);
    ASSERT_TRUE(why);
    EXPECT_NE(why->find("symbolic link"), std::string::npos) << *why;
    EXPECT_TRUE(fs::is_empty(d.path() / "elsewhere"));
}

TEST(ContentFiles, NoSeedAndStopAreRefused) {
    temp_dir d;
    bt::torrent t = synthetic(5, 1u << 20, 64 * 1024, 1);
    bt::torrent plain = t;
    plain.set_content_seed(std::nullopt);
    auto why = bt::write_synthetic_content(plain, d.path());
    ASSERT_TRUE(why);
    EXPECT_NE(why->find("no synthetic content seed"), std::string::npos) << *why;
    EXPECT_TRUE(fs::is_empty(d.path()));

    std::atomic<bool> stop{true};
    bt::write_options opt;
    opt.hooks.stop = &stop;
    why = bt::write_synthetic_content(t, d.path(), opt);
    ASSERT_TRUE(why);
    EXPECT_EQ(*why, "interrupted");
    ASSERT_EQ(bt::write_synthetic_content(t, d.path(), bt::write_options{true, {}}), std::nullopt);
    bt::content_hooks hooks;
    hooks.stop = &stop;
    auto r = bt::verify_content(t, d.path(), hooks);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), "interrupted");
}

TEST(ContentFiles, HashFilePiecesSpansFilesAndSkipsEmptyOnes) {
    temp_dir d;
    // Four files, one empty, one a single byte, making the synthetic stream
    // of seed 11 end to end: their piece hashes must equal the stream's.
    const std::vector<std::uint64_t> lengths{70000, 0, 1, 60001};
    std::vector<bt::stream_file> files;
    std::uint64_t offset = 0;
    for (std::size_t i = 0; i < lengths.size(); ++i) {
        std::vector<std::byte> bytes(lengths[i]);
        bt::synthetic_fill(11, offset, bytes);
        const fs::path p = d.path() / fmt::format("f{}", i);
        std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                                 static_cast<std::streamsize>(bytes.size()));
        files.push_back({p, lengths[i]});
        offset += lengths[i];
    }
    const bt::piece_geometry g(offset, 16 * 1024);
    bt::content_hooks hooks;
    hooks.threads = 4;
    auto hashes = bt::hash_file_pieces(files, g, hooks);
    ASSERT_TRUE(hashes) << hashes.error();
    ASSERT_EQ(hashes->size(), g.piece_count());
    for (std::uint32_t p = 0; p < g.piece_count(); ++p)
        EXPECT_EQ(hashes.value()[p], bt::synthetic_hash(11, g.piece_offset(p), g.piece_size(p))) << "piece " << p;

    // A length that does not add up is refused before reading.
    files[3].length = 60000;
    auto bad = bt::hash_file_pieces(files, g);
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().find("has 60001 bytes"), std::string::npos) << bad.error();
}
