#include "swarmbench/log.hpp"

#include <spdlog/sinks/dist_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>

namespace swarmbench {

namespace {

struct shared_logger {
    std::shared_ptr<spdlog::sinks::dist_sink_mt> fan_out;  // the logger's only sink of ours
    std::shared_ptr<spdlog::logger> logger;                // "swarmbench"
};

shared_logger& instance() {
    // Created once; spdlog's registry is thread-safe, the static init too.
    static shared_logger s = [] {
        shared_logger out;
        out.fan_out = std::make_shared<spdlog::sinks::dist_sink_mt>();
        if (auto existing = spdlog::get("swarmbench")) {
            // Someone made it first: leave its sinks and add the fan-out, here,
            // before this function has handed the logger to anyone.
            existing->sinks().push_back(out.fan_out);
            out.logger = existing;
            return out;
        }
        auto to_stderr = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
        to_stderr->set_pattern("[%H:%M:%S.%e] [%^%l%$] %v");
        out.fan_out->add_sink(to_stderr);
        out.logger = std::make_shared<spdlog::logger>("swarmbench", out.fan_out);
        out.logger->set_level(spdlog::level::info);
        spdlog::register_logger(out.logger);
        return out;
    }();
    return s;
}

}  // namespace

spdlog::logger& log() { return *instance().logger; }

void add_log_sink(std::shared_ptr<spdlog::sinks::sink> sink) { instance().fan_out->add_sink(std::move(sink)); }

void remove_log_sink(const std::shared_ptr<spdlog::sinks::sink>& sink) { instance().fan_out->remove_sink(sink); }

bool set_log_level(std::string_view level) {
    auto parsed = spdlog::level::from_str(std::string(level));
    // from_str maps unknown names to "off"; only accept "off" when asked for.
    if (parsed == spdlog::level::off && level != "off") return false;
    log().set_level(parsed);
    return true;
}

}  // namespace swarmbench
