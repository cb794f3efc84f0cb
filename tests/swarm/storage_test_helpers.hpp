// Helpers shared by the storage tests (storage_test.cpp on every OS,
// storage_test_posix.cpp for the faults only POSIX can provoke): torrents
// with chosen file sizes, zeroed aligned buffers, batches of block requests
// issued from completions, file checks, and the `storage` fixture.
//
// [SECTION] helpers: torrents, aligned buffers, block batches, file checks
// [SECTION] the storage fixture
//
// Lifetime rule (see test_support.hpp): torrents, buffers and batches that a
// pending operation may still touch come from keep(), so they outlive the
// context; a storage is held by storage_holder, which waits for it at the end
// of the test and leaks it, rather than free it under a pending operation,
// if a failed test left something in flight.
//
// Thread rules: test thread only (storage callbacks run on it, inside the
// context's run calls).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <numeric>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "swarmbench/bt/synthetic.hpp"
#include "swarmbench/bt/torrent.hpp"
#include "swarmbench/buffer_pool.hpp"
#include "swarmbench/swarm/storage.hpp"
#include "test_support.hpp"

// A named namespace, not an anonymous one: the `storage` fixture must be one
// type in every file that has storage tests (gtest checks it).
namespace swarmbench::test::storage_support {

namespace fs = std::filesystem;

inline constexpr std::uint32_t block = bt::default_block_size;
inline constexpr std::uint64_t seed = 7;

// ---------------------------------------------------------------------------
// [SECTION] helpers
// ---------------------------------------------------------------------------

/// A multi-file torrent "<name>/f<i>.bin" of synthetic content with exactly
/// these file sizes (make_synthetic_torrent only splits evenly).
inline bt::torrent make_torrent(const std::string& name, std::uint32_t piece_length,
                                const std::vector<std::uint64_t>& sizes) {
    bt::torrent_spec spec;
    spec.name = name;
    spec.piece_length = piece_length;
    spec.multi_file = true;
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < sizes.size(); ++i) {
        // Appended, not "f" + to_string(i): GCC 12 inlines that into a false -Wrestrict.
        std::string file = "f";
        file += std::to_string(i);
        file += ".bin";
        spec.files.push_back({{file}, sizes[i]});
        total += sizes[i];
    }
    for (std::uint64_t at = 0; at < total; at += piece_length)
        spec.piece_hashes.push_back(bt::synthetic_hash(seed, at, std::min<std::uint64_t>(piece_length, total - at)));
    auto t = bt::torrent::make(spec);
    if (!t) throw std::runtime_error("make_torrent: " + t.error());
    return std::move(t).value();
}

/// A single-file synthetic torrent named `name`.
inline bt::torrent make_single(const std::string& name, std::uint64_t size, std::uint32_t piece_length) {
    bt::synthetic_spec spec;
    spec.seed = seed;
    spec.total_size = size;
    spec.piece_size = piece_length;
    spec.file_count = 1;
    spec.name = name;
    auto t = bt::make_synthetic_torrent(spec);
    if (!t) throw std::runtime_error("make_single: " + t.error());
    return std::move(t).value();
}

/// A zeroed 4 KiB-aligned buffer (O_DIRECT's requirement).
class zeroed_aligned {
public:
    explicit zeroed_aligned(std::size_t n) : size_(n), data_(allocate_aligned((n + 4095) / 4096 * 4096 + 4096)) {
        std::memset(data_.get(), 0, (n + 4095) / 4096 * 4096 + 4096);
    }
    std::byte* data() const { return data_.get(); }
    std::size_t size() const { return size_; }

private:
    std::size_t size_;    // bytes asked for (one spare page follows)
    aligned_bytes data_;  // the memory
};

struct batch;

/// One storage request and what came back.
struct request {
    batch* owner = nullptr;      // the batch issuing it
    std::uint32_t piece = 0;     // where it goes
    std::uint32_t offset = 0;    // offset inside the piece
    std::uint32_t length = 0;    // bytes
    std::uint64_t stream = 0;    // offset in the torrent's byte stream
    int completions = 0;         // callbacks received
    storage_result result;       // the last callback's result
};

/// Every block of a torrent moved through a storage, `window` at a time,
/// each next block issued from a completion (so jobs get recycled).
struct batch {
    piece_storage* storage = nullptr;  // where the blocks go
    std::byte* data = nullptr;         // the whole stream: writes read from it, reads fill it
    bool write = true;                 // async_write vs async_read
    std::size_t window = 16;           // requests in flight
    std::vector<request> reqs;         // one per block, stream order
    std::vector<std::size_t> order;    // issue order (indexes into reqs)
    std::size_t next = 0;              // next index into order
    std::size_t completed = 0;         // callbacks received
    std::size_t in_flight = 0;         // issued, not called back
    std::size_t max_in_flight = 0;     // high-water mark
    bool inline_completion = false;    // a callback ran inside async_write/async_read

    bool done() const { return completed == reqs.size(); }

    void issue() {
        request& r = reqs[order[next++]];
        ++in_flight;
        max_in_flight = std::max(max_in_flight, in_flight);
        const std::size_t before = completed;
        if (write) {
            storage->async_write(r.piece, r.offset, {data + r.stream, r.length}, &batch::on_done, &r);
        } else {
            storage->async_read(r.piece, r.offset, {data + r.stream, r.length}, &batch::on_done, &r);
        }
        if (completed != before) inline_completion = true;
    }

