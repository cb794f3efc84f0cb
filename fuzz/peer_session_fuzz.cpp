// peer_session_fuzz: one pure peer session (bt/peer_session.hpp) in either
// role, driven by a fuzz-chosen script: no sockets, no threads, no clock.
//
// Input layout: 2 bytes of configuration, then a script of operations.
//   byte 0: bit 0 we are a seed (else a downloader), bit 1 the remote offers
//           BEP 6, bit 2 BEP 10, bit 3 we dialled, bit 4 keep blocks
//           (assemble, write, hash) else discard, bit 5 serve with reads,
//           bit 6 choke like a client, bit 7 a downloader uploads too;
//   byte 1: pipeline (1..64) in the low 6 bits; bit 6 a small serve window;
//           bit 7 a small cap on pieces in memory.
//   script: op < 0x80 feeds the next op+1 raw bytes as the remote's (cut at
//           a fuzz-chosen point into two receives); higher ops are canned
//           remote messages (a valid handshake, have all, a bitfield,
//           unchoke, choke, interested, a request, a cancel, a reject, an
//           allowed fast), answers to our requests (right or corrupt
//           blocks), the I/O layer's moves (drain output into a buffer of a
//           chosen size, finish writes and hashes, answer a read, advance
//           the clock) and steering (choke, rate, stall, close, restart).
//
// Checks: everything the session writes decodes under a strict decoder (our
// torrent's info-hash, whole messages only); every block it serves is the
// content; it never has more requests out than the pipeline; closed is
// reported at most once and nothing is written after it; a complete
// download wrote every byte right (so a corrupt block never passed); every
// block lent through block_read is released by the end.
//
// Thread rules: single-threaded, no state kept between inputs.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "../tests/bt/peer_harness.hpp"
#include "fuzz_check.hpp"

namespace bt = swarmbench::bt;
namespace h = swarmbench::bt::harness;

namespace {

constexpr std::uint64_t content_seed = 11;

/// A 5-piece torrent whose last piece is short (odd block), built once.
const bt::torrent& fuzz_torrent() {
    static const bt::torrent t = [] {
        bt::synthetic_spec spec;
        spec.seed = content_seed;
        spec.total_size = 4 * 32 * 1024 + 20000;
        spec.piece_size = 32 * 1024;
        return std::move(bt::make_synthetic_torrent(spec).value());
    }();
    return t;
}

struct reader {
    const std::uint8_t* p;
    std::size_t left;
    bool empty() const { return left == 0; }
    std::uint8_t byte() {
        if (!left) return 0;
        --left;
        return *p++;
    }
    std::uint32_t u16() { return static_cast<std::uint32_t>(byte()) << 8 | byte(); }
};

struct run {
    const bt::torrent& t = fuzz_torrent();
    h::recorder io{t, content_seed};
    std::unique_ptr<bt::local_peer> peer;
    std::unique_ptr<bt::peer_session> s;
    h::remote_view view{t};
    std::vector<h::msg> asked;  // our requests the remote has not answered
    std::int64_t now = 0;
    std::uint32_t pipeline = 1;
    bool wrote_after_close = false;

