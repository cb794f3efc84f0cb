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

TEST(SendBuffers, BothClassesAreCappedAndReusedMostRecentFirst) {
    send_buffers pool;
    EXPECT_FALSE(send_buffers::large_for(17)) << "a request fits a small buffer";
    EXPECT_TRUE(send_buffers::large_for(bt::piece_header_size + bt::default_block_size));
    for (const bool large : {false, true}) {
        const std::size_t need = large ? 100000 : 17;
        std::vector<std::byte*> lent;
        std::set<std::byte*> distinct;
        for (std::size_t i = 0; i < send_buffers::cap(large); ++i) {
            std::byte* b = pool.take(need);
            ASSERT_NE(b, nullptr) << i;
            lent.push_back(b);
            distinct.insert(b);
        }
        EXPECT_EQ(distinct.size(), send_buffers::cap(large));
        EXPECT_EQ(pool.lent(large), send_buffers::cap(large));
        EXPECT_EQ(pool.take(need), nullptr) << "every buffer of the class is out: wait";
        std::byte* other = pool.take(large ? 17 : 100000);
        EXPECT_NE(other, nullptr) << "the other class is not affected";
        pool.give(other, !large);
        pool.give(lent.back(), large);
        EXPECT_EQ(pool.take(need), lent.back()) << "the buffer just given comes back first (still in cache)";
        for (std::byte* b : lent) pool.give(b, large);
        EXPECT_EQ(pool.lent(large), 0u);
    }
}

}  // namespace
}  // namespace swarmbench::detail
