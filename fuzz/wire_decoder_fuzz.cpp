// wire_decoder_fuzz: the incremental peer wire decoder (bt/wire.hpp) fed a
// fuzz-chosen byte stream in fuzz-chosen chunks.
//
// Input layout: 8 bytes of configuration (decoder options, torrent geometry,
// limits, chunking seed), then the stream. Checks:
//   - every message it yields respects the geometry and the limits (indexes
//     in range, blocks inside their piece, bitfields of the exact size);
//   - need_more only when the input is used up; after an error, only errors;
//   - chunking changes nothing: the stream cut into pieces of 1.. bytes
//     yields the same messages (and the same error) as the stream in one
//     piece (in stream_pieces mode the piece_data chunks are compared as
//     the concatenated payload).
//
// Thread rules: single-threaded, no state kept between inputs.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "fuzz_check.hpp"
#include "swarmbench/bt/synthetic.hpp"
#include "swarmbench/bt/wire.hpp"

namespace bt = swarmbench::bt;

namespace {

struct setup {
    bt::piece_geometry geometry;
    bt::wire_options options;
    std::uint32_t chunk_seed = 0;
    std::uint32_t max_chunk = 1;
};

setup read_setup(const std::uint8_t* c) {
    setup s;
    // Up to 2^24 * 8 bytes in pieces of 16 KiB .. 4 MiB (so up to 8192
    // pieces: bitfields of up to 1 KiB).
    const std::uint64_t total = ((std::uint64_t{c[1]} << 16 | std::uint64_t{c[2]} << 8 | c[3]) + 1) * (1 + (c[4] >> 5));
    const std::uint32_t piece = 16u * 1024u << (c[4] & 7);
    s.geometry = bt::piece_geometry(total, piece);
    s.options.expect_handshake = c[0] & 1;
    s.options.stream_pieces = c[0] & 2;
    if (c[0] & 4) s.options.expected_info_hash = bt::sha1_of(std::string_view("swarmbench fuzz"));
    s.options.our_reserved = bt::make_reserved(c[0] & 8, c[0] & 16);
    static constexpr std::uint32_t message_sizes[] = {64, 1024, 16 * 1024 + 13, 256 * 1024};
    static constexpr std::uint32_t block_sizes[] = {1, 1024, 16 * 1024, 128 * 1024};
    s.options.limits.max_message_size = message_sizes[c[5] & 3];
    s.options.limits.max_request_length = block_sizes[(c[5] >> 2) & 3];
    s.options.limits.max_piece_block = block_sizes[(c[5] >> 4) & 3];
    s.chunk_seed = c[6] | (std::uint32_t{c[7]} << 8);
    static constexpr std::uint32_t max_chunks[] = {1, 3, 17, 600, 5000, 70000, 1, 2};
    s.max_chunk = max_chunks[(c[0] >> 5) & 7];
    return s;
}

/// Checks one message against the setup; returns its description for the
/// chunking comparison.
std::string check_and_describe(const setup& s, const bt::wire_decoder& d, const bt::message& m) {
    using k = bt::message_kind;
    const bt::piece_geometry& g = s.geometry;
    const bt::wire_limits& lim = s.options.limits;
    auto block_ok = [&](std::uint32_t max_len) {
        return m.index < g.piece_count() && m.length <= max_len &&
               std::uint64_t{m.begin} + m.length <= g.piece_size(m.index);
    };
    switch (m.kind) {
    case k::have: case k::suggest: case k::allowed_fast:
        SWARMBENCH_FUZZ_CHECK(m.index < g.piece_count(), "piece index out of range");
        break;
    case k::request: case k::cancel: case k::reject:
        SWARMBENCH_FUZZ_CHECK(block_ok(lim.max_request_length) && m.length > 0, "request block out of range");
        break;
    case k::piece:
        SWARMBENCH_FUZZ_CHECK(block_ok(lim.max_piece_block), "piece block out of range");
        SWARMBENCH_FUZZ_CHECK(m.data.size() == m.length, "piece data of the wrong size");
        break;
    case k::piece_header:
        SWARMBENCH_FUZZ_CHECK(block_ok(lim.max_piece_block), "piece header out of range");
        SWARMBENCH_FUZZ_CHECK(d.payload_remaining() == m.length, "payload_remaining after a header");
        break;
    case k::piece_data:
        SWARMBENCH_FUZZ_CHECK(m.index < g.piece_count() &&
                                  std::uint64_t{m.begin} + m.data.size() <= g.piece_size(m.index),
                              "piece data outside its piece");
        break;
    case k::bitfield:
        SWARMBENCH_FUZZ_CHECK(m.data.size() == (std::size_t{g.piece_count()} + 7) / 8, "bitfield of the wrong size");
        break;
    case k::handshake:
        SWARMBENCH_FUZZ_CHECK(m.hs != nullptr, "handshake without its struct");
        if (s.options.expected_info_hash)
            SWARMBENCH_FUZZ_CHECK(m.hs->info_hash == *s.options.expected_info_hash, "wrong info-hash accepted");
        break;
    case k::extended_handshake:
        SWARMBENCH_FUZZ_CHECK(m.ext_hs != nullptr, "extended handshake without its struct");
        break;
    default:
        break;
    }
    std::string out = fmt::format("{} i={} b={} l={} p={} e={} n={}", bt::to_string(m.kind), m.index, m.begin, m.length,
                                  m.port, m.ext_id, m.data.size());
    if (m.kind != k::piece_data) out.append(reinterpret_cast<const char*>(m.data.data()), m.data.size());
    if (m.hs) out += fmt::format(" hs={}{}{}", bt::to_hex(m.hs->info_hash), m.hs->reserved[5], m.hs->reserved[7]);
    if (m.ext_hs) {
        for (const auto& [name, id] : m.ext_hs->m) out += fmt::format(" m[{}]={}", name, id);
        out += fmt::format(" v={} reqq={} p={}", m.ext_hs->v, m.ext_hs->reqq.value_or(0), m.ext_hs->p.value_or(0));
    }
    return out;
}

/// Decodes `stream` in chunks of at most `max_chunk` bytes (sizes drawn from
/// `seed`), returning the message descriptions and the final error.
std::vector<std::string> run(const setup& s, std::span<const std::byte> stream, std::uint32_t max_chunk) {
    bt::wire_decoder d(s.geometry, s.options);
    std::vector<std::string> log;
    std::string payload;          // stream mode: current piece payload
    std::uint64_t next_begin = 0;  // stream mode: where the next piece_data must start
    std::uint32_t rng = s.chunk_seed * 2654435761u + 1;
    auto flush = [&] {
        if (!payload.empty()) log.push_back("payload " + payload);
        payload.clear();
    };
    std::size_t pos = 0;
    bool failed = false;
    while (pos < stream.size() && !failed) {
        rng = rng * 1103515245u + 12345u;
        const std::size_t n = std::min<std::size_t>(stream.size() - pos, 1 + (rng >> 8) % max_chunk);
        std::span<const std::byte> in = stream.subspan(pos, n);
        for (int guard = 0; guard < 1 << 20; ++guard) {
            bt::message m;
            const std::size_t before = in.size();
            const auto st = d.next(in, m);
            SWARMBENCH_FUZZ_CHECK(in.size() <= before, "input grew");
            if (st == bt::wire_decoder::status::need_more) {
                SWARMBENCH_FUZZ_CHECK(in.empty(), "need_more with input left");
                break;
            }
            if (st == bt::wire_decoder::status::error) {
                SWARMBENCH_FUZZ_CHECK(d.failed() && !d.error().empty(), "error without a reason");
                bt::message again;
                SWARMBENCH_FUZZ_CHECK(d.next(in, again) == bt::wire_decoder::status::error, "decoder recovered");
                flush();
                log.push_back("error " + d.error());
                failed = true;
                break;
            }
            if (m.kind == bt::message_kind::piece_data) {
                SWARMBENCH_FUZZ_CHECK(payload.empty() || m.begin == next_begin, "piece_data chunks not contiguous");
                next_begin = std::uint64_t{m.begin} + m.data.size();
                payload.append(reinterpret_cast<const char*>(m.data.data()), m.data.size());
            } else {
                flush();
            }
            log.push_back(check_and_describe(s, d, m));
            if (m.kind == bt::message_kind::piece_data) log.back() = "piece_data";  // chunking-dependent
            // piece_data entries depend on the chunking: keep one per payload.
            if (m.kind == bt::message_kind::piece_data && log.size() >= 2 && log[log.size() - 2] == "piece_data")
                log.pop_back();
        }
        pos += n;
    }
    flush();
    log.push_back(d.failed() ? "failed" : fmt::format("open remaining={}", d.payload_remaining()));
    return log;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 8) return 0;
    const setup s = read_setup(data);
    const std::span<const std::byte> stream(reinterpret_cast<const std::byte*>(data) + 8, size - 8);
    const auto whole = run(s, stream, 1u << 30);
    const auto chunked = run(s, stream, s.max_chunk);
    SWARMBENCH_FUZZ_CHECK(whole == chunked, "chunking changed what the decoder yields");
    return 0;
}
