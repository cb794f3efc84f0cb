// swarmbench: the command line. Parses, dispatches to one cmd_<name>.cpp per
// subcommand, and turns errors into exit codes: 0 measured, 1 run-time
// error (still reporting what was measured), 2 bad flags.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "cli_common.hpp"
#include "swarmbench/log.hpp"
#include "swarmbench/results.hpp"
#include "swarmbench/settings/schema.hpp"

namespace {

/// The one-line error for a word the parser did not expect: a mistyped flag
/// gets the closest flag of its command, a mistyped command the closest
/// command and the list of them (as scenario files name the closest field).
/// Empty when there is nothing unexpected to name.
std::string unexpected_word(const CLI::App& app) {
    const std::vector<std::string> extra = app.remaining(true);
    if (extra.empty()) return {};
    const CLI::App* at = &app;  // the deepest command given
    for (auto subs = at->get_subcommands(); !subs.empty(); subs = at->get_subcommands()) at = subs.front();
    const std::string& word = extra.front();
    std::vector<std::string> names;
    if (word.rfind("-", 0) == 0) {
        for (const CLI::App* a : {at, &app})
            for (const CLI::Option* o : a->get_options()) {
                for (const std::string& n : o->get_lnames()) names.push_back("--" + n);
                for (const std::string& n : o->get_snames()) names.push_back("-" + n);
            }
        const std::string flag = word.substr(0, word.find('='));
        const std::vector<std::string_view> views(names.begin(), names.end());
        const std::string command = at == &app ? "swarmbench" : "swarmbench " + at->get_name();
        // Suggest only a near miss: a flag of another command ("--pipeline" to
        // `upload`) is nearest to something unrelated ("--help").
        const std::string nearest = swarmbench::closest_name(flag, views);
        if (swarmbench::edit_distance(flag, nearest) > std::max<std::size_t>(2, flag.size() / 4))
            return flag + ": not a flag of `" + command + "`; see `" + command + " --help`";
        return flag + ": unknown flag (did you mean " + nearest + "?); see `" + command + " --help`";
    }
    if (at != &app) return {};  // a stray value after a command's flags: CLI11 says it well
    std::string list;
    for (const CLI::App* sub : app.get_subcommands({})) {
        names.push_back(sub->get_name());
        list += (list.empty() ? "" : ", ") + sub->get_name();
    }
    const std::vector<std::string_view> views(names.begin(), names.end());
    return "\"" + word + "\": unknown command (did you mean \"" + swarmbench::closest_name(word, views) +
           "\"?); the commands: " + list;
}

}  // namespace

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
        const std::string unexpected = unexpected_word(app);
        std::fprintf(stderr, "swarmbench: %s\n", unexpected.empty() ? e.what() : unexpected.c_str());
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
