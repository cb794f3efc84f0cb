#include "icon.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace swarmbench::gui {

namespace {

struct rgba {
    float r, g, b, a;  // 0..1, straight alpha
};

/// Source-over of `c` with coverage `k` onto pixel `p`.
void blend(rgba& p, const rgba& c, float k) {
    const float a = std::clamp(c.a * k, 0.0f, 1.0f);
    const float out_a = a + p.a * (1 - a);
    if (out_a <= 0) return;
    p.r = (c.r * a + p.r * p.a * (1 - a)) / out_a;
    p.g = (c.g * a + p.g * p.a * (1 - a)) / out_a;
    p.b = (c.b * a + p.b * p.a * (1 - a)) / out_a;
    p.a = out_a;
}

/// Coverage of a signed distance (negative inside) with a one-pixel ramp.
float coverage(float d) { return std::clamp(0.5f - d, 0.0f, 1.0f); }

float segment_distance(float px, float py, float ax, float ay, float bx, float by) {
    const float vx = bx - ax, vy = by - ay;
    const float t = std::clamp(((px - ax) * vx + (py - ay) * vy) / (vx * vx + vy * vy), 0.0f, 1.0f);
    return std::hypot(px - (ax + t * vx), py - (ay + t * vy));
}

}  // namespace

std::vector<std::uint8_t> draw_icon(int size) {
    const float s = static_cast<float>(size);
    constexpr int ring = 6;
    constexpr float pi = 3.14159265f;
    std::array<std::array<float, 2>, ring> peers{};
    for (int i = 0; i < ring; ++i) {
        const float a = -pi / 2 + 2 * pi * static_cast<float>(i) / ring;
        peers[i] = {0.5f * s + 0.31f * s * std::cos(a), 0.5f * s + 0.31f * s * std::sin(a)};
    }
    const rgba background{0.10f, 0.13f, 0.20f, 1};
    const rgba link{0.35f, 0.75f, 0.95f, 0.85f};
    const rgba ring_link{0.35f, 0.75f, 0.95f, 0.35f};
    const rgba leecher{0.30f, 0.85f, 0.55f, 1};
    const rgba seeder{1.00f, 0.72f, 0.25f, 1};

    std::vector<std::uint8_t> out(static_cast<std::size_t>(size) * size * 4);
    for (int y = 0; y < size; ++y) {
        for (int x = 0; x < size; ++x) {
            const float px = static_cast<float>(x) + 0.5f, py = static_cast<float>(y) + 0.5f;
            rgba p{0, 0, 0, 0};
            // Rounded square: distance to a box with corner radius r.
            const float r = 0.18f * s, half = 0.5f * s - 0.5f;
            const float qx = std::fabs(px - 0.5f * s) - (half - r), qy = std::fabs(py - 0.5f * s) - (half - r);
            const float box = std::hypot(std::max(qx, 0.0f), std::max(qy, 0.0f)) + std::min(std::max(qx, qy), 0.0f) - r;
            blend(p, background, coverage(box));
            const float line_w = std::max(1.0f, 0.025f * s);
            for (int i = 0; i < ring; ++i) {
                const auto& a = peers[i];
                const auto& b = peers[(i + 1) % ring];
                blend(p, ring_link, coverage(segment_distance(px, py, a[0], a[1], b[0], b[1]) - line_w * 0.5f));
                blend(p, link, coverage(segment_distance(px, py, 0.5f * s, 0.5f * s, a[0], a[1]) - line_w * 0.6f));
            }
            for (const auto& c : peers) blend(p, leecher, coverage(std::hypot(px - c[0], py - c[1]) - 0.085f * s));
            blend(p, seeder, coverage(std::hypot(px - 0.5f * s, py - 0.5f * s) - 0.13f * s));
            std::uint8_t* o = out.data() + (static_cast<std::size_t>(y) * size + x) * 4;
            o[0] = static_cast<std::uint8_t>(std::lround(p.r * 255));
            o[1] = static_cast<std::uint8_t>(std::lround(p.g * 255));
            o[2] = static_cast<std::uint8_t>(std::lround(p.b * 255));
            o[3] = static_cast<std::uint8_t>(std::lround(p.a * 255));
        }
    }
    return out;
}

}  // namespace swarmbench::gui
