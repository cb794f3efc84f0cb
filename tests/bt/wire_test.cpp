// wire codec: round trips for every message, any chunking, and malformed input.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "swarmbench/bt/wire.hpp"

namespace bt = swarmbench::bt;
using status = bt::wire_decoder::status;

namespace {

// 512 pieces of 32 KiB, the last one 1000 bytes.
const bt::piece_geometry g512(511ull * 32768 + 1000, 32768);

struct decoded {
    bt::message_kind kind;
    std::uint32_t index, begin, length;
    std::uint16_t port;
    std::uint8_t ext_id;
    std::vector<std::byte> data;
    std::string bend;  // message::bend, "" if none
};

struct run_result {
    std::vector<decoded> msgs;
    std::string error;  // empty if none
    bt::handshake hs{};
    bt::extended_handshake ext{};
};

// Feeds `bytes` in chunks of `chunk` bytes (0: all at once).
run_result run(const std::vector<std::byte>& bytes, std::size_t chunk, bt::wire_options opt = {},
               const bt::piece_geometry& g = g512) {
    bt::wire_decoder dec(g, opt);
    run_result r;
    std::size_t pos = 0;
    for (int guard = 0; guard < 10'000'000 && pos < bytes.size(); ++guard) {
        const std::size_t n = chunk ? std::min(chunk, bytes.size() - pos) : bytes.size() - pos;
        std::span<const std::byte> in(bytes.data() + pos, n);
        pos += n;
        for (int inner = 0; inner < 100000; ++inner) {
            bt::message m;
            const status s = dec.next(in, m);
            if (s == status::need_more) break;
            if (s == status::error) {
                r.error = dec.error();
                return r;
            }
            if (m.hs) r.hs = *m.hs;
            if (m.ext_hs) r.ext = *m.ext_hs;
            r.msgs.push_back({m.kind, m.index, m.begin, m.length, m.port, m.ext_id,
                              std::vector<std::byte>(m.data.begin(), m.data.end()), m.bend ? m.bend : ""});
        }
        EXPECT_TRUE(in.empty());
    }
    return r;
}

struct writer {
    std::vector<std::byte> bytes;
    template <class F>
    writer& add(F&& encode) {
        std::byte buf[1024];
        const std::size_t n = encode(std::span<std::byte>(buf));
        EXPECT_GT(n, 0u);
        bytes.insert(bytes.end(), buf, buf + n);
        return *this;
    }
    writer& raw(std::initializer_list<int> b) {
        for (int x : b) bytes.push_back(static_cast<std::byte>(x));
        return *this;
    }
    writer& handshake(bt::reserved_bits reserved = bt::make_reserved(true, true)) {
        bt::handshake hs;
        hs.reserved = reserved;
        hs.info_hash.fill(0xab);
        hs.id.fill(0x2d);
        return add([&](auto out) { return bt::encode_handshake(out, hs); });
    }
};

std::string first_error(std::vector<std::byte> bytes, bt::wire_options opt = {},
                        const bt::piece_geometry& g = g512) {
    const auto whole = run(bytes, 0, opt, g);
    const auto single = run(bytes, 1, opt, g);
    EXPECT_EQ(whole.error, single.error) << "chunking changed the verdict";
    EXPECT_FALSE(whole.error.empty()) << "no error";
    return whole.error;
}

}  // namespace

