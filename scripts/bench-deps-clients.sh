#!/usr/bin/env bash
# The reference tools of the `clients` benchmark group (bench/run.py --only clients),
# into build/bench-deps (or $1); prints the path of connection_tester:
#   * Debian's libtorrent-rasterbar-dev and python3-libtorrent (installed when missing);
#   * libtorrent's own fake-peer tool, examples/connection_tester.cpp from Debian's
#     libtorrent-rasterbar source package (`apt-get source` through a private sources
#     list, as scripts/win-gui-deps.sh fetches glfw3 and imgui), compiled alone with
#     g++ -O2 against the installed library (pkg-config libtorrent-rasterbar).
#
#   $deps/apt/                a private apt configuration: a deb-src entry for the archive
#                             named in /etc/apt/sources.list.d/debian.sources, its own lists
#                             and caches (no file under /etc or /var/lib/apt changes)
#   $deps/src/                the unpacked source package
#   $deps/connection_tester   the tool
#
# Bench set-up only: the test command does not run this. Nothing fetched goes into the
# repository (build*/ is ignored). Safe to re-run: a built tool is kept.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
# shellcheck source=lib.sh
source "$here/lib.sh"

deps="${1:-$root/build/bench-deps}"
tool="$deps/connection_tester"
mkdir -p "$deps/src"

install_debian_packages <(printf '%s\n' g++ pkg-config dpkg-dev libtorrent-rasterbar-dev python3-libtorrent)

if [[ -x $tool ]]; then
  printf '%s\n' "$tool"
  exit 0
fi

step "bench-deps: Debian source package libtorrent-rasterbar (private apt list in $deps/apt)"
# The version that matches the installed library, so the example builds against its headers.
version="$(dpkg-query -W -f='${source:Version}' libtorrent-rasterbar-dev)"
src="$(fetch_debian_source "$deps/apt" "$deps/src" "libtorrent-rasterbar=$version")"

step "bench-deps: connection_tester from $src/examples/connection_tester.cpp"
[[ -f $src/examples/connection_tester.cpp ]] || die "$src/examples/connection_tester.cpp missing"
# shellcheck disable=SC2046  # pkg-config prints several words on purpose
g++ -std=c++17 -O2 -DNDEBUG -o "$tool.tmp" "$src/examples/connection_tester.cpp" \
  $(pkg-config --cflags --libs libtorrent-rasterbar) -lpthread ||
  die "connection_tester did not build against libtorrent-rasterbar-dev $(pkg-config --modversion libtorrent-rasterbar)"
mv "$tool.tmp" "$tool"
printf '%s\n' "$tool"
