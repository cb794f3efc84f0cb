// The context itself: cross-thread post and wake, timers, invalid requests,
// and context_group's one-context-per-thread.
#include <condition_variable>
#include <mutex>

#include "swarmbench/context_group.hpp"
#include "test_support.hpp"

namespace swarmbench::test {
namespace {

class context : public engine_test {};

// ---- cross-thread wake ----

TEST_P(context, posts_from_another_thread_wake_run_and_run_in_order_on_its_thread) {
    constexpr int round_trips = 100;  // posted one at a time: each must wake a blocked run()
    constexpr int burst = 900;        // then posted back to back
    constexpr int total = round_trips + burst;
    std::vector<int> order;                 // touched on the context's thread only
    std::vector<std::thread::id> threads;   // likewise
    std::mutex m;
    std::condition_variable cv;
    int ran = 0;                // guarded by m
    bool poster_failed = false;  // guarded by m
    const auto me = std::this_thread::get_id();
    const auto give_up = std::chrono::steady_clock::now() + 30s;

    std::thread poster([&] {
        auto post_one = [&](int i) {
            ctx().post([&, i] {
                order.push_back(i);
                threads.push_back(std::this_thread::get_id());
                std::lock_guard lock(m);
                ++ran;
                cv.notify_all();
            });
        };
        for (int i = 0; i < round_trips; ++i) {
            post_one(i);
            std::unique_lock lock(m);
            if (!cv.wait_until(lock, give_up, [&] { return ran > i; })) {
                poster_failed = true;
                break;
            }
        }
        {
            std::lock_guard lock(m);
            if (poster_failed) {
                ctx().stop();
                return;
            }
        }
        for (int i = round_trips; i < total; ++i) post_one(i);
        {
            std::unique_lock lock(m);
            if (!cv.wait_until(lock, give_up, [&] { return ran == total; })) poster_failed = true;
        }
        ctx().stop();
    });
    // Blocks in run_once until stop() (bounded by the same deadline as the poster).
    ctx().run_until(give_up + 1s);
    poster.join();

    EXPECT_TRUE(ctx().stopped()) << "run returned without stop()";
    {
        std::lock_guard lock(m);
        EXPECT_FALSE(poster_failed) << "posted functions did not run; ran " << ran << " of " << total;
    }
    ASSERT_EQ(order.size(), static_cast<std::size_t>(total));
    for (int i = 0; i < total; ++i) {
        ASSERT_EQ(order[static_cast<std::size_t>(i)], i) << "posted functions ran out of order";
        ASSERT_EQ(threads[static_cast<std::size_t>(i)], me) << "posted function " << i << " ran on another thread";
    }
    RecordProperty("wakeups", static_cast<int>(ctx().counters().wakeups));

    // After stop(), run_once still works; restart() re-arms run().
    ctx().restart();
    EXPECT_FALSE(ctx().stopped());
    int after = 0;
    ctx().post([&] { ++after; });
    ASSERT_TRUE(run_until([&] { return after == 1; }));
}

// ---- timers ----

TEST_P(context, timers_complete_in_deadline_order_and_never_early) {
    const std::vector<int> durations_ms{100, 0, 60, 20, 80, 40};
    auto& timers = keep<std::vector<std::unique_ptr<tracked_op>>>();
    std::vector<int> order;
    std::vector<std::chrono::steady_clock::duration> waited(durations_ms.size());
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < durations_ms.size(); ++i) {
        auto t = std::make_unique<tracked_op>();
        t->prepare(op_code::timer);
        t->op.timeout = std::chrono::milliseconds(durations_ms[i]);
        t->then = [&, i](tracked_op&) {
            order.push_back(durations_ms[i]);
            waited[i] = std::chrono::steady_clock::now() - start;
        };
        t->submit_to(ctx());
        EXPECT_EQ(t->completions, 0) << "a timer must not complete inline, even at 0 ns";
        timers.push_back(std::move(t));
    }
    EXPECT_EQ(ctx().pending(), durations_ms.size());
    ASSERT_TRUE(run_until([&] { return order.size() == durations_ms.size(); }, 10s))
        << order.size() << " of " << durations_ms.size() << " timers fired";
    for (std::size_t i = 0; i < timers.size(); ++i) {
        EXPECT_EQ(timers[i]->completions, 1) << durations_ms[i] << " ms";
        EXPECT_FALSE(timers[i]->error) << durations_ms[i] << " ms: " << timers[i]->error.message();
        EXPECT_GE(waited[i], std::chrono::milliseconds(durations_ms[i])) << "a timer fired before its time";
    }
    EXPECT_EQ(order, (std::vector<int>{0, 20, 40, 60, 80, 100}));

