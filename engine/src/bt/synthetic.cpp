// synthetic: counter-based content (splitmix64 per 8-byte word) and the
// synthetic torrent builder.
#include "swarmbench/bt/synthetic.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <thread>
#include <vector>

#include <fmt/format.h>

namespace swarmbench::bt {

namespace {

constexpr std::uint64_t mix(std::uint64_t z) noexcept {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

// The seed is mixed once (splitmix64) so that nearby seeds give unrelated streams.
constexpr std::uint64_t key_of(std::uint64_t seed) noexcept { return mix(seed ^ 0x5357424E43484D4Bull); }

// Word `index` of the stream: wyrand's output function on a counter. One
// 64x64->128 multiply per 8 bytes (about 2.5x faster than a splitmix64 per
// word, which matters: seeders generate every block they send).
__extension__ typedef unsigned __int128 u128;  // GCC and Clang (MinGW included)

inline std::uint64_t word(std::uint64_t key, std::uint64_t index) noexcept {
    const std::uint64_t s = key + (index + 1) * 0xA0761D6478BD642Full;
    const u128 t = static_cast<u128>(s) * (s ^ 0xE7037ED1A0B428DBull);
    return static_cast<std::uint64_t>(t >> 64) ^ static_cast<std::uint64_t>(t);
}

inline void store_le(std::byte* p, std::uint64_t w) noexcept {
    if constexpr (std::endian::native == std::endian::little) {
        std::memcpy(p, &w, 8);
    } else {
        for (int i = 0; i < 8; ++i) p[i] = static_cast<std::byte>(w >> (8 * i));
    }
}

constexpr std::size_t hash_chunk = 64 * 1024;  // fits L2 with the SHA-1 state

}  // namespace

void synthetic_fill(std::uint64_t seed, std::uint64_t offset, std::span<std::byte> out) noexcept {
    const std::uint64_t key = key_of(seed);
    std::byte* p = out.data();
    std::size_t left = out.size();
    std::uint64_t index = offset / 8;
    // Unaligned head: part of one word.
    if (const auto skip = static_cast<std::size_t>(offset % 8); skip != 0 && left > 0) {
        std::byte tmp[8];
        store_le(tmp, word(key, index++));
        const std::size_t n = std::min(left, 8 - skip);
        std::memcpy(p, tmp + skip, n);
        p += n;
        left -= n;
    }
    while (left >= 8) {
        store_le(p, word(key, index++));
        p += 8;
        left -= 8;
    }
    if (left > 0) {
        std::byte tmp[8];
        store_le(tmp, word(key, index));
        std::memcpy(p, tmp, left);
    }
}

bool synthetic_matches(std::uint64_t seed, std::uint64_t offset,
                       std::span<const std::byte> data) noexcept {
    std::byte chunk[4096];
    while (!data.empty()) {
        const std::size_t n = std::min(data.size(), sizeof chunk);
        synthetic_fill(seed, offset, std::span<std::byte>(chunk, n));
        if (std::memcmp(chunk, data.data(), n) != 0) return false;
        data = data.subspan(n);
        offset += n;
    }
    return true;
}

namespace {
// Feeds bytes [offset, offset + length) of the synthetic stream into `h`,
// generating them chunk by chunk into `chunk` (never the whole range at once).
void hash_range(sha1& h, std::uint64_t seed, std::uint64_t offset, std::uint64_t length,
                std::vector<std::byte>& chunk) {
    while (length > 0) {
        const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(length, chunk.size()));
        synthetic_fill(seed, offset, std::span<std::byte>(chunk.data(), n));
        h.update(std::span<const std::byte>(chunk.data(), n));
        offset += n;
        length -= n;
    }
}
}  // namespace

sha1_hash synthetic_hash(std::uint64_t seed, std::uint64_t offset, std::uint64_t length) {
    std::vector<std::byte> chunk(static_cast<std::size_t>(std::min<std::uint64_t>(length, hash_chunk)));
    sha1 h;
    hash_range(h, seed, offset, length, chunk);
    return h.finish();
}

void hash_synthetic_pieces(std::uint64_t seed, const piece_geometry& geometry, std::uint32_t first,
                           std::uint32_t count, std::span<sha1_hash> out) {
    std::vector<std::byte> chunk(hash_chunk);
    sha1 h;
    for (std::uint32_t i = 0; i < count && i < out.size(); ++i) {
        const std::uint32_t piece = first + i;
        hash_range(h, seed, geometry.piece_offset(piece), geometry.piece_size(piece), chunk);
        out[i] = h.finish();
    }
}

result<torrent> make_synthetic_torrent(const synthetic_spec& spec) {
    if (spec.total_size == 0) return parse_error{"synthetic: total_size must be > 0"};
    if (spec.file_count == 0) return parse_error{"synthetic: file_count must be >= 1"};
    if (spec.file_count > spec.total_size)
        return parse_error{fmt::format("synthetic: file_count {} exceeds total_size {} bytes",
                                       spec.file_count, spec.total_size)};
    if (spec.piece_size < min_piece_length || spec.piece_size > max_piece_length ||
        !std::has_single_bit(spec.piece_size))
        return parse_error{fmt::format(
            "synthetic: piece_size {} must be a power of two between {} and {}", spec.piece_size,
            min_piece_length, max_piece_length)};
    const piece_geometry geometry(spec.total_size, spec.piece_size);
    if (std::uint64_t{geometry.piece_count()} * spec.piece_size < spec.total_size)
        return parse_error{"synthetic: too many pieces for 32-bit indexes"};

    torrent_spec ts;
    ts.name = spec.name;
    ts.announce = spec.announce;
    ts.piece_length = spec.piece_size;
    ts.multi_file = spec.file_count > 1;
    if (!ts.multi_file) {
        ts.files.push_back({{}, spec.total_size});
    } else {
        const std::uint64_t base = spec.total_size / spec.file_count;
        const std::uint64_t extra = spec.total_size % spec.file_count;
        ts.files.reserve(spec.file_count);
        for (std::uint32_t i = 0; i < spec.file_count; ++i) {
            std::string file_name;
            try {
                file_name = fmt::format(fmt::runtime(spec.file_pattern), i);
            } catch (const fmt::format_error& e) {
                return parse_error{fmt::format("synthetic: file_pattern \"{}\": {}",
                                               spec.file_pattern, e.what())};
            }
            ts.files.push_back({{std::move(file_name)}, base + (i < extra ? 1 : 0)});
        }
    }
    ts.piece_hashes.resize(geometry.piece_count());
    // Validate names and sizes before spending seconds on hashing.
    if (auto check = torrent::make(ts); !check) return parse_error{"synthetic: " + check.error()};
    // Pieces are independent: split them over hash_threads threads.
    const std::uint32_t pieces = geometry.piece_count();
    const std::uint32_t threads = std::clamp<std::uint32_t>(spec.hash_threads, 1, std::max<std::uint32_t>(1, pieces / 16));
    std::vector<std::thread> workers;
    const std::uint32_t share = (pieces + threads - 1) / threads;
    for (std::uint32_t first = share; first < pieces; first += share) {
        const std::uint32_t count = std::min(share, pieces - first);
        workers.emplace_back([&, first, count] {
            hash_synthetic_pieces(spec.seed, geometry, first, count, std::span(ts.piece_hashes).subspan(first, count));
        });
    }
    hash_synthetic_pieces(spec.seed, geometry, 0, std::min(share, pieces), ts.piece_hashes);
    for (auto& w : workers) w.join();
    auto t = torrent::make(ts);
    if (!t) return parse_error{"synthetic: " + t.error()};
    t->set_content_seed(spec.seed);
    return t;
}

}  // namespace swarmbench::bt
