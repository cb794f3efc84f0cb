#include "swarmbench/log.hpp"

#include <mutex>

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/dist_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>

namespace swarmbench {

namespace {

/// The stderr colour sink, with the hook of set_stderr_log_around() around
/// each line. base_sink's mutex, held while a line is written, also guards
/// the hook, so setting it waits for a line in progress.
class stderr_sink final : public spdlog::sinks::base_sink<std::mutex> {
public:
    stderr_sink() : inner_(std::make_shared<spdlog::sinks::stderr_color_sink_st>()) {}

    void set_around(log_around_fn around) {
        std::lock_guard lock(mutex_);
        around_ = std::move(around);
    }

protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        if (!around_) {
            inner_->log(msg);
            return;
        }
        around_([&] {
            inner_->log(msg);
            inner_->flush();
        });
    }
    void flush_() override { inner_->flush(); }
    void set_pattern_(const std::string& pattern) override { inner_->set_pattern(pattern); }
    void set_formatter_(std::unique_ptr<spdlog::formatter> f) override { inner_->set_formatter(std::move(f)); }

private:
    std::shared_ptr<spdlog::sinks::stderr_color_sink_st> inner_;  // written only under mutex_
    log_around_fn around_;                                        // guarded by mutex_
};

struct shared_logger {
    std::shared_ptr<spdlog::sinks::dist_sink_mt> fan_out;  // the logger's only sink of ours
    std::shared_ptr<stderr_sink> to_stderr;                // in fan_out (null if the logger was made elsewhere)
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
        out.to_stderr = std::make_shared<stderr_sink>();
        out.to_stderr->set_pattern("[%H:%M:%S.%e] [%^%l%$] %v");
        out.fan_out->add_sink(out.to_stderr);
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

void set_stderr_log_around(log_around_fn around) {
    if (auto& s = instance().to_stderr) s->set_around(std::move(around));
}

bool set_log_level(std::string_view level) {
    auto parsed = spdlog::level::from_str(std::string(level));
    // from_str maps unknown names to "off"; only accept "off" when asked for.
    if (parsed == spdlog::level::off && level != "off") return false;
    log().set_level(parsed);
    return true;
}

}  // namespace swarmbench
