// png_probe through cairo_image_surface_create_from_png.
#include <cairo.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>

#include "png_probe.hpp"

namespace swarmbench::test {

png_probe_result probe_png(const std::filesystem::path& path) {
    png_probe_result r;
    cairo_surface_t* s = cairo_image_surface_create_from_png(path.string().c_str());
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        r.error = cairo_status_to_string(cairo_surface_status(s));
        cairo_surface_destroy(s);
        return r;
    }
    cairo_surface_flush(s);
    r.ok = true;
    r.width = cairo_image_surface_get_width(s);
    r.height = cairo_image_surface_get_height(s);
    const unsigned char* data = cairo_image_surface_get_data(s);
    const int stride = cairo_image_surface_get_stride(s);
    auto pixel = [&](int x, int y) {
        std::uint32_t v;
        std::copy_n(data + static_cast<std::ptrdiff_t>(y) * stride + x * 4, 4, reinterpret_cast<unsigned char*>(&v));
        return v;
    };
    auto channel = [](std::uint32_t v, int shift) { return static_cast<int>((v >> shift) & 0xff); };
    const std::uint32_t bg = pixel(0, 0);
    for (int y = 0; y < r.height; ++y) {
        for (int x = 0; x < r.width; ++x) {
            std::uint32_t p = pixel(x, y);
            int rr = channel(p, 16), gg = channel(p, 8), bb = channel(p, 0);
            int diff = std::max({std::abs(rr - channel(bg, 16)), std::abs(gg - channel(bg, 8)),
                                 std::abs(bb - channel(bg, 0))});
            if (diff > 40) ++r.ink_pixels;
            if (std::max({rr, gg, bb}) - std::min({rr, gg, bb}) > 80) ++r.colour_pixels;
        }
    }
    cairo_surface_destroy(s);
    return r;
}

}  // namespace swarmbench::test
