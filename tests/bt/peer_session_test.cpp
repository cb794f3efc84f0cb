// peer_session, local_peer and choker as pure logic: byte strings in, bytes
// and effects out, both roles (a seed serving, a downloader), every message,
// the bends real clients need and the checks that drop a peer.
#include <gtest/gtest.h>

#include "peer_harness.hpp"
#include "swarmbench/bt/choker.hpp"

namespace swarmbench::bt {
namespace {

using namespace harness;
using k = message_kind;

constexpr std::uint64_t seed = 7;
constexpr std::int64_t s1 = 1'000'000'000;

struct peer_fixture : ::testing::Test {
    torrent t = make_torrent(8, 64 * 1024, seed);  // 8 pieces x 4 blocks
    recorder io{t, seed};

    std::unique_ptr<local_peer> make_peer(bool seed_role, local_peer_options o = {}) {
        o.seed = seed_role;
        o.client_name = "swarmbench test";
        o.picker.order = pick_order::sequential;
        return std::make_unique<local_peer>(t, io, std::move(o));
    }
    /// A seed's greeting with BEP 6: handshake, have all, unchoke.
    bytes seed_greeting() const {
        return cat({hs_bytes(t, true, false), simple(msg_id::have_all), simple(msg_id::unchoke)});
    }
    static session_options opts(bool outgoing) {
        session_options so;
        so.outgoing = outgoing;
        so.our_id.fill(0x11);
        return so;
    }
};

// ---- handshakes and announcements, seed role ----

TEST_F(peer_fixture, SeedAnswersHandshakeWithExtensionsHaveAllAndUnchoke) {
    auto p = make_peer(true);
    peer_session s(*p, opts(false), 0);
    remote_view r(t);
    EXPECT_TRUE(r.drain(s, 0).empty()) << "an incoming session waits for the remote's handshake";
    feed(s, hs_bytes(t, true, true), 0, 7);
    ASSERT_TRUE(s.active());
    EXPECT_EQ(io.established_count, 1);
    auto out = r.drain(s, 0);
    ASSERT_EQ(r.error, "");
    ASSERT_EQ(out.size(), 4u);
    EXPECT_EQ(out[0].kind, k::handshake);
    EXPECT_EQ(out[0].hs->info_hash, t.info_hash());
    EXPECT_EQ(out[0].hs->id[0], 0x11);
    EXPECT_TRUE(out[0].hs->supports_fast());
    EXPECT_EQ(out[1].kind, k::extended_handshake);
    EXPECT_EQ(out[1].ext->reqq, 2048u);
    EXPECT_EQ(out[1].ext->v, "swarmbench test");
    EXPECT_EQ(out[2].kind, k::have_all);
    EXPECT_EQ(out[3].kind, k::unchoke);
    EXPECT_FALSE(s.am_choking());
}

TEST_F(peer_fixture, SeedWithoutFastSendsAFullBitfieldAndNoExtensionHandshakeWithoutBep10) {
    auto p = make_peer(true);
    peer_session s(*p, opts(false), 0);
    remote_view r(t);
    feed(s, hs_bytes(t, false, false), 0);
    auto out = r.drain(s, 0);
    ASSERT_EQ(out.size(), 3u);
    EXPECT_EQ(out[1].kind, k::bitfield);
    bitfield b;
    b.assign(out[1].data, t.piece_count());
    EXPECT_TRUE(b.all());
    EXPECT_EQ(out[2].kind, k::unchoke);
}

TEST_F(peer_fixture, DownloaderWithNoPiecesSendsHaveNoneOnlyWithFast) {
    auto p = make_peer(false);
    peer_session with(*p, opts(true), 0), without(*p, opts(true), 0);
    remote_view rw(t), ro(t);
    feed(with, hs_bytes(t, true, false), 0);
    feed(without, hs_bytes(t, false, false), 0);
    auto a = rw.drain(with, 0), b = ro.drain(without, 0);
    ASSERT_EQ(a.size(), 3u);  // our handshake went first (we dialled), then have none
    EXPECT_EQ(a[1].kind, k::have_none);
    EXPECT_EQ(a[2].kind, k::unchoke) << "a downloader that uploads unchokes too";
    ASSERT_EQ(b.size(), 2u);  // nothing to announce without BEP 6
    EXPECT_EQ(b[1].kind, k::unchoke);
}

TEST_F(peer_fixture, OutgoingSessionSendsItsHandshakeFirst) {
    auto p = make_peer(false);
    peer_session s(*p, opts(true), 0);
    remote_view r(t);
    auto out = r.drain(s, 0);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].kind, k::handshake);
    EXPECT_FALSE(s.active());
}

// ---- downloading ----

struct download : peer_fixture {
    std::unique_ptr<local_peer> p;
    std::unique_ptr<peer_session> s;
    remote_view r{t};
    void SetUp() override {
        local_peer_options o;
        o.upload = false;
        o.pipeline = 4;
        p = make_peer(false, o);
        s = std::make_unique<peer_session>(*p, opts(true), 0);
        r.drain(*s, 0);
    }
    /// Answers every request in `out` with its block, fed in `split`-byte pieces.
    void answer(const std::vector<msg>& out, std::size_t split, std::int64_t now = 0) {
        feed(*s, answers(t, seed, out), now, split);
    }
};

