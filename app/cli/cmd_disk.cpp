// swarmbench disk: shuffled positioned writes, like fio --rw=randwrite. Its
// flags are the disk schema's (disk_settings.cpp): one per field.
#include <memory>

#include "cli_common.hpp"
#include "schema_flags.hpp"

namespace swarmbench::cli {

namespace {
struct disk_args {
    std::unique_ptr<schema_flags<disk_config>> fields;  // one flag per disk_config field
    run_output out;                                     // -o, --json, --no-progress, --no-graphs
};

int run(const disk_args& a) {
    disk_config c;
    a.fields->apply(c);
    a.fields->refuse(validate(c));
    raise_open_file_limit();

    run_request req;
    req.mode = run_mode::disk;
    req.disk = c;
    return run_and_report(std::move(req), a.out);
}
}  // namespace

command make_disk_command(CLI::App& parent) {
    auto a = std::make_shared<disk_args>();
    CLI::App* sub = parent.add_subcommand(
        "disk", "Positioned writes at shuffled offsets into a preallocated file, like "
                "fio --rw=randwrite --ioengine=io_uring (every block written once)");
    a->fields = std::make_unique<schema_flags<disk_config>>(sub, disk_schema());
    add_output_flags(sub, a->out);
    return {sub, [a] { return run(*a); }};
}

}  // namespace swarmbench::cli
