// png_cairo: write_png through cairo's image surface (cairo is already a
// dependency of swarmbench::graphs).
#include <cairo.h>

#include "png.hpp"

namespace swarmbench::gui {

std::optional<std::string> write_png(const std::filesystem::path& path, int width, int height,
                                     const std::vector<std::uint8_t>& rgba) {
    if (width <= 0 || height <= 0 || rgba.size() < static_cast<std::size_t>(width) * height * 4)
        return "cannot write " + path.string() + ": no pixels";
    cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, width, height);
    if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(surface);
        return "cannot write " + path.string() + ": out of memory";
    }
    cairo_surface_flush(surface);
    unsigned char* data = cairo_image_surface_get_data(surface);
    const int stride = cairo_image_surface_get_stride(surface);
    for (int y = 0; y < height; ++y) {
        auto* row = reinterpret_cast<std::uint32_t*>(data + static_cast<std::size_t>(y) * stride);
        const std::uint8_t* src = rgba.data() + static_cast<std::size_t>(y) * width * 4;
        for (int x = 0; x < width; ++x) {
            // cairo wants premultiplied ARGB in native-endian 32-bit words.
            const std::uint32_t a = src[4 * x + 3];
            const std::uint32_t r = src[4 * x + 0] * a / 255;
            const std::uint32_t g = src[4 * x + 1] * a / 255;
            const std::uint32_t b = src[4 * x + 2] * a / 255;
            row[x] = (a << 24) | (r << 16) | (g << 8) | b;
        }
    }
    cairo_surface_mark_dirty(surface);
    const cairo_status_t status = cairo_surface_write_to_png(surface, path.string().c_str());
    cairo_surface_destroy(surface);
    if (status != CAIRO_STATUS_SUCCESS)
        return "cannot write " + path.string() + ": " + cairo_status_to_string(status);
    return std::nullopt;
}

}  // namespace swarmbench::gui
