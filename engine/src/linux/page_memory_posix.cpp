// page_memory on POSIX: anonymous private mappings (common/page_memory.hpp).
#include <sys/mman.h>

#include "common/page_memory.hpp"

namespace swarmbench::detail {

std::byte* map_pages(std::size_t bytes) noexcept {
    void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? nullptr : static_cast<std::byte*>(p);
}

void unmap_pages(std::byte* p, std::size_t bytes) noexcept {
    if (p != nullptr) ::munmap(p, bytes);
}

}  // namespace swarmbench::detail
