// Engine overhead per operation, per backend: how many submit->complete round
// trips a context turns per second when the operation itself costs nothing.
//
//   build/release/bench/swarmbench_engine_bench
//
// Nops measure the completion machinery alone; zero-length timers add the
// backend's timer path.
#include <benchmark/benchmark.h>

#include <vector>

#include "swarmbench/io_context.hpp"

namespace {

using namespace swarmbench;

void run_batch(benchmark::State& state, backend_kind kind, op_code code) {
    std::error_code ec;
    auto ctx = make_io_context(kind, {}, ec);
    if (!ctx) {
        state.SkipWithError(("backend unavailable: " + ec.message()).c_str());
        return;
    }
    const auto batch = static_cast<std::size_t>(state.range(0));
    std::vector<operation> ops(batch);
    std::size_t done = 0;
    for (auto& op : ops) {
        op.code = code;
        op.user = &done;
        op.on_complete = [](operation& o) { ++*static_cast<std::size_t*>(o.user); };
    }
    for (auto _ : state) {
        done = 0;
        for (auto& op : ops) ctx->submit(op);
        while (done < batch) ctx->run_once(std::chrono::milliseconds(100));
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * batch));
}

void nop_io_uring(benchmark::State& s) { run_batch(s, backend_kind::io_uring, op_code::nop); }
void nop_epoll(benchmark::State& s) { run_batch(s, backend_kind::epoll, op_code::nop); }
void timer0_io_uring(benchmark::State& s) { run_batch(s, backend_kind::io_uring, op_code::timer); }
void timer0_epoll(benchmark::State& s) { run_batch(s, backend_kind::epoll, op_code::timer); }

BENCHMARK(nop_io_uring)->Arg(1)->Arg(64)->Arg(512);
BENCHMARK(nop_epoll)->Arg(1)->Arg(64)->Arg(512);
BENCHMARK(timer0_io_uring)->Arg(64);
BENCHMARK(timer0_epoll)->Arg(64);

}  // namespace

BENCHMARK_MAIN();
