# shellcheck shell=bash disable=SC2154  # $root, $deps, $prefix are win-deps.sh's
# GLFW 3.3 and Dear ImGui 1.86 for the Win32 app, built with mingw-w64 from
# Debian's own source packages (glfw3, imgui). Sourced by scripts/win-deps.sh
# --gui, which provides $root, $deps, $prefix, $toolchain and cross_build.
#
#   $deps/apt/       a private apt configuration: a deb-src entry for the
#                    archive named in /etc/apt/sources.list.d/debian.sources,
#                    its own lists and caches (the system's apt state stays
#                    untouched: no file under /etc or /var/lib/apt changes)
#   $deps/src/       the unpacked sources (`apt-get source`)
#   $prefix/         glfw3 (its CMake package, lib/cmake/glfw3) and imgui
#                    (cmake/imgui-mingw: lib/cmake/imgui, include/imgui with
#                    backends/ as Debian's libimgui-dev lays it out)
#
# Debian ships no mingw build of either, and its Linux libraries are no use to
# a Windows exe; nothing fetched here goes into the repository. Parts already
# installed are skipped, so re-running costs nothing.

# The archive's address and release, from the first deb822 stanza that is not
# the security archive ("URIs: http://deb.debian.org/debian", "Suites: bookworm ...").
debian_archive() {
  local file=/etc/apt/sources.list.d/debian.sources
  [[ -f $file ]] || die "$file missing: cannot tell which Debian archive to fetch glfw3/imgui sources from"
  awk '
    /^[[:space:]]*$/ { if (uri != "" && suite != "" && uri !~ /security/) { print uri, suite; done = 1; exit } uri = ""; suite = "" }
    /^URIs:/ { uri = $2 }
    /^Suites:/ { suite = $2 }
    END { if (!done && uri != "" && suite != "" && uri !~ /security/) print uri, suite }
  ' "$file" | head -n1
}

# apt-get with the private configuration under $deps/apt.
private_apt() {
  local dir="$deps/apt"
  apt-get -q \
    -o Dir::Etc::sourcelist="$dir/sources.list" -o Dir::Etc::sourceparts=- \
    -o Dir::State::lists="$dir/lists" -o Dir::Cache="$dir/cache" \
    -o APT::Sandbox::User=root "$@"
}

# Fetches and unpacks the source package $1 into $deps/src (once); prints its directory.
fetch_source() {
  local pkg="$1" dir
  dir="$(find "$deps/src" -mindepth 1 -maxdepth 1 -type d -name "$pkg-*" | sort | tail -n1)"
  if [[ -z $dir ]]; then
    (cd "$deps/src" && private_apt source "$pkg" >&2) || die "apt-get source $pkg failed (network? see $deps/apt/sources.list)"
    dir="$(find "$deps/src" -mindepth 1 -maxdepth 1 -type d -name "$pkg-*" | sort | tail -n1)"
    [[ -n $dir ]] || die "apt-get source $pkg left no $deps/src/$pkg-* directory"
  fi
  printf '%s\n' "$dir"
}

need_glfw=0
need_imgui=0
[[ -f "$prefix/lib/cmake/glfw3/glfw3Config.cmake" ]] || need_glfw=1
[[ -f "$prefix/lib/cmake/imgui/imguiConfig.cmake" ]] || need_imgui=1

if ((need_glfw || need_imgui)); then
  step "win-deps: Debian source packages glfw3 and imgui (private apt list in $deps/apt)"
  read -r archive suite <<<"$(debian_archive)"
  [[ -n ${archive:-} && -n ${suite:-} ]] || die "no Debian archive found in /etc/apt/sources.list.d/debian.sources"
  mkdir -p "$deps/apt/lists/partial" "$deps/apt/cache/archives/partial"
  printf 'deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s %s main\n' \
    "$archive" "$suite" >"$deps/apt/sources.list"
  # Only this deb-src list: a few MB, refreshed when older than a day.
  if [[ -z $(find "$deps/apt/lists" -maxdepth 1 -name '*_Sources*' -mtime -1 2>/dev/null) ]]; then
    private_apt update >&2 || die "apt-get update for $archive $suite (deb-src) failed"
  fi
fi

if ((need_glfw)); then
  glfw_src="$(fetch_source glfw3)"
  step "win-deps: GLFW from $glfw_src"
  cross_build glfw "$glfw_src" -DBUILD_SHARED_LIBS=OFF -DGLFW_BUILD_EXAMPLES=OFF -DGLFW_BUILD_TESTS=OFF \
    -DGLFW_BUILD_DOCS=OFF -DGLFW_INSTALL=ON
fi

if ((need_imgui)); then
  imgui_src="$(fetch_source imgui)"
  step "win-deps: Dear ImGui from $imgui_src"
  cross_build imgui "$root/cmake/imgui-mingw" -DIMGUI_SOURCE_DIR="$imgui_src" -DSWARMBENCH_WIN_DEPS="$prefix"
fi
