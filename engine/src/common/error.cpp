#include "swarmbench/error.hpp"

#include <cerrno>

#include "common/errc_words.hpp"

namespace swarmbench {
namespace {

class engine_category_impl final : public std::error_category {
public:
    const char* name() const noexcept override { return "swarmbench"; }
    std::string message(int ev) const override {
        switch (static_cast<engine_errc>(ev)) {
            case engine_errc::backend_unavailable: return "backend unavailable";
            case engine_errc::unsupported_operation: return "operation not supported by this backend";
            case engine_errc::invalid_operation: return "invalid operation (check code, handle and buffer)";
            case engine_errc::context_stopped: return "context is shutting down";
        }
        return "unknown swarmbench error";
    }
};

// A hint that names the fix for the errors users meet under swarm load.
const char* hint_for(const std::error_code& ec) {
    if (ec == std::errc::too_many_files_open || ec == std::errc::too_many_files_open_in_system)
        return "raise the open-file limit (ulimit -n, or fs.nr_open) or use fewer connections";
    if (ec == std::errc::address_in_use) return "pick another port, or wait for the old listener to go";
    if (ec == std::errc::no_space_on_device) return "free space on the output filesystem or use a smaller torrent";
    if (ec == std::errc::file_too_large) return "the file-size limit (ulimit -f) is below the torrent size";
    if (ec == std::errc::permission_denied) return "check the permissions of the output directory";
    if (ec == std::errc::connection_refused) return "is anything listening at that address?";
    if (ec == std::errc::address_not_available) return "the source address is not configured on this host";
    if (ec == std::errc::not_enough_memory || ec == std::errc::no_buffer_space)
        return "lower the connection count or the queue depth";
    return nullptr;
}

}  // namespace

const std::error_category& engine_category() noexcept {
    static const engine_category_impl instance;
    return instance;
}

std::error_code make_error_code(engine_errc e) noexcept {
    return {static_cast<int>(e), engine_category()};
}

std::error_code last_system_error() noexcept {
    return {errno, std::system_category()};
}

std::string describe_error(const std::string& what, const std::error_code& ec) {
    // Portable words for std::errc values (mingw's strerror lacks the socket ones).
    const char* words = ec.category() == std::generic_category() ? detail::errc_words(std::errc(ec.value())) : nullptr;
    const std::string message = words != nullptr ? std::string(words) : ec.message();
    std::string out = what.empty() ? message : what + ": " + message;
    if (const char* hint = hint_for(ec)) {
        out += " (";
        out += hint;
        out += ")";
    }
    return out;
}

}  // namespace swarmbench
