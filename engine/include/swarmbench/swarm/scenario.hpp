// scenario: everything that shapes a swarm run, with its defaults, limits,
// JSON form and validation. The CLI's flags, the scenario file (--scenario),
// the app's scenario panel and Python's keyword arguments all fill this one
// struct and go through the one validate(), so a bad value gets the same
// message everywhere: "connections_per_leecher: must be 1..10000, got 0".
//
// JSON form: an object whose keys are the field names below. Sizes and rates
// are numbers of bytes or strings with a unit ("1GiB", "256KiB", "10MiB/s"
// is not accepted: rates are plain bytes per second or "10MiB"). Unknown keys
// are errors (a typo must not silently fall back to a default).
//
// Thread rules: plain values; copy freely.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "swarmbench/backend.hpp"
#include "swarmbench/bt/piece_picker.hpp"
#include "swarmbench/bt/result.hpp"
#include "swarmbench/endpoint.hpp"
#include "swarmbench/net/link.hpp"
#include "swarmbench/settings/schema.hpp"

namespace swarmbench {

/// Where downloaded blocks go.
enum class storage_mode : std::uint8_t {
    files,      // real files, preallocated (optionally O_DIRECT)
    discard,    // nowhere: network only (nothing hashed, nothing written)
    disk_only,  // no sockets: the same block write pattern, generated locally
};
const char* to_string(storage_mode m) noexcept;
const char* to_string(bt::pick_order o) noexcept;

struct swarm_scenario {
    // ---- the torrent (synthetic content, deterministic in `content_seed`)
    std::uint64_t torrent_size = 1ULL << 30;  // bytes; 1 .. 16 TiB (may be smaller than a piece)
    std::uint32_t piece_size = 256 * 1024;    // power of two, 16 KiB .. 64 MiB
    std::uint32_t file_count = 1;             // 1 .. 100000 (1: single-file torrent)
    std::uint64_t content_seed = 1;           // synthetic content seed

    // ---- peers
    std::uint32_t seeders = 4;                  // 0 .. 10000 (0 only with connect_to)
    std::uint32_t leechers = 4;                 // 0 .. 10000 (0: seeders serve outside clients only)
    std::uint32_t connections_per_leecher = 64; // 1 .. 10000, spread over the seeders
    std::uint32_t pipeline = 16;                // outstanding 16 KiB requests per connection, 1 .. 2048
    bt::pick_order pick = bt::pick_order::rarest_first;  // "rarest_first", "sequential", "random", "custom"
    std::vector<std::uint32_t> piece_order;     // pick "custom": these pieces first, in this order
                                                //   (each < piece count, no repeats), then the rest in index order
    bool end_game = true;                       // duplicate the last requests

    // ---- choking like real clients (off: every connection unchoked at once)
    bool choking = false;               // seeders choke; unchoke_slots per seeder
    std::uint32_t unchoke_slots = 8;    // 1 .. 10000
    double rechoke_interval_s = 10;     // 0.1 .. 3600
    double optimistic_interval_s = 30;  // 0.1 .. 3600

    // ---- rates (bytes per second a seeder sends on one connection; 0: unlimited)
    std::uint64_t rate_limit = 0;     // every connection; 0 or 1 KiB .. 100 GiB
    double slow_fraction = 0;         // 0 .. 1: this share of connections is slow
    std::uint64_t slow_rate = 1 << 20;  // a slow connection's limit, 1 KiB .. 100 GiB

    // ---- churn: connections dropped and re-made per second (across the swarm)
    double churn_per_s = 0;  // 0 .. 100000

    // ---- storage
    storage_mode storage = storage_mode::files;  // "files", "discard", "disk_only"
    bool direct = false;       // files, disk_only: O_DIRECT (every file but the last a 4 KiB multiple)
    bool preallocate = true;   // files: fallocate every file before the run
    std::string data_dir;      // "" : a new temporary directory
    bool keep_data = false;    // keep downloaded files (always kept if data_dir was given)