TEST_F(download, RequestsWithinPipelineAndReqqThenDownloadsEverything) {
    feed(*s, cat({hs_bytes(t, true, true), ext_hs(3), simple(msg_id::have_all), simple(msg_id::unchoke)}), 0);
    auto out = r.drain(*s, 0);
    EXPECT_EQ(count(out, k::interested), 1u);
    EXPECT_EQ(count(out, k::request), 3u) << "min(pipeline 4, the remote's reqq 3)";
    EXPECT_EQ(count(out, k::unchoke), 0u) << "upload off: never unchokes";
    // Serve every request, the bytes split oddly, until done.
    for (int round = 0; round < 100 && !p->complete(); ++round) {
        answer(out, 1000 + static_cast<std::size_t>(round) * 17);
        io.settle();
        out = r.drain(*s, 0);
    }
    ASSERT_TRUE(p->complete());
    EXPECT_EQ(io.completions, 1);
    EXPECT_TRUE(io.all_written_correctly());
    EXPECT_EQ(io.pieces.size(), 8u);
    EXPECT_EQ(s->stats().blocks_in, 32u);
    EXPECT_EQ(io.received_bytes, t.geometry().total_length());
    EXPECT_EQ(p->buffers_in_use(), 0u) << "every piece buffer recycled";
    EXPECT_TRUE(s->am_interested() == false);
    EXPECT_EQ(r.error, "");
}

TEST_F(download, HavesAreSentForEveryPassedPieceAndInterestFollowsThePeersPieces) {
    feed(*s, cat({hs_bytes(t, true, false), have(2), simple(msg_id::unchoke)}), 0);
    auto out = r.drain(*s, 0);
    EXPECT_EQ(count(out, k::interested), 1u);
    ASSERT_EQ(count(out, k::request), 4u);
    for (const msg& m : only(out, k::request)) EXPECT_EQ(m.index, 2u);
    answer(out, 1 << 20);
    io.settle();
    out = r.drain(*s, 0);
    ASSERT_EQ(count(out, k::have), 1u);
    EXPECT_EQ(count(out, k::not_interested), 1u) << "it has nothing else we want";
}

TEST_F(download, RedundantHavesCanBeLeftOut) {
    s->set_redundant_haves(false);
    feed(*s, seed_greeting(), 0);
    auto out = r.drain(*s, 0);
    answer(out, 1 << 20);
    io.settle();
    EXPECT_EQ(count(r.drain(*s, 0), k::have), 0u) << "the remote is a seed: it has every piece we could announce";
}

// The local peer stops telling a connection to a seed of our own of each
// passed piece (O(1) per piece at a leecher of 500 such connections), yet the
// last piece still ends our interest; a late set that is no seed's brings the
// HAVEs back.
TEST_F(download, ASeedsConnectionHearsNoPassesButLosesInterestAtTheEndAndALateMapBringsHavesBack) {
    s->set_redundant_haves(false);
    feed(*s, seed_greeting(), 0);
    auto out = r.drain(*s, 0);
    ASSERT_EQ(count(out, k::request), 4u);
    answer(out, 1 << 20);  // piece 0 (sequential order)
    io.settle();
    out = r.drain(*s, 0);
    EXPECT_EQ(count(out, k::have), 0u);
    ASSERT_EQ(count(out, k::request), 4u);  // piece 1
    bitfield late(t.piece_count());
    late.set(5);
    feed(*s, bits(late), 0);  // a bend: a second set, replacing the first
    EXPECT_FALSE(s->remote_seed());
    answer(out, 1 << 20);  // piece 1, which its new map lacks: we owe a HAVE
    io.settle();
    out = r.drain(*s, 0);
    ASSERT_EQ(count(out, k::have), 1u);
    EXPECT_EQ(only(out, k::have)[0].index, 1u);
    EXPECT_EQ(r.error, "");

    // A seed to the end: no HAVE at all, NOT_INTERESTED with the last piece.
    auto q = make_peer(false, [] {
        local_peer_options o;
        o.upload = false;
        o.pipeline = 4;
        return o;
    }());
    peer_session only_seed(*q, opts(true), 0);
    remote_view r2{t};
    r2.drain(only_seed, 0);
    only_seed.set_redundant_haves(false);
    feed(only_seed, seed_greeting(), 0);
    out = r2.drain(only_seed, 0);
    std::size_t haves = 0, not_interested = 0;
    for (int round = 0; round < 100 && !q->complete(); ++round) {
        feed(only_seed, answers(t, seed, out), 0);
        io.settle();
        out = r2.drain(only_seed, 0);
        haves += count(out, k::have);
        not_interested += count(out, k::not_interested);
    }
    ASSERT_TRUE(q->complete());
    EXPECT_EQ(haves, 0u);
    EXPECT_EQ(not_interested, 1u);
    EXPECT_FALSE(only_seed.am_interested());
    EXPECT_EQ(r2.error, "");
}

