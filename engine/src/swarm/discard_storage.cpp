// discard_storage: the network-only mode (see storage.hpp). Writes go
// nowhere and reads return zeros, but every call still completes through the
// context (a nop operation), never inline, so callers run the same code path
// as with real files.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "swarmbench/log.hpp"
#include "swarmbench/swarm/storage.hpp"

namespace swarmbench {
namespace {

using steady = std::chrono::steady_clock;

class discard_storage;

/// One write or read waiting for its turn of the loop; recycled.
struct discard_job {
    discard_storage* owner = nullptr;  // the storage it belongs to
    operation op;                      // the nop that carries the completion
    storage_callback cb = nullptr;     // the caller's callback
    void* user = nullptr;              // the caller's pointer
    std::span<std::byte> fill;         // read: the caller's buffer, zeroed on completion
    std::uint32_t bytes = 0;           // bytes "transferred"
    steady::time_point started;        // submit time (latency)
};

void on_discard_done(operation& op);

class discard_storage final : public piece_storage {
public:
    explicit discard_storage(io_context& ctx) : ctx_(ctx) {}

    ~discard_storage() override {
        if (pending_ > 0)
            log().error("discard storage destroyed with {} operations pending: their callbacks will touch freed memory",
                        pending_);
    }

    void async_write(std::uint32_t piece, std::uint32_t offset, std::span<const std::byte> data,
                     storage_callback cb, void* user) override {
        (void)piece;
        (void)offset;
        start({}, static_cast<std::uint32_t>(data.size()), cb, user);
    }

    void async_read(std::uint32_t piece, std::uint32_t offset, std::span<std::byte> out, storage_callback cb,
                    void* user) override {
        (void)piece;
        (void)offset;
        start(out, static_cast<std::uint32_t>(out.size()), cb, user);
    }

    std::size_t pending() const noexcept override { return pending_; }
    void close_files() noexcept override {}
    /// Always 0: nothing reaches a disk.
    std::uint64_t bytes_written() const noexcept override { return 0; }

    /// The nop of `job` completed (owning thread).
    void done(discard_job& job) {
        if (!job.fill.empty()) std::fill(job.fill.begin(), job.fill.end(), std::byte{0});
        storage_result result;
        result.error = job.op.error;
        result.bytes = result.error ? 0 : job.bytes;
        result.latency = std::chrono::duration_cast<std::chrono::nanoseconds>(steady::now() - job.started);
        const storage_callback cb = job.cb;
        void* const user = job.user;
        free_.push_back(&job);  // before the callback, which may submit again
        --pending_;
        cb(user, result);
    }

private:
    void start(std::span<std::byte> fill, std::uint32_t bytes, storage_callback cb, void* user) {
        if (free_.empty()) {
            auto job = std::make_unique<discard_job>();
            job->owner = this;
            job->op.code = op_code::nop;
            job->op.on_complete = on_discard_done;
            job->op.user = job.get();
            free_.push_back(job.get());
            jobs_.push_back(std::move(job));
            free_.reserve(jobs_.size());  // so done() never allocates
        }
        discard_job& job = *free_.back();
        free_.pop_back();
        job.cb = cb;
        job.user = user;
        job.fill = fill;
        job.bytes = bytes;
        job.started = steady::now();
        ++pending_;
        ctx_.submit(job.op);
    }

    io_context& ctx_;                                 // where the nops go
    std::vector<std::unique_ptr<discard_job>> jobs_;  // every job ever made
    std::vector<discard_job*> free_;                  // jobs ready for reuse
    std::size_t pending_ = 0;                         // jobs submitted and not called back
};

void on_discard_done(operation& op) {
    auto& job = *static_cast<discard_job*>(op.user);
    job.owner->done(job);
}

}  // namespace

std::unique_ptr<piece_storage> make_discard_storage(io_context& ctx) {
    return std::make_unique<discard_storage>(ctx);
}

}  // namespace swarmbench
