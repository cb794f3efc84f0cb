// Storage on every backend: blocks written in shuffled order into single- and
// multi-file torrents (blocks spanning several files, a file smaller than a
// block, an empty file) and compared byte for byte with the synthetic
// content; reads back; unbuffered I/O (O_DIRECT, FILE_FLAG_NO_BUFFERING)
// with its buffered fallback; open errors that name the path; and the
// discard storage completing through the loop. Permission faults and a full
// disk, which need POSIX calls to provoke, are in storage_test_posix.cpp.
//
// [SECTION] file storage tests
// [SECTION] discard storage tests
//
// The helpers, the `storage` fixture and their lifetime rule are in
// storage_test_helpers.hpp.
#include <algorithm>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "os_probes.hpp"
#include "storage_test_helpers.hpp"
#include "swarmbench/bt/synthetic.hpp"
#include "swarmbench/swarm/storage.hpp"
#include "test_support.hpp"

namespace swarmbench::test {
namespace {

using namespace storage_support;

// ---------------------------------------------------------------------------
// [SECTION] file storage tests
// ---------------------------------------------------------------------------

TEST_P(storage, single_file_written_in_shuffled_blocks_matches_synthetic_content) {
    temp_dir dir;
    ASSERT_TRUE(dir.ok()) << "cannot create a temp dir under $TMPDIR or /tmp";
    // 4 MiB + 1234 bytes: the last piece and its last block are short.
    const bt::torrent& t = keep<bt::torrent>(make_single("single.bin", (4u << 20) + 1234, 64 * 1024));
    zeroed_aligned& content = keep<zeroed_aligned>(t.total_length());
    bt::synthetic_fill(seed, 0, {content.data(), content.size()});

    storage_holder s(ctx(), open(t, dir.path()));
    ASSERT_TRUE(s);
    EXPECT_EQ(fs::file_size(dir.path() / "single.bin"), t.total_length()) << "preallocated to the torrent's length";
    batch& b = move_all(*s, t, content.data(), true, 1);
    expect_all_ok(b);
    EXPECT_EQ(b.max_in_flight, b.window);
    EXPECT_EQ(s->bytes_written(), t.total_length());
    EXPECT_EQ(s->pending(), 0u);
    s.reset();
    expect_files_match(t, dir.path());
}

// Boundaries mid-block, a file smaller than a block, an empty file, and a
// run of tiny files so one 16 KiB block spans seven files (more segments
// than a job has operation slots).
const std::vector<std::uint64_t> odd_sizes = {50000, 1000, 0, 70001, 7, 11, 13, 17, 19, 16384, 3, 123456, 0};

TEST_P(storage, multi_file_blocks_spanning_files_land_in_every_file) {
    temp_dir dir;
    ASSERT_TRUE(dir.ok()) << "cannot create a temp dir under $TMPDIR or /tmp";
    const bt::torrent& t = keep<bt::torrent>(make_torrent("multi", 32 * 1024, odd_sizes));
    std::vector<bt::file_segment> segs;
    ASSERT_TRUE(t.map_span(3, 16384, block, segs));  // stream 114688..131072
    ASSERT_GE(segs.size(), 5u) << "the layout must put more segments in one block than a job's slots";
    zeroed_aligned& content = keep<zeroed_aligned>(t.total_length());
    bt::synthetic_fill(seed, 0, {content.data(), content.size()});

    storage_holder s(ctx(), open(t, dir.path()));
    ASSERT_TRUE(s);
    for (const bt::torrent_file& f : t.files())
        EXPECT_EQ(fs::file_size(dir.path() / f.relative_path()), f.length) << f.relative_path();
    batch& b = move_all(*s, t, content.data(), true, 2);
    expect_all_ok(b);
    EXPECT_EQ(s->bytes_written(), t.total_length());
    s.reset();
    expect_files_match(t, dir.path());
}

TEST_P(storage, read_back_from_a_read_only_storage_and_short_read_is_an_error) {
    temp_dir dir;
    ASSERT_TRUE(dir.ok()) << "cannot create a temp dir under $TMPDIR or /tmp";
    const bt::torrent& t = keep<bt::torrent>(make_torrent("multi", 32 * 1024, odd_sizes));
    zeroed_aligned& content = keep<zeroed_aligned>(t.total_length());
    bt::synthetic_fill(seed, 0, {content.data(), content.size()});
    {
        storage_holder w(ctx(), open(t, dir.path()));
        ASSERT_TRUE(w);
        expect_all_ok(move_all(*w, t, content.data(), true, 3));
    }

    // Seeding from disk: read-only, nothing created or truncated.
    file_storage_options ro;
    ro.read_only = true;
    ro.truncate = false;
    storage_holder r(ctx(), open(t, dir.path(), ro));
    ASSERT_TRUE(r);
    zeroed_aligned& back = keep<zeroed_aligned>(t.total_length());
    batch& b = move_all(*r, t, back.data(), false, 4);
    expect_all_ok(b);
    EXPECT_EQ(r->bytes_written(), 0u);
    EXPECT_EQ(std::memcmp(back.data(), content.data(), t.total_length()), 0) << "read back differs";

    // A file shorter than the torrent says: the read fails, naming it.
    const bt::torrent_file& f = t.files()[3];  // 70001 bytes
    fs::resize_file(dir.path() / f.relative_path(), 40000);
    request& q = keep<request>();
    std::byte* got = new_buffer(block);
    const std::uint64_t at = f.offset + 49152;  // file offset 49152, beyond the new end
    r->async_read(static_cast<std::uint32_t>(at / t.piece_length()),
                  static_cast<std::uint32_t>(at % t.piece_length()), {got, 1000},
                  [](void* user, const storage_result& res) {
                      auto& req = *static_cast<request*>(user);
                      ++req.completions;
                      req.result = res;
                  },
                  &q);
    EXPECT_EQ(q.completions, 0) << "callback ran inline";
    ASSERT_TRUE(run_until([&] { return q.completions > 0; }));
    EXPECT_EQ(q.completions, 1);
    EXPECT_TRUE(q.result.error) << "a short read must be an error";
    EXPECT_NE(q.result.where.find(f.relative_path() + " at offset 49152"), std::string::npos) << q.result.where;
    EXPECT_NE(q.result.where.find("short read"), std::string::npos) << q.result.where;
}

TEST_P(storage, bad_spans_and_closed_files_complete_with_errors) {
    temp_dir dir;
    ASSERT_TRUE(dir.ok()) << "cannot create a temp dir under $TMPDIR or /tmp";
    const bt::torrent& t = keep<bt::torrent>(make_single("one.bin", 100000, 32 * 1024));
    storage_holder s(ctx(), open(t, dir.path()));
    ASSERT_TRUE(s);
    std::byte* buf = new_buffer(block);
    auto cb = [](void* user, const storage_result& res) {
        auto& req = *static_cast<request*>(user);
        ++req.completions;
        req.result = res;
    };
    request& outside = keep<request>();
    request& empty = keep<request>();
    s->async_write(3, 30000, {buf, block}, cb, &outside);  // piece 3 is 1696 bytes long
    s->async_write(0, 0, {buf, 0}, cb, &empty);
    EXPECT_EQ(outside.completions + empty.completions, 0) << "callback ran inline";
    ASSERT_TRUE(run_until([&] { return outside.completions > 0 && empty.completions > 0; }));
    EXPECT_EQ(outside.result.error, std::errc::invalid_argument);
    EXPECT_NE(outside.result.where.find("piece 3"), std::string::npos) << outside.result.where;
    EXPECT_FALSE(empty.result.error) << describe_error(empty.result.where, empty.result.error);
    EXPECT_EQ(empty.result.bytes, 0u);

    s->close_files();
    request& closed = keep<request>();
    s->async_write(0, 0, {buf, block}, cb, &closed);
    ASSERT_TRUE(run_until([&] { return closed.completions > 0; }));
    EXPECT_EQ(closed.completions, 1);
    EXPECT_TRUE(closed.result.error) << "a write after close_files must fail";
    EXPECT_EQ(closed.result.where, "one.bin at offset 0");
    EXPECT_EQ(s->bytes_written(), 0u);
}

TEST_P(storage, direct_refuses_a_layout_with_unaligned_file_starts) {
    temp_dir dir;
    ASSERT_TRUE(dir.ok()) << "cannot create a temp dir under $TMPDIR or /tmp";
    const bt::torrent& t = keep<bt::torrent>(make_torrent("unaligned", 16 * 1024, {8192, 5000, 8192}));
    file_storage_options o;
    o.direct = true;
    auto s = open_file_storage(ctx(), t, dir.path(), o);
    ASSERT_FALSE(s.ok()) << "file 2 starts at byte 13192";
    EXPECT_NE(s.error().find("direct: file 2 (unaligned/f2.bin) starts at byte 13192, not a multiple of 4096"),
              std::string::npos)
        << s.error();
}

TEST_P(storage, direct_aligned_multi_file_layout) {
    temp_dir dir;
    ASSERT_TRUE(dir.ok()) << "cannot create a temp dir under $TMPDIR or /tmp";
    if (std::string why = direct_refused(dir.path()); !why.empty()) GTEST_SKIP() << why;
    const bt::torrent& t =
        keep<bt::torrent>(make_torrent("aligned", 32 * 1024, {65536, 131072, 3 * 4096, 0, 65536}));
    zeroed_aligned& content = keep<zeroed_aligned>(t.total_length());
    bt::synthetic_fill(seed, 0, {content.data(), content.size()});
    file_storage_options o;
    o.direct = true;
    storage_holder s(ctx(), open(t, dir.path(), o));
    ASSERT_TRUE(s);
    expect_all_ok(move_all(*s, t, content.data(), true, 5));
    EXPECT_EQ(s->bytes_written(), t.total_length());
    zeroed_aligned& back = keep<zeroed_aligned>(t.total_length());
    expect_all_ok(move_all(*s, t, back.data(), false, 6));
    EXPECT_EQ(std::memcmp(back.data(), content.data(), t.total_length()), 0) << "O_DIRECT read back differs";
    s.reset();
    expect_files_match(t, dir.path());
}

TEST_P(storage, direct_short_last_block_and_unaligned_buffers_use_the_buffered_fallback) {
    temp_dir dir;
    ASSERT_TRUE(dir.ok()) << "cannot create a temp dir under $TMPDIR or /tmp";
    if (std::string why = direct_refused(dir.path()); !why.empty()) GTEST_SKIP() << why;
    // The last file is 30001 bytes: the torrent's last block is 13617 bytes.
    const bt::torrent& t = keep<bt::torrent>(make_torrent("tail", 32 * 1024, {65536, 49152, 30001}));
    zeroed_aligned& content = keep<zeroed_aligned>(t.total_length());
    bt::synthetic_fill(seed, 0, {content.data(), content.size()});
    file_storage_options o;
    o.direct = true;
    storage_holder s(ctx(), open(t, dir.path(), o));
    ASSERT_TRUE(s);
    expect_all_ok(move_all(*s, t, content.data(), true, 7));
    EXPECT_EQ(s->bytes_written(), t.total_length());

    // Rewrite block 1 from a buffer one byte off alignment, and read it back
    // into another such buffer: both must avoid O_DIRECT's EINVAL.
    zeroed_aligned& odd = keep<zeroed_aligned>(2 * block + 2);
    std::memcpy(odd.data() + 1, content.data() + block, block);
    request& w = keep<request>();
    request& r = keep<request>();
    auto cb = [](void* user, const storage_result& res) {
        auto& req = *static_cast<request*>(user);
        ++req.completions;
        req.result = res;
    };
    s->async_write(0, block, {odd.data() + 1, block}, cb, &w);
    ASSERT_TRUE(run_until([&] { return w.completions > 0; }));
    EXPECT_FALSE(w.result.error) << describe_error(w.result.where, w.result.error);
    s->async_read(0, block, {odd.data() + block + 1, block}, cb, &r);
    ASSERT_TRUE(run_until([&] { return r.completions > 0; }));
    EXPECT_FALSE(r.result.error) << describe_error(r.result.where, r.result.error);
    EXPECT_EQ(std::memcmp(odd.data() + block + 1, content.data() + block, block), 0);
    s.reset();
    expect_files_match(t, dir.path());
}

TEST_P(storage, open_errors_name_the_colliding_path) {
    temp_dir dir;
    ASSERT_TRUE(dir.ok()) << "cannot create a temp dir under $TMPDIR or /tmp";
    // A directory where the file should be.
    const bt::torrent& single = keep<bt::torrent>(make_single("data.bin", 100000, 32 * 1024));
    fs::create_directory(dir.path() / "data.bin");
    auto s1 = open_file_storage(ctx(), single, dir.path(), {});
    ASSERT_FALSE(s1.ok()) << "a directory named like the file must be refused";
    EXPECT_NE(s1.error().find((dir.path() / "data.bin").string()), std::string::npos) << s1.error();

    // A regular file where the torrent's directory should be.
    const bt::torrent& multi = keep<bt::torrent>(make_torrent("multi", 32 * 1024, {1000, 2000}));
    std::ofstream(dir.path() / "multi") << "in the way";
    auto s2 = open_file_storage(ctx(), multi, dir.path(), {});
    ASSERT_FALSE(s2.ok()) << "a file named like the torrent's directory must be refused";
    EXPECT_NE(s2.error().find("cannot create directory " + (dir.path() / "multi").string()), std::string::npos)
        << s2.error();
}

INSTANTIATE_TEST_SUITE_P(, storage, ::testing::ValuesIn(compiled_backends()), backend_param_name);

// ---------------------------------------------------------------------------
// [SECTION] discard storage tests
// ---------------------------------------------------------------------------

class discard_storage : public engine_test {};

TEST_P(discard_storage, completes_through_the_loop_once_each_and_writes_nothing) {
    storage_holder s(ctx(), make_discard_storage(ctx()));
    constexpr int writes = 8;
    constexpr int reads = 4;
    auto& reqs = keep<std::vector<request>>(writes + reads);
    std::byte* buf = new_buffer(std::size_t{block} * (writes + reads));
    std::memset(buf, 0xAB, std::size_t{block} * (writes + reads));
    auto cb = [](void* user, const storage_result& res) {
        auto& req = *static_cast<request*>(user);
        ++req.completions;
        req.result = res;
    };
    for (int i = 0; i < writes + reads; ++i) {
        std::byte* at = buf + std::size_t{block} * static_cast<std::size_t>(i);
        reqs[static_cast<std::size_t>(i)].length = block;
        if (i < writes) {
            s->async_write(static_cast<std::uint32_t>(i), 0, {at, block}, cb, &reqs[static_cast<std::size_t>(i)]);
        } else {
            s->async_read(static_cast<std::uint32_t>(i), 0, {at, block}, cb, &reqs[static_cast<std::size_t>(i)]);
        }
    }
    for (const request& r : reqs) EXPECT_EQ(r.completions, 0) << "discard storage completed inline";
    EXPECT_EQ(s->pending(), static_cast<std::size_t>(writes + reads));
    ASSERT_TRUE(run_until([&] { return s->pending() == 0; }));
    // A few more turns: nothing may complete twice.
    ctx().poll();
    ctx().poll();
    for (std::size_t i = 0; i < reqs.size(); ++i) {
        EXPECT_EQ(reqs[i].completions, 1) << "request " << i;
        EXPECT_FALSE(reqs[i].result.error) << describe_error("discard", reqs[i].result.error);
        EXPECT_EQ(reqs[i].result.bytes, block);
    }
    for (int i = writes; i < writes + reads; ++i) {
        const std::byte* at = buf + std::size_t{block} * static_cast<std::size_t>(i);
        EXPECT_TRUE(std::all_of(at, at + block, [](std::byte x) { return x == std::byte{0}; }))
            << "read " << i << " must fill zeros";
    }
    EXPECT_TRUE(std::all_of(buf, buf + std::size_t{block} * writes, [](std::byte x) { return x == std::byte{0xAB}; }))
        << "writes must not touch their buffers";
    EXPECT_EQ(s->bytes_written(), 0u);
}

TEST_P(discard_storage, callbacks_may_submit_again_and_jobs_are_recycled) {
    storage_holder s(ctx(), make_discard_storage(ctx()));
    batch& b = keep<batch>();
    const bt::torrent& t = keep<bt::torrent>(make_single("d.bin", 1u << 20, 64 * 1024));
    std::byte* buf = new_buffer(t.total_length());
    b.storage = &*s;
    b.data = buf;
    b.window = 3;
    plan_blocks(b, t, 9);
    b.start();
    ASSERT_TRUE(run_until([&] { return b.done(); }));
    expect_all_ok(b);
    EXPECT_EQ(b.max_in_flight, 3u);
    EXPECT_EQ(s->bytes_written(), 0u);
}

INSTANTIATE_TEST_SUITE_P(, discard_storage, ::testing::ValuesIn(compiled_backends()), backend_param_name);

}  // namespace
}  // namespace swarmbench::test
