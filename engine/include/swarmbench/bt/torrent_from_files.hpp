// torrent_from_files: a v1 torrent made from an existing file or directory
// (swarmbench make-torrent --from), as mktorrent or a client's "create
// torrent" would.
//
// A file gives a single-file torrent; a directory gives a multi-file torrent
// of every regular file below it, recursively, sorted by relative path
// (component by component, bytes compared), with pieces hashed across file
// boundaries. Nothing is skipped silently: hidden files are included, a
// symbolic link inside the tree or anything that is not a regular file or
// directory is an error naming it; only directories holding no file leave no
// trace (a torrent cannot carry them). The path given itself may be a link.
// The torrent has no content seed: its content is those files.
//
// Thread rules: as content_files.hpp (the hashing runs on up to
// spec.hooks.threads workers, started and joined inside the call).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "swarmbench/bt/content_files.hpp"
#include "swarmbench/bt/result.hpp"
#include "swarmbench/bt/torrent.hpp"

namespace swarmbench::bt {

/// Largest piece size make_torrent_from_path takes (what clients handle well).
inline constexpr std::uint32_t max_from_files_piece = 64u << 20;
/// Most files make_torrent_from_path takes.
inline constexpr std::uint32_t max_from_files_count = 100000;

/// How to make the torrent.
struct from_files_spec {
    std::uint32_t piece_size = 256 * 1024;  // power of two, 16 KiB .. 64 MiB
    std::string name;                       // torrent name; empty: the file's or directory's own name
    std::string announce;                   // tracker URL; empty for none
    content_hooks hooks;                    // hashing threads, stop flag, progress
};

/// Lists, checks and hashes `path` into a torrent. Errors name the cause and
/// the path: the path missing, a symlink or special file inside it, a path
/// component a torrent cannot carry (bt::check_path_component), more than
/// max_from_files_count files, no data at all (0 bytes in total), a bad piece
/// size or name, a read error, "interrupted" when hooks.stop was set.
result<torrent> make_torrent_from_path(const std::filesystem::path& path, const from_files_spec& spec);

}  // namespace swarmbench::bt
