// os_probes_win: the Windows answers to os_probes.hpp (a
// FILE_FLAG_NO_BUFFERING probe with CreateFileW/WriteFile).
//
// Thread rules: any thread (see os_probes.hpp).
// clang-format off
#include <windows.h>
// clang-format on

#include <cstring>
#include <string>
#include <system_error>

#include "os_probes.hpp"
#include "swarmbench/buffer_pool.hpp"

namespace swarmbench::test {
namespace {

std::string win_message(DWORD code) {
    return std::error_code(static_cast<int>(code), std::system_category()).message();
}

}  // namespace

std::string direct_refused(const std::filesystem::path& dir) {
    const std::filesystem::path path = dir / "direct-probe.bin";
    const HANDLE h = ::CreateFileW(path.c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr, CREATE_ALWAYS,
                                   FILE_ATTRIBUTE_NORMAL | FILE_FLAG_NO_BUFFERING | FILE_FLAG_DELETE_ON_CLOSE, nullptr);
    if (h == INVALID_HANDLE_VALUE) {
        const DWORD err = ::GetLastError();  // before anything else can change it
        return "the temp filesystem (" + dir.string() + ") refuses FILE_FLAG_NO_BUFFERING: " + win_message(err) +
               " (set TMP to a directory on a local disk to run this test)";
    }
    const aligned_bytes page = allocate_aligned(4096);
    std::memset(page.get(), 0, 4096);
    DWORD written = 0;
    const bool ok = ::WriteFile(h, page.get(), 4096, &written, nullptr) != 0;
    const DWORD err = ::GetLastError();
    ::CloseHandle(h);  // FILE_FLAG_DELETE_ON_CLOSE removes the probe
    if (!ok)
        return "an aligned unbuffered write in " + dir.string() + " failed: " + win_message(err) +
               " (set TMP to a directory on a local disk)";
    if (written != 4096)
        return "an aligned unbuffered write in " + dir.string() + " wrote " + std::to_string(written) +
               " of 4096 bytes (set TMP to a directory on a local disk)";
    return {};
}

}  // namespace swarmbench::test
