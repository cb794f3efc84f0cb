// The one place that names the Windows backend (STYLE.md, Engine 1).
#include "backends.hpp"
#include "swarmbench/error.hpp"
#include "swarmbench/log.hpp"

namespace swarmbench {

std::vector<backend_kind> compiled_backends() { return {backend_kind::iocp}; }

bool backend_available(backend_kind kind, std::string* why_not) {
    switch (kind) {
        case backend_kind::iocp: return detail::iocp_probe(why_not);
        case backend_kind::io_uring:
        case backend_kind::epoll:
            if (why_not) *why_not = std::string(to_string(kind)) + " is Linux-only (this is a Windows build)";
            return false;
        case backend_kind::automatic: break;
    }
    if (why_not) *why_not = "not a concrete backend";
    return false;
}

std::unique_ptr<io_context> make_io_context(backend_kind kind, const context_options& options,
                                            std::error_code& ec) {
    ec.clear();
    const backend_choice choice = choose_backend(kind);
    if (choice.active == backend_kind::iocp) return detail::make_iocp_context(options, ec);
    log().error("{}", choice.reason);  // the error code cannot carry why
    ec = make_error_code(engine_errc::backend_unavailable);
    return nullptr;
}

}  // namespace swarmbench
