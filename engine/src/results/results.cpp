#include "swarmbench/results.hpp"

#include <cmath>

#include <fmt/format.h>

namespace swarmbench {

const char* version() noexcept { return SWARMBENCH_VERSION; }

void timeseries::push(double t, std::uint64_t total_bytes, double rate) {
    t_s.push_back(t);
    bytes.push_back(total_bytes);
    goodput_bytes_per_s.push_back(rate);
}

bool measured(const results& r) noexcept {
    const run_summary& s = r.summary;
    return s.status != "failed" || s.seconds > 0 || s.bytes > 0 || r.series.size() > 0;
}

std::optional<std::string> few_samples_warning(const results& r) {
    const std::size_t n = r.series.size();
    if (!measured(r) || n >= few_samples) return std::nullopt;
    const char* longer = r.mode == "swarm" ? "duration_s, a rate_limit or a larger torrent_size"
                         : r.mode == "stream" ? "seconds" : "a larger size";
    return fmt::format("only {} sample{} over {:.2f} s: too few to graph; run longer ({})", n, n == 1 ? "" : "s",
                       r.summary.seconds, longer);
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
    if (s.swarm) {
        const swarm_summary& w = *s.swarm;
        nlohmann::json links = nlohmann::json::array();
        for (const link_goodput& l : w.links)
            links.push_back({{"name", l.name},
                             {"leechers", l.leechers},
                             {"bytes", l.bytes},
                             {"goodput_bytes_per_s", number(l.goodput_bytes_per_s)},
                             {"per_leecher_bytes_per_s", number(l.per_leecher_bytes_per_s)}});
        j["swarm"] = {{"seeders", w.seeders},
                      {"leechers", w.leechers},
                      {"leechers_complete", w.leechers_complete},
                      {"remote_peers", w.remote_peers},
                      {"client_redials", w.client_redials},
                      {"client_down_s_max", number(w.client_down_s_max)},
                      {"remote_peers_complete", w.remote_peers_complete},
                      {"torrent_bytes", w.torrent_bytes},
                      {"piece_count", w.piece_count},
                      {"pieces_complete", w.pieces_complete},
                      {"pieces_verified", w.pieces_verified},
                      {"pieces_hashed", w.pieces_hashed},
                      {"hash_failures", w.hash_failures},
                      {"protocol_errors", w.protocol_errors},
                      {"disconnects", w.disconnects},
                      {"connect_failures", w.connect_failures},
                      {"net_bytes_in", w.net_bytes_in},
                      {"net_bytes_out", w.net_bytes_out},
                      {"disk_bytes_written", w.disk_bytes_written},
                      {"completion_seconds", number(w.completion_seconds)},
                      {"request_ms_p50", number(w.request_ms_p50)},
                      {"request_ms_p90", number(w.request_ms_p90)},
                      {"request_ms_p99", number(w.request_ms_p99)},
                      {"disk_write_us_p50", number(w.disk_write_us_p50)},
                      {"disk_write_us_p99", number(w.disk_write_us_p99)},
                      {"connect_ms_p50", number(w.connect_ms_p50)},
                      {"connect_ms_p99", number(w.connect_ms_p99)},
                      {"cpu_seconds_per_gib", number(w.cpu_seconds_per_gib)},
                      {"links", links},
                      {"link_chunks", w.link_chunks},
                      {"link_late_ms_p50", number(w.link_late_ms_p50)},
                      {"link_late_ms_p99", number(w.link_late_ms_p99)},
                      {"storage", w.storage},
                      {"data_dir", w.data_dir},
                      {"data_kept", w.data_kept}};
    }
    return j;
}

nlohmann::json to_json(const timeseries& ts) {
    nlohmann::json j = {{"t_s", ts.t_s}, {"bytes", ts.bytes}, {"goodput_bytes_per_s", ts.goodput_bytes_per_s}};
    for (const auto& [name, column] : ts.extra) j[name] = column;
    return j;
}

nlohmann::json to_json(const peer_summary& p) {
    return {{"leecher", p.leecher},
            {"id", p.id},
            {"local", p.local},
            {"remote", p.remote},
            {"state", p.state},
            {"slow", p.slow},
            {"link", p.link},
            {"bytes_in", p.bytes_in},
            {"bytes_out", p.bytes_out},
            {"blocks", p.blocks},
            {"requests", p.requests},
            {"rejects", p.rejects},
            {"request_ms_p50", number(p.request_ms_p50)},
            {"request_ms_p99", number(p.request_ms_p99)},
            {"connected_s", number(p.connected_s)},
            {"notes", p.notes}};
}

nlohmann::json to_json(const run_event& e) { return {{"t_s", number(e.t_s)}, {"what", e.what}}; }

nlohmann::json to_json(const results& r) {
    nlohmann::json config = r.config.is_object() ? r.config : nlohmann::json::object();
    config["mode"] = r.mode;
    nlohmann::json j = {{"schema", results_schema_version},
                        {"config", std::move(config)},
                        {"environment", to_json(r.environment)},
                        {"summary", to_json(r.summary)},
                        {"timeseries", to_json(r.series)}};
    if (r.mode == "swarm") {
        nlohmann::json peers = nlohmann::json::array();
        for (const peer_summary& p : r.peers) peers.push_back(to_json(p));
        j["peers"] = std::move(peers);
        nlohmann::json events = nlohmann::json::array();
        for (const run_event& e : r.events) events.push_back(to_json(e));
        j["events"] = std::move(events);
    }
    return j;
}

}  // namespace swarmbench
