// Storage faults that only POSIX can provoke, on every backend (compiled on
// POSIX only; part of storage_test.cpp's `storage` suite):
//
// - an unwritable directory, refused with its path: the test runs as root in
//   CI, so it drops this thread's effective uid with setresuid to make
//   permission bits apply. No Windows counterpart: there the equivalent is a
//   deny ACL, which Wine (where the Windows build is tested) does not
//   enforce, so the test could only ever skip.
// - a full disk reported with file and offset, faked with RLIMIT_FSIZE (writes
//   past a size fail with EFBIG). No Windows counterpart: Windows has no
//   per-process file-size limit, and filling a real volume is neither quick
//   nor safe in a test.
//
// [SECTION] OS guards: RLIMIT_FSIZE, an unprivileged thread
// [SECTION] tests
//
// Thread rules: test thread only; unprivileged_thread changes this thread's
// credentials alone and restores them.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <string>

#include "storage_test_helpers.hpp"
#include "swarmbench/swarm/storage.hpp"
#include "test_support.hpp"

namespace swarmbench::test {
namespace {

using namespace storage_support;

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

// ---------------------------------------------------------------------------
// [SECTION] tests
// ---------------------------------------------------------------------------

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
    zeroed_aligned& content = keep<zeroed_aligned>(t.total_length());
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

}  // namespace
}  // namespace swarmbench::test
