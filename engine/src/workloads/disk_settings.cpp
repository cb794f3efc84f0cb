// disk_settings: the disk baseline's schema table (every field of
// disk_config described once) and the rules between its fields.
#include <fmt/format.h>

#include "../settings/field_codec.hpp"
#include "swarmbench/workloads/disk.hpp"

namespace swarmbench {

namespace {

using settings::field_info;
using settings::value_type;
using settings::detail::field;
using settings::detail::size_text;
using C = disk_config;

field_info flag(std::string_view name, std::string_view doc) {
    return {.name = name, .type = value_type::flag, .doc = doc, .group = "disk"};
}
field_info text(std::string_view name, std::string_view doc) {
    return {.name = name, .type = value_type::text, .doc = doc, .group = "disk"};
}

}  // namespace

const settings::schema<disk_config>& disk_schema() {
    static const settings::schema<disk_config> table({
        field<&C::size>({.name = "size", .type = value_type::size, .unit = "B", .lo = 512,
                         .hi = double(std::numeric_limits<std::uint64_t>::max()), .ranged = true,
                         .doc = "File size, a multiple of block.", .group = "disk"}),
        field<&C::block>({.name = "block", .type = value_type::size, .unit = "B", .lo = 512, .hi = double(64u << 20),
                          .ranged = true, .doc = "Bytes per write, a multiple of 512 (4096 with direct).",
                          .group = "disk"}),
        field<&C::queue_depth>({.name = "queue_depth", .type = value_type::count, .lo = 1, .hi = 4096,
                                .ranged = true, .doc = "Writes in flight.", .group = "disk"}),
        field<&C::direct>(flag("direct", "O_DIRECT (bypasses the page cache; needs a disk filesystem, not tmpfs).")),
        field<&C::fsync_at_end>(flag("fsync", "Finish with fdatasync inside the timed window (fio --end_fsync=1).")),
        field<&C::file>(text("file", "Write this file (kept if it existed before); empty: a new temporary file.")),
        field<&C::dir>(text("dir", "Create the temporary file in this directory (empty: $TMPDIR or the current one).")),
        field<&C::keep>(flag("keep", "Keep the file this run created.")),
        field<&C::backend>({.name = "backend", .type = value_type::choice,
                            .choices = {"auto", "io_uring", "epoll", "iocp"},
                            .doc = "Completion-port backend (auto honours SWARMBENCH_BACKEND).", .group = "run"}),
        field<&C::interval>({.name = "interval_ms", .type = value_type::count, .unit = "ms", .lo = 10, .hi = 60000,
                             .ranged = true, .doc = "Sampling interval.", .group = "run"}),
        field<&C::seed>({.name = "seed", .type = value_type::any_u64,
                         .doc = "Seed of the write order (same seed, same order).", .group = "disk"}),
    });
    return table;
}

template class settings::schema<disk_config>;

nlohmann::json to_json(const disk_config& c) { return disk_schema().to_json(c); }

std::vector<std::string> validate(const disk_config& c) {
    std::vector<std::string> out = disk_schema().check_fields(c);
    if (c.block % 512 != 0) out.push_back(fmt::format("block: must be a multiple of 512 bytes, got {}", c.block));
    else if (c.direct && c.block % 4096 != 0)
        out.push_back(fmt::format("block: must be a multiple of 4096 bytes with direct, got {}", c.block));
    if (c.block > 0 && (c.size < c.block || c.size % c.block != 0))
        out.push_back(fmt::format("size: must be a positive multiple of block ({}), got {}", size_text(c.block),
                                  size_text(c.size)));
    else if (c.block > 0 && c.size / c.block > 0xffffffffULL)
        out.push_back(fmt::format("size: must be at most 4294967295 blocks of {}, got {}", size_text(c.block),
                                  size_text(c.size)));
    if (!c.file.empty() && !c.dir.empty()) out.push_back("file: cannot be combined with dir (give one of them)");
    return out;
}

}  // namespace swarmbench
