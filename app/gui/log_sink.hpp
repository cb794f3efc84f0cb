// log_sink: the app's spdlog sink. Formatted lines go into a bounded ring
// under the sink's own mutex (base_sink<std::mutex>); the log panel copies
// the lines it has not seen yet once per frame. No ImGui buffer is ever
// written from a logging thread (spdlog's qt_sink hands lines over for the
// same reason).
//
// Thread rules: sink_it_ runs on whichever thread logs (under base_sink's
// mutex); copy_since from any thread, typically the UI's.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <spdlog/sinks/base_sink.h>

namespace swarmbench::gui {

class ring_sink final : public spdlog::sinks::base_sink<std::mutex> {
public:
    explicit ring_sink(std::size_t capacity = 5000) : capacity_(capacity == 0 ? 1 : capacity) {}

    /// Appends to `out` every line with sequence number >= `seen` still in
    /// the ring, and advances `seen`. Returns how many were lost (overwritten
    /// before they were copied).
    std::uint64_t copy_since(std::uint64_t& seen, std::vector<std::string>& out);

protected:
    void sink_it_(const spdlog::details::log_msg& msg) override;
    void flush_() override {}

private:
    std::size_t capacity_;           // most lines kept
    std::deque<std::string> lines_;  // the newest capacity_ lines
    std::uint64_t next_ = 0;         // sequence number of the next line
};

/// Creates the sink and adds it to swarmbench::log()'s fan-out (any thread,
/// also while runs log); remove it with swarmbench::remove_log_sink.
std::shared_ptr<ring_sink> install_log_sink();

}  // namespace swarmbench::gui
