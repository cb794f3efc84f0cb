// swarmbench backends: what this build has and what runs here.
#include <iostream>
#include <memory>

#include "cli_common.hpp"

namespace swarmbench::cli {

namespace {
int run(bool json) {
    const backend_report report = report_backends();
    nlohmann::json list = nlohmann::json::array();
    for (const backend_status& b : report.backends)
        list.push_back({{"name", to_string(b.kind)}, {"compiled", b.compiled}, {"available", b.available},
                        {"default", b.is_default}, {"reason", b.reason}});
    if (json) {
        std::cout << nlohmann::json{{"backends", list}, {"default_reason", report.default_reason}}.dump(2) << std::endl;
        return exit_ok;
    }
    for (const auto& b : list) {
        std::string name = b["name"];
        std::string state = !b["compiled"].get<bool>() ? "not compiled"
                            : b["available"].get<bool>() ? (b["default"].get<bool>() ? "available (default)" : "available")
                                                         : "unavailable";
        std::cout << name << std::string(10 - std::min<std::size_t>(name.size(), 9), ' ') << state;
        if (!b["reason"].get<std::string>().empty()) std::cout << ": " << b["reason"].get<std::string>();
        std::cout << "\n";
    }
    std::cout << "auto picks: " << report.default_reason << std::endl;
    return exit_ok;
}
}  // namespace

command make_backends_command(CLI::App& parent) {
    auto json = std::make_shared<bool>(false);
    CLI::App* sub = parent.add_subcommand("backends", "List the compiled backends, which run here, and why not");
    sub->add_flag("--json", *json, "As JSON on stdout");
    return {sub, [json] { return run(*json); }};
}

}  // namespace swarmbench::cli
