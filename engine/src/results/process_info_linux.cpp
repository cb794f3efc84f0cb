// Linux sources of the process and machine facts in stats.hpp and
// results.hpp: /proc/self/statm, getrusage, uname, /proc/cpuinfo.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <thread>

#include "swarmbench/results.hpp"
#include "swarmbench/stats.hpp"

namespace swarmbench {

std::uint64_t process_rss_bytes() noexcept {
    // Opened once and kept: the figure matters most when descriptors run out
    // (10,000 connections), which is exactly when a fresh open would fail.
    static const int fd = ::open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    char buf[128];
    ssize_t n = ::pread(fd, buf, sizeof(buf) - 1, 0);
    if (n <= 0) return 0;
    buf[n] = '\0';
    unsigned long long size = 0, resident = 0;
    if (std::sscanf(buf, "%llu %llu", &size, &resident) != 2) return 0;
    return static_cast<std::uint64_t>(resident) * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

double process_cpu_seconds() noexcept {
    rusage ru{};
    if (::getrusage(RUSAGE_SELF, &ru) != 0) return 0;
    auto seconds = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6; };
    return seconds(ru.ru_utime) + seconds(ru.ru_stime);
}

namespace {
std::string cpu_model() {
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line)) {
        // x86: "model name"; arm64 has no model name, only "CPU part"/"Hardware".
        if (line.rfind("model name", 0) == 0 || line.rfind("Hardware", 0) == 0) {
            auto colon = line.find(':');
            if (colon != std::string::npos) {
                auto start = line.find_first_not_of(" \t", colon + 1);
                return start == std::string::npos ? std::string() : line.substr(start);
            }
        }
    }
    return "unknown";
}
}  // namespace

environment_info detect_environment() {
    environment_info env;
    utsname u{};
    if (::uname(&u) == 0) {
        env.os = u.sysname;
        env.kernel = std::string(u.release) + " " + u.version + " " + u.machine;
    } else {
        env.os = "Linux";
    }
    env.cpu_model = cpu_model();
    env.cores = std::thread::hardware_concurrency();
    env.swarmbench_version = version();
    env.backend = "none";
    return env;
}

}  // namespace swarmbench
