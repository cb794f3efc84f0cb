// file_storage: a torrent's files under one directory, written and read
// through the engine (see storage.hpp).
//
// [SECTION] files: one open file of the torrent, and its O_DIRECT fallback
// [SECTION] jobs: one async_write/async_read split into per-file segments
// [SECTION] file_storage: the piece_storage implementation
// [SECTION] open_file_storage: path checks, directories, O_DIRECT layout
//
// O_DIRECT needs the file offset, the length and the buffer address of every
// transfer aligned (4096 covers every device we meet). The layout check at
// open time makes every file start at an aligned stream offset, so aligned
// blocks land at aligned file offsets; what remains unaligned is the
// torrent's short last block and callers' odd buffers. Those segments go
// through a second, buffered descriptor of the same file, opened on first
// need, so a write never fails with EINVAL. Linux keeps the two coherent
// (direct I/O flushes and invalidates the page-cache range it touches).
#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "swarmbench/error.hpp"
#include "swarmbench/log.hpp"
#include "swarmbench/swarm/storage.hpp"

namespace swarmbench {
namespace {

using steady = std::chrono::steady_clock;

/// Alignment O_DIRECT transfers are held to (offset, length and address).
constexpr std::uint64_t direct_alignment = 4096;

// ---------------------------------------------------------------------------
// [SECTION] files
// ---------------------------------------------------------------------------

/// One file of the torrent as opened here.
struct storage_file {
    std::string path;                          // full path on disk (for the lazy open)
    std::string relative;                      // torrent-relative path, for error messages
    std::uint64_t length = 0;                  // bytes
    native_handle fd = invalid_handle;         // main descriptor (O_DIRECT in direct mode)
    native_handle buffered_fd = invalid_handle;  // direct mode: unaligned segments, opened lazily
};

// ---------------------------------------------------------------------------
// [SECTION] jobs
// ---------------------------------------------------------------------------

class file_storage;
struct storage_job;

/// Segments of one job in flight at once; further segments (a block over
/// many tiny files) are issued from the slots as they complete.
constexpr std::size_t slots_per_job = 4;

/// Marks a slot that carries no segment (the job itself failed up front).
constexpr std::uint32_t no_segment = UINT32_MAX;

/// One in-flight segment of a job.
struct segment_slot {
    storage_job* job = nullptr;          // owner
    operation op;                        // read_at / write_at, or a nop delivering `preset`
    std::uint32_t segment = no_segment;  // index into job->segments
    std::error_code preset;              // a nop's error (e.g. the lazy open failed)
};

/// One async_write or async_read, recycled through the storage's free list.
struct storage_job {
    file_storage* owner = nullptr;            // the storage it belongs to
    bool write = false;                       // write_at vs read_at
    std::byte* data = nullptr;                // the caller's buffer (block start)
    storage_callback cb = nullptr;            // the caller's callback
    void* user = nullptr;                     // the caller's pointer
    std::vector<bt::file_segment> segments;   // where the block goes; capacity kept across reuse
    std::size_t next_segment = 0;             // next segment to issue
    std::uint32_t in_flight = 0;              // slots submitted and not completed
    std::uint32_t bytes = 0;                  // bytes transferred so far
    std::error_code error;                    // first error
    std::string where;                        // where the first error happened
    steady::time_point started;               // submit time (latency)
    std::array<segment_slot, slots_per_job> slots;  // the operations
};

void on_segment_done(operation& op);

// ---------------------------------------------------------------------------
// [SECTION] file_storage
// ---------------------------------------------------------------------------

class file_storage final : public piece_storage {
public:
    file_storage(io_context& ctx, const bt::torrent& t, const file_storage_options& options)
        : ctx_(ctx), torrent_(t), options_(options) {}

    ~file_storage() override {
        if (pending_ > 0)
            log().error("file storage destroyed with {} operations pending: their callbacks will touch freed memory",
                        pending_);
        close_files();
    }

    void async_write(std::uint32_t piece, std::uint32_t offset, std::span<const std::byte> data,
                     storage_callback cb, void* user) override {
        // The engine never writes through op.data for write_at; the cast only
        // shares one operation type between reads and writes.
        start(true, piece, offset, const_cast<std::byte*>(data.data()), data.size(), cb, user);
    }

    void async_read(std::uint32_t piece, std::uint32_t offset, std::span<std::byte> out, storage_callback cb,
                    void* user) override {
        start(false, piece, offset, out.data(), out.size(), cb, user);
    }

    std::size_t pending() const noexcept override { return pending_; }

    void close_files() noexcept override {
        if (pending_ > 0) {
            // Closing under a pending operation would let the number be reused
            // by another file while the operation still targets it.
            log().error("file storage: close_files() with {} operations pending; files left open", pending_);
            return;
        }
        for (storage_file& f : files_) {
            if (f.fd != invalid_handle) ctx_.close_now(f.fd);
            if (f.buffered_fd != invalid_handle) ctx_.close_now(f.buffered_fd);
            f.fd = invalid_handle;
            f.buffered_fd = invalid_handle;
        }
    }

