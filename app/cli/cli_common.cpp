#include "cli_common.hpp"
#include "schema_flags.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <iostream>

#include "swarmbench/log.hpp"
#include "swarmbench/units.hpp"
#include "swarmbench/workloads/progress_text.hpp"

namespace swarmbench::cli {

namespace {
std::string quoted(const std::string& s) { return "'" + s + "'"; }
}  // namespace

// ---- flag parsing ----

std::uint64_t parse_count(const std::string& flag, const std::string& text, std::uint64_t lo, std::uint64_t hi) {
    std::uint64_t v = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    bool ok = !text.empty() && ec == std::errc() && p == text.data() + text.size();
    if (!ok || v < lo || v > hi)
        throw usage_error(flag + ": must be " + std::to_string(lo) + ".." + std::to_string(hi) + ", got " + quoted(text));
    return v;
}

endpoint parse_endpoint_flag(const std::string& flag, const std::string& text, bool any_port_ok) {
    std::error_code ec;
    endpoint ep = endpoint::parse(text, ec);
    if (ec || !ep.valid())
        throw usage_error(flag + ": must be HOST:PORT (e.g. 127.0.0.1:5201 or [::1]:5201), got " + quoted(text));
    if (!any_port_ok && ep.port == 0) throw usage_error(flag + ": port must be 1..65535, got " + quoted(text));
    return ep;
}

// ---- flags from a settings schema ----

std::string field_help(const settings::field_info& f) {
    std::string help(f.doc);
    if (f.type == settings::value_type::choice) {
        std::string names;
        for (std::string_view c : f.choices) names += (names.empty() ? "" : ", ") + std::string(c);
        help += " One of: " + names + ".";
    } else if (const std::string range = f.range_text(); !range.empty() && f.type != settings::value_type::any_u64) {
        help += " Range: " + range + ".";  // with its unit (range_text)
    }
    return help;
}

std::string field_placeholder(const settings::field_info& f) {
    using settings::value_type;
    switch (f.type) {
        case value_type::count: return f.unit == "ms" ? "MS" : "COUNT";
        case value_type::size: return "SIZE";
        case value_type::rate: return "RATE";
        case value_type::any_u64: return "SEED";
        case value_type::real: return f.unit == "s" ? "SECONDS" : "NUMBER";
        case value_type::flag: return "";
        case value_type::text: return "TEXT";
        case value_type::choice: return "NAME";
        case value_type::endpoint: return "HOST:PORT";
        case value_type::endpoints: return "HOST:PORT[,...]";
        case value_type::pieces: return "PIECE[,...]";
        case value_type::links: return "JSON";
    }
    return "VALUE";
}

std::string without_field(const std::string& message, std::string_view field) {
    const std::string prefix = std::string(field) + ": ";
    return message.rfind(prefix, 0) == 0 ? message.substr(prefix.size()) : message;
}

// ---- progress ----

progress_printer::progress_printer(bool enabled) : enabled_(enabled), tty_(enabled && stderr_is_terminal()) {
    if (!tty_) return;
    // Log lines from any thread go above the live line, never glued onto it.
    set_stderr_log_around([this](const std::function<void()>& write) {
        std::lock_guard lock(m_);
        if (!line_.empty()) std::fputs("\r\033[K", stderr);
        write();
        if (!line_.empty()) std::fprintf(stderr, "%s", line_.c_str());
        std::fflush(stderr);
    });
}

progress_printer::~progress_printer() { finish(); }

void progress_printer::operator()(const progress& p) {
    if (!enabled_) return;
    bool phase_changed = p.phase != phase_;
    if (!tty_ && !phase_changed && p.elapsed_s < next_plain_s_) return;
    if (phase_changed) next_plain_s_ = 1;
    while (next_plain_s_ <= p.elapsed_s) next_plain_s_ += 1;
    phase_ = p.phase;

    if (!tty_) {
        std::fprintf(stderr, "%s\n", progress_text(p).c_str());
        std::fflush(stderr);
        return;
    }
    // The last column stays free: a line that fills it wraps on some terminals.
    const int columns = terminal_columns();
    show(progress_text(p, columns > 1 ? static_cast<std::size_t>(columns - 1) : 79));
}

void progress_printer::show(std::string line) {
    std::lock_guard lock(m_);
    line_ = std::move(line);
    std::fprintf(stderr, "\r%s\033[K", line_.c_str());
    std::fflush(stderr);
}

void progress_printer::finish() {
    if (!tty_) return;
    set_stderr_log_around(nullptr);  // log lines go straight through again
    // The summary that follows says it all; a last "stopping" line said nothing.
    std::lock_guard lock(m_);
    if (!line_.empty()) std::fputs("\r\033[K", stderr);
    std::fflush(stderr);
    line_.clear();
}

// ---- summary ----

int report(const results& r, bool json) {
    const run_summary& s = r.summary;
    std::FILE* out = stderr;
    if (!measured(r)) {  // failed at set-up: its errors are all there is to say
        std::fprintf(out, "%s: failed before it started\n", r.mode.c_str());
        for (const auto& msg : s.error_messages) std::fprintf(out, "  %s\n", msg.c_str());
        std::fflush(out);
        if (json) std::cout << to_json(r).dump(2) << std::endl;
        return exit_runtime;
    }
    const std::string& reason = r.environment.backend_reason;
    std::fprintf(out, "%s: %s, backend %s\n", r.mode.c_str(), s.status.c_str(),
                 reason.empty() ? r.environment.backend.c_str() : reason.c_str());
    if (s.connections) {
        const connection_summary& c = *s.connections;
        if (c.requested > 0) {
            std::fprintf(out, "  connections  %s/%s established", format_count(c.established).c_str(),
                         format_count(c.requested).c_str());
            if (c.connect_seconds > 0)
                std::fprintf(out, " in %s (%s/s), %s RSS per connection", format_ms(c.connect_seconds * 1000).c_str(),
                             format_count(static_cast<std::uint64_t>(c.connect_rate_per_s + 0.5)).c_str(),
                             format_bytes(c.rss_bytes_per_connection).c_str());
            if (c.failed > 0) std::fprintf(out, ", %s failed", format_count(c.failed).c_str());
            if (c.accepted != c.established) std::fprintf(out, ", %s accepted", format_count(c.accepted).c_str());
            std::fprintf(out, "\n");
        } else {
            std::fprintf(out, "  connections  %s accepted\n", format_count(c.accepted).c_str());
        }
    }
    std::fprintf(out, "  goodput      %s over %.2f s (%s %s)\n", format_rate(s.goodput_bytes_per_s).c_str(), s.seconds,
                 format_bytes(static_cast<double>(s.bytes)).c_str(),
                 s.counted_at == "sender" ? "sent" : s.counted_at == "outside clients" ? "served" : s.counted_at == "disk" ? "written" : "received");
    if (s.disk) {
        const disk_summary& d = *s.disk;
        std::fprintf(out, "  writes       %s (%s IOPS), latency p50 %s, p99 %s, max %s\n", format_count(d.ops).c_str(),
                     format_count(static_cast<std::uint64_t>(d.iops + 0.5)).c_str(), format_ms(d.latency_us_p50 / 1000).c_str(),
                     format_ms(d.latency_us_p99 / 1000).c_str(), format_ms(d.latency_us_max / 1000).c_str());
        if (d.fsync_seconds > 0) std::fprintf(out, "  fdatasync    %.3f s (inside the window)\n", d.fsync_seconds);
    }
    std::fprintf(out, "  cpu          %.2f s (%.0f%% of one core)\n", s.cpu_seconds,
                 s.seconds > 0 ? 100.0 * s.cpu_seconds / s.seconds : 0.0);
    std::fprintf(out, "  errors       %s\n", format_count(s.errors).c_str());
    for (const auto& msg : s.error_messages) std::fprintf(out, "    %s\n", msg.c_str());
    if (const auto few = few_samples_warning(r)) std::fprintf(out, "  note         %s\n", few->c_str());
    std::fflush(out);
    if (json) std::cout << to_json(r).dump(2) << std::endl;
    if (s.status == "failed" || s.errors > 0) return exit_runtime;
    return s.status == "interrupted" ? exit_interrupted : exit_ok;
}

}  // namespace swarmbench::cli
