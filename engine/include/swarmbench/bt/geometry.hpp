// piece_geometry: how a torrent's byte stream is cut into pieces, and the
// bitfield that says which pieces a peer has.
//
// Shared by the torrent model, the wire codec (which checks indexes and
// lengths against it) and the piece picker.
//
// Thread rules: value types; no shared state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace swarmbench::bt {

/// Standard block size of a request (BEP 3 convention, 16 KiB).
inline constexpr std::uint32_t default_block_size = 16 * 1024;

class piece_geometry {
public:
    piece_geometry() = default;
    /// `piece_length` > 0; the last piece may be short. The piece count must
    /// fit 32 bits (the torrent validator guarantees it).
    piece_geometry(std::uint64_t total_length, std::uint32_t piece_length) noexcept;

    std::uint64_t total_length() const noexcept { return total_length_; }
    std::uint32_t piece_length() const noexcept { return piece_length_; }
    std::uint32_t piece_count() const noexcept { return piece_count_; }
    /// Bytes in `piece` (the last one may be short); 0 for an index out of range.
    std::uint32_t piece_size(std::uint32_t piece) const noexcept;
    /// Offset of `piece` in the torrent's byte stream.
    std::uint64_t piece_offset(std::uint32_t piece) const noexcept {
        return std::uint64_t{piece} * piece_length_;
    }
    /// Number of `block_size` blocks in `piece` (the last block may be short).
    std::uint32_t blocks_in_piece(std::uint32_t piece,
                                  std::uint32_t block_size = default_block_size) const noexcept;

private:
    std::uint64_t total_length_ = 0;     // bytes in the torrent
    std::uint32_t piece_length_ = 0;     // nominal piece size
    std::uint32_t piece_count_ = 0;      // ceil(total / piece_length)
    std::uint32_t last_piece_size_ = 0;  // bytes in the final piece
};

/// One bit per piece, stored as on the wire: piece 0 is the high bit of byte 0.
class bitfield {
public:
    bitfield() = default;
    explicit bitfield(std::uint32_t bits, bool value = false);

    std::uint32_t size() const noexcept { return size_; }
    std::uint32_t count() const noexcept { return count_; }
    bool all() const noexcept { return count_ == size_; }
    bool none() const noexcept { return count_ == 0; }

    bool get(std::uint32_t i) const noexcept {
        return (bytes_[i >> 3] >> (7 - (i & 7))) & 1u;
    }
    void set(std::uint32_t i) noexcept;
    void reset(std::uint32_t i) noexcept;
    void set_all() noexcept;
    void clear_all() noexcept;

    /// The wire bytes (ceil(size/8) bytes, spare bits zero).
    std::span<const std::byte> bytes() const noexcept {
        return std::as_bytes(std::span<const std::uint8_t>(bytes_));
    }
    /// Replaces the contents with wire bytes for `bits` bits. Spare bits are
    /// ignored (the wire decoder has already rejected non-zero ones).
    void assign(std::span<const std::byte> wire, std::uint32_t bits);

    friend bool operator==(const bitfield&, const bitfield&) = default;

private:
    std::vector<std::uint8_t> bytes_;  // packed bits, MSB first
    std::uint32_t size_ = 0;           // number of bits
    std::uint32_t count_ = 0;          // number of bits set
};

}  // namespace swarmbench::bt
