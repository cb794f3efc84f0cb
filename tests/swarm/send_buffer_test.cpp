// The send buffers a shard lends to connections (detail::send_buffers, an
// engine internal): small ones for messages, large ones for blocks, a fixed
// number of large ones at once (memory that does not grow with the
// connections), reused most recently given first. (Whole messages, however
// small the buffer, are the session's part: peer_session_test.)
#include <gtest/gtest.h>

#include <cstddef>
#include <set>
#include <vector>

#include "../../engine/src/swarm/swarm_types.hpp"

namespace swarmbench::detail {
namespace {

TEST(SendBuffers, LargeOnesAreCappedAndReusedSmallOnesAreNot) {
    send_buffers pool;
    bool large = true;
    std::byte* small = pool.take(17, large);
    ASSERT_NE(small, nullptr);
    EXPECT_FALSE(large) << "a request fits a small buffer";
    std::vector<std::byte*> lent;
    std::set<std::byte*> distinct;
    for (std::size_t i = 0; i < send_buffers::large_cap; ++i) {
        std::byte* b = pool.take(bt::piece_header_size + bt::default_block_size, large);
        ASSERT_NE(b, nullptr) << i;
        EXPECT_TRUE(large);
        lent.push_back(b);
        distinct.insert(b);
    }
    EXPECT_EQ(distinct.size(), send_buffers::large_cap);
    EXPECT_EQ(pool.large_lent(), send_buffers::large_cap);
    EXPECT_EQ(pool.take(100000, large), nullptr) << "every large buffer is out: wait";
    EXPECT_NE(pool.take(100, large), nullptr) << "small ones are not capped";
    pool.give(lent.back(), true);
    EXPECT_EQ(pool.take(100000, large), lent.back()) << "the buffer just given comes back first (still in cache)";
    for (std::byte* b : lent) pool.give(b, true);
    EXPECT_EQ(pool.large_lent(), 0u);
    pool.give(small, false);
}

}  // namespace
}  // namespace swarmbench::detail
