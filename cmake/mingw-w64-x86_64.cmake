# Cross-compiling for 64-bit Windows with Debian's mingw-w64 (package
# g++-mingw-w64-x86-64-posix: the posix thread model, so std::thread works).
#
#   cmake -S . -B build/mingw -G Ninja \
#     -DCMAKE_TOOLCHAIN_FILE=cmake/mingw-w64-x86_64.cmake \
#     -DSWARMBENCH_WIN_DEPS=$PWD/build/win-deps/prefix
#
# Everything links statically: the exes need no DLL beside them (a dynamic
# mingw exe without libstdc++-6.dll exits with code 53 and prints nothing).
# With wine on PATH, ctest and gtest_discover_tests run the tests under Wine.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

set(_mingw x86_64-w64-mingw32)
set(CMAKE_C_COMPILER ${_mingw}-gcc-posix)
set(CMAKE_CXX_COMPILER ${_mingw}-g++-posix)
set(CMAKE_RC_COMPILER ${_mingw}-windres)

# Where scripts/win-deps.sh installs what Debian has no mingw build of
# (GoogleTest, GLFW, Dear ImGui) and stages the header-only libraries.
set(SWARMBENCH_WIN_DEPS "" CACHE PATH "Prefix built by scripts/win-deps.sh")
set(CMAKE_FIND_ROOT_PATH /usr/${_mingw} ${SWARMBENCH_WIN_DEPS})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

set(CMAKE_EXE_LINKER_FLAGS_INIT "-static -static-libgcc -static-libstdc++")
# Windows 10 APIs (GetQueuedCompletionStatusEx, CancelIoEx, SetFileCompletionNotificationModes).
add_compile_definitions(_WIN32_WINNT=0x0A00 WIN32_LEAN_AND_MEAN NOMINMAX)

find_program(SWARMBENCH_WINE wine)
if(SWARMBENCH_WINE)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${SWARMBENCH_WINE})
endif()
