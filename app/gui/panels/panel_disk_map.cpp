// panel_disk_map: the disk seek map. Each storage write is a dot at (time,
// offset in the torrent), so sequential writes read as rising lines and
// random ones as scatter. Drawn with ImDrawList (ImPlot is not packaged).
// Dots that would land on an already-drawn dot-sized cell are skipped, so a
// frame costs at most one dot per cell of the plot however many writes the
// window holds; the newest write wins a cell.
//
// Sections: [history] the bounded deque · [axes] ticks and labels ·
// [dots] thinning and hover · [panel] controls and layout.
#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>

#include <imgui.h>

#include "panels/format.hpp"
#include "panels/live_panels.hpp"
#include "swarmbench/units.hpp"

namespace swarmbench::gui {

// ---------------------------------------------------------------- [history]

void disk_history::add(const std::vector<disk_write_point>& points) {
    auto earlier = [](const disk_write_point& a, const disk_write_point& b) { return a.t_s < b.t_s; };
    // Shards merge their writes, so a batch may be out of order; sort a copy
    // only then. Points older than the tail are inserted in place (rare).
    std::vector<disk_write_point> sorted;
    const std::vector<disk_write_point>* batch = &points;
    if (!std::is_sorted(points.begin(), points.end(), earlier)) {
        sorted = points;
        std::stable_sort(sorted.begin(), sorted.end(), earlier);
        batch = &sorted;
    }
    for (const disk_write_point& p : *batch) {
        if (points_.empty() || !(p.t_s < points_.back().t_s))
            points_.push_back(p);
        else
            points_.insert(std::upper_bound(points_.begin(), points_.end(), p, earlier), p);
    }
    while (points_.size() > capacity_) {
        points_.pop_front();
        ++dropped_;
    }
}

namespace {

// ---------------------------------------------------------------- [axes]

constexpr float dot_size = 2.0f;             // pixels per dot (and per thinning cell)
constexpr std::size_t max_dots = 60000;      // hard cap per frame, whatever the plot size
constexpr float hover_radius = 8.0f;         // pixels to the nearest write for a tooltip

struct plot_area {
    ImVec2 min;           // top-left of the data area (screen)
    ImVec2 max;           // bottom-right of the data area
    double t0 = 0;        // time at min.x
    double t1 = 1;        // time at max.x
    double y_max = 1;     // offset at min.y (0 at max.y)

