// content_files: hashing a file list as one piece stream, writing synthetic
// content, verifying a folder against a torrent.
//
// [SECTION] helpers
// [SECTION] hashing a file list
// [SECTION] layout
// [SECTION] writing synthetic content
// [SECTION] verifying
#include "swarmbench/bt/content_files.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <fstream>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "swarmbench/bt/synthetic.hpp"

namespace swarmbench::bt {

namespace fs = std::filesystem;

// ---------------------------------------------------------------- [SECTION] helpers

namespace {

constexpr std::size_t read_chunk = 1u << 20;   // bytes read per call while hashing
constexpr std::size_t write_chunk = 4u << 20;  // bytes generated and written per call
constexpr auto progress_every = std::chrono::seconds(1);

// Paths in messages as UTF-8 (std::string of a path throws on Windows for
// characters outside the code page).
std::string show(const fs::path& p) {
    const std::u8string s = p.u8string();
    return std::string(reinterpret_cast<const char*>(s.data()), s.size());
}

// The reason after a failed stream operation: errno is what the C library
// left, which libstdc++'s file streams pass through.
std::string last_os_error(int saved_errno) {
    return saved_errno != 0 ? std::string(std::strerror(saved_errno)) : std::string("I/O error");
}

bool stop_requested(const content_hooks& hooks) {
    return hooks.stop != nullptr && hooks.stop->load(std::memory_order_relaxed);
}

// Reads bytes of the stream formed by files end to end, keeping one file open
// (consecutive reads of one worker are mostly in the same file).
class stream_reader {
public:
    stream_reader(std::span<const stream_file> files, std::span<const std::uint64_t> offsets)
        : files_(files), offsets_(offsets) {}

    // Fills `out` with stream bytes at `offset`; nullopt, or why not.
    std::optional<std::string> read(std::uint64_t offset, std::span<std::byte> out) {
        // The last file starting at or before `offset`, then past empty ones.
        std::size_t i = static_cast<std::size_t>(
            std::upper_bound(offsets_.begin(), offsets_.end(), offset) - offsets_.begin());
        i = i > 0 ? i - 1 : 0;
        while (!out.empty()) {
            while (i < files_.size() && offsets_[i] + files_[i].length <= offset) ++i;
            if (i >= files_.size()) return std::string("read past the end of the files");
            const std::uint64_t in_file = offset - offsets_[i];
            const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), files_[i].length - in_file));
            if (auto why = read_file(i, in_file, out.first(n))) return why;
            out = out.subspan(n);
            offset += n;
        }
        return std::nullopt;
    }

private:
    std::optional<std::string> read_file(std::size_t i, std::uint64_t at, std::span<std::byte> out) {
        if (open_ != i) {
            in_.close();
            in_.clear();
            errno = 0;
            in_.open(files_[i].path, std::ios::binary);
            if (!in_) return fmt::format("{}: cannot open: {}", show(files_[i].path), last_os_error(errno));
            open_ = i;
            pos_ = 0;
        }
        if (pos_ != at) {
            in_.seekg(static_cast<std::streamoff>(at));
            if (!in_) return fmt::format("{}: cannot seek to {}", show(files_[i].path), at);
        }
        errno = 0;
        in_.read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(out.size()));
        if (static_cast<std::size_t>(in_.gcount()) != out.size()) {
            const int e = errno;
            open_ = static_cast<std::size_t>(-1);  // reopen next time
            return fmt::format("{}: short read at offset {} ({}; did it change while being read?)",
                               show(files_[i].path), at + static_cast<std::uint64_t>(in_.gcount()),
                               e != 0 ? last_os_error(e) : "end of file");
        }
        pos_ = at + out.size();
        return std::nullopt;
    }

    std::span<const stream_file> files_;       // the stream's files
    std::span<const std::uint64_t> offsets_;   // where each starts in the stream
    std::ifstream in_;                         // the open file
    std::size_t open_ = static_cast<std::size_t>(-1);  // its index, or -1
    std::uint64_t pos_ = 0;                    // read position inside it
};

}  // namespace

// ---------------------------------------------------------------- [SECTION] hashing a file list

