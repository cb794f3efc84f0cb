// disk_settings: the disk baseline's schema table (every field of
// disk_config described once) and the rules between its fields.
#include <fmt/format.h>

#include "../settings/field_codec.hpp"
#include "swarmbench/workloads/disk.hpp"

namespace swarmbench {

using settings::detail::size_text;

const settings::schema<disk_config>& disk_schema() {
    using settings::detail::field;
    using F = settings::field_info;
    using T = settings::value_type;
    using DC = disk_config;
    static const settings::schema<disk_config> table({
        field<&DC::size>(F("size", T::size, "disk", "File size, a multiple of block.")
                             .range(512, double(std::numeric_limits<std::uint64_t>::max())).in("B")),
        field<&DC::block>(F("block", T::size, "disk", "Bytes per write, a multiple of 512 (4096 with direct).")
                              .range(512, double(64u << 20)).in("B")),
        field<&DC::queue_depth>(F("queue_depth", T::count, "disk", "Writes in flight.").range(1, 4096)),
        field<&DC::direct>(F("direct", T::flag, "disk",
                             "O_DIRECT (bypasses the page cache; needs a disk filesystem, not tmpfs).")),
        field<&DC::fsync_at_end>(F("fsync", T::flag, "disk",
                                   "Finish with fdatasync inside the timed window (fio --end_fsync=1).")),
        field<&DC::file>(F("file", T::text, "disk",
                           "Write this file (kept if it existed before); empty: a new temporary file.")),
        field<&DC::dir>(F("dir", T::text, "disk",
                          "Create the temporary file in this directory (empty: $TMPDIR or the current one).")),
        field<&DC::keep>(F("keep", T::flag, "disk", "Keep the file this run created.")),
        field<&DC::backend>(settings::detail::backend_info()),
        field<&DC::interval>(F("interval_ms", T::count, "run", "Sampling interval.").range(10, 60000).in("ms")),
        field<&DC::seed>(F("seed", T::any_u64, "disk", "Seed of the write order (same seed, same order).")),
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
