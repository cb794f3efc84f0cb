// content_files: a torrent's content as files on disk, laid out as a
// BitTorrent client's download folder. Hashes a list of files as one piece
// stream, writes a synthetic torrent's content (swarmbench gen-data) and
// checks a folder against a torrent (gen-data --verify, make-torrent --from).
//
// Layout: file f of torrent t lives at bt::safe_join(dir, f.path), that is
// dir/<name> for a single-file torrent and dir/<name>/<path...> for a
// multi-file one (a torrent_file's path starts with the torrent name).
//
// Plain buffered reads and writes (std::ifstream / std::ofstream): these are
// one-off tools, not the measured data path, which goes through the engine's
// storage. Unlike the rest of bt/, this part touches the file system.
//
// Thread rules: every call runs on the calling thread plus, for hashing, up
// to hooks.threads workers it starts and joins before returning; on_progress
// runs on the calling thread. Calls share no state.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "swarmbench/bt/geometry.hpp"
#include "swarmbench/bt/result.hpp"
#include "swarmbench/bt/sha1.hpp"
#include "swarmbench/bt/torrent.hpp"

namespace swarmbench::bt {

/// Most hashing threads a call starts: beyond this a disk, not SHA-1, is the limit.
inline constexpr unsigned max_hash_threads = 8;

/// How a long content operation runs: threads, a stop flag, progress.
struct content_hooks {
    unsigned threads = 1;                     // hashing threads, clamped to 1..max_hash_threads
    const std::atomic<bool>* stop = nullptr;  // when it reads true: give up soon with "interrupted"
    /// Bytes done so far and in all; called on the calling thread about once
    /// a second while the work lasts (not at all for work under a second).
    std::function<void(std::uint64_t done, std::uint64_t total)> on_progress;
};

/// One file of a piece stream on disk; the stream is the files end to end.
struct stream_file {
    std::filesystem::path path;  // where its bytes are
    std::uint64_t length = 0;    // bytes it must hold exactly
};

/// SHA-1 of every piece of the stream formed by `files` in order (pieces
/// cross file boundaries; empty files take no room). Every file must exist
/// as a regular file of exactly its length (checked first; the error names
/// the file), and the lengths must add up to geometry.total_length().
result<std::vector<sha1_hash>> hash_file_pieces(std::span<const stream_file> files,
                                                const piece_geometry& geometry,
                                                const content_hooks& hooks = {});

/// The files of `t` under `dir`, in stream order (safe_join of each path).
result<std::vector<stream_file>> content_layout(const torrent& t, const std::filesystem::path& dir);

/// dir/<name>: the file (single-file torrent) or directory holding the content.
std::filesystem::path content_root(const torrent& t, const std::filesystem::path& dir);

/// The files of `t` already present under `dir` (as anything, a dangling
/// link included), in stream order: what write_synthetic_content refuses to
/// replace without options.overwrite.
std::vector<std::filesystem::path> existing_content_files(const torrent& t, const std::filesystem::path& dir);

/// How write_synthetic_content treats what is already there.
struct write_options {
    bool overwrite = false;  // replace existing files (--force); a symlink is never written through
    content_hooks hooks;     // stop and progress (the writing is one thread)
};

/// Writes the content of a synthetic torrent (t.content_seed() set) under
/// `dir`, creating it and the sub-directories: each file's bytes are
/// bt::synthetic_fill(seed, its stream offset, ...), written in 4 MiB
/// chunks. Before writing anything, refuses when a target exists (unless
/// options.overwrite), is a directory, or when a target or one of its
/// parent directories under `dir` is a symbolic link. Returns nullopt on
/// success, else the reason, naming the file.
std::optional<std::string> write_synthetic_content(const torrent& t, const std::filesystem::path& dir,
                                                   const write_options& options = {});

/// What verify_content found.
struct verify_report {
    std::uint32_t pieces = 0;                      // pieces checked (all of them)
    std::uint32_t bad_pieces = 0;                  // pieces whose SHA-1 differs
    std::optional<std::uint32_t> first_bad_piece;  // lowest bad index, if any
    std::vector<std::string> first_bad_files;      // relative paths of the files that piece covers
    bool ok() const noexcept { return bad_pieces == 0; }
};

/// Reads the content of `t` back from `dir` and checks every piece hash
/// (works for any torrent, synthetic or not). A missing file, a file of the
/// wrong size or a read error is an error naming the file; pieces that differ
/// are counted in the report.
result<verify_report> verify_content(const torrent& t, const std::filesystem::path& dir,
                                     const content_hooks& hooks = {});

}  // namespace swarmbench::bt
