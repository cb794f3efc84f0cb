// Cancellation: of pending operations, racing completions, through close,
// and through destruction of the context. Exactly once, every time.
#include "test_support.hpp"

namespace swarmbench::test {
namespace {

class cancel : public engine_test {
protected:
    /// Operations that stay pending until cancelled: a recv on an idle
    /// connection, an accept on an idle listener and a 60 s timer.
    struct idle_ops {
        tcp_pair pair;                            // rcv waits on pair.client
        native_handle listener = invalid_handle;  // acc waits on it
        endpoint where;                           // listener's address
        tracked_op* rcv = nullptr;                // recv, prepared
        tracked_op* acc = nullptr;                // accept, prepared
        tracked_op* tmr = nullptr;                // timer, prepared
    };

    /// Opens what `out` names and prepares (does not submit) its operations.
    void prepare_idle_ops(idle_ops& out) {
        ASSERT_NO_FATAL_FAILURE(make_pair(out.pair));
        ASSERT_NO_FATAL_FAILURE(open_loopback_listener(8, out.listener, out.where));
        out.rcv = &new_op();
        out.rcv->prepare(op_code::recv, out.pair.client, new_buffer(1024), 1024);
        out.acc = &new_op();
        out.acc->prepare(op_code::accept, out.listener);
        out.tmr = &new_op();
        out.tmr->prepare(op_code::timer);
        out.tmr->op.timeout = 60s;
    }
};


// ---- pending recv, accept, timer ----

TEST_P(cancel, pending_recv_accept_and_timer_complete_once_with_operation_canceled) {
    idle_ops idle;
    ASSERT_NO_FATAL_FAILURE(prepare_idle_ops(idle));
    const tcp_pair& pair = idle.pair;
    tracked_op& rcv = *idle.rcv;
    tracked_op& acc = *idle.acc;
    tracked_op& tmr = *idle.tmr;
    tracked_op& multi = new_op();
    for (tracked_op* t : {&rcv, &acc, &tmr}) t->submit_to(ctx());

    // Let them really arm (reach the kernel / the ready lists) before cancelling.
    for (int i = 0; i < 3; ++i) ctx().poll();
    for (tracked_op* t : {&rcv, &acc, &tmr}) EXPECT_EQ(t->completions, 0) << to_string(t->op.code);

    for (tracked_op* t : {&rcv, &acc, &tmr}) {
        ctx().cancel(t->op);
        EXPECT_EQ(t->completions, 0) << "cancel must not complete " << to_string(t->op.code) << " inline";
    }
    ASSERT_TRUE(run_until([&] { return rcv.done() && acc.done() && tmr.done(); }, 10s));
    for (tracked_op* t : {&rcv, &acc, &tmr}) {
        EXPECT_EQ(t->completions, 1) << to_string(t->op.code);
        EXPECT_TRUE(cancelled(*t)) << to_string(t->op.code) << ": " << t->error.message();
    }

    // A multishot accept, cancelled after it accepted once, ends exactly once more.
    multi.prepare(op_code::accept, idle.listener);
    multi.op.flags = op_flag_multishot;
    multi.submit_to(ctx());
    tracked_op* started = nullptr;
    ASSERT_NO_FATAL_FAILURE(start_connect(idle.where, 0ms, started));
    tracked_op& con = *started;
    const native_handle c = con.op.handle;
    ASSERT_TRUE(run_until([&] { return con.done() && multi.completions >= 1; }, 10s));
    EXPECT_FALSE(con.error) << con.error.message();
    EXPECT_EQ(multi.completions, 1);
    EXPECT_TRUE(multi.op.more()) << "multishot accept must stay armed: " << multi.error.message();
    native_handle accepted = multi.op.accepted();
    ctx().cancel(multi.op);
    ASSERT_NO_FATAL_FAILURE(wait_done(multi));
    EXPECT_EQ(multi.completions, 2);
    EXPECT_EQ(multi.final_completions, 1);
    EXPECT_TRUE(cancelled(multi)) << multi.error.message();

    // Cancelling what already completed, or was never submitted, is a no-op.
    const auto completed_before = ctx().counters().completed;
    for (tracked_op* t : {&rcv, &acc, &tmr, &multi}) ctx().cancel(t->op);
    tracked_op& never = new_op();
    never.prepare(op_code::timer);
    ctx().cancel(never.op);
    for (int i = 0; i < 3; ++i) ctx().poll();
    for (tracked_op* t : {&rcv, &acc, &tmr}) EXPECT_EQ(t->completions, 1) << to_string(t->op.code);
    EXPECT_EQ(multi.completions, 2);
    EXPECT_EQ(never.completions, 0);
    EXPECT_EQ(ctx().counters().completed, completed_before);
    EXPECT_EQ(ctx().pending(), 0u);

    // The connection whose recv was cancelled still works.
    ASSERT_NO_FATAL_FAILURE(expect_transfer(pair.server, pair.client, new_buffer(5), new_buffer(5), 5, 1));

    for (native_handle h : {pair.client, pair.server, c, accepted}) ASSERT_NO_FATAL_FAILURE(close_and_wait(h));
    ctx().close_now(idle.listener);
}

// ---- cancel racing a completion ----

TEST_P(cancel, cancel_racing_completion_completes_each_op_exactly_once) {
    constexpr int iterations = 300;
    tcp_pair pair;
    ASSERT_NO_FATAL_FAILURE(make_pair(pair));
    std::byte* out = new_buffer(64);
    std::byte* in = new_buffer(4096);
    fill_pattern(out, 64, 5, 0);

    int timer_ok = 0, timer_cancelled = 0, nop_ok = 0, nop_cancelled = 0;
    int recv_ok = 0, recv_cancelled = 0, other = 0;
    std::uint64_t bytes_sent = 0, bytes_received = 0;
    tracked_op& tmr = new_op();
    tracked_op& nop = new_op();
    tracked_op& snd = new_op();
    tracked_op& rcv = new_op();

    for (int i = 0; i < iterations; ++i) {
        // A timer of 0 or 1 ms and a nop, each cancelled at once.
        tmr.prepare(op_code::timer);
        tmr.op.timeout = std::chrono::milliseconds(i % 2);
        nop.prepare(op_code::nop);
        tmr.submit_to(ctx());
        nop.submit_to(ctx());
        ctx().cancel(tmr.op);
        ctx().cancel(nop.op);

        // A recv cancelled at once while its data is on the way: sent just
        // before (2), already arrived (0), or sent just after the cancel (1).
        snd.prepare(op_code::send, pair.server, out, 64);
        rcv.prepare(op_code::recv, pair.client, in, 4096);
        if (i % 3 != 1) snd.submit_to(ctx());
        if (i % 3 == 0) ctx().poll();
        rcv.submit_to(ctx());
        ctx().cancel(rcv.op);
        if (i % 3 == 1) snd.submit_to(ctx());

        ASSERT_TRUE(run_until([&] { return tmr.done() && nop.done() && snd.done() && rcv.done(); }, 10s))
            << "iteration " << i << ": timer " << tmr.done() << ", nop " << nop.done() << ", send " << snd.done()
            << ", recv " << rcv.done();
        ASSERT_EQ(tmr.completions, i + 1) << "timer completed twice in iteration " << i;
        ASSERT_EQ(nop.completions, i + 1) << "nop completed twice in iteration " << i;
        ASSERT_EQ(rcv.completions, i + 1) << "recv completed twice in iteration " << i;
        ASSERT_EQ(snd.completions, i + 1) << "send completed twice in iteration " << i;

        if (!tmr.error) ++timer_ok; else if (cancelled(tmr)) ++timer_cancelled; else ++other;
        if (!nop.error) ++nop_ok; else if (cancelled(nop)) ++nop_cancelled; else ++other;
        if (!rcv.error && rcv.result > 0) {
            ++recv_ok;
            bytes_received += static_cast<std::uint64_t>(rcv.result);
        } else if (cancelled(rcv)) {
            ++recv_cancelled;
        } else {
            ++other;
            ADD_FAILURE() << "recv: " << rcv.error.message() << " result " << rcv.result;
        }
        ASSERT_FALSE(snd.error) << describe_error("send", snd.error);
        bytes_sent += static_cast<std::uint64_t>(snd.result);
    }
    EXPECT_EQ(other, 0) << "only a result or operation_canceled are allowed";
    EXPECT_EQ(timer_ok + timer_cancelled, iterations);
    EXPECT_EQ(nop_ok + nop_cancelled, iterations);
    EXPECT_EQ(recv_ok + recv_cancelled, iterations);
    EXPECT_EQ(ctx().pending(), 0u);
    std::printf("%s races: timer %d ok / %d cancelled, nop %d / %d, recv %d / %d\n", to_string(kind()), timer_ok,
                timer_cancelled, nop_ok, nop_cancelled, recv_ok, recv_cancelled);

    // No byte was lost to a cancelled recv: drain what is left.
    for (int i = 0; i < 1000 && bytes_received < bytes_sent; ++i) {
        rcv.prepare(op_code::recv, pair.client, in, 4096);
        rcv.submit_to(ctx());
        ASSERT_NO_FATAL_FAILURE(wait_done(rcv, 5s));
        ASSERT_FALSE(rcv.error) << rcv.error.message();
        ASSERT_GT(rcv.result, 0);
        bytes_received += static_cast<std::uint64_t>(rcv.result);
    }
    EXPECT_EQ(bytes_sent, 64u * iterations);
    EXPECT_EQ(bytes_received, bytes_sent) << "a cancelled recv must not swallow data";

    ASSERT_NO_FATAL_FAILURE(close_and_wait(pair.client));
    ASSERT_NO_FATAL_FAILURE(close_and_wait(pair.server));
}

// ---- close with pending operations ----

TEST_P(cancel, close_cancels_a_pending_recv_and_completes_without_error) {
    tcp_pair pair;
    ASSERT_NO_FATAL_FAILURE(make_pair(pair));
    std::byte* buf = new_buffer(1024);
    tracked_op& rcv = new_op();
    rcv.prepare(op_code::recv, pair.client, buf, 1024);
    rcv.submit_to(ctx());
    ctx().poll();
    EXPECT_EQ(rcv.completions, 0);

    tracked_op& cls = new_op();
    cls.prepare(op_code::close, pair.client);
    cls.submit_to(ctx());
    EXPECT_EQ(cls.completions, 0) << "close must not complete inline";
    ASSERT_TRUE(run_until([&] { return rcv.done() && cls.done(); }, 10s));
    EXPECT_EQ(rcv.completions, 1);
    EXPECT_TRUE(cancelled(rcv)) << rcv.error.message();
    EXPECT_EQ(cls.completions, 1);
    EXPECT_FALSE(cls.error) << describe_error("close", cls.error);

    // The peer sees the close as end of stream.
    tracked_op& peer = new_op();
    peer.prepare(op_code::recv, pair.server, buf, 1024);
    peer.submit_to(ctx());
    ASSERT_NO_FATAL_FAILURE(wait_done(peer));
    EXPECT_FALSE(peer.error) << peer.error.message();
    EXPECT_EQ(peer.result, 0);
    ASSERT_NO_FATAL_FAILURE(close_and_wait(pair.server));
}

// ---- destruction with pending operations ----

TEST_P(cancel, destroying_the_context_completes_pending_ops_once_with_operation_canceled) {
    idle_ops idle;
    ASSERT_NO_FATAL_FAILURE(prepare_idle_ops(idle));
    tracked_op& multi = new_op();
    multi.prepare(op_code::accept, idle.listener);
    multi.op.flags = op_flag_multishot;
    tracked_op& queued = new_op();  // submitted but never run through the loop
    queued.prepare(op_code::timer);
    queued.op.timeout = 60s;

    std::vector<tracked_op*> all{idle.rcv, idle.acc, &multi, idle.tmr};
    for (tracked_op* t : all) t->submit_to(ctx());
    for (int i = 0; i < 3; ++i) ctx().poll();
    queued.submit_to(ctx());
    all.push_back(&queued);
    for (tracked_op* t : all) EXPECT_EQ(t->completions, 0) << to_string(t->op.code);

    const auto me = std::this_thread::get_id();
    ctx_.reset();
    for (tracked_op* t : all) {
        EXPECT_EQ(t->completions, 1) << to_string(t->op.code) << " must complete exactly once in the destructor";
        EXPECT_EQ(t->final_completions, 1) << to_string(t->op.code);
        EXPECT_TRUE(cancelled(*t)) << to_string(t->op.code) << ": " << t->error.message();
        EXPECT_EQ(t->thread, me) << "completions run on the destroying thread";
    }

    // The handles outlive the context; close them with a fresh one.
    std::error_code ec;
    auto other = make_io_context(kind(), context_options{}, ec);
    ASSERT_TRUE(other) << describe_error("make_io_context", ec);
    for (native_handle h : {idle.pair.client, idle.pair.server, idle.listener}) other->close_now(h);
}

INSTANTIATE_TEST_SUITE_P(, cancel, ::testing::ValuesIn(compiled_backends()), backend_param_name);

}  // namespace
}  // namespace swarmbench::test
