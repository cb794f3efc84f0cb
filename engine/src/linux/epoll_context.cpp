// Placeholder until the epoll backend lands.
#include "backends.hpp"
#include "swarmbench/error.hpp"
namespace swarmbench::detail {
std::unique_ptr<io_context> make_epoll_context(const context_options&, std::error_code& ec) {
    ec = make_error_code(engine_errc::backend_unavailable); return nullptr; }
}
