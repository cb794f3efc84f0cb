#!/usr/bin/env bash
# Sets up (packages, release build, install) and runs every test:
#   1. the whole CTest suite on the release build (every backend available here;
#      the fuzz corpus replayed, the soak, the interop tests with real clients),
#   2. every C++ suite again under AddressSanitizer + UndefinedBehaviorSanitizer
#      and under ThreadSanitizer (scripts/test-sanitizers.sh),
#   3. each libFuzzer target for a bounded time (scripts/fuzz.sh, about 3 minutes;
#      SWARMBENCH_FUZZ_SECONDS per target),
#   4. the Win32 cross build under Wine (scripts/test-windows.sh: the engine on
#      IOCP, swarmbench.exe, the Win32 app); SWARMBENCH_SKIP_WINDOWS=1 skips it.
# Every tree compiles through ccache when it is installed (it is in the package
# list) and, but for the release engine, as unity builds; a table of each
# stage's wall and CPU minutes is printed at the end (build/test-stages.tsv).
# `.ci/run` calls this. Exits non-zero if anything fails.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
source "$here/lib.sh"
cd "$root"

# Each stage's wall and CPU minutes, printed at the end (also when a stage fails).
mkdir -p "$root/build"
export SWARMBENCH_STAGE_LOG="$root/build/test-stages.tsv"
: >"$SWARMBENCH_STAGE_LOG"
trap 'print_stage_table' EXIT

# Every package the stages below need, in one apt-get run.
lists=("$here/debian-packages.txt")
[[ "${SWARMBENCH_SKIP_WINDOWS:-0}" != 1 ]] && lists+=("$here/windows-packages.txt")
timed "packages" install_debian_packages "${lists[@]}"
if command -v ccache >/dev/null; then ccache --zero-stats >/dev/null; fi

bash "$here/setup.sh"

jobs="$(nproc)"
step "tests: release build, every label"
timed "release: tests" ctest --preset release --parallel "$jobs"

bash "$here/test-sanitizers.sh" all
bash "$here/fuzz.sh"

if [[ "${SWARMBENCH_SKIP_WINDOWS:-0}" != 1 ]]; then
  step "tests: Win32 cross build under Wine"
  bash "$here/test-windows.sh"
fi
if command -v ccache >/dev/null; then step "ccache"; ccache --show-stats >&2 || true; fi
