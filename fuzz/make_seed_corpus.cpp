// make_seed_corpus: writes the seed corpus of every fuzz target with the
// project's own encoders, so the seeds are what swarmbench itself produces:
// bencode values, synthetic torrents (bt::make_synthetic_torrent, as
// `swarmbench make-torrent` makes them), wire message streams (bt/wire.hpp
// encoders), peer sessions, and the shipped scenario files.
//
//   make_seed_corpus <source dir> <corpus dir>   (e.g. /work/main fuzz/corpus)
//
// Run by hand when a format changes; the output is committed. Files are
// small (a few KiB at most) and named after what they hold.
//
// Thread rules: single-threaded tool.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <span>
#include <string>
#include <vector>

#include "swarmbench/bt/bencode.hpp"
#include "swarmbench/bt/synthetic.hpp"
#include "swarmbench/bt/torrent.hpp"
#include "swarmbench/bt/wire.hpp"

namespace bt = swarmbench::bt;
namespace fs = std::filesystem;

namespace {

fs::path out_root;

void put(const std::string& target, const std::string& name, const std::string& bytes) {
    fs::create_directories(out_root / target);
    std::ofstream(out_root / target / name, std::ios::binary) << bytes;
}

/// Appends one encoded message; `enc` is any encoder taking the output span.
template <class F>
void add(std::string& s, F&& enc) {
    std::byte buf[512];
    const std::size_t n = enc(std::span<std::byte>(buf));
    s.append(reinterpret_cast<const char*>(buf), n);
}

std::string handshake(const bt::sha1_hash& info, bool ext, bool fast) {
    bt::handshake hs;
    hs.reserved = bt::make_reserved(ext, fast);
    hs.info_hash = info;
    hs.id.fill(0x2d);
    std::string s;
    add(s, [&](std::span<std::byte> o) { return bt::encode_handshake(o, hs); });
    return s;
}

bt::torrent synthetic(std::uint64_t seed, std::uint64_t size, std::uint32_t piece, std::uint32_t files) {
    bt::synthetic_spec spec;
    spec.seed = seed;
    spec.total_size = size;
    spec.piece_size = piece;
    spec.file_count = files;
    auto t = bt::make_synthetic_torrent(spec);
    if (!t) {
        std::fprintf(stderr, "%s\n", t.error().c_str());
        std::exit(1);
    }
    return std::move(t.value());
}

std::string ext_handshake_message() {
    bt::extended_handshake e;
    e.m = {{"ut_metadata", 3}, {"ut_pex", 1}};
    e.v = "swarmbench 0.1";
    e.reqq = 250;
    e.p = 0;  // no listen port: nothing to dial back
    std::string s;
    std::byte buf[512];
    const std::size_t n = bt::encode_extended_handshake(std::span<std::byte>(buf), e);
    s.append(reinterpret_cast<const char*>(buf), n);
    return s;
}

/// Messages a leecher sends a seeder: interest, requests, a cancel, HAVEs.
std::string leecher_talk(const bt::piece_geometry& g, bool fast) {
    std::string s = ext_handshake_message();
    if (fast) add(s, [](auto o) { return bt::encode_simple(o, bt::msg_id::have_none); });
    add(s, [](auto o) { return bt::encode_simple(o, bt::msg_id::interested); });
    for (std::uint32_t b = 0; b < 4; ++b) add(s, [&](auto o) { return bt::encode_request(o, 0, b * 4096, 4096); });
    const std::uint32_t last = g.piece_count() - 1;
    add(s, [&](auto o) { return bt::encode_request(o, last, 0, g.piece_size(last)); });
    add(s, [&](auto o) { return bt::encode_cancel(o, 0, 4096, 4096); });
    add(s, [&](auto o) { return bt::encode_have(o, 1); });
    add(s, [](auto o) { return bt::encode_keep_alive(o); });
    add(s, [](auto o) { return bt::encode_simple(o, bt::msg_id::not_interested); });
    return s;
}

/// Messages a seeder sends a leecher: bitfield, unchoke, a piece.
std::string seeder_talk(const bt::torrent& t, std::uint64_t seed) {
    std::string s = ext_handshake_message();
    bt::bitfield all(t.piece_count(), true);
    std::vector<std::byte> big(8 + all.bytes().size());
    s.append(reinterpret_cast<const char*>(big.data()), bt::encode_bitfield(big, all));
    add(s, [](auto o) { return bt::encode_simple(o, bt::msg_id::unchoke); });
    add(s, [](auto o) { return bt::encode_have(o, 2); });
    add(s, [](auto o) { return bt::encode_piece_header(o, 0, 0, 1024); });
    std::vector<std::byte> block(1024);
    bt::synthetic_fill(seed, 0, block);
    s.append(reinterpret_cast<const char*>(block.data()), block.size());
    add(s, [](auto o) { return bt::encode_port(o, 6881); });
    add(s, [](auto o) { return bt::encode_suggest(o, 3); });
    add(s, [](auto o) { return bt::encode_allowed_fast(o, 4); });
    add(s, [](auto o) { return bt::encode_reject(o, 5, 0, 16384); });
    add(s, [](auto o) { return bt::encode_simple(o, bt::msg_id::choke); });
    return s;
}

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: make_seed_corpus <source dir> <corpus dir>\n");
        return 2;
    }
    const fs::path source = argv[1];
    out_root = argv[2];

    // ---- torrents (also bencode seeds)
    const bt::torrent single = synthetic(1, 64 * 1024 + 1, 16 * 1024, 1);
    const bt::torrent multi = synthetic(7, 5 * 16 * 1024 + 4321, 16 * 1024, 3);
    bt::torrent no_seed = synthetic(3, 40000, 32 * 1024, 2);
    no_seed.set_content_seed(std::nullopt);
    bt::torrent_spec nested;
    nested.name = "album";
    nested.announce = "http://tracker.example/announce";
    nested.piece_length = 16 * 1024;
    nested.files = {{{"disc 1", "01 intro.flac"}, 20000}, {{"disc 1", "empty.txt"}, 0}, {{"cover.jpg"}, 5000}};
    nested.piece_hashes.assign(2, bt::sha1_of(std::string_view("x")));
    auto nested_t = bt::torrent::make(nested);
    if (!nested_t) return std::fprintf(stderr, "%s\n", nested_t.error().c_str()), 1;
    put("torrent_fuzz", "synthetic-single-file.torrent", single.encode());
    put("torrent_fuzz", "synthetic-3-files.torrent", multi.encode());
    put("torrent_fuzz", "no-content-seed.torrent", no_seed.encode());
    put("torrent_fuzz", "nested-dirs-announce-empty-file.torrent", nested_t->encode());
    put("torrent_fuzz", "bad-dotdot-path.torrent", [&] {
        std::string s = nested_t->encode();
        const auto at = s.find("6:disc 1");
        return at == std::string::npos ? s : s.replace(at, 8, "6:../../");
    }());

    // ---- bencode
    put("bencode_fuzz", "int.bencode", "i-42e");
    put("bencode_fuzz", "string.bencode", "4:spam");
    put("bencode_fuzz", "list.bencode", "l4:spami0ei9223372036854775807ee");
    put("bencode_fuzz", "dict.bencode", "d3:bar4:spam3:fooi42ee");
    put("bencode_fuzz", "nested.bencode", "d1:ald1:bllleeeee1:d0:e");
    put("bencode_fuzz", "leading-zero-refused.bencode", "i03e");
    put("bencode_fuzz", "unsorted-keys-refused.bencode", "d1:bi1e1:ai2ee");
    put("bencode_fuzz", "torrent-with-info.bencode", multi.encode());
    put("bencode_fuzz", "info-dict.bencode", single.info_bytes());
    put("bencode_fuzz", "extended-handshake.bencode", ext_handshake_message().substr(6));

    // ---- wire decoder: 8 config bytes (see wire_decoder_fuzz.cpp), then the stream
    {
        const std::uint64_t total = multi.total_length();
        const auto cfg = [&](std::uint8_t flags, std::uint8_t chunking) {
            std::string c(8, '\0');
            c[0] = static_cast<char>(flags | (chunking << 5));
            c[1] = static_cast<char>((total - 1) >> 16);
            c[2] = static_cast<char>((total - 1) >> 8);
            c[3] = static_cast<char>(total - 1);
            c[4] = 0;                          // x1, 16 KiB pieces
            c[5] = static_cast<char>(3 | 2 << 2 | 2 << 4);  // 256 KiB messages, 16 KiB blocks
            c[6] = 0x11;
            c[7] = 0x22;
            return c;
        };
        const bt::piece_geometry g = multi.geometry();
        const std::string hs = handshake(bt::sha1_of(std::string_view("swarmbench fuzz")), true, true);
        put("wire_decoder_fuzz", "leecher-stream-handshake-fast.bin", cfg(1 | 4 | 8 | 16, 2) + hs + leecher_talk(g, true));
        put("wire_decoder_fuzz", "seeder-stream-bytewise.bin", cfg(1 | 8 | 16, 0) + hs + seeder_talk(multi, 7));
        put("wire_decoder_fuzz", "seeder-stream-pieces-streamed.bin", cfg(1 | 2 | 8, 3) + hs + seeder_talk(multi, 7));
        put("wire_decoder_fuzz", "no-handshake-messages.bin", cfg(8 | 16, 1) + leecher_talk(g, false));
        put("wire_decoder_fuzz", "oversized-length.bin", cfg(0, 1) + std::string("\x7f\xff\xff\xff\x07", 5));
        put("wire_decoder_fuzz", "have-out-of-range.bin", cfg(0, 1) + std::string("\0\0\0\x05\x04\0\x0f\x42\x3f", 9));
    }

    // ---- peer sessions: a configuration byte, a knobs byte, then a script
    //      of operations (see peer_session_fuzz.cpp for the op codes)
    {
        const auto script = [](std::uint8_t cfg, std::uint8_t knobs, std::initializer_list<std::uint8_t> ops) {
            std::string s{static_cast<char>(cfg), static_cast<char>(knobs)};
            for (std::uint8_t op : ops) s.push_back(static_cast<char>(op));
            return s;
        };
        // op codes: 0x80 handshake (+split), 0x81 have all, 0x83 unchoke, 0x85 interested,
        // 0x86 request / 0xa6 cancel (+piece, block), 0x8a answer, 0x8b answer corrupt,
        // 0x8c drain (+u16 size/4), 0x8d settle / 0xad settle failing, 0x8e answer a read,
        // 0x8f tick (+250 ms units), 0x90 unchoke / 0xb0 choke, 0x91 rate, 0x92 stall,
        // 0x93 close, 0x94 restart, 0x95 extended handshake (+reqq)
        const std::uint8_t drain[] = {0x8c, 0x40, 0x00};
        std::string download = script(2 | 4 | 8 | 16, 8, {0x8c, 0x40, 0x00, 0x80, 0x05, 0x95, 0x01, 0x06, 0x81, 0x83});
        for (int round = 0; round < 6; ++round) {
            download.append(reinterpret_cast<const char*>(drain), 3);
            download.append(8, '\x8a');
            download.push_back('\x8d');
        }
        download.append(reinterpret_cast<const char*>(drain), 3);
        put("peer_session_fuzz", "download-everything.bin", download);
        put("peer_session_fuzz", "download-corrupt-block.bin",
            script(2 | 4 | 8 | 16, 4, {0x80, 0x10, 0x81, 0x83, 0x8c, 0x40, 0x00, 0x8a, 0x8b, 0x8a, 0x8a, 0x8d, 0x8c, 0x40, 0x00}));
        put("peer_session_fuzz", "download-discard-choked.bin",
            script(2 | 8, 16 | 0x80, {0x80, 0x44, 0x81, 0x83, 0x8c, 0x40, 0x00, 0x8a, 0x84, 0x8a, 0x83, 0x8c, 0x40, 0x00, 0x8f, 0xc8}));
        put("peer_session_fuzz", "seed-serves-and-cancels.bin",
            script(1 | 2 | 4, 0x40 | 4, {0x80, 0x11, 0x85, 0x86, 0x00, 0x00, 0x86, 0x01, 0x01, 0x86, 0x04, 0x01, 0xa6, 0x01, 0x01,
                                          0x8c, 0x10, 0x00, 0x8f, 0x04, 0x8c, 0x40, 0x00}));
        put("peer_session_fuzz", "seed-serves-from-reads.bin",
            script(1 | 2 | 4 | 32, 4, {0x80, 0x03, 0x86, 0x02, 0x00, 0x86, 0x03, 0x01, 0x8e, 0x8c, 0x40, 0x00, 0xa6, 0x03, 0x01,
                                        0x8e, 0x93}));
        put("peer_session_fuzz", "seed-chokes-and-rate-limits.bin",
            script(1 | 2 | 4 | 64, 4, {0x80, 0x20, 0x85, 0x8f, 0x04, 0x91, 0x04, 0x86, 0x00, 0x00, 0x86, 0x00, 0x01, 0x8c, 0x40,
                                        0x00, 0x8f, 0x28, 0x92, 0x0a, 0x86, 0x01, 0x00, 0xb0, 0x8c, 0x40, 0x00}));
        put("peer_session_fuzz", "raw-after-handshake.bin",
            script(1 | 2 | 4, 4, {0x80, 0x44, 0x04, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x10, 0x00, 0x00, 0x00, 0x0d, 0x06,
                                   0x00, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x00, 0x05}));
    }

    // ---- scenarios: first byte even = JSON, odd = field=value lines
    for (const auto& e : fs::directory_iterator(source / "assets" / "scenarios"))
        put("scenario_fuzz", e.path().filename().string(), std::string(1, '\0') + read_file(e.path()));
    put("scenario_fuzz", "flags.txt",
        "\x01torrent_size=64MiB\npiece_size=1MiB\nseeders=2\nleechers=3\nconnections-per-leecher=8\npipeline=32\n"
        "pick=custom\npiece_order=3,1,2\nchoking=true\nrate_limit=10MiB\nslow_fraction=0.25\nchurn_per_s=2.5\n"
        "storage=discard\nconnect_to=127.0.0.1:6881,127.0.0.1:6882\nduration_s=30\nbackend=epoll\n");
    put("scenario_fuzz", "upload-to.json",
        std::string(1, '\0') + R"({"seeders": 2, "leechers": 0, "upload_to": ["127.0.0.1:51413"], "spread_sources": true,)"
                               R"( "storage": "discard", "torrent_size": 12345, "piece_size": "16KiB" /* annotated */})");
    return 0;
}
