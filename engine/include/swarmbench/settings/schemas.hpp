// schemas: every kind of settings' table found by its type, for code written
// once for all of them (the app's forms, Python's settings classes).
//
// Thread rules: as schema.hpp (built on first use, read-only after).
#pragma once

#include "swarmbench/settings/schema.hpp"
#include "swarmbench/swarm/scenario.hpp"
#include "swarmbench/workloads/disk.hpp"
#include "swarmbench/workloads/stream.hpp"

namespace swarmbench::settings {

template <class C>
const schema<C>& schema_of();
template <>
inline const schema<swarm_scenario>& schema_of<swarm_scenario>() {
    return scenario_schema();
}
template <>
inline const schema<stream_config>& schema_of<stream_config>() {
    return stream_schema();
}
template <>
inline const schema<disk_config>& schema_of<disk_config>() {
    return disk_schema();
}

}  // namespace swarmbench::settings
