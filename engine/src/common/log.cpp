#include "swarmbench/log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>

namespace swarmbench {

spdlog::logger& log() {
    // Created once; spdlog's registry is thread-safe, the static init too.
    static std::shared_ptr<spdlog::logger> logger = [] {
        auto existing = spdlog::get("swarmbench");
        if (existing) return existing;
        auto l = spdlog::stderr_color_mt("swarmbench");
        l->set_pattern("[%H:%M:%S.%e] [%^%l%$] %v");
        l->set_level(spdlog::level::info);
        return l;
    }();
    return *logger;
}

bool set_log_level(std::string_view level) {
    auto parsed = spdlog::level::from_str(std::string(level));
    // from_str maps unknown names to "off"; only accept "off" when asked for.
    if (parsed == spdlog::level::off && level != "off") return false;
    log().set_level(parsed);
    return true;
}

}  // namespace swarmbench
