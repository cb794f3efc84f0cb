// swarmbench disk: shuffled positioned writes, like fio --rw=randwrite.
#include <memory>

#include "cli_common.hpp"
#include "swarmbench/units.hpp"
#include "swarmbench/workloads/disk.hpp"

namespace swarmbench::cli {

namespace {
struct disk_args {
    std::string size = "1GiB";       // --size
    std::string block = "16KiB";     // --block
    std::string queue_depth = "32";  // --queue-depth
    std::string backend = "auto";    // --backend
    std::string file;                // --file
    std::string dir;                 // --dir
    std::string interval_ms = "100"; // --interval-ms
    bool direct = false;             // --direct
    bool fsync = false;              // --fsync
    bool keep = false;               // --keep
    bool json = false;               // --json
    bool no_progress = false;        // --no-progress
};

int run(const disk_args& a) {
    disk_config c;
    if (!a.file.empty() && !a.dir.empty()) throw usage_error("--file: cannot be combined with --dir");
    c.direct = a.direct;
    c.block = static_cast<std::uint32_t>(parse_size_flag("--block", a.block, 512, 64u << 20));
    if (c.block % 512 != 0) throw usage_error("--block: must be a multiple of 512 bytes, got '" + a.block + "'");
    if (c.direct && c.block % 4096 != 0)
        throw usage_error("--block: must be a multiple of 4096 bytes with --direct, got '" + a.block + "'");
    c.size = parse_size_flag("--size", a.size, c.block, std::uint64_t{c.block} * 0xffffffffULL);
    if (c.size % c.block != 0)
        throw usage_error("--size: must be a multiple of --block (" + format_bytes(c.block) + "), got '" + a.size + "'");
    c.queue_depth = static_cast<std::uint32_t>(parse_count("--queue-depth", a.queue_depth, 1, 4096));
    c.backend = parse_backend_flag(a.backend);
    c.interval = std::chrono::milliseconds(parse_count("--interval-ms", a.interval_ms, 10, 60000));
    c.fsync_at_end = a.fsync;
    c.file = a.file;
    c.dir = a.dir;
    c.keep = a.keep;
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
    sub->add_option("--size", a->size, "File size, a multiple of --block (e.g. 1GiB, 512MiB, 8M)")->capture_default_str();
    sub->add_option("--block", a->block, "Bytes per write")->capture_default_str();
    sub->add_option("--queue-depth", a->queue_depth, "Writes in flight, 1..4096")->capture_default_str();
    sub->add_flag("--direct", a->direct, "O_DIRECT (bypass the page cache; needs a disk filesystem, not tmpfs)");
    sub->add_flag("--fsync", a->fsync,
                  "Finish with fdatasync inside the timed window (fio --end_fsync=1). "
                  "Default: no final sync, like fio's default");
    sub->add_option("--file", a->file, "Write this file (kept if it already existed)");
    sub->add_option("--dir", a->dir, "Create a temporary file here (default: $TMPDIR, else the current directory)");
    sub->add_flag("--keep", a->keep, "Keep the file this run created");
    sub->add_option("--backend", a->backend, "auto | io_uring | epoll (auto honours SWARMBENCH_BACKEND)")->capture_default_str();
    sub->add_option("--interval-ms", a->interval_ms, "Sampling interval for the time series, 10..60000")->capture_default_str();
    sub->add_flag("--json", a->json, "Write the results document (docs/results-schema.md) to stdout");
    sub->add_flag("--no-progress", a->no_progress, "No live progress line on stderr");
    return {sub, [a] { return run(*a); }};
}

}  // namespace swarmbench::cli
