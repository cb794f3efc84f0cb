// stream_settings: the stream baseline's schema table (every field of
// stream_config described once) and the rules between its fields.
#include <fmt/format.h>

#include "../settings/field_codec.hpp"
#include "swarmbench/workloads/stream.hpp"

namespace swarmbench {

namespace {

using settings::field_info;
using settings::value_type;
using settings::detail::field;
using C = stream_config;

field_info count(std::string_view name, double lo, double hi, std::string_view doc, std::string_view unit = {}) {
    return {.name = name, .type = value_type::count, .unit = unit, .lo = lo, .hi = hi, .ranged = true, .doc = doc,
            .group = "stream"};
}

}  // namespace

const settings::schema<stream_config>& stream_schema() {
    static const settings::schema<stream_config> table({
        field<&C::role>({.name = "role", .type = value_type::choice, .choices = {"loopback", "listen", "target"},
                         .doc = "loopback (both ends here), listen (only receive) or target (only send to target).",
                         .group = "stream"}),
        field<&C::connections>(count("connections", 1, 100000, "Streams to open (listen: how many to expect).")),
        field<&C::expect_connections>({.name = "expect_connections", .type = value_type::flag,
                                       .doc = "Listen: finish once `connections` streams came and all closed.",
                                       .group = "stream"}),
        field<&C::seconds>({.name = "seconds", .type = value_type::real, .unit = "s", .lo = 0.1, .hi = 86400,
                            .zero_ok = true, .ranged = true,
                            .doc = "Measured window (listen: 0 = until stopped).", .group = "stream"}),
        field<&C::bytes_per_op>({.name = "bytes_per_op", .type = value_type::size, .unit = "B", .lo = 1,
                                 .hi = double(16u << 20), .ranged = true, .doc = "Bytes per send and receive.",
                                 .group = "stream"}),
        field<&C::sends_in_flight>(count("sends_in_flight", 1, 2, "Send operations kept pending per stream.")),
        field<&C::backend>({.name = "backend", .type = value_type::choice,
                            .choices = {"auto", "io_uring", "epoll", "iocp"},
                            .doc = "Completion-port backend (auto honours SWARMBENCH_BACKEND).", .group = "run"}),
        field<&C::threads>(count("threads", 0, 1024, "Engine contexts, one thread each (0: one per core).")),
        field<&C::target>({.name = "target", .type = value_type::endpoint,
                           .doc = "Role target: the HOST:PORT of a listening `swarmbench stream --listen`.",
                           .group = "stream"}),
        field<&C::listen>({.name = "listen", .type = value_type::endpoint,
                           .doc = "Role listen: the ADDR:PORT to listen on (port 0: any).", .group = "stream"}),
        field<&C::interval>(count("interval_ms", 10, 60000, "Sampling interval.", "ms")),
        field<&C::connect_timeout>(count("connect_timeout_ms", 1, 600000, "Limit per connect attempt.", "ms")),
        field<&C::connects_in_flight>(count("connects_in_flight", 1, 100000,
                                            "Connects in progress per context (bounds the SYN burst).")),
    });
    return table;
}

template class settings::schema<stream_config>;

nlohmann::json to_json(const stream_config& c) { return stream_schema().to_json(c); }

std::vector<std::string> validate(const stream_config& c) {
    std::vector<std::string> out = stream_schema().check_fields(c);
    using role = stream_config::role_t;
    if (c.role != role::listen && c.seconds == 0)
        out.push_back("seconds: must be 0.1..86400 (0: until stopped, with role \"listen\"), got 0");
    if (c.role == role::target && (!c.target.valid() || c.target.port == 0))
        out.push_back("target: role \"target\" needs the HOST:PORT of a listening stream (port 1..65535), got \"" +
                      (c.target.valid() ? c.target.to_string() : std::string()) + "\"");
    if (c.role == role::listen && !c.listen.valid())
        out.push_back("listen: role \"listen\" needs the ADDR:PORT to listen on (\"127.0.0.1:5201\"), got \"\"");
    return out;
}

}  // namespace swarmbench