// Memory: a leecher's connections are mostly to seeds, whose map of pieces
// says nothing the have-all does not; none is kept (512 bytes each at 4,096
// pieces), and a seed's HAVE changes nothing.
TEST_F(download, ASeedsMapOfPiecesIsNotKeptAndItsHavesChangeNothing) {
    feed(*s, seed_greeting(), 0);
    EXPECT_TRUE(s->remote_seed());
    EXPECT_EQ(s->remote_pieces().size(), 0u);
    const auto first = r.drain(*s, 0);
    EXPECT_EQ(count(first, k::request), 4u);
    feed(*s, have(3), 0);
    EXPECT_EQ(s->remote_pieces().size(), 0u);
    EXPECT_TRUE(r.drain(*s, 0).empty()) << "nothing to say about a redundant HAVE";
    EXPECT_EQ(r.error, "");
    // Not a seed: the map is kept, and grows with each HAVE.
    auto other = std::make_unique<peer_session>(*p, opts(true), 0);
    remote_view r2{t};
    r2.drain(*other, 0);
    feed(*other, cat({hs_bytes(t, true, false), simple(msg_id::have_none), have(5)}), 0);
    EXPECT_FALSE(other->remote_seed());
    ASSERT_EQ(other->remote_pieces().size(), t.piece_count());
    EXPECT_TRUE(other->remote_pieces().get(5));
    EXPECT_EQ(other->remote_pieces().count(), 1u);
}

TEST_F(download, ChokeWithoutFastForgetsRequestsAndUnchokeAsksAgain) {
    feed(*s, cat({hs_bytes(t, false, false), simple(msg_id::unchoke), bits(bitfield(8, true))}), 0);
    auto first = only(r.drain(*s, 0), k::request);
    ASSERT_EQ(first.size(), 4u);
    feed(*s, simple(msg_id::choke), 0);
    EXPECT_EQ(s->requests_out(), 0u);
    EXPECT_EQ(s->stats().rejects, 4u);
    // A block sent after the choke was not asked for any more: dropped.
    feed(*s, piece_msg(t, seed, first[2].index, first[2].begin), 0);
    EXPECT_EQ(s->stats().blocks_in, 0u);
    feed(*s, simple(msg_id::unchoke), 0);
    auto again = r.drain(*s, 0);
    EXPECT_EQ(count(again, k::request), 4u);
}

TEST_F(download, ChokeWithFastKeepsRequestsUntilRejected) {
    feed(*s, seed_greeting(), 0);
    auto first = only(r.drain(*s, 0), k::request);
    ASSERT_EQ(first.size(), 4u);
    feed(*s, simple(msg_id::choke), 0);
    EXPECT_EQ(s->requests_out(), 4u) << "BEP 6: the rejects will say what was dropped";
    feed(*s, reject(first[1].index, first[1].begin), 0);
    EXPECT_EQ(s->requests_out(), 3u);
    EXPECT_EQ(s->stats().rejects, 1u);
    EXPECT_EQ(count(r.drain(*s, 0), k::request), 0u) << "choked: no new requests";
}

TEST_F(download, AllowedFastPiecesAreRequestedWhileChoked) {
    feed(*s, cat({hs_bytes(t, true, false), simple(msg_id::have_all), allowed_fast(5)}), 0);
    auto out = r.drain(*s, 0);
    ASSERT_EQ(count(out, k::request), 4u);
    for (const msg& m : only(out, k::request)) EXPECT_EQ(m.index, 5u);
}

TEST_F(download, RejectedBlocksAreAskedForAgain) {
    feed(*s, seed_greeting(), 0);
    auto out = only(r.drain(*s, 0), k::request);
    feed(*s, reject(out[2].index, out[2].begin), 0);
    auto again = r.drain(*s, 0);
    ASSERT_EQ(count(again, k::request), 1u);
    EXPECT_EQ(again[0].index, out[2].index);
    EXPECT_EQ(again[0].begin, out[2].begin);
}

TEST_F(download, UnrequestedAndMisalignedBlocksAreDropped) {
    feed(*s, seed_greeting(), 0);
    r.drain(*s, 0);
    feed(*s, piece_msg(t, seed, 7, 0), 0);  // never asked for
    feed(*s, piece_msg(t, seed, 0, 100, 1000), 0);  // misaligned
    EXPECT_EQ(s->stats().blocks_in, 0u);
    EXPECT_TRUE(s->active());
    EXPECT_EQ(io.writes_waiting(), 0u);
}

TEST_F(download, StallTimeoutDropsASilentPeerUnlessExcused) {
    feed(*s, seed_greeting(), 0);
    r.drain(*s, 0);
    p->excuse_silence_until(20 * s1);
    p->tick(45 * s1);
    EXPECT_TRUE(s->active()) << "silence counts from the end of the excuse";
    p->tick(51 * s1);
    ASSERT_TRUE(s->closed());
    EXPECT_EQ(s->close_reason(), "dropped: stalled (no block for 30 s with requests outstanding)");
    EXPECT_FALSE(s->protocol_error());
}

TEST_F(download, WrongDataConvictsItsSenderAndThePieceIsFetchedAgain) {
    feed(*s, seed_greeting(), 0);
    auto out = only(r.drain(*s, 0), k::request);
    ASSERT_EQ(out.size(), 4u);  // piece 0, blocks 0..3
    bytes all;
    for (const msg& m : out) {
        bytes b = piece_msg(t, seed, m.index, m.begin, m.length);
        if (m.begin == 2 * default_block_size) b[piece_header_size + 5] ^= std::byte{1};
        all.insert(all.end(), b.begin(), b.end());
    }
    feed(*s, all, 0);
    io.settle();
    ASSERT_TRUE(s->closed());
    EXPECT_TRUE(s->protocol_error());
    EXPECT_EQ(s->close_reason(), "dropped: sent wrong data (block 2 of piece 0 failed the hash check)");
    ASSERT_EQ(io.pieces.size(), 1u);
    EXPECT_FALSE(io.pieces[0].second);
    // A second peer gets piece 0 asked of it again.
    peer_session s2(*p, opts(true), 0);
    remote_view r2(t);
    feed(s2, seed_greeting(), 0);
    auto again = only(r2.drain(s2, 0), k::request);
    ASSERT_GE(again.size(), 1u);
    EXPECT_EQ(again[0].index, 0u);
}

