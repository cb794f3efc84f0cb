// page_memory: whole pages straight from the OS, for the engine's long-lived
// I/O regions (buffer pools, piece buffers, provided-buffer rings). They
// never come from the malloc heap: a region freed at the end of a run goes
// back to the OS at once, instead of raising glibc's dynamic mmap threshold
// and staying behind, fragmented, in a per-thread arena (a Python process
// running swarms back to back grew by tens of MiB a run that way).
//
// One implementation per OS: linux/page_memory_posix.cpp (mmap),
// win/page_memory_win.cpp (VirtualAlloc).
//
// Thread rules: any thread.
#pragma once

#include <cstddef>

namespace swarmbench::detail {

/// The allocation granule map_pages rounds to.
inline constexpr std::size_t page_bytes = 4096;

/// `bytes` (rounded up to whole pages) of zeroed, page-aligned memory, or
/// nullptr when the OS refuses.
std::byte* map_pages(std::size_t bytes) noexcept;
/// Returns what map_pages(bytes) gave (the same `bytes`).
void unmap_pages(std::byte* p, std::size_t bytes) noexcept;

}  // namespace swarmbench::detail
