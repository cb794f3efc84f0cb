// piece_picker: rarest-first, orders, partial pieces, end-game, peer loss,
// hash failure, and a larger simulated download.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <vector>

#include "swarmbench/bt/piece_picker.hpp"

namespace bt = swarmbench::bt;

namespace {

constexpr std::uint32_t kb16 = 16384;

bt::bitfield bits_of(std::uint32_t n, std::initializer_list<std::uint32_t> set) {
    bt::bitfield b(n);
    for (auto i : set) b.set(i);
    return b;
}

bt::bitfield range_bits(std::uint32_t n, std::uint32_t first, std::uint32_t last) {
    bt::bitfield b(n);
    for (auto i = first; i < last; ++i) b.set(i);
    return b;
}

std::vector<std::uint32_t> pick_pieces(bt::piece_picker& p, bt::peer_handle peer, const bt::bitfield& has,
                                       std::size_t n) {
    std::vector<bt::block_ref> out;
    p.pick(peer, has, n, out);
    std::vector<std::uint32_t> pieces;
    for (auto b : out) pieces.push_back(b.piece);
    return pieces;
}

}  // namespace

TEST(PiecePicker, RarestFirst) {
    // One block per piece so each pick is one piece.
    bt::piece_picker p(bt::piece_geometry(8 * kb16, kb16));
    const auto all = bt::bitfield(8, true);
    p.add_peer_bitfield(all);                      // A: everything
    p.add_peer_bitfield(range_bits(8, 0, 6));      // B: 0-5
    p.add_peer_bitfield(range_bits(8, 0, 4));      // C: 0-3
    EXPECT_EQ(p.availability(0), 3u);
    EXPECT_EQ(p.availability(5), 2u);
    EXPECT_EQ(p.availability(7), 1u);
    const auto first = pick_pieces(p, 1, all, 2);
    EXPECT_EQ(std::set<std::uint32_t>(first.begin(), first.end()), (std::set<std::uint32_t>{6, 7}));
    const auto second = pick_pieces(p, 1, all, 2);
    EXPECT_EQ(std::set<std::uint32_t>(second.begin(), second.end()), (std::set<std::uint32_t>{4, 5}));
    const auto rest = pick_pieces(p, 1, all, 10);
    EXPECT_EQ(std::set<std::uint32_t>(rest.begin(), rest.end()), (std::set<std::uint32_t>{0, 1, 2, 3}));
    EXPECT_TRUE(pick_pieces(p, 2, all, 1).empty() || p.in_end_game());
}

TEST(PiecePicker, AvailabilityChangesReorder) {
    bt::piece_picker p(bt::piece_geometry(4 * kb16, kb16));
    p.add_peer_bitfield(bt::bitfield(4, true));
    p.add_peer_bitfield(bt::bitfield(4, true));
    p.remove_have(2);                    // piece 2 now rarest
    EXPECT_EQ(pick_pieces(p, 0, bt::bitfield(4, true), 1), std::vector<std::uint32_t>{2});
    p.add_have(2);
    p.add_have(2);
    p.remove_peer_bitfield(bits_of(4, {1}));  // piece 1 now rarest
    EXPECT_EQ(pick_pieces(p, 0, bt::bitfield(4, true), 1), std::vector<std::uint32_t>{1});
}

TEST(PiecePicker, RandomTieBreakIsSeeded) {
    auto order = [](std::uint64_t seed) {
        bt::picker_options o;
        o.seed = seed;
        bt::piece_picker p(bt::piece_geometry(64 * kb16, kb16), o);
        p.add_peer_bitfield(bt::bitfield(64, true));
        return pick_pieces(p, 0, bt::bitfield(64, true), 64);
    };
    EXPECT_EQ(order(1), order(1));
    EXPECT_NE(order(1), order(2));
    auto o = order(3);
    std::vector<std::uint32_t> sorted = o;
    std::sort(sorted.begin(), sorted.end());
    EXPECT_NE(o, sorted);  // not index order
    EXPECT_EQ(std::set<std::uint32_t>(o.begin(), o.end()).size(), 64u);
}

