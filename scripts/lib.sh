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

# Debian source packages through a private apt configuration: a deb-src entry
# for the archive of /etc/apt/sources.list.d/debian.sources, with lists and
# caches of its own under APT_DIR (nothing under /etc or /var/lib/apt changes;
# the list is refreshed when older than a day).
#   fetch_debian_source APT_DIR SRC_DIR PKG[=VERSION]
# unpacks PKG into SRC_DIR once and prints its directory (SRC_DIR/PKG-*).
fetch_debian_source() {
  local apt_dir="$1" src_dir="$2" spec="$3" pkg="${3%%=*}" dir archive suite
  mkdir -p "$src_dir"
  dir="$(find "$src_dir" -mindepth 1 -maxdepth 1 -type d -name "$pkg-*" | sort | tail -n1)"
  if [[ -z $dir ]]; then
    read -r archive suite <<<"$(_debian_archive)"
    [[ -n ${archive:-} && -n ${suite:-} ]] || die "no Debian archive found in /etc/apt/sources.list.d/debian.sources"
    mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
    printf 'deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s %s main\n' \
      "$archive" "$suite" >"$apt_dir/sources.list"
    if [[ -z $(find "$apt_dir/lists" -maxdepth 1 -name '*_Sources*' -mtime -1 2>/dev/null) ]]; then
      _private_apt "$apt_dir" update >&2 || die "apt-get update for $archive $suite (deb-src) failed"
    fi
    (cd "$src_dir" && _private_apt "$apt_dir" source "$spec" >&2) ||
      die "apt-get source $spec failed (network? see $apt_dir/sources.list)"
    dir="$(find "$src_dir" -mindepth 1 -maxdepth 1 -type d -name "$pkg-*" | sort | tail -n1)"
    [[ -n $dir ]] || die "apt-get source $spec left no $src_dir/$pkg-* directory"
  fi
  printf '%s\n' "$dir"
}

# The archive's address and release, from the first deb822 stanza that is not
# the security archive ("URIs: http://deb.debian.org/debian", "Suites: bookworm ...").
_debian_archive() {
  local file=/etc/apt/sources.list.d/debian.sources
  [[ -f $file ]] || die "$file missing: cannot tell which Debian archive to fetch sources from"
  awk '
    /^[[:space:]]*$/ { if (uri != "" && suite != "" && uri !~ /security/) { print uri, suite; done = 1; exit } uri = ""; suite = "" }
    /^URIs:/ { uri = $2 }
    /^Suites:/ { suite = $2 }
    END { if (!done && uri != "" && suite != "" && uri !~ /security/) print uri, suite }
  ' "$file" | head -n1
}

# apt-get with the private configuration under $1.
_private_apt() {
  local dir="$1"; shift
  apt-get -q \
    -o Dir::Etc::sourcelist="$dir/sources.list" -o Dir::Etc::sourceparts=- \
    -o Dir::State::lists="$dir/lists" -o Dir::Cache="$dir/cache" \
    -o APT::Sandbox::User=root "$@"
}
