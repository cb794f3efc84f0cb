// png_probe without cairo: nothing can decode the file here.
#include "png_probe.hpp"

namespace swarmbench::test {

png_probe_result probe_png(const std::filesystem::path& /*path*/) {
    png_probe_result r;
    r.error = "built without cairo";
    return r;
}

}  // namespace swarmbench::test