TEST(Wire, EveryMessageRoundTripsInAnyChunking) {
    bt::bitfield bits(512);
    bits.set(0);
    bits.set(9);
    bits.set(511);
    bt::extended_handshake ext;
    ext.m = {{"ut_metadata", 3}, {"ut_pex", 1}};
    ext.v = "swarmbench 0.1";
    ext.reqq = 500;
    ext.p = 6881;
    std::vector<std::byte> block(16384);
    for (std::size_t i = 0; i < block.size(); ++i) block[i] = static_cast<std::byte>(i * 7);
    const std::byte ext_payload[] = {std::byte{'d'}, std::byte{'e'}};

    writer w;
    w.handshake();
    w.add([&](auto o) { return bt::encode_bitfield(o, bits); });
    w.add([](auto o) { return bt::encode_keep_alive(o); });
    w.add([](auto o) { return bt::encode_simple(o, bt::msg_id::choke); });
    w.add([](auto o) { return bt::encode_simple(o, bt::msg_id::unchoke); });
    w.add([](auto o) { return bt::encode_simple(o, bt::msg_id::interested); });
    w.add([](auto o) { return bt::encode_simple(o, bt::msg_id::not_interested); });
    w.add([](auto o) { return bt::encode_have(o, 511); });
    w.add([](auto o) { return bt::encode_request(o, 3, 16384, 16384); });
    w.add([](auto o) { return bt::encode_piece_header(o, 3, 16384, 16384); });
    w.bytes.insert(w.bytes.end(), block.begin(), block.end());
    w.add([](auto o) { return bt::encode_cancel(o, 3, 16384, 16384); });
    w.add([](auto o) { return bt::encode_port(o, 6881); });
    w.add([](auto o) { return bt::encode_suggest(o, 7); });
    w.add([](auto o) { return bt::encode_reject(o, 511, 0, 1000); });
    w.add([](auto o) { return bt::encode_allowed_fast(o, 8); });
    w.add([&](auto o) { return bt::encode_extended_handshake(o, ext); });
    w.add([&](auto o) { return bt::encode_extended(o, 3, ext_payload); });

    using K = bt::message_kind;
    const K expected[] = {K::handshake, K::bitfield, K::keep_alive, K::choke, K::unchoke,
                          K::interested, K::not_interested, K::have, K::request, K::piece,
                          K::cancel, K::port, K::suggest, K::reject, K::allowed_fast,
                          K::extended_handshake, K::extended};
    for (std::size_t chunk : {std::size_t{0}, std::size_t{1}, std::size_t{3}, std::size_t{7},
                              std::size_t{1000}}) {
        SCOPED_TRACE(chunk);
        const auto r = run(w.bytes, chunk);
        ASSERT_EQ(r.error, "");
        ASSERT_EQ(r.msgs.size(), std::size(expected));
        for (std::size_t i = 0; i < r.msgs.size(); ++i) EXPECT_EQ(r.msgs[i].kind, expected[i]) << i;
        EXPECT_TRUE(r.hs.supports_extensions());
        EXPECT_TRUE(r.hs.supports_fast());
        EXPECT_EQ(r.hs.info_hash[19], 0xab);
        EXPECT_EQ(r.hs.id[0], 0x2d);
        bt::bitfield got;
        got.assign(r.msgs[1].data, 512);
        EXPECT_EQ(got, bits);
        EXPECT_EQ(r.msgs[7].index, 511u);
        EXPECT_EQ(r.msgs[8].index, 3u);
        EXPECT_EQ(r.msgs[8].begin, 16384u);
        EXPECT_EQ(r.msgs[8].length, 16384u);
        EXPECT_EQ(r.msgs[9].index, 3u);
        EXPECT_EQ(r.msgs[9].length, 16384u);
        EXPECT_EQ(r.msgs[9].data, block);
        EXPECT_EQ(r.msgs[10].length, 16384u);
        EXPECT_EQ(r.msgs[11].port, 6881);
        EXPECT_EQ(r.msgs[12].index, 7u);
        EXPECT_EQ(r.msgs[13].index, 511u);
        EXPECT_EQ(r.msgs[13].length, 1000u);
        EXPECT_EQ(r.msgs[14].index, 8u);
        EXPECT_EQ(r.ext.m, ext.m);
        EXPECT_EQ(r.ext.v, ext.v);
        EXPECT_EQ(r.ext.reqq, ext.reqq);
        EXPECT_EQ(r.ext.p, ext.p);
        EXPECT_EQ(r.msgs[16].ext_id, 3);
        EXPECT_EQ(r.msgs[16].data.size(), 2u);
    }
}

TEST(Wire, HaveAllAndHaveNoneWithFastExtension) {
    writer w;
    w.handshake().add([](auto o) { return bt::encode_simple(o, bt::msg_id::have_all); });
    auto r = run(w.bytes, 1);
    ASSERT_EQ(r.error, "");
    ASSERT_EQ(r.msgs.size(), 2u);
    EXPECT_EQ(r.msgs[1].kind, bt::message_kind::have_all);
    writer n;
    n.handshake().add([](auto o) { return bt::encode_simple(o, bt::msg_id::have_none); });
    r = run(n.bytes, 0);
    ASSERT_EQ(r.error, "");
    EXPECT_EQ(r.msgs[1].kind, bt::message_kind::have_none);
}

