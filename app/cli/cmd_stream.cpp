// swarmbench stream: N one-way TCP streams, like iperf3 -P N.
#include <memory>

#include "cli_common.hpp"
#include "swarmbench/log.hpp"
#include "swarmbench/workloads/stream.hpp"

namespace swarmbench::cli {

namespace {
struct stream_args {
    std::string connections = "1";      // --connections
    std::string seconds;                // --seconds ("" : 10, or until Ctrl-C with --listen)
    std::string bytes_per_op = "128KiB";  // --bytes-per-op
    std::string sends_in_flight = "1";  // --sends-in-flight
    std::string backend = "auto";       // --backend
    std::string threads = "0";          // --threads
    std::string target;                 // --target
    std::string listen;                 // --listen
    std::string interval_ms = "100";    // --interval-ms
    std::string connect_timeout_ms = "10000";  // --connect-timeout-ms
    bool json = false;                  // --json
    bool no_progress = false;           // --no-progress
    CLI::Option* connections_opt = nullptr;  // to tell "given" from "default"
};

int run(const stream_args& a) {
    stream_config c;
    if (!a.target.empty() && !a.listen.empty()) throw usage_error("--target: cannot be combined with --listen");
    if (!a.target.empty()) {
        c.role = stream_config::role_t::target;
        c.target = parse_endpoint_flag("--target", a.target, false);
    } else if (!a.listen.empty()) {
        c.role = stream_config::role_t::listen;
        c.listen = parse_endpoint_flag("--listen", a.listen, true);
        c.expect_connections = a.connections_opt->count() > 0;
    }
    const bool listen = c.role == stream_config::role_t::listen;
    c.connections = static_cast<std::uint32_t>(parse_count("--connections", a.connections, 1, 100000));
    c.seconds = a.seconds.empty() ? (listen ? 0.0 : 10.0)
                                  : parse_seconds("--seconds", a.seconds, listen ? 0.0 : 0.1, 86400);
    c.bytes_per_op = static_cast<std::uint32_t>(parse_size_flag("--bytes-per-op", a.bytes_per_op, 1, 16u << 20));
    c.sends_in_flight = static_cast<std::uint32_t>(parse_count("--sends-in-flight", a.sends_in_flight, 1, 2));
    c.backend = parse_backend_flag(a.backend);
    c.threads = static_cast<unsigned>(parse_count("--threads", a.threads, 0, 1024));
    c.interval = std::chrono::milliseconds(parse_count("--interval-ms", a.interval_ms, 10, 60000));
    c.connect_timeout = std::chrono::milliseconds(parse_count("--connect-timeout-ms", a.connect_timeout_ms, 1, 600000));

    // Loopback holds both ends: two descriptors per connection, plus the engine's own.
    std::uint64_t limit = raise_open_file_limit();
    std::uint64_t need = (c.role == stream_config::role_t::loopback ? 2ull : 1ull) * c.connections + 64;
    if (!listen && limit != 0 && need > limit)
        log().warn("--connections {} needs about {} file descriptors but the open-file limit is {}: raise it "
                   "(ulimit -n, or run as root) or expect EMFILE",
                   c.connections, need, limit);

    progress_printer printer(!a.no_progress);
    run_hooks hooks;
    hooks.stop = &stop_flag();
    hooks.on_progress = [&printer](const progress& p) { printer(p); };
    results r = run_stream(c, hooks);
    printer.finish();
    return report(r, a.json);
}
}  // namespace

command make_stream_command(CLI::App& parent) {
    auto a = std::make_shared<stream_args>();
    CLI::App* sub = parent.add_subcommand(
        "stream", "N one-way TCP streams, like iperf3 -P N (loopback: both ends in this process)");
    a->connections_opt = sub->add_option("--connections", a->connections, "Streams to open, 1..100000")->capture_default_str();
    sub->add_option("--seconds", a->seconds, "Measured window in seconds (default 10; with --listen: until Ctrl-C)");
    sub->add_option("--bytes-per-op", a->bytes_per_op, "Bytes per send and recv (e.g. 64KiB)")->capture_default_str();
    sub->add_option("--sends-in-flight", a->sends_in_flight, "Send operations kept pending per stream, 1..2")->capture_default_str();
    sub->add_option("--backend", a->backend, "auto | io_uring | epoll (auto honours SWARMBENCH_BACKEND)")->capture_default_str();
    sub->add_option("--threads", a->threads, "Engine contexts, one thread each (0: one per core)")->capture_default_str();
    sub->add_option("--target", a->target, "Only send, to HOST:PORT of another `swarmbench stream --listen`");
    sub->add_option("--listen", a->listen,
                    "Only receive, on ADDR:PORT, until Ctrl-C, --seconds, or (if --connections is given) "
                    "that many streams came and closed");
    sub->add_option("--interval-ms", a->interval_ms, "Sampling interval for the time series, 10..60000")->capture_default_str();
    sub->add_option("--connect-timeout-ms", a->connect_timeout_ms, "Limit per connect attempt")->capture_default_str();
    sub->add_flag("--json", a->json, "Write the results document (docs/results-schema.md) to stdout");
    sub->add_flag("--no-progress", a->no_progress, "No live progress line on stderr");
    return {sub, [a] { return run(*a); }};
}

}  // namespace swarmbench::cli
