// Windows process set-up for the CLI: console events, no descriptor limit to
// raise, tty check via _isatty. Ctrl-C itself arrives as SIGINT through the
// C runtime (stop_signals.cpp).
#include <windows.h>
#include <io.h>

#include <cstdio>

#include "cli_common.hpp"

namespace swarmbench::cli {

namespace {
// Runs on a thread the console creates. Ctrl-Break and closing the window
// stop the run like Ctrl-C; returning TRUE for a close event would still end
// the process after a few seconds, so the run gets those to write its results.
BOOL WINAPI on_console_event(DWORD event) {
    switch (event) {
        case CTRL_BREAK_EVENT:
        case CTRL_CLOSE_EVENT:
            request_stop();
            return TRUE;
        default:
            return FALSE;  // Ctrl-C: left to the C runtime's SIGINT
    }
}
}  // namespace

void install_os_signal_handlers() { SetConsoleCtrlHandler(on_console_event, TRUE); }

// Windows has no RLIMIT_NOFILE for sockets: nothing to raise.
std::uint64_t raise_open_file_limit() { return 0; }

bool stderr_is_terminal() { return _isatty(_fileno(stderr)) != 0; }

int terminal_columns() {
    CONSOLE_SCREEN_BUFFER_INFO info{};
    if (!GetConsoleScreenBufferInfo(GetStdHandle(STD_ERROR_HANDLE), &info)) return 0;
    return info.srWindow.Right - info.srWindow.Left + 1;
}

}  // namespace swarmbench::cli