TEST(PiecePicker, SeedsAndPeerBitfields) {
    bt::piece_picker p(bt::piece_geometry(4 * kb16, kb16));
    p.add_seed();
    p.add_peer_bitfield(bits_of(4, {0, 1}));
    EXPECT_EQ(p.availability(3), 1u);
    EXPECT_EQ(p.availability(0), 2u);
    // The partial peer only gets what it has; the seed gets the rarest.
    EXPECT_EQ(pick_pieces(p, 7, bits_of(4, {0, 1}), 1).at(0) <= 1, true);
    const auto seed_pick = pick_pieces(p, 8, bt::bitfield(4, true), 2);
    EXPECT_EQ(std::set<std::uint32_t>(seed_pick.begin(), seed_pick.end()), (std::set<std::uint32_t>{2, 3}));
    EXPECT_TRUE(p.is_interesting(bits_of(4, {1})));
}

TEST(PiecePicker, PartialPiecesAreFinishedFirst) {
    bt::piece_picker p(bt::piece_geometry(4 * 4 * kb16, 4 * kb16));  // 4 pieces x 4 blocks
    const auto all = bt::bitfield(4, true);
    p.add_peer_bitfield(all);
    p.add_peer_bitfield(all);
    std::vector<bt::block_ref> a, b;
    p.pick(1, all, 2, a);
    ASSERT_EQ(a.size(), 2u);
    EXPECT_EQ(a[0].piece, a[1].piece);
    p.pick(2, all, 3, b);
    ASSERT_EQ(b.size(), 3u);
    EXPECT_EQ(b[0].piece, a[0].piece);  // the two open blocks of A's piece
    EXPECT_EQ(b[1].piece, a[0].piece);
    EXPECT_NE(b[2].piece, a[0].piece);  // then a new piece
    EXPECT_TRUE(p.is_requested_by(1, a[0]));
    EXPECT_FALSE(p.is_requested_by(2, a[0]));
    EXPECT_EQ(p.downloading_count(), 2u);
    EXPECT_EQ(p.block_length(a[0]), kb16);
    EXPECT_EQ(p.block_offset(bt::block_ref{0, 3}), 3 * kb16);
}

TEST(PiecePicker, ShortLastPieceAndBlock) {
    bt::piece_picker p(bt::piece_geometry(2 * 32768 + 20000, 32768));  // last piece 20000 = 16384 + 3616
    const auto all = bt::bitfield(3, true);
    p.add_seed();
    EXPECT_EQ(p.blocks_in_piece(2), 2u);
    EXPECT_EQ(p.block_length(bt::block_ref{2, 1}), 3616u);
    std::vector<bt::block_ref> out;
    EXPECT_EQ(p.pick(0, all, 100, out), 6u);
}

TEST(PiecePicker, SequentialAndRandomOrders) {
    bt::picker_options o;
    o.order = bt::pick_order::sequential;
    bt::piece_picker seq(bt::piece_geometry(10 * kb16, kb16), o);
    seq.add_seed();
    const auto all = bt::bitfield(10, true);
    EXPECT_EQ(pick_pieces(seq, 0, all, 4), (std::vector<std::uint32_t>{0, 1, 2, 3}));
    EXPECT_EQ(pick_pieces(seq, 0, bits_of(10, {1, 7, 8}), 4), (std::vector<std::uint32_t>{7, 8}));
    seq.abort_request(0, bt::block_ref{2, 0});  // piece 2 returns: next pick starts there
    EXPECT_EQ(pick_pieces(seq, 1, all, 2), (std::vector<std::uint32_t>{2, 4}));

    o.order = bt::pick_order::random;
    bt::piece_picker rnd(bt::piece_geometry(10 * kb16, kb16), o);
    rnd.add_peer_bitfield(bits_of(10, {0, 1}));  // availability is ignored in random order
    const auto r = pick_pieces(rnd, 0, all, 10);
    EXPECT_EQ(std::set<std::uint32_t>(r.begin(), r.end()).size(), 10u);
}

TEST(PiecePicker, CustomOrderStartsTheListedPiecesFirstThenTheRestByIndex) {
    bt::picker_options o;
    o.order = bt::pick_order::custom;
    o.priority = {7, 2, 9, 2, 42};  // the repeat and the index out of range are ignored
    o.end_game = false;             // so the last pick shows only new pieces
    bt::piece_picker p(bt::piece_geometry(10 * kb16, kb16), o);  // one block per piece
    p.add_seed();
    const auto all = bt::bitfield(10, true);
    EXPECT_EQ(pick_pieces(p, 0, all, 2), (std::vector<std::uint32_t>{7, 2}));
    // A peer without the next listed piece (9) gets the rest by index meanwhile.
    EXPECT_EQ(pick_pieces(p, 1, bits_of(10, {0, 1, 3}), 3), (std::vector<std::uint32_t>{0, 1, 3}));
    EXPECT_EQ(pick_pieces(p, 0, all, 1), std::vector<std::uint32_t>{9});
    // A listed piece that goes back to the pool comes first again.
    p.abort_request(0, bt::block_ref{2, 0});
    EXPECT_EQ(pick_pieces(p, 0, all, 2), (std::vector<std::uint32_t>{2, 4}));
    // So does one that fails its hash.
    std::vector<bt::peer_handle> cancel;
    ASSERT_EQ(p.mark_received(0, bt::block_ref{7, 0}, cancel), bt::block_result::piece_complete);
    p.piece_failed(7);
    EXPECT_EQ(pick_pieces(p, 1, all, 2), (std::vector<std::uint32_t>{7, 5}));
    EXPECT_EQ(pick_pieces(p, 1, all, 10), (std::vector<std::uint32_t>{6, 8}));
}

