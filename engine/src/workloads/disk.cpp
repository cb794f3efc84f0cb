// disk: shuffled positioned writes into one preallocated file (see disk.hpp).
//
// [SECTION] Context-side state and callbacks (the context thread)
// [SECTION] The controller: file, timed window, sampling, cleanup
#include "swarmbench/workloads/disk.hpp"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <numeric>
#include <thread>
#include <random>

#include "controller.hpp"
#include "swarmbench/buffer_pool.hpp"
#include "swarmbench/context_group.hpp"
#include "swarmbench/error.hpp"
#include "swarmbench/log.hpp"
#include "swarmbench/stats.hpp"
#include "swarmbench/splitmix.hpp"

namespace swarmbench {

std::vector<std::uint32_t> shuffled_blocks(std::uint32_t blocks, std::uint64_t seed) {
    std::vector<std::uint32_t> order(blocks);
    std::iota(order.begin(), order.end(), 0u);
    // splitmix64, not std::shuffle (whose algorithm the standard leaves open).
    std::uint64_t state = seed;
    auto next = [&state] { return splitmix64(state); };
    for (std::uint32_t i = blocks; i > 1; --i) {
        std::uint32_t j = static_cast<std::uint32_t>(next() % i);  // bias < 2^-32: irrelevant here
        std::swap(order[i - 1], order[j]);
    }
    return order;
}

namespace {

using detail::clock;
using detail::seconds_between;

// ---------------------------------------------------------------------------
// [SECTION] Context-side state and callbacks
// ---------------------------------------------------------------------------

struct disk_run;

/// One of the queue_depth write slots: an operation and its buffer.
struct write_slot {
    disk_run* run = nullptr;        // owner
    operation op;                   // the write_at kept busy
    clock::time_point started;      // when op was submitted (latency)
};

/// Everything the context thread touches; the controller reads the plain
/// members only after `done` (release/acquire) or after the join.
struct disk_run {
    disk_config config;                   // the run's options
    std::string path;                     // the file written
    std::vector<std::uint32_t> order;     // block indexes in write order
    io_context* ctx = nullptr;            // the context (set on its thread)
    native_handle fd = invalid_handle;    // the open file
    std::unique_ptr<buffer_pool> pool;    // queue_depth blocks
    std::vector<write_slot> slots;        // one per queue slot, sized once
    operation sync_op;                    // the final fdatasync
    std::size_t next = 0;                 // next index into order
    std::size_t in_flight = 0;            // writes submitted, not completed
    bool stopping = false;                // interrupted or failed: submit no more
    clock::time_point t0, t_writes_done, t_end;  // the timed window
    latency_histogram latency;            // per-write completion latency
    relaxed_counter bytes;                // bytes written (sampled)
    relaxed_counter ops;                  // writes completed (sampled)
    relaxed_counter errors;               // failed writes and syncs (sampled)
    std::atomic<bool> done{false};        // the window closed (t_end valid)
    detail::doorbell bell;                // rung when done
    detail::error_log error_messages;     // first few errors
};

void finish(disk_run& r) {
    r.t_end = clock::now();
    r.done.store(true, std::memory_order_release);
    r.bell.ring();
}

void on_sync(operation& op) {
    disk_run& r = *static_cast<disk_run*>(op.user);
    if (op.error) {
        r.errors.add(1);
        r.error_messages.add(describe_error("fdatasync " + r.path, op.error));
    }
    finish(r);
}

void writes_done(disk_run& r) {
    r.t_writes_done = clock::now();
    if (r.config.fsync_at_end && r.errors.get() == 0) {
        r.sync_op.code = op_code::fdatasync;
        r.sync_op.handle = r.fd;
        r.sync_op.on_complete = on_sync;
        r.sync_op.user = &r;
        r.ctx->submit(r.sync_op);
        return;
    }
    finish(r);
}

void issue(write_slot& slot, clock::time_point now) {
    disk_run& r = *slot.run;
    std::uint32_t block = r.order[r.next++];
    slot.op.offset = static_cast<std::uint64_t>(block) * r.config.block;
    slot.started = now;
    ++r.in_flight;
    r.ctx->submit(slot.op);
}

void on_write(operation& op) {
    write_slot& slot = *static_cast<write_slot*>(op.user);
    disk_run& r = *slot.run;
    const auto now = clock::now();  // one clock read serves this latency and the next start
    --r.in_flight;
    if (detail::is_cancel(op.error)) return;  // the context is going away: submit nothing
    if (op.error) {
        r.errors.add(1);
        r.error_messages.add(describe_error("write " + r.path + " at offset " + std::to_string(op.offset), op.error));
        r.stopping = true;  // ENOSPC, EIO: every further write would fail the same way
    } else {
        r.latency.record(now - slot.started);
        r.bytes.add(static_cast<std::uint64_t>(op.result));
        r.ops.add(1);
        if (!r.stopping && r.next < r.order.size()) {
            issue(slot, now);
            return;
        }
    }
    if (r.in_flight == 0 && !r.done.load(std::memory_order_relaxed)) writes_done(r);
}

std::error_code open_and_prepare(disk_run& r, io_context& ctx) {
    r.ctx = &ctx;
    const disk_config& c = r.config;
    std::uint32_t depth = static_cast<std::uint32_t>(std::min<std::size_t>(c.queue_depth, r.order.size()));
    r.pool = std::make_unique<buffer_pool>(c.block, depth, 4096);
    // Random contents, so compressing or deduplicating storage cannot cheat.
    std::mt19937_64 rng(c.seed);
    for (std::size_t i = 0; i + 8 <= r.pool->region_size(); i += 8) {
        std::uint64_t v = rng();
        std::memcpy(r.pool->base() + i, &v, 8);
    }
    ctx.register_buffers(*r.pool);
    r.slots = std::vector<write_slot>(depth);
    for (write_slot& slot : r.slots) {
        slot.run = &r;
        slot.op.code = op_code::write_at;
        slot.op.data = r.pool->acquire();
        slot.op.size = c.block;
        slot.op.on_complete = on_write;
        slot.op.user = &slot;
    }
    file_options fo;
    fo.create = true;
    fo.direct = c.direct;
    fo.preallocate = c.size;
    std::error_code ec;
    r.fd = ctx.open_file(r.path, fo, ec);
    if (ec) {
        r.fd = invalid_handle;
        return ec;
    }
    for (write_slot& slot : r.slots) slot.op.handle = r.fd;
    return {};
}

void start(disk_run& r) {
    r.t0 = clock::now();
    if (r.slots.empty()) {
        writes_done(r);
        return;
    }
    for (write_slot& slot : r.slots) issue(slot, r.t0);
}

void begin_stop(disk_run& r) {
    r.stopping = true;
    // Writes cannot be usefully cancelled half-way; the in-flight ones finish.
    if (r.in_flight == 0 && !r.done.load(std::memory_order_relaxed)) finish(r);
}

// ---------------------------------------------------------------------------
// [SECTION] The controller
// ---------------------------------------------------------------------------

std::string pick_path(const disk_config& c) {
    namespace fs = std::filesystem;
    if (!c.file.empty()) return c.file;
    fs::path dir;
    if (!c.dir.empty()) {
        dir = c.dir;
    } else if (const char* tmp = std::getenv("TMPDIR"); tmp != nullptr && *tmp != '\0') {
        dir = tmp;
    } else {
        std::error_code ec;
        dir = fs::current_path(ec);
    }
    std::random_device rd;
    auto tag = (static_cast<std::uint64_t>(rd()) << 32) ^ static_cast<std::uint64_t>(clock::now().time_since_epoch().count());
    char name[64];
    std::snprintf(name, sizeof(name), "swarmbench-disk-%016llx.tmp", static_cast<unsigned long long>(tag));
    return (dir / name).string();
}

std::string open_error(const disk_config& c, const std::string& path, const std::error_code& ec) {
    std::string msg = describe_error("create " + path, ec);
    if (c.direct && ec == std::errc::invalid_argument)
        msg += " (O_DIRECT is not supported on this filesystem, e.g. tmpfs: use --dir on a disk filesystem or drop --direct)";
    return msg;
}

}  // namespace

results run_disk(const disk_config& config, const run_hooks& hooks) {
    namespace fs = std::filesystem;
    results res;
    res.mode = "disk";
    res.config = to_json(config);
    res.environment = detect_environment();
    res.summary.counted_at = "disk";
    res.summary.disk = disk_summary{};

    if (config.block == 0 || config.size == 0 || config.size % config.block != 0 ||
        config.size / config.block > 0xffffffffULL || config.queue_depth == 0) {
        detail::fail_run(res, "disk: size must be a non-zero multiple of block (at most 2^32 blocks), queue depth >= 1");
        return res;
    }
    backend_choice choice = choose_backend(config.backend);
    res.environment.backend_reason = choice.reason;
    if (choice.active == backend_kind::automatic) {
        detail::fail_run(res, "backend: " + choice.reason);
        return res;
    }

    auto run = std::make_unique<disk_run>();
    run->config = config;
    run->path = pick_path(config);
    run->order = shuffled_blocks(static_cast<std::uint32_t>(config.size / config.block), config.seed);
    res.summary.disk->path = run->path;
    const bool existed = [&] {
        std::error_code ec;
        return fs::exists(run->path, ec);
    }();

    std::error_code ec;
    context_options options;
    options.queue_entries = std::max<unsigned>(256, config.queue_depth * 2);
    // epoll serves files from a thread pool (io_uring ignores this). Buffered
    // writes are memory copies serialised on the inode lock: more threads than
    // cores only add contention (measured: 2 threads 1.37 GB/s, 4: 1.10 GB/s on
    // 2 cores). O_DIRECT writes wait on the device: keep the queue depth busy.
    const unsigned cores = std::max(2u, std::thread::hardware_concurrency());
    options.file_threads = config.direct ? std::clamp<unsigned>(config.queue_depth, 2, 16)
                                         : std::clamp<unsigned>(config.queue_depth, 1, cores);
    auto group = std::make_unique<context_group>(choice.active, 1, options, ec);
    if (ec) {
        detail::fail_run(res, describe_error(std::string("starting the ") + to_string(choice.active) + " context", ec));
        return res;
    }
    res.environment.backend = to_string(group->kind());

    // Open and preallocate (outside the window), then time the writes.
    std::error_code open_ec;
    disk_run* r = run.get();
    bool answered = detail::run_on_each(
        *group, [r, &open_ec](std::size_t, io_context& ctx) { open_ec = open_and_prepare(*r, ctx); },
        clock::now() + std::chrono::minutes(5));  // preallocating a large file on a slow disk takes a while
    if (!answered || open_ec) {
        detail::fail_run(res, answered ? open_error(config, run->path, open_ec) : "disk: the context did not answer");
    } else {
        const double cpu0 = process_cpu_seconds();
        const auto t0 = clock::now();
        group->post(0, [r](io_context&) { start(*r); });
        auto next = t0 + config.interval;
        std::uint64_t prev_bytes = 0;
        auto prev_t = t0;
        bool stop_sent = false;
        clock::time_point stop_at;
        const std::uint64_t blocks = run->order.size();
        while (true) {
            run->bell.wait_until(next);
            bool done = run->done.load(std::memory_order_acquire);
            auto now = clock::now();
            if (!done && now < next && !hooks.stop_requested()) continue;
            if (hooks.stop_requested() && !stop_sent) {
                stop_sent = true;
                stop_at = now;
                group->post(0, [r](io_context&) { begin_stop(*r); });
            }
            if (done) break;
            std::uint64_t b = run->bytes.get();
            std::uint64_t ops = run->ops.get();
            double dt = seconds_between(prev_t, now);
            double rate = dt > 0 ? static_cast<double>(b - prev_bytes) / dt : 0;
            res.series.push(seconds_between(t0, now), b, rate);
            res.series.extra["ops"].push_back(static_cast<double>(ops));
            if (hooks.on_progress) {
                hooks.on_progress({ops == blocks ? "syncing" : stop_sent ? "stopping" : "writing",
                                   seconds_between(t0, now), 0, b, rate, ops, blocks, run->errors.get()});
            }
            prev_bytes = b;
            prev_t = now;
            next += config.interval;
            if (next < now) next = now + config.interval;
            if (stop_sent && now - stop_at > std::chrono::seconds(30)) {
                detail::fail_run(res, "disk: writes still pending 30 s after stop; abandoning them");
                break;  // never hang on a stuck device
            }
        }
        const double cpu1 = process_cpu_seconds();
        if (run->done.load(std::memory_order_acquire)) {
            // t0/t_end were written on the context thread before `done`.
            double seconds = seconds_between(run->t0, run->t_end);
            set_goodput(res.summary, run->bytes.get(), seconds);
            // A last row at the window's end (the sampler's origin is within
            // microseconds of the context's).
            double last_t = res.series.size() ? res.series.t_s.back() : 0;
            if (seconds > last_t) {
                res.series.push(seconds, run->bytes.get(),
                                static_cast<double>(run->bytes.get() - prev_bytes) / (seconds - last_t));
                res.series.extra["ops"].push_back(static_cast<double>(run->ops.get()));
            }
            if (config.fsync_at_end) res.summary.disk->fsync_seconds = seconds_between(run->t_writes_done, run->t_end);
        }
        res.summary.cpu_seconds = cpu1 - cpu0;
        if (stop_sent) res.summary.status = "interrupted";
    }

    // Close on the context thread, then join; the histogram is ours after that.
    detail::run_on_each(
        *group, [r](std::size_t, io_context& ctx) {
            if (r->fd != invalid_handle && r->in_flight == 0) ctx.close_now(r->fd);
            r->fd = invalid_handle;
        },
        clock::now() + std::chrono::seconds(30));
    group->stop();
    group->join();
    group.reset();

    disk_summary& d = *res.summary.disk;
    d.ops = run->ops.get();
    d.iops = res.summary.seconds > 0 ? static_cast<double>(d.ops) / res.summary.seconds : 0;
    d.latency_us_p50 = run->latency.percentile_ns(0.50) / 1e3;
    d.latency_us_p99 = run->latency.percentile_ns(0.99) / 1e3;
    d.latency_us_p999 = run->latency.percentile_ns(0.999) / 1e3;
    d.latency_us_mean = run->latency.mean_ns() / 1e3;
    d.latency_us_max = static_cast<double>(run->latency.max_ns()) / 1e3;
    res.summary.errors += run->errors.get();
    run->error_messages.drain_into(res.summary);
    if (res.summary.errors > 0 && res.summary.status == "ok" && d.ops < run->order.size()) res.summary.status = "failed";

    if (!existed && !config.keep) {
        std::error_code rm;
        fs::remove(run->path, rm);
        if (rm) log().warn("disk: could not remove {}: {}", run->path, rm.message());
    }
    return res;
}

}  // namespace swarmbench
