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

# Fetches and unpacks the source package $1 into $deps/src (once); prints its directory.
fetch_source() { fetch_debian_source "$deps/apt" "$deps/src" "$1"; }

need_glfw=0
need_imgui=0
[[ -f "$prefix/lib/cmake/glfw3/glfw3Config.cmake" ]] || need_glfw=1
[[ -f "$prefix/lib/cmake/imgui/imguiConfig.cmake" ]] || need_imgui=1

if ((need_glfw || need_imgui)); then
  step "win-deps: Debian source packages glfw3 and imgui (private apt list in $deps/apt)"
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
