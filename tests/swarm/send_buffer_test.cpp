// The send buffer of a swarm connection (detail::byte_buffer, an engine
// internal): appends past its pool buffer grow it and keep every byte queued
// before. It once dropped them there: a seeder serving from files lost whole
// block messages at message boundaries, and clients snubbed it.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstring>

#include "../../engine/src/swarm/swarm_types.hpp"

namespace swarmbench::detail {
namespace {

TEST(SendBuffer, GrowingPastThePoolBufferKeepsWhatWasQueued) {
    constexpr std::size_t message = bt::piece_header_size + bt::default_block_size;  // 16397 bytes
    constexpr int messages = 40;  // 656 KB: twice past the 320 KiB pool buffer
    send_pool pool;
    byte_buffer out;
    for (int i = 0; i < messages; ++i) {
        const std::span<std::byte> m = out.append(message, pool);
        std::memset(m.data(), i + 1, m.size());
        ASSERT_EQ(out.size(), (static_cast<std::size_t>(i) + 1) * message) << "after message " << i;
    }
    for (int i = 0; i < messages; ++i) {
        const std::byte* m = out.data() + static_cast<std::size_t>(i) * message;
        EXPECT_EQ(std::to_integer<int>(m[0]), i + 1) << "message " << i;
        EXPECT_EQ(std::to_integer<int>(m[message - 1]), i + 1) << "message " << i;
    }
    out.release(pool);
    EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace swarmbench::detail
