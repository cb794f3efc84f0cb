// test_support: what every engine test shares.
//
// [SECTION] backend parameter: naming and skipping
// [SECTION] tracked_op: an operation that counts its completions
// [SECTION] run_until: bounded event-loop turns, never fixed sleeps
// [SECTION] engine_test: the TEST_P fixture (context, kept objects, socket pairs)
// [SECTION] byte patterns
// [SECTION] OS helpers: temp dir, RLIMIT_NOFILE guard, socket options
//   (declared here; test_support_posix.cpp and test_support_win.cpp define
//   the OS-specific ones)
//
// Lifetime rule of the fixture: an operation or buffer that might still be
// pending when a test fails half-way must outlive the context, so tests get
// them from keep()/new_op()/new_buffer(), which the fixture destroys after
// the context (whose destructor completes everything still pending).
//
// Thread rules: everything here runs on the test's thread, which owns the
// context, unless a comment says otherwise.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "swarmbench/backend.hpp"
#include "swarmbench/error.hpp"
#include "swarmbench/io_context.hpp"
#include "swarmbench/operation.hpp"

namespace swarmbench {
/// Lets gtest print a backend_kind by name in failure messages (found by ADL).
inline void PrintTo(backend_kind kind, std::ostream* os) { *os << to_string(kind); }
}  // namespace swarmbench

namespace swarmbench::test {

using namespace std::chrono_literals;

// ---------------------------------------------------------------------------
// [SECTION] backend parameter
// ---------------------------------------------------------------------------

/// "io_uring", "epoll", "iocp": the last part of every parameterized test name.
std::string backend_param_name(const ::testing::TestParamInfo<backend_kind>& info);

// ---------------------------------------------------------------------------
// [SECTION] tracked_op
// ---------------------------------------------------------------------------

/// An operation plus what happened to it. op.user points back here and
/// op.on_complete is tracked_op::complete, which records the completion and
/// then calls `then` (if set; not during the fixture's TearDown, when the
/// test body's locals that `then` captured are gone). Not copyable or movable: the engine holds its address.
struct tracked_op {
    operation op;                           // the request handed to the context
    int submissions = 0;                    // times submit() was called through submit_to()
    int completions = 0;                    // times on_complete ran (multishot: each)
    int final_completions = 0;              // completions with more() == false
    std::int64_t result = 0;                // result of the last completion
    std::error_code error;                  // error of the last completion
    std::thread::id thread;                 // thread that ran the last completion
    std::function<void(tracked_op&)> then;  // continuation, run after recording

    tracked_op();
    tracked_op(const tracked_op&) = delete;
    tracked_op& operator=(const tracked_op&) = delete;

    /// Sets the request and clears op's result fields. The counters keep
    /// accumulating across reuse (done() compares them).
    void prepare(op_code code, native_handle handle = invalid_handle, std::byte* data = nullptr,
                 std::uint32_t size = 0);
    /// submissions++ then ctx.submit(op).
    void submit_to(io_context& ctx);
    /// True when submitted and every submission has had its final completion.
    bool done() const noexcept { return submissions > 0 && final_completions >= submissions; }

    static void complete(operation& op);
};

/// Whether `t` last completed with operation_canceled (cancel, close, destruction).
inline bool cancelled(const tracked_op& t) { return t.error == std::errc::operation_canceled; }

// ---------------------------------------------------------------------------
// [SECTION] run_until
// ---------------------------------------------------------------------------

/// Turns the loop (run_once with a short timeout) until `done()` holds or
/// `limit` passes. Returns whether `done()` held. Bounded in time and count.
bool run_until(io_context& ctx, const std::function<bool()>& done,
               std::chrono::milliseconds limit = 20s);

// ---------------------------------------------------------------------------
// [SECTION] engine_test
// ---------------------------------------------------------------------------

/// A connected loopback TCP pair; both ends belong to the fixture's context.
struct tcp_pair {
    native_handle client = invalid_handle;  // the connect side
    native_handle server = invalid_handle;  // the accepted side
};

class engine_test : public ::testing::TestWithParam<backend_kind> {
protected:
    /// Skips with backend_available()'s reason, else creates the context.
    void SetUp() override;
    /// Expects pending() == 0, then destroys the context before kept objects.
    void TearDown() override;

    backend_kind kind() const { return GetParam(); }
    io_context& ctx() { return *ctx_; }
    /// Replaces the context with one made from `options` (e.g. a tiny receive
    /// pool). Call it before submitting anything: the old one must be idle.
    void recreate_context(const context_options& options);

    /// An object that outlives the context (see the lifetime rule above).
    template <class T, class... Args>
    T& keep(Args&&... args) {
        auto p = std::make_shared<T>(std::forward<Args>(args)...);
        T& ref = *p;
        kept_.push_back(std::move(p));
        return ref;
    }
    tracked_op& new_op() { return keep<tracked_op>(); }
    /// A zero-filled buffer of `n` bytes that outlives the context.
    std::byte* new_buffer(std::size_t n) { return keep<std::vector<std::byte>>(n).data(); }