TEST(Wire, ExtendedHandshakeIsCanonicalBencode) {
    bt::extended_handshake ext;
    ext.m = {{"ut_metadata", 2}};
    ext.reqq = 250;
    EXPECT_EQ(bt::extended_handshake_payload(ext), "d1:md11:ut_metadatai2ee4:reqqi250ee");
    const std::string bad = "d1:md11:ut_metadatai300eee";
    EXPECT_EQ(bt::parse_extended_handshake(std::as_bytes(std::span(bad.data(), bad.size()))).error(),
              "extended handshake: m[\"ut_metadata\"] is not an id in 0..255");
}

TEST(Wire, PieceBlockPointsIntoInputWhenWhole) {
    writer w;
    w.add([](auto o) { return bt::encode_piece_header(o, 511, 0, 1000); });
    w.bytes.resize(w.bytes.size() + 1000, std::byte{0x5a});
    bt::wire_options opt;
    opt.expect_handshake = false;
    bt::wire_decoder dec(g512, opt);
    std::span<const std::byte> in(w.bytes);
    bt::message m;
    ASSERT_EQ(dec.next(in, m), status::message) << dec.error();
    EXPECT_EQ(m.kind, bt::message_kind::piece);
    EXPECT_EQ(m.data.data(), w.bytes.data() + 13);  // no copy
    EXPECT_EQ(m.data.size(), 1000u);
    EXPECT_TRUE(in.empty());
}

TEST(Wire, StreamedPiecePayload) {
    writer w;
    w.add([](auto o) { return bt::encode_piece_header(o, 2, 16384, 16384); });
    for (int i = 0; i < 16384; ++i) w.bytes.push_back(static_cast<std::byte>(i));
    w.add([](auto o) { return bt::encode_have(o, 1); });
    w.add([](auto o) { return bt::encode_piece_header(o, 4, 0, 100); });
    w.bytes.resize(w.bytes.size() + 100, std::byte{1});
    w.add([](auto o) { return bt::encode_simple(o, bt::msg_id::unchoke); });
    bt::wire_options opt;
    opt.expect_handshake = false;
    opt.stream_pieces = true;

    // Chunks of 1000: the first payload arrives as piece_data pieces.
    auto r = run(w.bytes, 1000, opt);
    ASSERT_EQ(r.error, "");
    ASSERT_EQ(r.msgs[0].kind, bt::message_kind::piece_header);
    EXPECT_EQ(r.msgs[0].index, 2u);
    EXPECT_EQ(r.msgs[0].begin, 16384u);
    EXPECT_EQ(r.msgs[0].length, 16384u);
    std::vector<std::byte> payload;
    std::size_t i = 1;
    for (; r.msgs[i].kind == bt::message_kind::piece_data; ++i) {
        EXPECT_EQ(r.msgs[i].begin, 16384u + payload.size());
        payload.insert(payload.end(), r.msgs[i].data.begin(), r.msgs[i].data.end());
    }
    ASSERT_EQ(payload.size(), 16384u);
    EXPECT_EQ(payload[300], static_cast<std::byte>(300 & 0xff));
    EXPECT_EQ(r.msgs[i].kind, bt::message_kind::have);

    // The caller may receive the payload itself and tell the decoder.
    bt::wire_decoder dec(g512, opt);
    std::span<const std::byte> in(w.bytes.data(), 13);
    bt::message m;
    ASSERT_EQ(dec.next(in, m), status::message);
    ASSERT_EQ(m.kind, bt::message_kind::piece_header);
    EXPECT_EQ(dec.payload_remaining(), 16384u);
    dec.skip_payload(16384);  // "received straight into a pool buffer"
    EXPECT_EQ(dec.payload_remaining(), 0u);
    in = std::span<const std::byte>(w.bytes).subspan(13 + 16384);
    ASSERT_EQ(dec.next(in, m), status::message) << dec.error();
    EXPECT_EQ(m.kind, bt::message_kind::have);
}

