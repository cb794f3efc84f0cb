// swarmbench upload / download / seed: fake peers against a real BitTorrent
// client, as libtorrent's connection_tester does, measured like `run`.
//
//   upload    N fake seeders dial the client, which has the torrent and
//             wants its data; done when the client announces every piece.
//   download  N fake leechers (one connection each) dial a seeding client and
//             download and SHA-1-check every piece; done when all have it.
//   seed      N fake seeders listen for clients that connect in; done when a
//             client that came has every piece.
//
// Each command fills a swarm_scenario (torrent_file, upload_to / connect_to,
// spread_sources, ...) and runs it through run_swarm_and_report, so the
// results folder, --json, graphs and the app's views are those of `run`.
// --dump-scenario prints the scenario, which `run --scenario` replays.
#include <iostream>
#include <memory>

#include "cli_common.hpp"
#include "swarmbench/bt/torrent.hpp"
#include "swarmbench/swarm/scenario.hpp"

namespace swarmbench::cli {

namespace {

enum class role { upload, download, seed };

struct client_args {
    std::string torrent;        // --torrent
    std::string target;         // --target (upload, download)
    std::string listen = "127.0.0.1:0";  // --listen (seed)
    std::uint32_t count = 0;    // --connections / --peers
    std::string data;           // --data: content folder (upload, seed)
    std::string storage = "files";  // --storage (download)
    std::string data_dir;       // --data-dir (download)
    std::string pipeline = "500";  // --pipeline (download): clients accept about this many (reqq)
    std::string rate_limit;     // --rate-limit (upload, seed)
    std::string client_grace;   // --client-grace (upload, download)
    std::string duration, timeout, backend, threads, interval_ms;  // as for run
    bool no_spread = false;     // --no-spread-sources
    bool dump = false;          // --dump-scenario
    run_output out;             // -o, --json, --no-progress, --no-graphs
};

/// Sets `field` from a flag's text; errors name the flag and the field.
void set_field(swarm_scenario& sc, const char* flag, const char* field, const std::string& value) {
    if (value.empty()) return;
    if (auto err = set_scenario_field(sc, field, value)) {
        const std::string prefix = std::string(field) + ": ";
        const std::string why = err->rfind(prefix, 0) == 0 ? err->substr(prefix.size()) : *err;
        throw usage_error(std::string(flag) + " (" + field + "): " + why);
    }
}

swarm_scenario build(role r, const client_args& a) {
    auto t = bt::read_torrent_file(a.torrent);
    if (!t) throw usage_error("--torrent: " + t.error());
    const bool serves = r != role::download;
    if (serves && !t->content_seed() && a.data.empty())
        throw usage_error("--data: " + a.torrent + " was not made by `swarmbench make-torrent`, so its content "
                          "cannot be generated: give --data DIR, the folder that holds " + t->name());

    swarm_scenario sc;
    sc.torrent_file = a.torrent;
    sc.content_dir = a.data;
    sc.spread_sources = !a.no_spread;
    switch (r) {
        case role::upload:
            sc.seeders = a.count;
            sc.leechers = 0;
            sc.storage = storage_mode::discard;  // no leechers: nothing is stored
            sc.upload_to = {parse_endpoint_flag("--target", a.target, false)};
            break;
        case role::download:
            sc.seeders = 0;
            sc.leechers = a.count;
            sc.connections_per_leecher = 1;
            sc.connect_to = {parse_endpoint_flag("--target", a.target, false)};
            set_field(sc, "--storage", "storage", a.storage);
            set_field(sc, "--data-dir", "data_dir", a.data_dir);
            set_field(sc, "--pipeline", "pipeline", a.pipeline);
            break;
        case role::seed: {
            const endpoint where = parse_endpoint_flag("--listen", a.listen, true);
            sc.seeders = a.count;
            sc.leechers = 0;
            sc.storage = storage_mode::discard;
            std::string host = where.to_string();
            host = host.substr(0, host.rfind(':'));
            if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
            sc.listen_host = host;
            sc.base_port = where.port;
            break;
        }
    }
    set_field(sc, "--rate-limit", "rate_limit", a.rate_limit);
    set_field(sc, "--client-grace", "client_grace_s", a.client_grace);
    set_field(sc, "--duration", "duration_s", a.duration);
    set_field(sc, "--timeout", "timeout_s", a.timeout);
    set_field(sc, "--backend", "backend", a.backend);
    set_field(sc, "--threads", "threads", a.threads);
    set_field(sc, "--interval-ms", "interval_ms", a.interval_ms);
    if (const auto problems = validate(sc); !problems.empty()) {
        std::string all = "invalid scenario:";
        for (const auto& p : problems) all += "\n  " + p;
        throw usage_error(all);
    }
    return sc;
}

int run(role r, const client_args& a) {
    const swarm_scenario sc = build(r, a);
    if (a.dump) {
        std::cout << to_json(sc).dump(2) << std::endl;
        return exit_ok;
    }
    return run_swarm_and_report(sc, a.out);
}

/// The flags all three share.
CLI::App* add_common(CLI::App& parent, const char* name, const char* help, client_args& a, const char* count_flag,
                     const char* count_help, std::uint32_t count_default) {
    CLI::App* sub = parent.add_subcommand(name, help);
    sub->add_option("--torrent", a.torrent, "The .torrent the client has (from make-torrent, or any v1 torrent)")
        ->required();
    a.count = count_default;
    sub->add_option(count_flag, a.count, count_help)->capture_default_str()->check(CLI::Range(1u, 10000u));
    sub->add_option("--duration", a.duration, "Run this many seconds (default: until complete)");
    sub->add_option("--timeout", a.timeout, "Give up on completion after this many seconds (default 3600)");
    sub->add_option("--backend", a.backend, "auto | io_uring | epoll | iocp");
    sub->add_option("--threads", a.threads, "Engine contexts, one thread each (0: one per core)");
    sub->add_option("--interval-ms", a.interval_ms, "Sampling interval");
    add_output_flags(sub, a.out);
    sub->add_flag("--dump-scenario", a.dump, "Print the scenario as JSON (replay it with run --scenario) and exit");
    return sub;
}

void add_outgoing(CLI::App* sub, client_args& a) {
    sub->add_option("--target", a.target, "The client's listen address, HOST:PORT")->required();
    sub->add_option("--client-grace", a.client_grace,
                    "Seconds without any connection to the client (it is redialled meanwhile, backoff 0.2 s "
                    "doubling to 5 s) before the run ends as failed (default 60)");
    sub->add_flag("--no-spread-sources", a.no_spread,
                  "Connect from 127.0.0.1 only (default: each connection from its own 127.x.y.z, for clients "
                  "that take one peer per address)");
}

void add_serving(CLI::App* sub, client_args& a) {
    sub->add_option("--data", a.data,
                    "Serve the content from this folder (laid out as a client's download folder); needed for "
                    "torrents not made by make-torrent");
    sub->add_option("--rate-limit", a.rate_limit, "Upload limit per connection in bytes/s (e.g. 10MiB; 0: none)");
}

}  // namespace

command make_upload_command(CLI::App& parent) {
    auto a = std::make_shared<client_args>();
    CLI::App* sub = add_common(parent, "upload",
                               "Fake seeders connect to a client that has the torrent and serve it; measures how "
                               "fast the client takes data",
                               *a, "--connections", "Fake seeders, one connection each", 8);
    add_outgoing(sub, *a);
    add_serving(sub, *a);
    return {sub, [a] { return run(role::upload, *a); }};
}

command make_download_command(CLI::App& parent) {
    auto a = std::make_shared<client_args>();
    CLI::App* sub = add_common(parent, "download",
                               "Fake leechers download the torrent from a seeding client, SHA-1-checking every piece",
                               *a, "--connections", "Fake leechers, one connection each, each downloading it all", 8);
    add_outgoing(sub, *a);
    sub->add_option("--storage", a->storage, "files (written under --data-dir/leecher-NN/) | discard (checked, not written)")
        ->capture_default_str();
    sub->add_option("--data-dir", a->data_dir, "Download into this directory (kept); default: a temporary one");
    sub->add_option("--pipeline", a->pipeline,
                    "Outstanding 16 KiB requests per connection, at most the client's reqq (transmission 512, "
                    "libtorrent 500; 250 if it does not say): transmission answers in rounds, so depth is speed")
        ->capture_default_str();
    return {sub, [a] { return run(role::download, *a); }};
}

command make_seed_command(CLI::App& parent) {
    auto a = std::make_shared<client_args>();
    CLI::App* sub = add_common(parent, "seed",
                               "Fake seeders listen for clients that connect in (add ADDR:PORT to your client as a "
                               "peer); done when a client has every piece",
                               *a, "--peers", "Fake seeders; seeder i listens on PORT + i", 1);
    sub->add_option("--listen", a->listen, "ADDR:PORT of the first seeder (port 0: any free ports, printed)")
        ->capture_default_str();
    add_serving(sub, *a);
    return {sub, [a] { return run(role::seed, *a); }};
}

}  // namespace swarmbench::cli