result<std::vector<sha1_hash>> hash_file_pieces(std::span<const stream_file> files, const piece_geometry& geometry,
                                                const content_hooks& hooks) {
    // Check every file before reading any: a wrong size is the usual mistake
    // and should not cost a full read to find.
    std::vector<std::uint64_t> offsets(files.size());
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < files.size(); ++i) {
        const stream_file& f = files[i];
        std::error_code ec;
        const fs::file_status st = fs::status(f.path, ec);
        if (st.type() == fs::file_type::not_found) return parse_error{fmt::format("{}: missing", show(f.path))};
        if (ec) return parse_error{fmt::format("{}: {}", show(f.path), ec.message())};
        if (!fs::is_regular_file(st)) return parse_error{fmt::format("{}: not a regular file", show(f.path))};
        const std::uint64_t size = fs::file_size(f.path, ec);
        if (ec) return parse_error{fmt::format("{}: {}", show(f.path), ec.message())};
        if (size != f.length)
            return parse_error{fmt::format("{}: has {} bytes, the torrent says {}", show(f.path), size, f.length)};
        offsets[i] = total;
        total += f.length;
    }
    if (total != geometry.total_length() || geometry.piece_length() == 0)
        return parse_error{fmt::format("the files hold {} bytes, the pieces cover {}", total, geometry.total_length())};

    const std::uint32_t pieces = geometry.piece_count();
    std::vector<sha1_hash> out(pieces);
    // Workers take batches of about 4 MiB from a shared counter, so the
    // reads stay close together (friendly to read-ahead on a disk).
    const std::uint32_t batch = std::max<std::uint32_t>(1, static_cast<std::uint32_t>(write_chunk / geometry.piece_length()));
    const std::uint32_t batches = (pieces + batch - 1) / batch;
    const unsigned threads = std::clamp<unsigned>(std::min<unsigned>(hooks.threads, batches), 1, max_hash_threads);

    std::atomic<std::uint32_t> next{0};       // first piece of the next batch
    std::atomic<std::uint64_t> done{0};       // bytes hashed so far
    std::atomic<bool> failed{false};          // a worker failed: the others stop
    std::mutex m;                             // guards error and running
    std::condition_variable cv;               // a worker finished
    std::string error;                        // the first failure
    unsigned running = threads;               // workers not finished

    auto fail = [&](std::string why) {
        std::lock_guard lock(m);
        if (error.empty()) error = std::move(why);
        failed = true;
    };
    auto work = [&] {
        try {
            stream_reader reader(files, offsets);
            std::vector<std::byte> buf(std::min<std::size_t>(read_chunk, geometry.piece_length()));
            sha1 h;
            for (;;) {
                const std::uint32_t first = next.fetch_add(batch);
                if (first >= pieces) break;
                for (std::uint32_t p = first; p < std::min(pieces, first + batch); ++p) {
                    if (failed) return;
                    if (stop_requested(hooks)) return fail("interrupted");
                    const std::uint64_t start = geometry.piece_offset(p);
                    const std::uint32_t size = geometry.piece_size(p);
                    for (std::uint32_t at = 0; at < size;) {
                        const auto n = static_cast<std::uint32_t>(std::min<std::size_t>(buf.size(), size - at));
                        if (auto why = reader.read(start + at, std::span(buf).first(n))) return fail(std::move(*why));
                        h.update(std::span<const std::byte>(buf.data(), n));
                        at += n;
                        done.fetch_add(n, std::memory_order_relaxed);
                    }
                    out[p] = h.finish();
                }
            }
        } catch (const std::exception& e) {
            fail(e.what());
        }
    };
    std::vector<std::thread> workers;
    workers.reserve(threads);
    for (unsigned i = 0; i < threads; ++i)
        workers.emplace_back([&] {
            work();
            std::lock_guard lock(m);
            --running;
            cv.notify_all();
        });
    {
        std::unique_lock lock(m);
        while (!cv.wait_for(lock, progress_every, [&] { return running == 0; })) {
            if (!hooks.on_progress) continue;
            lock.unlock();
            hooks.on_progress(done.load(std::memory_order_relaxed), total);
            lock.lock();
        }
    }
    for (std::thread& w : workers) w.join();
    if (!error.empty()) return parse_error{error};
    return out;
}

// ---------------------------------------------------------------- [SECTION] layout

result<std::vector<stream_file>> content_layout(const torrent& t, const fs::path& dir) {
    std::vector<stream_file> out;
    out.reserve(t.files().size());
    for (const torrent_file& f : t.files()) {
        auto p = safe_join(dir, f.path);
        if (!p) return parse_error{fmt::format("file {}: {}", f.relative_path(), p.error())};
        out.push_back(stream_file{std::move(p.value()), f.length});
    }
    return out;
}

fs::path content_root(const torrent& t, const fs::path& dir) {
    const std::string name = t.name();
    auto p = safe_join(dir, std::span<const std::string>(&name, 1));
    return p ? p.value() : dir / name;  // a parsed torrent's name is always safe
}

// ---------------------------------------------------------------- [SECTION] writing synthetic content

