#!/usr/bin/env bash
# Prepares what the Win32 cross build needs and Debian ships no mingw build of,
# into build/win-deps/prefix (or $1):
#   * the header-only libraries (fmt, spdlog, nlohmann-json, CLI11): their
#     Debian-installed headers, linked into prefix/include;
#   * GoogleTest, built from Debian's /usr/src/googletest (libgtest-dev);
#   * with --gui: GLFW and Dear ImGui, built from Debian's source packages
#     (glfw3, imgui) fetched with `apt-get source` through a private sources
#     list, so the system's apt configuration stays untouched.
# Nothing is copied into the repository. Safe to re-run: finished parts are kept.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
source "$here/lib.sh"

gui=0
deps="$root/build/win-deps"
for arg in "$@"; do
  case "$arg" in
    --gui) gui=1 ;;
    -*) die "win-deps.sh: unknown option $arg (use --gui)" ;;
    *) deps="$arg" ;;
  esac
done
prefix="$deps/prefix"
toolchain="$root/cmake/mingw-w64-x86_64.cmake"
mkdir -p "$prefix/include" "$deps/src"

install_debian_packages "$here/windows-packages.txt"

step "win-deps: header-only libraries from /usr/include"
for lib in fmt spdlog nlohmann CLI; do
  [[ -d /usr/include/$lib ]] || die "/usr/include/$lib missing (see scripts/windows-packages.txt)"
  ln -sfn "/usr/include/$lib" "$prefix/include/$lib"
done

# Builds a CMake project for Windows and installs it into the prefix.
cross_build() {  # name source-dir cmake-args...
  local name="$1" src="$2"; shift 2
  cmake -S "$src" -B "$deps/build-$name" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_TOOLCHAIN_FILE="$toolchain" -DCMAKE_INSTALL_PREFIX="$prefix" $(ccache_cmake_args) "$@" >/dev/null
  cmake --build "$deps/build-$name" --parallel "$(nproc)" >/dev/null
  cmake --install "$deps/build-$name" >/dev/null
}

if [[ ! -f "$prefix/lib/cmake/GTest/GTestConfig.cmake" ]]; then
  step "win-deps: GoogleTest from /usr/src/googletest"
  cross_build gtest /usr/src/googletest -Dgtest_disable_pthreads=OFF -DBUILD_GMOCK=OFF
fi

if ((gui)); then
  # shellcheck source=win-gui-deps.sh
  source "$here/win-gui-deps.sh"
fi
echo "$prefix"
