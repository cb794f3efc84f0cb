// bt_temp_dir: a fresh temporary directory for the bt tests that touch real
// files, removed with its contents (the engine tests' temp_dir lives in
// test_support, which the pure bt tests do not link).
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>

#include "swarmbench/temp_dir.hpp"

namespace swarmbench::bt_test {

class temp_dir {
public:
    explicit temp_dir(const char* prefix = "swarmbench-bt-test-") {
        std::error_code ec;
        path_ = swarmbench::make_temp_dir(prefix, ec);
        if (ec) throw std::runtime_error("make_temp_dir: " + ec.message());
    }
    ~temp_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;  // the directory
};

}  // namespace swarmbench::bt_test
