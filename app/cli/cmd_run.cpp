// swarmbench run: the main job. A BitTorrent swarm over loopback, measured
// over time, with a results folder (results.json, timeseries.csv, graphs).
//
// The scenario comes from the defaults, then --scenario FILE, then the flags
// (one per scenario field, made from its schema: schema_flags.hpp), and is
// validated as a whole: a bad value exits 2 naming the flag, the field and
// the range.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "cli_common.hpp"
#include "schema_flags.hpp"
#include "swarmbench/swarm/swarm.hpp"

namespace swarmbench::cli {

namespace {

struct run_args {
    std::unique_ptr<schema_flags<swarm_scenario>> fields;  // one flag per scenario field
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

swarm_scenario build_scenario(const run_args& a) {
    swarm_scenario sc;
    if (!a.scenario_file.empty()) {
        auto parsed = parse_scenario(read_file(a.scenario_file));
        if (!parsed) throw usage_error("--scenario " + a.scenario_file + ": " + parsed.error());
        sc = parsed.value();
    }
    a.fields->apply(sc);
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
    a->fields = std::make_unique<schema_flags<swarm_scenario>>(sub, scenario_schema());
    sub->add_flag("--json", a->json, "Also write the results document to stdout");
    sub->add_flag("--no-progress", a->no_progress, "No live progress line on stderr");
    sub->add_flag("--no-graphs", a->no_graphs, "Do not draw PNG/SVG graphs");
    return {sub, [a] { return run(*a); }};
}

}  // namespace swarmbench::cli
