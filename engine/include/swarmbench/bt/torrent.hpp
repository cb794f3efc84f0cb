// torrent: v1 metainfo (.torrent) read and written, info-hash, file layout,
// and path safety.
//
// A torrent is a byte stream cut into pieces; its files lie end to end in
// that stream. map_span() turns a (piece, offset, length) block into the file
// segments it covers, so a block spanning two files is written as two writes.
//
// Path safety: every path component from a torrent is checked (no "..", ".",
// empty, '/', '\\', ':', NUL, or Windows reserved names such as CON, NUL,
// COM1), and safe_join() never produces a path outside the output directory.
//
// Thread rules: a torrent is immutable after construction; share it freely
// between threads for reading.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "swarmbench/bt/bencode.hpp"
#include "swarmbench/bt/geometry.hpp"
#include "swarmbench/bt/result.hpp"
#include "swarmbench/bt/sha1.hpp"

namespace swarmbench::bt {

/// Smallest and largest piece length accepted.
inline constexpr std::uint32_t min_piece_length = 16 * 1024;
inline constexpr std::uint32_t max_piece_length = 256u << 20;

/// A file inside the torrent.
struct torrent_file {
    std::vector<std::string> path;  // safe components, relative to the output dir
    std::uint64_t length = 0;       // bytes
    std::uint64_t offset = 0;       // where it starts in the torrent's byte stream

    /// Components joined with '/'.
    std::string relative_path() const;
};

/// Part of a block that falls in one file.
struct file_segment {
    std::uint32_t file = 0;         // index into torrent::files()
    std::uint64_t file_offset = 0;  // offset inside that file
    std::uint32_t length = 0;       // bytes
    std::uint32_t block_offset = 0; // where these bytes start inside the block
};

/// What make() needs to build a torrent.
struct torrent_spec {
    std::string name;                    // file name (single) or directory (multi)
    std::string announce;                // tracker URL; empty for none
    std::uint32_t piece_length = 0;      // power of two, >= 16 KiB
    /// Files: path components relative to `name` and length. One entry with
    /// an empty path and `multi_file == false` makes a single-file torrent.
    std::vector<std::pair<std::vector<std::string>, std::uint64_t>> files;
    bool multi_file = true;              // "files" list vs single "length"
    std::vector<sha1_hash> piece_hashes; // one per piece
};

class torrent {
public:
    /// Parses and validates a .torrent file.
    static result<torrent> parse(std::span<const std::byte> data,
                                 const bencode::decode_limits& limits = {});
    static result<torrent> parse(std::string_view data,
                                 const bencode::decode_limits& limits = {});
    /// Builds and validates a torrent from its parts; computes the info-hash.
    static result<torrent> make(const torrent_spec& spec);

    /// The .torrent file bytes (the info dictionary is written verbatim, so
    /// a parsed torrent keeps its info-hash).
    std::string encode() const;

    const std::string& name() const noexcept { return name_; }
    const std::string& announce() const noexcept { return announce_; }
    /// The synthetic content seed of a torrent made by swarmbench
    /// (make-torrent, or a swarm's own torrent): its content is
    /// bt::synthetic_fill(seed, ...), so a seeder can serve it and a leecher
    /// check each block without the files. Kept in the top-level key
    /// "swarmbench" ({"content": "synthetic", "seed": N}), outside the info
    /// dictionary, so the info-hash does not depend on it and real clients
    /// ignore it. nullopt for any other torrent.
    std::optional<std::uint64_t> content_seed() const noexcept { return content_seed_; }
    /// Marks the content as synthetic from `seed` (or not, with nullopt).
    /// The caller vouches for it; make_synthetic_torrent sets it.
    void set_content_seed(std::optional<std::uint64_t> seed) noexcept { content_seed_ = seed; }
    bool multi_file() const noexcept { return multi_file_; }
    const piece_geometry& geometry() const noexcept { return geometry_; }
    std::uint32_t piece_length() const noexcept { return geometry_.piece_length(); }
    std::uint32_t piece_count() const noexcept { return geometry_.piece_count(); }
    std::uint32_t piece_size(std::uint32_t piece) const noexcept { return geometry_.piece_size(piece); }
    std::uint64_t total_length() const noexcept { return geometry_.total_length(); }
    const std::vector<torrent_file>& files() const noexcept { return files_; }
    const sha1_hash& piece_hash(std::uint32_t piece) const { return piece_hashes_.at(piece); }
    const sha1_hash& info_hash() const noexcept { return info_hash_; }
    std::string info_hash_hex() const { return to_hex(info_hash_); }
    /// The raw bencoded info dictionary (what the info-hash is taken over).
    const std::string& info_bytes() const noexcept { return info_bytes_; }

    /// Appends to `out` (after clearing it) the file segments covered by
    /// `length` bytes at `offset` inside `piece`, in stream order; empty files
    /// produce no segment. Returns false if the span lies outside the piece.
    /// O(log files + segments); reuse `out` to avoid allocation.
    bool map_span(std::uint32_t piece, std::uint32_t offset, std::uint32_t length,
                  std::vector<file_segment>& out) const;
    /// Index of the file holding stream byte `offset` (skipping empty files).
    std::uint32_t file_at(std::uint64_t offset) const noexcept;

private:
    static result<torrent> from_info(const bencode::value& info, std::string info_bytes);

    std::string name_;                       // torrent name
    std::string announce_;                   // tracker URL or empty
    std::optional<std::uint64_t> content_seed_;  // synthetic content seed ("swarmbench" key)
    bool multi_file_ = false;                // "files" list present
    piece_geometry geometry_;                // piece cutting
    std::vector<torrent_file> files_;        // in stream order, with offsets
    std::vector<sha1_hash> piece_hashes_;    // expected piece digests
    sha1_hash info_hash_{};                  // SHA-1 of info_bytes_
    std::string info_bytes_;                 // bencoded info dictionary
};

/// Reads and parses a .torrent file. Errors name the file: "T.torrent: cannot
/// read: No such file or directory", "T.torrent: not a valid .torrent: no
/// 'info' dictionary". Files over 64 MiB are refused (no real .torrent is).
result<torrent> read_torrent_file(const std::filesystem::path& path);

/// Checks one path component; returns an error naming the problem, or
/// nullopt if it is safe ("path component \"..\" is not allowed").
std::optional<std::string> check_path_component(std::string_view component);

/// `output_dir` / components, refusing anything that would escape
/// `output_dir` (checked lexically; symlinks inside the output directory are
/// the caller's responsibility). Pure path arithmetic, no file system access.
result<std::filesystem::path> safe_join(const std::filesystem::path& output_dir,
                                        std::span<const std::string> components);

}  // namespace swarmbench::bt
