// graphs: throughput, latency and connection charts of one or more results
// folders, drawn with cairo primitives into PNG and SVG (swarmbench/graphs.hpp).
//
// Sections:
//   [charts]   what each graph shows: its metrics, columns, colours, axes
//   [series]   picking a run's columns and their extent
//   [text]     measuring and placing labels
//   [layout]   margins, legend rows and axes for one page size
//   [drawing]  grid, axes, lines (reduced to a few points per pixel column), legend
//   [files]    PNG and SVG surfaces written through a temporary and renamed
#include "swarmbench/graphs.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <optional>
#include <string>
#include <system_error>

#include <cairo-svg.h>
#include <cairo.h>

#include "graphs/axis.hpp"

namespace swarmbench {

namespace fs = std::filesystem;
using detail::axis_kind;
using detail::axis_scale;

namespace {

// ---- [charts] ----

struct rgb {
    double r, g, b;  // 0..1
};

// Distinct, colour-blind-tolerable hues; each metric keeps its colour on
// every graph and in every run, runs differ by dash pattern instead.
constexpr rgb blue{0.16, 0.42, 0.75};
constexpr rgb orange{0.94, 0.50, 0.09};
constexpr rgb green{0.20, 0.62, 0.27};
constexpr rgb red{0.80, 0.18, 0.19};
constexpr rgb purple{0.52, 0.34, 0.70};

struct metric_spec {
    const char* name;                  // legend text, e.g. "network in"
    std::vector<const char*> columns;  // candidate columns; the first one a run has is drawn
    rgb colour;                        // line colour
    int axis;                          // 0: left axis, 1: right axis
    bool zero_is_gap;                  // 0 means "nothing completed" (latency percentiles): no point
};

struct chart_spec {
    const char* file;                 // file name without extension
    const char* title;                // headline
    axis_kind kinds[2];               // left and right axis units
    const char* axis_titles[2];       // left and right axis titles
    std::vector<metric_spec> metrics; // lines, in legend order
};

const std::vector<chart_spec>& charts() {
    static const std::vector<chart_spec> all = {
        {"throughput",
         "Throughput",
         {axis_kind::bytes_per_s, axis_kind::bytes_per_s},
         {"bytes per second", ""},
         {{"network in", {"net_in_bps"}, blue, 0, false},
          {"network out", {"net_out_bps"}, orange, 0, false},
          // stream and disk results folders call their goodput column differently
          {"goodput", {"goodput_bps", "goodput_bytes_per_s"}, green, 0, false},
          {"disk write", {"disk_write_bps"}, red, 0, false}}},
        {"latency",
         "Latency",
         {axis_kind::milliseconds, axis_kind::microseconds},
         {"request \xE2\x86\x92 piece latency", "disk write latency"},
         {{"request p50", {"request_ms_p50"}, blue, 0, true},
          {"request p90", {"request_ms_p90"}, orange, 0, true},
          {"request p99", {"request_ms_p99"}, red, 0, true},
          {"disk write p99", {"disk_write_us_p99"}, purple, 1, true}}},
        {"connections",
         "Connections",
         {axis_kind::count, axis_kind::count},
         {"connections", ""},
         {// a stream run's "connections" column counts open connections
          {"active", {"connections_active", "connections"}, blue, 0, false},
          {"half-open", {"connections_half_open"}, orange, 0, false}}},
    };
    return all;
}

// Dash patterns per run, in units of the line width; run 0 is solid.
const std::vector<std::vector<double>>& run_dashes() {
    static const std::vector<std::vector<double>> all = {
        {}, {4.0, 2.5}, {1.0, 1.8}, {5.0, 1.8, 1.0, 1.8}, {8.0, 2.5}, {2.5, 1.5, 2.5, 4.0},
    };
    return all;
}

// ---- [series] ----

// One metric of one run, ready to draw.
struct line_data {
    std::size_t run = 0;                 // index into runs (dash pattern)
    const metric_spec* metric = nullptr; // what it is
    int axis = 0;                        // effective axis (right moves left when left is empty)
    const std::vector<double>* t = nullptr;  // t_s column
    const std::vector<double>* y = nullptr;  // the metric's column
    double max_t = 0;                    // largest time with a value
    double max_y = 0;                    // largest value drawn
};

bool usable(const metric_spec& m, double t, double y) {
    return std::isfinite(t) && std::isfinite(y) && !(m.zero_is_gap && y == 0);
}

// The run's line for `m`, if it has the column and at least one point.
std::optional<line_data> find_line(const loaded_results& run, std::size_t index, const metric_spec& m) {
    auto t = run.series.find("t_s");
    if (t == run.series.end()) return std::nullopt;
    for (const char* column : m.columns) {
        auto y = run.series.find(column);
        if (y == run.series.end()) continue;
        line_data l;
        l.run = index;
        l.metric = &m;
        l.axis = m.axis;
        l.t = &t->second;
        l.y = &y->second;
        bool any = false;
        std::size_t n = std::min(l.t->size(), l.y->size());
        for (std::size_t i = 0; i < n; ++i) {
            double tv = (*l.t)[i], yv = (*l.y)[i];
            if (!usable(m, tv, yv)) continue;
            any = true;
            l.max_t = std::max(l.max_t, tv);
            l.max_y = std::max(l.max_y, yv);
        }
        if (any) return l;
        return std::nullopt;  // the first present column decides: no mixing across names
    }
    return std::nullopt;
}

std::vector<line_data> chart_lines(const chart_spec& chart, const std::vector<loaded_results>& runs) {
    std::vector<line_data> lines;
    for (const metric_spec& m : chart.metrics)
        for (std::size_t r = 0; r < runs.size(); ++r)
            if (auto l = find_line(runs[r], r, m)) lines.push_back(*l);
    // With nothing on the left axis, the right-hand metric takes the left.
    bool left_used = std::any_of(lines.begin(), lines.end(), [](const line_data& l) { return l.axis == 0; });
    if (!left_used)
        for (line_data& l : lines) l.axis = 0;
    return lines;
}

// ---- [text] ----

struct font_sizes {
    double base = 12;      // tick labels, legend
    double title = 17;     // headline
    double subtitle = 12;  // run name under the headline
};

void set_font(cairo_t* cr, double size, bool bold) {
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
}

double text_width(cairo_t* cr, const std::string& text, double size, bool bold = false) {
    set_font(cr, size, bold);
    cairo_text_extents_t e;
    cairo_text_extents(cr, text.c_str(), &e);
    return e.x_advance;
}

// Draws `text` with its anchor at (x, y): align_x 0 left, 0.5 centre, 1
// right; vertically centred on y (the middle of capital letters).
void draw_text(cairo_t* cr, const std::string& text, double x, double y, double size, rgb colour,
               double align_x, bool bold = false) {
    set_font(cr, size, bold);
    cairo_text_extents_t e;
    cairo_text_extents(cr, text.c_str(), &e);
    cairo_font_extents_t f;
    cairo_font_extents(cr, &f);
    // Centre on the ascent of the font, so rows of labels share a baseline
    // whatever letters they hold.
    double baseline = y + f.ascent * 0.36;
    cairo_set_source_rgb(cr, colour.r, colour.g, colour.b);
    cairo_move_to(cr, x - e.x_advance * align_x, baseline);
    cairo_show_text(cr, text.c_str());
    cairo_new_path(cr);
}

// Text turned to read bottom-to-top (angle -90 degrees) or top-to-bottom (+90), centred on (x, y).
void draw_vertical_text(cairo_t* cr, const std::string& text, double x, double y, double size, rgb colour,
                        bool upward) {
    cairo_save(cr);
    cairo_translate(cr, x, y);
    cairo_rotate(cr, upward ? -std::numbers::pi / 2 : std::numbers::pi / 2);
    draw_text(cr, text, 0, 0, size, colour, 0.5);
    cairo_restore(cr);
}

// ---- [layout] ----

struct legend_entry {
    std::string text;     // "network in" or "run-a: network in"
    rgb colour;           // the metric's colour
    std::size_t run = 0;  // the run's dash pattern
    double width = 0;     // swatch + text, measured
};

struct legend_row {
    std::vector<std::size_t> entries;  // indices into the entries
    double width = 0;                  // total, for centring
};

struct layout {
    double width = 0, height = 0;          // page
    font_sizes fonts;                      // sizes for this page
    double plot_x = 0, plot_y = 0;         // plot area, top-left
    double plot_w = 0, plot_h = 0;         // plot area size
    axis_scale y[2];                       // left and right value axes
    bool has_right = false;                // a right axis is drawn
    axis_scale x;                          // time ticks
    double x_end = 1;                      // time at the right edge, seconds
    std::vector<legend_entry> legend;      // one per line
    std::vector<legend_row> legend_rows;   // wrapped to the page width
    double legend_top = 0;                 // y of the first legend row's centre
    double row_height = 0;                 // legend row spacing
    double swatch = 0;                     // legend line sample length
};

std::vector<legend_row> wrap_legend(const std::vector<legend_entry>& entries, double max_width, double spacing) {
    std::vector<legend_row> rows;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        double w = entries[i].width;
        if (rows.empty() || (rows.back().width + spacing + w > max_width && !rows.back().entries.empty()))
            rows.emplace_back();
        legend_row& row = rows.back();
        row.width += (row.entries.empty() ? 0 : spacing) + w;
        row.entries.push_back(i);
    }
    return rows;
}

layout make_layout(cairo_t* cr, const chart_spec& chart, const std::vector<line_data>& lines,
                   const std::vector<loaded_results>& runs, int width, int height) {
    layout L;
    L.width = width;
    L.height = height;
    // Type scales gently with the page; 1200 x 600 gives 13 px labels.
    double base = std::clamp(std::min(width / 1.6, static_cast<double>(height)) / 46.0, 9.0, 22.0);
    L.fonts = {base, base * 1.45, base * 1.0};
    const double pad = base * 1.2;

    // Legend: one entry per line, wrapped across the page, at the bottom.
    L.swatch = base * 2.4;
    for (const line_data& l : lines) {
        legend_entry e;
        e.text = runs.size() > 1 ? runs[l.run].label + ": " + l.metric->name : l.metric->name;
        e.colour = l.metric->colour;
        e.run = l.run;
        e.width = L.swatch + base * 0.5 + text_width(cr, e.text, base);
        L.legend.push_back(std::move(e));
    }
    const double spacing = base * 1.6;
    L.legend_rows = wrap_legend(L.legend, width - 2 * pad, spacing);
    L.row_height = base * 1.7;

    // Vertical: title, subtitle, plot, x tick labels, x title, legend.
    double header = pad + L.fonts.title + base * 0.6 + L.fonts.subtitle + base * 0.9;
    double footer = base * 1.9 + base * 1.8 + L.row_height * static_cast<double>(L.legend_rows.size()) + pad * 0.7;
    L.plot_y = header;
    L.plot_h = std::max(height - header - footer, base * 4);
    L.legend_top = L.plot_y + L.plot_h + base * 1.9 + base * 1.8 + L.row_height * 0.5;

    // Value axes: the left one picks its tick count from the plot height;
    // the right one reuses it so both share the grid lines.
    double max_y[2] = {0, 0};
    bool used[2] = {false, false};
    L.x_end = 0;
    for (const line_data& l : lines) {
        max_y[l.axis] = std::max(max_y[l.axis], l.max_y);
        used[l.axis] = true;
        L.x_end = std::max(L.x_end, l.max_t);
    }
    if (!(L.x_end > 0)) L.x_end = 1;
    int target = std::clamp(static_cast<int>(L.plot_h / (base * 4.2)), 2, 10);
    L.y[0] = detail::make_value_axis(chart.kinds[0], max_y[0], target);
    L.has_right = used[1];
    if (L.has_right) L.y[1] = detail::make_aligned_axis(chart.kinds[1], max_y[1], L.y[0].intervals);

    // Horizontal: the widest tick label decides each side's margin.
    auto widest = [&](const axis_scale& a) {
        double w = 0;
        for (double t : a.ticks()) w = std::max(w, text_width(cr, a.label(t), base));
        return w;
    };
    double left = pad + base * 1.3 + base * 0.7 + widest(L.y[0]) + base * 0.6;
    double right = L.has_right ? base * 0.6 + widest(L.y[1]) + base * 0.7 + base * 1.3 + pad : pad * 2;
    L.plot_x = left;
    L.plot_w = std::max(width - left - right, base * 8);

    // Time ticks: about one per 7 label widths.
    int x_target = std::clamp(static_cast<int>(L.plot_w / (base * 7)), 2, 14);
    L.x = detail::make_time_axis(L.x_end, x_target);
    return L;
}

// ---- [drawing] ----

constexpr rgb ink{0.13, 0.13, 0.15};        // titles
constexpr rgb muted{0.33, 0.33, 0.36};      // tick labels, axis titles
constexpr rgb grid{0.89, 0.89, 0.91};       // grid lines
constexpr rgb frame{0.62, 0.62, 0.65};      // the axes themselves

void set_colour(cairo_t* cr, rgb c) { cairo_set_source_rgb(cr, c.r, c.g, c.b); }

// Crisp one-pixel lines land on pixel centres.
double crisp(double v) { return std::floor(v) + 0.5; }

void set_run_dash(cairo_t* cr, std::size_t run, double line_width) {
    const std::vector<double>& pattern = run_dashes()[run % run_dashes().size()];
    std::vector<double> scaled;
    for (double d : pattern) scaled.push_back(d * line_width);
    cairo_set_dash(cr, scaled.data(), static_cast<int>(scaled.size()), 0);
}

// Turns a series into cairo path segments, keeping at most four points per
// pixel column (first, lowest, highest, last), so an hour-long run does not
// become a 36,000-point SVG path yet every spike still shows.
class path_builder {
public:
    explicit path_builder(cairo_t* cr, double dot_radius) : cr_(cr), dot_radius_(dot_radius) {}

