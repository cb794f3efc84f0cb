// synthetic: torrent content generated from (seed, byte offset), so a seeder
// serves any size without storing it and a leecher verifies what it wrote.
//
// Byte b of the stream is byte (b % 8), little-endian, of the 64-bit word
// wyrand(key(seed) + (b / 8 + 1) * 0xA0761D6478BD642F): counter-based, so any
// range is produced without generating what comes before it (about 10 GB/s
// per core). Changing the function changes every synthetic torrent's hashes.
//
// Thread rules: all functions are reentrant and share no state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "swarmbench/bt/result.hpp"
#include "swarmbench/bt/sha1.hpp"
#include "swarmbench/bt/torrent.hpp"

namespace swarmbench::bt {

/// Writes bytes [offset, offset + out.size()) of the synthetic stream for
/// `seed` into `out`.
void synthetic_fill(std::uint64_t seed, std::uint64_t offset, std::span<std::byte> out) noexcept;

/// Whether `data` equals bytes [offset, offset + data.size()) of the stream.
bool synthetic_matches(std::uint64_t seed, std::uint64_t offset,
                       std::span<const std::byte> data) noexcept;

/// SHA-1 of `length` stream bytes at `offset` (generated in cache-sized
/// chunks, nothing else allocated).
sha1_hash synthetic_hash(std::uint64_t seed, std::uint64_t offset, std::uint64_t length);

/// What a synthetic torrent looks like.
struct synthetic_spec {
    std::uint64_t seed = 1;                      // content seed
    std::uint64_t total_size = 64ull << 20;      // bytes
    std::uint32_t piece_size = 256 * 1024;       // power of two >= 16 KiB
    std::uint32_t file_count = 1;                // 1: single-file torrent
    std::string name = "swarmbench-synthetic";   // torrent name (file or directory)
    /// fmt pattern for file names in a multi-file torrent, given the index.
    std::string file_pattern = "file-{:04}.bin";
    std::string announce;                        // tracker URL, usually empty
    unsigned hash_threads = 1;                   // threads hashing the pieces
};

/// Builds the torrent (content_seed() set to spec.seed): files split evenly (the first total % count files
/// get one byte more), every piece hashed over the generated content. Takes
/// about total_size / SHA-1 speed; call from a worker thread for big sizes.
/// Errors name the bad field ("file_pattern: ...", "piece length ...").
result<torrent> make_synthetic_torrent(const synthetic_spec& spec);

/// Hashes pieces [first, first + count) of a synthetic stream into `out`
/// (out.size() >= count), so callers can split the work across threads.
void hash_synthetic_pieces(std::uint64_t seed, const piece_geometry& geometry, std::uint32_t first,
                           std::uint32_t count, std::span<sha1_hash> out);

}  // namespace swarmbench::bt
