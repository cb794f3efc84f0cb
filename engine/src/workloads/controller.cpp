#include "controller.hpp"

#include <memory>

#include "swarmbench/log.hpp"

namespace swarmbench::detail {

bool run_on_each(context_group& group, const std::function<void(std::size_t, io_context&)>& fn,
                 clock::time_point deadline) {
    // Shared so a context finishing after a timed-out wait still has it.
    struct countdown {
        std::mutex m;                // guards left
        std::condition_variable cv;  // signalled as left drops
        std::size_t left = 0;        // contexts still running fn
    };
    auto state = std::make_shared<countdown>();
    state->left = group.size();
    for (std::size_t i = 0; i < group.size(); ++i) {
        group.post(i, [state, i, fn](io_context& ctx) {
            fn(i, ctx);
            std::lock_guard lock(state->m);
            --state->left;
            state->cv.notify_all();
        });
    }
    std::unique_lock lock(state->m);
    return state->cv.wait_until(lock, deadline, [&] { return state->left == 0; });
}

void fail_run(results& r, const std::string& message) {
    // The message is the run's result: every front end shows error_messages
    // (the CLI's summary, the app's log, Python's Result), so logging it at
    // error level too printed it twice. Debug keeps it in a trace.
    log().debug("run failed: {}", message);
    r.summary.status = "failed";
    ++r.summary.errors;
    r.summary.error_messages.push_back(message);
}

}  // namespace swarmbench::detail
