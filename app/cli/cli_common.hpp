// cli_common: what every swarmbench subcommand shares: flag parsing with
// one-line errors, the stop flag, the progress line, the summary and the
// results document on stdout.
//
// Thread rules: everything here runs on the main thread, except that the
// stop flag is set from a signal handler.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>

#include <CLI/CLI.hpp>

#include "swarmbench/backend.hpp"
#include "swarmbench/endpoint.hpp"
#include "swarmbench/results.hpp"
#include "swarmbench/session/run_session.hpp"
#include "swarmbench/swarm/scenario.hpp"
#include "swarmbench/workloads/run_control.hpp"

namespace swarmbench::cli {

// The exit codes, as the README's table lists them.
inline constexpr int exit_ok = 0;            // ran and measured
inline constexpr int exit_runtime = 1;       // a run-time error (port in use, EMFILE, a failed piece, ...)
inline constexpr int exit_usage = 2;         // bad flags, files or settings: nothing ran
inline constexpr int exit_interrupted = 130; // stopped by Ctrl-C / SIGTERM: the results so far are kept

/// A bad flag: the message is one line, "--flag: must be ..., got ...".
struct usage_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// A subcommand: its CLI11 node and what to run when it was chosen.
struct command {
    CLI::App* app = nullptr;       // owned by the parent CLI::App
    std::function<int()> run;      // returns the exit code; may throw usage_error
};

command make_run_command(CLI::App& parent);
command make_plot_command(CLI::App& parent);
command make_stream_command(CLI::App& parent);
command make_disk_command(CLI::App& parent);
command make_backends_command(CLI::App& parent);
command make_torrent_command(CLI::App& parent);    // make-torrent (cmd_torrent.cpp)
command make_gen_data_command(CLI::App& parent);   // gen-data (cmd_torrent.cpp)

command make_upload_command(CLI::App& parent);     // upload (cmd_clients.cpp)
command make_download_command(CLI::App& parent);   // download (cmd_clients.cpp)
command make_seed_command(CLI::App& parent);       // seed (cmd_clients.cpp)

// ---- running and reporting (run_report.cpp) ----
/// Output flags every command that runs something shares.
struct run_output {
    std::string output;        // -o: results folder ("" : ./swarmbench-results/<timestamp>/)
    bool json = false;         // --json: the results document on stdout
    bool no_progress = false;  // --no-progress
    bool no_graphs = false;    // --no-graphs
    bool force = false;        // --force: -o may name a folder that holds results already
};
/// Adds -o, --json, --no-progress and --no-graphs to `sub`, into `out`.
void add_output_flags(CLI::App* sub, run_output& out);
/// Runs `req` (validated) through a run_session: the progress line, Ctrl-C
/// stops it, the results folder with its graphs, then the summary and
/// --json. Returns the exit code.
int run_and_report(run_request req, const run_output& out);
/// A swarm: warns when the descriptor limit is short, then run_and_report.
int run_swarm_and_report(const swarm_scenario& sc, const run_output& out, const swarm_timeline& timeline = {});

// ---- flag parsing (each throws usage_error naming the flag and the range) ----
std::uint64_t parse_count(const std::string& flag, const std::string& text, std::uint64_t lo, std::uint64_t hi);
/// HOST:PORT; `any_port_ok` allows port 0 (listen: pick one).
endpoint parse_endpoint_flag(const std::string& flag, const std::string& text, bool any_port_ok);

// ---- process set-up (stop_signals.cpp, system_<os>.cpp) ----
/// The flag SIGINT/SIGTERM (and on Windows Ctrl-Break or closing the
/// console) set; a second signal kills as usual.
const std::atomic<bool>& stop_flag();
/// Sets the stop flag (any thread, and from a signal handler).
void request_stop() noexcept;
/// Catches SIGINT/SIGTERM once, then install_os_signal_handlers().
void install_signal_handlers();
/// What each OS adds (system_<os>.cpp): POSIX ignores SIGPIPE and SIGXFSZ,
/// Windows catches the console's Ctrl-Break and close events.
void install_os_signal_handlers();
/// Raises the open-file soft limit to the hard limit (as root, the hard limit
/// too, up to fs.nr_open capped at 1M). Returns the soft limit now in force
/// (0 if unknown).
std::uint64_t raise_open_file_limit();
/// Whether stderr is a terminal (the progress line rewrites itself there).
bool stderr_is_terminal();
/// The width of the terminal on stderr, asked each time (a resized window
/// changes it); 0 if unknown.
int terminal_columns();

// ---- output ----
/// Prints progress to stderr: one rewritten line on a terminal, else a
/// plain line per second.
///
/// On a terminal the line fits its width (the least useful parts go first)
/// and log lines from any thread are printed above it (the stderr log sink's
/// hook clears the line, writes, and draws it again), so nothing glues onto
/// it; finish() clears it for the summary.
///
/// Thread rules: operator() and finish() on one thread; the log hook from
/// any, serialised with them by `m_`.
class progress_printer {
public:
    explicit progress_printer(bool enabled);
    ~progress_printer();
    progress_printer(const progress_printer&) = delete;
    progress_printer& operator=(const progress_printer&) = delete;
    void operator()(const progress& p);
    /// Clears the live line, if any, and lets log lines through as they come.
    void finish();

private:
    void show(std::string line);  // draws `line` as the live line (under m_)

    bool enabled_ = true;        // --no-progress turns it off
    bool tty_ = false;           // rewrite in place with \r
    double next_plain_s_ = 1;    // non-tty: next elapsed second to print at
    std::string phase_;          // last phase printed (a change prints at once)
    std::mutex m_;               // guards line_ and the terminal's line against log lines
    std::string line_;           // the live line on screen ("" : none)
};

/// Prints the human summary to stderr and, with `json`, the results document
/// to stdout. Returns exit_ok, or exit_runtime if the run failed or had errors.
int report(const results& r, bool json);

}  // namespace swarmbench::cli
