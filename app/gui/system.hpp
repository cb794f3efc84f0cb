// system: the few OS calls the app needs, one file per OS.
//
// Thread rules: call from the main thread at start-up.
#pragma once

#include <cstdint>

namespace swarmbench::gui {

/// Raises the soft open-file limit to the hard one (thousands of
/// connections need descriptors). Returns the new soft limit, 0 if unknown.
std::uint64_t raise_open_file_limit() noexcept;

}  // namespace swarmbench::gui