/// Two sessions of one downloader: a takes every block, then b asks again
/// for blocks a is fetching (end-game); `dup` is b's first request.
struct end_game : peer_fixture {
    std::unique_ptr<local_peer> p;
    std::unique_ptr<peer_session> a, b;
    remote_view ra{t}, rb{t};
    std::vector<msg> out_a;
    msg dup;
    void SetUp() override {
        local_peer_options o;
        o.upload = false;
        o.pipeline = 64;
        p = make_peer(false, o);
        a = std::make_unique<peer_session>(*p, opts(true), 0);
        b = std::make_unique<peer_session>(*p, opts(true), 0);
        ra.drain(*a, 0);
        rb.drain(*b, 0);
        feed(*a, seed_greeting(), 0);
        out_a = ra.drain(*a, 0);
        ASSERT_EQ(count(out_a, k::request), 32u) << "a takes every block";
        feed(*b, seed_greeting(), 0);
        const auto out_b = only(rb.drain(*b, 0), k::request);
        ASSERT_GE(out_b.size(), 1u) << "end-game: b asks for blocks a is fetching";
        dup = out_b[0];
    }
    /// a answers every other request it had: the torrent completes and verifies.
    void finish_from_a() {
        std::vector<msg> rest;
        for (const msg& m : only(out_a, k::request))
            if (!(m.index == dup.index && m.begin == dup.begin)) rest.push_back(m);
        feed(*a, answers(t, seed, rest), 0);
        io.settle();
        EXPECT_TRUE(p->complete());
        EXPECT_TRUE(io.all_written_correctly());
    }
};

TEST_F(end_game, AFasterCopyOvertakesATricklingClaimantAndTheCopiesNeverMix) {
    // a sends the header and half the block, then stalls (it claimed the
    // block: its bytes go to the piece buffer); b sends a whole copy, which
    // races in a spare buffer, finishes first and becomes the block; a's
    // second half, wrong on purpose, then arrives and must be dropped.
    const bytes good = piece_msg(t, seed, dup.index, dup.begin);
    bytes bad_tail = good;
    for (std::size_t i = piece_header_size; i < bad_tail.size(); ++i) bad_tail[i] = std::byte{0xee};
    feed(*a, bytes(good.begin(), good.begin() + piece_header_size + 8192), 0);
    feed(*b, good, 0);
    EXPECT_EQ(b->stats().blocks_in, 1u) << "the faster copy is the block";
    feed(*a, bytes(bad_tail.begin() + piece_header_size + 8192, bad_tail.end()), 0);
    EXPECT_EQ(a->stats().blocks_in, 0u) << "the overtaken copy is not counted";
    EXPECT_TRUE(a->active());
    finish_from_a();
    for (const auto& [piece, passed] : io.pieces) EXPECT_TRUE(passed) << "piece " << piece;
}

TEST_F(end_game, TheClaimantsCopyWinsWhenItFinishesFirst) {
    // b's copy starts second and is wrong: a finishes first, so b's spare
    // buffer is thrown away and the piece verifies.
    const bytes good = piece_msg(t, seed, dup.index, dup.begin);
    bytes bad = good;
    for (std::size_t i = piece_header_size; i < bad.size(); ++i) bad[i] = std::byte{0xee};
    feed(*a, bytes(good.begin(), good.begin() + piece_header_size + 100), 0);
    feed(*b, bytes(bad.begin(), bad.begin() + piece_header_size + 100), 0);
    feed(*a, bytes(good.begin() + piece_header_size + 100, good.end()), 0);
    feed(*b, bytes(bad.begin() + piece_header_size + 100, bad.end()), 0);
    EXPECT_EQ(a->stats().blocks_in, 1u);
    EXPECT_EQ(b->stats().blocks_in, 0u);
    finish_from_a();
}

TEST_F(end_game, TheOtherRequesterIsSentACancel) {
    feed(*a, piece_msg(t, seed, dup.index, dup.begin), 0);
    auto after = rb.drain(*b, 0);
    ASSERT_EQ(count(after, k::cancel), 1u);
    EXPECT_EQ(after[0].index, dup.index);
    EXPECT_EQ(after[0].begin, dup.begin);
}

