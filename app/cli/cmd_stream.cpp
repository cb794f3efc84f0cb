// swarmbench stream: N one-way TCP streams, like iperf3 -P N. Its flags are
// the stream schema's (stream_settings.cpp) but the role, which --target or
// --listen choose.
#include <memory>

#include "cli_common.hpp"
#include "schema_flags.hpp"
#include "swarmbench/log.hpp"

namespace swarmbench::cli {

namespace {
struct stream_args {
    std::unique_ptr<schema_flags<stream_config>> fields;  // a flag per stream_config field but role
    run_output out;                                       // -o, --json, --no-progress, --no-graphs
};

int run(const stream_args& a) {
    stream_config c;
    a.fields->apply(c);
    // --target or --listen choose the role; with neither, both ends run here.
    if (a.fields->given("target") && a.fields->given("listen"))
        throw usage_error("--target: cannot be combined with --listen");
    if (a.fields->given("target")) c.role = stream_config::role_t::target;
    if (a.fields->given("listen")) {
        c.role = stream_config::role_t::listen;
        c.expect_connections = a.fields->given("connections");
        if (!a.fields->given("seconds")) c.seconds = 0;  // until stopped
    }
    a.fields->refuse(validate(c));
    const bool listen = c.role == stream_config::role_t::listen;

    // Loopback holds both ends: two descriptors per connection, plus the engine's own.
    std::uint64_t limit = raise_open_file_limit();
    std::uint64_t need = (c.role == stream_config::role_t::loopback ? 2ull : 1ull) * c.connections + 64;
    if (!listen && limit != 0 && need > limit)
        log().warn("--connections {} needs about {} file descriptors but the open-file limit is {}: raise it "
                   "(ulimit -n, or run as root) or expect EMFILE",
                   c.connections, need, limit);

    run_request req;
    req.mode = run_mode::stream;
    req.stream = c;
    return run_and_report(std::move(req), a.out);
}
}  // namespace

command make_stream_command(CLI::App& parent) {
    auto a = std::make_shared<stream_args>();
    CLI::App* sub = parent.add_subcommand(
        "stream", "N one-way TCP streams, like iperf3 -P N (loopback: both ends in this process)");
    a->fields = std::make_unique<schema_flags<stream_config>>(sub, stream_schema(),
                                                              std::vector<std::string_view>{"role", "expect_connections"});
    add_output_flags(sub, a->out);
    return {sub, [a] { return run(*a); }};
}

}  // namespace swarmbench::cli
