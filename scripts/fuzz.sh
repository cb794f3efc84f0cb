#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/) with clang under address+undefined
# sanitizers into build/fuzz/, runs each for a bounded time on a scratch copy
# of its seed corpus (the repository is never written), and fails on any
# crash, leak, timeout or out-of-memory. Prints each target's execution count
# and writes one line per target to build/fuzz/summary.txt.
#
#   SWARMBENCH_FUZZ_SECONDS=N   seconds per target (default 36; targets run nproc at a time)
#   SWARMBENCH_FUZZ_TARGETS="a b"  a subset of the targets
#
# A crash leaves its input in build/fuzz/artifacts/<target>/; to keep it as a
# regression test, copy it to fuzz/regressions/<target>/<what-it-was> and fix
# the bug (the normal build replays that folder under CTest, label fuzz).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
source "$here/lib.sh"
cd "$root"

build="$root/build/fuzz"
seconds="${SWARMBENCH_FUZZ_SECONDS:-36}"
targets=(${SWARMBENCH_FUZZ_TARGETS:-bencode_fuzz torrent_fuzz wire_decoder_fuzz peer_session_fuzz scenario_fuzz})
[[ "$seconds" =~ ^[0-9]+$ && "$seconds" -ge 1 ]] || die "SWARMBENCH_FUZZ_SECONDS must be a whole number of seconds >= 1, got $seconds"
command -v clang++ >/dev/null || die "clang++ not found: sudo apt-get install clang libclang-rt-14-dev"

step "fuzz: configuring $build (clang, address+undefined, libFuzzer)"
timed "fuzz: configure" cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -DNDEBUG" -DSWARMBENCH_UNITY_ENGINE=ON \
  -DCMAKE_CXX_COMPILER=clang++ -DSWARMBENCH_FUZZ=ON -DSWARMBENCH_SANITIZE=address,undefined \
  -DSWARMBENCH_BUILD_TESTS=OFF -DSWARMBENCH_BUILD_BENCH=OFF -DSWARMBENCH_BUILD_CLI=OFF \
  -DSWARMBENCH_BUILD_APP=OFF -DSWARMBENCH_BUILD_PYTHON=OFF -DSWARMBENCH_WITH_GRAPHS=OFF >/dev/null
step "fuzz: building ${targets[*]}"
timed "fuzz: build" cmake --build "$build" --parallel "$(nproc)" --target "${targets[@]}"

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:allocator_may_return_null=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
summary="$build/summary.txt"
: >"$summary"

# fuzz_one TARGET: runs one target for $seconds on a scratch copy of its corpus
# and writes its summary line to $build/TARGET.result.
fuzz_one() {
  local t="$1" scratch="$build/scratch/$1" artifacts="$build/artifacts/$1" log="$build/$1.log"
  local rc=0 execs rate corpus crash line
  rm -rf "$scratch"
  mkdir -p "$scratch" "$artifacts"
  cp -r "$root/fuzz/corpus/$t/." "$scratch/"
  [[ -d "$root/fuzz/regressions/$t" ]] && cp -r "$root/fuzz/regressions/$t/." "$scratch/"
  # In-process, one job: -jobs would fork workers that log to files of their own.
  # -timeout per input, -rss_limit_mb for the whole process, leaks detected
  # (LeakSanitizer through -detect_leaks=1, the default, spelt out).
  "$build/fuzz/$t" "$scratch" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2560 -detect_leaks=1 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" -close_fd_mask=0 >"$log" 2>&1 || rc=$?
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
  rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)"
  corpus="$(find "$scratch" -type f | wc -l)"
  if [[ $rc -eq 0 && -n "$execs" ]]; then
    line="$t ok executions=$execs exec_per_s=${rate:-?} seconds=$seconds corpus=$corpus"
  else
    crash="$(ls -t "$artifacts" 2>/dev/null | head -1)"
    line="$t FAILED exit=$rc executions=${execs:-?} artifact=${crash:+$artifacts/$crash} log=$log"
    grep -E "^==[0-9]+==ERROR|^SUMMARY|fuzz check failed|runtime error|ERROR: libFuzzer" "$log" | head -5 >&2 || true
  fi
  echo "$line" >"$build/$t.result"
}

# Each target is one single-threaded process: run as many at once as there
# are cores (SWARMBENCH_FUZZ_JOBS), each still for its full $seconds.
fuzz_all() {
  local jobs="${SWARMBENCH_FUZZ_JOBS:-$(nproc)}" running=0 t
  for t in "${targets[@]}"; do
    rm -f "$build/$t.result"
    step "fuzz: $t for ${seconds}s (log: $build/$t.log)"
    fuzz_one "$t" &
    running=$((running + 1))
    if ((running >= jobs)); then wait -n || true; running=$((running - 1)); fi
  done
  wait || true
}
timed "fuzz: run ${#targets[@]} targets x ${seconds}s" fuzz_all

failed=0
for t in "${targets[@]}"; do
  if [[ -f "$build/$t.result" ]]; then cat "$build/$t.result" >>"$summary"; else echo "$t FAILED (no result)" >>"$summary"; fi
  grep -q "^$t ok " "$build/$t.result" 2>/dev/null || failed=1
done
step "fuzz: summary in $summary"
cat "$summary"
exit "$failed"
