#include "test_support.hpp"

#include <atomic>

#include "swarmbench/temp_dir.hpp"

namespace swarmbench::test {

namespace {
// Set while a fixture tears down: continuations capture the test body's
// locals, which are gone by then, so completions are only recorded.
std::atomic<bool> tearing_down{false};
}  // namespace

std::string backend_param_name(const ::testing::TestParamInfo<backend_kind>& info) {
    return to_string(info.param);
}

// ---- tracked_op ----

tracked_op::tracked_op() {
    op.user = this;
    op.on_complete = &tracked_op::complete;
}

void tracked_op::prepare(op_code code, native_handle handle, std::byte* data, std::uint32_t size) {
    op.code = code;
    op.flags = op_flag_none;
    op.handle = handle;
    op.data = data;
    op.size = size;
    op.offset = 0;
    op.timeout = std::chrono::nanoseconds(0);
    op.peer = endpoint{};
    op.result = 0;
    op.error.clear();
    op.more_ = false;
}

void tracked_op::submit_to(io_context& ctx) {
    ++submissions;
    ctx.submit(op);
}

void tracked_op::complete(operation& op) {
    auto* self = static_cast<tracked_op*>(op.user);
    ++self->completions;
    if (!op.more()) ++self->final_completions;
    self->result = op.result;
    self->error = op.error;
    self->thread = std::this_thread::get_id();
    if (self->then && !tearing_down.load(std::memory_order_relaxed)) self->then(*self);
}

// ---- run_until ----

bool run_until(io_context& ctx, const std::function<bool()>& done, std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    // A turn waits at most 5 ms, so the count bound is generous yet finite.
    const long max_turns = static_cast<long>(limit.count()) * 50 + 1000;
    for (long turn = 0; turn < max_turns; ++turn) {
        if (done()) return true;
        if (std::chrono::steady_clock::now() >= deadline) break;
        ctx.run_once(5ms);
    }
    return done();
}

// ---- engine_test ----

void engine_test::SetUp() {
    tearing_down.store(false);
    std::string why;
    if (!backend_available(kind(), &why)) GTEST_SKIP() << to_string(kind()) << " unavailable here: " << why;
    std::error_code ec;
    ctx_ = make_io_context(kind(), context_options{}, ec);
    ASSERT_TRUE(ctx_ != nullptr) << describe_error(std::string("make_io_context(") + to_string(kind()) + ")", ec);
    ASSERT_EQ(ctx_->kind(), kind());
}

void engine_test::recreate_context(const context_options& options) {
    ASSERT_TRUE(ctx_ == nullptr || ctx_->pending() == 0) << "recreate_context with operations pending";
    ctx_.reset();
    std::error_code ec;
    ctx_ = make_io_context(kind(), options, ec);
    ASSERT_TRUE(ctx_ != nullptr) << describe_error(std::string("make_io_context(") + to_string(kind()) + ")", ec);
}

void engine_test::TearDown() {
    tearing_down.store(true);
    if (ctx_) {
        // Give stragglers a bounded chance, then insist nothing was lost.
        run_until([&] { return ctx_->pending() == 0; }, 2s);
        EXPECT_EQ(ctx_->pending(), 0u) << "operations still pending at the end of the test";
        ctx_.reset();
    }
    kept_.clear();
    tearing_down.store(false);
}

void engine_test::wait_done(tracked_op& op, std::chrono::milliseconds limit) {
    ASSERT_TRUE(run_until([&] { return op.done(); }, limit))
        << to_string(op.op.code) << " did not complete within " << limit.count() << " ms";
}

void engine_test::open_loopback_listener(int backlog, native_handle& listener, endpoint& where) {
    std::error_code ec;
    listener = ctx().open_listener(endpoint::loopback_v4(0), backlog, false, ec);
    ASSERT_FALSE(ec) << describe_error("open_listener", ec);
    ASSERT_NE(listener, invalid_handle);
    where = ctx().local_endpoint(listener, ec);
    ASSERT_FALSE(ec) << describe_error("local_endpoint", ec);
    ASSERT_NE(where.port, 0);
}

void engine_test::start_connect(const endpoint& peer, std::chrono::milliseconds timeout, tracked_op*& out) {
    std::error_code ec;
    native_handle s = ctx().open_tcp_socket(endpoint::family_t::v4, nullptr, ec);
    ASSERT_FALSE(ec) << describe_error("open_tcp_socket", ec);
    tracked_op& con = new_op();
    con.prepare(op_code::connect, s);
    con.op.peer = peer;
    con.op.timeout = timeout;
    con.submit_to(ctx());
    out = &con;
}

void engine_test::connect_pair(native_handle listener, const endpoint& where, tcp_pair& out) {
    tracked_op& acc = new_op();
    acc.prepare(op_code::accept, listener);
    acc.submit_to(ctx());
    tracked_op* started = nullptr;
    ASSERT_NO_FATAL_FAILURE(start_connect(where, 0ms, started));
    tracked_op& con = *started;
    const native_handle client = con.op.handle;
    ASSERT_TRUE(run_until([&] { return acc.done() && con.done(); }, 10s)) << "accept/connect pair timed out";
    ASSERT_FALSE(con.error) << describe_error("connect", con.error);
    ASSERT_FALSE(acc.error) << describe_error("accept", acc.error);
    ASSERT_EQ(acc.completions, 1);
    ASSERT_EQ(con.completions, 1);
    ASSERT_GE(acc.result, 0);
    EXPECT_EQ(acc.op.peer.family, endpoint::family_t::v4) << "accept must fill op.peer";
    out.client = client;
    out.server = acc.op.accepted();
}

void engine_test::make_pair(tcp_pair& out) {
    native_handle listener = invalid_handle;
    endpoint where;
    ASSERT_NO_FATAL_FAILURE(open_loopback_listener(8, listener, where));
    ASSERT_NO_FATAL_FAILURE(connect_pair(listener, where, out));
    ctx().close_now(listener);
}

std::uint16_t engine_test::unused_port() {
    std::error_code ec;
    endpoint any = endpoint::loopback_v4(0);
    native_handle s = ctx().open_tcp_socket(endpoint::family_t::v4, &any, ec);
    EXPECT_FALSE(ec) << describe_error("open_tcp_socket(bound)", ec);
    if (ec) return 0;
    endpoint bound = ctx().local_endpoint(s, ec);
    EXPECT_FALSE(ec) << describe_error("local_endpoint", ec);
    ctx().close_now(s);
    return bound.port;
}

void engine_test::close_and_wait(native_handle h) {
    tracked_op& c = new_op();
    c.prepare(op_code::close, h);
    c.submit_to(ctx());
    ASSERT_NO_FATAL_FAILURE(wait_done(c));
    EXPECT_EQ(c.completions, 1);
    EXPECT_FALSE(c.error) << describe_error("close", c.error);
}

void engine_test::expect_transfer(native_handle from, native_handle to, std::byte* msg, std::byte* got,
                                  std::uint32_t n, std::uint64_t seed, std::chrono::milliseconds limit) {
    fill_pattern(msg, n, seed, 0);
    tracked_op& snd = new_op();
    snd.prepare(op_code::send, from, msg, n);
    snd.submit_to(ctx());
    tracked_op& rcv = new_op();
    rcv.prepare(op_code::recv, to, got, n);
    rcv.op.flags = op_flag_recv_all;
    rcv.submit_to(ctx());
    ASSERT_TRUE(run_until([&] { return snd.done() && rcv.done(); }, limit))
        << "send " << snd.done() << ", recv " << rcv.done();
    EXPECT_EQ(snd.completions, 1);
    EXPECT_EQ(rcv.completions, 1);
    EXPECT_EQ(snd.result, n) << describe_error("send", snd.error);
    EXPECT_EQ(rcv.result, n) << describe_error("recv", rcv.error);
    EXPECT_EQ(first_mismatch(got, n, seed, 0), n);
}

// ---- byte patterns ----

void fill_pattern(std::byte* data, std::size_t n, std::uint64_t seed, std::uint64_t offset) noexcept {
    for (std::size_t i = 0; i < n; ++i) data[i] = pattern_byte(seed, offset + i);
}

std::size_t first_mismatch(const std::byte* data, std::size_t n, std::uint64_t seed,
                           std::uint64_t offset) noexcept {
    for (std::size_t i = 0; i < n; ++i)
        if (data[i] != pattern_byte(seed, offset + i)) return i;
    return n;
}

// ---- OS helpers (portable part; the rest in test_support_<os>.cpp) ----

temp_dir::temp_dir() {
    std::error_code ec;
    path_ = make_temp_dir("swarmbench-test-", ec);
}

temp_dir::~temp_dir() {
    if (path_.empty()) return;
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

}  // namespace swarmbench::test
