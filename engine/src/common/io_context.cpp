#include "swarmbench/io_context.hpp"

namespace swarmbench {

const char* to_string(op_code code) noexcept {
    switch (code) {
        case op_code::nop: return "nop";
        case op_code::accept: return "accept";
        case op_code::connect: return "connect";
        case op_code::send: return "send";
        case op_code::recv: return "recv";
        case op_code::shutdown: return "shutdown";
        case op_code::close: return "close";
        case op_code::read_at: return "read_at";
        case op_code::write_at: return "write_at";
        case op_code::fsync: return "fsync";
        case op_code::fdatasync: return "fdatasync";
        case op_code::timer: return "timer";
        case op_code::recv_pooled: return "recv_pooled";
    }
    return "unknown";
}

void io_context::run() {
    while (!stop_requested_.load(std::memory_order_acquire)) {
        run_once(std::chrono::nanoseconds(-1));
    }
}

void io_context::run_until(std::chrono::steady_clock::time_point deadline) {
    while (!stop_requested_.load(std::memory_order_acquire)) {
        auto now = std::chrono::steady_clock::now();
        if (now >= deadline) break;
        run_once(deadline - now);
    }
}

void io_context::stop() {
    stop_requested_.store(true, std::memory_order_release);
    wake();
}

void io_context::restart() noexcept { stop_requested_.store(false, std::memory_order_release); }

bool io_context::stopped() const noexcept { return stop_requested_.load(std::memory_order_acquire); }

}  // namespace swarmbench
