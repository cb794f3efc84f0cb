// Windows process set-up for the CLI (untested until the IOCP issue):
// signals via the C runtime, no descriptor limit to raise, tty via _isatty.
#include <io.h>

#include <csignal>
#include <cstdio>

#include "cli_common.hpp"

namespace swarmbench::cli {

namespace {
std::atomic<bool> g_stop{false};  // set by the first Ctrl-C / SIGTERM

extern "C" void on_signal(int sig) {
    g_stop.store(true, std::memory_order_relaxed);
    std::signal(sig, SIG_DFL);
}
}  // namespace

const std::atomic<bool>& stop_flag() { return g_stop; }

void install_signal_handlers() {
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
}

// Windows has no RLIMIT_NOFILE for sockets: nothing to raise.
std::uint64_t raise_open_file_limit() { return 0; }

bool stderr_is_terminal() { return _isatty(_fileno(stderr)) != 0; }

}  // namespace swarmbench::cli
