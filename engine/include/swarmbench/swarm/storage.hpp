// storage: where a leecher's blocks go, through the engine.
//
//   file_storage     the torrent's files under one directory (path-checked
//                    with bt::safe_join), opened through io_context::open_file,
//                    optionally preallocated and O_DIRECT. A block that spans
//                    files is split into one write per file segment
//                    (bt::torrent::map_span); the callback runs once, after
//                    the last segment, with the first error.
//   discard_storage  accepts everything at once and writes nothing: the
//                    network-only mode (libtorrent's disabled_disk_io).
//
// Every async_write/async_read completes exactly once through its callback,
// on the owning context's thread, never inline (discard_storage included:
// it completes through a nop operation), with a storage_result that names
// the file and offset on error ("leecher-02/file-0001.bin at offset 1048576:
// No space left on device").
//
// Thread rules: a storage object is created, used and destroyed on the thread
// that owns its io_context. Buffers passed to async_write/async_read stay
// owned by the caller and must stay valid and unmodified until the callback.
// Destroy it only when pending() == 0 (close_files() first); the steady state
// allocates nothing (write jobs are recycled).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include "swarmbench/bt/result.hpp"
#include "swarmbench/bt/torrent.hpp"
#include "swarmbench/io_context.hpp"

namespace swarmbench {

/// How one write or read ended.
struct storage_result {
    std::error_code error;             // first error of any segment; empty on success
    std::string where;                 // on error: "<relative file> at offset N"
    std::chrono::nanoseconds latency{0};  // submit to last segment done
    std::uint32_t bytes = 0;           // bytes transferred (all of them on success)
};

/// Completion callback: `user` is what the caller passed in.
using storage_callback = void (*)(void* user, const storage_result& result);

struct file_storage_options {
    bool preallocate = true;   // fallocate each file to its length when opened
    bool direct = false;       // O_DIRECT; needs 4 KiB-aligned buffers, offsets and lengths
    bool truncate = true;      // start from empty files
    bool read_only = false;    // serve existing files (seeding from disk)
};

class piece_storage {
public:
    virtual ~piece_storage() = default;
    piece_storage(const piece_storage&) = delete;
    piece_storage& operator=(const piece_storage&) = delete;

    /// Writes `data` as bytes [offset, offset + data.size()) of `piece`.
    virtual void async_write(std::uint32_t piece, std::uint32_t offset,
                             std::span<const std::byte> data, storage_callback cb, void* user) = 0;
    /// Reads bytes [offset, offset + out.size()) of `piece` into `out`.
    virtual void async_read(std::uint32_t piece, std::uint32_t offset, std::span<std::byte> out,
                            storage_callback cb, void* user) = 0;
    /// Writes and reads submitted and not yet called back.
    virtual std::size_t pending() const noexcept = 0;
    /// Closes the files (pending() must be 0). Idempotent.
    virtual void close_files() noexcept = 0;
    /// Bytes written so far (successful writes).
    virtual std::uint64_t bytes_written() const noexcept = 0;

protected:
    piece_storage() = default;
};

/// Opens (creates) every file of `t` under `dir` on `ctx`. Errors name the
/// file and the fix: "cannot create <dir>/a/b.bin: Permission denied",
/// "--direct: file 2 starts at byte 1000001, not a multiple of 4096".
/// `t` must outlive the storage (it is referenced, not copied).
/// Owning thread of ctx only.
bt::result<std::unique_ptr<piece_storage>> open_file_storage(io_context& ctx, const bt::torrent& t,
                                                            const std::filesystem::path& dir,
                                                            const file_storage_options& options);

/// A storage that writes nowhere (reads fill zeros). Owning thread of ctx only.
std::unique_ptr<piece_storage> make_discard_storage(io_context& ctx);

}  // namespace swarmbench
