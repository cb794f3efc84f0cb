// Running out of file descriptors (RLIMIT_NOFILE lowered in the test): the
// operation that needs one fails with EMFILE, the context keeps working, and
// nothing completes twice or never.
#include "test_support.hpp"

namespace swarmbench::test {
namespace {

class fd_exhaustion : public engine_test {};

TEST_P(fd_exhaustion, emfile_is_a_clear_per_operation_error_and_loses_nothing) {
    // Everything that must keep working is opened before the limit drops.
    tcp_pair pair;
    ASSERT_NO_FATAL_FAILURE(make_pair(pair));
    native_handle listener = invalid_handle;
    endpoint where;
    ASSERT_NO_FATAL_FAILURE(open_loopback_listener(64, listener, where));
    temp_dir dir;
    ASSERT_TRUE(dir.ok());
    std::byte* msg = new_buffer(1000);
    std::byte* got = new_buffer(1000);

    std::vector<native_handle> clients;
    std::vector<native_handle> accepted;
    tracked_op& acc = new_op();
    int accept_emfile = 0, accept_other_errors = 0, open_emfile = 0;
    std::error_code accept_error;
    {
        nofile_limit limit;
        // Room for a handful of descriptors beyond those in use: a few
        // connections (client + accepted each) fit, then it runs out.
        const std::uint64_t soft = nofile_limit_leaving(7);
        std::string why;
        ASSERT_LE(soft, limit.hard());
        ASSERT_TRUE(limit.set_soft(soft, &why)) << why;

        // Submitted after lowering the limit: io_uring reads it at submission.
        acc.prepare(op_code::accept, listener);
        acc.op.flags = op_flag_multishot;
        acc.then = [&](tracked_op& a) {
            if (!a.error) {
                accepted.push_back(a.op.accepted());
            } else if (a.error == std::errc::too_many_files_open) {
                ++accept_emfile;
                accept_error = a.error;
            } else if (a.error != std::errc::operation_canceled) {
                ++accept_other_errors;
                ADD_FAILURE() << describe_error("accept", a.error);
            }
        };
        acc.submit_to(ctx());

        // Connect until a descriptor cannot be had, either for our socket
        // (open_tcp_socket) or for the accepted one (the accept op).
        for (int i = 0; i < 64 && accept_emfile == 0; ++i) {
            std::error_code ec;
            native_handle s = ctx().open_tcp_socket(endpoint::family_t::v4, nullptr, ec);
            if (ec) {
                EXPECT_EQ(ec, std::errc::too_many_files_open) << describe_error("open_tcp_socket", ec);
                ++open_emfile;
                // Our side ran out first: free one descriptor so the next
                // connection's accept is the one to fail.
                ASSERT_FALSE(accepted.empty()) << "no connection fits under the lowered limit";
                ctx().close_now(accepted.back());
                accepted.pop_back();
                continue;
            }
            clients.push_back(s);
            tracked_op& con = new_op();
            con.prepare(op_code::connect, s);
            con.op.peer = where;
            con.op.timeout = 5s;
            con.submit_to(ctx());
            const std::size_t before = accepted.size();
            ASSERT_TRUE(run_until([&] { return con.done() && (accepted.size() > before || accept_emfile > 0); }, 10s))
                << "connect " << (con.done() ? "done" : "pending") << "; the accept neither completed nor failed"
                << " with EMFILE (accepted " << accepted.size() << ")";
            EXPECT_EQ(con.completions, 1);
            EXPECT_FALSE(con.error) << describe_error("connect", con.error);
        }
        ASSERT_EQ(accept_emfile, 1) << "accept never reported too_many_files_open";
        EXPECT_EQ(accept_other_errors, 0);
        EXPECT_NE(describe_error("accept", accept_error).find("ulimit"), std::string::npos)
            << "the message should name the fix: " << describe_error("accept", accept_error);
        EXPECT_TRUE(acc.done()) << "a multishot accept ends on an error";
        EXPECT_EQ(acc.final_completions, 1);
        EXPECT_EQ(acc.completions, static_cast<int>(accepted.size()) + open_emfile + 1)
            << "one completion per accepted connection, plus the error";

        // Still at the limit: opening anything reports EMFILE through ec.
        std::error_code ec;
        native_handle s = ctx().open_tcp_socket(endpoint::family_t::v4, nullptr, ec);
        EXPECT_EQ(s, invalid_handle);
        EXPECT_EQ(ec, std::errc::too_many_files_open) << ec.message();
        native_handle f = ctx().open_file((dir.path() / "x.bin").string(), file_options{}, ec);
        EXPECT_EQ(f, invalid_handle);
        EXPECT_EQ(ec, std::errc::too_many_files_open) << ec.message();
        native_handle l = ctx().open_listener(endpoint::loopback_v4(0), 8, false, ec);
        EXPECT_EQ(l, invalid_handle);
        EXPECT_EQ(ec, std::errc::too_many_files_open) << ec.message();

        // A second accept fails the same way, once, without spinning forever.
        tracked_op& again = new_op();
        again.prepare(op_code::accept, listener);
        again.submit_to(ctx());
        ASSERT_NO_FATAL_FAILURE(wait_done(again, 10s));
        EXPECT_EQ(again.completions, 1);
        EXPECT_EQ(again.error, std::errc::too_many_files_open) << again.error.message();

        // ... and the context keeps working at the limit: a timer, a nop, and
        // a transfer on a connection opened earlier.
        tracked_op& tmr = new_op();
        tmr.prepare(op_code::timer);
        tmr.op.timeout = 1ms;
        tmr.submit_to(ctx());
        tracked_op& nop = new_op();
        nop.prepare(op_code::nop);
        nop.submit_to(ctx());
        ASSERT_NO_FATAL_FAILURE(expect_transfer(pair.client, pair.server, msg, got, 1000, 21, 10s));
        ASSERT_TRUE(run_until([&] { return tmr.done() && nop.done(); }, 10s))
            << "timer " << tmr.done() << ", nop " << nop.done();
        EXPECT_FALSE(tmr.error) << tmr.error.message();
        EXPECT_FALSE(nop.error) << nop.error.message();
    }  // the limit is restored here

    // With descriptors available again, the connection left in the queue is accepted.
    tracked_op& late = new_op();
    late.prepare(op_code::accept, listener);
    late.submit_to(ctx());
    ASSERT_NO_FATAL_FAILURE(wait_done(late, 10s));
    EXPECT_FALSE(late.error) << describe_error("accept after restoring the limit", late.error);
    if (!late.error) accepted.push_back(late.op.accepted());

    for (native_handle h : clients) ASSERT_NO_FATAL_FAILURE(close_and_wait(h));
    for (native_handle h : accepted) ASSERT_NO_FATAL_FAILURE(close_and_wait(h));
    ASSERT_NO_FATAL_FAILURE(close_and_wait(pair.client));
    ASSERT_NO_FATAL_FAILURE(close_and_wait(pair.server));
    ctx().close_now(listener);
    EXPECT_EQ(ctx().pending(), 0u) << "a completion was lost";
    EXPECT_EQ(acc.final_completions, 1);
}

INSTANTIATE_TEST_SUITE_P(, fd_exhaustion, ::testing::ValuesIn(compiled_backends()), backend_param_name);

}  // namespace
}  // namespace swarmbench::test
