// swarmbench backends: what this build has and what runs here.
#include <iostream>
#include <memory>

#include "cli_common.hpp"

namespace swarmbench::cli {

namespace {
int run(bool json) {
    nlohmann::json list = nlohmann::json::array();
    backend_choice def = choose_backend(backend_kind::automatic);
    for (backend_kind k : {backend_kind::io_uring, backend_kind::epoll, backend_kind::iocp}) {
        bool compiled = false;
        for (backend_kind c : compiled_backends()) compiled = compiled || c == k;
        std::string why;
        bool available = compiled && backend_available(k, &why);
        if (!compiled) why = "not compiled into this build";
        list.push_back({{"name", to_string(k)}, {"compiled", compiled}, {"available", available},
                        {"default", available && def.active == k}, {"reason", available ? "" : why}});
    }
    if (json) {
        std::cout << nlohmann::json{{"backends", list}, {"default_reason", def.reason}}.dump(2) << std::endl;
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
    std::cout << "auto picks: " << def.reason << std::endl;
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
