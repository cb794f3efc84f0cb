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
// Each command fills a swarm_scenario and runs it through
// run_swarm_and_report, so the results folder, --json, graphs and the app's
// views are those of `run`. Its flags are scenario fields (schema_flags, some under the command's own
// name, doc and default: --connections, --pipeline 500); the fields a role
// fixes (upload stores nothing, download opens one connection per leecher)
// are not offered. --dump-scenario prints the scenario, which `run
// --scenario` replays.
#include <iostream>
#include <memory>

#include "cli_common.hpp"
#include "schema_flags.hpp"
#include "swarmbench/bt/torrent.hpp"
#include "swarmbench/swarm/client_roles.hpp"

namespace swarmbench::cli {

namespace {

struct client_args {
    std::unique_ptr<schema_flags<swarm_scenario>> fields;  // the scenario fields this command offers
    std::string listen = "127.0.0.1:0";  // --listen (seed): listen_host and base_port in one
    std::string link;                    // --link: the fake peers' access-link class (JSON object)
    bool dump = false;                   // --dump-scenario
    run_output out;                      // -o, --json, --no-progress, --no-graphs
};

// The fields each command offers, in its own terms where they differ from
// `run`'s (scenario.cpp describes each field once; these say what it means
// for fake peers against a client). Defaults and fixed fields: client_roles.
flag_pick torrent_pick() {
    return {.field = "torrent_file", .flag = "--torrent",
            .doc = "The .torrent the client has (from make-torrent, or any v1 torrent).", .required = true};
}
flag_pick count_pick(client_role r, std::string_view flag, std::string_view doc) {
    return {.field = client_count_field(r), .flag = flag, .doc = doc, .lo = 1};
}
flag_pick target_pick(client_role r) {
    return {.field = client_target_field(r), .flag = "--target", .doc = "The client's listen address, HOST:PORT.",
            .required = true};
}
flag_pick data_pick() {
    return {.field = "content_dir", .flag = "--data",
            .doc = "Serve the content from this folder (laid out as a client's download folder); needed for "
                   "torrents not made by make-torrent."};
}
flag_pick grace_pick() {
    return {.field = "client_grace_s",
            .doc = "Seconds without any connection to the client (it is redialled meanwhile, backoff 0.2 s "
                   "doubling to 5 s) before the run ends as failed."};
}

swarm_scenario build(client_role r, const client_args& a) {
    swarm_scenario sc = client_scenario(r);
    if (r == client_role::seed)
        if (auto err = set_client_listen(sc, a.listen)) throw usage_error("--" + *err);
    a.fields->apply(sc);
    if (!a.link.empty()) {
        auto fields = client_link_fields(r, a.link);
        if (!fields) {
            std::string why = "--" + fields.error();  // each line "--link: ..."
            for (std::size_t at = why.find("\nlink: "); at != std::string::npos; at = why.find("\nlink: ", at + 3))
                why.insert(at + 1, "--");
            throw usage_error(why);
        }
        for (const auto& [name, value] : fields->items())
            if (auto err = scenario_schema().set(sc, name, value)) throw usage_error("--link: " + *err);
    }

    auto t = bt::read_torrent_file(sc.torrent_file);
    if (!t) throw usage_error("--torrent: " + t.error());
    if (r != client_role::download && !t->content_seed() && sc.content_dir.empty())
        throw usage_error("--data: " + sc.torrent_file + " was not made by `swarmbench make-torrent`, so its content "
                          "cannot be generated: give --data DIR, the folder that holds " + t->name());
    a.fields->refuse(validate(sc));
    return sc;
}

int run(client_role r, const client_args& a) {
    const swarm_scenario sc = build(r, a);
    if (a.dump) {
        std::cout << to_json(sc).dump(2) << std::endl;
        return exit_ok;
    }
    return run_swarm_and_report(sc, a.out);
}

command make(CLI::App& parent, client_role r, const char* help, std::vector<flag_pick> picks) {
    auto a = std::make_shared<client_args>();
    CLI::App* sub = parent.add_subcommand(std::string(to_string(r)), help);
    for (std::string_view f : {"duration_s", "timeout_s", "backend", "threads", "interval_ms"}) picks.push_back({f});
    for (auto& p : picks)  // the role's defaults, shown in --help
        if (const auto& d = client_role_defaults(r); d.contains(p.field)) p.def = d.at(std::string(p.field));
    a->fields = std::make_unique<schema_flags<swarm_scenario>>(sub, scenario_schema(), picks);
    if (r == client_role::seed)
        sub->add_option("--listen", a->listen, "ADDR:PORT of the first seeder (port 0: any free ports, printed)")
            ->capture_default_str();
    sub->add_option("--link", a->link,
                    "The fake peers' access link, one class as JSON: '{\"down\": \"16Mbit\", \"up\": \"1Mbit\", "
                    "\"rtt_ms\": 40}' (docs/links.md)")
        ->type_name("JSON");
    add_output_flags(sub, a->out);
    sub->add_flag("--dump-scenario", a->dump, "Print the scenario as JSON (replay it with run --scenario) and exit");
    return {sub, [a, r] { return run(r, *a); }};
}

}  // namespace

command make_upload_command(CLI::App& parent) {
    const auto r = client_role::upload;
    return make(parent, r,
                "Fake seeders connect to a client that has the torrent and serve it; measures how fast the client "
                "takes data",
                {torrent_pick(), target_pick(r), count_pick(r, "--connections", "Fake seeders, one connection each."),
                 data_pick(), {"rate_limit"}, grace_pick(), {"spread_sources"}});
}

command make_download_command(CLI::App& parent) {
    const auto r = client_role::download;
    return make(parent, r, "Fake leechers download the torrent from a seeding client, SHA-1-checking every piece",
                {torrent_pick(), target_pick(r),
                 count_pick(r, "--connections", "Fake leechers, one connection each, each downloading it all."),
                 {.field = "storage",
                  .doc = "files (written under --data-dir/leecher-NN/) or discard (checked, not written).",
                  .choices = {"files", "discard"}},
                 {"data_dir"},
                 {.field = "pipeline",
                  .doc = "Outstanding 16 KiB requests per connection, at most the client's reqq (transmission 512, "
                         "libtorrent 500; 250 if it does not say): transmission answers in rounds, so depth is "
                         "speed."},
                 grace_pick(), {"spread_sources"}});
}

command make_seed_command(CLI::App& parent) {
    const auto r = client_role::seed;
    return make(parent, r,
                "Fake seeders listen for clients that connect in (add ADDR:PORT to your client as a peer); done when "
                "a client has every piece",
                {torrent_pick(), count_pick(r, "--peers", "Fake seeders; seeder i listens on PORT + i."), data_pick(),
                 {"rate_limit"}});
}

}  // namespace swarmbench::cli
