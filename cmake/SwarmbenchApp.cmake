# The desktop app's system packages (Debian 12): libimgui-dev (Dear ImGui 1.86
# with its GLFW and OpenGL 3 backends in libimgui.a), libglfw3-dev, libgl-dev.
# SWARMBENCH_BUILD_APP defaults to ON when they are all installed; turning it
# ON without them is an error that names the packages.
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(IMGUI QUIET IMPORTED_TARGET imgui>=1.86)
endif()
find_package(glfw3 3.3 CONFIG QUIET)
set(OpenGL_GL_PREFERENCE GLVND)
find_package(OpenGL QUIET)

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
  message(FATAL_ERROR "SWARMBENCH_BUILD_APP requires ${_missing}: "
                      "sudo apt-get install ${_missing}, or configure with -DSWARMBENCH_BUILD_APP=OFF")
endif()
