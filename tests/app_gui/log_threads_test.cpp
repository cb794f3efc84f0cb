// The app's log sink across threads, as the app meets it: engine threads log
// while the UI thread copies the lines, and the app's sink is added and
// removed while other threads go on logging. Written for ThreadSanitizer
// (scripts/test-sanitizers.sh), and checks the lines themselves too.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "log_sink.hpp"
#include "swarmbench/log.hpp"

namespace swarmbench::gui {
namespace {

// Several threads log through one logger into a ring big enough to lose
// nothing, while this thread copies what has arrived, as the log panel does
// once per frame. Every line arrives whole, once, in its thread's order.
TEST(log_sink_threads, lines_from_many_threads_arrive_whole_and_in_order) {
    constexpr int writers = 4;
    constexpr int lines_each = 2000;
    auto sink = std::make_shared<ring_sink>(writers * lines_each);
    sink->set_pattern("%v");
    spdlog::logger logger("threads", sink);
    std::vector<std::thread> threads;
    for (int w = 0; w < writers; ++w)
        threads.emplace_back([&logger, w] {
            for (int i = 0; i < lines_each; ++i) logger.info("{} {}", w, i);
        });

    std::uint64_t seen = 0;
    std::uint64_t lost = 0;
    std::vector<std::string> out;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    for (int copies = 0; copies < 1'000'000 && out.size() < std::size_t{writers} * lines_each &&
                         std::chrono::steady_clock::now() < deadline;
         ++copies)
        lost += sink->copy_since(seen, out);
    for (auto& t : threads) t.join();
    lost += sink->copy_since(seen, out);

    EXPECT_EQ(lost, 0u);
    ASSERT_EQ(out.size(), std::size_t{writers} * lines_each);
    std::vector<int> next(writers, 0);  // per thread: the number its next line must carry
    for (const std::string& line : out) {
        int w = -1, i = -1;
        ASSERT_EQ(std::sscanf(line.c_str(), "%d %d", &w, &i), 2) << line;
        ASSERT_TRUE(w >= 0 && w < writers) << line;
        EXPECT_EQ(i, next[w]) << "thread " << w << " out of order: " << line;
        next[w] = i + 1;
    }
    for (int w = 0; w < writers; ++w) EXPECT_EQ(next[w], lines_each) << "thread " << w;
}

// The app adds its sink to swarmbench::log() when it opens and removes it when
// it closes, while the run's threads may still be logging (closing the window
// mid-run). Lines logged while the sink is in place reach it; after removal
// none do.
TEST(log_sink_threads, the_sink_comes_and_goes_while_other_threads_log) {
    const auto saved = log().level();
    log().set_level(spdlog::level::debug);
    std::atomic<bool> done{false};
    std::atomic<std::uint64_t> logged{0};
    std::vector<std::thread> threads;
    for (int w = 0; w < 2; ++w)
        threads.emplace_back([&] {
            // Until told to stop (a few thousand lines on stderr), bounded by a deadline.
            const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
            for (int i = 0; i < 10'000'000 && !done.load(std::memory_order_relaxed) &&
                            std::chrono::steady_clock::now() < deadline;
                 ++i) {
                log().debug("log_sink_threads background line {}", i);
                logged.fetch_add(1, std::memory_order_release);  // after its line was delivered
                std::this_thread::yield();
            }
        });

    for (int round = 0; round < 20; ++round) {
        auto sink = std::make_shared<ring_sink>(100);
        add_log_sink(sink);
        const std::uint64_t before = logged.load(std::memory_order_acquire);
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (logged.load(std::memory_order_acquire) < before + 12 && std::chrono::steady_clock::now() < deadline)
            std::this_thread::yield();
        remove_log_sink(sink);
        std::uint64_t seen = 0;
        std::vector<std::string> lines;
        const std::uint64_t lost = sink->copy_since(seen, lines);
        // Of the twelve counted since, at most one per thread was logged before
        // the sink was added: at least ten reached it.
        EXPECT_GE(lost + lines.size(), 10u) << "round " << round;
        EXPECT_EQ(seen, lost + lines.size());
        // Removed: whatever is logged now no longer reaches it.
        const std::uint64_t at_removal = seen;
        log().debug("log_sink_threads after removal");
        lines.clear();
        EXPECT_EQ(sink->copy_since(seen, lines), 0u);
        EXPECT_TRUE(lines.empty());
        EXPECT_EQ(seen, at_removal);
    }
    done.store(true, std::memory_order_relaxed);
    for (auto& t : threads) t.join();
    log().set_level(saved);
}

}  // namespace
}  // namespace swarmbench::gui
