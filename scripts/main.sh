#!/usr/bin/env bash
# Sets up swarmbench (packages, build, install onto PATH) and runs the main job:
# for now the loopback stream baseline (64 TCP streams for 5 s) with its results
# document written to swarmbench-results/. Extra arguments go to `swarmbench stream`.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
source "$here/lib.sh"

bash "$here/setup.sh"

bin="$(command -v swarmbench || echo "$root/build/release/app/cli/swarmbench")"
out="swarmbench-results/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"
step "swarmbench stream --connections 64 --seconds 5 $*"
"$bin" stream --connections 64 --seconds 5 --json "$@" > "$out/results.json"
step "results: $out/results.json"
