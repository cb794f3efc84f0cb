// panel_piece_map: one grid of pieces per leecher (missing, in flight, have),
// drawn with ImDrawList. Cells fill rows left to right and wrap at the
// available width; a run of equal cells becomes at most three rectangles
// (its partial first row, its whole middle rows, its partial last row), so a
// finished leecher with 100,000 pieces costs two rectangles, not 100,000.
//
// Sections: [colours] · [grid] runs and hover · [panel] controls and layout.
#include <algorithm>
#include <cmath>

#include <imgui.h>

#include "panels/live_panels.hpp"

namespace swarmbench::gui {

namespace {

// ---------------------------------------------------------------- [colours]

constexpr ImU32 missing_colour = IM_COL32(62, 62, 66, 255);     // dark grey
constexpr ImU32 in_flight_colour = IM_COL32(255, 176, 0, 255);  // amber
constexpr ImU32 have_colour = IM_COL32(60, 185, 80, 255);       // green

ImU32 cell_colour(std::uint8_t state) {
    switch (state) {
        case piece_in_flight: return in_flight_colour;
        case piece_have: return have_colour;
        default: return missing_colour;  // unknown values read as missing
    }
}

const char* cell_name(std::uint8_t state) {
    switch (state) {
        case piece_in_flight: return "in flight";
        case piece_have: return "have";
        default: return "missing";
    }
}

// ---------------------------------------------------------------- [grid]

struct grid_layout {
    ImVec2 origin;          // screen position of cell 0
    std::size_t per_row;    // cells per row (>= 1)
    float cell;             // cell size in pixels
};

void fill_cells(ImDrawList* dl, const grid_layout& g, std::size_t col0, std::size_t row0, std::size_t col1,
                std::size_t row1, ImU32 colour) {
    ImVec2 a(g.origin.x + static_cast<float>(col0) * g.cell, g.origin.y + static_cast<float>(row0) * g.cell);
    ImVec2 b(g.origin.x + static_cast<float>(col1) * g.cell, g.origin.y + static_cast<float>(row1) * g.cell);
    dl->AddRectFilled(a, b, colour);
}

// Cells [first, last) share one colour: at most three rectangles.
void fill_run(ImDrawList* dl, const grid_layout& g, std::size_t first, std::size_t last, ImU32 colour) {
    std::size_t r0 = first / g.per_row, c0 = first % g.per_row;
    std::size_t r1 = (last - 1) / g.per_row, c1 = (last - 1) % g.per_row;
    if (r0 == r1) {
        fill_cells(dl, g, c0, r0, c1 + 1, r0 + 1, colour);
        return;
    }
    // Whole rows in the middle; a first or last row that is whole joins them.
    std::size_t top = c0 == 0 ? r0 : r0 + 1;
    std::size_t bottom = c1 + 1 == g.per_row ? r1 + 1 : r1;
    if (c0 != 0) fill_cells(dl, g, c0, r0, g.per_row, r0 + 1, colour);
    if (bottom > top) fill_cells(dl, g, 0, top, g.per_row, bottom, colour);
    if (c1 + 1 != g.per_row) fill_cells(dl, g, 0, r1, c1 + 1, r1 + 1, colour);
}

// One leecher's grid at the cursor; a tooltip names the hovered piece.
void draw_grid(const std::vector<std::uint8_t>& pieces, float cell, int id) {
    const std::size_t n = pieces.size();
    if (n == 0) {
        ImGui::TextDisabled("no pieces yet");
        return;
    }
    float avail = std::max(ImGui::GetContentRegionAvail().x, cell);
    grid_layout g{ImGui::GetCursorScreenPos(), std::max<std::size_t>(1, static_cast<std::size_t>(avail / cell)), cell};
    std::size_t rows = (n + g.per_row - 1) / g.per_row;
    ImVec2 size(static_cast<float>(std::min(n, g.per_row)) * cell, static_cast<float>(rows) * cell);

    ImGui::PushID(id);
    ImGui::InvisibleButton("##grid", size);
    ImGui::PopID();
    if (!ImGui::IsItemVisible()) return;  // scrolled out: reserve the space, draw nothing
    bool hovered = ImGui::IsItemHovered();

    ImDrawList* dl = ImGui::GetWindowDrawList();
    for (std::size_t i = 0; i < n;) {
        std::size_t j = i + 1;
        while (j < n && pieces[j] == pieces[i]) ++j;
        fill_run(dl, g, i, j, cell_colour(pieces[i]));
        i = j;
    }

    if (hovered) {
        ImVec2 m = ImGui::GetIO().MousePos;
        auto col = static_cast<std::size_t>(std::max(0.0f, (m.x - g.origin.x) / cell));
        auto row = static_cast<std::size_t>(std::max(0.0f, (m.y - g.origin.y) / cell));
        std::size_t index = row * g.per_row + col;
        if (col < g.per_row && index < n) {
            fill_cells(dl, g, col, row, col + 1, row + 1, IM_COL32(255, 255, 255, 90));
            ImGui::BeginTooltip();
            ImGui::Text("piece %zu: %s", index, cell_name(pieces[index]));
            ImGui::EndTooltip();
        }
    }
}

void legend_entry(const char* label, ImU32 colour) {
    float h = ImGui::GetTextLineHeight();
    ImVec2 p = ImGui::GetCursorScreenPos();
    float s = h * 0.7f;
    float pad = (h - s) * 0.5f;
    ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(p.x, p.y + pad), ImVec2(p.x + s, p.y + pad + s), colour);
    ImGui::Dummy(ImVec2(s, h));
    ImGui::SameLine();
    ImGui::TextUnformatted(label);
}

void draw_leecher(const leecher_snapshot& l, float cell, int id) {
    ImGui::TextUnformatted(l.name.c_str());
    ImGui::SameLine();
    ImGui::TextDisabled("%u/%zu", l.have, l.pieces.size());
    if (l.in_flight > 0) {
        ImGui::SameLine();
        ImGui::TextDisabled("(%u in flight)", l.in_flight);
    }
    if (l.done) {
        ImGui::SameLine();
        ImGui::TextDisabled("done");
    }
    if (l.rounds > 0) {
        ImGui::SameLine();
        ImGui::TextDisabled("round %u", l.rounds + 1);
    }
    draw_grid(l.pieces, cell, id);
}

}  // namespace

