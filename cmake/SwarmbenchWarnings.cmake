# Warnings applied to the project's own targets (not to system headers).
add_library(swarmbench_warnings INTERFACE)
if(MSVC)
  target_compile_options(swarmbench_warnings INTERFACE /W4 /permissive-)
else()
  target_compile_options(swarmbench_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow
    -Wnon-virtual-dtor -Wcast-align -Woverloaded-virtual)
endif()
