// recv_pool: the receive pool behind op_code::recv_pooled, shared by the
// backends: one buffer_pool region (allocated on the first recv_pooled
// submit), which of its blocks are lent to callers, and the check that what
// comes back through release_recv_buffer was lent.
//
// Two ways to lend: lend_free() takes a block from the pool's free list
// (epoll, IOCP, io_uring without a buffer ring); lend_index() marks a block
// the kernel picked from io_uring's provided-buffer ring (the ring, not the
// free list, holds the unlent blocks then). A context uses one way only.
//
// Thread rules: the owning context's thread only; nothing is synchronised.
// Ownership: the context owns the pool; a lent block is the caller's until
// take_back()/give_back() sees it again. The memory dies with the context.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <system_error>
#include <vector>

#include "swarmbench/buffer_pool.hpp"
#include "swarmbench/io_context.hpp"

namespace swarmbench::detail {

class recv_pool {
public:
    /// Allocates the pool from options (recv_buffer_size, recv_buffer_count;
    /// 0 means the default) unless it exists. False with `ec` if memory fails.
    bool ensure(const context_options& options, std::error_code& ec) noexcept;
    /// For a recv_pooled being submitted: clears op.data and op.size (the
    /// context fills them), then ensure().
    bool ensure_for(operation& op, const context_options& options, std::error_code& ec) noexcept;
    bool ready() const noexcept { return pool_ != nullptr; }

    /// Bytes one receive may fill (the requested size; blocks are rounded up).
    std::uint32_t buffer_size() const noexcept { return buffer_size_; }
    std::size_t count() const noexcept { return pool_ ? pool_->capacity() : 0; }
    std::size_t lent() const noexcept { return lent_; }
    /// Blocks neither lent nor in use: what a waiting receive could get.
    std::size_t unlent() const noexcept { return count() - lent_; }
    /// Start of block `index` (index < count()).
    std::byte* block(std::uint32_t index) const noexcept;

    /// A block from the free list, now lent; nullptr when none is free.
    std::byte* lend_free() noexcept;
    /// Marks block `index` lent (the kernel filled it); its address, or
    /// nullptr (logged) if the index is out of range or already lent.
    std::byte* lend_index(std::uint32_t index) noexcept;
    /// Unmarks a lent block; its index, or -1 (logged, nothing changes) if
    /// `p` is not the start of a lent block. The block goes nowhere: the
    /// caller puts it back where its way of lending keeps free blocks.
    std::ptrdiff_t take_back(std::byte* p) noexcept;
    /// take_back() into the free list (the lend_free() way); false if refused.
    bool give_back(std::byte* p) noexcept;

private:
    std::unique_ptr<buffer_pool> pool_;    // the blocks (nullptr until the first recv_pooled)
    std::vector<std::uint8_t> is_lent_;    // per block: 1 while a caller holds it
    std::size_t lent_ = 0;                 // blocks with is_lent_ set
    std::uint32_t buffer_size_ = 0;        // bytes a receive may fill per block
};

}  // namespace swarmbench::detail
