// png_probe: reads a PNG back for the graphs tests (size, and how much of it
// differs from the background). Through cairo when the build has it; the
// absent variant reports that it cannot look, and the tests have skipped
// before asking.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

namespace swarmbench::test {

struct png_probe_result {
    bool ok = false;              // the file decoded as a PNG
    std::string error;            // why not
    int width = 0;                // pixels
    int height = 0;               // pixels
    std::size_t ink_pixels = 0;   // pixels far from the top-left (background) colour
    std::size_t colour_pixels = 0;  // pixels clearly coloured (not grey): the data lines
};

png_probe_result probe_png(const std::filesystem::path& path);

}  // namespace swarmbench::test
