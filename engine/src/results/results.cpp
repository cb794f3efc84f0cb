#include "swarmbench/results.hpp"

#include <cmath>

namespace swarmbench {

const char* version() noexcept { return SWARMBENCH_VERSION; }

void timeseries::push(double t, std::uint64_t total_bytes, double rate) {
    t_s.push_back(t);
    bytes.push_back(total_bytes);
    goodput_bytes_per_s.push_back(rate);
}

void set_goodput(run_summary& summary, std::uint64_t bytes, double seconds) {
    summary.bytes = bytes;
    summary.seconds = seconds;
    summary.goodput_bytes_per_s = seconds > 0 ? static_cast<double>(bytes) / seconds : 0;
}

namespace {
// JSON has no NaN or infinity; a figure that could not be computed is null.
nlohmann::json number(double v) {
    if (!std::isfinite(v)) return nullptr;
    return v;
}
}  // namespace

nlohmann::json to_json(const environment_info& env) {
    return {{"backend", env.backend},
            {"backend_reason", env.backend_reason},
            {"os", env.os},
            {"kernel", env.kernel},
            {"cpu_model", env.cpu_model},
            {"cores", env.cores},
            {"swarmbench_version", env.swarmbench_version}};
}

nlohmann::json to_json(const run_summary& s) {
    nlohmann::json j = {{"status", s.status},
                        {"bytes", s.bytes},
                        {"seconds", number(s.seconds)},
                        {"goodput_bytes_per_s", number(s.goodput_bytes_per_s)},
                        {"counted_at", s.counted_at},
                        {"cpu_seconds", number(s.cpu_seconds)},
                        {"errors", s.errors},
                        {"error_messages", s.error_messages}};
    if (s.connections) {
        const connection_summary& c = *s.connections;
        j["connections_requested"] = c.requested;
        j["connections_established"] = c.established;
        j["connections_accepted"] = c.accepted;
        j["connections_failed"] = c.failed;
        j["connect_seconds"] = number(c.connect_seconds);
        j["connect_rate_per_s"] = number(c.connect_rate_per_s);
        j["rss_bytes_per_connection"] = number(c.rss_bytes_per_connection);
    }
    if (s.disk) {
        const disk_summary& d = *s.disk;
        j["ops"] = d.ops;
        j["iops"] = number(d.iops);
        j["latency_us_p50"] = number(d.latency_us_p50);
        j["latency_us_p99"] = number(d.latency_us_p99);
        j["latency_us_p999"] = number(d.latency_us_p999);
        j["latency_us_mean"] = number(d.latency_us_mean);
        j["latency_us_max"] = number(d.latency_us_max);
        j["fsync_seconds"] = number(d.fsync_seconds);
        j["path"] = d.path;
    }
    return j;
}

nlohmann::json to_json(const timeseries& ts) {
    nlohmann::json j = {{"t_s", ts.t_s}, {"bytes", ts.bytes}, {"goodput_bytes_per_s", ts.goodput_bytes_per_s}};
    for (const auto& [name, column] : ts.extra) j[name] = column;
    return j;
}

nlohmann::json to_json(const results& r) {
    nlohmann::json config = r.config.is_object() ? r.config : nlohmann::json::object();
    config["mode"] = r.mode;
    return {{"schema", results_schema_version},
            {"config", std::move(config)},
            {"environment", to_json(r.environment)},
            {"summary", to_json(r.summary)},
            {"timeseries", to_json(r.series)}};
}

}  // namespace swarmbench