    // A lone 0 ns timer completes with no error.
    tracked_op& zero = new_op();
    zero.prepare(op_code::timer);
    zero.submit_to(ctx());
    ASSERT_NO_FATAL_FAILURE(wait_done(zero));
    EXPECT_EQ(zero.completions, 1);
    EXPECT_FALSE(zero.error) << zero.error.message();
}

// ---- invalid operations ----

TEST_P(context, invalid_operations_fail_later_not_inline_and_the_context_keeps_running) {
    tcp_pair pair;
    ASSERT_NO_FATAL_FAILURE(make_pair(pair));
    temp_dir dir;
    ASSERT_TRUE(dir.ok());
    std::error_code ec;
    native_handle file = ctx().open_file((dir.path() / "f.bin").string(), file_options{}, ec);
    ASSERT_FALSE(ec) << describe_error("open_file", ec);
    native_handle closed = ctx().open_tcp_socket(endpoint::family_t::v4, nullptr, ec);
    ASSERT_FALSE(ec);
    ctx().close_now(closed);

    std::byte* buf = new_buffer(64);
    struct bad_request {
        const char* what;    // description for failure messages
        op_code code;        // request
        native_handle handle;
        std::byte* data;
        std::uint32_t size;
    };
    const bad_request bad[] = {
        {"recv on invalid_handle", op_code::recv, invalid_handle, buf, 64},
        {"send on invalid_handle", op_code::send, invalid_handle, buf, 64},
        {"recv on a descriptor far beyond the limit", op_code::recv, native_handle{1} << 24, buf, 64},
        {"recv on a closed socket", op_code::recv, closed, buf, 64},
        {"recv on a regular file", op_code::recv, file, buf, 64},
        {"send with a null buffer", op_code::send, pair.client, nullptr, 10},
        {"recv with a null buffer", op_code::recv, pair.client, nullptr, 10},
        {"write_at with a null buffer", op_code::write_at, file, nullptr, 10},
        {"write_at on invalid_handle", op_code::write_at, invalid_handle, buf, 64},
        {"accept on a connected socket", op_code::accept, pair.server, nullptr, 0},
        {"unknown op_code", static_cast<op_code>(200), pair.client, buf, 64},
    };
    std::vector<tracked_op*> ops;
    for (const bad_request& b : bad) {
        tracked_op& t = new_op();
        t.prepare(b.code, b.handle, b.data, b.size);
        t.submit_to(ctx());
        EXPECT_EQ(t.completions, 0) << b.what << ": completed inline during submit";
        ops.push_back(&t);
    }
    ASSERT_TRUE(run_until([&] {
        for (tracked_op* t : ops)
            if (!t->done()) return false;
        return true;
    }, 10s)) << "an invalid operation never completed";
    for (std::size_t i = 0; i < ops.size(); ++i) {
        EXPECT_EQ(ops[i]->completions, 1) << bad[i].what;
        EXPECT_TRUE(ops[i]->error) << bad[i].what << ": completed without an error, result " << ops[i]->result;
        if (ops[i]->error) {
            EXPECT_FALSE(ops[i]->error.message().empty());
            EXPECT_NE(ops[i]->error, std::errc::operation_canceled) << bad[i].what;
        }
    }

    // The context still runs: a nop, and a transfer on the pair the bad ops named.
    tracked_op& nop = new_op();
    nop.prepare(op_code::nop);
    nop.submit_to(ctx());
    ASSERT_NO_FATAL_FAILURE(expect_transfer(pair.client, pair.server, new_buffer(1000), new_buffer(1000), 1000, 9));
    ASSERT_NO_FATAL_FAILURE(wait_done(nop));
    EXPECT_FALSE(nop.error);

    ASSERT_NO_FATAL_FAILURE(close_and_wait(file));
    ASSERT_NO_FATAL_FAILURE(close_and_wait(pair.client));
    ASSERT_NO_FATAL_FAILURE(close_and_wait(pair.server));
}

// ---- context_group ----

TEST_P(context, context_group_runs_each_context_on_its_own_thread) {
    std::error_code ec;
    context_group group(kind(), 2, context_options{}, ec);
    ASSERT_FALSE(ec) << describe_error("context_group", ec);
    ASSERT_EQ(group.size(), 2u);
    EXPECT_EQ(group.kind(), kind());

    std::mutex m;
    std::condition_variable cv;
    std::thread::id post_thread[2];   // guarded by m
    backend_kind seen_kind[2]{};      // guarded by m
    int timers_done = 0;              // guarded by m
    auto& timers = keep<std::vector<std::unique_ptr<tracked_op>>>();
    for (int i = 0; i < 2; ++i) timers.push_back(std::make_unique<tracked_op>());

    for (std::size_t i = 0; i < 2; ++i) {
        tracked_op* t = timers[i].get();
        t->then = [&](tracked_op&) {
            std::lock_guard lock(m);
            ++timers_done;
            cv.notify_all();
        };
        group.post(i, [&, i, t](io_context& c) {
            {
                std::lock_guard lock(m);
                post_thread[i] = std::this_thread::get_id();
                seen_kind[i] = c.kind();
            }
            // An operation on that context completes on the same thread.
            t->prepare(op_code::timer);
            t->op.timeout = 1ms;
            t->submit_to(c);
        });
    }
    {
        std::unique_lock lock(m);
        ASSERT_TRUE(cv.wait_until(lock, std::chrono::steady_clock::now() + 10s, [&] { return timers_done == 2; }))
            << "posted work did not run on both contexts";
        EXPECT_NE(post_thread[0], post_thread[1]) << "two contexts share a thread";
        for (std::size_t i = 0; i < 2; ++i) {
            EXPECT_NE(post_thread[i], std::this_thread::get_id());
            EXPECT_EQ(seen_kind[i], kind());
            EXPECT_EQ(timers[i]->thread, post_thread[i]) << "completion ran off its context's thread";
            EXPECT_EQ(timers[i]->completions, 1);
            EXPECT_FALSE(timers[i]->error);
        }
    }
    group.stop();
    group.join();
}

INSTANTIATE_TEST_SUITE_P(, context, ::testing::ValuesIn(compiled_backends()), backend_param_name);

}  // namespace
}  // namespace swarmbench::test