    void add(double x, double y) {
        long col = std::isfinite(x) && std::fabs(x) < 1e9 ? static_cast<long>(std::floor(x)) : LONG_MIN;
        if (!open_ || col != col_) {
            flush_bucket();
            open_ = true;
            col_ = col;
            first_ = lo_ = hi_ = last_ = {x, y, seq_};
        } else {
            last_ = {x, y, seq_};
            if (y < lo_.y) lo_ = last_;
            if (y > hi_.y) hi_ = last_;
        }
        ++seq_;
    }

    // A missing value: the line breaks here.
    void gap() {
        flush_bucket();
        end_segment();
    }

    void finish() { gap(); }

private:
    struct point {
        double x, y;      // device coordinates
        std::size_t seq;  // order of arrival, to emit a bucket's points in time order
    };

    void flush_bucket() {
        if (!open_) return;
        open_ = false;
        point mid[2] = {lo_, hi_};
        if (mid[0].seq > mid[1].seq) std::swap(mid[0], mid[1]);
        emit(first_);
        for (const point& p : mid) emit(p);
        emit(last_);
    }

    void emit(const point& p) {
        if (emitted_ > 0 && p.seq == previous_seq_) return;  // already emitted from this bucket
        if (emitted_ == 0) cairo_move_to(cr_, p.x, p.y);
        else cairo_line_to(cr_, p.x, p.y);
        previous_seq_ = p.seq;
        only_ = p;
        ++emitted_;
    }

