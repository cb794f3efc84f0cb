// page_memory on Windows: committed virtual memory (common/page_memory.hpp).
#include <windows.h>

#include "common/page_memory.hpp"

namespace swarmbench::detail {

std::byte* map_pages(std::size_t bytes) noexcept {
    return static_cast<std::byte*>(::VirtualAlloc(nullptr, bytes, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE));
}

void unmap_pages(std::byte* p, std::size_t bytes) noexcept {
    (void)bytes;  // MEM_RELEASE frees the whole reservation
    if (p != nullptr) ::VirtualFree(p, 0, MEM_RELEASE);
}

}  // namespace swarmbench::detail
