// fuzz_check: the one way a fuzz target says "this is a bug".
//
// A failed check prints what broke and aborts, so libFuzzer saves the input
// as a crash and the replay driver (replay_main.cpp) fails its CTest test.
// Checks stay on in release builds (no assert(): NDEBUG would remove them).
//
// Thread rules: may be called from any thread; it never returns on failure.
#pragma once

#include <cstdio>
#include <cstdlib>

#define SWARMBENCH_FUZZ_CHECK(cond, what)                                                   \
    do {                                                                                    \
        if (!(cond)) {                                                                      \
            std::fprintf(stderr, "fuzz check failed: %s (%s) at %s:%d\n", (what), #cond,   \
                         __FILE__, __LINE__);                                               \
            std::abort();                                                                   \
        }                                                                                   \
    } while (0)
