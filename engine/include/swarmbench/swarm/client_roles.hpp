// client_roles: the scenarios of fake peers against a real BitTorrent client,
// written once for `swarmbench upload|download|seed` (app/cli/cmd_clients.cpp)
// and Python's upload_scenario() / download_scenario() / seed_scenario().
//
//   upload    N fake seeders dial the client (upload_to) and serve it
//   download  N fake leechers, one connection each, dial a seeding client
//             (connect_to) and download and check every piece
//   seed      N fake seeders listen (listen_host, base_port) for clients
//
// A role fixes some fields (they make it that role: nothing else is offered
// for them) and starts others from its own defaults, which the user may
// change (download's pipeline 500: clients queue about that many requests).
//
// Thread rules: none (pure functions over constant tables).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "swarmbench/settings/schema.hpp"
#include "swarmbench/swarm/scenario.hpp"

namespace swarmbench {

enum class client_role { upload, download, seed };

/// "upload", "download", "seed".
std::string_view to_string(client_role r) noexcept;

/// The fields a role sets itself (seeders / leechers 0, storage "discard"
/// where nothing is stored, one connection per leecher), as a JSON object.
const nlohmann::json& client_role_fixed(client_role r);
/// The role's defaults for fields the user may still set: its peer count (8;
/// seed 1), spread_sources on (clients take one peer per address),
/// download's pipeline 500.
const nlohmann::json& client_role_defaults(client_role r);
/// The field the role's peer count goes to: seeders (upload, seed) or
/// leechers (download).
std::string_view client_count_field(client_role r) noexcept;
/// The field the client's address goes to: upload_to (upload), connect_to
/// (download); empty for seed, which listens.
std::string_view client_target_field(client_role r) noexcept;

/// A scenario with the role's defaults, then fixed fields, applied.
swarm_scenario client_scenario(client_role r);

/// Sets listen_host and base_port from "ADDR:PORT" (port 0: any free ports;
/// "[::1]:7000" for IPv6). `sc` is unchanged on error, which names the
/// expected form: `listen: expected "ADDR:PORT" ..., got "..."`.
settings::error set_client_listen(swarm_scenario& sc, std::string_view addr_port);

/// The fields that give a role's fake peers one access-link class
/// (net/link.hpp; `name` defaults to "link", `share` is 1): `links`, and
/// for the seeding roles `seeder_link`. `text` is the class's JSON object
/// ({"down": "16Mbit", "rtt_ms": 40}); errors name `link` and the field:
/// `link: rtt_ms: must be 0..10000 ms, got -1`.
bt::result<nlohmann::json> client_link_fields(client_role r, std::string_view text);

}  // namespace swarmbench
