// png_absent: built without cairo (SWARMBENCH_WITH_GRAPHS=OFF).
#include "png.hpp"

namespace swarmbench::gui {

std::optional<std::string> write_png(const std::filesystem::path& path, int, int, const std::vector<std::uint8_t>&) {
    return "cannot write " + path.string() + ": built without cairo (install libcairo2-dev, SWARMBENCH_WITH_GRAPHS=ON)";
}

}  // namespace swarmbench::gui
