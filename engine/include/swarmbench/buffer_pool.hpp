// buffer_pool: fixed-size, aligned blocks carved from one contiguous region.
//
// One region makes io_uring buffer registration a single call and lets a
// context map any block back to its index. Blocks are aligned for O_DIRECT.
//
// Thread rules: a pool belongs to one thread (normally its context's);
// acquire/release are not synchronised. A block handed to an operation stays
// owned by that operation until its completion callback runs; release it
// there (or reuse it), never while the operation is pending.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace swarmbench {

class buffer_pool {
public:
    /// `count` blocks of `block_size` bytes, each aligned to `alignment`
    /// (a power of two; block_size is rounded up to a multiple of it).
    /// Throws std::bad_alloc if the region cannot be allocated.
    buffer_pool(std::size_t block_size, std::size_t count, std::size_t alignment = 4096);
    ~buffer_pool();
    buffer_pool(const buffer_pool&) = delete;
    buffer_pool& operator=(const buffer_pool&) = delete;

    /// A free block, or nullptr when all are in use (callers apply back-pressure).
    std::byte* acquire() noexcept;
    /// Returns a block obtained from acquire(). Passing anything else is a bug
    /// (checked in debug builds).
    void release(std::byte* block) noexcept;

    std::size_t block_size() const noexcept { return block_size_; }
    std::size_t capacity() const noexcept { return count_; }
    std::size_t available() const noexcept { return free_.size(); }
    std::byte* base() const noexcept { return base_; }
    std::size_t region_size() const noexcept { return block_size_ * count_; }

    /// Index of the block containing `p`, or -1 if `p` is outside the pool.
    std::ptrdiff_t index_of(const std::byte* p) const noexcept;

private:
    std::byte* base_ = nullptr;     // start of the aligned region
    std::size_t block_size_ = 0;    // bytes per block, a multiple of alignment
    std::size_t count_ = 0;         // number of blocks
    std::vector<std::uint32_t> free_;  // indexes of free blocks (LIFO, cache-warm)
};

}  // namespace swarmbench
