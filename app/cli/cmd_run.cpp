// placeholder: being written (swarmbench run)
#include "cli_common.hpp"

namespace swarmbench::cli {
command make_run_command(CLI::App& parent) {
    command c;
    c.app = parent.add_subcommand("run", "run a BitTorrent swarm over loopback and measure it");
    c.run = [] { return exit_usage; };
    return c;
}
}  // namespace swarmbench::cli
