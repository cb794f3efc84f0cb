// The one place that names the Linux backends (STYLE.md, Engine 1).
#include "backends.hpp"
#include "swarmbench/error.hpp"
#include "swarmbench/log.hpp"

namespace swarmbench {

std::vector<backend_kind> compiled_backends() { return {backend_kind::io_uring, backend_kind::epoll}; }

bool backend_available(backend_kind kind, std::string* why_not) {
    switch (kind) {
        case backend_kind::io_uring: {
            // Probing sets up a ring: do it once per process.
            static const std::pair<bool, std::string> probed = [] {
                std::string why;
                bool ok = detail::io_uring_probe(&why);
                return std::make_pair(ok, why);
            }();
            if (!probed.first && why_not) *why_not = probed.second;
            return probed.first;
        }
        case backend_kind::epoll: return true;
        case backend_kind::iocp:
            if (why_not) *why_not = "IOCP is Windows-only (build with cmake/mingw-w64-x86_64.cmake)";
            return false;
        case backend_kind::automatic: break;
    }
    if (why_not) *why_not = "not a concrete backend";
    return false;
}

std::unique_ptr<io_context> make_io_context(backend_kind kind, const context_options& options,
                                            std::error_code& ec) {
    ec.clear();
    backend_choice choice = choose_backend(kind);
    switch (choice.active) {
        case backend_kind::io_uring: {
            auto ctx = detail::make_io_uring_context(options, ec);
            if (ctx || kind == backend_kind::io_uring) return ctx;
            // automatic: a ring that probed fine but failed now (e.g. memlock) falls back.
            log().warn("io_uring context failed ({}); using epoll", ec.message());
            return detail::make_epoll_context(options, ec);
        }
        case backend_kind::epoll: return detail::make_epoll_context(options, ec);
        default:
            log().error("{}", choice.reason);  // the error code cannot carry why
            ec = make_error_code(engine_errc::backend_unavailable);
            return nullptr;
    }
}

}  // namespace swarmbench
