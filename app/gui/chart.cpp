// chart: [SECTION] standard charts, [SECTION] axes, [SECTION] drawing.
#include "chart.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "swarmbench/units.hpp"

namespace swarmbench::gui {

// ---------------------------------------------------------------- [SECTION] standard charts

const std::vector<chart_spec>& standard_charts() {
    static const std::vector<chart_spec> charts = {
        {"Throughput", axis_unit::rate,
         {{"net in", "net_in_bps", [](const swarm_sample& s) { return s.net_in_bps; }, IM_COL32(79, 195, 247, 255)},
          {"net out", "net_out_bps", [](const swarm_sample& s) { return s.net_out_bps; }, IM_COL32(255, 167, 38, 255)},
          {"goodput", "goodput_bps", [](const swarm_sample& s) { return s.goodput_bps; }, IM_COL32(102, 230, 120, 255)},
          {"disk writes", "disk_write_bps", [](const swarm_sample& s) { return s.disk_write_bps; },
           IM_COL32(240, 98, 146, 255)}}},
        {"Request latency", axis_unit::ms,
         {{"p50", "request_ms_p50", [](const swarm_sample& s) { return s.request_ms_p50; }, IM_COL32(102, 230, 120, 255)},
          {"p90", "request_ms_p90", [](const swarm_sample& s) { return s.request_ms_p90; }, IM_COL32(255, 213, 79, 255)},
          {"p99", "request_ms_p99", [](const swarm_sample& s) { return s.request_ms_p99; }, IM_COL32(239, 83, 80, 255)},
          {"disk write p99", "disk_write_us_p99", [](const swarm_sample& s) { return s.disk_write_us_p99 / 1000.0; },
           IM_COL32(186, 104, 200, 255)}}},
        {"Connections", axis_unit::count,
         {{"active", "connections_active", [](const swarm_sample& s) { return double(s.connections_active); },
           IM_COL32(79, 195, 247, 255)},
          {"half-open", "connections_half_open",
           [](const swarm_sample& s) { return double(s.connections_half_open); }, IM_COL32(176, 190, 197, 255)}}},
    };
    return charts;
}

// ---------------------------------------------------------------- [SECTION] axes

std::string format_axis(double value, axis_unit unit) {
    char buf[64];
    switch (unit) {
        case axis_unit::rate: return value <= 0 ? std::string("0") : format_bytes(value) + "/s";
        case axis_unit::ms:
            if (value == 0) return "0";
            std::snprintf(buf, sizeof buf, value < 1 ? "%.2f ms" : value < 10 ? "%.1f ms" : "%.0f ms", value);
            return buf;
        case axis_unit::count:
            if (std::fabs(value) >= 10000) std::snprintf(buf, sizeof buf, "%.1fk", value / 1000);
            else std::snprintf(buf, sizeof buf, "%.0f", value);
            return buf;
    }
    return {};
}

std::vector<double> nice_ticks(double lo, double hi, int target) {
    std::vector<double> out;
    if (!(hi > lo) || target < 1) return out;
    const double raw = (hi - lo) / target;
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    double step = mag;
    for (double m : {1.0, 2.0, 5.0, 10.0}) {
        step = m * mag;
        if (step >= raw) break;
    }
    for (double v = std::ceil(lo / step) * step; v <= hi + step * 1e-9 && out.size() < 64; v += step)
        out.push_back(std::fabs(v) < step * 1e-9 ? 0.0 : v);
    return out;
}

namespace {

/// Byte rates tick on powers of two so labels read "256 MiB/s", not "268 MB/s".
std::vector<double> rate_ticks(double hi, int target) {
    std::vector<double> out;
    if (!(hi > 0)) return out;
    double step = std::pow(2.0, std::ceil(std::log2(hi / target)));
    for (double v = 0; v <= hi * (1 + 1e-9) && out.size() < 64; v += step) out.push_back(v);
    return out;
}

double nice_ceiling(double v, axis_unit unit) {
    if (!(v > 0)) return unit == axis_unit::rate ? 1024.0 * 1024 : 1.0;
    if (unit == axis_unit::rate) {
        const double p = std::pow(2.0, std::floor(std::log2(v)));
        for (double m : {1.0, 1.25, 1.5, 2.0}) if (p * m >= v) return p * m;
        return 2 * p;
    }
    const double p = std::pow(10.0, std::floor(std::log10(v)));
    for (double m : {1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0}) if (p * m >= v) return p * m;
    return 10 * p;
}

/// First index whose t_s >= t (samples are in time order).
std::size_t lower_index(const scrolling_buffer<swarm_sample>& s, double t) {
    std::size_t lo = 0, hi = s.size();
    while (lo < hi) {
        const std::size_t mid = (lo + hi) / 2;
        if (s[mid].t_s < t) lo = mid + 1; else hi = mid;
    }
    return lo;
}

std::size_t lower_index(const std::vector<double>& t_s, double t) {
    return static_cast<std::size_t>(std::lower_bound(t_s.begin(), t_s.end(), t) - t_s.begin());
}

ImU32 faded(ImU32 c, float alpha) {
    ImVec4 v = ImGui::ColorConvertU32ToFloat4(c);
    v.w *= alpha;
    return ImGui::ColorConvertFloat4ToU32(v);
}

/// An overlay's column as the live getter would see it (disk latency is us in files).
double overlay_value(const chart_line& line, double v) {
    return std::string_view(line.column) == "disk_write_us_p99" ? v / 1000.0 : v;
}

}  // namespace

// ---------------------------------------------------------------- [SECTION] drawing

void draw_chart(const char* id, const chart_spec& spec, const scrolling_buffer<swarm_sample>& samples,
                const std::vector<loaded_results>& overlays, const std::vector<marker>& markers, double x_min,
                double x_max, ImVec2 size) {
    if (size.x < 50 || size.y < 40) {
        ImGui::Dummy(size);
        return;
    }
    if (!(x_max > x_min)) x_max = x_min + 1;
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImGuiStyle& style = ImGui::GetStyle();
    const float font = ImGui::GetFontSize();
    const ImVec2 p0 = ImGui::GetCursorScreenPos();
    ImGui::InvisibleButton(id, size);
    const bool hovered = ImGui::IsItemHovered();
    const ImVec2 p1(p0.x + size.x, p0.y + size.y);

    // Frame: title and legend on top, y labels left, x labels below.
    dl->AddRectFilled(p0, p1, ImGui::GetColorU32(ImGuiCol_ChildBg, 1.0f), style.FrameRounding);
    dl->AddRectFilled(p0, p1, IM_COL32(255, 255, 255, 8), style.FrameRounding);
    const float header = font + 14;  // room for the top y label above the plot
    const float left = font * 5.2f;
    const float bottom = font + 6;
    const ImVec2 a(p0.x + left, p0.y + header);          // plot area top-left
    const ImVec2 b(p1.x - 10, p1.y - bottom);             // plot area bottom-right
    if (b.x - a.x < 10 || b.y - a.y < 10) return;

    // Y range over everything visible.
    double y_max = 0;
    const std::size_t first = samples.empty() ? 0 : (lower_index(samples, x_min) > 0 ? lower_index(samples, x_min) - 1 : 0);
    for (std::size_t i = first; i < samples.size() && samples[i].t_s <= x_max; ++i)
        for (const auto& line : spec.lines) y_max = std::max(y_max, line.get(samples[i]));
    for (const auto& o : overlays) {
        auto t = o.series.find("t_s");
        if (t == o.series.end()) continue;
        for (const auto& line : spec.lines) {
            auto c = o.series.find(line.column);
            if (c == o.series.end()) continue;
            for (std::size_t i = lower_index(t->second, x_min); i < t->second.size() && i < c->second.size() &&
                                                                t->second[i] <= x_max; ++i)
                y_max = std::max(y_max, overlay_value(line, c->second[i]));
        }
    }
    y_max = nice_ceiling(y_max * 1.05, spec.unit);
    auto to_x = [&](double t) { return a.x + static_cast<float>((t - x_min) / (x_max - x_min)) * (b.x - a.x); };
    auto to_y = [&](double v) { return b.y - static_cast<float>(std::clamp(v / y_max, 0.0, 1.05)) * (b.y - a.y); };

    // Grid and axis labels.
    const ImU32 grid = IM_COL32(255, 255, 255, 22);
    const ImU32 label = ImGui::GetColorU32(ImGuiCol_TextDisabled);
    const int y_target = std::max(2, static_cast<int>((b.y - a.y) / (font * 2.2f)));
    const auto yt = spec.unit == axis_unit::rate ? rate_ticks(y_max, y_target) : nice_ticks(0, y_max, y_target);
    for (double v : yt) {
        const float y = to_y(v);
        dl->AddLine(ImVec2(a.x, y), ImVec2(b.x, y), grid);
        const std::string s = format_axis(v, spec.unit);
        const ImVec2 ts = ImGui::CalcTextSize(s.c_str());
        dl->AddText(ImVec2(a.x - ts.x - 6, y - ts.y * 0.5f), label, s.c_str());
    }
    const int x_target = std::max(2, static_cast<int>((b.x - a.x) / (font * 6)));
    for (double t : nice_ticks(x_min, x_max, x_target)) {
        const float x = to_x(t);
        dl->AddLine(ImVec2(x, a.y), ImVec2(x, b.y), grid);
        char buf[32];
        std::snprintf(buf, sizeof buf, (x_max - x_min) < 5 ? "%.1f s" : "%.0f s", t);
        const ImVec2 ts = ImGui::CalcTextSize(buf);
        dl->AddText(ImVec2(x - ts.x * 0.5f, b.y + 3), label, buf);
    }
    dl->AddRect(a, b, IM_COL32(255, 255, 255, 40));

    // Title and legend.
    float lx = p0.x + 8;
    dl->AddText(ImVec2(lx, p0.y + 4), ImGui::GetColorU32(ImGuiCol_Text), spec.title);
    lx += ImGui::CalcTextSize(spec.title).x + font * 1.5f;
    for (const auto& line : spec.lines) {
        dl->AddRectFilled(ImVec2(lx, p0.y + 4 + font * 0.35f), ImVec2(lx + font, p0.y + 4 + font * 0.65f), line.colour);
        lx += font * 1.3f;
        dl->AddText(ImVec2(lx, p0.y + 4), label, line.label);
        lx += ImGui::CalcTextSize(line.label).x + font;
    }
    if (!overlays.empty()) {
        const std::string n = "+ " + std::to_string(overlays.size()) + " opened (faint)";
        dl->AddText(ImVec2(lx, p0.y + 4), label, n.c_str());
    }

    dl->PushClipRect(a, ImVec2(b.x + 1, b.y + 1), true);
    // Overlays first, fainter, so the live lines stay on top.
    std::vector<ImVec2> pts;
    const std::size_t max_points = static_cast<std::size_t>(2 * (b.x - a.x)) + 2;
    for (const auto& o : overlays) {
        auto t = o.series.find("t_s");
        if (t == o.series.end()) continue;
        for (const auto& line : spec.lines) {
            auto c = o.series.find(line.column);
            if (c == o.series.end()) continue;
            pts.clear();
            const std::size_t n = std::min(t->second.size(), c->second.size());
            std::size_t i0 = lower_index(t->second, x_min);
            i0 = i0 > 0 ? i0 - 1 : 0;
            std::size_t i1 = std::min(n, lower_index(t->second, x_max) + 1);
            const std::size_t stride = std::max<std::size_t>(1, (i1 > i0 ? i1 - i0 : 0) / max_points);
            for (std::size_t i = i0; i < i1; i += stride)
                pts.emplace_back(to_x(t->second[i]), to_y(overlay_value(line, c->second[i])));
            if (pts.size() >= 2) dl->AddPolyline(pts.data(), static_cast<int>(pts.size()), faded(line.colour, 0.45f), 0, 1.5f);
        }
    }
    std::size_t i1 = std::min(samples.size(), lower_index(samples, x_max) + 1);
    const std::size_t stride = std::max<std::size_t>(1, (i1 > first ? i1 - first : 0) / max_points);
    for (const auto& line : spec.lines) {
        pts.clear();
        for (std::size_t i = first; i < i1; i += stride) pts.emplace_back(to_x(samples[i].t_s), to_y(line.get(samples[i])));
        if (pts.size() == 1) dl->AddCircleFilled(pts[0], 2.5f, line.colour);
        if (pts.size() >= 2) dl->AddPolyline(pts.data(), static_cast<int>(pts.size()), line.colour, 0, 2.0f);
    }
    // Steering markers: dashed vertical lines with their label on top.
    const ImU32 marker_colour = IM_COL32(255, 241, 118, 200);
    const marker* hovered_marker = nullptr;
    const ImVec2 mouse = ImGui::GetIO().MousePos;
    for (const auto& m : markers) {
        if (m.t_s < x_min || m.t_s > x_max) continue;
        const float x = to_x(m.t_s);
        for (float y = a.y; y < b.y; y += 8) dl->AddLine(ImVec2(x, y), ImVec2(x, std::min(y + 4, b.y)), marker_colour, 1.5f);
        dl->AddText(ImVec2(x + 3, a.y + 2), marker_colour, m.label.c_str());
        if (hovered && std::fabs(mouse.x - x) < 4) hovered_marker = &m;
    }
    dl->PopClipRect();

    // Hover: a cursor line and every value at the nearest sample.
    if (hovered && mouse.x >= a.x && mouse.x <= b.x && mouse.y >= a.y && mouse.y <= b.y) {
        const double t = x_min + (mouse.x - a.x) / (b.x - a.x) * (x_max - x_min);
        dl->AddLine(ImVec2(mouse.x, a.y), ImVec2(mouse.x, b.y), IM_COL32(255, 255, 255, 90));
        ImGui::BeginTooltip();
        if (hovered_marker != nullptr) ImGui::TextColored(ImVec4(1, 0.95f, 0.46f, 1), "%s", hovered_marker->label.c_str());
        if (!samples.empty()) {
            std::size_t i = std::min(lower_index(samples, t), samples.size() - 1);
            if (i > 0 && std::fabs(samples[i - 1].t_s - t) < std::fabs(samples[i].t_s - t)) --i;
            ImGui::Text("t = %.2f s", samples[i].t_s);
            for (const auto& line : spec.lines) {
                ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(line.colour), "%-14s %s", line.label,
                                   format_axis(line.get(samples[i]), spec.unit).c_str());
            }
        }
        for (const auto& o : overlays) {
            auto tc = o.series.find("t_s");
            if (tc == o.series.end() || tc->second.empty()) continue;
            std::size_t i = std::min(lower_index(tc->second, t), tc->second.size() - 1);
            ImGui::Separator();
            ImGui::TextDisabled("%s at %.2f s", o.label.c_str(), tc->second[i]);
            for (const auto& line : spec.lines) {
                auto c = o.series.find(line.column);
                if (c == o.series.end() || i >= c->second.size()) continue;
                ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(faded(line.colour, 0.7f)), "%-14s %s", line.label,
                                   format_axis(overlay_value(line, c->second[i]), spec.unit).c_str());
            }
        }
        ImGui::EndTooltip();
    }
}

}  // namespace swarmbench::gui
