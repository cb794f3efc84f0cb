# The desktop app's system packages (Debian 12): libimgui-dev (Dear ImGui 1.86
# with its GLFW and OpenGL 3 backends in libimgui.a), libglfw3-dev, libgl-dev.
# SWARMBENCH_BUILD_APP defaults to ON when they are all installed; turning it
# ON without them is an error that names the packages.
#
# The mingw cross build (cmake/mingw-w64-x86_64.cmake) has no system packages
# for them: scripts/win-deps.sh --gui builds GLFW and Dear ImGui from Debian's
# source packages into SWARMBENCH_WIN_DEPS (lib/cmake/glfw3, lib/cmake/imgui);
# OpenGL is mingw's opengl32. The app's targets link the same names either
# way: PkgConfig::IMGUI, glfw, OpenGL::GL. A native Windows build takes them
# from vcpkg (vcpkg.json, feature "app"; not built in CI: no Windows machine).
if(WIN32)
  find_package(imgui CONFIG QUIET)  # finds glfw3 too (its dependency)
  find_package(glfw3 3.3 CONFIG QUIET)
  find_package(OpenGL QUIET)             # opengl32
  if(imgui_FOUND)
    set(IMGUI_FOUND ON)
    # Under the name the Linux build gets from pkg-config, so app/gui, its
    # panels and the app tests link one name on both systems.
    add_library(PkgConfig::IMGUI INTERFACE IMPORTED)
    target_link_libraries(PkgConfig::IMGUI INTERFACE imgui::imgui)
    if(NOT SWARMBENCH_WIN_DEPS)
      # vcpkg installs the backends' headers beside imgui.h; the app includes
      # them as <backends/...>, Debian's layout: forward them from there.
      set(_fwd ${CMAKE_BINARY_DIR}/imgui-backends)
      foreach(_h imgui_impl_glfw.h imgui_impl_opengl3.h)
        if(NOT EXISTS ${_fwd}/backends/${_h})
          file(WRITE ${_fwd}/backends/${_h} "#pragma once\n#include <${_h}>\n")
        endif()
      endforeach()
      target_include_directories(PkgConfig::IMGUI INTERFACE ${_fwd})
    endif()
  endif()
  if(SWARMBENCH_WIN_DEPS)
    set(_app_fix "scripts/win-deps.sh --gui (builds GLFW and Dear ImGui into SWARMBENCH_WIN_DEPS)")
  else()
    set(_app_fix "vcpkg with the manifest's \"app\" feature (vcpkg.json)")
  endif()
else()
  find_package(PkgConfig QUIET)
  if(PkgConfig_FOUND)
    pkg_check_modules(IMGUI QUIET IMPORTED_TARGET imgui>=1.86)
  endif()
  find_package(glfw3 3.3 CONFIG QUIET)
  set(OpenGL_GL_PREFERENCE GLVND)
  find_package(OpenGL QUIET)
endif()

if(IMGUI_FOUND AND glfw3_FOUND AND OpenGL_FOUND)
  set(SWARMBENCH_APP_PACKAGES_FOUND ON)
else()
  set(SWARMBENCH_APP_PACKAGES_FOUND OFF)
endif()

option(SWARMBENCH_BUILD_APP "Build the desktop app swarmbench-gui (libimgui-dev, libglfw3-dev, libgl-dev)"
       ${SWARMBENCH_APP_PACKAGES_FOUND})

if(SWARMBENCH_BUILD_APP AND NOT SWARMBENCH_APP_PACKAGES_FOUND)
  set(_missing "")
  if(NOT IMGUI_FOUND)
    list(APPEND _missing libimgui-dev)
  endif()
  if(NOT glfw3_FOUND)
    list(APPEND _missing libglfw3-dev)
  endif()
  if(NOT OpenGL_FOUND)
    list(APPEND _missing libgl-dev)
  endif()
  list(JOIN _missing " " _missing)
  if(DEFINED _app_fix)
    message(FATAL_ERROR "SWARMBENCH_BUILD_APP requires the Windows builds of ${_missing}: "
                        "run ${_app_fix}, or configure with -DSWARMBENCH_BUILD_APP=OFF")
  endif()
  message(FATAL_ERROR "SWARMBENCH_BUILD_APP requires ${_missing}: "
                      "sudo apt-get install ${_missing}, or configure with -DSWARMBENCH_BUILD_APP=OFF")
endif()