namespace {

// Checks the way from `dir` to one target: no symbolic link on it, parents
// are directories, the target is not a directory. Sets `exists`.
std::optional<std::string> check_target(const fs::path& dir, const torrent_file& f, bool& exists) {
    exists = false;
    fs::path p = dir;
    for (std::size_t i = 0; i < f.path.size(); ++i) {
        p /= f.path[i];
        std::error_code ec;
        const fs::file_status st = fs::symlink_status(p, ec);
        if (st.type() == fs::file_type::not_found) return std::nullopt;  // nothing below it either
        if (ec) return fmt::format("{}: {}", show(p), ec.message());
        if (fs::is_symlink(st))
            return fmt::format("{}: is a symbolic link; refusing to write through it", show(p));
        const bool last = i + 1 == f.path.size();
        if (!last && !fs::is_directory(st)) return fmt::format("{}: exists and is not a directory", show(p));
        if (last && fs::is_directory(st)) return fmt::format("{}: is a directory", show(p));
        exists = last;
    }
    return std::nullopt;
}

}  // namespace

std::vector<fs::path> existing_content_files(const torrent& t, const fs::path& dir) {
    std::vector<fs::path> out;
    auto layout = content_layout(t, dir);
    if (!layout) return out;
    for (const stream_file& f : layout.value()) {
        std::error_code ec;
        if (fs::symlink_status(f.path, ec).type() != fs::file_type::not_found) out.push_back(f.path);
    }
    return out;
}

std::optional<std::string> write_synthetic_content(const torrent& t, const fs::path& dir, const write_options& options) {
    if (!t.content_seed()) return std::string("the torrent has no synthetic content seed: its content cannot be generated");
    const std::uint64_t seed = *t.content_seed();
    auto layout = content_layout(t, dir);
    if (!layout) return layout.error();

    // Everything is checked before the first byte is written.
    std::size_t existing = 0;
    fs::path first_existing;
    for (const torrent_file& f : t.files()) {
        bool exists = false;
        if (auto why = check_target(dir, f, exists)) return why;
        if (exists && existing++ == 0) first_existing = dir / f.relative_path();
    }
    if (existing > 0 && !options.overwrite)
        return existing == 1 ? fmt::format("{} already exists: refusing to overwrite it", show(first_existing))
                             : fmt::format("{} and {} more of the torrent's files already exist: refusing to overwrite them",
                                           show(first_existing), existing - 1);

    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return fmt::format("{}: cannot create: {}", show(dir), ec.message());
    std::vector<std::byte> buf(static_cast<std::size_t>(std::min<std::uint64_t>(t.total_length(), write_chunk)));
    std::uint64_t written = 0;
    auto last_report = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < t.files().size(); ++i) {
        const torrent_file& f = t.files()[i];
        const fs::path& path = layout.value()[i].path;
        fs::create_directories(path.parent_path(), ec);
        if (ec) return fmt::format("{}: cannot create: {}", show(path.parent_path()), ec.message());
        errno = 0;
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        if (!out) return fmt::format("{}: cannot create: {}", show(path), last_os_error(errno));
        for (std::uint64_t at = 0; at < f.length;) {
            if (stop_requested(options.hooks)) return std::string("interrupted");
            const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), f.length - at));
            synthetic_fill(seed, f.offset + at, std::span(buf).first(n));
            errno = 0;
            out.write(reinterpret_cast<const char*>(buf.data()), static_cast<std::streamsize>(n));
            if (!out) return fmt::format("{}: write failed at offset {}: {}", show(path), at, last_os_error(errno));
            at += n;
            written += n;
            if (options.hooks.on_progress && std::chrono::steady_clock::now() - last_report >= progress_every) {
                last_report = std::chrono::steady_clock::now();
                options.hooks.on_progress(written, t.total_length());
            }
        }
        errno = 0;
        out.close();
        if (!out) return fmt::format("{}: write failed: {}", show(path), last_os_error(errno));
    }
    return std::nullopt;
}

// ---------------------------------------------------------------- [SECTION] verifying

result<verify_report> verify_content(const torrent& t, const fs::path& dir, const content_hooks& hooks) {
    auto layout = content_layout(t, dir);
    if (!layout) return parse_error{layout.error()};
    auto hashes = hash_file_pieces(layout.value(), t.geometry(), hooks);
    if (!hashes) return parse_error{hashes.error()};
    verify_report r;
    r.pieces = t.piece_count();
    for (std::uint32_t p = 0; p < r.pieces; ++p) {
        if (hashes.value()[p] == t.piece_hash(p)) continue;
        if (r.bad_pieces++ == 0) r.first_bad_piece = p;
    }
    if (r.first_bad_piece) {
        std::vector<file_segment> segments;
        t.map_span(*r.first_bad_piece, 0, t.piece_size(*r.first_bad_piece), segments);
        for (const file_segment& s : segments) r.first_bad_files.push_back(t.files()[s.file].relative_path());
    }
    return r;
}

}  // namespace swarmbench::bt
