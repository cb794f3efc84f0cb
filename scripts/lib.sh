# Shared helpers for the scripts in this folder (sourced, not run).

step() { printf '\n==> %s\n' "$*" >&2; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Runs a command as root: directly when we are root, else through sudo.
as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "need root to run: $* (install sudo or run as root)"; fi
}

# Installs the packages listed in the files given (one a line, # comments)
# that are not installed yet, in one apt-get run. dpkg skips its fsync calls
# (--force-unsafe-io): a crash mid-install means re-running the set-up, and
# unpacking several hundred packages takes minutes less.
install_debian_packages() {
  local list missing=() pkg
  command -v dpkg-query >/dev/null || die "this set-up expects Debian 12 (dpkg-query not found)"
  for list in "$@"; do
    while read -r pkg; do
      pkg="${pkg%%#*}"; pkg="${pkg// /}"
      [[ -z "$pkg" ]] && continue
      dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done < "$list"
  done
  if ((${#missing[@]})); then
    step "installing Debian packages: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      -o Dpkg::Options::=--force-unsafe-io "${missing[@]}" >/dev/null
  fi
}

# Stage timing for the test command. `timed NAME CMD...` runs CMD and, when
# SWARMBENCH_STAGE_LOG names a file (scripts/test.sh sets it), appends NAME,
# its wall seconds, the CPU seconds of the processes it ran (user + system,
# from bash's `times`) and its exit status. print_stage_table prints them.
timed() {
  local name="$1"; shift
  local t0=$SECONDS c0 c1 rc=0
  _children_cpu_s c0
  "$@" || rc=$?
  _children_cpu_s c1
  if [[ -n "${SWARMBENCH_STAGE_LOG:-}" ]]; then
    printf '%s\t%d\t%d\t%d\n' "$name" $((SECONDS - t0)) $((c1 - c0)) "$rc" >>"$SWARMBENCH_STAGE_LOG"
  fi
  return "$rc"
}

# Sets the variable named $1 to the whole CPU seconds (user + system) used so
# far by this shell's waited-for children. `times` must run in this shell (a
# command substitution would report its own subshell's children), so it
# writes to a file.
_children_cpu_s() {
  local f
  f="$(mktemp)"
  times >"$f"  # line 2: "0m1.234s 0m0.567s", the children's user and system time
  printf -v "$1" '%s' "$(awk 'NR == 2 { t = 0; for (i = 1; i <= 2; i++) { split($i, p, /[ms]/); t += p[1] * 60 + p[2] } printf "%d\n", t }' "$f")"
  rm -f "$f"
}

print_stage_table() {
  local log="${1:-${SWARMBENCH_STAGE_LOG:-}}"
  [[ -n "$log" && -s "$log" ]] || return 0
  printf '\n==> stages (wall and CPU minutes; CPU > wall means both cores were busy)\n' >&2
  awk -F'\t' '
    BEGIN { printf "%-34s %7s %7s\n", "stage", "wall", "cpu" }
    { w += $2; c += $3; printf "%-34s %7.1f %7.1f %s\n", $1, $2 / 60, $3 / 60, ($4 == 0 ? "" : "FAILED (exit " $4 ")") }
    END { printf "%-34s %7.1f %7.1f\n", "total", w / 60, c / 60 }' "$log" >&2
}

# ccache (Debian's; setup installs it). The project's own trees pick it up in
# CMakeLists.txt (SWARMBENCH_CCACHE); third-party trees built by these scripts
# (win-deps) take ccache_cmake_args. Paths are hashed relative to the clone and
# the working directory is not hashed, so a second clone elsewhere hits the
# cache too (debug info then names the first clone's paths: line tables only).
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
export CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
ccache_cmake_args() {
  [[ "${SWARMBENCH_CCACHE:-ON}" != OFF && "${SWARMBENCH_CCACHE:-ON}" != 0 ]] && command -v ccache >/dev/null || return 0
  printf '%s\n' -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache
}
