// panel_peers: the peers table. Every live connection of every leecher in one
// sortable, filterable ImGui table; rows go through ImGuiListClipper so only
// the visible ones are formatted and submitted, and the sorted order is a
// cached index vector rebuilt only when the sort, the filter or the keys
// change (a snapshot arrives a few times a second; frames come 60 times).
//
// Sections: [order] sorting and filtering (pure) · [cache] when to rebuild ·
// [draw] the table.
#include <algorithm>
#include <cctype>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <functional>

#include <imgui.h>
#include <imgui_stdlib.h>

#include "panels/format.hpp"
#include "panels/live_panels.hpp"
#include "swarmbench/units.hpp"

namespace swarmbench::gui {

namespace {

// ---------------------------------------------------------------- [order]

// Natural order: digit runs compare as numbers, so "leecher-9" sorts before
// "leecher-10" and ports sort numerically; other characters bytewise.
int natural_compare(std::string_view a, std::string_view b) noexcept {
    std::size_t i = 0, j = 0;
    auto is_digit = [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; };
    while (i < a.size() && j < b.size()) {
        if (is_digit(a[i]) && is_digit(b[j])) {
            std::size_t i0 = i, j0 = j;
            while (i0 < a.size() && a[i0] == '0') ++i0;  // leading zeros do not count
            while (j0 < b.size() && b[j0] == '0') ++j0;
            std::size_t i1 = i0, j1 = j0;
            while (i1 < a.size() && is_digit(a[i1])) ++i1;
            while (j1 < b.size() && is_digit(b[j1])) ++j1;
            if (i1 - i0 != j1 - j0) return i1 - i0 < j1 - j0 ? -1 : 1;  // fewer digits: smaller
            int c = a.substr(i0, i1 - i0).compare(b.substr(j0, j1 - j0));
            if (c != 0) return c < 0 ? -1 : 1;
            i = i1;
            j = j1;
            continue;
        }
        if (a[i] != b[j]) return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[j]) ? -1 : 1;
        ++i;
        ++j;
    }
    if (i < a.size()) return 1;
    if (j < b.size()) return -1;
    return 0;
}

bool contains_nocase(std::string_view haystack, std::string_view lower_needle) noexcept {
    if (lower_needle.empty()) return true;
    auto it = std::search(haystack.begin(), haystack.end(), lower_needle.begin(), lower_needle.end(),
                          [](char h, char n) {
                              return std::tolower(static_cast<unsigned char>(h)) == n;
                          });
    return it != haystack.end();
}

std::string to_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// Stable sort of order by less(a, b) on peer indices; descending swaps the
// arguments, so equal keys stay in index order either way.
template <class Less>
void sort_order(std::vector<std::size_t>& order, bool ascending, Less less) {
    if (ascending)
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return less(a, b); });
    else
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return less(b, a); });
}

// Sorts by one field: a pointer-to-member keeps the comparator a plain
// field load, with no per-comparison switch on the column.
template <class T>
void sort_by_field(std::vector<std::size_t>& order, const std::vector<peer_snapshot>& peers,
                   T peer_snapshot::*field, bool ascending) {
    sort_order(order, ascending, [&](std::size_t a, std::size_t b) { return peers[a].*field < peers[b].*field; });
}

// Bends of the protocol a peer made, in all (the notes column sorts by it).
std::uint64_t notes_total(const peer_snapshot& p) noexcept {
    std::uint64_t n = 0;
    for (const auto& [what, count] : p.notes) n += count;
    return n;
}

void sort_by_name(std::vector<std::size_t>& order, const std::vector<peer_snapshot>& peers,
                  std::string peer_snapshot::*field, bool ascending) {
    sort_order(order, ascending, [&](std::size_t a, std::size_t b) {
        return natural_compare(peers[a].*field, peers[b].*field) < 0;
    });
}

// ---------------------------------------------------------------- [cache]