TEST(Wire, UnknownMessagesAreSkipped) {
    writer w;
    w.handshake().raw({0, 0, 0, 4, 99, 1, 2, 3});
    w.add([](auto o) { return bt::encode_have(o, 2); });
    const auto r = run(w.bytes, 1);
    ASSERT_EQ(r.error, "");
    ASSERT_EQ(r.msgs.size(), 3u);
    EXPECT_EQ(r.msgs[1].kind, bt::message_kind::unknown);
    EXPECT_EQ(r.msgs[1].ext_id, 99);
    EXPECT_EQ(r.msgs[1].length, 3u);
    EXPECT_EQ(r.msgs[1].bend, bt::bend_unknown_message);
    EXPECT_EQ(r.msgs[2].kind, bt::message_kind::have);
    EXPECT_EQ(r.msgs[2].bend, "");
}

TEST(Wire, BadHandshakesAreRefused) {
    writer garbage;
    garbage.raw({'G', 'E', 'T', ' ', '/', ' ', 'H', 'T', 'T', 'P'});
    EXPECT_EQ(first_error(garbage.bytes), "handshake: first byte 71 is not 19 (not a BitTorrent peer)");
    writer pstr;
    pstr.handshake();
    pstr.bytes[5] = std::byte{'x'};
    EXPECT_EQ(first_error(pstr.bytes), "handshake: protocol string is not \"BitTorrent protocol\"");
    writer other;
    other.handshake();
    bt::wire_options opt;
    opt.expected_info_hash = bt::sha1_hash{};
    EXPECT_EQ(first_error(other.bytes, opt),
              "handshake: info-hash abababababababababababababababababababab is not this "
              "torrent's (0000000000000000000000000000000000000000)");
}

TEST(Wire, MalformedMessagesGivePreciseErrors) {
    auto after_hs = [](std::initializer_list<int> b, bt::reserved_bits r = bt::make_reserved(true, true)) {
        writer w;
        w.handshake(r).raw(b);
        return w.bytes;
    };
    EXPECT_EQ(first_error(after_hs({0x7f, 0xff, 0xff, 0xff, 7})),
              "message length 2147483647 exceeds the limit of 262144 bytes");
    EXPECT_EQ(first_error(after_hs({0, 0, 0, 5, 4, 0, 0, 3, 0x84})),
              "have: piece index 900 out of range (torrent has 512 pieces)");
    EXPECT_EQ(first_error(after_hs({0, 0, 0, 6, 4, 0, 0, 0, 1, 0})),
              "have: message length 6 (expected 5)");
    EXPECT_EQ(first_error(after_hs({0, 0, 0, 2, 1, 0})), "unchoke: message length 2 (expected 1)");
    EXPECT_EQ(first_error(after_hs({0, 0, 0, 13, 6, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x80, 0})),
              "request: block length 32768 exceeds the limit of 16384 bytes");
    EXPECT_EQ(first_error(after_hs({0, 0, 0, 13, 6, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0})),
              "request: zero-length block in piece 1");
    // The last piece holds 1000 bytes.
    EXPECT_EQ(first_error(after_hs({0, 0, 0, 13, 6, 0, 0, 1, 0xff, 0, 0, 0, 0, 0, 0, 0x40, 0})),
              "request: block at offset 0 length 16384 runs past the end of piece 511 (1000 bytes)");
    EXPECT_EQ(first_error(after_hs({0, 0, 0, 13, 8, 0, 0, 0, 0, 0, 0, 0x80, 0, 0, 0, 0x40, 0})),
              "cancel: block at offset 32768 length 16384 runs past the end of piece 0 (32768 bytes)");
    EXPECT_EQ(first_error(after_hs({0, 0, 0x40, 10, 7, 0, 0, 0, 0, 0, 0, 0, 0})),
              "piece: block of 16385 bytes exceeds the limit of 16384 bytes");
    EXPECT_EQ(first_error(after_hs({0, 0, 0, 9, 7, 0, 0, 0, 0, 0, 0, 0, 0})),
              "piece: message length 9 leaves no block (minimum 10)");
    EXPECT_EQ(first_error(after_hs({0, 0, 0, 10, 7, 0, 0, 2, 0, 0, 0, 0, 0, 0})),
              "piece: piece index 512 out of range (torrent has 512 pieces)");
    EXPECT_EQ(first_error(after_hs({0, 0, 0, 3, 5, 0, 0})), "bitfield: message length 3 (expected 65)");
    EXPECT_EQ(first_error(after_hs({0, 0, 0, 1, 14}, bt::make_reserved(true, false))),
              "have all: fast-extension message but the fast extension was not negotiated");
    EXPECT_EQ(first_error(after_hs({0, 0, 0, 13, 16, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x40, 0},
                                   bt::make_reserved(true, false))),
              "reject request: fast-extension message but the fast extension was not negotiated");
    EXPECT_EQ(first_error(after_hs({0, 0, 0, 3, 20, 0, 'x'}, bt::make_reserved(false, true))),
              "extended: message but the extension protocol was not negotiated");
    EXPECT_EQ(first_error(after_hs({0, 0, 0, 1, 20})), "extended: message has no extended id");
    EXPECT_EQ(first_error(after_hs({0, 5, 0, 0, 99})), "message length 327680 exceeds the limit of 262144 bytes");
    // Where a huge torrent's bitfield raises the length ceiling, other
    // messages still keep to the message size limit.
    const bt::piece_geometry huge(std::uint64_t{1} << 40, 1 << 14);  // 2^26 pieces, 8 MiB bitfield
    writer w;
    w.handshake().raw({0, 5, 0, 0, 99});
    EXPECT_EQ(first_error(w.bytes, {}, huge), "unknown (id 99): length 327680 exceeds the limit of 262144 bytes");
}