TEST_F(peer_fixture, PiecesInMemoryAreBoundedPerPeerNotPerConnection) {
    local_peer_options o;
    o.upload = false;
    o.max_assembling = 2;
    o.pipeline = 16;
    auto p = make_peer(false, o);
    std::vector<std::unique_ptr<peer_session>> ss;
    std::vector<std::unique_ptr<remote_view>> rs;
    std::vector<std::vector<msg>> outs;
    for (int i = 0; i < 6; ++i) {
        ss.push_back(std::make_unique<peer_session>(*p, opts(true), 0));
        rs.push_back(std::make_unique<remote_view>(t));
        rs.back()->drain(*ss.back(), 0);
        feed(*ss.back(), seed_greeting(), 0);
        outs.push_back(rs.back()->drain(*ss.back(), 0));
    }
    std::size_t requested = 0;
    for (auto& out : outs) requested += count(out, k::request);
    EXPECT_EQ(requested, 8u) << "two pieces of four blocks under way, shared by six connections";
    for (int round = 0; round < 50 && !p->complete(); ++round) {
        for (std::size_t i = 0; i < ss.size(); ++i) {
            feed(*ss[i], answers(t, seed, outs[i]), 0, 5000);
            EXPECT_LE(p->buffers_allocated(), 2u);
        }
        io.settle();
        for (std::size_t i = 0; i < ss.size(); ++i) outs[i] = rs[i]->drain(*ss[i], 0);
    }
    EXPECT_TRUE(p->complete());
    EXPECT_TRUE(io.all_written_correctly());
    EXPECT_LE(p->buffers_allocated(), 2u);
}

TEST_F(peer_fixture, AStoppedPeerAsksForNothingWhenAConnectionGivesBlocksBack) {
    // One piece in memory at once: a holds it, b waits. A closed connection
    // hands its blocks to the others; once the run is ending
    // (stop_requesting) nobody asks again: thousands of closes would each
    // re-pick on every other connection.
    for (const bool stopping : {false, true}) {
        local_peer_options o;
        o.upload = false;
        o.max_assembling = 1;
        o.pipeline = 16;
        auto p = make_peer(false, o);
        auto a = std::make_unique<peer_session>(*p, opts(true), 0);
        auto b = std::make_unique<peer_session>(*p, opts(true), 0);
        remote_view ra{t}, rb{t};
        ra.drain(*a, 0);
        rb.drain(*b, 0);
        feed(*a, seed_greeting(), 0);
        EXPECT_EQ(count(ra.drain(*a, 0), k::request), 4u) << "a takes the one piece allowed";
        feed(*b, seed_greeting(), 0);
        EXPECT_EQ(count(rb.drain(*b, 0), k::request), 0u) << "b waits for room";
        if (stopping) p->stop_requesting();
        a->close("run ended");
        EXPECT_EQ(count(rb.drain(*b, 0), k::request), stopping ? 0u : 4u) << (stopping ? "stopped" : "running");
    }
}

TEST_F(peer_fixture, DiscardingPeerCountsBlocksWithoutBuffersOrWrites) {
    local_peer_options o;
    o.upload = false;
    o.keep_blocks = false;
    o.pipeline = 64;
    auto p = make_peer(false, o);
    peer_session s(*p, opts(true), 0);
    remote_view r(t);
    r.drain(s, 0);
    feed(s, seed_greeting(), 0);
    auto out = r.drain(s, 0);
    ASSERT_EQ(count(out, k::request), 32u);
    feed(s, answers(t, seed, out), 0, 3001);
    io.settle();
    EXPECT_TRUE(p->complete());
    EXPECT_EQ(p->buffers_allocated(), 0u);
    EXPECT_TRUE(io.written.empty());
    EXPECT_EQ(count(r.drain(s, 0), k::have), 8u);
}

TEST_F(download, TimedRunsDownloadAgainOverTheSameSession) {
    feed(*s, seed_greeting(), 0);
    auto out = r.drain(*s, 0);
    for (int round = 0; round < 100 && !p->complete(); ++round) {
        answer(out, 4096);
        io.settle();
        out = r.drain(*s, 0);
    }
    ASSERT_TRUE(p->complete());
    p->restart(99);
    EXPECT_FALSE(p->complete());
    out = r.drain(*s, 0);
    EXPECT_EQ(count(out, k::interested), 1u);
    EXPECT_EQ(count(out, k::request), 4u);
}

TEST_F(download, WriteFailureStopsRequests) {
    feed(*s, seed_greeting(), 0);
    auto out = r.drain(*s, 0);
    answer(out, 1 << 20);
    out = r.drain(*s, 0);  // asked for more before the writes failed
    io.settle(/*writes_ok=*/false);
    EXPECT_TRUE(p->failed());
    answer(out, 1 << 20);
    EXPECT_FALSE(p->complete());
    EXPECT_EQ(count(r.drain(*s, 0), k::request), 0u) << "a peer whose writes fail asks for nothing more";
}

// ---- uploading ----

struct upload : peer_fixture {
    std::unique_ptr<local_peer> p;
    std::unique_ptr<peer_session> s;
    remote_view r{t};
    void start(bool fast, local_peer_options o = {}) {
        p = make_peer(true, o);
        s = std::make_unique<peer_session>(*p, opts(false), 0);
        feed(*s, hs_bytes(t, fast, true), 0);
        r.drain(*s, 0);
    }
};

TEST_F(upload, RequestsAreServedWithTheRightBytesInRequestOrder) {
    start(true);
    feed(*s, cat({simple(msg_id::interested), request(3, 0), request(1, 16384), request(7, 49152)}), 0, 5);
    auto out = r.drain(*s, 0);
    ASSERT_EQ(out.size(), 3u);
    const std::uint32_t want[3][2] = {{3, 0}, {1, 16384}, {7, 49152}};
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(out[i].kind, k::piece);
        EXPECT_EQ(out[i].index, want[i][0]);
        EXPECT_EQ(out[i].begin, want[i][1]);
        EXPECT_TRUE(synthetic_matches(seed, t.geometry().piece_offset(out[i].index) + out[i].begin, out[i].data));
    }
    EXPECT_EQ(s->stats().blocks_out, 3u);
    EXPECT_EQ(s->stats().requests_received, 3u);
}

