// torrent_fuzz: the .torrent reader (bt/torrent.hpp) on arbitrary bytes.
//
// A torrent the reader accepts must be safe and self-consistent: every path
// component passes check_path_component and safe_join keeps it inside the
// output directory (no "..", no absolute path); files lie end to end and sum
// to the total length; the piece count covers the total length; the
// info-hash is the SHA-1 of the info bytes; encode() parses back to the same
// torrent; and map_span() cuts every piece into segments that add up to it.
//
// Thread rules: single-threaded, no state kept between inputs.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "fuzz_check.hpp"
#include "swarmbench/bt/sha1.hpp"
#include "swarmbench/bt/torrent.hpp"

namespace bt = swarmbench::bt;

namespace {

void check_files(const bt::torrent& t) {
    const std::filesystem::path base = "/fuzz-out";
    std::uint64_t offset = 0;
    SWARMBENCH_FUZZ_CHECK(!t.files().empty(), "a torrent without files");
    for (const bt::torrent_file& f : t.files()) {
        SWARMBENCH_FUZZ_CHECK(f.offset == offset, "files do not lie end to end");
        offset += f.length;
        SWARMBENCH_FUZZ_CHECK(t.multi_file() ? !f.path.empty() : true, "a multi-file entry without a path");
        for (const std::string& c : f.path) {
            SWARMBENCH_FUZZ_CHECK(!bt::check_path_component(c).has_value(), "an unsafe path component was accepted");
            SWARMBENCH_FUZZ_CHECK(c != ".." && c != "." && !c.empty(), "a dot or empty component was accepted");
            SWARMBENCH_FUZZ_CHECK(c.find('/') == std::string::npos && c.find('\\') == std::string::npos &&
                                      c.find('\0') == std::string::npos,
                                  "a separator or NUL inside a component");
        }
        auto joined = bt::safe_join(base, f.path);
        SWARMBENCH_FUZZ_CHECK(joined.ok(), "safe_join refused an accepted path");
        const std::string j = joined->lexically_normal().string();
        SWARMBENCH_FUZZ_CHECK(j.rfind(base.string(), 0) == 0, "a file path escapes the output directory");
        SWARMBENCH_FUZZ_CHECK(!std::filesystem::path(f.relative_path()).is_absolute(), "an absolute relative_path");
    }
    SWARMBENCH_FUZZ_CHECK(offset == t.total_length(), "file lengths do not sum to the total length");
    SWARMBENCH_FUZZ_CHECK(!bt::check_path_component(t.name()).has_value(), "an unsafe torrent name was accepted");
}

void check_pieces(const bt::torrent& t) {
    const std::uint64_t len = t.piece_length();
    SWARMBENCH_FUZZ_CHECK(len >= bt::min_piece_length && len <= bt::max_piece_length, "piece length out of range");
    const std::uint64_t want = (t.total_length() + len - 1) / len;
    SWARMBENCH_FUZZ_CHECK(t.piece_count() == want, "piece count does not match the total length");
    std::uint64_t sum = 0;
    std::vector<bt::file_segment> segs;
    // Every piece would be slow for big torrents: the first, last and a few between.
    const std::uint32_t n = t.piece_count();
    for (std::uint32_t k = 0; k < std::min<std::uint32_t>(n, 8); ++k) {
        const std::uint32_t p = k < 4 ? k : n - 1 - (k - 4);
        const std::uint32_t size = t.piece_size(p);
        SWARMBENCH_FUZZ_CHECK(size > 0 && size <= len, "piece size out of range");
        SWARMBENCH_FUZZ_CHECK(t.map_span(p, 0, size, segs), "map_span refused a whole piece");
        std::uint64_t covered = 0;
        for (const bt::file_segment& s : segs) {
            SWARMBENCH_FUZZ_CHECK(s.file < t.files().size(), "segment names no file");
            SWARMBENCH_FUZZ_CHECK(s.block_offset == covered, "segments out of order");
            const bt::torrent_file& f = t.files()[s.file];
            SWARMBENCH_FUZZ_CHECK(s.file_offset + s.length <= f.length, "segment runs past its file");
            SWARMBENCH_FUZZ_CHECK(f.offset + s.file_offset == t.geometry().piece_offset(p) + s.block_offset,
                                  "segment at the wrong stream offset");
            covered += s.length;
        }
        SWARMBENCH_FUZZ_CHECK(covered == size, "segments do not cover the piece");
        SWARMBENCH_FUZZ_CHECK(!t.map_span(p, 0, size + 1, segs), "map_span accepted a span past the piece");
        sum += size;
    }
    if (n <= 8) SWARMBENCH_FUZZ_CHECK(sum == t.total_length(), "piece sizes do not sum to the total length");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto t = bt::torrent::parse(text);
    if (!t) return 0;
    check_files(t.value());
    check_pieces(t.value());
    SWARMBENCH_FUZZ_CHECK(bt::sha1_of(t->info_bytes()) == t->info_hash(), "info-hash is not the SHA-1 of the info bytes");

    auto again = bt::torrent::parse(t->encode());
    SWARMBENCH_FUZZ_CHECK(again.ok(), "an accepted torrent's encoding does not parse");
    SWARMBENCH_FUZZ_CHECK(again->info_hash() == t->info_hash(), "re-encoding changed the info-hash");
    SWARMBENCH_FUZZ_CHECK(again->name() == t->name() && again->announce() == t->announce() &&
                              again->content_seed() == t->content_seed() && again->files().size() == t->files().size() &&
                              again->total_length() == t->total_length() && again->piece_count() == t->piece_count(),
                          "re-encoding changed the torrent");
    return 0;
}
