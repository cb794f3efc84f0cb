// The link emulation's pure parts (net/link.hpp, token_bucket.hpp,
// delay_line.hpp): the classes read and refused through their schema, peers
// dealt by share, the rate and the delay on an injected clock.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <numeric>
#include <string>
#include <vector>

#include "swarmbench/net/delay_line.hpp"
#include "swarmbench/net/link.hpp"
#include "swarmbench/net/token_bucket.hpp"

namespace swarmbench {
namespace {

constexpr std::int64_t ms = 1'000'000;  // ns

nlohmann::json issue_example() {
    return nlohmann::json::parse(R"([
        {"name": "dsl", "share": 0.5, "down": "16Mbit", "up": "1Mbit", "rtt_ms": 40},
        {"name": "fibre", "share": 0.3, "down": "1Gbit", "up": "1Gbit", "rtt_ms": 5},
        {"name": "mobile", "share": 0.2, "down": "20Mbit", "up": "5Mbit", "rtt_ms": 80, "jitter_ms": 20}
    ])");
}

std::string error_of(const char* json) {
    auto r = links_from_json(nlohmann::json::parse(json));
    return r ? std::string("accepted") : r.error();
}

TEST(links, the_issue_example_reads_with_units_and_round_trips) {
    auto r = links_from_json(issue_example());
    ASSERT_TRUE(r) << r.error();
    const auto& l = r.value();
    ASSERT_EQ(l.size(), 3u);
    EXPECT_EQ(l[0].name, "dsl");
    EXPECT_EQ(l[0].down, 2'000'000u);  // 16 Mbit/s in bytes/s
    EXPECT_EQ(l[0].up, 125'000u);
    EXPECT_EQ(l[1].up, 125'000'000u);
    EXPECT_EQ(l[2].jitter_ms, 20);
    EXPECT_EQ(l[2].jitter, jitter_shape::normal);
    EXPECT_EQ(l[0].queue, 1u << 20);
    EXPECT_TRUE(validate(l).empty());
    auto again = links_from_json(to_json(l));
    ASSERT_TRUE(again) << again.error();
    EXPECT_EQ(again.value(), l);
    EXPECT_TRUE(links_from_json(nlohmann::json::array()).value().empty());
}

TEST(links, bad_values_name_the_entry_the_field_its_range_and_unit) {
    EXPECT_EQ(error_of(R"([{"name": "x", "rtt_ms": 36000000}])"),
              "links[1] (x): rtt_ms: must be 0..10000 ms, got 36000000");  // a 10-hour delay
    EXPECT_EQ(error_of(R"([{"name": "x", "up": 0}])"),
              "links[1] (x): up: must be 1 KiB..16 GiB (leave it out for no limit), got 0");
    EXPECT_EQ(error_of(R"([{"name": "x", "down": "16M"}])").substr(0, 38), "links[1] (x): down: ambiguous unit \"M\"");
    EXPECT_EQ(error_of(R"([{"name": "x", "down": "16 parsecs"}])").substr(0, 41), "links[1] (x): down: unknown unit \"parsecs");
    EXPECT_EQ(error_of(R"([{"name": "x", "jitter_ms": -1}])"), "links[1] (x): jitter_ms: must be 0..10000 ms, got -1");
    EXPECT_EQ(error_of(R"([{"name": "x", "jitter": "gamma"}])"),
              "links[1] (x): jitter: must be \"normal\", \"uniform\" or \"pareto\", got \"gamma\"");
    EXPECT_EQ(error_of(R"([{"name": "x", "rttms": 40}])"), "links[1] (x): rttms: unknown field (did you mean \"rtt_ms\"?)");
    EXPECT_EQ(error_of(R"([{"name": "a", "share": 0.5}, {"name": "b", "share": 0.4}])"),
              "links: the shares sum to 0.9; they must sum to 1");
    EXPECT_EQ(error_of(R"([{"name": "a", "share": 0.5}, {"name": "a", "share": 0.5}])"),
              "links[2] (a): name: \"a\" is also links[1]'s");
    EXPECT_EQ(error_of(R"([{"share": 1}])"), "links[1]: name: every class needs one");
    EXPECT_EQ(error_of(R"([3])").substr(0, 34), "links[1]: expected an object such ");
    EXPECT_EQ(error_of(R"({"name": "dsl"})").substr(0, 35), "links: expected a list of classes (");
    // Every problem, one line each.
    EXPECT_EQ(error_of(R"([{"name": "x", "rtt_ms": -5, "loss": 2}])"),
              "links[1] (x): rtt_ms: must be 0..10000 ms, got -5\nlinks[1] (x): loss: must be 0..0.5, got 2");
}

TEST(links, peers_are_dealt_by_share_exactly_and_spread) {
    const auto l = links_from_json(issue_example()).value();
    for (std::uint32_t peers : {1u, 3u, 7u, 10u, 20u, 1000u}) {
        const auto dealt = deal_links(l, peers, 42);
        ASSERT_EQ(dealt.size(), peers);
        std::map<std::uint32_t, std::uint32_t> n;
        for (auto c : dealt) ++n[c];
        for (std::size_t i = 0; i < l.size(); ++i) {
            const double exact = l[i].share * peers;
            EXPECT_GE(n[static_cast<std::uint32_t>(i)] + 1.0, exact) << peers << " peers, class " << i;
            EXPECT_LE(n[static_cast<std::uint32_t>(i)], exact + 1.0) << peers << " peers, class " << i;
        }
    }
    const auto twenty = deal_links(l, 20, 42);
    EXPECT_EQ(std::count(twenty.begin(), twenty.end(), 0u), 10);
    EXPECT_EQ(std::count(twenty.begin(), twenty.end(), 1u), 6);
    EXPECT_EQ(std::count(twenty.begin(), twenty.end(), 2u), 4);
    EXPECT_EQ(deal_links(l, 20, 42), twenty);  // the same seed deals the same
    EXPECT_NE(deal_links(l, 20, 43), twenty);
    // Spread: the first half of the peers is not one class.
    EXPECT_GT(std::count(twenty.begin(), twenty.begin() + 10, 1u) + std::count(twenty.begin(), twenty.begin() + 10, 2u), 0);
    EXPECT_TRUE(deal_links({}, 5, 1).empty());
}

TEST(token_bucket, carries_no_more_than_its_rate_over_any_window) {
    // 1 MB/s, a 16 KiB burst: bytes finish at max(now, busy) + n / rate.
    token_bucket b(1'000'000, 16 * 1024);
    std::int64_t now = 1'000 * ms;
    std::uint64_t sent = 0;
    std::int64_t first = now;
    for (int i = 0; i < 200; ++i) {
        now = std::max(now, b.ready_at(now));
        const std::int64_t done = b.take(now, 16 * 1024);
        sent += 16 * 1024;
        EXPECT_GE(done, now);
        now = done;
    }
    // 200 x 16 KiB at 1 MB/s is 3.2768 s, less one burst at the start.
    const double seconds = static_cast<double>(now - first) / 1e9;
    EXPECT_GE(seconds * 1e6 + 16 * 1024 + 1, static_cast<double>(sent));
    EXPECT_NEAR(seconds, 3.2768 - 0.016384, 0.001);
    token_bucket unlimited;
    EXPECT_EQ(unlimited.take(now, 1u << 30), now);
    EXPECT_EQ(unlimited.ready_at(now), now);
}

TEST(token_bucket, a_quiet_spell_banks_at_most_the_burst) {
    token_bucket b(1'000'000, 10'000);
    EXPECT_EQ(b.take(0, 10'000), 0);            // the burst goes at once
    EXPECT_EQ(b.take(0, 1'000), 1 * ms);        // then the rate: 1,000 bytes take 1 ms
    EXPECT_EQ(b.ready_at(0), 1 * ms);
    // An hour later only the burst is banked, not an hour of rate.
    const std::int64_t later = 3'600'000 * ms;
    EXPECT_EQ(b.ready_at(later), later);
    EXPECT_EQ(b.take(later, 10'000), later);
    EXPECT_EQ(b.take(later, 5'000), later + 5 * ms);
    EXPECT_EQ(b.ready_at(later), later + 5 * ms);
    // Taken early, bytes queue behind the others.
    EXPECT_EQ(b.take(later, 2'000), later + 7 * ms);
}

TEST(delay_line, holds_each_chunk_its_delay_in_order) {
    delay_line<int> d;
    EXPECT_TRUE(d.empty());
    EXPECT_EQ(d.push(50 * ms, 100, 1), 50 * ms);
    EXPECT_EQ(d.push(40 * ms, 200, 2), 50 * ms);  // never ahead of the chunk before it
    EXPECT_EQ(d.push(70 * ms, 300, 3), 70 * ms);
    EXPECT_EQ(d.bytes_held(), 600u);
    EXPECT_EQ(d.next_due(), 50 * ms);
    std::vector<int> got;
    EXPECT_EQ(d.release(49 * ms, [&](auto&& e) { got.push_back(e.item); }), 0u);
    EXPECT_EQ(d.release(60 * ms, [&](auto&& e) { got.push_back(e.item); }), 2u);
    EXPECT_EQ(got, (std::vector<int>{1, 2}));
    EXPECT_EQ(d.bytes_held(), 300u);
    d.clear([&](auto&& e) { got.push_back(-e.item); });
    EXPECT_EQ(got, (std::vector<int>{1, 2, -3}));
    EXPECT_TRUE(d.empty());
    EXPECT_EQ(d.bytes_held(), 0u);
}

TEST(delay_model, each_shape_keeps_its_mean_and_never_goes_below_zero) {
    const std::int64_t mean = 40 * ms, jitter = 20 * ms;
    for (jitter_shape shape : {jitter_shape::normal, jitter_shape::uniform, jitter_shape::pareto}) {
        delay_model m(mean, jitter, shape, 7);
        double sum = 0;
        std::int64_t lo = INT64_MAX, hi = 0;
        constexpr int n = 20'000;
        for (int i = 0; i < n; ++i) {
            const std::int64_t d = m.draw();
            ASSERT_GE(d, 0);
            sum += static_cast<double>(d);
            lo = std::min(lo, d);
            hi = std::max(hi, d);
        }
        const double avg = sum / n;
        SCOPED_TRACE(to_string(shape));
        if (shape == jitter_shape::pareto) {
            EXPECT_GE(lo, mean);  // a tail on top of the delay
            EXPECT_NEAR(avg, static_cast<double>(mean + jitter), 2.0 * ms);
        } else {
            EXPECT_NEAR(avg, static_cast<double>(mean), 1.0 * ms);
            EXPECT_LT(lo, mean - jitter / 2);
            EXPECT_GT(hi, mean + jitter / 2);
        }
        if (shape == jitter_shape::uniform) {
            EXPECT_GE(lo, mean - jitter);
            EXPECT_LE(hi, mean + jitter);
        }
    }
    delay_model fixed(5 * ms, 0, jitter_shape::normal, 1);
    EXPECT_EQ(fixed.draw(), 5 * ms);
    EXPECT_TRUE(delay_model().none());
}

}  // namespace
}  // namespace swarmbench