    void end_segment() {
        // A lone point between gaps would be invisible as a path: mark it with a dot.
        if (emitted_ == 1) {
            cairo_new_sub_path(cr_);
            cairo_arc(cr_, only_.x, only_.y, dot_radius_, 0, 2 * std::numbers::pi);
        }
        emitted_ = 0;
    }

    cairo_t* cr_;                   // target; the caller strokes
    double dot_radius_;             // size of a lone point's dot
    bool open_ = false;             // a bucket is collecting points
    long col_ = 0;                  // the bucket's pixel column
    point first_{}, lo_{}, hi_{}, last_{};  // the bucket's kept points
    std::size_t seq_ = 0;           // points seen
    std::size_t previous_seq_ = 0;  // last point emitted
    std::size_t emitted_ = 0;       // points in the current segment
    point only_{};                  // the segment's point, if it has one
};

void draw_line(cairo_t* cr, const layout& L, const line_data& l) {
    const axis_scale& axis = L.y[l.axis];
    double top = axis.top();
    double line_width = std::max(1.5, L.fonts.base / 6.5);
    path_builder path(cr, line_width * 0.9);
    std::size_t n = std::min(l.t->size(), l.y->size());
    for (std::size_t i = 0; i < n; ++i) {
        double t = (*l.t)[i], v = (*l.y)[i];
        if (!usable(*l.metric, t, v)) {
            path.gap();
            continue;
        }
        double x = L.plot_x + t / L.x_end * L.plot_w;
        double y = L.plot_y + L.plot_h - v / top * L.plot_h;
        path.add(x, y);
    }
    path.finish();
    set_colour(cr, l.metric->colour);
    cairo_set_line_width(cr, line_width);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
    set_run_dash(cr, l.run, line_width);
    cairo_stroke(cr);
    cairo_set_dash(cr, nullptr, 0, 0);
}

std::string subtitle_for(const std::vector<loaded_results>& runs) {
    if (runs.size() != 1) return std::to_string(runs.size()) + " runs";
    const loaded_results& r = runs.front();
    std::string s = r.label;
    const nlohmann::json& d = r.document;
    auto add = [&s](const nlohmann::json& j, const char* a, const char* b) {
        if (!j.is_object() || !j.contains(a) || !j[a].is_object()) return;
        const nlohmann::json& v = j[a];
        if (v.contains(b) && v[b].is_string() && !v[b].get<std::string>().empty())
            s += "  \xC2\xB7  " + v[b].get<std::string>();
    };
    add(d, "config", "mode");
    add(d, "environment", "backend");
    return s;
}

void draw_axes(cairo_t* cr, const layout& L, const chart_spec& chart, const std::vector<line_data>& lines) {
    const double base = L.fonts.base;
    const double bottom = L.plot_y + L.plot_h;
    const double right = L.plot_x + L.plot_w;

    // Grid: one horizontal line per value tick, one vertical per time tick.
    cairo_set_line_width(cr, 1);
    set_colour(cr, grid);
    for (double t : L.y[0].ticks()) {
        double y = crisp(bottom - t / L.y[0].top() * L.plot_h);
        cairo_move_to(cr, L.plot_x, y);
        cairo_line_to(cr, right, y);
    }
    for (double t : L.x.ticks()) {
        double x = crisp(L.plot_x + t / L.x_end * L.plot_w);
        cairo_move_to(cr, x, L.plot_y);
        cairo_line_to(cr, x, bottom);
    }
    cairo_stroke(cr);

    // The axes: left and bottom, plus the right one on dual charts.
    set_colour(cr, frame);
    cairo_move_to(cr, crisp(L.plot_x), L.plot_y);
    cairo_line_to(cr, crisp(L.plot_x), crisp(bottom));
    cairo_line_to(cr, right, crisp(bottom));
    if (L.has_right) {
        cairo_move_to(cr, crisp(right), L.plot_y);
        cairo_line_to(cr, crisp(right), crisp(bottom));
    }
    cairo_stroke(cr);

    // Tick labels.
    for (double t : L.y[0].ticks())
        draw_text(cr, L.y[0].label(t), L.plot_x - base * 0.6, bottom - t / L.y[0].top() * L.plot_h, base, muted, 1);
    if (L.has_right)
        for (double t : L.y[1].ticks())
            draw_text(cr, L.y[1].label(t), right + base * 0.6, bottom - t / L.y[1].top() * L.plot_h, base, muted, 0);
    for (double t : L.x.ticks())
        draw_text(cr, L.x.label(t), L.plot_x + t / L.x_end * L.plot_w, bottom + base * 1.1, base, muted, 0.5);

    // Axis titles. A dual chart names each side by what it measures; when
    // the right-hand metric had to move left (no left data), so does its title.
    bool left_is_right_metric =
        !lines.empty() && std::all_of(lines.begin(), lines.end(), [](const line_data& l) { return l.metric->axis == 1; });
    std::string left_title = chart.axis_titles[left_is_right_metric ? 1 : 0];
    draw_vertical_text(cr, left_title, base * 1.2 + base * 0.65, L.plot_y + L.plot_h / 2,
                       base, muted, true);
    if (L.has_right) {
        // One metric on the right: its title takes the line's colour, so the
        // eye pairs the two without the legend.
        const metric_spec* right_metric = nullptr;
        bool single = true;
        for (const line_data& l : lines) {
            if (l.axis != 1) continue;
            if (right_metric != nullptr && right_metric != l.metric) single = false;
            right_metric = l.metric;
        }
        rgb title_colour = single && right_metric != nullptr ? right_metric->colour : muted;
        draw_vertical_text(cr, chart.axis_titles[1], L.width - base * 1.2 - base * 0.65, L.plot_y + L.plot_h / 2, base,
                           title_colour, false);
    }
    draw_text(cr, "time (s)", L.plot_x + L.plot_w / 2, bottom + base * 1.1 + base * 1.8, base, muted, 0.5);
}

void draw_legend(cairo_t* cr, const layout& L) {
    const double base = L.fonts.base;
    const double spacing = base * 1.6;
    double line_width = std::max(1.5, base / 6.5);
    for (std::size_t r = 0; r < L.legend_rows.size(); ++r) {
        const legend_row& row = L.legend_rows[r];
        double x = (L.width - row.width) / 2;
        double y = L.legend_top + L.row_height * static_cast<double>(r);
        for (std::size_t i : row.entries) {
            const legend_entry& e = L.legend[i];
            set_colour(cr, e.colour);
            cairo_set_line_width(cr, line_width * 1.3);
            set_run_dash(cr, e.run, line_width * 1.3);
            cairo_move_to(cr, x, y);
            cairo_line_to(cr, x + L.swatch, y);
            cairo_stroke(cr);
            cairo_set_dash(cr, nullptr, 0, 0);
            draw_text(cr, e.text, x + L.swatch + base * 0.5, y, base, ink, 0);
            x += e.width + spacing;
        }
    }
}

// Steering changes and injected faults (results.json "events") as dashed
// vertical lines with their text running up beside them, so a graph shows why
// its lines bend. With several runs the text names the run. Events past the
// time axis (after the last sample) are left out.
void draw_events(cairo_t* cr, const layout& L, const std::vector<loaded_results>& runs) {
    constexpr rgb event_colour{0.55, 0.45, 0.10};
    const double size = L.fonts.base * 0.85;
    for (const loaded_results& run : runs) {
        const nlohmann::json* events = run.document.is_object() && run.document.contains("events")
                                           ? &run.document["events"]
                                           : nullptr;
        if (events == nullptr || !events->is_array()) continue;
        for (const auto& e : *events) {
            if (!e.is_object() || !e.contains("t_s") || !e["t_s"].is_number() || !e.contains("what") ||
                !e["what"].is_string())
                continue;
            const double t = e["t_s"].get<double>();
            if (!(t >= 0 && t <= L.x_end)) continue;
            const double x = crisp(L.plot_x + t / L.x_end * L.plot_w);
            cairo_set_source_rgba(cr, event_colour.r, event_colour.g, event_colour.b, 0.8);
            cairo_set_line_width(cr, 1);
            const double dash[] = {4, 3};
            cairo_set_dash(cr, dash, 2, 0);
            cairo_move_to(cr, x, L.plot_y);
            cairo_line_to(cr, x, L.plot_y + L.plot_h);
            cairo_stroke(cr);
            cairo_set_dash(cr, nullptr, 0, 0);
            std::string text = e["what"].get<std::string>();
            if (runs.size() > 1) text = run.label + ": " + text;
            const double w = text_width(cr, text, size);
            draw_vertical_text(cr, text, x + size * 0.7, L.plot_y + std::min(w, L.plot_h) / 2 + 2, size,
                               event_colour, true);
        }
    }
}

void draw_chart(cairo_t* cr, const chart_spec& chart, const std::vector<line_data>& lines,
                const std::vector<loaded_results>& runs, const graph_options& options) {
    layout L = make_layout(cr, chart, lines, runs, options.width, options.height);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);