    void drain(std::size_t size) {
        const bool was_closed = s->closed();
        for (const h::msg& m : view.drain(*s, now, size)) {
            if (m.kind == bt::message_kind::request) asked.push_back(m);
            if (m.kind == bt::message_kind::cancel)
                for (auto it = asked.begin(); it != asked.end(); ++it)
                    if (it->index == m.index && it->begin == m.begin) {
                        asked.erase(it);
                        break;
                    }
            if (m.kind == bt::message_kind::piece)
                SWARMBENCH_FUZZ_CHECK(bt::synthetic_matches(content_seed, t.geometry().piece_offset(m.index) + m.begin, m.data),
                                      "a served block is the content");
            if (was_closed) wrote_after_close = true;
        }
        SWARMBENCH_FUZZ_CHECK(view.error.empty(), "everything written decodes");
        SWARMBENCH_FUZZ_CHECK(!wrote_after_close, "nothing is written after close");
    }
    void answer(bool corrupt) {
        if (asked.empty()) return;
        const h::msg m = asked.front();
        asked.erase(asked.begin());
        h::bytes b = h::piece_msg(t, content_seed, m.index, m.begin, m.length);
        if (corrupt) b.back() ^= std::byte{0x5a};
        h::feed(*s, b, now, 1 + b.size() / 3);
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    reader in{data, size};
    const std::uint8_t cfg = in.byte();
    const std::uint8_t knobs = in.byte();
    run r;
    bt::local_peer_options o;
    o.seed = cfg & 1;
    o.keep_blocks = cfg & 16;
    o.serve_reads = cfg & 32;
    o.choking = cfg & 64;
    o.upload = o.seed || (cfg & 128);
    o.pipeline = r.pipeline = 1 + (knobs & 63);
    if (knobs & 64) o.serve_window = 40000;
    if (knobs & 128) o.max_assembling = 1;
    o.max_queued_requests = 64;
    o.choke.slots = 1;
    o.client_name = "fuzz";
    r.peer = std::make_unique<bt::local_peer>(r.t, r.io, o);
    bt::session_options so;
    so.outgoing = cfg & 8;
    r.s = std::make_unique<bt::peer_session>(*r.peer, so, 0);
    const bool fast = cfg & 2, ext = cfg & 4;
    const std::uint32_t pieces = r.t.piece_count();

    for (int ops = 0; !in.empty() && ops < 4096; ++ops) {
        const std::uint8_t op = in.byte();
        bt::peer_session& s = *r.s;
        if (op < 0x80) {
            h::bytes raw;
            for (int i = 0; i <= op && !in.empty(); ++i) raw.push_back(std::byte{in.byte()});
            const std::size_t cut = raw.empty() ? 0 : in.byte() % raw.size();
            s.receive(std::span<const std::byte>(raw).first(cut), r.now);
            s.receive(std::span<const std::byte>(raw).subspan(cut), r.now);
        } else {
            switch (op & 0x1f) {
                case 0: h::feed(s, h::hs_bytes(r.t, fast, ext), r.now, 1 + in.byte()); break;
                case 1: h::feed(s, h::simple(bt::msg_id::have_all), r.now); break;
                case 2: {
                    bt::bitfield b(pieces);
                    const std::uint8_t m = in.byte();
                    for (std::uint32_t i = 0; i < pieces; ++i)
                        if (m >> (i % 8) & 1) b.set(i);
                    h::feed(s, h::bits(b), r.now);
                    break;
                }
                case 3: h::feed(s, h::simple(bt::msg_id::unchoke), r.now); break;
                case 4: h::feed(s, h::simple(bt::msg_id::choke), r.now); break;
                case 5: h::feed(s, h::simple(bt::msg_id::interested), r.now); break;
                case 6: {
                    const std::uint32_t piece = in.byte() % pieces;
                    const std::uint32_t blk = in.byte() % r.t.geometry().blocks_in_piece(piece);
                    const std::uint32_t begin = blk * bt::default_block_size;
                    const std::uint32_t len = std::min(bt::default_block_size, r.t.geometry().piece_size(piece) - begin);
                    h::feed(s, (op & 0x20) ? h::cancel(piece, begin, len) : h::request(piece, begin, len), r.now);
                    break;
                }
                case 7:
                    if (!r.asked.empty()) {
                        const h::msg m = r.asked.front();
                        r.asked.erase(r.asked.begin());
                        h::feed(s, h::reject(m.index, m.begin, m.length), r.now);
                    }
                    break;
                case 8: h::feed(s, h::allowed_fast(in.byte() % pieces), r.now); break;
                case 9: h::feed(s, h::have(in.byte() % pieces), r.now); break;
                case 10: r.answer(false); break;
                case 11: r.answer(true); break;
                case 12: r.drain(16 + in.u16() * 4); break;
                case 13: r.io.settle(!(op & 0x20)); break;
                case 14:
                    if (!r.io.read_from.empty()) r.io.answer_read();
                    break;
                case 15: r.now += std::int64_t{in.byte()} * 250'000'000; r.peer->tick(r.now); break;
                case 16: s.set_choked(op & 0x20); break;
                case 17: s.set_rate(std::uint64_t{in.byte()} * 4096); break;
                case 18: s.stall_until(r.now + std::int64_t{in.byte()} * 100'000'000); break;
                case 19: s.close("fuzz", op & 0x20); break;
                case 20:
                    if (r.peer->complete() && !o.seed) r.peer->restart(in.byte());
                    break;
                case 21: h::feed(s, h::ext_hs(in.byte() ? std::optional<std::uint32_t>(in.byte()) : std::nullopt), r.now); break;
                default: r.drain(1 << 16); break;
            }
        }
        SWARMBENCH_FUZZ_CHECK(r.s->requests_out() <= r.pipeline, "requests stay within the pipeline");
        SWARMBENCH_FUZZ_CHECK(r.io.closed_sessions.size() <= 1, "closed is reported once");
        SWARMBENCH_FUZZ_CHECK(r.io.bad_releases == 0, "only lent blocks are released");
    }
    r.drain(1 << 16);
    r.io.settle();
    if (r.peer->complete() && !o.seed && o.keep_blocks && !r.peer->failed())
        SWARMBENCH_FUZZ_CHECK(r.io.all_written_correctly(), "a complete download wrote every byte right");
    r.s->close("end");
    while (!r.io.read_from.empty()) r.io.answer_read();
    SWARMBENCH_FUZZ_CHECK(r.io.lent == 0, "every lent block is released");
    SWARMBENCH_FUZZ_CHECK(r.io.closed_sessions.size() == 1, "closed is reported once");
    return 0;
}