TEST(PiecePicker, CustomOrderDownloadsEveryPieceOnceAndVerifiesTheListedOnesFirst) {
    // Serve one block at a time, in request order, and record the order in
    // which pieces complete: the listed pieces come first, in their order.
    bt::picker_options o;
    o.order = bt::pick_order::custom;
    o.priority = {11, 3, 0, 8};
    o.end_game = false;
    bt::piece_picker p(bt::piece_geometry(12 * 2 * kb16, 2 * kb16), o);  // 12 pieces x 2 blocks
    p.add_seed();
    const auto all = bt::bitfield(12, true);
    std::vector<std::uint32_t> completed;
    std::vector<bt::peer_handle> cancel;
    for (int guard = 0; guard < 100 && !p.complete(); ++guard) {
        std::vector<bt::block_ref> out;
        ASSERT_EQ(p.pick(0, all, 1, out), 1u);
        if (p.mark_received(0, out[0], cancel) == bt::block_result::piece_complete) {
            p.piece_passed(out[0].piece);
            completed.push_back(out[0].piece);
        }
    }
    ASSERT_TRUE(p.complete());
    EXPECT_EQ(completed, (std::vector<std::uint32_t>{11, 3, 0, 8, 1, 2, 4, 5, 6, 7, 9, 10}));
}

TEST(PiecePicker, CustomOrderWithoutAListIsSequential) {
    bt::picker_options o;
    o.order = bt::pick_order::custom;
    bt::piece_picker p(bt::piece_geometry(5 * kb16, kb16), o);
    p.add_seed();
    EXPECT_EQ(pick_pieces(p, 0, bt::bitfield(5, true), 5), (std::vector<std::uint32_t>{0, 1, 2, 3, 4}));
}

TEST(PiecePicker, EndGameDuplicatesAndCancels) {
    bt::piece_picker p(bt::piece_geometry(2 * 2 * kb16, 2 * kb16));  // 2 pieces x 2 blocks
    const auto all = bt::bitfield(2, true);
    p.add_peer_bitfield(all);
    p.add_peer_bitfield(all);
    std::vector<bt::block_ref> a, b;
    EXPECT_FALSE(p.in_end_game());
    EXPECT_EQ(p.pick(1, all, 10, a), 4u);
    EXPECT_TRUE(p.in_end_game());
    EXPECT_EQ(p.pick(1, all, 10, a), 4u - 4u);   // never the same block twice to one peer
    EXPECT_EQ(p.pick(2, all, 10, b), 4u);        // duplicates for peer 2
    std::vector<bt::block_ref> c;
    EXPECT_EQ(p.pick(3, all, 10, c), 0u);        // max_requests_per_block = 2

    std::vector<bt::peer_handle> cancel;
    EXPECT_EQ(p.mark_received(2, b[0], cancel), bt::block_result::accepted);
    EXPECT_EQ(cancel, std::vector<bt::peer_handle>{1});  // tell peer 1 to cancel
    EXPECT_EQ(p.mark_received(1, b[0], cancel), bt::block_result::duplicate);
    EXPECT_TRUE(cancel.empty());
    const bt::block_ref other{b[0].piece, 1 - b[0].block};
    EXPECT_EQ(p.mark_received(1, other, cancel), bt::block_result::piece_complete);
    EXPECT_EQ(cancel, std::vector<bt::peer_handle>{2});
    p.piece_passed(b[0].piece);
    EXPECT_TRUE(p.have(b[0].piece));
    EXPECT_EQ(p.mark_received(1, other, cancel), bt::block_result::duplicate);
    EXPECT_EQ(p.have_count(), 1u);
    EXPECT_TRUE(p.have_bitfield().get(b[0].piece));
}

