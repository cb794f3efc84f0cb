// Built when SWARMBENCH_WITH_IO_URING is OFF: the backend reports itself missing.
#include "backends.hpp"
#include "swarmbench/error.hpp"

namespace swarmbench::detail {

bool io_uring_probe(std::string* why_not) {
    if (why_not) *why_not = "built without io_uring (configure with -DSWARMBENCH_WITH_IO_URING=ON; needs liburing-dev)";
    return false;
}

std::unique_ptr<io_context> make_io_uring_context(const context_options&, std::error_code& ec) {
    ec = make_error_code(engine_errc::backend_unavailable);
    return nullptr;
}

}  // namespace swarmbench::detail
