// run_report: running something from the command line and reporting it,
// shared by every command that runs (`run`, `stream`, `disk`, and the
// real-client commands `upload`, `download`, `seed`): a run_session does
// the run, the results folder and its graphs; this file is the adapter that
// prints the progress line, forwards Ctrl-C, and prints the summary and
// --json, so every command produces exactly what `run` does.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>

#include <fmt/format.h>

#include "cli_common.hpp"
#include "swarmbench/log.hpp"
#include "swarmbench/results_folder.hpp"
#include "swarmbench/session/run_session.hpp"
#include "swarmbench/units.hpp"

namespace swarmbench::cli {

namespace {

void print_swarm_summary(const results& r, const std::filesystem::path& dir) {
    const run_summary& s = r.summary;
    std::FILE* out = stderr;
    if (s.swarm) {
        // Only the lines that apply: disk_only has no sockets (no seeders,
        // network or request latency), discard no disk; unhashed pieces are
        // "complete", not "verified".
        const swarm_summary& w = *s.swarm;
        const bool sockets = w.storage != "disk_only";
        const std::string seeders = sockets ? fmt::format("{} seeders, ", w.seeders) : std::string();
        std::fprintf(out, "  swarm        %s%u leechers (%u complete), %s torrent in %u pieces, storage %s\n",
                     seeders.c_str(), w.leechers, w.leechers_complete,
                     format_bytes(static_cast<double>(w.torrent_bytes)).c_str(), w.piece_count, w.storage.c_str());
        if (w.remote_peers > 0 || w.leechers == 0)
            std::fprintf(out, "  clients      %u outside client%s served, %u with every piece\n", w.remote_peers,
                         w.remote_peers == 1 ? "" : "s", w.remote_peers_complete);
        if (w.client_redials > 0 || w.client_down_s_max >= 1)
            std::fprintf(out, "  redials      %llu to the client; longest without a connection %.1f s\n",
                         static_cast<unsigned long long>(w.client_redials), w.client_down_s_max);
        if (w.completion_seconds > 0) std::fprintf(out, "  completed    in %.2f s\n", w.completion_seconds);
        std::string pieces =
            w.pieces_hashed
                ? fmt::format("{} verified (SHA-1), {} hash failures", format_count(w.pieces_verified),
                              format_count(w.hash_failures))
                : fmt::format("{} complete, not hashed ({})", format_count(w.pieces_complete),
                              sockets ? "storage discard of synthetic content" : "generated locally");
        if (sockets)
            pieces += fmt::format(", {} protocol errors, {} disconnects", format_count(w.protocol_errors),
                                  format_count(w.disconnects));
        std::fprintf(out, "  pieces       %s\n", pieces.c_str());
        if (sockets)
            std::fprintf(out, "  network      %s in, %s out\n", format_bytes(static_cast<double>(w.net_bytes_in)).c_str(),
                         format_bytes(static_cast<double>(w.net_bytes_out)).c_str());
        if (w.storage != "discard")
            std::fprintf(out, "  disk         %s written, write latency p50 %s, p99 %s\n",
                         format_bytes(static_cast<double>(w.disk_bytes_written)).c_str(),
                         format_ms(w.disk_write_us_p50 / 1000).c_str(), format_ms(w.disk_write_us_p99 / 1000).c_str());
        if (sockets) {
            std::fprintf(out, "  latency      request->piece p50 %s, p90 %s, p99 %s; connect p50 %s\n",
                         format_ms(w.request_ms_p50).c_str(), format_ms(w.request_ms_p90).c_str(),
                         format_ms(w.request_ms_p99).c_str(), format_ms(w.connect_ms_p50).c_str());
            std::fprintf(out, "  peers        %s connections made\n", format_count(r.peers.size()).c_str());
        }
        // Goodput per access-link class, each leecher's share beside it.
        for (const link_goodput& l : w.links)
            std::fprintf(out, "  link %-7s %u leecher%s, %s each, %s in all\n", l.name.c_str(), l.leechers,
                         l.leechers == 1 ? "" : "s", format_rate(l.per_leecher_bytes_per_s).c_str(),
                         (format_bytes(l.goodput_bytes_per_s) + "/s").c_str());
        if (w.link_chunks > 0)
            std::fprintf(out, "  links        %s chunks held, delivered late by p50 %s, p99 %s\n",
                         format_count(w.link_chunks).c_str(), format_ms(w.link_late_ms_p50).c_str(),
                         format_ms(w.link_late_ms_p99).c_str());
        // Bends of the protocol the remotes made and we accepted, summed over peers.
        std::map<std::string, std::uint64_t> notes;
        for (const peer_summary& p : r.peers)
            for (const auto& [what, count] : p.notes) notes[what] += count;
        if (!notes.empty()) {
            std::string text;
            for (const auto& [what, count] : notes) text += (text.empty() ? "" : ", ") + what + " x" + std::to_string(count);
            std::fprintf(out, "  bends        %s (accepted, as real clients do; per peer in results.json)\n",
                         text.c_str());
        }
        if (w.cpu_seconds_per_gib > 0) std::fprintf(out, "  cpu/GiB      %.2f s\n", w.cpu_seconds_per_gib);
        if (!w.data_dir.empty())
            std::fprintf(out, "  data         %s (%s)\n", w.data_dir.c_str(), w.data_kept ? "kept" : "removed");
    }
    if (!dir.empty()) std::fprintf(out, "  results      %s\n", dir.string().c_str());
}

}  // namespace

void add_output_flags(CLI::App* sub, run_output& out) {
    sub->add_option("-o,--output", out.output, "Results folder (default ./swarmbench-results/<timestamp>/)");
    sub->add_flag("--json", out.json, "Also write the results document (docs/results-schema.md) to stdout");
    sub->add_flag("--no-progress", out.no_progress, "No live progress line on stderr");
    sub->add_flag("--no-graphs", out.no_graphs, "Do not draw PNG/SVG graphs");
    sub->add_flag("--force", out.force, "Let -o name a folder that already holds results (they are overwritten)");
}

namespace {

/// Refuses an -o that cannot hold this run's results, before anything runs:
/// a file, a folder under a file, or (without --force) an earlier run's results.
void check_output_dir(const std::filesystem::path& dir, bool force) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const std::string flag = "-o " + dir.string();
    if (fs::exists(dir, ec)) {
        if (!fs::is_directory(dir, ec)) throw usage_error(flag + ": is a file; name a folder for the results");
        if (!force && fs::exists(dir / "results.json", ec))
            throw usage_error(flag + ": already holds a run's results (results.json); name another folder, or "
                                     "pass --force to overwrite them");
        return;
    }
    for (fs::path up = dir.parent_path(); !up.empty() && up != up.parent_path(); up = up.parent_path())
        if (fs::exists(up, ec)) {
            if (!fs::is_directory(up, ec))
                throw usage_error(flag + ": " + up.string() + " is a file, so no folder can be made under it");
            break;
        }
}

}  // namespace