    bool run_until(const std::function<bool()>& done, std::chrono::milliseconds limit = 20s) {
        return test::run_until(*ctx_, done, limit);
    }
    /// Runs until `op` has had its final completion; fails the test if not.
    void wait_done(tracked_op& op, std::chrono::milliseconds limit = 20s);

    /// A listener on 127.0.0.1:<any>; `where` receives its address.
    void open_loopback_listener(int backlog, native_handle& listener, endpoint& where);
    /// Opens an IPv4 TCP socket (asserting success) and submits a connect
    /// from it to `peer` limited by `timeout` (0: none); `out` receives the
    /// operation, whose op.handle is the socket (the caller closes it).
    void start_connect(const endpoint& peer, std::chrono::milliseconds timeout, tracked_op*& out);
    /// One accept + one connect through the engine on an existing listener.
    void connect_pair(native_handle listener, const endpoint& where, tcp_pair& out);
    /// A fresh pair (its own listener, closed afterwards).
    void make_pair(tcp_pair& out);
    /// A port on 127.0.0.1 with nothing listening (bound, then released).
    std::uint16_t unused_port();
    /// Closes through op_code::close and waits; expects no error.
    void close_and_wait(native_handle h);
    /// Sends `n` bytes of pattern stream `seed` (written into `msg`) from
    /// `from` while `to` receives them into `got` with op_flag_recv_all;
    /// expects both to complete once with all `n` bytes, intact. The "this
    /// connection still works" check. Both buffers hold `n` bytes and must
    /// outlive the context (new_buffer()).
    void expect_transfer(native_handle from, native_handle to, std::byte* msg, std::byte* got,
                         std::uint32_t n, std::uint64_t seed, std::chrono::milliseconds limit = 20s);

    std::vector<std::shared_ptr<void>> kept_;  // destroyed after ctx_ (declared first)
    std::unique_ptr<io_context> ctx_;         // the context under test
};

// ---------------------------------------------------------------------------
// [SECTION] byte patterns
// ---------------------------------------------------------------------------

/// The byte at `offset` of stream `seed`: not periodic at 256 or any buffer size.
inline std::byte pattern_byte(std::uint64_t seed, std::uint64_t offset) noexcept {
    std::uint64_t x = (offset + 1) * 0x9E3779B97F4A7C15ull ^ (seed * 0xC2B2AE3D27D4EB4Full);
    x ^= x >> 29;
    return static_cast<std::byte>(x >> 24);
}
void fill_pattern(std::byte* data, std::size_t n, std::uint64_t seed, std::uint64_t offset) noexcept;
/// Index of the first byte differing from the pattern, or n if none does.
std::size_t first_mismatch(const std::byte* data, std::size_t n, std::uint64_t seed,
                           std::uint64_t offset) noexcept;

// ---------------------------------------------------------------------------
// [SECTION] OS helpers (portable: test_support.cpp; per OS:
//   test_support_posix.cpp, test_support_win.cpp)
// ---------------------------------------------------------------------------

/// A fresh directory under the system's temp directory ($TMPDIR or /tmp,
/// %TEMP% on Windows), removed with its contents.
class temp_dir {
public:
    temp_dir();
    ~temp_dir();
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    bool ok() const { return !path_.empty(); }

private:
    std::filesystem::path path_;  // empty if creation failed
};

/// Saves RLIMIT_NOFILE and restores it on destruction (a scope guard).
/// Windows has no such limit (a process may hold millions of handles): there
/// it reports an unlimited soft and hard limit and set_soft() does nothing.
class nofile_limit {
public:
    nofile_limit();
    ~nofile_limit();
    nofile_limit(const nofile_limit&) = delete;
    nofile_limit& operator=(const nofile_limit&) = delete;
    std::uint64_t soft() const { return soft_; }
    std::uint64_t hard() const { return hard_; }
    /// Sets the soft limit (<= hard); false with errno's message in `why`.
    bool set_soft(std::uint64_t value, std::string* why);

private:
    std::uint64_t soft_ = 0;  // soft limit at construction, restored at the end
    std::uint64_t hard_ = 0;  // hard limit (unchanged)
};

/// The soft RLIMIT_NOFILE that leaves exactly `free_slots` descriptors
/// obtainable. Descriptors are allocated lowest-free-first and the limit caps
/// their numbers, so this counts the holes below the limit (an inherited high
/// descriptor such as 251 must not make room for hundreds more). On Windows:
/// free_slots itself.
std::uint64_t nofile_limit_leaving(std::uint64_t free_slots);
/// SO_SNDBUF and SO_RCVBUF of a socket (the kernel doubles and clamps them).
void set_socket_buffers(native_handle socket, int bytes);
/// SO_SNDBUF only: short sends without starving the receive window.
void set_send_buffer(native_handle socket, int bytes);
/// SO_LINGER {1, 0}: closing the socket then sends RST instead of FIN.
void set_linger_reset(native_handle socket);

}  // namespace swarmbench::test