TEST(PiecePicker, EndGameRoomCountsBlocksThatMayTakeOneMoreRequester) {
    // 2 pieces x 2 blocks, at most 2 requesters a block: the room is what an
    // end-game pick can still hand out, kept through every way a request ends.
    bt::piece_picker p(bt::piece_geometry(2 * 2 * kb16, 2 * kb16));
    const auto all = bt::bitfield(2, true);
    p.add_seed();
    std::vector<bt::block_ref> a, b, c;
    EXPECT_EQ(p.end_game_room(), 0u);
    ASSERT_EQ(p.pick(1, all, 10, a), 4u);
    EXPECT_EQ(p.end_game_room(), 4u);  // each asked of one peer
    ASSERT_EQ(p.pick(2, all, 3, b), 3u);
    EXPECT_EQ(p.end_game_room(), 1u);
    std::vector<bt::peer_handle> cancel;
    p.mark_received(1, a[3], cancel);  // the one block with room arrives
    EXPECT_EQ(p.end_game_room(), 0u);
    EXPECT_EQ(p.pick(3, all, 10, c), 0u) << "no room: end game gives nothing";
    p.abort_request(2, b[0]);  // a second requester gone: room again
    EXPECT_EQ(p.end_game_room(), 1u);
    EXPECT_EQ(p.pick(3, all, 10, c), 1u);
    EXPECT_EQ(c[0], b[0]) << "the scan resumes where it last found room (the second piece) and wraps";
    EXPECT_EQ(p.end_game_room(), 0u);
    p.abort_peer(1);  // blocks 0..2 lose one requester each, keeping one
    EXPECT_EQ(p.end_game_room(), 3u);
    p.abort_peer(2);
    p.abort_peer(3);  // nothing requested any more
    EXPECT_EQ(p.end_game_room(), 0u);
    EXPECT_FALSE(p.in_end_game());
}

TEST(PiecePicker, LostPeerReturnsItsBlocks) {
    bt::piece_picker p(bt::piece_geometry(4 * 4 * kb16, 4 * kb16));
    const auto all = bt::bitfield(4, true);
    p.add_seed();
    std::vector<bt::block_ref> a;
    p.pick(1, all, 6, a);  // one whole piece and half of another
    ASSERT_EQ(a.size(), 6u);
    std::vector<bt::peer_handle> cancel;
    EXPECT_EQ(p.mark_received(1, a[0], cancel), bt::block_result::accepted);
    EXPECT_EQ(p.abort_peer(1), 5u);
    // The untouched half-piece went back to the pool; the started one keeps
    // its received block and offers the other three.
    EXPECT_EQ(p.downloading_count(), 1u);
    std::vector<bt::block_ref> b;
    p.pick(2, all, 3, b);
    ASSERT_EQ(b.size(), 3u);
    for (auto blk : b) {
        EXPECT_EQ(blk.piece, a[0].piece);
        EXPECT_NE(blk.block, a[0].block);
    }
    EXPECT_EQ(p.abort_peer(1), 0u);
    // Single-block abort (reject / choke): the block is offered again first,
    // as its piece is under way.
    std::vector<bt::block_ref> c;
    p.pick(3, all, 2, c);
    ASSERT_EQ(c.size(), 2u);
    ASSERT_EQ(c[0].piece, c[1].piece);
    p.abort_request(3, c[0]);
    EXPECT_FALSE(p.is_requested_by(3, c[0]));
    EXPECT_TRUE(p.is_requested_by(3, c[1]));
    std::vector<bt::block_ref> d;
    p.pick(4, all, 1, d);
    EXPECT_EQ(d.at(0), c[0]);
    // Aborting every request of an untouched piece returns it to the pool.
    const std::size_t before = p.downloading_count();
    p.abort_request(4, d[0]);
    p.abort_request(3, c[1]);
    EXPECT_EQ(p.downloading_count(), before - 1);
}