    float x_of(double t) const {
        return min.x + static_cast<float>((t - t0) / (t1 - t0)) * (max.x - min.x);
    }
    float y_of(double offset) const {
        return max.y - static_cast<float>(offset / y_max) * (max.y - min.y);
    }
};

void draw_axes(ImDrawList* dl, const plot_area& p, float left_margin) {
    const ImU32 grid = ImGui::GetColorU32(ImGuiCol_Border, 0.5f);
    const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
    const ImU32 dim = ImGui::GetColorU32(ImGuiCol_TextDisabled);
    const float line_h = ImGui::GetTextLineHeight();
    const float pad = ImGui::GetStyle().ItemInnerSpacing.x;

    // y: offsets in binary units at power-of-two steps ("256 MiB").
    int max_y_ticks = std::max(1, static_cast<int>((p.max.y - p.min.y) / (line_h * 2.5f)));
    double y_step = nice_byte_step(p.y_max, max_y_ticks);
    for (int i = 0; i <= max_y_ticks + 1; ++i) {
        double v = y_step * i;
        if (v > p.y_max * (1 + 1e-9)) break;
        float y = p.y_of(v);
        dl->AddLine(ImVec2(p.min.x, y), ImVec2(p.max.x, y), grid);
        std::string label = format_bytes(v);
        float w = ImGui::CalcTextSize(label.c_str()).x;
        float ty = std::clamp(y - line_h * 0.5f, p.min.y - line_h * 0.5f, p.max.y - line_h * 0.5f);
        dl->AddText(ImVec2(p.min.x - pad - w, ty), text, label.c_str());
    }

    // x: seconds since the data phase began, 1-2-5 steps.
    int max_x_ticks = std::max(1, static_cast<int>((p.max.x - p.min.x) / (ImGui::GetFontSize() * 5)));
    double window = p.t1 - p.t0;
    double x_step = nice_step(window, max_x_ticks);
    double first = std::ceil(p.t0 / x_step) * x_step;
    for (int i = 0; i <= max_x_ticks + 1; ++i) {
        double t = first + x_step * i;
        if (t > p.t1 + x_step * 1e-6) break;
        float x = p.x_of(t);
        dl->AddLine(ImVec2(x, p.min.y), ImVec2(x, p.max.y), grid);
        char label[32];
        std::snprintf(label, sizeof(label), x_step < 1 ? "%.1f s" : "%.0f s", t);
        float w = ImGui::CalcTextSize(label).x;
        dl->AddText(ImVec2(x - w * 0.5f, p.max.y + pad * 0.5f), text, label);
    }

    const char* x_label = "time since the data phase began";
    float xw = ImGui::CalcTextSize(x_label).x;
    dl->AddText(ImVec2((p.min.x + p.max.x - xw) * 0.5f, p.max.y + pad + line_h), dim, x_label);
    dl->AddText(ImVec2(p.min.x - left_margin + pad, p.min.y - line_h - pad), dim, "torrent offset");
    dl->AddRect(p.min, p.max, ImGui::GetColorU32(ImGuiCol_Border));
}

// ---------------------------------------------------------------- [dots]

ImU32 dot_colour(const disk_write_point& w, const disk_map_view& view) {
    return view.colour_by_leecher ? series_colour(w.leecher) : series_colour(0);
}

// Draws the writes in [first, last) newest first, at most one per dot cell.
void draw_dots(ImDrawList* dl, const plot_area& p, std::deque<disk_write_point>::const_iterator first,
               std::deque<disk_write_point>::const_iterator last, const disk_map_view& view) {
    const float w = p.max.x - p.min.x, h = p.max.y - p.min.y;
    const auto cols = static_cast<std::size_t>(w / dot_size) + 1;
    const auto rows = static_cast<std::size_t>(h / dot_size) + 1;
    std::vector<std::uint8_t> taken(cols * rows, 0);
    std::size_t drawn = 0;
    for (auto it = last; it != first && drawn < max_dots;) {
        --it;
        float x = p.x_of(it->t_s), y = p.y_of(static_cast<double>(it->offset));
        if (x < p.min.x || x > p.max.x || y < p.min.y || y > p.max.y) continue;
        auto cx = static_cast<std::size_t>((x - p.min.x) / dot_size);
        auto cy = static_cast<std::size_t>((y - p.min.y) / dot_size);
        std::uint8_t& cell = taken[std::min(cy, rows - 1) * cols + std::min(cx, cols - 1)];
        if (cell != 0) continue;
        cell = 1;
        dl->AddRectFilled(ImVec2(x - dot_size * 0.5f, y - dot_size * 0.5f),
                          ImVec2(x + dot_size * 0.5f, y + dot_size * 0.5f), dot_colour(*it, view));
        ++drawn;
    }
}

// The write nearest the mouse within hover_radius pixels, or last.
std::deque<disk_write_point>::const_iterator nearest_write(const plot_area& p, ImVec2 mouse,
                                                           std::deque<disk_write_point>::const_iterator first,
                                                           std::deque<disk_write_point>::const_iterator last) {
    auto best = last;
    float best_d2 = hover_radius * hover_radius;
    for (auto it = first; it != last; ++it) {
        float dx = p.x_of(it->t_s) - mouse.x, dy = p.y_of(static_cast<double>(it->offset)) - mouse.y;
        float d2 = dx * dx + dy * dy;
        if (d2 <= best_d2) {  // "<=": among equals the newest wins, as it does when drawn
            best_d2 = d2;
            best = it;
        }
    }
    return best;
}

void write_tooltip(const disk_write_point& w) {
    ImGui::BeginTooltip();
    ImGui::Text("time     %.3f s", w.t_s);
    ImGui::Text("leecher  #%" PRIu32, w.leecher);
    ImGui::Text("offset   %s (%" PRIu64 ")", format_bytes(static_cast<double>(w.offset)).c_str(), w.offset);
    ImGui::Text("length   %s", format_bytes(w.length).c_str());
    ImGui::EndTooltip();
}

}  // namespace

// ---------------------------------------------------------------- [panel]

void draw_disk_map(const disk_history& history, double now_s, std::uint64_t torrent_bytes,
                   disk_map_view& view) {
    const double min_window = 1, max_window = 3600;
    view.window_s = std::clamp(view.window_s, min_window, max_window);
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 12);
    ImGui::SliderScalar("window", ImGuiDataType_Double, &view.window_s, &min_window, &max_window, "%.0f s",
                        ImGuiSliderFlags_Logarithmic);
    ImGui::SameLine();
    ImGui::Checkbox("colour by leecher", &view.colour_by_leecher);
    ImGui::SameLine();
    ImGui::TextDisabled("%zu writes kept", history.points().size());
    if (history.dropped() > 0) {
        ImGui::SameLine();
        ImGui::TextDisabled("(%" PRIu64 " older dropped)", history.dropped());
    }

