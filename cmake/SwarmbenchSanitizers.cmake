# SWARMBENCH_SANITIZE: "" (none), "address,undefined" or "thread". Applied to
# every target, so tests, the CLI and the engine are all instrumented.
set(SWARMBENCH_SANITIZE "" CACHE STRING "Sanitizers: address,undefined | thread | empty")
if(SWARMBENCH_SANITIZE)
  if(MSVC)
    message(FATAL_ERROR "SWARMBENCH_SANITIZE is for GCC/Clang builds")
  endif()
  # -g1: file and line in every report, at a fraction of full debug info's
  # compile time and memory (the sanitizer builds are most of CI's compiling).
  add_compile_options(-fsanitize=${SWARMBENCH_SANITIZE} -fno-omit-frame-pointer -g1)
  add_link_options(-fsanitize=${SWARMBENCH_SANITIZE})
  if(SWARMBENCH_SANITIZE MATCHES "undefined")
    add_compile_options(-fno-sanitize-recover=undefined)
  endif()
endif()
