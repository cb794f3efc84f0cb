// errc_words: std::errc values in the words glibc uses, for the C runtimes
// whose strerror does not know them (mingw's msvcrt stops at 42, so every
// socket error, e.g. EADDRINUSE = 100, reads "Unknown error" there).
//
// Thread rules: pure functions, any thread.
#pragma once

#include <system_error>

namespace swarmbench::detail {

/// The words for `e`, or nullptr where every C runtime words it (errno <= 42).
const char* errc_words(std::errc e) noexcept;

}  // namespace swarmbench::detail