// Where libtorrent bends, the decoder bends and says so (message::bend);
// whatever breaks framing stays an error (MalformedMessagesGivePreciseErrors).
TEST(Wire, BendsWhereRealClientsBend) {
    // 509 pieces: 64 bytes with 3 spare bits, which should be zero.
    const bt::piece_geometry g509(509ull * 16384, 16384);
    writer w;
    w.handshake().raw({0, 0, 0, 65, 5});
    w.bytes.resize(w.bytes.size() + 64, std::byte{0xff});
    for (std::size_t chunk : {0, 1}) {
        const auto spare = run(w.bytes, chunk, {}, g509);
        ASSERT_EQ(spare.error, "");
        ASSERT_EQ(spare.msgs.size(), 2u);
        EXPECT_EQ(spare.msgs[1].bend, bt::bend_bitfield_spare_bits);
        bt::bitfield bits;
        bits.assign(spare.msgs[1].data, 509);
        EXPECT_EQ(bits.count(), 509u) << "the spare bits are not pieces";
    }
    w.bytes.back() = std::byte{0xf8};
    const auto clean = run(w.bytes, 1, {}, g509);
    ASSERT_EQ(clean.error, "");
    EXPECT_EQ(clean.msgs.back().bend, "");

    // aria2: a bitfield, HAVEs, then a second bitfield in place of more
    // HAVEs; a HAVE ALL on completion. Keep-alives anywhere.
    bt::bitfield first(512), second(512);
    first.set(0);
    second.set(0);
    second.set(7);
    second.set(511);
    writer late;
    late.handshake();
    late.add([](auto o) { return bt::encode_keep_alive(o); });
    late.add([&](auto o) { return bt::encode_bitfield(o, first); });
    late.add([](auto o) { return bt::encode_keep_alive(o); });
    late.add([](auto o) { return bt::encode_have(o, 1); });
    late.add([&](auto o) { return bt::encode_bitfield(o, second); });
    late.add([](auto o) { return bt::encode_simple(o, bt::msg_id::have_none); });
    late.add([](auto o) { return bt::encode_simple(o, bt::msg_id::have_all); });
    late.add([](auto o) { return bt::encode_keep_alive(o); });
    for (std::size_t chunk : {0, 1, 7}) {
        const auto r = run(late.bytes, chunk);
        ASSERT_EQ(r.error, "") << "chunk " << chunk;
        ASSERT_EQ(r.msgs.size(), 9u);
        EXPECT_EQ(r.msgs[1].kind, bt::message_kind::keep_alive);
        EXPECT_EQ(r.msgs[2].kind, bt::message_kind::bitfield);
        EXPECT_EQ(r.msgs[2].bend, "") << "a keep-alive before the bitfield leaves it first";
        EXPECT_EQ(r.msgs[4].bend, "");
        EXPECT_EQ(r.msgs[5].kind, bt::message_kind::bitfield);
        EXPECT_EQ(r.msgs[5].bend, bt::bend_late_bitfield);
        bt::bitfield got;
        got.assign(r.msgs[5].data, 512);
        EXPECT_EQ(got.count(), 3u);
        EXPECT_TRUE(got.get(511));
        EXPECT_EQ(r.msgs[6].kind, bt::message_kind::have_none);
        EXPECT_EQ(r.msgs[6].bend, bt::bend_late_have_none);
        EXPECT_EQ(r.msgs[7].kind, bt::message_kind::have_all);
        EXPECT_EQ(r.msgs[7].bend, bt::bend_late_have_all);
        EXPECT_EQ(r.msgs[8].kind, bt::message_kind::keep_alive);
    }

    // A malformed extended handshake is ignored (libtorrent does), and the
    // connection goes on; a later good one is read.
    bt::extended_handshake good;
    good.reqq = 77;
    for (const std::vector<int>& payload : std::vector<std::vector<int>>{
             {'l', 'e'}, {'i', '1', 'x'}, {'d', '1', ':', 'p', 'i', '0', 'e', 'e'}}) {
        writer x;
        x.handshake().raw({0, 0, 0, static_cast<int>(payload.size() + 2), 20, 0});
        for (int b : payload) x.raw({b});
        x.add([](auto o) { return bt::encode_have(o, 3); });
        x.add([&](auto o) { return bt::encode_extended_handshake(o, good); });
        const auto r = run(x.bytes, 1);
        ASSERT_EQ(r.error, "");
        ASSERT_EQ(r.msgs.size(), 4u);
        EXPECT_EQ(r.msgs[1].kind, bt::message_kind::extended);
        EXPECT_EQ(r.msgs[1].bend, bt::bend_bad_extended_handshake);
        EXPECT_EQ(r.msgs[2].kind, bt::message_kind::have);
        EXPECT_EQ(r.msgs[3].kind, bt::message_kind::extended_handshake);
        EXPECT_EQ(r.ext.reqq, 77u);
    }
}

