// Storage on every backend: blocks written in shuffled order into single- and
// multi-file torrents (blocks spanning several files, a file smaller than a
// block, an empty file) and compared byte for byte with the synthetic
// content; reads back; O_DIRECT with its buffered fallback; open errors that
// name the path; a full disk (RLIMIT_FSIZE) reported with file and offset;
// and the discard storage completing through the loop.
//
// [SECTION] helpers: torrents, aligned buffers, block batches, file checks
// [SECTION] OS guards: RLIMIT_FSIZE, an unprivileged thread, the O_DIRECT probe
// [SECTION] file storage tests
// [SECTION] discard storage tests
//
// Lifetime rule (see test_support.hpp): torrents, buffers and batches that a
// pending operation may still touch come from keep(), so they outlive the
// context; a storage is held by storage_holder, which waits for it at the end
// of the test and leaks it, rather than free it under a pending operation,
// if a failed test left something in flight.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "swarmbench/bt/synthetic.hpp"
#include "swarmbench/bt/torrent.hpp"
#include "swarmbench/swarm/storage.hpp"
#include "test_support.hpp"

namespace swarmbench::test {
namespace {

namespace fs = std::filesystem;

constexpr std::uint32_t block = bt::default_block_size;
constexpr std::uint64_t seed = 7;

// ---------------------------------------------------------------------------
// [SECTION] helpers
// ---------------------------------------------------------------------------

/// A multi-file torrent "<name>/f<i>.bin" of synthetic content with exactly
/// these file sizes (make_synthetic_torrent only splits evenly).
bt::torrent make_torrent(const std::string& name, std::uint32_t piece_length,
                         const std::vector<std::uint64_t>& sizes) {
    bt::torrent_spec spec;
    spec.name = name;
    spec.piece_length = piece_length;
    spec.multi_file = true;
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < sizes.size(); ++i) {
        spec.files.push_back({{"f" + std::to_string(i) + ".bin"}, sizes[i]});
        total += sizes[i];
    }
    for (std::uint64_t at = 0; at < total; at += piece_length)
        spec.piece_hashes.push_back(bt::synthetic_hash(seed, at, std::min<std::uint64_t>(piece_length, total - at)));
    auto t = bt::torrent::make(spec);
    if (!t) throw std::runtime_error("make_torrent: " + t.error());
    return std::move(t).value();
}

/// A single-file synthetic torrent named `name`.
bt::torrent make_single(const std::string& name, std::uint64_t size, std::uint32_t piece_length) {
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
class aligned_bytes {
public:
    explicit aligned_bytes(std::size_t n)
        : size_(n), data_(static_cast<std::byte*>(std::aligned_alloc(4096, (n + 4095) / 4096 * 4096 + 4096))) {
        if (data_ == nullptr) throw std::bad_alloc();
        std::memset(data_, 0, (n + 4095) / 4096 * 4096 + 4096);
    }
    ~aligned_bytes() { std::free(data_); }
    aligned_bytes(const aligned_bytes&) = delete;
    aligned_bytes& operator=(const aligned_bytes&) = delete;
    std::byte* data() const { return data_; }
    std::size_t size() const { return size_; }

private:
    std::size_t size_;  // bytes asked for (one spare page follows)
    std::byte* data_;   // aligned_alloc'ed
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
void plan_blocks(batch& b, const bt::torrent& t, std::uint64_t shuffle_seed) {
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
void expect_all_ok(const batch& b) {
    EXPECT_FALSE(b.inline_completion) << "a storage callback ran inline";
    for (const request& r : b.reqs) {
        EXPECT_EQ(r.completions, 1) << "piece " << r.piece << " offset " << r.offset;
        EXPECT_FALSE(r.result.error) << describe_error(r.result.where, r.result.error);
        EXPECT_EQ(r.result.bytes, r.length) << "piece " << r.piece << " offset " << r.offset;
        EXPECT_TRUE(r.result.where.empty()) << r.result.where;
    }
}

/// The whole file at `path`.
std::vector<std::byte> read_file(const fs::path& path) {
    std::vector<std::byte> out(static_cast<std::size_t>(fs::file_size(path)));
    std::ifstream in(path, std::ios::binary);
    if (!out.empty()) in.read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(out.size()));
    if (!in) out.clear();  // a failed read shows as a size mismatch
    return out;
}

/// Every file of `t` under `dir` exists with its length and synthetic content.
void expect_files_match(const bt::torrent& t, const fs::path& dir) {
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
// [SECTION] OS guards
// ---------------------------------------------------------------------------

/// Ignores SIGXFSZ and sets the soft RLIMIT_FSIZE, so writes past `bytes`
/// fail with EFBIG instead of killing the process; restores both.
class file_size_limit {
public:
    explicit file_size_limit(std::uint64_t bytes) {
        struct sigaction ignore{};
        ignore.sa_handler = SIG_IGN;
        sigemptyset(&ignore.sa_mask);
        signal_saved_ = ::sigaction(SIGXFSZ, &ignore, &old_action_) == 0;
        if (::getrlimit(RLIMIT_FSIZE, &old_limit_) != 0) return;
        rlimit lower = old_limit_;
        lower.rlim_cur = bytes;
        limit_set_ = ::setrlimit(RLIMIT_FSIZE, &lower) == 0;
    }
    ~file_size_limit() {
        if (limit_set_) ::setrlimit(RLIMIT_FSIZE, &old_limit_);
        if (signal_saved_) ::sigaction(SIGXFSZ, &old_action_, nullptr);
    }
    file_size_limit(const file_size_limit&) = delete;
    file_size_limit& operator=(const file_size_limit&) = delete;
    bool ok() const { return limit_set_ && signal_saved_; }

private:
    struct sigaction old_action_{};  // SIGXFSZ disposition to restore
    rlimit old_limit_{};             // RLIMIT_FSIZE to restore
    bool signal_saved_ = false;      // SIGXFSZ is ignored
    bool limit_set_ = false;         // RLIMIT_FSIZE is lowered
};

/// As root, makes this thread alone act as user 65534 so permission bits
/// apply; a raw setresuid changes only the calling thread (glibc's seteuid
/// would change every thread). Restores root on destruction.
class unprivileged_thread {
public:
    unprivileged_thread() {
        if (::geteuid() != 0) return;
        changed_ = ::syscall(SYS_setresuid, -1, 65534, -1) == 0;
    }
    ~unprivileged_thread() {
        if (changed_) (void)::syscall(SYS_setresuid, -1, 0, -1);
    }
    unprivileged_thread(const unprivileged_thread&) = delete;
    unprivileged_thread& operator=(const unprivileged_thread&) = delete;

private:
    bool changed_ = false;  // euid switched, to switch back
};

/// Why `dir` refuses O_DIRECT (tmpfs does), or empty if an aligned O_DIRECT
/// write works there.
std::string direct_refused(const fs::path& dir) {
    const std::string path = (dir / "direct-probe.bin").string();
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_DIRECT | O_CLOEXEC, 0644);
    if (fd < 0)
        return "the temp filesystem (" + dir.string() + ") refuses O_DIRECT: " + std::strerror(errno) +
               " (tmpfs before Linux 6.6 does; set TMPDIR to a disk filesystem to run this test)";
    aligned_bytes page(4096);
    const ssize_t n = ::pwrite(fd, page.data(), 4096, 0);
    const int err = errno;
    ::close(fd);
    ::unlink(path.c_str());
    if (n != 4096)
        return "an aligned O_DIRECT write in " + dir.string() + " failed: " + std::strerror(err) +
               " (set TMPDIR to a filesystem that supports O_DIRECT)";
    return {};
}

// ---------------------------------------------------------------------------
// [SECTION] file storage tests
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

TEST_P(storage, single_file_written_in_shuffled_blocks_matches_synthetic_content) {
    temp_dir dir;
    ASSERT_TRUE(dir.ok()) << "cannot create a temp dir under $TMPDIR or /tmp";
    // 4 MiB + 1234 bytes: the last piece and its last block are short.
    const bt::torrent& t = keep<bt::torrent>(make_single("single.bin", (4u << 20) + 1234, 64 * 1024));
    aligned_bytes& content = keep<aligned_bytes>(t.total_length());
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
    aligned_bytes& content = keep<aligned_bytes>(t.total_length());
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
    aligned_bytes& content = keep<aligned_bytes>(t.total_length());
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
    aligned_bytes& back = keep<aligned_bytes>(t.total_length());
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
    aligned_bytes& content = keep<aligned_bytes>(t.total_length());
    bt::synthetic_fill(seed, 0, {content.data(), content.size()});
    file_storage_options o;
    o.direct = true;
    storage_holder s(ctx(), open(t, dir.path(), o));
    ASSERT_TRUE(s);
    expect_all_ok(move_all(*s, t, content.data(), true, 5));
    EXPECT_EQ(s->bytes_written(), t.total_length());
    aligned_bytes& back = keep<aligned_bytes>(t.total_length());
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
    aligned_bytes& content = keep<aligned_bytes>(t.total_length());
    bt::synthetic_fill(seed, 0, {content.data(), content.size()});
    file_storage_options o;
    o.direct = true;
    storage_holder s(ctx(), open(t, dir.path(), o));
    ASSERT_TRUE(s);
    expect_all_ok(move_all(*s, t, content.data(), true, 7));
    EXPECT_EQ(s->bytes_written(), t.total_length());

    // Rewrite block 1 from a buffer one byte off alignment, and read it back
    // into another such buffer: both must avoid O_DIRECT's EINVAL.
    aligned_bytes& odd = keep<aligned_bytes>(2 * block + 2);
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

TEST_P(storage, unwritable_directory_is_refused_with_the_path) {
    temp_dir dir;
    ASSERT_TRUE(dir.ok()) << "cannot create a temp dir under $TMPDIR or /tmp";
    const fs::path locked = dir.path() / "locked";
    fs::create_directory(locked);
    // r-x for everyone (0555) inside a traversable temp dir (0711), so an
    // unprivileged user reaches `locked` and is refused only the write.
    fs::permissions(dir.path(), fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
    fs::permissions(locked, fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                                fs::perms::group_exec | fs::perms::others_read | fs::perms::others_exec);
    const bt::torrent& single = keep<bt::torrent>(make_single("data.bin", 100000, 32 * 1024));
    const bt::torrent& multi = keep<bt::torrent>(make_torrent("multi", 32 * 1024, {1000, 2000}));
    std::string e1, e2;
    bool enforced = false;
    {
        unprivileged_thread as_user;
        enforced = ::faccessat(AT_FDCWD, locked.c_str(), W_OK, AT_EACCESS) != 0;
        if (enforced) {
            auto s1 = open_file_storage(ctx(), single, locked, {});
            auto s2 = open_file_storage(ctx(), multi, locked, {});
            if (!s1.ok()) e1 = s1.error();
            if (!s2.ok()) e2 = s2.error();
        }
    }
    fs::permissions(locked, fs::perms::owner_all);  // so temp_dir can remove it
    if (!enforced)
        GTEST_SKIP() << "permission bits are not enforced for this process (root, and setresuid on this "
                        "thread was refused)";
    EXPECT_NE(e1.find("cannot create " + (locked / "data.bin").string()), std::string::npos) << e1;
    EXPECT_NE(e1.find("Permission denied"), std::string::npos) << e1;
    EXPECT_NE(e2.find("cannot create directory " + (locked / "multi").string()), std::string::npos) << e2;
    EXPECT_NE(e2.find("Permission denied"), std::string::npos) << e2;
}

TEST_P(storage, disk_full_reports_file_and_offset_and_other_writes_complete_once) {
    temp_dir dir;
    ASSERT_TRUE(dir.ok()) << "cannot create a temp dir under $TMPDIR or /tmp";
    const bt::torrent& t = keep<bt::torrent>(make_single("full.bin", 256 * 1024, 64 * 1024));
    aligned_bytes& content = keep<aligned_bytes>(t.total_length());
    bt::synthetic_fill(seed, 0, {content.data(), content.size()});
    // Preallocated before the limit, so only the writes hit it.
    storage_holder s(ctx(), open(t, dir.path()));
    ASSERT_TRUE(s);

    constexpr std::uint64_t limit = 100000;  // inside block 6 (98304..114688)
    batch& b = keep<batch>();
    {
        file_size_limit fsize(limit);
        ASSERT_TRUE(fsize.ok()) << "cannot lower RLIMIT_FSIZE: " << std::strerror(errno);
        b.storage = &*s;
        b.data = content.data();
        b.window = 4;
        plan_blocks(b, t, 8);
        b.start();
        ASSERT_TRUE(run_until([&] { return b.done(); }, 30s))
            << b.completed << " of " << b.reqs.size() << " writes completed";
    }
    std::uint64_t ok_bytes = 0;
    for (const request& r : b.reqs) {
        EXPECT_EQ(r.completions, 1) << "offset " << r.stream;
        if (r.stream + r.length <= limit) {
            EXPECT_FALSE(r.result.error) << describe_error(r.result.where, r.result.error);
            ok_bytes += r.length;
        } else {
            EXPECT_EQ(r.result.error, std::errc::file_too_large)
                << "offset " << r.stream << ": " << describe_error(r.result.where, r.result.error);
            EXPECT_EQ(r.result.where, "full.bin at offset " + std::to_string(r.stream));
        }
    }
    EXPECT_EQ(ok_bytes, 6u * block);
    EXPECT_EQ(s->bytes_written(), ok_bytes);
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
