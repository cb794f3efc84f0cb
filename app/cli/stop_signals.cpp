// The stop flag of a run, set by the first Ctrl-C / SIGTERM on every OS
// (std::signal is the C runtime's, on Windows too).
#include <csignal>

#include "cli_common.hpp"

namespace swarmbench::cli {

namespace {
std::atomic<bool> g_stop{false};  // set by the first SIGINT/SIGTERM
static_assert(std::atomic<bool>::is_always_lock_free, "the stop flag is set from a signal handler");

extern "C" void on_signal(int sig) {
    g_stop.store(true, std::memory_order_relaxed);
    // The next one is not caught: a second Ctrl-C kills a run that hangs.
    std::signal(sig, SIG_DFL);
}
}  // namespace

const std::atomic<bool>& stop_flag() { return g_stop; }

void request_stop() noexcept { g_stop.store(true, std::memory_order_relaxed); }

void install_signal_handlers() {
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    install_os_signal_handlers();
}

}  // namespace swarmbench::cli
