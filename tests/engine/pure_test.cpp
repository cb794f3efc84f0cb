// Pure value types: endpoint parsing and printing, buffer_pool bookkeeping,
// backend names. No context, so not parameterized by backend.
#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <system_error>
#include <vector>

#include "swarmbench/backend.hpp"
#include "swarmbench/buffer_pool.hpp"
#include "swarmbench/endpoint.hpp"
#include "swarmbench/error.hpp"

namespace swarmbench {
namespace {

TEST(endpoint, parses_ipv4_and_prints_it_back) {
    std::error_code ec;
    endpoint ep = endpoint::parse("10.1.2.3:6881", ec);
    ASSERT_FALSE(ec) << ec.message();
    EXPECT_EQ(ep.family, endpoint::family_t::v4);
    EXPECT_EQ(ep.port, 6881);
    EXPECT_EQ(ep, endpoint::v4(10, 1, 2, 3, 6881));
    EXPECT_EQ(ep.to_string(), "10.1.2.3:6881");
    EXPECT_TRUE(ep.valid());
}

TEST(endpoint, parses_localhost_and_extremes) {
    std::error_code ec;
    EXPECT_EQ(endpoint::parse("localhost:80", ec), endpoint::loopback_v4(80));
    EXPECT_FALSE(ec);
    EXPECT_EQ(endpoint::parse("0.0.0.0:0", ec), endpoint::v4(0, 0, 0, 0, 0));
    EXPECT_FALSE(ec);
    EXPECT_EQ(endpoint::parse("255.255.255.255:65535", ec).to_string(), "255.255.255.255:65535");
    EXPECT_FALSE(ec);
}

TEST(endpoint, parses_ipv6_and_prints_it_back) {
    std::error_code ec;
    endpoint ep = endpoint::parse("[::1]:5678", ec);
    ASSERT_FALSE(ec) << ec.message();
    EXPECT_EQ(ep.family, endpoint::family_t::v6);
    EXPECT_EQ(ep.port, 5678);
    for (std::size_t i = 0; i < 15; ++i) EXPECT_EQ(ep.addr[i], 0) << "byte " << i;
    EXPECT_EQ(ep.addr[15], 1);
    // to_string prints the long form; parsing it again gives the same value.
    endpoint again = endpoint::parse(ep.to_string(), ec);
    ASSERT_FALSE(ec) << ep.to_string();
    EXPECT_EQ(again, ep);

    endpoint full = endpoint::parse("[2001:db8:0:0:0:0:0:1]:80", ec);
    ASSERT_FALSE(ec);
    EXPECT_EQ(full, endpoint::parse("[2001:db8::1]:80", ec));
    EXPECT_FALSE(ec);
    EXPECT_EQ(full.addr[0], 0x20);
    EXPECT_EQ(full.addr[1], 0x01);
    EXPECT_EQ(full.addr[2], 0x0d);
    EXPECT_EQ(full.addr[3], 0xb8);
}

TEST(endpoint, rejects_malformed_text_with_invalid_argument) {
    const char* bad[] = {
        "",           "1.2.3.4",      "1.2.3:80",   "1.2.3.4.5:80", "256.1.1.1:80", "1.2.3.4:65536",
        "1.2.3.4:",   "1.2.3.4:-1",   "1.2.3.4:8x", ":80",          "[::1]",        "[::1:80",
        "[::1]80",    "[1:2:3:4:5:6:7:8:9]:1",      "[:::1]:1",     "[1::2::3]:1",  "host:80",
    };
    for (const char* text : bad) {
        std::error_code ec;
        endpoint ep = endpoint::parse(text, ec);
        EXPECT_EQ(ec, std::errc::invalid_argument) << "'" << text << "' should not parse";
        EXPECT_FALSE(ep.valid()) << text;
    }
}

TEST(endpoint, default_is_invalid_and_prints_none) {
    endpoint ep;
    EXPECT_FALSE(ep.valid());
    EXPECT_EQ(ep.to_string(), "(none)");
}

TEST(buffer_pool, hands_out_distinct_aligned_blocks_then_nullptr) {
    buffer_pool pool(1000, 4, 4096);
    EXPECT_EQ(pool.block_size(), 4096u) << "block size rounds up to the alignment";
    EXPECT_EQ(pool.capacity(), 4u);
    EXPECT_EQ(pool.available(), 4u);
    EXPECT_EQ(pool.region_size(), 4u * 4096u);
    std::set<std::ptrdiff_t> indexes;
    std::vector<std::byte*> blocks;
    for (int i = 0; i < 4; ++i) {
        std::byte* b = pool.acquire();
        ASSERT_NE(b, nullptr) << "block " << i;
        EXPECT_EQ(reinterpret_cast<std::uintptr_t>(b) % 4096, 0u) << "block " << i << " misaligned";
        std::ptrdiff_t index = pool.index_of(b);
        EXPECT_GE(index, 0);
        EXPECT_LT(index, 4);
        EXPECT_EQ(pool.index_of(b + 4095), index) << "last byte maps to the same block";
        indexes.insert(index);
        blocks.push_back(b);
    }
    EXPECT_EQ(indexes.size(), 4u) << "blocks must be distinct";
    EXPECT_EQ(pool.available(), 0u);
    EXPECT_EQ(pool.acquire(), nullptr) << "an exhausted pool returns nullptr";

    pool.release(blocks[2]);
    EXPECT_EQ(pool.available(), 1u);
    EXPECT_EQ(pool.acquire(), blocks[2]) << "the released block comes back";
    EXPECT_EQ(pool.acquire(), nullptr);
    for (std::byte* b : blocks) pool.release(b);
    EXPECT_EQ(pool.available(), 4u);
}

TEST(buffer_pool, index_of_outside_the_region_is_minus_one) {
    buffer_pool pool(4096, 2);
    std::byte outside[16];
    EXPECT_EQ(pool.index_of(outside), -1);
    EXPECT_EQ(pool.index_of(nullptr), -1);
    EXPECT_EQ(pool.index_of(pool.base() + pool.region_size()), -1) << "one past the end is outside";
    EXPECT_EQ(pool.index_of(pool.base()), 0);
    EXPECT_EQ(pool.index_of(pool.base() + pool.block_size()), 1);
}

TEST(buffer_pool, empty_pool_is_harmless) {
    buffer_pool pool(4096, 0);
    EXPECT_EQ(pool.capacity(), 0u);
    EXPECT_EQ(pool.acquire(), nullptr);
}

TEST(backend, names_round_trip) {
    for (backend_kind k : {backend_kind::automatic, backend_kind::io_uring, backend_kind::epoll, backend_kind::iocp}) {
        auto parsed = parse_backend(to_string(k));
        ASSERT_TRUE(parsed.has_value()) << to_string(k);
        EXPECT_EQ(*parsed, k);
    }
    EXPECT_FALSE(parse_backend("kqueue").has_value());
    EXPECT_FALSE(parse_backend("").has_value());
}

TEST(backend, available_is_a_subset_of_compiled_with_reasons_for_the_rest) {
    auto compiled = compiled_backends();
    EXPECT_FALSE(compiled.empty());
    for (backend_kind k : compiled) {
        std::string why;
        bool ok = backend_available(k, &why);
        if (!ok) {
            EXPECT_FALSE(why.empty()) << to_string(k) << " is unavailable without a reason";
        }
    }
    for (backend_kind k : available_backends()) {
        bool found = false;
        for (backend_kind c : compiled) found = found || c == k;
        EXPECT_TRUE(found) << to_string(k);
    }
}

TEST(error, describe_error_names_the_fix_for_emfile) {
    std::string text = describe_error("accept", std::make_error_code(std::errc::too_many_files_open));
    EXPECT_NE(text.find("accept"), std::string::npos) << text;
    EXPECT_NE(text.find("ulimit -n"), std::string::npos) << text;
    std::error_code cancelled = make_error_code(engine_errc::invalid_operation);
    EXPECT_EQ(cancelled.category().name(), std::string("swarmbench"));
    EXPECT_FALSE(cancelled.message().empty());
}

}  // namespace
}  // namespace swarmbench
