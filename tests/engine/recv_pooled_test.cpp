// recv_pooled: receives whose buffer comes from the context's pool only when
// data arrives. Idle connections hold no buffer; data arrives byte-exact and
// in order, multishot and single-shot; an empty pool makes receives wait,
// not fail; cancel, close and the context's destruction end them exactly once.
#include <algorithm>
#include <vector>

#include "test_support.hpp"

namespace swarmbench::test {
namespace {

/// A pattern stream received through one recv_pooled operation: every chunk
/// is checked against the pattern at its offset, then released or held.
/// Lives in the fixture's kept objects (the operation may outlive the test body).
struct pooled_stream {
    io_context* ctx = nullptr;           // the context that lends the buffers
    tracked_op* op = nullptr;            // the recv_pooled operation
    std::uint64_t seed = 0;              // pattern stream expected
    std::uint64_t received = 0;          // bytes received and checked
    int chunks = 0;                      // completions that carried data
    int mismatches = 0;                  // chunks that differed from the pattern
    int malformed = 0;                   // data without bytes, bytes without data, or a chunk too big
    std::uint32_t buffer_size = 0;       // the most one chunk may carry
    bool hold = false;                   // keep buffers (release_held() gives them back) instead of releasing
    bool resubmit = false;               // single-shot: submit again after each chunk
    std::vector<std::byte*> held;        // buffers kept while `hold`

    /// Arms `t` as recv_pooled on `socket` (multishot if asked) with this stream as its continuation.
    void start(io_context& c, tracked_op& t, native_handle socket, bool multishot) {
        ctx = &c;
        op = &t;
        t.prepare(op_code::recv_pooled, socket);
        if (multishot) t.op.flags = op_flag_multishot;
        t.then = [this](tracked_op& done) { on_chunk(done); };
        t.submit_to(c);
    }

    void on_chunk(tracked_op& t) {
        const operation& o = t.op;
        if (o.error || o.result <= 0) {
            if (o.data != nullptr) ++malformed;
            return;
        }
        if (o.data == nullptr || o.result > static_cast<std::int64_t>(buffer_size)) {
            ++malformed;
            return;
        }
        const auto n = static_cast<std::size_t>(o.result);
        if (first_mismatch(o.data, n, seed, received) != n) ++mismatches;
        received += n;
        ++chunks;
        if (hold) {
            held.push_back(o.data);
        } else {
            ctx->release_recv_buffer(o.data);
        }
        // Single-shot: submit again for the next chunk (allowed from on_complete).
        if (resubmit && !o.more()) t.submit_to(*ctx);
    }

    void release_held() {
        for (std::byte* p : held) ctx->release_recv_buffer(p);
        held.clear();
    }
};

class recv_pooled : public engine_test {
protected:
    /// A context with a receive pool of `count` buffers of `size` bytes.
    void use_pool(unsigned size, unsigned count) {
        context_options options;
        options.recv_buffer_size = size;
        options.recv_buffer_count = count;
        ASSERT_NO_FATAL_FAILURE(recreate_context(options));
        buffer_size_ = size;
    }

    pooled_stream& new_stream(std::uint64_t stream_seed) {
        pooled_stream& s = keep<pooled_stream>();
        s.seed = stream_seed;
        s.buffer_size = buffer_size_;
        return s;
    }

    /// A stream of pattern `stream_seed` armed as recv_pooled on `socket`.
    pooled_stream& arm(native_handle socket, std::uint64_t stream_seed, bool multishot, bool hold = false) {
        pooled_stream& s = new_stream(stream_seed);
        s.hold = hold;
        s.start(ctx(), new_op(), socket, multishot);
        return s;
    }

    /// Sends bytes [offset, offset + n) of pattern stream `seed` from `socket`.
    tracked_op& send_pattern(native_handle socket, std::uint32_t n, std::uint64_t stream_seed,
                             std::uint64_t offset = 0) {
        std::byte* msg = new_buffer(n);
        fill_pattern(msg, n, stream_seed, offset);
        tracked_op& snd = new_op();
        snd.prepare(op_code::send, socket, msg, n);
        snd.submit_to(ctx());
        return snd;
    }

    /// Turns the loop a few times: enough for armed operations to reach the kernel.
    void settle() {
        for (int i = 0; i < 5; ++i) ctx().run_once(1ms);
    }