// ---------------------------------------------------------------- [panel]

void draw_piece_map(const std::vector<leecher_snapshot>& leechers, piece_map_view& view) {
    if (view.leecher >= static_cast<int>(leechers.size())) view.leecher = -1;
    view.cell = std::clamp(view.cell, 1.0f, 16.0f);

    const char* preview = view.leecher < 0 ? "all leechers" : leechers[static_cast<std::size_t>(view.leecher)].name.c_str();
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 10);
    if (ImGui::BeginCombo("leecher", preview)) {
        if (ImGui::Selectable("all leechers", view.leecher < 0)) view.leecher = -1;
        for (std::size_t i = 0; i < leechers.size(); ++i) {
            ImGui::PushID(static_cast<int>(i));
            bool selected = view.leecher == static_cast<int>(i);
            if (ImGui::Selectable(leechers[i].name.c_str(), selected)) view.leecher = static_cast<int>(i);
            if (selected) ImGui::SetItemDefaultFocus();
            ImGui::PopID();
        }
        ImGui::EndCombo();
    }
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6);
    ImGui::SliderFloat("cell", &view.cell, 1.0f, 16.0f, "%.0f px");
    ImGui::SameLine();
    legend_entry("missing", missing_colour);
    ImGui::SameLine();
    legend_entry("in flight", in_flight_colour);
    ImGui::SameLine();
    legend_entry("have", have_colour);

    // The grids scroll under the controls.
    ImGui::BeginChild("##piece_grids", ImVec2(0, 0), false);
    if (leechers.empty()) ImGui::TextDisabled("no leechers yet");
    if (view.leecher >= 0) {
        // One leecher alone gets bigger cells: easier to hover a piece.
        draw_leecher(leechers[static_cast<std::size_t>(view.leecher)], std::min(view.cell * 3, 24.0f), view.leecher);
    } else {
        for (std::size_t i = 0; i < leechers.size(); ++i) draw_leecher(leechers[i], view.cell, static_cast<int>(i));
    }
    ImGui::EndChild();
}

}  // namespace swarmbench::gui