    // The time axis is the window, or the run so far when that is shorter:
    // a 4 s run fills the map instead of 15% of a 30 s window.
    const double t0 = std::max(0.0, now_s - view.window_s);
    const double t1 = std::max(now_s, t0 + min_window);
    const std::deque<disk_write_point>& pts = history.points();
    auto first = std::lower_bound(pts.begin(), pts.end(), t0,
                                  [](const disk_write_point& a, double t) { return a.t_s < t; });
    auto last = std::upper_bound(first, pts.end(), t1,
                                 [](double t, const disk_write_point& a) { return t < a.t_s; });

    plot_area p;
    p.t0 = t0;
    p.t1 = t1;
    p.y_max = static_cast<double>(torrent_bytes);
    if (torrent_bytes == 0) {  // size unknown yet: fit the writes seen
        for (auto it = first; it != last; ++it)
            p.y_max = std::max(p.y_max, static_cast<double>(it->offset) + it->length);
    }
    p.y_max = std::max(p.y_max, 1.0);

    // Margins: the widest y label on the left, two lines (ticks, axis name) below.
    const float line_h = ImGui::GetTextLineHeight();
    const float pad = ImGui::GetStyle().ItemInnerSpacing.x;
    float left = ImGui::CalcTextSize("1023 MiB").x + 2 * pad;
    float top = line_h + 2 * pad;
    float bottom = 2 * line_h + 2 * pad;
    ImVec2 avail = ImGui::GetContentRegionAvail();
    ImVec2 size(std::max(avail.x, left + 100.0f), std::max(avail.y, top + bottom + 80.0f));
    ImVec2 origin = ImGui::GetCursorScreenPos();
    ImGui::InvisibleButton("##disk_map", size);
    if (!ImGui::IsItemVisible()) return;
    bool hovered = ImGui::IsItemHovered();

    p.min = ImVec2(origin.x + left, origin.y + top);
    p.max = ImVec2(origin.x + size.x - pad, origin.y + size.y - bottom);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(p.min, p.max, ImGui::GetColorU32(ImGuiCol_FrameBg));
    draw_axes(dl, p, left);

    dl->PushClipRect(p.min, p.max, true);
    draw_dots(dl, p, first, last, view);
    if (first == last) {
        const char* empty = "no writes in this window";
        ImVec2 ts = ImGui::CalcTextSize(empty);
        dl->AddText(ImVec2((p.min.x + p.max.x - ts.x) * 0.5f, (p.min.y + p.max.y - ts.y) * 0.5f),
                    ImGui::GetColorU32(ImGuiCol_TextDisabled), empty);
    }
    ImVec2 mouse = ImGui::GetIO().MousePos;
    if (hovered && mouse.x >= p.min.x && mouse.x <= p.max.x && mouse.y >= p.min.y && mouse.y <= p.max.y) {
        auto w = nearest_write(p, mouse, first, last);
        if (w != last) {
            ImVec2 c(p.x_of(w->t_s), p.y_of(static_cast<double>(w->offset)));
            dl->AddCircle(c, 5.0f, ImGui::GetColorU32(ImGuiCol_Text), 12, 1.5f);
            write_tooltip(*w);
        }
    }
    dl->PopClipRect();
}

}  // namespace swarmbench::gui