std::uint64_t mix(std::uint64_t h, std::uint64_t v) noexcept {
    // splitmix64 finaliser over h ^ v: cheap and spreads every input bit.
    std::uint64_t z = h ^ (v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

std::uint64_t bits_of(double d) noexcept {
    std::uint64_t u = 0;
    static_assert(sizeof(u) == sizeof(d));
    std::memcpy(&u, &d, sizeof(u));
    return u;
}

std::uint64_t hash_text(const std::string& s) noexcept { return std::hash<std::string>{}(s); }

// A hash of exactly what the order depends on: the row count, the sort key
// of every row and, while filtering, the filtered fields. Rates change with
// every snapshot, names almost never, so sorting by name rarely re-sorts.
std::uint64_t order_fingerprint(const std::vector<peer_snapshot>& peers, int column, bool filtering) {
    std::uint64_t h = mix(0, peers.size());
    for (const peer_snapshot& p : peers) {
        std::uint64_t key = 0;
        switch (column) {
            case peer_col_leecher: key = hash_text(p.leecher); break;
            case peer_col_id: key = p.id; break;
            case peer_col_local: key = hash_text(p.local); break;
            case peer_col_remote: key = hash_text(p.remote); break;
            case peer_col_state: key = hash_text(p.state); break;
            case peer_col_slow: key = p.slow; break;
            case peer_col_link: key = hash_text(p.link); break;
            case peer_col_choked: key = p.choked; break;
            case peer_col_requests: key = p.requests; break;
            case peer_col_in_rate: key = bits_of(p.in_bps); break;
            case peer_col_bytes_in: key = p.bytes_in; break;
            case peer_col_bytes_out: key = p.bytes_out; break;
            case peer_col_blocks: key = p.blocks; break;
            case peer_col_request_p50: key = bits_of(p.request_ms_p50); break;
            case peer_col_notes: key = notes_total(p); break;
            default: break;
        }
        h = mix(h, key);
        if (filtering) h = mix(mix(h, hash_text(p.leecher)), hash_text(p.remote));
    }
    return h;
}

// Rebuilds view.cache.order if the sort, the filter or the data it depends
// on changed since it was built.
void refresh_order(const std::vector<peer_snapshot>& peers, peers_view& view) {
    peers_table_cache& c = view.cache;
    std::uint64_t fp = order_fingerprint(peers, view.sort_column, !view.filter.empty());
    if (c.rebuilds != 0 && fp == c.fingerprint && c.rows == peers.size() && c.column == view.sort_column &&
        c.ascending == view.ascending && c.filter == view.filter)
        return;
    c.order = sorted_peer_order(peers, view.sort_column, view.ascending, view.filter);
    c.fingerprint = fp;
    c.rows = peers.size();
    c.column = view.sort_column;
    c.ascending = view.ascending;
    c.filter = view.filter;
    ++c.rebuilds;
}

// ---------------------------------------------------------------- [draw]

struct column_spec {
    const char* label;     // header text
    bool numeric;          // right-aligned, biggest-first is the useful first click
};

constexpr column_spec columns[peer_column_count] = {
    {"leecher", false},  {"id", true},        {"local", false},     {"remote", false},
    {"state", false},    {"slow", false},     {"link", false},
    {"choked", false},   {"requests", true},  {"in rate", true},    {"bytes in", true},
    {"bytes out", true}, {"blocks", true},    {"request p50 (ms)", true}, {"notes", true},
};

// Right-aligns text in the current cell: numbers line up by magnitude.
void text_right(const char* text) {
    float w = ImGui::CalcTextSize(text).x;
    float avail = ImGui::GetContentRegionAvail().x;
    if (avail > w) ImGui::SetCursorPosX(ImGui::GetCursorPosX() + avail - w);
    ImGui::TextUnformatted(text);
}

ImVec4 state_colour(const std::string& state) {
    if (state == "active" || state == "done") return ImGui::GetStyleColorVec4(ImGuiCol_Text);
    if (state == "closing") return ImVec4(0.95f, 0.45f, 0.40f, 1.0f);
    return ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled);  // connecting, handshaking
}

void draw_row(const peer_snapshot& p) {
    char buf[64];
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(p.leecher.c_str());
    ImGui::TableNextColumn();
    std::snprintf(buf, sizeof(buf), "%" PRIu32, p.id);
    text_right(buf);
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(p.local.empty() ? "-" : p.local.c_str());
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(p.remote.c_str());
    ImGui::TableNextColumn();
    ImGui::TextColored(state_colour(p.state), "%s", p.state.c_str());
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(p.slow ? "slow" : "-");
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(p.link.empty() ? "-" : p.link.c_str());
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(p.choked ? "choked" : "-");
    ImGui::TableNextColumn();
    std::snprintf(buf, sizeof(buf), "%" PRIu32, p.requests);
    text_right(buf);
    ImGui::TableNextColumn();
    text_right(format_bytes_per_s(p.in_bps).c_str());
    ImGui::TableNextColumn();
    text_right(format_bytes(static_cast<double>(p.bytes_in)).c_str());
    ImGui::TableNextColumn();
    text_right(format_bytes(static_cast<double>(p.bytes_out)).c_str());
    ImGui::TableNextColumn();
    std::snprintf(buf, sizeof(buf), "%" PRIu64, p.blocks);
    text_right(buf);
    ImGui::TableNextColumn();
    std::snprintf(buf, sizeof(buf), "%.2f", p.request_ms_p50);
    text_right(buf);
    ImGui::TableNextColumn();
    if (p.notes.empty()) {
        ImGui::TextDisabled("-");
    } else {
        // "late bitfield x3, unknown extension message x1": what the remote
        // bent and we accepted, as real clients do.
        std::string text;
        for (const auto& [what, count] : p.notes) {
            if (!text.empty()) text += ", ";
            text += what + " x" + std::to_string(count);
        }
        ImGui::TextUnformatted(text.c_str());
    }
}

}  // namespace

