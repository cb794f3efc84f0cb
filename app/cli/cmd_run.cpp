// swarmbench run: the main job. A BitTorrent swarm over loopback, measured
// over time, with a results folder (results.json, timeseries.csv, graphs).
//
// The scenario comes from the defaults, then --scenario FILE, then the flags
// (each flag sets one scenario field; see docs/scenario.md), and is validated
// as a whole: a bad value exits 2 naming the flag, the field and the range.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "cli_common.hpp"
#include "swarmbench/swarm/swarm.hpp"

namespace swarmbench::cli {

namespace {

/// A flag that sets one scenario field.
struct field_flag {
    const char* flag;   // "--pipeline"
    const char* field;  // "pipeline"
    const char* help;   // one line
};

constexpr field_flag value_flags[] = {
    {"--size", "torrent_size", "Torrent size (e.g. 1GiB, 64MiB)"},
    {"--piece-size", "piece_size", "Piece size, a power of two 16KiB..64MiB"},
    {"--files", "file_count", "Files in the torrent (1: single-file)"},
    {"--seeders", "seeders", "Seeders"},
    {"--leechers", "leechers", "Leechers"},
    {"--connections", "connections_per_leecher", "Connections per leecher, spread over the seeders"},
    {"--pipeline", "pipeline", "Outstanding 16 KiB requests per connection"},
    {"--pick", "pick", "Piece order: rarest_first | sequential | random | custom (with --piece-order)"},
    {"--piece-order", "piece_order", "With --pick custom: pieces to start first, in order (e.g. 3,1,2)"},
    {"--unchoke-slots", "unchoke_slots", "With --choking: unchoked connections per seeder"},
    {"--rate-limit", "rate_limit", "Upload limit per connection in bytes/s (e.g. 10MiB; 0: none)"},
    {"--slow-fraction", "slow_fraction", "Share of connections that are slow, 0..1"},
    {"--slow-rate", "slow_rate", "A slow connection's limit in bytes/s (e.g. 1MiB)"},
    {"--churn", "churn_per_s", "Connections dropped and re-made per second"},
    {"--storage", "storage", "files | discard (network only) | disk_only (no sockets)"},
    {"--data-dir", "data_dir", "Download into this directory (kept); default: a temporary one"},
    {"--duration", "duration_s", "Run this many seconds (leechers download again); default: until complete"},
    {"--timeout", "timeout_s", "Give up on completion after this many seconds"},
    {"--backend", "backend", "auto | io_uring | epoll (auto honours SWARMBENCH_BACKEND)"},
    {"--threads", "threads", "Engine contexts, one thread each (0: one per core)"},
    {"--interval-ms", "interval_ms", "Sampling interval"},
    {"--listen-host", "listen_host", "Address the seeders listen on"},
    {"--base-port", "base_port", "Seeder i listens on base-port + i (0: any free port)"},
    {"--connect-to", "connect_to", "Extra peers every leecher connects to: HOST:PORT[,HOST:PORT...]"},
    {"--seeders-at", "seeders_at",
     "This run's seeders, in another process of the swarm (with --seeders 0): HOST:PORT[,HOST:PORT...]"},
    {"--swarm-id", "swarm_id", "Peers with this id in theirs are this run's own: one for every process of a split swarm"},
    {"--content-seed", "content_seed", "Seed of the synthetic content"},
    {"--seed", "seed", "Seed of picks, slow peers and churn"},
};

constexpr field_flag bool_flags[] = {
    {"--choking", "choking", "Seeders choke like real clients (unchoke slots, rechoke, optimistic unchoke)"},
    {"--direct", "direct", "O_DIRECT file writes"},
    {"--keep-data", "keep_data", "Keep the downloaded files (in the temporary directory)"},
};

constexpr field_flag negated_flags[] = {
    {"--no-end-game", "end_game", "No duplicate requests at the end of a download"},
    {"--no-preallocate", "preallocate", "Do not preallocate the files"},
};

struct run_args {
    std::vector<std::string> values = std::vector<std::string>(std::size(value_flags));  // per value flag
    std::vector<CLI::Option*> value_opts;   // to tell given from not
    std::vector<bool> bools = std::vector<bool>(std::size(bool_flags) + std::size(negated_flags));
    std::string scenario_file;              // --scenario
    std::string output;                     // -o
    bool dump = false;                      // --dump-scenario
    bool json = false;                      // --json
    bool no_progress = false;               // --no-progress
    bool no_graphs = false;                 // --no-graphs
};

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw usage_error("--scenario: cannot read " + path);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

/// "pipeline: must be ..." -> "must be ..." (the flag already names it).
std::string without_field(const std::string& message, const std::string& field) {
    const std::string prefix = field + ": ";
    return message.rfind(prefix, 0) == 0 ? message.substr(prefix.size()) : message;
}

swarm_scenario build_scenario(const run_args& a) {
    swarm_scenario sc;
    if (!a.scenario_file.empty()) {
        auto parsed = parse_scenario(read_file(a.scenario_file));
        if (!parsed) throw usage_error("--scenario " + a.scenario_file + ": " + parsed.error());
        sc = parsed.value();
    }
    for (std::size_t i = 0; i < std::size(value_flags); ++i) {
        if (a.value_opts[i]->count() == 0) continue;
        if (auto err = set_scenario_field(sc, value_flags[i].field, a.values[i]))
            throw usage_error(std::string(value_flags[i].flag) + " (" + value_flags[i].field +
                              "): " + without_field(*err, value_flags[i].field));
    }
    for (std::size_t i = 0; i < std::size(bool_flags); ++i)
        if (a.bools[i]) set_scenario_field(sc, bool_flags[i].field, "true");
    for (std::size_t i = 0; i < std::size(negated_flags); ++i)
        if (a.bools[std::size(bool_flags) + i]) set_scenario_field(sc, negated_flags[i].field, "false");
    if (const auto problems = validate(sc); !problems.empty()) {
        std::string all = "invalid scenario:";
        for (const auto& p : problems) all += "\n  " + p;
        throw usage_error(all);
    }
    return sc;
}

int run(const run_args& a) {
    swarm_scenario sc = build_scenario(a);
    if (a.dump) {
        std::cout << to_json(sc).dump(2) << std::endl;
        return exit_ok;
    }
    return run_swarm_and_report(sc, {a.output, a.json, a.no_progress, a.no_graphs});
}

}  // namespace

command make_run_command(CLI::App& parent) {
    auto a = std::make_shared<run_args>();
    CLI::App* sub = parent.add_subcommand(
        "run", "Run a BitTorrent swarm over loopback and measure it (no flags: the default 1 GiB swarm)");
    sub->add_option("--scenario", a->scenario_file, "Read the scenario from this JSON file (flags override it)");
    sub->add_flag("--dump-scenario", a->dump, "Print the scenario (defaults, file and flags applied) as JSON and exit");
    sub->add_option("-o,--output", a->output, "Results folder (default ./swarmbench-results/<timestamp>/)");
    for (std::size_t i = 0; i < std::size(value_flags); ++i)
        a->value_opts.push_back(sub->add_option(value_flags[i].flag, a->values[i], value_flags[i].help));
    for (std::size_t i = 0; i < std::size(bool_flags); ++i) {
        sub->add_flag_callback(bool_flags[i].flag, [a, i] { a->bools[i] = true; }, bool_flags[i].help);
    }
    for (std::size_t i = 0; i < std::size(negated_flags); ++i) {
        const std::size_t k = std::size(bool_flags) + i;
        sub->add_flag_callback(negated_flags[i].flag, [a, k] { a->bools[k] = true; }, negated_flags[i].help);
    }
    sub->add_flag("--json", a->json, "Also write the results document to stdout");
    sub->add_flag("--no-progress", a->no_progress, "No live progress line on stderr");
    sub->add_flag("--no-graphs", a->no_graphs, "Do not draw PNG/SVG graphs");
    return {sub, [a] { return run(*a); }};
}

}  // namespace swarmbench::cli