TEST_F(upload, OutputGoesOutInWholeMessagesWhateverTheBufferSize) {
    start(true);
    feed(*s, cat({request(0, 0), request(0, 16384), request(0, 32768)}), 0);
    auto out = r.drain(*s, 0, 20000);  // one block message per buffer
    EXPECT_EQ(count(out, k::piece), 3u);
    EXPECT_EQ(r.error, "");
}

TEST_F(upload, CancelBeforeServingIsAnsweredWithRejectUnderFast) {
    start(true);
    feed(*s, cat({request(2, 0), cancel(2, 0)}), 0);
    auto out = r.drain(*s, 0);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].kind, k::reject);
    EXPECT_EQ(out[0].index, 2u);
}

TEST_F(upload, RequestFloodIsRejectedWithFastAndDropsThePeerWithout) {
    local_peer_options o;
    o.max_queued_requests = 4;
    o.serve_window = 17000;  // one block committed at a time: the rest queue
    o.seed = true;
    start(true, o);
    bytes flood;
    for (std::uint32_t i = 0; i < 8; ++i) {
        bytes q = request(i, 0);
        flood.insert(flood.end(), q.begin(), q.end());
    }
    feed(*s, flood, 0);
    EXPECT_TRUE(s->active());
    auto out = r.drain(*s, 0, 17000);
    EXPECT_GE(count(out, k::reject), 3u);

    peer_session other(*p, opts(false), 0);
    feed(other, hs_bytes(t, false, true), 0);
    feed(other, flood, 0);
    ASSERT_TRUE(other.closed());
    EXPECT_TRUE(other.protocol_error());
    EXPECT_EQ(other.close_reason(), "dropped: protocol error: more than 4 requests queued (we accept 2048)");
}

TEST_F(upload, ChokedRemotesAreRejectedWithFastAndIgnoredWithout) {
    local_peer_options o;
    o.upload = false;
    auto leecher = make_peer(false, o);
    peer_session a(*leecher, opts(false), 0), b(*leecher, opts(false), 0);
    remote_view ra(t), rb(t);
    feed(a, cat({hs_bytes(t, true, false), request(0, 0)}), 0);
    feed(b, cat({hs_bytes(t, false, false), request(0, 0)}), 0);
    auto out_a = ra.drain(a, 0), out_b = rb.drain(b, 0);
    EXPECT_EQ(count(out_a, k::reject), 1u);
    EXPECT_EQ(count(out_b, k::reject), 0u);
    EXPECT_EQ(count(out_b, k::piece), 0u);
}

TEST_F(peer_fixture, RequestsForPiecesWeLackAreRejected) {
    auto p = make_peer(false);  // uploads, unchokes, has nothing
    peer_session s(*p, opts(false), 0);
    remote_view r(t);
    feed(s, cat({hs_bytes(t, true, false), request(4, 0)}), 0);
    auto out = r.drain(s, 0);
    EXPECT_EQ(count(out, k::reject), 1u);
    EXPECT_EQ(count(out, k::piece), 0u);
}

TEST_F(upload, ServingWithReadsWaitsForEachReadAndKeepsRequestOrder) {
    local_peer_options o;
    o.serve_reads = true;
    o.max_reads = 2;
    start(true, o);
    feed(*s, cat({request(0, 0), request(1, 0), request(2, 0)}), 0);
    ASSERT_EQ(io.reads.size(), 2u) << "max_reads in flight";
    EXPECT_EQ(r.drain(*s, 0).size(), 0u);
    // Answer the second read first: nothing may go out before the first.
    std::swap(io.read_from[0], io.read_from[1]);
    std::swap(io.reads[0], io.reads[1]);
    io.answer_read();
    EXPECT_EQ(r.drain(*s, 0).size(), 0u);
    io.answer_read();
    auto out = r.drain(*s, 0);
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].index, 0u);
    EXPECT_EQ(out[1].index, 1u);
    ASSERT_EQ(io.reads.size(), 1u) << "the third read starts once the first two are out";
    io.answer_read();
    EXPECT_EQ(r.drain(*s, 0).size(), 1u);
    EXPECT_EQ(io.lent, 0u);
    EXPECT_EQ(io.bad_releases, 0);
}

TEST_F(upload, BlocksLentByReadsAreReleasedOnCancelChokeAndClose) {
    local_peer_options o;
    o.serve_reads = true;
    start(true, o);
    feed(*s, cat({request(0, 0), request(1, 0), request(2, 0)}), 0);
    io.answer_read();
    feed(*s, cancel(0, 0), 0);
    EXPECT_EQ(io.lent, 0u);
    io.answer_read();
    s->close("run ended");
    EXPECT_EQ(io.lent, 0u);
    io.answer_read();  // a read finishing after the close
    EXPECT_EQ(io.lent, 0u);
    EXPECT_EQ(io.bad_releases, 0);
}

