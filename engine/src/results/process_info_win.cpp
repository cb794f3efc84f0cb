// Windows sources of the process and machine facts in stats.hpp and
// results.hpp: GetProcessMemoryInfo, GetProcessTimes, RtlGetVersion (the
// version GetVersionEx would hide behind its compatibility shim), and the
// processor name from the registry.
#include <windows.h>
#include <psapi.h>

#include <string>
#include <thread>

#include "swarmbench/results.hpp"
#include "swarmbench/stats.hpp"

namespace swarmbench {

std::uint64_t process_rss_bytes() noexcept {
    PROCESS_MEMORY_COUNTERS pmc{};
    pmc.cb = sizeof(pmc);
    if (!GetProcessMemoryInfo(GetCurrentProcess(), &pmc, sizeof(pmc))) return 0;
    return pmc.WorkingSetSize;
}

double process_cpu_seconds() noexcept {
    FILETIME created{}, exited{}, kernel{}, user{};
    if (!GetProcessTimes(GetCurrentProcess(), &created, &exited, &kernel, &user)) return 0;
    auto seconds = [](const FILETIME& ft) {  // 100 ns units
        return static_cast<double>((static_cast<std::uint64_t>(ft.dwHighDateTime) << 32) | ft.dwLowDateTime) / 1e7;
    };
    return seconds(kernel) + seconds(user);
}

namespace {

std::string os_version() {
    using rtl_get_version_fn = LONG(WINAPI*)(OSVERSIONINFOW*);
    HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
    auto fn = ntdll ? reinterpret_cast<rtl_get_version_fn>(
                          reinterpret_cast<void*>(GetProcAddress(ntdll, "RtlGetVersion")))
                    : nullptr;
    OSVERSIONINFOW v{};
    v.dwOSVersionInfoSize = sizeof(v);
    if (!fn || fn(&v) != 0) return "unknown";
    std::string out = std::to_string(v.dwMajorVersion) + "." + std::to_string(v.dwMinorVersion) + "." +
                      std::to_string(v.dwBuildNumber);
    // Wine says so in ntdll; results taken under it are for correctness only.
    if (ntdll && GetProcAddress(ntdll, "wine_get_version")) out += " (Wine)";
    return out;
}

std::string cpu_model() {
    char name[256] = {};
    DWORD size = sizeof(name);
    if (RegGetValueA(HKEY_LOCAL_MACHINE, "HARDWARE\\DESCRIPTION\\System\\CentralProcessor\\0",
                     "ProcessorNameString", RRF_RT_REG_SZ, nullptr, name, &size) != ERROR_SUCCESS)
        return "unknown";
    std::string s(name);
    const auto start = s.find_first_not_of(' ');
    return start == std::string::npos ? std::string("unknown") : s.substr(start);
}

}  // namespace

environment_info detect_environment() {
    environment_info env;
    env.os = "Windows";
    env.kernel = os_version();
    env.cpu_model = cpu_model();
    env.cores = std::thread::hardware_concurrency();
    env.swarmbench_version = version();
    env.backend = "none";
    return env;
}

}  // namespace swarmbench
