// swarmbench disk: shuffled positioned writes, like fio --rw=randwrite. Its
// flags are the disk schema's (disk_settings.cpp): one per field.
#include <memory>

#include "cli_common.hpp"
#include "schema_flags.hpp"
#include "swarmbench/workloads/disk.hpp"

namespace swarmbench::cli {

namespace {
struct disk_args {
    std::unique_ptr<schema_flags<disk_config>> fields;  // one flag per disk_config field
    bool json = false;                                  // --json
    bool no_progress = false;                           // --no-progress
};

int run(const disk_args& a) {
    disk_config c;
    a.fields->apply(c);
    a.fields->refuse(validate(c));
    raise_open_file_limit();

    progress_printer printer(!a.no_progress);
    run_hooks hooks;
    hooks.stop = &stop_flag();
    hooks.on_progress = [&printer](const progress& p) { printer(p); };
    results r = run_disk(c, hooks);
    printer.finish();
    return report(r, a.json);
}
}  // namespace

command make_disk_command(CLI::App& parent) {
    auto a = std::make_shared<disk_args>();
    CLI::App* sub = parent.add_subcommand(
        "disk", "Positioned writes at shuffled offsets into a preallocated file, like "
                "fio --rw=randwrite --ioengine=io_uring (every block written once)");
    a->fields = std::make_unique<schema_flags<disk_config>>(sub, disk_schema());
    sub->add_flag("--json", a->json, "Write the results document (docs/results-schema.md) to stdout");
    sub->add_flag("--no-progress", a->no_progress, "No live progress line on stderr");
    return {sub, [a] { return run(*a); }};
}

}  // namespace swarmbench::cli