    std::uint64_t bytes_written() const noexcept override { return bytes_written_; }

    /// Set-up by open_file_storage (owning thread).
    std::vector<storage_file>& files() noexcept { return files_; }

    // ---- job plumbing (owning thread; called from on_segment_done) ----

    /// Issues segment `index` of `job` on `slot`.
    void issue(storage_job& job, segment_slot& slot, std::uint32_t index) {
        const bt::file_segment& seg = job.segments[index];
        storage_file& f = files_[seg.file];
        slot.segment = index;
        slot.preset.clear();
        std::byte* at = job.data + seg.block_offset;
        native_handle fd = f.fd;
        if (options_.direct && !aligned(at, seg.file_offset, seg.length)) fd = buffered_fd(f, slot.preset);
        operation& op = slot.op;
        op.code = slot.preset ? op_code::nop : (job.write ? op_code::write_at : op_code::read_at);
        op.handle = fd;
        op.data = at;
        op.size = seg.length;
        op.offset = seg.file_offset;
        ++job.in_flight;
        ctx_.submit(op);
    }

    /// A segment (or the up-front nop) completed.
    void segment_done(storage_job& job, segment_slot& slot) {
        --job.in_flight;
        const operation& op = slot.op;
        std::error_code ec = op.code == op_code::nop ? slot.preset : op.error;
        if (slot.segment != no_segment) {
            const bt::file_segment& seg = job.segments[slot.segment];
            bool short_read = false;
            if (!ec && static_cast<std::uint64_t>(op.result) < seg.length) {
                // read_at stops short only at end of file: the file is shorter
                // than the torrent says (truncated or not ours).
                ec = std::make_error_code(std::errc::no_message_available);
                short_read = true;
            }
            if (ec) {
                if (!job.error) {
                    job.error = ec;
                    job.where = fmt::format("{} at offset {}", files_[seg.file].relative, seg.file_offset);
                    if (short_read)
                        job.where += fmt::format(" (short read: {} of {} bytes)", op.result, seg.length);
                }
            } else {
                job.bytes += seg.length;
                if (job.write) bytes_written_ += seg.length;
                if (job.next_segment < job.segments.size()) {
                    issue(job, slot, static_cast<std::uint32_t>(job.next_segment++));
                    return;
                }
            }
        } else if (ec && !job.error) {
            job.error = ec;
        }
        if (job.in_flight == 0) finish(job);
    }

private:
    static bool aligned(const std::byte* at, std::uint64_t offset, std::uint32_t length) noexcept {
        return (reinterpret_cast<std::uintptr_t>(at) % direct_alignment) == 0 && offset % direct_alignment == 0 &&
               length % direct_alignment == 0;
    }

    /// The buffered descriptor of `f`, opened on first need; on failure
    /// returns invalid_handle and sets `ec`.
    native_handle buffered_fd(storage_file& f, std::error_code& ec) {
        if (f.buffered_fd != invalid_handle) return f.buffered_fd;
        if (f.fd == invalid_handle) {
            // Closed (close_files) or never opened: same error the engine gives.
            ec = std::error_code(EBADF, std::system_category());
            return invalid_handle;
        }
        file_options fo;
        fo.create = false;
        fo.read_only = options_.read_only;
        f.buffered_fd = ctx_.open_file(f.path, fo, ec);
        if (ec) f.buffered_fd = invalid_handle;
        return f.buffered_fd;
    }

    storage_job& acquire() {
        if (free_.empty()) {
            auto job = std::make_unique<storage_job>();
            job->owner = this;
            for (segment_slot& slot : job->slots) {
                slot.job = job.get();
                slot.op.on_complete = on_segment_done;
                slot.op.user = &slot;
            }
            job->segments.reserve(slots_per_job);
            free_.push_back(job.get());
            jobs_.push_back(std::move(job));
            free_.reserve(jobs_.size());  // so release() never allocates
        }
        storage_job* job = free_.back();
        free_.pop_back();
        return *job;
    }

    void start(bool write, std::uint32_t piece, std::uint32_t offset, std::byte* data, std::size_t size,
               storage_callback cb, void* user) {
        storage_job& job = acquire();
        ++pending_;
        job.write = write;
        job.data = data;
        job.cb = cb;
        job.user = user;
        job.next_segment = 0;
        job.in_flight = 0;
        job.bytes = 0;
        job.error.clear();
        job.where.clear();
        job.started = steady::now();
        const bool in_piece = size <= UINT32_MAX &&
                              torrent_.map_span(piece, offset, static_cast<std::uint32_t>(size), job.segments);
        if (!in_piece || job.segments.empty()) {
            // Nothing to transfer (a zero-length block) or a span outside the
            // piece: complete through a nop so the callback is never inline.
            if (!in_piece) {
                job.segments.clear();
                job.error = std::make_error_code(std::errc::invalid_argument);
                job.where = fmt::format("piece {} offset {} length {} (outside the torrent)", piece, offset, size);
            }
            segment_slot& slot = job.slots[0];
            slot.segment = no_segment;
            slot.preset.clear();
            slot.op.code = op_code::nop;
            ++job.in_flight;
            ctx_.submit(slot.op);
            return;
        }
        const std::size_t first = std::min(job.segments.size(), slots_per_job);
        job.next_segment = first;
        for (std::size_t i = 0; i < first; ++i) issue(job, job.slots[i], static_cast<std::uint32_t>(i));
    }