int run_and_report(run_request req, const run_output& a) {
    const std::filesystem::path dir = a.output.empty() ? default_results_dir() : std::filesystem::path(a.output);
    check_output_dir(dir, a.force);
    if (const auto problems = validate(req); !problems.empty()) {
        std::string all;
        for (const auto& p : problems) all += (all.empty() ? "" : "\n  ") + p;
        throw usage_error(all);
    }
    req.output_dir = dir;
    req.graphs = !a.no_graphs;
    const bool swarm = req.mode == run_mode::swarm;
    progress_printer printer(!a.no_progress);
    run_session session(std::move(req));
    std::vector<session_event> events;
    for (;;) {
        session.wait_until(std::chrono::steady_clock::now() + std::chrono::milliseconds(100));
        const bool done = session.finished();  // nothing is queued after it: the pop below takes the rest
        events.clear();
        session.pop_events(events);
        for (const session_event& e : events)
            if (e.kind == session_event::kind_t::progress) printer(e.report);
        if (stop_flag().load()) session.stop();  // Ctrl-C: the run ends cleanly, its folder complete
        if (done) break;
    }
    printer.finish();
    const results r = session.wait();
    const int code = report(r, a.json);
    if (swarm && measured(r)) print_swarm_summary(r, std::filesystem::exists(dir) ? dir : std::filesystem::path());
    else if (std::filesystem::exists(dir)) std::fprintf(stderr, "  results      %s\n", dir.string().c_str());
    return code;
}

int run_swarm_and_report(const swarm_scenario& sc, const run_output& a, const swarm_timeline& timeline) {
    const std::uint64_t limit = raise_open_file_limit();
    // Both ends of each connection live here, unless the seeders run in
    // another process (seeders_at) or outside (connect_to without seeders).
    const bool both_ends = sc.seeders > 0;
    const std::uint64_t need = (both_ends ? 2 : 1) * total_connections(sc) + 64;
    if (limit != 0 && need > limit)
        log().warn("{} connections need about {} file descriptors but the open-file limit is {}: raise it "
                   "(ulimit -n) or expect EMFILE",
                   total_connections(sc), need, limit);
    run_request req;
    req.scenario = sc;
    req.timeline = timeline;
    return run_and_report(std::move(req), a);
}

}  // namespace swarmbench::cli
