#include "log_sink.hpp"

#include "swarmbench/log.hpp"

namespace swarmbench::gui {

void ring_sink::sink_it_(const spdlog::details::log_msg& msg) {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    std::string line(formatted.data(), formatted.size());
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    // Called under base_sink's mutex_, which copy_since takes too.
    lines_.push_back(std::move(line));
    if (lines_.size() > capacity_) lines_.pop_front();
    ++next_;
}

std::uint64_t ring_sink::copy_since(std::uint64_t& seen, std::vector<std::string>& out) {
    std::lock_guard lock(mutex_);
    const std::uint64_t first = next_ - lines_.size();
    std::uint64_t lost = 0;
    if (seen < first) {
        lost = first - seen;
        seen = first;
    }
    for (std::uint64_t i = seen; i < next_; ++i) out.push_back(lines_[static_cast<std::size_t>(i - first)]);
    seen = next_;
    return lost;
}

std::shared_ptr<ring_sink> install_log_sink() {
    auto sink = std::make_shared<ring_sink>();
    sink->set_pattern("%H:%M:%S.%e %-5l %v");
    add_log_sink(sink);
    return sink;
}

}  // namespace swarmbench::gui
