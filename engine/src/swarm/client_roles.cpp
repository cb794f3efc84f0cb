#include "swarmbench/swarm/client_roles.hpp"

#include <fmt/format.h>

#include "swarmbench/endpoint.hpp"

namespace swarmbench {

std::string_view to_string(client_role r) noexcept {
    switch (r) {
        case client_role::upload: return "upload";
        case client_role::download: return "download";
        case client_role::seed: return "seed";
    }
    return "?";
}

const nlohmann::json& client_role_fixed(client_role r) {
    // upload and seed store nothing (no leechers); download's leechers each
    // hold one connection, to the client.
    static const nlohmann::json upload = {{"leechers", 0}, {"storage", "discard"}};
    static const nlohmann::json download = {{"seeders", 0}, {"connections_per_leecher", 1}};
    static const nlohmann::json seed = {{"leechers", 0}, {"storage", "discard"}};
    switch (r) {
        case client_role::upload: return upload;
        case client_role::download: return download;
        case client_role::seed: return seed;
    }
    return upload;
}

const nlohmann::json& client_role_defaults(client_role r) {
    // Many clients take one peer per IP: each connection gets its own source
    // address. Download's pipeline: transmission answers in rounds of its
    // reqq (512), libtorrent queues 500, so depth is speed.
    // Eight peers make a load; one listening seeder is what a user adds to
    // a client by hand.
    static const nlohmann::json upload = {{"seeders", 8}, {"spread_sources", true}};
    static const nlohmann::json download = {{"leechers", 8}, {"spread_sources", true}, {"pipeline", 500}};
    static const nlohmann::json seed = {{"seeders", 1}};  // it listens: no source addresses to spread
    switch (r) {
        case client_role::upload: return upload;
        case client_role::download: return download;
        case client_role::seed: return seed;
    }
    return upload;
}

std::string_view client_count_field(client_role r) noexcept {
    return r == client_role::download ? "leechers" : "seeders";
}

std::string_view client_target_field(client_role r) noexcept {
    switch (r) {
        case client_role::upload: return "upload_to";
        case client_role::download: return "connect_to";
        case client_role::seed: return "";
    }
    return "";
}

swarm_scenario client_scenario(client_role r) {
    swarm_scenario sc;
    const auto& table = scenario_schema();
    for (const nlohmann::json* part : {&client_role_defaults(r), &client_role_fixed(r)})
        for (const auto& [name, value] : part->items())
            if (auto err = table.set(sc, name, value)) throw std::logic_error("client_scenario: " + *err);
    return sc;
}

bt::result<nlohmann::json> client_link_fields(client_role r, std::string_view text) {
    nlohmann::json c;
    try {
        c = nlohmann::json::parse(text, nullptr, true, true);
    } catch (const nlohmann::json::exception& e) {
        return bt::parse_error{"link: " + settings::syntax_message(text, e)};
    }
    if (!c.is_object())
        return bt::parse_error{fmt::format("link: expected one class as a JSON object such as {{\"down\": \"16Mbit\", "
                                           "\"up\": \"1Mbit\", \"rtt_ms\": 40}}, got {}",
                                           c.type_name())};
    if (c.contains("share"))
        return bt::parse_error{"link: share: the fake peers are all of this one class; leave share out"};
    if (!c.contains("name")) c["name"] = "link";
    c["share"] = 1;
    link_class one;
    if (const auto problems = read_link_class(c, one); !problems.empty()) {
        std::string out;
        for (const auto& p : problems) out += (out.empty() ? "link: " : "\nlink: ") + p;
        return bt::parse_error{out};
    }
    nlohmann::json fields = {{"links", to_json(std::vector<link_class>{one})}};
    if (r != client_role::download) fields["seeder_link"] = one.name;
    return fields;
}

settings::error set_client_listen(swarm_scenario& sc, std::string_view addr_port) {
    std::error_code ec;
    const endpoint where = endpoint::parse(addr_port, ec);
    if (ec || !where.valid())
        return fmt::format("listen: expected \"ADDR:PORT\" (e.g. 127.0.0.1:7000 or [::1]:7000; port 0: any free "
                           "ports), got \"{}\"",
                           addr_port);
    // The address as written ("::1", not the parsed 0:0:0:0:0:0:0:1).
    std::string host(addr_port.substr(0, addr_port.rfind(':')));
    if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
    swarm_scenario next = sc;
    const auto& table = scenario_schema();
    if (auto err = table.set(next, "listen_host", host)) return err;
    if (auto err = table.set(next, "base_port", where.port)) return err;
    sc = std::move(next);
    return std::nullopt;
}

}  // namespace swarmbench