TEST(Wire, FailedDecoderStaysFailed) {
    bt::wire_options opt;
    opt.expect_handshake = false;
    bt::wire_decoder dec(g512, opt);
    const std::byte bad[] = {std::byte{0xff}, std::byte{0xff}, std::byte{0xff}, std::byte{0xff}};
    std::span<const std::byte> in(bad);
    bt::message m;
    EXPECT_EQ(dec.next(in, m), status::error);
    EXPECT_TRUE(dec.failed());
    std::byte ok[5];
    const std::size_t n = bt::encode_simple(ok, bt::msg_id::choke);
    in = std::span<const std::byte>(ok, n);
    EXPECT_EQ(dec.next(in, m), status::error);
}

TEST(Wire, GarbageNeverCrashesOrStalls) {
    // Pseudo-random bytes after a valid handshake: the decoder must either
    // keep consuming or fail, never loop without progress.
    std::uint64_t state = 12345;
    for (int round = 0; round < 200; ++round) {
        writer w;
        w.handshake();
        for (int i = 0; i < 2000; ++i) {
            state = state * 6364136223846793005ull + 1442695040888963407ull;
            w.bytes.push_back(static_cast<std::byte>(state >> 56));
        }
        bt::wire_options opt;
        opt.stream_pieces = round % 2 == 1;
        const auto r = run(w.bytes, 1 + round % 17, opt);
        (void)r;  // any verdict is fine; run() asserts all input was consumed
    }
}

TEST(Wire, EncodersRefuseSmallBuffers) {
    std::byte small[4];
    EXPECT_EQ(bt::encode_have(small, 1), 0u);
    EXPECT_EQ(bt::encode_handshake(small, bt::handshake{}), 0u);
    EXPECT_EQ(bt::encode_bitfield(small, bt::bitfield(100)), 0u);
    EXPECT_EQ(bt::encode_keep_alive(small), 4u);
    std::byte hdr[13];
    EXPECT_EQ(bt::encode_piece_header(hdr, 1, 2, 16384), 13u);
    EXPECT_EQ(hdr[3], std::byte{9});      // length 16393 = 0x4009
    EXPECT_EQ(hdr[2], std::byte{0x40});
    EXPECT_EQ(hdr[4], std::byte{7});
}
