// png: writes RGBA pixels as a PNG file (the --screenshot and the icon).
//
// Thread rules: reentrant.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace swarmbench::gui {

/// `rgba` is width x height pixels, 4 bytes each, top row first,
/// non-premultiplied. Returns the error ("cannot write X: ...") or nullopt.
std::optional<std::string> write_png(const std::filesystem::path& path, int width, int height,
                                     const std::vector<std::uint8_t>& rgba);

}  // namespace swarmbench::gui
