#!/usr/bin/env bash
# Sets up swarmbench (packages, build, install onto PATH) and runs the main job:
# the default swarm (a 1 GiB synthetic torrent, 4 seeders and 4 leechers over
# 256 loopback connections, every piece SHA-1-checked and written to files in a
# temporary directory), with its results folder (results.json, timeseries.csv,
# throughput/latency/connections graphs as PNG and SVG) in
# swarmbench-results/<timestamp>/. Extra arguments go to `swarmbench run`.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
source "$here/lib.sh"

bash "$here/setup.sh"

bin="$(command -v swarmbench || echo "$root/build/release/app/cli/swarmbench")"
step "swarmbench run $*"
"$bin" run "$@"