TEST(PiecePicker, HashFailureReturnsWholePiece) {
    bt::piece_picker p(bt::piece_geometry(2 * 2 * kb16, 2 * kb16));
    const auto all = bt::bitfield(2, true);
    p.add_seed();
    std::vector<bt::block_ref> a;
    p.pick(1, all, 1, a);
    p.pick(2, all, 1, a);
    ASSERT_EQ(a.size(), 2u);
    ASSERT_EQ(a[0].piece, a[1].piece);
    std::vector<bt::peer_handle> cancel;
    EXPECT_EQ(p.mark_received(1, a[0], cancel), bt::block_result::accepted);
    EXPECT_EQ(p.mark_received(2, a[1], cancel), bt::block_result::piece_complete);
    std::vector<bt::peer_handle> contributors;
    p.piece_failed(a[0].piece, &contributors);
    std::sort(contributors.begin(), contributors.end());
    EXPECT_EQ(contributors, (std::vector<bt::peer_handle>{1, 2}));
    EXPECT_FALSE(p.have(a[0].piece));
    EXPECT_EQ(p.mark_received(1, a[0], cancel), bt::block_result::unexpected);
    // Both blocks are wanted again.
    std::vector<bt::block_ref> again;
    p.pick(3, all, 4, again);
    EXPECT_EQ(again.size(), 4u);
    EXPECT_EQ(std::count_if(again.begin(), again.end(), [&](auto b) { return b.piece == a[0].piece; }), 2);
}

TEST(PiecePicker, DownloadingFollowsThePieceLifeCycle) {
    // needed -> downloading (picked) -> have (passed); back to needed when
    // its only request is aborted or it fails its hash.
    bt::piece_picker p(bt::piece_geometry(3 * 2 * kb16, 2 * kb16));
    const auto all = bt::bitfield(3, true);
    p.add_seed();
    for (std::uint32_t i = 0; i < 3; ++i) EXPECT_FALSE(p.downloading(i));
    EXPECT_FALSE(p.downloading(3));  // out of range
    std::vector<bt::block_ref> a;
    p.pick(1, all, 2, a);
    ASSERT_EQ(a.size(), 2u);
    ASSERT_EQ(a[0].piece, a[1].piece);
    const std::uint32_t piece = a[0].piece;
    EXPECT_TRUE(p.downloading(piece));
    std::vector<bt::peer_handle> cancel;
    EXPECT_EQ(p.mark_received(1, a[0], cancel), bt::block_result::accepted);
    EXPECT_TRUE(p.downloading(piece));
    EXPECT_EQ(p.mark_received(1, a[1], cancel), bt::block_result::piece_complete);
    EXPECT_TRUE(p.downloading(piece));  // awaiting its hash
    p.piece_passed(piece);
    EXPECT_FALSE(p.downloading(piece));
    EXPECT_TRUE(p.have(piece));

    std::vector<bt::block_ref> b;
    p.pick(2, all, 1, b);
    ASSERT_EQ(b.size(), 1u);
    EXPECT_TRUE(p.downloading(b[0].piece));
    p.abort_request(2, b[0]);
    EXPECT_FALSE(p.downloading(b[0].piece));

    std::vector<bt::block_ref> c;
    p.pick(3, all, 2, c);
    ASSERT_EQ(c.size(), 2u);
    EXPECT_EQ(p.mark_received(3, c[0], cancel), bt::block_result::accepted);
    EXPECT_EQ(p.mark_received(3, c[1], cancel), bt::block_result::piece_complete);
    p.piece_failed(c[0].piece);
    EXPECT_FALSE(p.downloading(c[0].piece));
    EXPECT_FALSE(p.have(c[0].piece));
}

TEST(PiecePicker, SimulatedSwarmDownloadsEverything) {
    // 20000 pieces x 4 blocks, 40 peers with random halves plus 2 seeds;
    // random delivery order, occasional peer loss and hash failure.
    const std::uint32_t pieces = 20000;
    bt::piece_picker p(bt::piece_geometry(std::uint64_t{pieces} * 4 * kb16, 4 * kb16));
    std::uint64_t rng = 99;
    auto next = [&rng] {
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        return static_cast<std::uint32_t>(rng >> 33);
    };
    std::vector<bt::bitfield> has;
    for (int i = 0; i < 40; ++i) {
        bt::bitfield b(pieces);
        for (std::uint32_t k = 0; k < pieces; ++k)
            if (next() % 2) b.set(k);
        p.add_peer_bitfield(b);
        has.push_back(std::move(b));
    }
    for (int i = 0; i < 2; ++i) {
        has.emplace_back(pieces, true);
        p.add_seed();
    }
    std::vector<std::vector<bt::block_ref>> inflight(has.size());
    std::vector<bt::block_ref> out;
    std::vector<bt::peer_handle> cancel;
    std::size_t duplicates = 0, failures = 0;
    for (int step = 0; step < 2'000'000 && !p.complete(); ++step) {
        const bt::peer_handle peer = next() % has.size();
        auto& mine = inflight[peer];
        if (mine.size() < 8) {
            out.clear();
            p.pick(peer, has[peer], 8 - mine.size(), out);
            mine.insert(mine.end(), out.begin(), out.end());
        }
        if (mine.empty()) continue;
        if (next() % 5000 == 0) {  // connection lost
            p.abort_peer(peer);
            mine.clear();
            continue;
        }
        const std::size_t k = next() % mine.size();
        const bt::block_ref blk = mine[k];
        mine[k] = mine.back();
        mine.pop_back();
        const auto r = p.mark_received(peer, blk, cancel);
        for (bt::peer_handle c : cancel) {
            auto& theirs = inflight[c];
            theirs.erase(std::remove(theirs.begin(), theirs.end(), blk), theirs.end());
        }
        if (r == bt::block_result::duplicate) ++duplicates;
        if (r == bt::block_result::piece_complete) {
            if (next() % 1000 == 0) {
                p.piece_failed(blk.piece);
                ++failures;
            } else {
                p.piece_passed(blk.piece);
            }
        }
    }
    EXPECT_TRUE(p.complete());
    EXPECT_EQ(p.have_count(), pieces);
    EXPECT_EQ(p.downloading_count(), 0u);
    EXPECT_GT(failures, 0u);
    EXPECT_EQ(duplicates, 0u);  // cancels reached every duplicate requester
}