    void start() {
        while (next < order.size() && in_flight < window) issue();
    }

    static void on_done(void* user, const storage_result& result) {
        request& r = *static_cast<request*>(user);
        batch& b = *r.owner;
        ++r.completions;
        r.result = result;
        ++b.completed;
        --b.in_flight;
        // The context is being destroyed (a failed test): issue nothing more.
        if (result.error == std::errc::operation_canceled) return;
        if (b.next < b.order.size()) b.issue();
    }
};

/// Fills `b` with every block of `t` (block size 16 KiB), in a shuffled order.
inline void plan_blocks(batch& b, const bt::torrent& t, std::uint64_t shuffle_seed) {
    for (std::uint32_t p = 0; p < t.piece_count(); ++p) {
        for (std::uint32_t off = 0; off < t.piece_size(p); off += block) {
            request r;
            r.owner = &b;
            r.piece = p;
            r.offset = off;
            r.length = std::min(block, t.piece_size(p) - off);
            r.stream = std::uint64_t{p} * t.piece_length() + off;
            b.reqs.push_back(r);
        }
    }
    b.order.resize(b.reqs.size());
    std::iota(b.order.begin(), b.order.end(), std::size_t{0});
    std::mt19937_64 rng(shuffle_seed);
    std::shuffle(b.order.begin(), b.order.end(), rng);
}

/// Expects every request called back exactly once, without error, in full.
inline void expect_all_ok(const batch& b) {
    EXPECT_FALSE(b.inline_completion) << "a storage callback ran inline";
    for (const request& r : b.reqs) {
        EXPECT_EQ(r.completions, 1) << "piece " << r.piece << " offset " << r.offset;
        EXPECT_FALSE(r.result.error) << describe_error(r.result.where, r.result.error);
        EXPECT_EQ(r.result.bytes, r.length) << "piece " << r.piece << " offset " << r.offset;
        EXPECT_TRUE(r.result.where.empty()) << r.result.where;
    }
}

/// The whole file at `path`.
inline std::vector<std::byte> read_file(const fs::path& path) {
    std::vector<std::byte> out(static_cast<std::size_t>(fs::file_size(path)));
    std::ifstream in(path, std::ios::binary);
    if (!out.empty()) in.read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(out.size()));
    if (!in) out.clear();  // a failed read shows as a size mismatch
    return out;
}

/// Every file of `t` under `dir` exists with its length and synthetic content.
inline void expect_files_match(const bt::torrent& t, const fs::path& dir) {
    for (const bt::torrent_file& f : t.files()) {
        const fs::path path = dir / f.relative_path();
        ASSERT_TRUE(fs::is_regular_file(path)) << path << " is missing";
        const std::vector<std::byte> got = read_file(path);
        ASSERT_EQ(got.size(), f.length) << path;
        std::vector<std::byte> want(got.size());
        bt::synthetic_fill(seed, f.offset, want);
        const auto diff = std::mismatch(got.begin(), got.end(), want.begin());
        EXPECT_TRUE(diff.first == got.end())
            << path << " differs from the synthetic content at byte " << (diff.first - got.begin());
    }
}

/// Owns a storage for a test: at the end waits (bounded) for its operations
/// and closes its files; leaks it if some never completed (see the top).
class storage_holder {
public:
    storage_holder(io_context& ctx, std::unique_ptr<piece_storage> s) : ctx_(ctx), s_(std::move(s)) {}
    ~storage_holder() { reset(); }
    storage_holder(const storage_holder&) = delete;
    storage_holder& operator=(const storage_holder&) = delete;

    explicit operator bool() const { return s_ != nullptr; }
    piece_storage& operator*() const { return *s_; }
    piece_storage* operator->() const { return s_.get(); }

    /// Waits for pending operations, closes the files, destroys the storage.
    void reset() {
        if (!s_) return;
        run_until(ctx_, [&] { return s_->pending() == 0; }, 5s);
        if (s_->pending() != 0) {
            ADD_FAILURE() << s_->pending() << " storage operations never completed; leaking the storage";
            (void)s_.release();
            return;
        }
        s_->close_files();
        s_.reset();
    }

private:
    io_context& ctx_;                  // the storage's context
    std::unique_ptr<piece_storage> s_;  // the storage
};

// ---------------------------------------------------------------------------
// [SECTION] the storage fixture
// ---------------------------------------------------------------------------

class storage : public engine_test {
protected:
    /// Opens file storage for `t` under `dir`, asserting success.
    std::unique_ptr<piece_storage> open(const bt::torrent& t, const fs::path& dir, const file_storage_options& o = {}) {
        auto s = open_file_storage(ctx(), t, dir, o);
        EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error());
        return s.ok() ? std::move(s).value() : nullptr;
    }

    /// Writes (or reads) every block of `t` through `s`, shuffled, and waits.
    batch& move_all(piece_storage& s, const bt::torrent& t, std::byte* data, bool write, std::uint64_t shuffle_seed) {
        batch& b = keep<batch>();
        b.storage = &s;
        b.data = data;
        b.write = write;
        plan_blocks(b, t, shuffle_seed);
        b.start();
        EXPECT_EQ(s.pending(), std::min(b.window, b.reqs.size())) << "pending() counts submitted requests";
        EXPECT_TRUE(run_until([&] { return b.done(); }, 30s))
            << b.completed << " of " << b.reqs.size() << " requests completed";
        return b;
    }
};

}  // namespace swarmbench::test::storage_support
