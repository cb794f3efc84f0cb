// swarmbench run: the main job. A BitTorrent swarm over loopback, measured
// over time, with a results folder (results.json, timeseries.csv, graphs).
//
// The scenario comes from the defaults, then --scenario FILE, then the flags
// (one per scenario field, made from its schema: schema_flags.hpp), and is
// validated as a whole: a bad value exits 2 naming the flag, the field and
// the range. --timeline FILE adds timed changes (swarm/timeline.hpp), checked
// the same way before the run starts.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "cli_common.hpp"
#include "schema_flags.hpp"
#include "swarmbench/swarm/swarm.hpp"
#include "swarmbench/swarm/timeline.hpp"

namespace swarmbench::cli {

namespace {

struct run_args {
    std::unique_ptr<schema_flags<swarm_scenario>> fields;  // one flag per scenario field
    std::string scenario_file;              // --scenario
    std::string timeline_file;              // --timeline
    bool dump = false;                      // --dump-scenario
    run_output out;                         // -o, --json, --no-progress, --no-graphs
};

std::string read_file(const char* flag, const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw usage_error(std::string(flag) + ": cannot read " + path);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

swarm_timeline build_timeline(const run_args& a) {
    if (a.timeline_file.empty()) return {};
    auto parsed = swarm_timeline::parse(read_file("--timeline", a.timeline_file));
    if (!parsed) throw usage_error("--timeline " + a.timeline_file + ": " + parsed.error());
    return std::move(parsed.value());
}

swarm_scenario build_scenario(const run_args& a) {
    swarm_scenario sc;
    if (!a.scenario_file.empty()) {
        auto parsed = parse_scenario(read_file("--scenario", a.scenario_file));
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
    const swarm_timeline timeline = build_timeline(a);  // checked before anything runs
    if (a.dump) {
        std::cout << to_json(sc).dump(2) << std::endl;
        return exit_ok;
    }
    return run_swarm_and_report(sc, a.out, timeline);
}

}  // namespace

command make_run_command(CLI::App& parent) {
    auto a = std::make_shared<run_args>();
    CLI::App* sub = parent.add_subcommand(
        "run", "Run a BitTorrent swarm over loopback and measure it (no flags: the default 1 GiB swarm)");
    sub->add_option("--scenario", a->scenario_file, "Read the scenario from this JSON file (flags override it)");
    sub->add_flag("--dump-scenario", a->dump, "Print the scenario (defaults, file and flags applied) as JSON and exit");
    sub->add_option("--timeline", a->timeline_file,
                    "Timed changes from this JSON file: sets of the live settings, ramps, faults and phases "
                    "(docs/timeline.md; Python's Timeline.save writes one)");
    add_output_flags(sub, a->out);
    a->fields = std::make_unique<schema_flags<swarm_scenario>>(sub, scenario_schema());
    return {sub, [a] { return run(*a); }};
}

}  // namespace swarmbench::cli
