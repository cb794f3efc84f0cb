# Precompiled headers: most of each translation unit's compile time is the
# same few third-party headers (CLI11 alone costs the command line's files
# 12-20 s each at -O3; spdlog, fmt and nlohmann every engine file 4-8 s), and
# CI compiles the tree five times (release, ASan, TSan, fuzz, mingw). Each
# target precompiles what it includes most; the sources still include what
# they use (a build with -DSWARMBENCH_PCH=OFF must keep compiling).
option(SWARMBENCH_PCH "Precompile the heavy third-party headers of each target" ON)

# The headers nearly every engine-linked file reaches (through log.hpp and
# results.hpp) and the standard ones that come with them.
set(SWARMBENCH_PCH_COMMON <spdlog/spdlog.h> <fmt/format.h> <nlohmann/json.hpp>
    <algorithm> <chrono> <cstdint> <functional> <map> <memory> <optional> <string> <string_view> <vector>)

# swarmbench_precompile(TARGET [HEADER...]): TARGET precompiles the common
# headers plus HEADERs.
function(swarmbench_precompile target)
  if(SWARMBENCH_PCH)
    target_precompile_headers(${target} PRIVATE ${SWARMBENCH_PCH_COMMON} ${ARGN})
  endif()
endfunction()