    void finish(storage_job& job) {
        storage_result result;
        result.error = job.error;
        result.where = std::move(job.where);
        result.latency = std::chrono::duration_cast<std::chrono::nanoseconds>(steady::now() - job.started);
        result.bytes = job.bytes;
        const storage_callback cb = job.cb;
        void* const user = job.user;
        // Recycle before the callback, so it may submit again (and reuse this
        // job) and sees pending() without this one.
        free_.push_back(&job);
        --pending_;
        cb(user, result);
    }

    io_context& ctx_;                            // the context every operation goes to
    const bt::torrent& torrent_;                 // file layout (outlives the storage)
    file_storage_options options_;               // as opened
    std::vector<storage_file> files_;            // one per torrent file, in stream order
    std::vector<std::unique_ptr<storage_job>> jobs_;  // every job ever made
    std::vector<storage_job*> free_;             // jobs ready for reuse
    std::size_t pending_ = 0;                    // jobs submitted and not called back
    std::uint64_t bytes_written_ = 0;            // bytes of successful write segments
};

void on_segment_done(operation& op) {
    auto& slot = *static_cast<segment_slot*>(op.user);
    slot.job->owner->segment_done(*slot.job, slot);
}

// ---------------------------------------------------------------------------
// [SECTION] open_file_storage
// ---------------------------------------------------------------------------

/// The O_DIRECT layout rule: every non-empty file starts at an aligned
/// stream offset (so only the last file may have an unaligned length).
std::string check_direct_layout(const bt::torrent& t) {
    const std::vector<bt::torrent_file>& files = t.files();
    for (std::size_t i = 0; i < files.size(); ++i) {
        const bt::torrent_file& f = files[i];
        if (f.length == 0 || f.offset % direct_alignment == 0) continue;
        return fmt::format(
            "direct: file {} ({}) starts at byte {}, not a multiple of {}; O_DIRECT needs every file "
            "but the last sized in multiples of {} (drop --direct or change the file sizes)",
            i, f.relative_path(), f.offset, direct_alignment, direct_alignment);
    }
    return {};
}

std::string open_error(const std::string& path, const file_storage_options& o, const std::error_code& ec) {
    std::string msg = describe_error((o.read_only ? "cannot open " : "cannot create ") + path, ec);
    if (o.direct && ec == std::errc::invalid_argument)
        msg += " (O_DIRECT is not supported on this filesystem, e.g. tmpfs: use a directory on a disk "
               "filesystem or drop --direct)";
    return msg;
}

}  // namespace

bt::result<std::unique_ptr<piece_storage>> open_file_storage(io_context& ctx, const bt::torrent& t,
                                                            const std::filesystem::path& dir,
                                                            const file_storage_options& options) {
    namespace fs = std::filesystem;
    if (options.direct) {
        if (std::string why = check_direct_layout(t); !why.empty()) return bt::parse_error{std::move(why)};
    }
    auto storage = std::make_unique<file_storage>(ctx, t, options);
    std::vector<storage_file>& files = storage->files();
    files.reserve(t.files().size());
    for (const bt::torrent_file& tf : t.files()) {
        auto joined = bt::safe_join(dir, tf.path);
        if (!joined) return bt::parse_error{fmt::format("file {}: {}", tf.relative_path(), joined.error())};
        storage_file& f = files.emplace_back();
        f.path = joined.value().string();
        f.relative = tf.relative_path();
        f.length = tf.length;
        if (!options.read_only) {
            const fs::path parent = joined.value().parent_path();
            std::error_code ec;
            fs::create_directories(parent, ec);
            if (ec) return bt::parse_error{describe_error("cannot create directory " + parent.string(), ec)};
        }
        file_options fo;
        fo.create = !options.read_only;
        fo.truncate = options.truncate && !options.read_only;
        fo.read_only = options.read_only;
        // An empty file only needs to exist: no O_DIRECT, no descriptor kept.
        fo.direct = options.direct && tf.length > 0;
        fo.preallocate = options.preallocate && !options.read_only ? tf.length : 0;
        std::error_code ec;
        native_handle fd = ctx.open_file(f.path, fo, ec);
        if (ec) return bt::parse_error{open_error(f.path, options, ec)};
        if (tf.length == 0) {
            ctx.close_now(fd);
            continue;
        }
        f.fd = fd;
    }
    SWARMBENCH_DEBUG("file storage: {} files under {} (direct={}, preallocate={})", files.size(), dir.string(),
                     options.direct, options.preallocate);
    return std::unique_ptr<piece_storage>(std::move(storage));
}

}  // namespace swarmbench