    const double pad = L.fonts.base * 1.2;
    draw_text(cr, std::string(chart.title) + options.title_suffix, L.width / 2, pad + L.fonts.title * 0.5,
              L.fonts.title, ink, 0.5, true);
    draw_text(cr, subtitle_for(runs), L.width / 2, pad + L.fonts.title + L.fonts.base * 0.6 + L.fonts.subtitle * 0.5,
              L.fonts.subtitle, muted, 0.5);

    draw_axes(cr, L, chart, lines);
    cairo_save(cr);
    cairo_rectangle(cr, L.plot_x, L.plot_y - 2, L.plot_w + 1, L.plot_h + 3);  // lines at 0 or top stay whole
    cairo_clip(cr);
    for (const line_data& l : lines) draw_line(cr, L, l);
    draw_events(cr, L, runs);
    cairo_restore(cr);
    draw_legend(cr, L);
}

// ---- [files] ----

std::string errno_text(int err) { return std::generic_category().message(err); }

cairo_status_t write_to_file(void* closure, const unsigned char* data, unsigned int length) {
    auto* f = static_cast<std::FILE*>(closure);
    return std::fwrite(data, 1, length, f) == length ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

// Writes through `path`.tmp then renames, so a viewer reloading the file
// never shows half an image. `render` draws into a surface and finishes it.
template <class Render>
std::optional<std::string> write_atomically(const fs::path& path, Render render) {
    fs::path tmp = path;
    tmp += ".tmp";
    std::FILE* f = std::fopen(tmp.string().c_str(), "wb");
    if (f == nullptr) return "cannot write " + path.string() + ": " + errno_text(errno);
    errno = 0;
    cairo_status_t status = render(f);
    int err = errno;
    bool closed = std::fclose(f) == 0;
    int close_err = errno;
    std::error_code ec;
    if (status != CAIRO_STATUS_SUCCESS || !closed) {
        fs::remove(tmp, ec);
        std::string why = status == CAIRO_STATUS_WRITE_ERROR && err != 0 ? errno_text(err)
                          : status != CAIRO_STATUS_SUCCESS              ? cairo_status_to_string(status)
                                                                         : errno_text(close_err);
        return "cannot write " + path.string() + ": " + why;
    }
    fs::rename(tmp, path, ec);
    if (ec) {
        std::error_code ignored;
        fs::remove(tmp, ignored);
        return "cannot write " + path.string() + ": " + ec.message();
    }
    return std::nullopt;
}

std::optional<std::string> write_png(const fs::path& path, const chart_spec& chart, const std::vector<line_data>& lines,
                                     const std::vector<loaded_results>& runs, const graph_options& options) {
    return write_atomically(path, [&](std::FILE* f) {
        cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, options.width, options.height);
        cairo_t* cr = cairo_create(surface);
        draw_chart(cr, chart, lines, runs, options);
        cairo_status_t status = cairo_status(cr);
        cairo_destroy(cr);
        if (status == CAIRO_STATUS_SUCCESS) status = cairo_surface_write_to_png_stream(surface, write_to_file, f);
        cairo_surface_destroy(surface);
        return status;
    });
}

