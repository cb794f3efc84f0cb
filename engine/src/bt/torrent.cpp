// torrent: metainfo parsing/writing, validation, layout and path safety.
//
// [SECTION] path safety
// [SECTION] validation of the info dictionary
// [SECTION] parse / make / encode
// [SECTION] layout
#include "swarmbench/bt/torrent.hpp"

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <array>
#include <cctype>

#include <fmt/format.h>

namespace swarmbench::bt {

// ---------------------------------------------------------------- [SECTION] path safety

std::string torrent_file::relative_path() const {
    std::string s;
    for (const std::string& c : path) {
        if (!s.empty()) s.push_back('/');
        s += c;
    }
    return s;
}

namespace {

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    }
    return true;
}

// Windows treats "CON", "con.txt" and "CON .txt" alike: compare the part
// before the first dot with trailing spaces removed.
bool windows_reserved(std::string_view c) {
    std::string_view stem = c.substr(0, c.find('.'));
    while (!stem.empty() && stem.back() == ' ') stem.remove_suffix(1);
    static constexpr std::array<std::string_view, 4> plain = {"CON", "PRN", "AUX", "NUL"};
    for (std::string_view r : plain)
        if (iequals(stem, r)) return true;
    if (stem.size() == 4 && (iequals(stem.substr(0, 3), "COM") || iequals(stem.substr(0, 3), "LPT")) &&
        stem[3] >= '0' && stem[3] <= '9')
        return true;
    return false;
}

std::string show_path(std::string_view c) {
    std::string s = "\"";
    for (char ch : c) {
        const auto u = static_cast<unsigned char>(ch);
        if (u < 0x20 || u == 0x7f || ch == '"' || ch == '\\')
            s += fmt::format("\\x{:02x}", u);
        else
            s.push_back(ch);
    }
    s.push_back('"');
    return s;
}

}  // namespace

std::optional<std::string> check_path_component(std::string_view c) {
    if (c.empty()) return std::string("empty path component");
    if (c == "." || c == "..")
        return fmt::format("path component {} is not allowed", show_path(c));
    if (c.find('/') != std::string_view::npos || c.find('\\') != std::string_view::npos)
        return fmt::format("path component {} contains a path separator", show_path(c));
    if (c.find('\0') != std::string_view::npos)
        return fmt::format("path component {} contains a NUL byte", show_path(c));
    if (c.find(':') != std::string_view::npos)
        return fmt::format("path component {} contains ':' (drive or stream name)", show_path(c));
    for (char ch : c) {
        if (static_cast<unsigned char>(ch) < 0x20)
            return fmt::format("path component {} contains a control character", show_path(c));
    }
    if (windows_reserved(c))
        return fmt::format("path component {} is a reserved device name on Windows", show_path(c));
    if (c.back() == ' ' || c.back() == '.')
        return fmt::format("path component {} ends in a space or dot (ambiguous on Windows)",
                           show_path(c));
    if (c.size() > 255)
        return fmt::format("path component of {} bytes is longer than 255", c.size());
    return std::nullopt;
}

result<std::filesystem::path> safe_join(const std::filesystem::path& output_dir,
                                        std::span<const std::string> components) {
    if (components.empty()) return parse_error{"empty file path"};
    std::filesystem::path rel;
    for (const std::string& c : components) {
        if (auto why = check_path_component(c)) return parse_error{*why};
        rel /= std::filesystem::path(c);
    }
    // Belt and braces: the checks above make escaping impossible, and this
    // lexical test keeps it so if they are ever loosened.
    if (rel.is_absolute() || rel.has_root_name() || rel.has_root_directory())
        return parse_error{fmt::format("file path {} is absolute", show_path(rel.generic_string()))};
    const std::filesystem::path base = output_dir.lexically_normal();
    const std::filesystem::path joined = (base / rel).lexically_normal();
    const std::filesystem::path back = joined.lexically_relative(base);
    if (back.empty() || *back.begin() == "..")
        return parse_error{fmt::format("file path {} escapes the output directory",
                                       show_path(rel.generic_string()))};
    return joined;
}