namespace {

/// Sequential, no end game, every piece at a seed, at most `cap` pieces under way.
bt::piece_picker capped_sequential_picker(std::uint32_t pieces, std::uint32_t blocks_per_piece, std::uint32_t cap) {
    bt::picker_options o;
    o.order = bt::pick_order::sequential;
    o.max_downloading = cap;
    o.end_game = false;
    bt::piece_picker p(bt::piece_geometry(std::uint64_t{pieces} * blocks_per_piece * kb16, blocks_per_piece * kb16), o);
    p.add_seed();
    return p;
}

}  // namespace

TEST(PiecePicker, MaxDownloadingCapsPiecesUnderWay) {
    // 16 pieces of 4 blocks; at most 3 under way: a peer asking for 40 blocks
    // gets the 12 blocks of 3 pieces, a second peer shares none (all
    // requested), and a fourth piece starts only once one passes.
    bt::piece_picker p = capped_sequential_picker(16, 4, 3);
    const bt::bitfield all(16, true);
    std::vector<bt::block_ref> out;
    EXPECT_EQ(p.pick(1, all, 40, out), 12u);
    EXPECT_EQ(p.downloading_count(), 3u);
    for (const auto& b : out) EXPECT_LT(b.piece, 3u);
    std::vector<bt::block_ref> second;
    EXPECT_EQ(p.pick(2, all, 40, second), 0u);
    std::vector<bt::peer_handle> cancel;
    for (std::uint32_t k = 0; k < 4; ++k) p.mark_received(1, {0, k}, cancel);
    p.piece_passed(0);
    EXPECT_EQ(p.pick(2, all, 40, second), 4u);
    for (const auto& b : second) EXPECT_EQ(b.piece, 3u);
    EXPECT_EQ(p.downloading_count(), 3u);
}

TEST(PiecePicker, ExhaustedMeansNoPickCanGiveAnything) {
    // Cap 2 of 4 pieces: exhausted once both are under way with every block
    // requested; a block given back, or a passed piece, makes it not so.
    bt::piece_picker p = capped_sequential_picker(4, 2, 2);
    const bt::bitfield all(4, true);
    std::vector<bt::block_ref> out;
    EXPECT_FALSE(p.exhausted());
    EXPECT_EQ(p.pick(1, all, 3, out), 3u);
    EXPECT_FALSE(p.exhausted()) << "one block of the second piece is still open";
    EXPECT_EQ(p.pick(1, all, 3, out), 1u);
    EXPECT_TRUE(p.exhausted());
    std::vector<bt::block_ref> none;
    EXPECT_EQ(p.pick(2, all, 8, none), 0u) << "exhausted: nothing for anyone";
    p.abort_request(1, out[0]);
    EXPECT_FALSE(p.exhausted()) << "a block given back is open again";
    EXPECT_EQ(p.pick(2, all, 8, none), 1u);
    EXPECT_TRUE(p.exhausted());
    std::vector<bt::peer_handle> cancel;
    p.mark_received(2, none[0], cancel);
    p.mark_received(1, out[1], cancel);
    p.piece_passed(0);
    EXPECT_FALSE(p.exhausted()) << "room for a third piece";
}
