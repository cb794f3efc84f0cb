// replay_main: the fuzz targets without libFuzzer, for the normal build.
//
// Runs LLVMFuzzerTestOneInput once over every file in the directories given
// (fuzz/corpus/<target>/ and fuzz/regressions/<target>/), so CTest (label
// "fuzz") replays the seed corpus and every crash ever found on each build,
// with g++ and under the ASan stage. A failed check aborts, failing the test.
// Missing directories are skipped (a target may have no regressions yet);
// no input at all is an error (a wrong path must not pass silently).
//
// Thread rules: single-threaded driver; a target may start its own threads.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);

int main(int argc, char** argv) {
    if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
    std::size_t inputs = 0;
    for (int a = 1; a < argc; ++a) {
        const std::filesystem::path dir = argv[a];
        std::error_code ec;
        if (!std::filesystem::is_directory(dir, ec)) {
            std::printf("%s: no such directory, skipped\n", dir.c_str());
            continue;
        }
        std::vector<std::filesystem::path> files;
        for (const auto& e : std::filesystem::directory_iterator(dir))
            if (e.is_regular_file() && e.path().filename().string().front() != '.') files.push_back(e.path());
        std::sort(files.begin(), files.end());  // same order every run
        for (const auto& f : files) {
            std::ifstream in(f, std::ios::binary);
            const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
            std::printf("%s (%zu bytes)\n", f.c_str(), bytes.size());
            std::fflush(stdout);
            // A non-null pointer even for an empty file, as libFuzzer passes.
            static const std::uint8_t empty = 0;
            LLVMFuzzerTestOneInput(bytes.empty() ? &empty : reinterpret_cast<const std::uint8_t*>(bytes.data()),
                                   bytes.size());
            ++inputs;
        }
    }
    std::printf("%zu inputs replayed\n", inputs);
    return inputs > 0 ? 0 : 1;
}