std::optional<std::string> write_svg(const fs::path& path, const chart_spec& chart, const std::vector<line_data>& lines,
                                     const std::vector<loaded_results>& runs, const graph_options& options) {
    return write_atomically(path, [&](std::FILE* f) {
        cairo_surface_t* surface = cairo_svg_surface_create_for_stream(write_to_file, f, options.width, options.height);
        cairo_t* cr = cairo_create(surface);
        draw_chart(cr, chart, lines, runs, options);
        cairo_status_t status = cairo_status(cr);
        cairo_destroy(cr);
        cairo_surface_finish(surface);  // writes the document out
        if (status == CAIRO_STATUS_SUCCESS) status = cairo_surface_status(surface);
        cairo_surface_destroy(surface);
        return status;
    });
}

}  // namespace

graph_output render_graphs(const std::vector<loaded_results>& runs, const fs::path& out_dir,
                           const graph_options& options) {
    graph_output out;
    if (options.width < 320 || options.width > 16384 || options.height < 200 || options.height > 16384) {
        out.errors.push_back("graph size " + std::to_string(options.width) + "x" + std::to_string(options.height) +
                             ": must be 320..16384 x 200..16384");
        return out;
    }
    bool created = false;
    for (const chart_spec& chart : charts()) {
        std::vector<line_data> lines = chart_lines(chart, runs);
        if (lines.empty()) continue;  // no run has this graph's columns: not an error
        if (!created) {
            std::error_code ec;
            fs::create_directories(out_dir, ec);
            if (ec) {
                out.errors.push_back("cannot create " + out_dir.string() + ": " + ec.message());
                return out;
            }
            created = true;
        }
        fs::path png = out_dir / (std::string(chart.file) + ".png");
        fs::path svg = out_dir / (std::string(chart.file) + ".svg");
        if (auto e = write_png(png, chart, lines, runs, options)) out.errors.push_back(*e);
        else out.files.push_back(png);
        if (auto e = write_svg(svg, chart, lines, runs, options)) out.errors.push_back(*e);
        else out.files.push_back(svg);
    }
    return out;
}

}  // namespace swarmbench
