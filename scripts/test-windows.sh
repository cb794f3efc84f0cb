#!/usr/bin/env bash
# The Win32 side, cross-built with mingw-w64 and tested under Wine:
#   1. dependencies (scripts/win-deps.sh --gui: GoogleTest, GLFW, Dear ImGui),
#   2. build/mingw: engine (IOCP backend), swarmbench.exe, swarmbench-gui.exe
#      and the engine tests, linked statically (cmake/mingw-w64-x86_64.cmake),
#      as unity builds (header-only fmt and spdlog cost each file 15-30 s
#      there; the Windows figures are for correctness only),
#   3. the Windows test labels under Wine: every engine test on IOCP, a small
#      `swarmbench.exe run` whose files are verified, and the Win32 app in Xvfb.
# Results under Wine are for correctness only (Wine turns every I/O into a
# round trip to wineserver): no performance figure is taken from them.
# scripts/test.sh calls this; SWARMBENCH_SKIP_WINDOWS=1 skips it there.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
source "$here/lib.sh"
source "$here/wine.sh"
cd "$root"

build="$root/build/mingw"
timed "windows: deps" bash "$here/win-deps.sh" --gui >"$root/build/win-deps.prefix"
prefix="$(tail -n1 "$root/build/win-deps.prefix")"

step "windows: cross build (mingw-w64, static)"
timed "windows: configure" cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_TOOLCHAIN_FILE="$root/cmake/mingw-w64-x86_64.cmake" \
  -DSWARMBENCH_WIN_DEPS="$prefix" -DSWARMBENCH_BUILD_BENCH=OFF -DSWARMBENCH_BUILD_APP=ON \
  -DSWARMBENCH_UNITY=ON -DSWARMBENCH_UNITY_ENGINE=ON >/dev/null

wine_start "$build/wineprefix"
trap wine_stop EXIT
# Built with the server up: gtest_discover_tests runs each test exe under Wine.
timed "windows: build" cmake --build "$build" --parallel "$(nproc)"

step "windows: tests under Wine"
timed "windows: tests" ctest --test-dir "$build" --output-on-failure --parallel "$(nproc)" --timeout 300
