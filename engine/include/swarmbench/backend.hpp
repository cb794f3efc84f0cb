// backend: which completion-port implementation runs an io_context, chosen at
// run time (CLI --backend, the API, or the SWARMBENCH_BACKEND variable).
//
// Thread rules: all functions are safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace swarmbench {

enum class backend_kind { automatic, io_uring, epoll, iocp };

/// "auto", "io_uring", "epoll", "iocp".
const char* to_string(backend_kind kind) noexcept;

/// Parses the names above; nullopt for anything else.
std::optional<backend_kind> parse_backend(std::string_view name) noexcept;

/// The outcome of choosing a backend: what runs, what was asked, and why they differ.
struct backend_choice {
    backend_kind requested = backend_kind::automatic;  // what the caller (or env) asked for
    backend_kind active = backend_kind::automatic;     // what will run; automatic = none works
    std::string reason;  // why `active` (e.g. "io_uring unavailable: kernel.io_uring_disabled=2; using epoll")
};

/// Resolves `requested` (automatic: SWARMBENCH_BACKEND if set, else the best
/// backend) against what this machine supports, probing io_uring opcodes.
/// An explicit request for an unusable backend yields active == automatic
/// and a reason naming the fix, for the caller to report (not logged); an
/// automatic choice that skips a backend logs a warning saying why.
backend_choice choose_backend(backend_kind requested);

/// Whether `kind` can run here; `why_not` receives the reason if not.
bool backend_available(backend_kind kind, std::string* why_not = nullptr);

/// Every concrete backend this build can run on this machine, best first.
std::vector<backend_kind> available_backends();

/// Every concrete backend compiled into this build, usable here or not.
std::vector<backend_kind> compiled_backends();

/// One backend as `swarmbench backends` and Python's swarmbench.backends() report it.
struct backend_status {
    backend_kind kind = backend_kind::automatic;  // io_uring, epoll or iocp
    bool compiled = false;    // built into this binary
    bool available = false;   // compiled and can run on this machine
    bool is_default = false;  // what automatic picks here
    std::string reason;       // why not available ("" when it is)
};

/// Every concrete backend (io_uring, epoll, iocp, in that order), compiled or
/// not, and the automatic choice with its reason.
struct backend_report {
    std::vector<backend_status> backends;
    std::string default_reason;  // backend_choice::reason of the automatic choice
};
backend_report report_backends();

}  // namespace swarmbench
