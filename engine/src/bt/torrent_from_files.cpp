// torrent_from_files: list a file or directory, check it, hash it into a torrent.
#include "swarmbench/bt/torrent_from_files.hpp"

#include <algorithm>
#include <bit>
#include <iterator>
#include <vector>

#include <fmt/format.h>

namespace swarmbench::bt {

namespace fs = std::filesystem;

namespace {

std::string show(const fs::path& p) {
    const std::u8string s = p.u8string();
    return std::string(reinterpret_cast<const char*>(s.data()), s.size());
}

// A regular file found under the directory.
struct found_file {
    std::vector<std::string> components;  // relative to the directory, each checked
    fs::path path;                        // as found (to read it)
    std::uint64_t length = 0;             // bytes when listed
};

// The torrent name a path gives itself: its last component ("dir/" and
// "dir/." both name "dir"); empty for a root.
std::string own_name(const fs::path& path) {
    std::error_code ec;
    fs::path p = fs::absolute(path, ec);
    if (ec) p = path;
    p = p.lexically_normal();
    if (!p.has_filename()) p = p.parent_path();
    return p.has_relative_path() ? show(p.filename()) : std::string();
}

// Every regular file below `root`, sorted by relative path component by
// component. Symbolic links and special files are errors, never skipped.
result<std::vector<found_file>> list_files(const fs::path& root) {
    // Entries are root / a / b ...: their components after root's are the
    // relative path (lexically_relative trips over a trailing separator).
    const fs::path base = root.lexically_normal();
    auto skip = std::distance(base.begin(), base.end());
    if (!base.empty() && !base.has_filename()) --skip;  // "dir/" ends in an empty component
    std::vector<found_file> out;
    std::error_code ec;
    fs::recursive_directory_iterator it(base, fs::directory_options::none, ec);
    if (ec) return parse_error{fmt::format("{}: cannot list: {}", show(root), ec.message())};
    for (; it != fs::recursive_directory_iterator(); ) {
        const fs::directory_entry& e = *it;
        const fs::path path = e.path();
        const fs::file_status st = e.symlink_status(ec);
        if (ec) return parse_error{fmt::format("{}: {}", show(path), ec.message())};
        if (fs::is_symlink(st))
            return parse_error{fmt::format(
                "{}: is a symbolic link; links inside the tree are not followed (replace it with what it "
                "points to, or remove it)", show(path))};
        if (fs::is_regular_file(st)) {
            if (out.size() >= max_from_files_count)
                return parse_error{fmt::format("{}: more than {} files", show(root), max_from_files_count)};
            found_file f;
            f.path = path;
            auto c = path.begin();
            std::advance(c, skip);
            for (; c != path.end(); ++c) {
                std::string component = show(*c);
                if (auto why = check_path_component(component))
                    return parse_error{fmt::format("{}: {}", show(path), *why)};
                f.components.push_back(std::move(component));
            }
            if (f.components.empty()) return parse_error{fmt::format("{}: cannot tell its relative path", show(path))};
            f.length = e.file_size(ec);
            if (ec) return parse_error{fmt::format("{}: {}", show(path), ec.message())};
            out.push_back(std::move(f));
        } else if (!fs::is_directory(st)) {  // a directory is descended into; an empty one leaves no trace
            return parse_error{fmt::format("{}: is not a regular file or directory (a device, socket or pipe)",
                                           show(path))};
        }
        it.increment(ec);
        if (ec) return parse_error{fmt::format("{}: cannot list: {}", show(fs::is_directory(st) ? path : root), ec.message())};
    }
    std::sort(out.begin(), out.end(),
              [](const found_file& a, const found_file& b) { return a.components < b.components; });
    return out;
}

}  // namespace

result<torrent> make_torrent_from_path(const fs::path& path, const from_files_spec& spec) {
    if (spec.piece_size < min_piece_length || spec.piece_size > max_from_files_piece ||
        !std::has_single_bit(spec.piece_size))
        return parse_error{fmt::format("piece size {} must be a power of two between {} and {}", spec.piece_size,
                                       min_piece_length, max_from_files_piece)};
    std::error_code ec;
    const fs::file_status st = fs::status(path, ec);  // the path given may itself be a link
    if (st.type() == fs::file_type::not_found) return parse_error{fmt::format("{}: no such file or directory", show(path))};
    if (ec) return parse_error{fmt::format("{}: {}", show(path), ec.message())};

    torrent_spec ts;
    ts.name = spec.name.empty() ? own_name(path) : spec.name;
    if (ts.name.empty()) return parse_error{fmt::format("{}: has no name of its own; give the torrent a name", show(path))};
    if (auto why = check_path_component(ts.name)) return parse_error{fmt::format("name: {}", *why)};
    ts.announce = spec.announce;
    ts.piece_length = spec.piece_size;

    std::vector<stream_file> stream;
    if (fs::is_regular_file(st)) {
        const std::uint64_t size = fs::file_size(path, ec);
        if (ec) return parse_error{fmt::format("{}: {}", show(path), ec.message())};
        ts.multi_file = false;
        ts.files.push_back({{}, size});
        stream.push_back(stream_file{path, size});
    } else if (fs::is_directory(st)) {
        auto found = list_files(path);
        if (!found) return parse_error{found.error()};
        if (found.value().empty())
            return parse_error{fmt::format("{}: holds no files (empty directories cannot be shared)", show(path))};
        ts.multi_file = true;
        for (found_file& f : found.value()) {
            ts.files.emplace_back(std::move(f.components), f.length);
            stream.push_back(stream_file{std::move(f.path), f.length});
        }
    } else {
        return parse_error{fmt::format("{}: is not a regular file or directory", show(path))};
    }

    std::uint64_t total = 0;
    for (const stream_file& f : stream) total += f.length;
    if (total == 0)
        return parse_error{fmt::format("{}: no data to share (0 bytes in {} file{})", show(path), stream.size(),
                                       stream.size() == 1 ? "" : "s")};
    const std::uint64_t pieces = (total + spec.piece_size - 1) / spec.piece_size;
    if (pieces > 0xffffffffull)
        return parse_error{fmt::format("{}: {} bytes make {} pieces of {}, more than 2^32; use larger pieces",
                                       show(path), total, pieces, spec.piece_size)};
    // Validate names and layout before spending time on reading.
    ts.piece_hashes.resize(static_cast<std::size_t>(pieces));
    if (auto check = torrent::make(ts); !check) return parse_error{fmt::format("{}: {}", show(path), check.error())};
    auto hashes = hash_file_pieces(stream, piece_geometry(total, spec.piece_size), spec.hooks);
    if (!hashes) return parse_error{hashes.error()};
    ts.piece_hashes = std::move(hashes.value());
    return torrent::make(ts);
}

}  // namespace swarmbench::bt