std::vector<std::size_t> sorted_peer_order(const std::vector<peer_snapshot>& peers, int column,
                                           bool ascending, std::string_view filter) {
    std::vector<std::size_t> order;
    order.reserve(peers.size());
    std::string needle = to_lower(filter);
    for (std::size_t i = 0; i < peers.size(); ++i)
        if (contains_nocase(peers[i].leecher, needle) || contains_nocase(peers[i].remote, needle))
            order.push_back(i);
    switch (column) {
        case peer_col_leecher: sort_by_name(order, peers, &peer_snapshot::leecher, ascending); break;
        case peer_col_id: sort_by_field(order, peers, &peer_snapshot::id, ascending); break;
        case peer_col_local: sort_by_name(order, peers, &peer_snapshot::local, ascending); break;
        case peer_col_remote: sort_by_name(order, peers, &peer_snapshot::remote, ascending); break;
        case peer_col_state: sort_by_name(order, peers, &peer_snapshot::state, ascending); break;
        case peer_col_slow: sort_by_field(order, peers, &peer_snapshot::slow, ascending); break;
        case peer_col_link: sort_by_name(order, peers, &peer_snapshot::link, ascending); break;
        case peer_col_choked: sort_by_field(order, peers, &peer_snapshot::choked, ascending); break;
        case peer_col_requests: sort_by_field(order, peers, &peer_snapshot::requests, ascending); break;
        case peer_col_in_rate: sort_by_field(order, peers, &peer_snapshot::in_bps, ascending); break;
        case peer_col_bytes_in: sort_by_field(order, peers, &peer_snapshot::bytes_in, ascending); break;
        case peer_col_bytes_out: sort_by_field(order, peers, &peer_snapshot::bytes_out, ascending); break;
        case peer_col_blocks: sort_by_field(order, peers, &peer_snapshot::blocks, ascending); break;
        case peer_col_request_p50:
            sort_by_field(order, peers, &peer_snapshot::request_ms_p50, ascending);
            break;
        case peer_col_notes:
            sort_order(order, ascending,
                       [&](std::size_t a, std::size_t b) { return notes_total(peers[a]) < notes_total(peers[b]); });
            break;
        default: break;  // unsorted: snapshot order
    }
    return order;
}

std::size_t draw_peers_table(const std::vector<peer_snapshot>& peers, peers_view& view) {
    if (view.sort_column < 0 || view.sort_column >= peer_column_count) view.sort_column = 0;

    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 16);
    ImGui::InputTextWithHint("##peers_filter", "filter leecher or remote", &view.filter);
    refresh_order(peers, view);
    ImGui::SameLine();
    ImGui::TextDisabled("%zu of %zu connections", view.cache.order.size(), peers.size());

    constexpr ImGuiTableFlags flags = ImGuiTableFlags_Sortable | ImGuiTableFlags_Resizable |
                                      ImGuiTableFlags_Reorderable | ImGuiTableFlags_Hideable |
                                      ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersOuter |
                                      ImGuiTableFlags_BordersV | ImGuiTableFlags_ScrollX |
                                      ImGuiTableFlags_ScrollY | ImGuiTableFlags_SizingFixedFit;
    // outer_size (0, 0) with ScrollY: fill the rest of the window.
    if (!ImGui::BeginTable("peers", peer_column_count, flags, ImVec2(0, 0))) return 0;

    ImGui::TableSetupScrollFreeze(1, 1);  // keep the leecher column and the header in view
    for (int c = 0; c < peer_column_count; ++c) {
        ImGuiTableColumnFlags cf = c == 0 ? ImGuiTableColumnFlags_NoHide : 0;
        // The table starts out showing the persisted sort; ImGui applies
        // DefaultSort only when the table is first created.
        if (c == view.sort_column) {
            cf |= ImGuiTableColumnFlags_DefaultSort;
            cf |= view.ascending ? ImGuiTableColumnFlags_PreferSortAscending
                                 : ImGuiTableColumnFlags_PreferSortDescending;
        } else if (columns[c].numeric) {
            cf |= ImGuiTableColumnFlags_PreferSortDescending;  // first click: biggest first
        }
        ImGui::TableSetupColumn(columns[c].label, cf, 0.0f, static_cast<ImGuiID>(c));
    }
    ImGui::TableHeadersRow();

    if (ImGuiTableSortSpecs* specs = ImGui::TableGetSortSpecs(); specs != nullptr && specs->SpecsDirty) {
        if (specs->SpecsCount > 0) {
            view.sort_column = specs->Specs[0].ColumnIndex;
            view.ascending = specs->Specs[0].SortDirection == ImGuiSortDirection_Ascending;
        }
        specs->SpecsDirty = false;
        refresh_order(peers, view);
    }

    const std::vector<std::size_t>& order = view.cache.order;
    std::size_t shown = 0;
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(order.size()));
    while (clipper.Step()) {
        for (int row = clipper.DisplayStart; row < clipper.DisplayEnd; ++row) {
            draw_row(peers[order[static_cast<std::size_t>(row)]]);
            ++shown;
        }
    }
    ImGui::EndTable();
    return shown;
}

}  // namespace swarmbench::gui