// ---------------------------------------------------------------- [SECTION] validation

namespace {

parse_error bad(std::string_view what) { return parse_error{fmt::format("torrent: {}", what)}; }

std::optional<std::string> check_piece_length(std::int64_t pl) {
    if (pl < min_piece_length || pl > max_piece_length || (pl & (pl - 1)) != 0)
        return fmt::format("piece length {} must be a power of two between {} and {}", pl,
                           min_piece_length, max_piece_length);
    return std::nullopt;
}

// Rejects duplicate paths and a file whose path is a directory of another.
std::optional<std::string> check_path_conflicts(const std::vector<torrent_file>& files) {
    std::vector<std::string> paths;
    paths.reserve(files.size());
    for (const torrent_file& f : files) paths.push_back(f.relative_path() + "/");
    std::sort(paths.begin(), paths.end());
    for (std::size_t i = 1; i < paths.size(); ++i) {
        if (paths[i].compare(0, paths[i - 1].size(), paths[i - 1]) == 0) {
            const std::string a = paths[i - 1].substr(0, paths[i - 1].size() - 1);
            if (paths[i] == paths[i - 1]) return fmt::format("file path {} appears twice", show_path(a));
            return fmt::format("file path {} is also used as a directory", show_path(a));
        }
    }
    return std::nullopt;
}

// Fills layout fields shared by parse() and make(); checks sizes and hashes.
std::optional<std::string> finish_layout(std::vector<torrent_file>& files, std::uint32_t piece_length,
                                         std::size_t hash_count, piece_geometry& geometry) {
    constexpr std::uint64_t max_total = std::uint64_t{1} << 52;  // 4 PiB
    std::uint64_t offset = 0;
    for (torrent_file& f : files) {
        if (f.length > max_total - offset)
            return fmt::format("total length exceeds {} bytes", max_total);
        f.offset = offset;
        offset += f.length;
    }
    if (offset == 0) return std::string("total length is 0");
    geometry = piece_geometry(offset, piece_length);
    const std::uint64_t pieces = (offset + piece_length - 1) / piece_length;
    if (pieces > 0xffffffffull) return fmt::format("{} pieces do not fit 32 bits", pieces);
    if (hash_count != pieces)
        return fmt::format("{} piece hashes for {} pieces ({} bytes in pieces of {})", hash_count,
                           pieces, offset, piece_length);
    return check_path_conflicts(files);
}

}  // namespace

// ---------------------------------------------------------------- [SECTION] parse / make / encode

