// piece_geometry and bitfield.
#include "swarmbench/bt/geometry.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

namespace swarmbench::bt {

piece_geometry::piece_geometry(std::uint64_t total_length, std::uint32_t piece_length) noexcept
    : total_length_(total_length), piece_length_(piece_length) {
    if (piece_length == 0 || total_length == 0) return;
    piece_count_ = static_cast<std::uint32_t>((total_length + piece_length - 1) / piece_length);
    last_piece_size_ =
        static_cast<std::uint32_t>(total_length - std::uint64_t{piece_count_ - 1} * piece_length);
}

std::uint32_t piece_geometry::piece_size(std::uint32_t piece) const noexcept {
    if (piece >= piece_count_) return 0;
    return piece + 1 == piece_count_ ? last_piece_size_ : piece_length_;
}

std::uint32_t piece_geometry::blocks_in_piece(std::uint32_t piece,
                                              std::uint32_t block_size) const noexcept {
    return (piece_size(piece) + block_size - 1) / block_size;
}

bitfield::bitfield(std::uint32_t bits, bool value) : bytes_((bits + 7) / 8), size_(bits) {
    if (value) set_all();
}

void bitfield::set(std::uint32_t i) noexcept {
    const std::uint8_t mask = static_cast<std::uint8_t>(0x80u >> (i & 7));
    if (!(bytes_[i >> 3] & mask)) {
        bytes_[i >> 3] |= mask;
        ++count_;
    }
}

void bitfield::reset(std::uint32_t i) noexcept {
    const std::uint8_t mask = static_cast<std::uint8_t>(0x80u >> (i & 7));
    if (bytes_[i >> 3] & mask) {
        bytes_[i >> 3] &= static_cast<std::uint8_t>(~mask);
        --count_;
    }
}

void bitfield::set_all() noexcept {
    std::fill(bytes_.begin(), bytes_.end(), std::uint8_t{0xff});
    if (size_ % 8) bytes_.back() = static_cast<std::uint8_t>(0xffu << (8 - size_ % 8));
    count_ = size_;
}

void bitfield::clear_all() noexcept {
    std::fill(bytes_.begin(), bytes_.end(), std::uint8_t{0});
    count_ = 0;
}

void bitfield::assign(std::span<const std::byte> wire, std::uint32_t bits) {
    size_ = bits;
    bytes_.assign((bits + 7) / 8, 0);
    std::memcpy(bytes_.data(), wire.data(), std::min(wire.size(), bytes_.size()));
    if (size_ % 8) bytes_.back() &= static_cast<std::uint8_t>(0xffu << (8 - size_ % 8));
    count_ = 0;
    for (std::uint8_t b : bytes_) count_ += static_cast<std::uint32_t>(std::popcount(b));
}

}  // namespace swarmbench::bt
