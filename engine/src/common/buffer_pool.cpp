#include "swarmbench/buffer_pool.hpp"

#include "common/page_memory.hpp"

#include <cassert>
#include <cstdlib>
#include <new>

namespace swarmbench {

namespace {
/// From this size on a region is mapped whole pages (page_memory.hpp).
constexpr std::size_t map_from_bytes = 64 * 1024;
}  // namespace

void aligned_deleter::operator()(std::byte* p) const noexcept {
    if (mapped != 0) detail::unmap_pages(p, mapped);
    else ::operator delete[](p, std::align_val_t(alignment));
}

aligned_bytes allocate_aligned(std::size_t bytes, std::size_t alignment) {
    if (bytes >= map_from_bytes && alignment <= detail::page_bytes) {
        const std::size_t whole = (bytes + detail::page_bytes - 1) / detail::page_bytes * detail::page_bytes;
        std::byte* p = detail::map_pages(whole);
        if (p == nullptr) throw std::bad_alloc();
        return aligned_bytes(p, aligned_deleter{alignment, whole});
    }
    auto* p = static_cast<std::byte*>(::operator new[](bytes == 0 ? 1 : bytes, std::align_val_t(alignment)));
    return aligned_bytes(p, aligned_deleter{alignment, 0});
}

buffer_pool::buffer_pool(std::size_t block_size, std::size_t count, std::size_t alignment) {
    if (alignment == 0 || (alignment & (alignment - 1)) != 0) alignment = 4096;
    block_size_ = (block_size + alignment - 1) / alignment * alignment;
    count_ = count;
    if (count_ == 0 || block_size_ == 0) return;
    region_ = allocate_aligned(block_size_ * count_, alignment);
    base_ = region_.get();
    free_.reserve(count_);
    // Highest index first so acquire() hands out the region front to back.
    for (std::size_t i = count_; i-- > 0;) free_.push_back(static_cast<std::uint32_t>(i));
}

buffer_pool::~buffer_pool() = default;

std::byte* buffer_pool::acquire() noexcept {
    if (free_.empty()) return nullptr;
    std::uint32_t index = free_.back();
    free_.pop_back();
    return base_ + static_cast<std::size_t>(index) * block_size_;
}

void buffer_pool::release(std::byte* block) noexcept {
    std::ptrdiff_t index = index_of(block);
    assert(index >= 0 && block == base_ + static_cast<std::size_t>(index) * block_size_);
    if (index < 0) return;
    free_.push_back(static_cast<std::uint32_t>(index));
}

std::ptrdiff_t buffer_pool::index_of(const std::byte* p) const noexcept {
    if (base_ == nullptr || p < base_ || p >= base_ + region_size()) return -1;
    return (p - base_) / static_cast<std::ptrdiff_t>(block_size_);
}

}  // namespace swarmbench
