// POSIX process set-up for the CLI: ignored signals, the open-file limit, tty check.
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <fstream>

#include "cli_common.hpp"
#include "swarmbench/log.hpp"

namespace swarmbench::cli {

void install_os_signal_handlers() {
    std::signal(SIGPIPE, SIG_IGN);  // a vanished peer is an error code, not a death
    std::signal(SIGXFSZ, SIG_IGN);  // a file-size limit is EFBIG on the write, reported like a full disk
}

std::uint64_t raise_open_file_limit() {
    rlimit lim{};
    if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) return 0;
    if (::geteuid() == 0) {
        // Root may lift the hard limit as far as the kernel's fs.nr_open.
        rlim_t ceiling = 1u << 20;
        std::ifstream in("/proc/sys/fs/nr_open");
        unsigned long long nr_open = 0;
        if (in >> nr_open && nr_open > 0 && nr_open < ceiling) ceiling = static_cast<rlim_t>(nr_open);
        if (lim.rlim_max != RLIM_INFINITY && lim.rlim_max < ceiling) {
            rlimit raised{ceiling, ceiling};
            if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) lim = raised;
        }
    }
    if (lim.rlim_cur != lim.rlim_max) {
        rlimit raised{lim.rlim_max, lim.rlim_max};
        if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) lim = raised;
        else log().debug("could not raise the open-file soft limit to {}", static_cast<unsigned long long>(lim.rlim_max));
    }
    return lim.rlim_cur == RLIM_INFINITY ? ~std::uint64_t{0} : static_cast<std::uint64_t>(lim.rlim_cur);
}

bool stderr_is_terminal() { return ::isatty(STDERR_FILENO) == 1; }

int terminal_columns() {
    winsize ws{};
    if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
    return 0;
}

}  // namespace swarmbench::cli
