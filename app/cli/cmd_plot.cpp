// placeholder: being written (swarmbench plot)
#include "cli_common.hpp"

namespace swarmbench::cli {
command make_plot_command(CLI::App& parent) {
    command c;
    c.app = parent.add_subcommand("plot", "re-render graphs of results folders, overlaying several runs");
    c.run = [] { return exit_usage; };
    return c;
}
}  // namespace swarmbench::cli
