// Positioned file I/O: the torrent download pattern (16 KiB blocks at
// shuffled offsets, queue depth 32), read back two ways, plus unaligned
// writes and the sync operations.
#include <algorithm>
#include <fstream>
#include <random>

#include "test_support.hpp"

namespace swarmbench::test {
namespace {

class file_io : public engine_test {};

constexpr std::uint32_t block = 16u << 10;
constexpr std::uint32_t blocks = 1024;  // 16 MiB file
constexpr std::uint64_t file_size = std::uint64_t{block} * blocks;
constexpr int queue_depth = 32;
constexpr std::uint64_t seed = 42;

TEST_P(file_io, shuffled_block_writes_read_back_byte_for_byte) {
    temp_dir dir;
    ASSERT_TRUE(dir.ok()) << "cannot create a temp dir under $TMPDIR or /tmp";
    const std::string path = (dir.path() / "blocks.bin").string();
    file_options opts;
    opts.create = true;
    opts.truncate = true;
    opts.preallocate = file_size;
    std::error_code ec;
    native_handle f = ctx().open_file(path, opts, ec);
    ASSERT_FALSE(ec) << describe_error("open_file " + path, ec);
    ASSERT_EQ(std::filesystem::file_size(path), file_size) << "preallocate must size the file";

    std::vector<std::uint64_t> offsets(blocks);
    for (std::uint32_t i = 0; i < blocks; ++i) offsets[i] = std::uint64_t{i} * block;
    std::mt19937_64 rng(20240601);
    std::shuffle(offsets.begin(), offsets.end(), rng);

    // ---- writes: queue depth 32, each slot reissued from its completion ----
    std::byte* bufs = new_buffer(std::size_t{block} * queue_depth);
    auto& ops = keep<std::vector<std::unique_ptr<tracked_op>>>();
    std::size_t next = 0, written_ops = 0, write_errors = 0, in_flight = 0, max_in_flight = 0;
    std::uint64_t written = 0;
    for (int slot = 0; slot < queue_depth; ++slot) ops.push_back(std::make_unique<tracked_op>());
    auto issue_write = [&](tracked_op& t, int slot) {
        std::uint64_t off = offsets[next++];
        std::byte* b = bufs + std::size_t{block} * static_cast<std::size_t>(slot);
        fill_pattern(b, block, seed, off);
        t.prepare(op_code::write_at, f, b, block);
        t.op.offset = off;
        t.submit_to(ctx());
        max_in_flight = std::max(max_in_flight, ++in_flight);
    };
    for (int slot = 0; slot < queue_depth; ++slot) {
        ops[static_cast<std::size_t>(slot)]->then = [&, slot](tracked_op& t) {
            --in_flight;
            ++written_ops;
            if (t.error || t.result != block) {
                ++write_errors;
                ADD_FAILURE() << describe_error("write_at " + std::to_string(t.op.offset), t.error) << " result "
                              << t.result;
            } else {
                written += static_cast<std::uint64_t>(t.result);
            }
            if (next < offsets.size()) issue_write(t, slot);
        };
    }
    for (int slot = 0; slot < queue_depth; ++slot) issue_write(*ops[static_cast<std::size_t>(slot)], slot);
    ASSERT_TRUE(run_until([&] { return written_ops == blocks || write_errors > 0; }, 30s))
        << "wrote " << written_ops << " of " << blocks << " blocks";
    EXPECT_EQ(write_errors, 0u);
    EXPECT_EQ(written, file_size);
    EXPECT_EQ(max_in_flight, static_cast<std::size_t>(queue_depth));
    for (auto& t : ops) EXPECT_EQ(t->completions, t->submissions);

    // ---- an unaligned write across block boundaries: odd offset, odd size ----
    constexpr std::uint64_t odd_offset = 3 * block - 12345;
    constexpr std::uint32_t odd_size = 2 * block + 777;
    std::byte* odd = new_buffer(odd_size);
    fill_pattern(odd, odd_size, seed + 1, odd_offset);
    tracked_op& odd_write = new_op();
    odd_write.prepare(op_code::write_at, f, odd, odd_size);
    odd_write.op.offset = odd_offset;
    odd_write.submit_to(ctx());
    ASSERT_NO_FATAL_FAILURE(wait_done(odd_write));
    EXPECT_FALSE(odd_write.error) << describe_error("write_at (unaligned)", odd_write.error);
    EXPECT_EQ(odd_write.result, odd_size);
    // The expected content of byte `pos` of the file.
    auto expected = [&](std::uint64_t pos) {
        bool in_odd = pos >= odd_offset && pos < odd_offset + odd_size;
        return pattern_byte(in_odd ? seed + 1 : seed, pos);
    };

    // ---- fsync and fdatasync ----
    tracked_op& sync = new_op();
    sync.prepare(op_code::fsync, f);
    sync.submit_to(ctx());
    tracked_op& datasync = new_op();
    datasync.prepare(op_code::fdatasync, f);
    datasync.submit_to(ctx());
    ASSERT_TRUE(run_until([&] { return sync.done() && datasync.done(); }));
    EXPECT_EQ(sync.completions, 1);
    EXPECT_EQ(datasync.completions, 1);
    EXPECT_FALSE(sync.error) << describe_error("fsync", sync.error);
    EXPECT_FALSE(datasync.error) << describe_error("fdatasync", datasync.error);

    // ---- read back with read_at, also at queue depth 32, in a new order ----
    std::shuffle(offsets.begin(), offsets.end(), rng);
    next = 0;
    std::size_t read_ops = 0, read_errors = 0, bad_blocks = 0;
    std::uint64_t read_bytes = 0;
    auto issue_read = [&](tracked_op& t, int slot) {
        std::uint64_t off = offsets[next++];
        std::byte* b = bufs + std::size_t{block} * static_cast<std::size_t>(slot);
        std::fill(b, b + block, std::byte{0});
        t.prepare(op_code::read_at, f, b, block);
        t.op.offset = off;
        t.submit_to(ctx());
    };
    for (int slot = 0; slot < queue_depth; ++slot) {
        ops[static_cast<std::size_t>(slot)]->then = [&, slot](tracked_op& t) {
            ++read_ops;
            if (t.error || t.result != block) {
                ++read_errors;
                ADD_FAILURE() << describe_error("read_at " + std::to_string(t.op.offset), t.error) << " result "
                              << t.result;
            } else {
                read_bytes += static_cast<std::uint64_t>(t.result);
                for (std::uint32_t i = 0; i < block; ++i) {
                    if (t.op.data[i] != expected(t.op.offset + i)) {
                        ++bad_blocks;
                        break;
                    }
                }
            }
            if (next < offsets.size()) issue_read(t, slot);
        };
    }
    for (int slot = 0; slot < queue_depth; ++slot) issue_read(*ops[static_cast<std::size_t>(slot)], slot);
    ASSERT_TRUE(run_until([&] { return read_ops == blocks || read_errors > 0; }, 30s))
        << "read " << read_ops << " of " << blocks << " blocks";
    EXPECT_EQ(read_errors, 0u);
    EXPECT_EQ(read_bytes, file_size);
    EXPECT_EQ(bad_blocks, 0u) << "read_at returned blocks that differ from what was written";

    // read_at past the end returns what is there: a short read, then 0.
    std::byte* tail = new_buffer(block);
    tracked_op& eof_read = new_op();
    eof_read.prepare(op_code::read_at, f, tail, block);
    eof_read.op.offset = file_size - 100;
    eof_read.submit_to(ctx());
    ASSERT_NO_FATAL_FAILURE(wait_done(eof_read));
    EXPECT_FALSE(eof_read.error) << eof_read.error.message();
    EXPECT_EQ(eof_read.result, 100) << "read_at is short only at end of file";

    ASSERT_NO_FATAL_FAILURE(close_and_wait(f));

    // ---- the file itself, byte for byte, through the standard library ----
    EXPECT_EQ(std::filesystem::file_size(path), file_size);
    std::ifstream in(path, std::ios::binary);
    ASSERT_TRUE(in.good());
    std::vector<char> chunk(1u << 20);
    std::uint64_t pos = 0, first_bad = ~0ull;
    for (int i = 0; i < 64 && pos < file_size; ++i) {  // 16 MiB in 1 MiB chunks
        in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
        auto got = static_cast<std::uint64_t>(in.gcount());
        ASSERT_GT(got, 0u) << "file ends early at " << pos;
        for (std::uint64_t k = 0; k < got && first_bad == ~0ull; ++k)
            if (static_cast<std::byte>(chunk[k]) != expected(pos + k)) first_bad = pos + k;
        pos += got;
    }
    EXPECT_EQ(pos, file_size);
    EXPECT_EQ(first_bad, ~0ull) << "file differs from the expected pattern at byte " << first_bad;
}

TEST_P(file_io, open_file_reports_a_missing_directory_through_ec) {
    temp_dir dir;
    ASSERT_TRUE(dir.ok());
    std::error_code ec;
    native_handle f = ctx().open_file((dir.path() / "no-such-dir" / "x.bin").string(), file_options{}, ec);
    EXPECT_EQ(f, invalid_handle);
    EXPECT_EQ(ec, std::errc::no_such_file_or_directory) << ec.message();
}

INSTANTIATE_TEST_SUITE_P(, file_io, ::testing::ValuesIn(compiled_backends()), backend_param_name);

}  // namespace
}  // namespace swarmbench::test
