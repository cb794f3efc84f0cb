// stream_settings: the stream baseline's schema table (every field of
// stream_config described once) and the rules between its fields.
#include <fmt/format.h>

#include "../settings/field_codec.hpp"
#include "swarmbench/workloads/stream.hpp"

namespace swarmbench {

const settings::schema<stream_config>& stream_schema() {
    using settings::detail::field;
    using F = settings::field_info;
    using T = settings::value_type;
    using SC = stream_config;
    static const settings::schema<stream_config> table({
        field<&SC::role>(F("role", T::choice, "stream",
                           "loopback (both ends here), listen (only receive) or target (only send to target).")
                             .one_of({to_string(SC::role_t::loopback), to_string(SC::role_t::listen), to_string(SC::role_t::target)})),
        field<&SC::connections>(F("connections", T::count, "stream", "Streams to open (listen: how many to expect).")
                                    .range(1, 100000)),
        field<&SC::expect_connections>(F("expect_connections", T::flag, "stream",
                                         "Listen: finish once `connections` streams came and all closed.")),
        field<&SC::seconds>(F("seconds", T::real, "stream", "Measured window (listen: 0 = until stopped).")
                                .range(0.1, 86400).or_zero().in("s")),
        field<&SC::bytes_per_op>(F("bytes_per_op", T::size, "stream", "Bytes per send and receive.")
                                     .range(1, double(16u << 20)).in("B")),
        field<&SC::sends_in_flight>(F("sends_in_flight", T::count, "stream", "Send operations kept pending per stream.")
                                        .range(1, 2)),
        field<&SC::backend>(settings::detail::backend_info()),
        field<&SC::threads>(F("threads", T::count, "run", "Engine contexts, one thread each (0: one per core).")
                                .range(0, 1024)),
        field<&SC::target>(F("target", T::endpoint, "stream",
                             "Send only, to this listening `swarmbench stream --listen` (role target).")),
        field<&SC::listen>(F("listen", T::endpoint, "stream", "Receive only, listening here (role listen; port 0: any).")),
        field<&SC::interval>(F("interval_ms", T::count, "run", "Sampling interval.").range(10, 60000).in("ms")),
        field<&SC::connect_timeout>(F("connect_timeout_ms", T::count, "stream", "Limit per connect attempt.")
                                        .range(1, 600000).in("ms")),
        field<&SC::connects_in_flight>(F("connects_in_flight", T::count, "stream",
                                         "Connects in progress per context (bounds the SYN burst).")
                                           .range(1, 100000)),
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
