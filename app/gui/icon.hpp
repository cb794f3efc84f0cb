// icon: the app's icon, drawn in code (no third-party artwork): a swarm of
// peers, one bright seeder in the middle linked to a ring of leechers, on a
// dark rounded square. Used for glfwSetWindowIcon and assets/icon.png.
//
// Thread rules: pure function; any thread.
#pragma once

#include <cstdint>
#include <vector>

namespace swarmbench::gui {

/// size x size RGBA pixels (non-premultiplied, top row first).
std::vector<std::uint8_t> draw_icon(int size);

}  // namespace swarmbench::gui
