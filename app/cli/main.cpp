// swarmbench: the command line. Parses, dispatches to one cmd_<name>.cpp per
// subcommand, and turns errors into exit codes: 0 measured, 1 run-time
// error (still reporting what was measured), 2 bad flags.
#include <cstdio>
#include <string>
#include <vector>

#include "cli_common.hpp"
#include "swarmbench/log.hpp"
#include "swarmbench/results.hpp"

int main(int argc, char** argv) {
    using namespace swarmbench::cli;
    CLI::App app{"swarmbench: torrent-style I/O throughput tester", "swarmbench"};
    app.set_version_flag("--version", std::string("swarmbench ") + swarmbench::version());
    app.require_subcommand(1);
    app.fallthrough();  // global flags work after the subcommand too
    std::string log_level = "info";
    app.add_option("--log-level", log_level, "trace | debug | info | warn | error | off")->capture_default_str();

    std::vector<command> commands{make_run_command(app), make_plot_command(app), make_stream_command(app),
                                  make_disk_command(app), make_backends_command(app), make_torrent_command(app),
                                  make_gen_data_command(app), make_upload_command(app), make_download_command(app),
                                  make_seed_command(app)};
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
        std::fprintf(stderr, "swarmbench: %s\n", e.what());
        return exit_usage;
    }
    try {
        if (!swarmbench::set_log_level(log_level))
            throw usage_error("--log-level: must be trace, debug, info, warn, error or off, got '" + log_level + "'");
        install_signal_handlers();
        for (const command& c : commands)
            if (c.app->parsed()) return c.run();
    } catch (const usage_error& e) {
        std::fprintf(stderr, "swarmbench: %s\n", e.what());
        return exit_usage;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "swarmbench: %s\n", e.what());
        return exit_runtime;
    }
    return exit_usage;
}