result<torrent> torrent::from_info(const bencode::value& info, std::string info_bytes) {
    if (!info.is_dict()) return bad("'info' is not a dictionary");
    torrent t;

    const bencode::value* name = info.find("name");
    if (!name || !name->is_string()) return bad("info has no 'name' string");
    if (auto why = check_path_component(name->as_string())) return bad(fmt::format("name: {}", *why));
    t.name_ = name->as_string();

    const bencode::value* pl = info.find("piece length");
    if (!pl || !pl->is_int()) return bad("info has no 'piece length' integer");
    if (auto why = check_piece_length(pl->as_int())) return bad(*why);
    const auto piece_length = static_cast<std::uint32_t>(pl->as_int());

    const bencode::value* pieces = info.find("pieces");
    if (!pieces || !pieces->is_string()) {
        if (info.find("file tree")) return bad("v2-only torrents are not supported (no 'pieces')");
        return bad("info has no 'pieces' string");
    }
    const std::string& hashes = pieces->as_string();
    if (hashes.size() % 20 != 0)
        return bad(fmt::format("'pieces' length {} is not a multiple of 20", hashes.size()));
    t.piece_hashes_.resize(hashes.size() / 20);
    for (std::size_t i = 0; i < t.piece_hashes_.size(); ++i)
        std::copy_n(reinterpret_cast<const std::uint8_t*>(hashes.data()) + 20 * i, 20,
                    t.piece_hashes_[i].begin());

    const bencode::value* length = info.find("length");
    const bencode::value* files = info.find("files");
    if (length && files) return bad("info has both 'length' and 'files'");
    if (length) {
        if (!length->is_int() || length->as_int() < 0)
            return bad("'length' is not a non-negative integer");
        t.multi_file_ = false;
        t.files_.push_back(torrent_file{{t.name_}, static_cast<std::uint64_t>(length->as_int()), 0});
    } else if (files) {
        if (!files->is_list()) return bad("'files' is not a list");
        if (files->as_list().empty()) return bad("'files' is empty");
        t.multi_file_ = true;
        std::size_t index = 0;
        for (const bencode::value& f : files->as_list()) {
            if (!f.is_dict()) return bad(fmt::format("files[{}] is not a dictionary", index));
            const bencode::value* fl = f.find("length");
            if (!fl || !fl->is_int() || fl->as_int() < 0)
                return bad(fmt::format("files[{}] has no non-negative 'length'", index));
            const bencode::value* path = f.find("path");
            if (!path || !path->is_list() || path->as_list().empty())
                return bad(fmt::format("files[{}] has no 'path' list", index));
            torrent_file tf;
            tf.length = static_cast<std::uint64_t>(fl->as_int());
            tf.path.push_back(t.name_);
            for (const bencode::value& c : path->as_list()) {
                if (!c.is_string())
                    return bad(fmt::format("files[{}].path has a non-string component", index));
                if (auto why = check_path_component(c.as_string()))
                    return bad(fmt::format("files[{}].path: {}", index, *why));
                tf.path.push_back(c.as_string());
            }
            t.files_.push_back(std::move(tf));
            ++index;
        }
    } else {
        return bad("info has neither 'length' nor 'files'");
    }

    if (auto why = finish_layout(t.files_, piece_length, t.piece_hashes_.size(), t.geometry_))
        return bad(*why);
    t.info_hash_ = sha1_of(info_bytes);
    t.info_bytes_ = std::move(info_bytes);
    return t;
}

result<torrent> torrent::parse(std::span<const std::byte> data, const bencode::decode_limits& limits) {
    std::span<const std::byte> raw;
    auto top = bencode::decode_with_raw(data, "info", raw, limits);
    if (!top) return parse_error{top.error()};
    if (!top->is_dict()) return bad("top level is not a dictionary");
    const bencode::value* info = top->find("info");
    if (!info) return bad("no 'info' dictionary");
    auto t = from_info(*info, std::string(reinterpret_cast<const char*>(raw.data()), raw.size()));
    if (!t) return t;
    if (const bencode::value* a = top->find("announce")) {
        if (!a->is_string()) return bad("'announce' is not a string");
        t->announce_ = a->as_string();
    }
    if (const bencode::value* sb = top->find("swarmbench")) {
        // Our own key: a malformed one is ignored rather than fatal (the
        // torrent itself is fine; its content just is not known synthetic).
        const bencode::value* content = sb->is_dict() ? sb->find("content") : nullptr;
        const bencode::value* seed = sb->is_dict() ? sb->find("seed") : nullptr;
        // The seed is any 64-bit unsigned value, kept as the bencode integer
        // with the same 64 bits (seeds of 2^63 and up are negative there).
        if (content && content->is_string() && content->as_string() == "synthetic" && seed && seed->is_int())
            t->content_seed_ = static_cast<std::uint64_t>(seed->as_int());
    }
    return t;
}

result<torrent> torrent::parse(std::string_view data, const bencode::decode_limits& limits) {
    return parse(std::as_bytes(std::span<const char>(data.data(), data.size())), limits);
}

