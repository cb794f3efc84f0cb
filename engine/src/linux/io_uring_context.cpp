// Placeholder until the io_uring backend lands.
#include "backends.hpp"
#include "swarmbench/error.hpp"
namespace swarmbench::detail {
bool io_uring_probe(std::string* why_not) { if (why_not) *why_not = "not implemented yet"; return false; }
std::unique_ptr<io_context> make_io_uring_context(const context_options&, std::error_code& ec) {
    ec = make_error_code(engine_errc::backend_unavailable); return nullptr; }
}