    unsigned buffer_size_ = context_options{}.recv_buffer_size;  // as given to use_pool
};

// ---- idle connections ----

TEST_P(recv_pooled, idle_connections_hold_no_buffer_then_each_gets_its_bytes_and_its_close) {
    // 1,000 connections are 2,000 descriptors: raise the soft limit where it is lower.
    nofile_limit limit;
    std::size_t connections = 1000;
    const std::uint64_t wanted = 2 * connections + 256;
    if (limit.soft() < wanted) {
        const std::uint64_t soft = std::min<std::uint64_t>(wanted, limit.hard());
        std::string why;
        if (!limit.set_soft(soft, &why)) GTEST_SKIP() << "cannot raise RLIMIT_NOFILE: " << why;
        connections = std::min<std::size_t>(connections, static_cast<std::size_t>(soft - 256) / 2);
        ASSERT_GE(connections, 100u) << "descriptor limit too low for this test";
    }

    native_handle listener = invalid_handle;
    endpoint where;
    ASSERT_NO_FATAL_FAILURE(open_loopback_listener(1024, listener, where));
    std::vector<native_handle> servers;
    tracked_op& acc = new_op();
    acc.prepare(op_code::accept, listener);
    acc.op.flags = op_flag_multishot;
    acc.then = [&servers](tracked_op& t) {
        if (!t.error && t.op.more()) servers.push_back(t.op.accepted());
    };
    acc.submit_to(ctx());
    std::vector<tracked_op*> connects;
    for (std::size_t i = 0; i < connections; ++i) {
        tracked_op* con = nullptr;
        ASSERT_NO_FATAL_FAILURE(start_connect(where, 0ms, con));
        connects.push_back(con);
    }
    ASSERT_TRUE(run_until(
        [&] {
            return servers.size() == connections &&
                   std::all_of(connects.begin(), connects.end(), [](tracked_op* c) { return c->done(); });
        },
        60s))
        << servers.size() << " of " << connections << " accepted";
    for (tracked_op* c : connects) ASSERT_FALSE(c->error) << describe_error("connect", c->error);
    ctx().cancel(acc.op);
    ASSERT_NO_FATAL_FAILURE(wait_done(acc));

    std::vector<pooled_stream*> streams;
    for (std::size_t i = 0; i < connections; ++i) streams.push_back(&arm(servers[i], i, true));
    settle();
    EXPECT_EQ(ctx().recv_buffers_lent(), 0u) << "idle receives must hold no buffer";
    EXPECT_EQ(ctx().pending(), connections);
    for (pooled_stream* s : streams) ASSERT_EQ(s->op->completions, 0);

    // Every 10th client sends 100 bytes: exactly those receive, and give the buffers back.
    std::vector<tracked_op*> sends;
    for (std::size_t i = 0; i < connections; i += 10) sends.push_back(&send_pattern(connects[i]->op.handle, 100, i));
    ASSERT_TRUE(run_until([&] {
        for (std::size_t i = 0; i < connections; i += 10)
            if (streams[i]->received < 100) return false;
        return true;
    }));
    for (std::size_t i = 0; i < connections; ++i) {
        const pooled_stream& s = *streams[i];
        EXPECT_EQ(s.received, i % 10 == 0 ? 100u : 0u) << "connection " << i;
        EXPECT_EQ(s.mismatches + s.malformed, 0) << "connection " << i;
        EXPECT_EQ(s.op->final_completions, 0) << "connection " << i << ": " << s.op->error.message();
    }
    EXPECT_EQ(ctx().recv_buffers_lent(), 0u);

    // Every client closes: every receive ends once with result 0 and no buffer.
    for (tracked_op* c : connects) ctx().close_now(c->op.handle);
    ASSERT_TRUE(run_until(
        [&] { return std::all_of(streams.begin(), streams.end(), [](pooled_stream* s) { return s->op->done(); }); },
        60s));
    for (pooled_stream* s : streams) {
        EXPECT_EQ(s->op->final_completions, 1);
        EXPECT_EQ(s->op->result, 0);
        EXPECT_FALSE(s->op->error) << s->op->error.message();
        EXPECT_EQ(s->op->op.data, nullptr);
    }
    EXPECT_EQ(ctx().recv_buffers_lent(), 0u);
    for (native_handle h : servers) ctx().close_now(h);
    ctx().close_now(listener);
}

// ---- data: multishot and single-shot ----

TEST_P(recv_pooled, multishot_delivers_every_byte_in_order_then_the_close) {
    ASSERT_NO_FATAL_FAILURE(use_pool(4096, 8));
    tcp_pair pair;
    ASSERT_NO_FATAL_FAILURE(make_pair(pair));
    pooled_stream& s = arm(pair.server, 7, true);

    constexpr std::uint32_t part = 256 * 1024;
    constexpr int parts = 4;
    std::vector<tracked_op*> sends;
    for (int i = 0; i < parts; ++i) sends.push_back(&send_pattern(pair.client, part, 7, std::uint64_t{part} * i));
    ASSERT_TRUE(run_until([&] { return s.received == std::uint64_t{part} * parts; }, 30s))
        << "received " << s.received;
    for (tracked_op* snd : sends) EXPECT_EQ(snd->result, part) << describe_error("send", snd->error);
    EXPECT_EQ(s.mismatches, 0);
    EXPECT_EQ(s.malformed, 0);
    EXPECT_GE(s.chunks, static_cast<int>(std::uint64_t{part} * parts / 4096));
    EXPECT_EQ(s.op->final_completions, 0) << "multishot must stay armed: " << s.op->error.message();
    EXPECT_EQ(ctx().recv_buffers_lent(), 0u);

    tracked_op& fin = new_op();
    fin.prepare(op_code::shutdown, pair.client);
    fin.submit_to(ctx());
    ASSERT_NO_FATAL_FAILURE(wait_done(*s.op));
    EXPECT_EQ(s.op->completions, s.chunks + 1);
    EXPECT_EQ(s.op->final_completions, 1);
    EXPECT_EQ(s.op->result, 0) << "the peer's FIN is result 0";
    EXPECT_FALSE(s.op->error) << s.op->error.message();
    EXPECT_EQ(s.op->op.data, nullptr);
    for (native_handle h : {pair.client, pair.server}) ASSERT_NO_FATAL_FAILURE(close_and_wait(h));
}

TEST_P(recv_pooled, single_shot_completes_once_per_submit_and_buffers_may_come_back_later) {
    ASSERT_NO_FATAL_FAILURE(use_pool(1024, 16));
    tcp_pair pair;
    ASSERT_NO_FATAL_FAILURE(make_pair(pair));
    pooled_stream& s = new_stream(11);
    s.hold = true;
    s.resubmit = true;
    s.start(ctx(), new_op(), pair.server, false);

    constexpr std::uint32_t total = 10000;
    send_pattern(pair.client, total, 11);
    // Buffers are held past their completion and given back from here, later.
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (s.received < total && std::chrono::steady_clock::now() < deadline) {
        run_until([&] { return s.received == total || s.held.size() >= 4 || ctx().recv_buffers_lent() == 16; }, 5s);
        EXPECT_EQ(ctx().recv_buffers_lent(), s.held.size());
        s.release_held();
    }
    ASSERT_EQ(s.received, total);
    EXPECT_EQ(s.mismatches, 0);
    EXPECT_EQ(s.malformed, 0);
    EXPECT_EQ(s.op->completions, s.chunks);
    EXPECT_EQ(s.op->submissions, s.chunks + 1) << "one more is armed for the next chunk";
    EXPECT_EQ(ctx().recv_buffers_lent(), 0u);

    // The armed one sees the close: once, result 0, no buffer.
    ctx().close_now(pair.client);
    ASSERT_NO_FATAL_FAILURE(wait_done(*s.op));
    EXPECT_EQ(s.op->completions, s.chunks + 1);
    EXPECT_EQ(s.op->result, 0);
    EXPECT_FALSE(s.op->error) << s.op->error.message();
    EXPECT_EQ(s.op->op.data, nullptr);
    ASSERT_NO_FATAL_FAILURE(close_and_wait(pair.server));
}

// ---- an empty pool ----

TEST_P(recv_pooled, empty_pool_makes_receives_wait_and_resume_without_loss) {
    ASSERT_NO_FATAL_FAILURE(use_pool(1024, 2));
    tcp_pair a;
    tcp_pair b;
    ASSERT_NO_FATAL_FAILURE(make_pair(a));
    ASSERT_NO_FATAL_FAILURE(make_pair(b));
    pooled_stream& multi = new_stream(21);
    pooled_stream& single = new_stream(22);
    multi.hold = single.hold = true;
    single.resubmit = true;
    multi.start(ctx(), new_op(), a.server, true);
    single.start(ctx(), new_op(), b.server, false);
    constexpr std::uint32_t a_bytes = 16 * 1024;
    constexpr std::uint32_t b_bytes = 6 * 1024;
    send_pattern(a.client, a_bytes, 21);
    send_pattern(b.client, b_bytes, 22);

    // Both buffers go out and stay out: the receives wait instead of failing.
    ASSERT_TRUE(run_until([&] { return ctx().recv_buffers_lent() == 2 && ctx().counters().recv_starved > 0; }, 10s))
        << "lent " << ctx().recv_buffers_lent() << ", starved " << ctx().counters().recv_starved;
    const int chunks_before = multi.chunks + single.chunks;
    for (int i = 0; i < 20; ++i) ctx().run_once(1ms);
    EXPECT_EQ(multi.chunks + single.chunks, chunks_before) << "no chunk without a buffer";
    EXPECT_EQ(multi.op->final_completions, 0) << "an empty pool must not end a receive: " << multi.op->error.message();
    EXPECT_EQ(single.op->final_completions, single.chunks) << single.op->error.message();

    // Give buffers back round after round: everything arrives, in order.
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    for (int round = 0; round < 1000 && std::chrono::steady_clock::now() < deadline; ++round) {
        if (multi.received == a_bytes && single.received == b_bytes) break;
        multi.release_held();
        single.release_held();
        // Until both buffers are out again and delivered (held), or the last bytes are in.
        run_until([&] {
            return multi.held.size() + single.held.size() == 2 ||
                   multi.received + single.received == a_bytes + b_bytes;
        }, 5s);
    }
    EXPECT_EQ(multi.received, a_bytes);
    EXPECT_EQ(single.received, b_bytes);
    EXPECT_EQ(multi.mismatches + single.mismatches, 0);
    EXPECT_EQ(multi.malformed + single.malformed, 0);
    EXPECT_GT(ctx().counters().recv_starved, 0u);
    EXPECT_EQ(multi.op->final_completions, 0);
    EXPECT_EQ(single.op->final_completions, single.chunks);
    multi.release_held();
    single.release_held();
    EXPECT_EQ(ctx().recv_buffers_lent(), 0u);

    ctx().cancel(multi.op->op);
    ctx().cancel(single.op->op);
    ASSERT_TRUE(run_until([&] { return multi.op->done() && single.op->done(); }));
    for (native_handle h : {a.client, a.server, b.client, b.server}) ASSERT_NO_FATAL_FAILURE(close_and_wait(h));
}

// ---- cancel and close ----

TEST_P(recv_pooled, cancel_and_close_end_it_once_whether_armed_or_starved) {
    ASSERT_NO_FATAL_FAILURE(use_pool(1024, 1));
    tcp_pair p[4];
    for (tcp_pair& pair : p) ASSERT_NO_FATAL_FAILURE(make_pair(pair));
    pooled_stream& armed_cancel = arm(p[0].server, 31, true);
    pooled_stream& armed_close = arm(p[1].server, 32, false);
    pooled_stream& starved_cancel = arm(p[2].server, 33, true, true);
    pooled_stream& starved_close = arm(p[3].server, 34, true);
    settle();

    // Armed and idle: cancel one, close the other's socket.
    ctx().cancel(armed_cancel.op->op);
    tracked_op& close1 = new_op();
    close1.prepare(op_code::close, p[1].server);
    close1.submit_to(ctx());
    ASSERT_TRUE(run_until([&] { return armed_cancel.op->done() && armed_close.op->done() && close1.done(); }));
    for (pooled_stream* s : {&armed_cancel, &armed_close}) {
        EXPECT_EQ(s->op->completions, 1);
        EXPECT_TRUE(cancelled(*s->op)) << s->op->error.message();
        EXPECT_EQ(s->op->op.data, nullptr);
    }
    EXPECT_FALSE(close1.error) << close1.error.message();

    // The one buffer goes to p[2] and is held; then p[2] and p[3] both wait.
    send_pattern(p[2].client, 2048, 33);
    ASSERT_TRUE(run_until([&] { return starved_cancel.chunks == 1; }));
    std::byte* kept = starved_cancel.held.at(0);
    const auto kept_bytes = static_cast<std::size_t>(starved_cancel.received);
    send_pattern(p[3].client, 512, 34);
    ASSERT_TRUE(run_until([&] { return ctx().counters().recv_starved >= 2; }, 10s))
        << "starved " << ctx().counters().recv_starved;
    EXPECT_EQ(ctx().recv_buffers_lent(), 1u);

    ctx().cancel(starved_cancel.op->op);
    tracked_op& close3 = new_op();
    close3.prepare(op_code::close, p[3].server);
    close3.submit_to(ctx());
    ASSERT_TRUE(run_until([&] { return starved_cancel.op->done() && starved_close.op->done() && close3.done(); }));
    EXPECT_EQ(starved_cancel.op->completions, 2);
    EXPECT_TRUE(cancelled(*starved_cancel.op)) << starved_cancel.op->error.message();
    EXPECT_EQ(starved_close.op->completions, 1);
    EXPECT_TRUE(cancelled(*starved_close.op)) << starved_close.op->error.message();
    EXPECT_EQ(starved_close.received, 0u);

    // The buffer handed over before the cancel is still the caller's, intact.
    EXPECT_EQ(ctx().recv_buffers_lent(), 1u);
    EXPECT_EQ(first_mismatch(kept, kept_bytes, 33, 0), kept_bytes);
    starved_cancel.release_held();
    EXPECT_EQ(ctx().recv_buffers_lent(), 0u);

    // The cancelled connection still works, with the bytes TCP held for it.
    pooled_stream& again = arm(p[2].server, 33, true);
    again.received = kept_bytes;  // set before any chunk: completions run from run_once only
    ASSERT_TRUE(run_until([&] { return again.received == 2048; })) << "received " << again.received;
    EXPECT_EQ(again.mismatches + again.malformed, 0);
    ctx().cancel(again.op->op);
    ASSERT_NO_FATAL_FAILURE(wait_done(*again.op));
    for (native_handle h : {p[0].client, p[0].server, p[1].client, p[2].client, p[2].server, p[3].client}) {
        ASSERT_NO_FATAL_FAILURE(close_and_wait(h));
    }
}

// ---- destruction ----

TEST_P(recv_pooled, destroying_the_context_completes_each_pending_receive_once) {
    ASSERT_NO_FATAL_FAILURE(use_pool(1024, 1));
    tcp_pair p[3];
    for (tcp_pair& pair : p) ASSERT_NO_FATAL_FAILURE(make_pair(pair));
    pooled_stream& holder = arm(p[0].server, 41, true, true);
    pooled_stream& starved = arm(p[1].server, 42, true);
    pooled_stream& idle = arm(p[2].server, 43, false);
    send_pattern(p[0].client, 1024, 41);
    ASSERT_TRUE(run_until([&] { return holder.chunks == 1; }));
    send_pattern(p[1].client, 1024, 42);
    ASSERT_TRUE(run_until([&] { return ctx().counters().recv_starved >= 1; }, 10s));
    ASSERT_EQ(ctx().recv_buffers_lent(), 1u);

    // The caller still holds a buffer and three receives are pending.
    ctx_.reset();
    for (pooled_stream* s : {&holder, &starved, &idle}) {
        EXPECT_EQ(s->op->final_completions, 1);
        EXPECT_TRUE(cancelled(*s->op)) << s->op->error.message();
        EXPECT_EQ(s->op->op.data, nullptr);
    }
    EXPECT_EQ(holder.op->completions, 2);
    EXPECT_EQ(starved.op->completions, 1);
    EXPECT_EQ(idle.op->completions, 1);
    EXPECT_EQ(holder.mismatches + starved.mismatches + idle.mismatches, 0);

    // The sockets are the caller's: a fresh context closes them.
    ASSERT_NO_FATAL_FAILURE(recreate_context(context_options{}));
    for (const tcp_pair& pair : p) {
        ctx().close_now(pair.client);
        ctx().close_now(pair.server);
    }
}

INSTANTIATE_TEST_SUITE_P(, recv_pooled, ::testing::ValuesIn(compiled_backends()), backend_param_name);

}  // namespace
}  // namespace swarmbench::test
