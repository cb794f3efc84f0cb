#include "system.hpp"

namespace swarmbench::gui {

// Windows has no per-process descriptor limit to raise for sockets.
std::uint64_t raise_open_file_limit() noexcept { return 0; }

}  // namespace swarmbench::gui