TEST_F(upload, RateLimitServesOnlyWhatTokensAllow) {
    start(true);
    s->set_rate(100 * 1024);  // 100 KiB/s: bucket holds ~one block message
    bytes reqs;
    for (std::uint32_t i = 0; i < 8; ++i) {
        bytes q = request(i, 0);
        reqs.insert(reqs.end(), q.begin(), q.end());
    }
    feed(*s, reqs, 0);
    EXPECT_EQ(count(r.drain(*s, 0), k::piece), 1u) << "the first block's tokens only";
    p->tick(s1 / 2);  // half a second: ~3 blocks of tokens, capped at 100 ms of rate
    EXPECT_EQ(count(r.drain(*s, 0), k::piece), 1u);
    s->set_rate(0);
    p->tick(s1);
    EXPECT_EQ(count(r.drain(*s, 0), k::piece), 6u) << "unlimited: the rest at once";
}

TEST_F(upload, StallFaultServesNothingUntilItEnds) {
    start(true);
    s->stall_until(5 * s1);
    feed(*s, request(0, 0), s1);
    EXPECT_EQ(r.drain(*s, s1).size(), 0u);
    p->tick(6 * s1);
    EXPECT_EQ(count(r.drain(*s, 6 * s1), k::piece), 1u);
}

TEST_F(upload, ChokingRejectsWhatWasQueued) {
    local_peer_options o;
    o.serve_window = 17000;
    start(true, o);
    feed(*s, cat({request(0, 0), request(1, 0), request(2, 0)}), 0);
    s->set_choked(true);
    auto out = r.drain(*s, 0);
    EXPECT_EQ(count(out, k::choke), 1u);
    EXPECT_EQ(count(out, k::reject), 3u);
    EXPECT_EQ(count(out, k::piece), 0u);
}

// ---- bends, protocol errors, timers ----

TEST_F(peer_fixture, BendsRealClientsMakeAreAcceptedAndNoted) {
    local_peer_options o;
    o.upload = false;
    auto p = make_peer(false, o);
    peer_session s(*p, opts(true), 0);
    remote_view r(t);
    r.drain(s, 0);
    bitfield some(8);
    some.set(1);
    bytes unknown = {std::byte{0}, std::byte{0}, std::byte{0}, std::byte{3}, std::byte{42}, std::byte{1}, std::byte{2}};
    bytes ext_unknown = {std::byte{0}, std::byte{0}, std::byte{0}, std::byte{3}, std::byte{20}, std::byte{9}, std::byte{0}};
    feed(s, cat({hs_bytes(t, true, true), bits(some), simple(msg_id::unchoke), unknown, ext_unknown,
                 simple(msg_id::have_all)}),
         0, 3);
    ASSERT_TRUE(s.active()) << s.close_reason();
    EXPECT_TRUE(s.remote_seed()) << "a late have all replaces the piece set";
    ASSERT_EQ(s.notes().size(), 3u);
    EXPECT_EQ(io.notes, (std::vector<std::string>{bend_unknown_message, "unknown extension message", bend_late_have_all}));
    EXPECT_EQ(count(r.drain(s, 0), k::request), 16u);
}

TEST_F(peer_fixture, ProtocolErrorsDropThePeerWithTheReason) {
    auto p = make_peer(true);
    struct case_t {
        bytes input;
        std::string reason_part;
    };
    handshake other;
    other.info_hash.fill(9);
    bytes wrong_hash(handshake_size);
    encode_handshake(wrong_hash, other);
    std::vector<case_t> cases = {
        {wrong_hash, "info"},
        {cat({hs_bytes(t, true, false), have(8)}), "have: piece index 8 out of range"},
        {cat({hs_bytes(t, false, false), simple(msg_id::have_all)}), "have"},  // fast not negotiated
        {cat({hs_bytes(t, true, false), request(0, 60000, 16384)}), "runs past the end"},
    };
    for (const auto& c : cases) {
        peer_session s(*p, opts(false), 0);
        feed(s, c.input, 0);
        ASSERT_TRUE(s.closed()) << c.reason_part;
        EXPECT_TRUE(s.protocol_error());
        EXPECT_NE(s.close_reason().find("dropped: protocol error: "), std::string::npos) << s.close_reason();
        EXPECT_NE(s.close_reason().find(c.reason_part), std::string::npos) << s.close_reason();
    }
    EXPECT_EQ(io.closed_sessions.size(), cases.size()) << "closed is reported once per session";
}

TEST_F(peer_fixture, HandshakeTimeoutAndKeepAlives) {
    auto p = make_peer(true);
    peer_session silent(*p, opts(false), 0);
    peer_session talker(*p, opts(false), 0);
    feed(talker, hs_bytes(t, true, false), 0);
    remote_view r(t);
    r.drain(talker, 0);
    p->tick(9 * s1);
    EXPECT_FALSE(silent.closed());
    p->tick(11 * s1);
    ASSERT_TRUE(silent.closed());
    EXPECT_EQ(silent.close_reason(), "dropped: no handshake within 10 s");
    EXPECT_EQ(r.drain(talker, 11 * s1).size(), 0u);
    p->tick(61 * s1);
    auto out = r.drain(talker, 61 * s1);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].kind, k::keep_alive);
}

