# System packages only (Debian 12): scripts/setup.sh installs them.
set(THREADS_PREFER_PTHREAD_FLAG ON)
find_package(Threads REQUIRED)

if(WIN32 AND SWARMBENCH_WIN_DEPS)
  # The mingw cross build (cmake/mingw-w64-x86_64.cmake): scripts/win-deps.sh
  # linked Debian's header-only libraries into the prefix; use them header-only.
  include(SwarmbenchWindowsHeaders)
else()
  find_package(fmt CONFIG REQUIRED)     # libfmt-dev
  find_package(spdlog CONFIG REQUIRED)  # libspdlog-dev
  find_package(nlohmann_json CONFIG REQUIRED)  # nlohmann-json3-dev
endif()
if(NOT WIN32)
  # SHA-1 for pieces and info-hashes; Windows uses its own CNG (bcrypt) instead.
  find_package(OpenSSL REQUIRED COMPONENTS Crypto)  # libssl-dev
endif()

if(SWARMBENCH_WITH_IO_URING)
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(LIBURING REQUIRED IMPORTED_TARGET liburing>=2.3)  # liburing-dev
endif()

if(SWARMBENCH_WITH_GRAPHS)
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(CAIRO REQUIRED IMPORTED_TARGET cairo>=1.16)  # libcairo2-dev
endif()

if(SWARMBENCH_BUILD_CLI AND NOT TARGET CLI11::CLI11)
  find_package(CLI11 CONFIG REQUIRED)  # libcli11-dev
endif()

if(SWARMBENCH_BUILD_TESTS)
  find_package(GTest CONFIG REQUIRED)  # libgtest-dev
endif()
