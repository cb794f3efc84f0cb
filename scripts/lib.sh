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

# Installs the packages listed in $1 (one a line, # comments) that are not installed yet.
install_debian_packages() {
  local list="$1" missing=() pkg
  command -v dpkg-query >/dev/null || die "this set-up expects Debian 12 (dpkg-query not found)"
  while read -r pkg; do
    pkg="${pkg%%#*}"; pkg="${pkg// /}"
    [[ -z "$pkg" ]] && continue
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done < "$list"
  if ((${#missing[@]})); then
    step "installing Debian packages: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}
