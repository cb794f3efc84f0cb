// Connections that go wrong: peer reset and peer close mid-transfer, connect
// refused, connect timeout.
#include "test_support.hpp"

namespace swarmbench::test {
namespace {

class socket_errors : public engine_test {};

bool is_reset_or_pipe(const std::error_code& ec) {
    return ec == std::errc::connection_reset || ec == std::errc::broken_pipe;
}

// ---- peer reset mid-transfer ----

TEST_P(socket_errors, peer_reset_mid_transfer_fails_pending_send_and_recv_once) {
    constexpr std::uint32_t big = 8u << 20;  // far more than the shrunken buffers hold
    tcp_pair pair;
    ASSERT_NO_FATAL_FAILURE(make_pair(pair));
    set_socket_buffers(pair.client, 8192);
    set_socket_buffers(pair.server, 8192);

    std::byte* out = new_buffer(big);
    fill_pattern(out, big, 3, 0);
    std::byte* in = new_buffer(4096);
    std::byte* peer_in = new_buffer(4096);

    // The client sends more than fits and also waits to receive.
    tracked_op& snd = new_op();
    snd.prepare(op_code::send, pair.client, out, big);
    snd.submit_to(ctx());
    tracked_op& rcv = new_op();
    rcv.prepare(op_code::recv, pair.client, in, 4096);
    rcv.submit_to(ctx());

    // The peer reads a little (so the transfer is really under way) ...
    tracked_op& peer_rcv = new_op();
    peer_rcv.prepare(op_code::recv, pair.server, peer_in, 4096);
    peer_rcv.op.flags = op_flag_recv_all;
    peer_rcv.submit_to(ctx());
    ASSERT_NO_FATAL_FAILURE(wait_done(peer_rcv));
    ASSERT_FALSE(peer_rcv.error) << describe_error("peer recv", peer_rcv.error);
    ASSERT_EQ(peer_rcv.result, 4096);
    EXPECT_EQ(first_mismatch(peer_in, 4096, 3, 0), 4096u);
    EXPECT_FALSE(snd.done()) << "an 8 MiB send cannot have finished through 8 KiB buffers";

    // ... then resets the connection.
    set_linger_reset(pair.server);
    ASSERT_NO_FATAL_FAILURE(close_and_wait(pair.server));

    ASSERT_TRUE(run_until([&] { return snd.done() && rcv.done(); }, 10s))
        << "send done " << snd.done() << ", recv done " << rcv.done();
    EXPECT_EQ(snd.completions, 1);
    EXPECT_EQ(rcv.completions, 1);
    EXPECT_TRUE(is_reset_or_pipe(snd.error)) << "send after RST: " << snd.error.message() << " result " << snd.result;
    EXPECT_TRUE(is_reset_or_pipe(rcv.error) || (!rcv.error && rcv.result == 0))
        << "recv after RST: " << rcv.error.message() << " result " << rcv.result;

    // Nothing completes twice later on.
    ctx().poll();
    EXPECT_EQ(snd.completions, 1);
    EXPECT_EQ(rcv.completions, 1);
    ASSERT_NO_FATAL_FAILURE(close_and_wait(pair.client));
}

// ---- peer orderly close mid-transfer ----

TEST_P(socket_errors, peer_close_mid_transfer_ends_recv_with_zero) {
    constexpr std::uint32_t sent_bytes = 100'003;
    tcp_pair pair;
    ASSERT_NO_FATAL_FAILURE(make_pair(pair));
    std::byte* out = new_buffer(sent_bytes);
    fill_pattern(out, sent_bytes, 11, 0);
    std::byte* in = new_buffer(16384);

    // The reader loops on recv until it sees 0.
    tracked_op& rcv = new_op();
    std::uint64_t received = 0;
    bool eof = false, bad = false;
    rcv.then = [&](tracked_op& r) {
        if (r.error || r.result < 0) return;
        if (r.result == 0) {
            eof = true;
            return;
        }
        auto n = static_cast<std::size_t>(r.result);
        bad = bad || first_mismatch(in, n, 11, received) != n;
        received += n;
        r.prepare(op_code::recv, pair.client, in, 16384);
        r.submit_to(ctx());
    };
    rcv.prepare(op_code::recv, pair.client, in, 16384);
    rcv.submit_to(ctx());

    // The peer sends part of a "transfer" and closes in the middle of it.
    tracked_op& snd = new_op();
    tracked_op& cls = new_op();
    snd.then = [&](tracked_op&) {
        cls.prepare(op_code::close, pair.server);
        cls.submit_to(ctx());
    };
    snd.prepare(op_code::send, pair.server, out, sent_bytes);
    snd.submit_to(ctx());

    ASSERT_TRUE(run_until([&] { return eof || rcv.error; }, 10s)) << "received " << received;
    EXPECT_FALSE(rcv.error) << describe_error("recv", rcv.error);
    EXPECT_TRUE(eof);
    EXPECT_EQ(received, sent_bytes);
    EXPECT_FALSE(bad) << "received bytes differ from the pattern";
    EXPECT_EQ(rcv.completions, rcv.submissions);
    EXPECT_EQ(snd.completions, 1);
    EXPECT_EQ(snd.result, sent_bytes);
    ASSERT_NO_FATAL_FAILURE(wait_done(cls));
    EXPECT_FALSE(cls.error);

    // recv_all: the peer closing first ends it early with what arrived.
    tcp_pair second;
    ASSERT_NO_FATAL_FAILURE(make_pair(second));
    std::byte* whole = new_buffer(1u << 20);
    tracked_op& all = new_op();
    all.prepare(op_code::recv, second.client, whole, 1u << 20);
    all.op.flags = op_flag_recv_all;
    all.submit_to(ctx());
    tracked_op& snd2 = new_op();
    snd2.prepare(op_code::send, second.server, out, sent_bytes);
    snd2.submit_to(ctx());
    ASSERT_NO_FATAL_FAILURE(wait_done(snd2));
    EXPECT_FALSE(all.done()) << "recv_all completed before its size and before the peer closed";
    ASSERT_NO_FATAL_FAILURE(close_and_wait(second.server));
    ASSERT_NO_FATAL_FAILURE(wait_done(all));
    EXPECT_EQ(all.completions, 1);
    EXPECT_FALSE(all.error) << describe_error("recv_all", all.error);
    EXPECT_EQ(all.result, sent_bytes) << "recv_all returns what arrived before the close";
    EXPECT_EQ(first_mismatch(whole, sent_bytes, 11, 0), sent_bytes);

    ASSERT_NO_FATAL_FAILURE(close_and_wait(pair.client));
    ASSERT_NO_FATAL_FAILURE(close_and_wait(second.client));
}

// ---- connect refused ----

TEST_P(socket_errors, connect_to_a_port_with_no_listener_is_refused) {
    std::uint16_t port = unused_port();
    ASSERT_NE(port, 0);
    // A refusal is immediate; the 5 s limit only bounds a broken backend.
    tracked_op* started = nullptr;
    ASSERT_NO_FATAL_FAILURE(start_connect(endpoint::loopback_v4(port), 5s, started));
    tracked_op& con = *started;
    EXPECT_EQ(con.completions, 0) << "submit must not complete inline";
    ASSERT_NO_FATAL_FAILURE(wait_done(con));
    EXPECT_EQ(con.completions, 1);
    EXPECT_EQ(con.error, std::errc::connection_refused) << con.error.message();
    ASSERT_NO_FATAL_FAILURE(close_and_wait(con.op.handle));
}

// ---- connect timeout ----

TEST_P(socket_errors, connect_to_a_full_accept_queue_times_out) {
    // A listener that never accepts, with the smallest queue: once the queue
    // is full, Linux drops further SYNs, so a connect can only time out.
    native_handle listener = invalid_handle;
    endpoint where;
    ASSERT_NO_FATAL_FAILURE(open_loopback_listener(1, listener, where));
    std::vector<native_handle> sockets;

    // Fill the queue: connect one at a time until one of them times out.
    bool full = false;
    for (int i = 0; i < 16 && !full; ++i) {
        tracked_op* started = nullptr;
        ASSERT_NO_FATAL_FAILURE(start_connect(where, 300ms, started));
        tracked_op& filler = *started;
        sockets.push_back(filler.op.handle);
        ASSERT_NO_FATAL_FAILURE(wait_done(filler));
        EXPECT_EQ(filler.completions, 1);
        if (filler.error == std::errc::timed_out) {
            full = true;
        } else {
            ASSERT_FALSE(filler.error) << describe_error("filler connect", filler.error);
        }
    }
    ASSERT_TRUE(full) << "16 connects to a backlog-1 listener all succeeded; cannot provoke a timeout here";

    // The probe: a 200 ms limit must end in timed_out. If the kernel made room
    // after all (it may drain a request), retry a bounded number of times.
    bool timed_out = false;
    std::error_code last;
    for (int attempt = 0; attempt < 5 && !timed_out; ++attempt) {
        tracked_op* started = nullptr;
        ASSERT_NO_FATAL_FAILURE(start_connect(where, 200ms, started));
        tracked_op& probe = *started;
        sockets.push_back(probe.op.handle);
        EXPECT_EQ(probe.completions, 0) << "submit must not complete inline";
        ASSERT_NO_FATAL_FAILURE(wait_done(probe, 10s));
        EXPECT_EQ(probe.completions, 1);
        last = probe.error;
        timed_out = probe.error == std::errc::timed_out;
        if (!timed_out) {
            ASSERT_FALSE(probe.error) << "connect with a timeout failed otherwise: " << probe.error.message();
        }
    }
    EXPECT_TRUE(timed_out) << "last probe: " << (last ? last.message() : std::string("connected"));

    // A timed-out connect leaves the context in working order.
    tracked_op& nop = new_op();
    nop.prepare(op_code::nop);
    nop.submit_to(ctx());
    ASSERT_NO_FATAL_FAILURE(wait_done(nop));
    EXPECT_FALSE(nop.error);

    for (native_handle s : sockets) ASSERT_NO_FATAL_FAILURE(close_and_wait(s));
    ctx().close_now(listener);
}

INSTANTIATE_TEST_SUITE_P(, socket_errors, ::testing::ValuesIn(compiled_backends()), backend_param_name);

}  // namespace
}  // namespace swarmbench::test
