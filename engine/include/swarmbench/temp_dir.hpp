// temp_dir: a new, uniquely named directory, portably (mkdtemp is POSIX-only).
//
// Thread rules: any thread; concurrent callers get different directories.
#pragma once

#include <filesystem>
#include <string_view>
#include <system_error>

namespace swarmbench {

/// Creates `<parent>/<prefix><random>` and returns its path; `parent` empty
/// means the system's temporary directory ($TMPDIR, /tmp, %TEMP%). On
/// failure returns an empty path with `ec` set to the last reason.
std::filesystem::path make_temp_dir(std::string_view prefix, std::error_code& ec,
                                    const std::filesystem::path& parent = {});

}  // namespace swarmbench
