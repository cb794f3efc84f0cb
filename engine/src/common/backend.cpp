#include "swarmbench/backend.hpp"

#include <algorithm>
#include <cstdlib>

#include "swarmbench/log.hpp"

namespace swarmbench {

const char* to_string(backend_kind kind) noexcept {
    switch (kind) {
        case backend_kind::automatic: return "auto";
        case backend_kind::io_uring: return "io_uring";
        case backend_kind::epoll: return "epoll";
        case backend_kind::iocp: return "iocp";
    }
    return "unknown";
}

std::optional<backend_kind> parse_backend(std::string_view name) noexcept {
    if (name == "auto" || name == "automatic") return backend_kind::automatic;
    if (name == "io_uring" || name == "uring") return backend_kind::io_uring;
    if (name == "epoll") return backend_kind::epoll;
    if (name == "iocp") return backend_kind::iocp;
    return std::nullopt;
}

backend_choice choose_backend(backend_kind requested) {
    backend_choice choice;
    choice.requested = requested;
    std::string source = "requested";
    if (requested == backend_kind::automatic) {
        if (const char* env = std::getenv("SWARMBENCH_BACKEND"); env != nullptr && *env != '\0') {
            auto parsed = parse_backend(env);
            if (!parsed) {
                choice.reason = std::string("SWARMBENCH_BACKEND=") + env +
                                " is not a backend (use io_uring, epoll, iocp or auto)";
                return choice;
            }
            requested = *parsed;
            source = "SWARMBENCH_BACKEND";
        }
    }
    if (requested != backend_kind::automatic) {
        std::string why;
        if (backend_available(requested, &why)) {
            choice.active = requested;
            choice.reason = std::string(to_string(requested)) + " (" + source + ")";
        } else {
            choice.reason = std::string(to_string(requested)) + " " + source + " but unavailable: " + why;
        }
        return choice;
    }
    // automatic: the first compiled backend that works, explaining each skip.
    std::string skipped;
    for (backend_kind k : compiled_backends()) {
        std::string why;
        if (backend_available(k, &why)) {
            choice.active = k;
            choice.reason = skipped.empty() ? std::string(to_string(k)) + " (default)"
                                            : skipped + "; using " + to_string(k);
            if (!skipped.empty()) log().warn("{}", choice.reason);
            return choice;
        }
        if (!skipped.empty()) skipped += "; ";
        skipped += std::string(to_string(k)) + " unavailable: " + why;
    }
    choice.reason = "no backend works here: " + skipped;
    return choice;
}

std::vector<backend_kind> available_backends() {
    std::vector<backend_kind> out;
    for (backend_kind k : compiled_backends())
        if (backend_available(k)) out.push_back(k);
    return out;
}

backend_report report_backends() {
    backend_report out;
    const backend_choice def = choose_backend(backend_kind::automatic);
    out.default_reason = def.reason;
    const std::vector<backend_kind> compiled = compiled_backends();
    for (backend_kind k : {backend_kind::io_uring, backend_kind::epoll, backend_kind::iocp}) {
        backend_status b;
        b.kind = k;
        b.compiled = std::find(compiled.begin(), compiled.end(), k) != compiled.end();
        std::string why;
        b.available = b.compiled && backend_available(k, &why);
        if (!b.compiled) why = "not compiled into this build";
        b.is_default = b.available && def.active == k;
        if (!b.available) b.reason = why;
        out.backends.push_back(std::move(b));
    }
    return out;
}

}  // namespace swarmbench
