// os_probes_posix: the POSIX answers to os_probes.hpp (an O_DIRECT probe
// with open/pwrite).
//
// Thread rules: any thread (see os_probes.hpp).
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "os_probes.hpp"
#include "swarmbench/buffer_pool.hpp"

namespace swarmbench::test {

std::string direct_refused(const std::filesystem::path& dir) {
    const std::string path = (dir / "direct-probe.bin").string();
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_DIRECT | O_CLOEXEC, 0644);
    if (fd < 0)
        return "the temp filesystem (" + dir.string() + ") refuses O_DIRECT: " + std::strerror(errno) +
               " (tmpfs before Linux 6.6 does; set TMPDIR to a disk filesystem to run this test)";
    const aligned_bytes page = allocate_aligned(4096);
    std::memset(page.get(), 0, 4096);
    const ssize_t n = ::pwrite(fd, page.get(), 4096, 0);
    const int err = errno;
    ::close(fd);
    ::unlink(path.c_str());
    if (n != 4096)
        return "an aligned O_DIRECT write in " + dir.string() + " failed: " + std::strerror(err) +
               " (set TMPDIR to a filesystem that supports O_DIRECT)";
    return {};
}

}  // namespace swarmbench::test
