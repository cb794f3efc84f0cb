// The live panels drawn headless: a null ImGui context (imgui's
// examples/example_null: a context, a display size and a built font atlas;
// no window, no GL), synthetic snapshots, and checks on what the panels
// submitted (rows, vertices) and on the pure helpers behind them.
#include <algorithm>
#include <cstdio>
#include <map>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <imgui.h>

#include "panels/format.hpp"
#include "panels/live_panels.hpp"
#include "null_imgui.hpp"

namespace swarmbench::gui {
namespace {

// ------------------------------------------------------------ null context

class panel_test : public null_imgui_fixture {
protected:
    // One frame with draw() inside a fixed 1000x600 window; returns the
    // frame's total vertex count.
    template <class Draw>
    int frame(Draw&& draw) {
        ImGui::NewFrame();
        ImGui::SetNextWindowPos(ImVec2(0, 0));
        ImGui::SetNextWindowSize(ImVec2(1000, 600));
        ImGui::Begin("panel", nullptr, ImGuiWindowFlags_NoSavedSettings);
        draw();
        ImGui::End();
        ImGui::Render();
        return ImGui::GetDrawData()->TotalVtxCount;
    }

};

// Suite names per panel: app.PeersTable.*, app.PieceMap.*, app.DiskMap.*.
using PeersTable = panel_test;
using PieceMap = panel_test;
using DiskMap = panel_test;

// ------------------------------------------------------------ synthetic data

const char* const states[] = {"active", "closing", "connecting", "handshaking"};  // sorted
const char* const links[] = {"", "dc", "dsl", "mobile"};  // sorted

std::vector<peer_snapshot> make_peers(std::size_t n, unsigned seed = 7) {
    std::mt19937 rng(seed);
    std::vector<peer_snapshot> peers(n);
    for (std::size_t i = 0; i < n; ++i) {
        peer_snapshot& p = peers[i];
        char buf[64];
        std::snprintf(buf, sizeof(buf), "leecher-%u", static_cast<unsigned>(rng() % 40));  // unpadded: natural order matters
        p.leecher = buf;
        p.id = static_cast<std::uint32_t>(rng() % 64);
        std::snprintf(buf, sizeof(buf), "127.0.0.%u:%u", static_cast<unsigned>(2 + rng() % 250),
                      static_cast<unsigned>(30000 + rng() % 30000));
        p.local = buf;
        std::snprintf(buf, sizeof(buf), "seeder-%u 127.0.0.1:%u", static_cast<unsigned>(rng() % 12),
                      static_cast<unsigned>(900 + rng() % 60000));
        p.remote = buf;
        p.state = states[rng() % 4];
        p.slow = rng() % 2;
        p.link = links[rng() % 4];
        p.choked = rng() % 3 == 0;
        p.requests = rng() % 64;
        p.bytes_in = rng() % 1000 == 0 ? 0 : (std::uint64_t{rng()} << 8);
        p.bytes_out = rng() % 5000;
        p.in_bps = static_cast<double>(rng() % 100000) * 1234.5;
        p.blocks = rng() % 500;
        p.request_ms_p50 = static_cast<double>(rng() % 2000) / 7.0;
        if (rng() % 3 == 0) p.notes["late bitfield"] = rng() % 5 + 1;
        if (rng() % 4 == 0) p.notes["unknown extension message"] = rng() % 3 + 1;
    }
    return peers;
}

unsigned number_after(const std::string& s, std::size_t pos) { return static_cast<unsigned>(std::stoul(s.substr(pos))); }

// The expected key of each column as a number, written independently of the
// panel: names by their numbers, states by their alphabetical rank.
double expected_key(const peer_snapshot& p, int column) {
    switch (column) {
        case peer_col_leecher: return number_after(p.leecher, 8);
        case peer_col_id: return p.id;
        case peer_col_local: {  // "127.0.0.N:PORT": by N, then the port
            std::size_t colon = p.local.rfind(':');
            return number_after(p.local, 8) * 1e6 + number_after(p.local, colon + 1);
        }
        case peer_col_remote: {
            std::size_t colon = p.remote.rfind(':');
            return number_after(p.remote, 7) * 1e6 + number_after(p.remote, colon + 1);
        }
        case peer_col_state:
            return static_cast<double>(std::find(std::begin(states), std::end(states), p.state) - std::begin(states));
        case peer_col_slow: return p.slow;
        case peer_col_link:  // alphabetical: "", "dc", "dsl", "mobile"
            return static_cast<double>(std::find(std::begin(links), std::end(links), p.link) - std::begin(links));
        case peer_col_choked: return p.choked;
        case peer_col_requests: return p.requests;
        case peer_col_in_rate: return p.in_bps;
        case peer_col_bytes_in: return static_cast<double>(p.bytes_in);
        case peer_col_bytes_out: return static_cast<double>(p.bytes_out);
        case peer_col_blocks: return static_cast<double>(p.blocks);
        case peer_col_request_p50: return p.request_ms_p50;
        case peer_col_notes: {
            double n = 0;
            for (const auto& entry : p.notes) n += static_cast<double>(entry.second);
            return n;
        }
        default: return 0;
    }
}

// ------------------------------------------------------------ peers table

TEST(PeersOrder, EveryColumnBothDirectionsIsStable) {
    auto peers = make_peers(3000);
    for (int column = 0; column < peer_column_count; ++column) {
        for (bool ascending : {true, false}) {
            SCOPED_TRACE(testing::Message() << "column " << column << (ascending ? " ascending" : " descending"));
            auto order = sorted_peer_order(peers, column, ascending);
            ASSERT_EQ(order.size(), peers.size());
            auto sorted_copy = order;
            std::sort(sorted_copy.begin(), sorted_copy.end());
            std::vector<std::size_t> all(peers.size());
            std::iota(all.begin(), all.end(), std::size_t{0});
            ASSERT_EQ(sorted_copy, all) << "a permutation of every row";
            for (std::size_t i = 1; i < order.size(); ++i) {
                double prev = expected_key(peers[order[i - 1]], column);
                double next = expected_key(peers[order[i]], column);
                if (prev == next) {
                    ASSERT_LT(order[i - 1], order[i]) << "equal keys keep index order at " << i;
                } else if (ascending) {
                    ASSERT_LT(prev, next) << "at " << i;
                } else {
                    ASSERT_GT(prev, next) << "at " << i;
                }
            }
        }
    }
}

TEST(PeersOrder, NamesCompareNaturally) {
    std::vector<peer_snapshot> peers(4);
    peers[0].leecher = "leecher-10";
    peers[1].leecher = "leecher-9";
    peers[2].leecher = "leecher-010";  // leading zeros do not count: equal to "leecher-10"
    peers[3].leecher = "leecher-2";
    EXPECT_EQ(sorted_peer_order(peers, peer_col_leecher, true), (std::vector<std::size_t>{3, 1, 0, 2}));
    EXPECT_EQ(sorted_peer_order(peers, peer_col_leecher, false), (std::vector<std::size_t>{0, 2, 1, 3}));
}

TEST(PeersOrder, FilterMatchesLeecherOrRemoteIgnoringCase) {
    const char* const names[4][2] = {{"leecher-1", "seeder-01 127.0.0.1:4000"},
                                     {"leecher-2", "seeder-02 127.0.0.1:4001"},
                                     {"leecher-3", "Seeder-01 127.0.0.1:4002"},
                                     {"LEECHER-12", "leecher-2 127.0.0.1:4003"}};
    std::vector<peer_snapshot> peers(4);
    for (std::size_t i = 0; i < 4; ++i) {
        peers[i].leecher = names[i][0];
        peers[i].remote = names[i][1];
    }
    EXPECT_EQ(sorted_peer_order(peers, -1, true, "SEEDER-01"), (std::vector<std::size_t>{0, 2}));
    EXPECT_EQ(sorted_peer_order(peers, -1, true, "leecher-2"), (std::vector<std::size_t>{1, 3}));
    EXPECT_EQ(sorted_peer_order(peers, -1, true, "nothing"), (std::vector<std::size_t>{}));
    EXPECT_EQ(sorted_peer_order(peers, -1, true, ""), (std::vector<std::size_t>{0, 1, 2, 3}));
}

TEST_F(PeersTable, ClipsTenThousandRows) {
    auto peers = make_peers(10000);
    peers_view view;
    std::size_t shown = 0;
    int vertices = 0;
    for (int i = 0; i < 3; ++i) vertices = frame([&] { shown = draw_peers_table(peers, view); });
    EXPECT_EQ(view.cache.order.size(), peers.size());
    EXPECT_GT(shown, 0u);
    EXPECT_LT(shown, 100u) << "only the rows in a 600 px window are submitted";
    // One quad per row would already be 40,000 vertices; every row's text
    // would be hundreds of thousands.
    EXPECT_LT(vertices, 40000);
}

TEST_F(PeersTable, StartsWithTheViewsSortAndCachesTheOrder) {
    auto peers = make_peers(2000);
    peers_view view;
    view.sort_column = peer_col_bytes_in;
    view.ascending = false;
    frame([&] { draw_peers_table(peers, view); });
    frame([&] { draw_peers_table(peers, view); });
    EXPECT_EQ(view.sort_column, peer_col_bytes_in) << "the table's initial sort is the view's";
    EXPECT_FALSE(view.ascending);
    EXPECT_EQ(view.cache.order, sorted_peer_order(peers, peer_col_bytes_in, false));
    EXPECT_EQ(view.cache.rebuilds, 1u) << "same data, same sort: sorted once";

    peers[5].in_bps += 1e9;  // not the sort key: the order stands
    frame([&] { draw_peers_table(peers, view); });
    EXPECT_EQ(view.cache.rebuilds, 1u);

    peers[5].bytes_in = std::uint64_t{1} << 50;  // the key: re-sorted, row 5 first
    frame([&] { draw_peers_table(peers, view); });
    EXPECT_EQ(view.cache.rebuilds, 2u);
    ASSERT_FALSE(view.cache.order.empty());
    EXPECT_EQ(view.cache.order.front(), 5u);

    view.filter = "leecher-3";  // a new filter: rebuilt and filtered
    frame([&] { draw_peers_table(peers, view); });
    EXPECT_EQ(view.cache.rebuilds, 3u);
    EXPECT_EQ(view.cache.order, sorted_peer_order(peers, peer_col_bytes_in, false, "leecher-3"));
    EXPECT_LT(view.cache.order.size(), peers.size());

    peers.resize(10);  // fewer rows: never an index out of range
    frame([&] { draw_peers_table(peers, view); });
    for (std::size_t i : view.cache.order) EXPECT_LT(i, peers.size());
}

TEST_F(PeersTable, DrawsEmpty) {
    std::vector<peer_snapshot> none;
    peers_view view;
    view.sort_column = 99;  // out of range: reset, not trusted
    std::size_t shown = 1;
    frame([&] { shown = draw_peers_table(none, view); });
    EXPECT_EQ(shown, 0u);
    EXPECT_EQ(view.sort_column, 0);
}

// ------------------------------------------------------------ piece map

leecher_snapshot make_leecher(std::string name, std::size_t pieces, std::uint8_t (*state)(std::size_t)) {
    leecher_snapshot l;
    l.name = std::move(name);
    l.pieces.resize(pieces);
    for (std::size_t i = 0; i < pieces; ++i) {
        l.pieces[i] = state(i);
        l.have += l.pieces[i] == piece_have;
        l.in_flight += l.pieces[i] == piece_in_flight;
    }
    l.done = l.have == pieces;
    return l;
}

// Area covered by rectangles of exactly this colour in the last frame.
// AddRectFilled writes 4 consecutive vertices (corners a, (b.x, a.y), b,
// (a.x, b.y)); the piece colours are used by nothing else but the legend.
double colour_area(ImU32 colour) {
    double area = 0;
    const ImDrawData* dd = ImGui::GetDrawData();
    for (int l = 0; l < dd->CmdListsCount; ++l) {
        const ImVector<ImDrawVert>& v = dd->CmdLists[l]->VtxBuffer;
        for (int i = 0; i + 3 < v.Size;) {
            if (v[i].col != colour) {
                ++i;
                continue;
            }
            area += static_cast<double>(v[i + 2].pos.x - v[i].pos.x) * (v[i + 2].pos.y - v[i].pos.y);
            i += 4;
        }
    }
    return area;
}

constexpr ImU32 have_green = IM_COL32(60, 185, 80, 255);      // panel_piece_map's colours
constexpr ImU32 in_flight_amber = IM_COL32(255, 176, 0, 255);

TEST_F(PieceMap, MergesRunsOfEqualCells) {
    piece_map_view view;  // cell 3 px: 10,000 pieces wrap over ~30 rows
    const double cell_area = static_cast<double>(view.cell) * view.cell;
    auto have = [](std::size_t) -> std::uint8_t { return piece_have; };
    std::vector<leecher_snapshot> done{make_leecher("leecher-01", 10000, have)};
    std::vector<leecher_snapshot> one{make_leecher("leecher-01", 1, have)};
    std::vector<leecher_snapshot> checker{make_leecher("leecher-01", 10000, [](std::size_t i) -> std::uint8_t {
        return i % 2 ? piece_have : piece_missing;
    })};
    std::vector<leecher_snapshot> mixed{make_leecher("leecher-01", 10000, [](std::size_t i) -> std::uint8_t {
        return i < 4321 ? piece_have : i < 4321 + 777 ? piece_in_flight : piece_missing;
    })};
    int v_done = 0, v_one = 0, v_checker = 0;
    double a_done = 0, a_one = 0, a_checker = 0, a_mixed_have = 0, a_mixed_flight = 0, a_one_flight = 0;
    for (int i = 0; i < 2; ++i) {
        v_done = frame([&] { draw_piece_map(done, view); });
        a_done = colour_area(have_green);
        v_one = frame([&] { draw_piece_map(one, view); });
        a_one = colour_area(have_green);
        a_one_flight = colour_area(in_flight_amber);
        v_checker = frame([&] { draw_piece_map(checker, view); });
        a_checker = colour_area(have_green);
        frame([&] { draw_piece_map(mixed, view); });
        a_mixed_have = colour_area(have_green);
        a_mixed_flight = colour_area(in_flight_amber);
    }
    // A finished leecher costs what a one-piece one does, plus its longer
    // label ("10000/10000" vs "1/1": 8 glyphs) and at most 2 more rectangles.
    EXPECT_LE(v_done - v_one, 4 * 8 + 4 * 2) << "done: " << v_done << " one piece: " << v_one;
    // Alternating cells cannot merge: one rectangle per piece.
    EXPECT_GE(v_checker - v_one, 4 * 9900) << "checker: " << v_checker << " one piece: " << v_one;
    // Merged or not, the rectangles cover exactly their cells (the legend's
    // square is in every frame, and so cancels with the one-piece frame).
    EXPECT_NEAR(a_done - a_one, 9999 * cell_area, 1.0);
    EXPECT_NEAR(a_checker - a_one, 4999 * cell_area, 1.0);
    EXPECT_NEAR(a_mixed_have - a_one, 4320 * cell_area, 1.0);
    EXPECT_NEAR(a_mixed_flight - a_one_flight, 777 * cell_area, 1.0);
}

TEST_F(PieceMap, OneLeecherAndHover) {
    std::vector<leecher_snapshot> leechers{
        make_leecher("leecher-01", 5000, [](std::size_t i) -> std::uint8_t { return i < 1000 ? piece_have : i < 1100 ? piece_in_flight : piece_missing; }),
        make_leecher("leecher-02", 5000, [](std::size_t i) -> std::uint8_t { return i % 3 ? piece_have : piece_missing; }),
    };
    piece_map_view view;
    view.leecher = 7;  // out of range: back to every leecher
    frame([&] { draw_piece_map(leechers, view); });
    EXPECT_EQ(view.leecher, -1);

    view.leecher = 1;
    int away = 0, over = 0;
    ImGui::GetIO().MousePos = ImVec2(-100, -100);
    for (int i = 0; i < 2; ++i) away = frame([&] { draw_piece_map(leechers, view); });
    ImGui::GetIO().MousePos = ImVec2(60, 90);  // over the grid of one leecher's larger cells
    for (int i = 0; i < 2; ++i) over = frame([&] { draw_piece_map(leechers, view); });
    EXPECT_EQ(view.leecher, 1);
    EXPECT_GT(over, away + 4 * 8) << "a tooltip naming the piece (and a highlighted cell)";
}

// ------------------------------------------------------------ disk map

disk_write_point write_at(double t, std::uint64_t offset, std::uint32_t leecher = 0) {
    return {.t_s = t, .leecher = leecher, .offset = offset, .length = 16384};
}

TEST(DiskHistory, CapsAtCapacityAndDropsOldest) {
    disk_history h(100);
    for (int batch = 0; batch < 5; ++batch) {
        std::vector<disk_write_point> pts;
        for (int i = 0; i < 50; ++i) pts.push_back(write_at(batch * 50 + i, 0));
        h.add(pts);
    }
    ASSERT_EQ(h.points().size(), 100u);
    EXPECT_EQ(h.points().front().t_s, 150.0);
    EXPECT_EQ(h.points().back().t_s, 249.0);
    EXPECT_EQ(h.dropped(), 150u);

    h.add(std::vector<disk_write_point>(300, write_at(500, 0)));  // one batch over capacity
    EXPECT_EQ(h.points().size(), 100u);
    EXPECT_EQ(h.points().front().t_s, 500.0);

    h.clear();
    EXPECT_TRUE(h.points().empty());
    EXPECT_EQ(h.dropped(), 0u);
}

TEST(DiskHistory, KeepsTimeOrderAcrossUnsortedBatches) {
    disk_history h(1000);
    h.add({write_at(1, 0), write_at(3, 0), write_at(2, 0)});
    h.add({write_at(2.5, 0), write_at(0.5, 0), write_at(4, 0)});
    std::vector<double> ts;
    for (const auto& p : h.points()) ts.push_back(p.t_s);
    EXPECT_EQ(ts, (std::vector<double>{0.5, 1, 2, 2.5, 3, 4}));
}

TEST_F(DiskMap, ThinsDotsAndHovers) {
    // 200,000 sequential-ish writes by 4 leechers over 30 s of a 4 GiB torrent.
    const std::uint64_t torrent = std::uint64_t{4} << 30;
    disk_history h;
    std::vector<disk_write_point> batch;
    std::mt19937 rng(3);
    for (std::uint32_t i = 0; i < 200000; ++i) {
        double t = 30.0 * i / 200000;
        batch.push_back(write_at(t, (std::uint64_t{rng()} * 16384) % torrent, i % 4));
        if (batch.size() == disk_points_per_snapshot) {
            h.add(batch);
            batch.clear();
        }
    }
    h.add(batch);
    ASSERT_EQ(h.points().size(), 200000u);

    disk_map_view view;
    int vertices = 0;
    for (int i = 0; i < 2; ++i) vertices = frame([&] { draw_disk_map(h, 30.0, torrent, view); });
    // One 2x2 px dot per cell of a < 1000x600 plot at most: far below one
    // quad per write (800,000 vertices).
    EXPECT_LT(vertices, 4 * (500 * 300) + 20000);
    EXPECT_GT(vertices, 4 * 1000) << "dots were drawn";

    ImGui::GetIO().MousePos = ImVec2(500, 300);  // inside the plot: nearest-write tooltip
    int hovered = 0;
    for (int i = 0; i < 2; ++i) hovered = frame([&] { draw_disk_map(h, 30.0, torrent, view); });
    EXPECT_GT(hovered, vertices + 4 * 20) << "a tooltip with time, leecher, offset, length";

    view.window_s = 1e9;  // clamped to the slider's range
    frame([&] { draw_disk_map(h, 30.0, 0, view); });  // size unknown: fitted to the writes
    EXPECT_LE(view.window_s, 3600.0);
}

TEST_F(DiskMap, DrawsEmpty) {
    disk_history h;
    disk_map_view view;
    int vertices = frame([&] { draw_disk_map(h, 0.0, 0, view); });
    EXPECT_GT(vertices, 0);
}

// ------------------------------------------------------------ format

TEST(PanelFormat, UnitsAndSteps) {
    EXPECT_EQ(format_bytes_per_s(512), "512 B/s");
    EXPECT_EQ(format_bytes_per_s(1536), "1.50 KiB/s");
    EXPECT_EQ(format_bytes_per_s(3.0 * (1 << 30)), "3 GiB/s");
    EXPECT_EQ(format_ms(12.34), "12.3 ms");
    EXPECT_EQ(format_ms(0.25), "250 us");
    EXPECT_EQ(nice_step(30, 8), 5);
    EXPECT_DOUBLE_EQ(nice_step(0.9, 10), 0.1);
    EXPECT_EQ(nice_byte_step(double(std::uint64_t{1} << 30), 8), double(128u << 20));
    EXPECT_EQ(nice_byte_step(0, 8), 1);
    EXPECT_NE(series_colour(0), series_colour(1));
    EXPECT_EQ(series_colour(0), series_colour(palette_size));
}

}  // namespace
}  // namespace swarmbench::gui
