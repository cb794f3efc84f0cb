// os_probes: what the swarm tests ask the operating system before they run,
// answered by os_probes_posix.cpp or os_probes_win.cpp (one per OS, chosen
// by CMake), so the test files themselves stay free of OS calls.
//
// Thread rules: any thread; the calls are synchronous and touch no engine
// state.
#pragma once

#include <filesystem>
#include <string>

namespace swarmbench::test {

/// Why `dir` refuses unbuffered file I/O (O_DIRECT on POSIX, where tmpfs
/// before Linux 6.6 refuses it; FILE_FLAG_NO_BUFFERING on Windows), or empty
/// if an aligned 4 KiB unbuffered write works there. Probed with the OS's own
/// calls, not the engine's, so an engine bug cannot turn into a skip.
std::string direct_refused(const std::filesystem::path& dir);

}  // namespace swarmbench::test
