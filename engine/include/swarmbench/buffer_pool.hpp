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
#include <memory>
#include <vector>

namespace swarmbench {

/// Frees memory from allocate_aligned() (the alignment must match).
struct aligned_deleter {
    std::size_t alignment = 4096;  // as passed to allocate_aligned
    std::size_t mapped = 0;        // bytes taken from the OS as whole pages (0: from operator new)
    void operator()(std::byte* p) const noexcept;
};
/// An owned, aligned block of bytes.
using aligned_bytes = std::unique_ptr<std::byte[], aligned_deleter>;

/// `bytes` bytes (at least one) aligned to `alignment` (a power of two), for
/// O_DIRECT / FILE_FLAG_NO_BUFFERING. Portable (std::aligned_alloc is missing
/// on Windows). Regions of 64 KiB and more are whole pages from the OS, not
/// the malloc heap (common/page_memory.hpp says why). Throws std::bad_alloc.
/// Any thread.
aligned_bytes allocate_aligned(std::size_t bytes, std::size_t alignment = 4096);

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
    aligned_bytes region_;          // the blocks, one allocation
    std::byte* base_ = nullptr;     // region_.get()
    std::size_t block_size_ = 0;    // bytes per block, a multiple of alignment
    std::size_t count_ = 0;         // number of blocks
    std::vector<std::uint32_t> free_;  // indexes of free blocks (LIFO, cache-warm)
};

}  // namespace swarmbench
