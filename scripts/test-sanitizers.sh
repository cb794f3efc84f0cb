#!/usr/bin/env bash
# Runs every C++ GoogleTest suite under the sanitizer presets (CMakePresets.json):
#   asan  AddressSanitizer + UndefinedBehaviorSanitizer (build/asan)
#   tsan  ThreadSanitizer (build/tsan; no suppressions needed)
#
#   bash scripts/test-sanitizers.sh [asan|tsan|all]    # default all
#
# Both presets build at -O1 with line tables (-g1) and the engine as a unity
# build (SWARMBENCH_UNITY_ENGINE): most of CI's compiling is these two builds. Builds only the test executables, not the CLI, the app, the Python module or
# the benchmarks. The suites (CTest labels): engine.*, swarm.* (the bt and swarm
# executables), results.*, app.* (the panels and the app's own code under a
# null ImGui context). Left out, because they are not C++ test code run by an
# instrumented executable:
#   app.e2e     the real swarmbench-gui under Xvfb (a shell script driving a GUI
#               process; what it runs is covered by app.* in-process)
#   cli.*       shell scripts around the swarmbench binary
#   python.*    pytest against the pybind11 module: the interpreter is not
#               instrumented, so the sanitizer runtimes would have to be
#               LD_PRELOADed into Debian's python3
#   interop.*   pytest against libtorrent and transmission
# Exits non-zero at the first preset that fails. SWARMBENCH_SAN_JOBS overrides
# the parallelism (default: nproc).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
# shellcheck source=lib.sh
source "$here/lib.sh"
cd "$root"

which="${1:-all}"
case "$which" in
  asan) presets=(asan) ;;
  tsan) presets=(tsan) ;;
  all) presets=(asan tsan) ;;
  *) die "usage: $0 [asan|tsan|all] (got '$which')" ;;
esac

jobs="${SWARMBENCH_SAN_JOBS:-$(nproc)}"
targets=(swarmbench_engine_tests swarmbench_bt_tests swarmbench_swarm_tests swarmbench_results_tests)
labels="engine|swarm|results"

for preset in "${presets[@]}"; do
  start=$SECONDS
  step "sanitizers ($preset): configure and build the test executables"
  timed "$preset: configure" cmake --preset "$preset" >/dev/null
  build="$root/build/$preset"
  preset_targets=("${targets[@]}")
  preset_labels="$labels"
  # The app's suites exist when the app is configured (Dear ImGui, GLFW, GL found).
  # (Listed first, then searched: `ninja | grep -q` under pipefail fails when
  # grep stops reading early and ninja dies of SIGPIPE.)
  all_targets="$(ninja -C "$build" -t targets all 2>/dev/null || true)"
  if grep -q '^swarmbench_app_gui_tests:' <<<"$all_targets"; then
    preset_targets+=(swarmbench_app_tests swarmbench_app_gui_tests)
    preset_labels+="|app"
  else
    warn "app suites not configured in build/$preset (Dear ImGui, GLFW or OpenGL missing): app.* not run"
  fi
  timed "$preset: build" cmake --build "$build" --parallel "$jobs" --target "${preset_targets[@]}"
  built=$((SECONDS - start))

  step "sanitizers ($preset): tests labelled $preset_labels"
  timed "$preset: tests" ctest --preset "$preset" --parallel "$jobs" -L "$preset_labels" -E '^app\.e2e$'
  printf '%s: build %ds, tests %ds\n' "$preset" "$built" $((SECONDS - start - built)) >&2
done
