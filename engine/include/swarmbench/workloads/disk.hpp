// disk: positioned writes of `block` bytes at shuffled offsets into one
// preallocated file, `queue_depth` in flight: the write pattern of a torrent
// download, comparable to
//   fio --rw=randwrite --bs=16k --iodepth=Q --ioengine=io_uring --size=SIZE
// Every block is written exactly once, in a deterministic order (a seeded
// Fisher-Yates shuffle), as fio's default random map does.
//
// The timed window opens with the first write and closes with the last
// completion, or with the final fdatasync when `fsync_at_end` is set (fio
// --end_fsync=1). Preallocation is outside it, as fio's layout is.
//
// Thread rules: run_disk blocks the calling thread and calls
// hooks.on_progress on it; it runs one context on its own thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "swarmbench/backend.hpp"
#include "swarmbench/results.hpp"
#include "swarmbench/settings/schema.hpp"
#include "swarmbench/workloads/run_control.hpp"

namespace swarmbench {

struct disk_config {
    std::uint64_t size = 1ULL << 30;     // file size; a multiple of block
    std::uint32_t block = 16 * 1024;     // bytes per write
    std::uint32_t queue_depth = 32;      // writes in flight
    bool direct = false;                 // O_DIRECT (4096-aligned buffers and offsets)
    bool fsync_at_end = false;           // final fdatasync inside the timed window
    std::string file;                    // write here (kept if it existed before)
    std::string dir;                     // else a new file in here ("" : $TMPDIR or the current directory)
    bool keep = false;                   // keep a file this run created
    backend_kind backend = backend_kind::automatic;  // completion-port implementation
    std::chrono::milliseconds interval{100};  // sampling interval
    std::uint64_t seed = 0x5eed;         // shuffle seed (same seed, same order)
};

/// The disk_config's schema: every field's name, type, unit, range, doc and
/// default (stream_settings.cpp / disk_settings.cpp).
const settings::schema<disk_config>& disk_schema();

/// Every option, for the results document's `config` (the schema's JSON form).
nlohmann::json to_json(const disk_config& config);

/// Every problem with `config`, one line each naming the field (ranges, then
/// the rules between fields); empty when it can run.
std::vector<std::string> validate(const disk_config& config);

/// The order in which block indexes are written: a permutation of
/// 0..blocks-1, deterministic in `seed`.
std::vector<std::uint32_t> shuffled_blocks(std::uint32_t blocks, std::uint64_t seed);

/// Runs the disk workload. Run-time failures (cannot create the file, ENOSPC,
/// O_DIRECT unsupported) end up in summary.errors / error_messages.
results run_disk(const disk_config& config, const run_hooks& hooks);

}  // namespace swarmbench