result<torrent> torrent::make(const torrent_spec& spec) {
    if (auto why = check_piece_length(spec.piece_length)) return bad(*why);
    if (spec.files.empty()) return bad("no files");
    bencode::dict info;
    if (spec.multi_file) {
        bencode::list files;
        for (const auto& [path, length] : spec.files) {
            bencode::list comps;
            for (const std::string& c : path) comps.emplace_back(c);
            bencode::dict f;
            bencode::dict_set(f, "length", static_cast<std::int64_t>(length));
            bencode::dict_set(f, "path", std::move(comps));
            files.emplace_back(std::move(f));
        }
        bencode::dict_set(info, "files", std::move(files));
    } else {
        if (spec.files.size() != 1 || !spec.files[0].first.empty())
            return bad("a single-file torrent takes exactly one file with an empty path");
        bencode::dict_set(info, "length", static_cast<std::int64_t>(spec.files[0].second));
    }
    bencode::dict_set(info, "name", spec.name);
    bencode::dict_set(info, "piece length", static_cast<std::int64_t>(spec.piece_length));
    std::string hashes;
    hashes.reserve(spec.piece_hashes.size() * 20);
    for (const sha1_hash& h : spec.piece_hashes)
        hashes.append(reinterpret_cast<const char*>(h.data()), h.size());
    bencode::dict_set(info, "pieces", std::move(hashes));

    const bencode::value info_value(std::move(info));
    auto t = from_info(info_value, bencode::encode(info_value));
    if (!t) return t;
    t->announce_ = spec.announce;
    return t;
}

std::string torrent::encode() const {
    // Keys in order: announce < info.
    std::string out = "d";
    if (!announce_.empty()) {
        out += fmt::format("8:announce{}:", announce_.size());
        out += announce_;
    }
    out += "4:info";
    out += info_bytes_;
    if (content_seed_) {  // "swarmbench" sorts after "info"
        out += "10:swarmbenchd7:content9:synthetic4:seedi";
        out += std::to_string(static_cast<std::int64_t>(*content_seed_));
        out += "ee";
    }
    out += "e";
    return out;
}

result<torrent> read_torrent_file(const std::filesystem::path& path) {
    constexpr std::uintmax_t max_size = 64u << 20;
    const std::string name = path.string();
    std::error_code ec;
    const std::uintmax_t size = std::filesystem::file_size(path, ec);
    if (ec) return parse_error{name + ": cannot read: " + ec.message()};
    if (size > max_size)
        return parse_error{fmt::format("{}: {} bytes is too big for a .torrent file (at most {} MiB)", name, size,
                                       max_size >> 20)};
    std::ifstream in(path, std::ios::binary);
    std::string data(static_cast<std::size_t>(size), '\0');
    if (!in || !in.read(data.data(), static_cast<std::streamsize>(size)))
        return parse_error{name + ": cannot read: " + std::generic_category().message(errno)};
    auto t = torrent::parse(std::string_view(data));
    if (!t) return parse_error{name + ": not a valid .torrent: " + t.error()};
    return t;
}

// ---------------------------------------------------------------- [SECTION] layout

std::uint32_t torrent::file_at(std::uint64_t offset) const noexcept {
    // The last file whose offset <= `offset` and which is not empty.
    auto it = std::upper_bound(files_.begin(), files_.end(), offset,
                               [](std::uint64_t o, const torrent_file& f) { return o < f.offset; });
    auto i = static_cast<std::uint32_t>(it - files_.begin());
    if (i > 0) --i;
    while (i + 1 < files_.size() && files_[i].offset + files_[i].length <= offset) ++i;
    return i;
}

bool torrent::map_span(std::uint32_t piece, std::uint32_t offset, std::uint32_t length,
                       std::vector<file_segment>& out) const {
    out.clear();
    const std::uint32_t size = geometry_.piece_size(piece);
    if (size == 0 || offset > size || length > size - offset) return false;
    std::uint64_t pos = geometry_.piece_offset(piece) + offset;
    std::uint32_t left = length;
    std::uint32_t block_offset = 0;
    for (std::uint32_t f = file_at(pos); left > 0 && f < files_.size(); ++f) {
        const torrent_file& tf = files_[f];
        if (tf.length == 0 || pos >= tf.offset + tf.length) continue;
        const std::uint64_t in_file = pos - tf.offset;
        const auto n = static_cast<std::uint32_t>(std::min<std::uint64_t>(left, tf.length - in_file));
        out.push_back(file_segment{f, in_file, n, block_offset});
        pos += n;
        left -= n;
        block_offset += n;
    }
    return left == 0;
}

}  // namespace swarmbench::bt
