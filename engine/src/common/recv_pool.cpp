#include "common/recv_pool.hpp"

#include <cstring>
#include <new>

#include "swarmbench/log.hpp"

namespace swarmbench::detail {

namespace {
// Cache-line alignment is enough for sockets (no O_DIRECT here) and keeps a
// small test pool small; buffer_pool rounds block sizes up to it.
constexpr std::size_t recv_block_alignment = 64;
}  // namespace

bool recv_pool::ensure(const context_options& options, std::error_code& ec) noexcept {
    ec.clear();
    if (pool_) return true;
    const context_options defaults;
    const unsigned size = options.recv_buffer_size != 0 ? options.recv_buffer_size : defaults.recv_buffer_size;
    const unsigned count = options.recv_buffer_count != 0 ? options.recv_buffer_count : defaults.recv_buffer_count;
    try {
        auto pool = std::make_unique<buffer_pool>(size, count, recv_block_alignment);
        // Touched once, up front: the pool is resident from its first use,
        // whatever the backend's order of reuse (io_uring's ring cycles
        // through every buffer, epoll's and IOCP's reuse the latest), so the
        // memory a run shows does not creep up with its connection count.
        std::memset(pool->base(), 0, pool->region_size());
        is_lent_.assign(count, 0);
        pool_ = std::move(pool);
    } catch (const std::bad_alloc&) {
        log().error("receive pool of {} x {} bytes could not be allocated; lower "
                    "context_options::recv_buffer_count or recv_buffer_size",
                    count, size);
        ec = std::make_error_code(std::errc::not_enough_memory);
        return false;
    }
    buffer_size_ = size;
    lent_ = 0;
    return true;
}

bool recv_pool::ensure_for(operation& op, const context_options& options, std::error_code& ec) noexcept {
    op.data = nullptr;
    op.size = 0;
    return ensure(options, ec);
}

std::byte* recv_pool::block(std::uint32_t index) const noexcept {
    return pool_->base() + static_cast<std::size_t>(index) * pool_->block_size();
}

std::byte* recv_pool::lend_free() noexcept {
    if (!pool_) return nullptr;
    std::byte* p = pool_->acquire();
    if (p == nullptr) return nullptr;
    is_lent_[static_cast<std::size_t>(pool_->index_of(p))] = 1;
    ++lent_;
    return p;
}

std::byte* recv_pool::lend_index(std::uint32_t index) noexcept {
    if (!pool_ || index >= is_lent_.size() || is_lent_[index] != 0) {
        log().error("receive pool: the kernel returned buffer {} which is not free (pool of {}); ignored", index,
                    count());
        return nullptr;
    }
    is_lent_[index] = 1;
    ++lent_;
    return block(index);
}

std::ptrdiff_t recv_pool::take_back(std::byte* p) noexcept {
    const std::ptrdiff_t index = pool_ ? pool_->index_of(p) : -1;
    if (index < 0 || block(static_cast<std::uint32_t>(index)) != p ||
        is_lent_[static_cast<std::size_t>(index)] == 0) {
        log().error("release_recv_buffer: {} is not a lent receive-pool buffer (released twice, or not from "
                    "a recv_pooled completion of this context); ignored",
                    static_cast<const void*>(p));
        return -1;
    }
    is_lent_[static_cast<std::size_t>(index)] = 0;
    --lent_;
    return index;
}

bool recv_pool::give_back(std::byte* p) noexcept {
    if (take_back(p) < 0) return false;
    pool_->release(p);
    return true;
}

}  // namespace swarmbench::detail
