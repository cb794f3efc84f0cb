#!/usr/bin/env bash
# Installs the Debian packages swarmbench needs (only the missing ones), builds
# the release configuration and installs `swarmbench` onto PATH.
#
#   bash scripts/setup.sh            # packages + release build + install
#   SWARMBENCH_PREFIX=~/.local bash scripts/setup.sh   # install elsewhere
#   SWARMBENCH_SKIP_INSTALL=1 ...    # build only
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
# shellcheck source=lib.sh
source "$here/lib.sh"

timed "packages" install_debian_packages "$here/debian-packages.txt"

step "building (release)"
timed "release: configure" cmake --preset release -S "$root" >/dev/null
timed "release: build" cmake --build "$root/build/release" --parallel "$(nproc)"

if [[ "${SWARMBENCH_SKIP_INSTALL:-0}" != 1 ]]; then
  prefix="${SWARMBENCH_PREFIX:-}"
  if [[ -z "$prefix" ]]; then
    if [[ $(id -u) -eq 0 ]] || command -v sudo >/dev/null; then prefix=/usr/local; else prefix="$HOME/.local"; fi
  fi
  step "installing into $prefix"
  if [[ -w "$prefix" || ! -e "$prefix" && -w "$(dirname "$prefix")" ]]; then
    timed "release: install" cmake --install "$root/build/release" --prefix "$prefix" >/dev/null
  else
    timed "release: install" as_root cmake --install "$root/build/release" --prefix "$prefix" >/dev/null
  fi
  if ! command -v swarmbench >/dev/null; then
    warn "$prefix/bin is not on PATH; add it: export PATH=\"$prefix/bin:\$PATH\""
  fi
  if [[ -d "$root/build/release/python/swarmbench" ]] && ! (cd / && /usr/bin/python3 -c 'import swarmbench' 2>/dev/null); then
    pydir="$(cd / && /usr/bin/python3 -c 'import sys; print("lib/python%d.%d/dist-packages" % sys.version_info[:2])')"
    warn "/usr/bin/python3 does not see $prefix/$pydir; add it: export PYTHONPATH=\"$prefix/$pydir\""
  fi
fi
