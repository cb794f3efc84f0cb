#!/usr/bin/env bash
# Sets up (packages, release build, install) and runs every test:
#   1. the whole CTest suite on the release build (every backend available here),
#   2. the engine and swarm tests again under AddressSanitizer + UndefinedBehaviorSanitizer,
#   3. the Win32 cross build under Wine (scripts/test-windows.sh: the engine on
#      IOCP, swarmbench.exe, the Win32 app); SWARMBENCH_SKIP_WINDOWS=1 skips it.
# `.ci/run` calls this. Exits non-zero if anything fails.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
source "$here/lib.sh"
cd "$root"

bash "$here/setup.sh"

jobs="$(nproc)"
step "tests: release build, every label"
ctest --preset release --parallel "$jobs"

step "tests: engine and swarm under address+undefined sanitizers"
cmake --preset asan >/dev/null
cmake --build build/asan --parallel "$jobs" --target swarmbench_engine_tests swarmbench_swarm_tests swarmbench_bt_tests
ctest --preset asan --parallel "$jobs" -L "engine|swarm"

if [[ "${SWARMBENCH_SKIP_WINDOWS:-0}" != 1 ]]; then
  step "tests: Win32 cross build under Wine"
  bash "$here/test-windows.sh"
fi
