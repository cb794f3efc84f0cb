#include "swarmbench/temp_dir.hpp"

#include <random>
#include <string>

namespace swarmbench {

std::filesystem::path make_temp_dir(std::string_view prefix, std::error_code& ec,
                                    const std::filesystem::path& parent) {
    ec.clear();
    const std::filesystem::path base = parent.empty() ? std::filesystem::temp_directory_path(ec) : parent;
    if (ec) return {};
    static constexpr char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    std::random_device seed;
    std::mt19937_64 rng((static_cast<std::uint64_t>(seed()) << 32) ^ seed());
    // create_directory is atomic: false means another process owns that name.
    for (int attempt = 0; attempt < 100; ++attempt) {
        std::string name(prefix);
        for (int i = 0; i < 8; ++i) name += alphabet[rng() % (sizeof(alphabet) - 1)];
        std::filesystem::path dir = base / name;
        if (std::filesystem::create_directory(dir, ec)) return dir;
        if (ec) return {};
    }
    ec = std::make_error_code(std::errc::file_exists);
    return {};
}

}  // namespace swarmbench