TEST_F(peer_fixture, KeepAlivePortAndSuggestAreAcceptedAndChangeNothing) {
    auto p = make_peer(true);
    peer_session s(*p, opts(false), 0);
    remote_view r(t);
    feed(s, hs_bytes(t, true, false), 0);
    r.drain(s, 0);
    bytes port(7), suggest(9), keep_alive(4);
    encode_port(port, 6881);
    encode_suggest(suggest, 3);
    encode_keep_alive(keep_alive);
    feed(s, cat({keep_alive, port, suggest, keep_alive}), 0, 2);
    EXPECT_TRUE(s.active());
    EXPECT_TRUE(s.notes().empty()) << "all three are the letter of BEP 3 / 5 / 6";
    EXPECT_TRUE(r.drain(s, 0).empty()) << "nothing to answer";
}

TEST_F(peer_fixture, ExtendedHandshakeFieldsAreKept) {
    auto p = make_peer(true);
    peer_session s(*p, opts(false), 0);
    feed(s, cat({hs_bytes(t, true, true), ext_hs(500, "libtorrent/2.0.8", 6881)}), 0);
    EXPECT_EQ(s.remote_reqq(), 500u);
    EXPECT_EQ(s.remote_client(), "libtorrent/2.0.8");
    EXPECT_EQ(s.remote_listen_port(), 6881);
}

TEST_F(peer_fixture, CloseWhenSentWaitsForTheSend) {
    auto p = make_peer(true);
    peer_session s(*p, opts(false), 0);
    feed(s, hs_bytes(t, true, false), 0);
    s.close_when_sent("done");
    EXPECT_FALSE(s.closed()) << "the handshake and have all are still to go";
    bytes buf(4096);
    ASSERT_GT(s.write_output(buf, 0), 0u);
    EXPECT_FALSE(s.closed()) << "written, not yet sent";
    s.output_sent(0);
    ASSERT_TRUE(s.closed());
    EXPECT_EQ(s.close_reason(), "done");
}

TEST_F(peer_fixture, ChokingPeerUnchokesInterestedPeersUpToItsSlots) {
    local_peer_options o;
    o.choking = true;
    o.choke.slots = 2;
    auto p = make_peer(true, o);
    std::vector<std::unique_ptr<peer_session>> ss;
    for (int i = 0; i < 4; ++i) {
        ss.push_back(std::make_unique<peer_session>(*p, opts(false), 0));
        feed(*ss.back(), cat({hs_bytes(t, true, false), simple(msg_id::interested)}), 0);
    }
    EXPECT_FALSE(ss[0]->am_choking());
    EXPECT_FALSE(ss[1]->am_choking());
    EXPECT_TRUE(ss[2]->am_choking());
    p->tick(s1);  // the first round: one regular slot, one optimistic
    std::size_t unchoked = 0;
    for (auto& s : ss) unchoked += s->am_choking() ? 0 : 1;
    EXPECT_EQ(unchoked, 2u);
}

// ---- the choker on its own clock ----

TEST(Choker, RegularSlotsGoToTheBestUploadersAndOneOptimisticRotates) {
    choker_options o;
    o.slots = 3;
    o.rechoke_interval_ns = 10 * s1;
    o.optimistic_interval_ns = 30 * s1;
    choker c(o);
    std::vector<choke_candidate> v;
    for (std::uint32_t i = 1; i <= 6; ++i) v.push_back({i, i != 6, false, 0, i * 1000});  // 6 not interested
    auto r = c.tick(0, v, false);
    EXPECT_TRUE(r.rechoked && r.rotated);
    const std::uint32_t opt = c.optimistic();
    ASSERT_NE(opt, 0u);
    EXPECT_NE(opt, 6u);
    std::size_t unchoked = 0;
    for (const auto& x : v) unchoked += x.unchoked;
    EXPECT_EQ(unchoked, 3u);
    // The two regular slots: the two best downloads apart from the optimistic one.
    std::vector<std::uint32_t> regular;
    for (std::uint32_t id = 5; id >= 1 && regular.size() < 2; --id)
        if (id != opt) regular.push_back(id);
    for (std::uint32_t id : regular) EXPECT_TRUE(v[id - 1].unchoked) << id;
    EXPECT_FALSE(v[5].unchoked) << "not interested: left alone";
    // Nothing is due before the intervals.
    EXPECT_FALSE(c.tick(5 * s1, v, false).rechoked);
    EXPECT_EQ(c.next_due(), 10 * s1);
    // Peer 1 now gives most: it takes a regular slot at the next rechoke.
    v[0].downloaded = 1'000'000;
    r = c.tick(10 * s1, v, false);
    EXPECT_TRUE(r.rechoked);
    EXPECT_FALSE(r.rotated);
    EXPECT_TRUE(v[0].unchoked);
    EXPECT_TRUE(c.tick(30 * s1, v, false).rotated);
}

TEST(Choker, SeedsRankByWhatTheyUploaded) {
    choker_options o;
    o.slots = 2;
    choker c(o);
    std::vector<choke_candidate> v = {{1, true, false, 100, 0}, {2, true, false, 900, 0}, {3, true, false, 500, 0}};
    c.tick(0, v, true);
    const std::uint32_t opt = c.optimistic();
    const std::uint32_t best = opt == 2 ? 3 : 2;
    EXPECT_TRUE(v[best - 1].unchoked);
}

}  // namespace
}  // namespace swarmbench::bt