    // ---- a given torrent and outside clients (fake peers against a real client)
    std::string torrent_file;   // a .torrent to use instead of the synthetic one ("" : synthetic;
                                //   then torrent_size, piece_size, file_count and content_seed are
                                //   ignored). Its content is synthetic when it carries swarmbench's
                                //   content seed (make-torrent), else it is read from content_dir.
    std::string content_dir;    // seeders serve torrent_file's content from here, laid out as a
                                //   client's download folder (content_dir/<name>/...)
    std::vector<endpoint> upload_to;  // each seeder also dials each of these peers and serves it;
                                //   with duration 0 the run completes when every one has every piece
    bool spread_sources = false;  // outgoing connections to 127.0.0.0/8 bind their own source
                                //   address (127.0.0.2, .3, ...): clients that take one peer per IP
    double client_grace_s = 60;  // a run that only serves or downloads from named clients (upload_to
                                //   with no leechers, connect_to with no seeders) ends as failed after
                                //   this long with no connection to any of them; 1 .. 86400

    // ---- the network between peers, emulated in user space (net/link.hpp)
    std::vector<link_class> links;  // access-link classes the leechers are dealt among by share ([]: none)
    std::string seeder_link;        // the seeders' class, a name in links ("": not emulated)

    // ---- the run
    double duration_s = 0;          // 0: until every leecher completes; else 0.1 .. 86400
    double timeout_s = 3600;        // run-to-completion safety limit, 1 .. 604800
    backend_kind backend = backend_kind::automatic;  // "auto", "io_uring", "epoll", "iocp"
    std::uint32_t threads = 0;      // engine contexts, 0 (one per core) .. 256
    std::uint32_t interval_ms = 100;  // sampling interval, 10 .. 10000
    std::string listen_host = "127.0.0.1";  // seeders listen here
    std::uint16_t base_port = 0;    // seeder i listens on base_port + i; 0: any free port
    std::vector<endpoint> connect_to;  // extra peers every leecher also connects to

    // ---- one swarm split across processes (each process runs a part of it)
    std::vector<endpoint> seeders_at;  // this run's seeders listen here, in another process (seeders
                                //   0 here): leechers dial them, round robin, as their seeders
    std::uint32_t swarm_id = 0;     // peers whose ids carry the same swarm_id are this run's own (not
                                //   outside clients): give each process of a split swarm the same one;
                                //   0: a random one per run
    std::uint64_t seed = 1;         // randomness of picks, slow peers and churn

    friend bool operator==(const swarm_scenario&, const swarm_scenario&) = default;
};

/// The scenario's schema: every field's name, type, unit, range, doc,
/// group and CLI flag, and get / set / to_json driven by them.
const settings::schema<swarm_scenario>& scenario_schema();

/// The field names in declaration order (for the app and docs; to_json's
/// object itself keeps its keys sorted).
const std::vector<std::string>& scenario_field_names();

/// Every field (including defaults), ready for --dump-scenario.
nlohmann::json to_json(const swarm_scenario& s);

/// Reads a scenario from JSON text: starts from the defaults and overrides the
/// keys present. Errors name the field: "pipeline: must be 1..2048, got 0",
/// "seedrs: unknown field (did you mean \"seeders\"?)", "line 3: ..." for
/// syntax errors. The result is validated.
bt::result<swarm_scenario> parse_scenario(std::string_view json_text);
/// The same from an already parsed JSON value.
bt::result<swarm_scenario> scenario_from_json(const nlohmann::json& j);

/// Sets one field from a string, as a CLI flag or the app's text box would
/// ("1GiB", "rarest_first", "true"). Errors as parse_scenario. Does not
/// validate cross-field rules; call validate() after the last one.
std::optional<std::string> set_scenario_field(swarm_scenario& s, std::string_view field,
                                              std::string_view value);

/// Every problem with `s`, each one line naming the field and its allowed
/// range; empty when the scenario is runnable. Includes cross-field rules
/// (seeders == 0 needs connect_to, direct needs 4 KiB-aligned files, ...).
std::vector<std::string> validate(const swarm_scenario& s);

/// Connections the scenario asks for in all (leechers x connections_per_leecher).
std::uint64_t total_connections(const swarm_scenario& s) noexcept;

/// The run serves or downloads from named outside clients only (upload_to
/// with no leechers, connect_to with no seeders: `upload`, `download`): it
/// cannot end without them, so client_grace_s applies, and a client that is
/// away is redialled (warned about) rather than counted as an error.
bool depends_on_clients(const swarm_scenario& s) noexcept;

}  // namespace swarmbench
