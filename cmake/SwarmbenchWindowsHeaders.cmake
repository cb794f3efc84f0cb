# Header-only targets for the mingw cross build: fmt, spdlog, nlohmann-json
# and CLI11 as Debian installs them (scripts/win-deps.sh links them into
# ${SWARMBENCH_WIN_DEPS}/include). Native Windows builds use vcpkg's packages
# through find_package instead (vcpkg.json).
set(_inc ${SWARMBENCH_WIN_DEPS}/include)
foreach(_lib fmt spdlog nlohmann CLI)
  if(NOT EXISTS ${_inc}/${_lib})
    message(FATAL_ERROR "${_inc}/${_lib} is missing: run scripts/win-deps.sh first")
  endif()
endforeach()

add_library(fmt::fmt INTERFACE IMPORTED)
set_target_properties(fmt::fmt PROPERTIES
  INTERFACE_INCLUDE_DIRECTORIES ${_inc}
  INTERFACE_COMPILE_DEFINITIONS FMT_HEADER_ONLY)

# Debian's spdlog/tweakme.h selects the external fmt; without
# SPDLOG_COMPILED_LIB spdlog compiles header-only.
add_library(spdlog::spdlog INTERFACE IMPORTED)
set_target_properties(spdlog::spdlog PROPERTIES
  INTERFACE_INCLUDE_DIRECTORIES ${_inc}
  INTERFACE_COMPILE_DEFINITIONS SPDLOG_FMT_EXTERNAL
  INTERFACE_LINK_LIBRARIES fmt::fmt)

add_library(nlohmann_json::nlohmann_json INTERFACE IMPORTED)
set_target_properties(nlohmann_json::nlohmann_json PROPERTIES INTERFACE_INCLUDE_DIRECTORIES ${_inc})

add_library(CLI11::CLI11 INTERFACE IMPORTED)
set_target_properties(CLI11::CLI11 PROPERTIES INTERFACE_INCLUDE_DIRECTORIES ${_inc})
