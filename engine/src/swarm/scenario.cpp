// scenario: the swarm scenario's schema table (every field described once:
// name, type, unit, range, doc, group, CLI flag) and the rules between
// fields; the JSON form, the string setter and the per-field half of
// validate() come from the table (settings/schema.hpp), so every entry point
// reports the same message.
//
// [SECTION] enum names
// [SECTION] the field table
// [SECTION] cross-field checks
// [SECTION] public functions
#include "swarmbench/swarm/scenario.hpp"

#include <algorithm>
#include <limits>

#include <fmt/format.h>

#include "../settings/field_codec.hpp"

namespace swarmbench {

// ---------------------------------------------------------------------------
// [SECTION] enum names
// ---------------------------------------------------------------------------

const char* to_string(storage_mode m) noexcept {
    switch (m) {
        case storage_mode::files: return "files";
        case storage_mode::discard: return "discard";
        case storage_mode::disk_only: return "disk_only";
    }
    return "unknown";
}

const char* to_string(bt::pick_order o) noexcept {
    switch (o) {
        case bt::pick_order::rarest_first: return "rarest_first";
        case bt::pick_order::sequential: return "sequential";
        case bt::pick_order::random: return "random";
        case bt::pick_order::custom: return "custom";
    }
    return "unknown";
}

namespace {

// ---------------------------------------------------------------------------
// [SECTION] the field table
// ---------------------------------------------------------------------------

using settings::error;
using settings::field_info;
using settings::value_type;
using settings::detail::field;
using settings::detail::size_text;
using nlohmann::json;
using S = swarm_scenario;

constexpr std::uint64_t KiB = 1024;
constexpr std::uint64_t MiB = KiB * 1024;
constexpr std::uint64_t GiB = MiB * 1024;
constexpr std::uint64_t TiB = GiB * 1024;
constexpr std::uint64_t direct_alignment = 4096;  // O_DIRECT offset and length granularity

std::string in_quotes(std::string_view s) { return fmt::format("\"{}\"", s); }

using F = field_info;
using T = value_type;

bool listen_host_ok(const std::string& host) {
    if (host.empty()) return false;
    std::error_code ec;
    // endpoint::parse wants a port; IPv6 literals need their brackets.
    const std::string probe = host.find(':') != std::string::npos ? "[" + host + "]:0" : host + ":0";
    (void)endpoint::parse(probe, ec);
    return !ec;
}

error check_listen_host(const field_info& f, const json& v) {
    const std::string host = v.get<std::string>();
    if (listen_host_ok(host)) return std::nullopt;
    return fmt::format("{}: must be an IPv4 or IPv6 address such as 127.0.0.1 or ::1, got {}", f.name,
                       in_quotes(host));
}

// Peers to dial need a port.
error check_ports(const field_info& f, const json& v) {
    for (std::size_t i = 0; i < v.size(); ++i) {
        std::error_code ec;
        const endpoint ep = endpoint::parse(v[i].get<std::string>(), ec);
        if (ec || !ep.valid() || ep.port == 0)
            return fmt::format("{}: entry {} must have a port in 1..65535, got {}", f.name, i + 1,
                               in_quotes(v[i].get<std::string>()));
    }
    return std::nullopt;
}

error check_repeats(const field_info& f, const json& v) {
    // Repeats, found by sorting (index, entry) pairs: O(n log n) for any list.
    std::vector<std::pair<std::uint32_t, std::size_t>> sorted;
    sorted.reserve(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) sorted.emplace_back(v[i].get<std::uint32_t>(), i);
    std::sort(sorted.begin(), sorted.end());
    for (std::size_t i = 1; i < sorted.size(); ++i)
        if (sorted[i].first == sorted[i - 1].first)
            return fmt::format("{}: piece {} is listed twice (entries {} and {}); list each piece once", f.name,
                               sorted[i].first, sorted[i - 1].second + 1, sorted[i].second + 1);
    return std::nullopt;
}

}  // namespace

// In declaration order: the docs, the app and the CLI's help list them so.
const settings::schema<swarm_scenario>& scenario_schema() {
    static const settings::schema<swarm_scenario> table({
        field<&S::torrent_size>(F("torrent_size", T::size, "torrent", "Torrent size.")
                                    .range(1, double(16 * TiB)).in("B").cli("--size")),
        field<&S::piece_size>(F("piece_size", T::size, "torrent", "Piece size.")
                                  .range(double(16 * KiB), double(64 * MiB)).power_of_two().in("B")),
        field<&S::file_count>(F("file_count", T::count, "torrent", "Files in the torrent (1: a single-file torrent).")
                                  .range(1, 100000).cli("--files")),
        field<&S::content_seed>(F("content_seed", T::any_u64, "torrent",
                                  "Seed of the synthetic content (same seed, same bytes).")),
        field<&S::seeders>(F("seeders", T::count, "peers", "Seeders (0 only with connect_to or seeders_at).")
                               .range(0, 10000)),
        field<&S::leechers>(F("leechers", T::count, "peers", "Leechers (0: the seeders serve outside clients only).")
                                .range(0, 10000)),
        field<&S::connections_per_leecher>(F("connections_per_leecher", T::count, "peers",
                                             "Connections each leecher opens, spread over the seeders.")
                                               .range(1, 10000).cli("--connections").make_live()),
        field<&S::pipeline>(F("pipeline", T::count, "peers", "Outstanding 16 KiB requests per connection.")
                                .range(1, 2048).make_live()),
        field<&S::pick>(F("pick", T::choice, "peers", "Piece order (custom: piece_order first).")
                            .one_of({to_string(bt::pick_order::rarest_first), to_string(bt::pick_order::sequential),
                                    to_string(bt::pick_order::random), to_string(bt::pick_order::custom)})),
        field<&S::piece_order>(F("piece_order", T::pieces, "peers",
                                 "With pick custom: these piece indexes first, in this order (no repeats), then the "
                                 "rest in index order."),
                               &check_repeats),
        field<&S::end_game>(F("end_game", T::flag, "peers",
                              "Duplicate the last requests at the end of a download (end game).")),
        field<&S::choking>(F("choking", T::flag, "choking",
                             "Seeders choke like real clients (unchoke_slots per seeder); off: all unchoked.")),
        field<&S::unchoke_slots>(F("unchoke_slots", T::count, "choking", "With choking: unchoked connections per seeder.")
                                     .range(1, 10000)),
        field<&S::rechoke_interval_s>(F("rechoke_interval_s", T::real, "choking",
                                        "With choking: seconds between rechokes.")
                                          .range(0.1, 3600).in("s")),
        field<&S::optimistic_interval_s>(F("optimistic_interval_s", T::real, "choking",
                                           "With choking: seconds between optimistic unchokes.")
                                             .range(0.1, 3600).in("s")),
        field<&S::rate_limit>(F("rate_limit", T::rate, "rates", "Upload limit per connection (0: none).")
                                  .range(double(KiB), double(100 * GiB)).or_zero().in("B/s").make_live()),
        field<&S::slow_fraction>(F("slow_fraction", T::real, "rates",
                                   "Share of connections that are slow (limited to slow_rate).")
                                     .range(0, 1)),
        field<&S::slow_rate>(F("slow_rate", T::rate, "rates", "A slow connection's upload limit.")
                                 .range(double(KiB), double(100 * GiB)).in("B/s").make_live()),
        field<&S::churn_per_s>(F("churn_per_s", T::real, "rates",
                                 "Connections dropped and re-made per second across the swarm.")
                                   .range(0, 100000).in("1/s").cli("--churn").make_live()),
        field<&S::storage>(F("storage", T::choice, "storage",
                             "Where blocks go: files, discard (network only) or disk_only (no sockets).")
                               .one_of({to_string(storage_mode::files), to_string(storage_mode::discard),
                                       to_string(storage_mode::disk_only)})),
        field<&S::direct>(F("direct", T::flag, "storage", "O_DIRECT writes (storage files or disk_only).")),
        field<&S::preallocate>(F("preallocate", T::flag, "storage",
                                 "Preallocate every file before the run (storage files).")),
        field<&S::data_dir>(F("data_dir", T::text, "storage",
                              "Download into this directory (kept); empty: a new temporary directory.")),
        field<&S::keep_data>(F("keep_data", T::flag, "storage",
                               "Keep the downloaded files (always kept when data_dir is given).")),
        field<&S::torrent_file>(F("torrent_file", T::text, "clients",
                                  "A .torrent to use instead of the synthetic one (empty: synthetic); its content is "
                                  "synthetic if make-torrent made it, else read from content_dir.")),
        field<&S::content_dir>(F("content_dir", T::text, "clients",
                                 "Seeders serve torrent_file's content from this folder (a client's download "
                                 "folder).")),
        field<&S::upload_to>(F("upload_to", T::endpoints, "clients",
                               "Outside clients every seeder dials and serves (HOST:PORT); the run completes when "
                               "each has every piece."),
                             &check_ports),
        field<&S::spread_sources>(F("spread_sources", T::flag, "clients",
                                    "Outgoing connections to 127.0.0.0/8 each bind their own source address "
                                    "(clients that take one peer per IP).")),
        field<&S::client_grace_s>(F("client_grace_s", T::real, "clients",
                                    "A run that only serves or downloads from named clients ends as failed after "
                                    "this long with no connection to any of them (redialled meanwhile).")
                                      .range(1, 86400).in("s").cli("--client-grace")),
        field<&S::links>(F("links", T::links, "links",
                           "Access-link classes the leechers are dealt among by share: [{\"name\": \"dsl\", \"share\": "
                           "1, \"down\": \"16Mbit\", \"up\": \"1Mbit\", \"rtt_ms\": 40}] (docs/links.md).")),
        field<&S::seeder_link>(F("seeder_link", T::text, "links",
                                 "The seeders' link class, a name in links (empty: not emulated).")),
        field<&S::duration_s>(F("duration_s", T::real, "run",
                                "Run this long, leechers downloading again (0: until every leecher completes).")
                                  .range(0.1, 86400).or_zero().in("s").cli("--duration")),
        field<&S::timeout_s>(F("timeout_s", T::real, "run", "Give up on completion after this long.")
                                 .range(1, 604800).in("s").cli("--timeout")),
        field<&S::backend>(settings::detail::backend_info()),
        field<&S::threads>(F("threads", T::count, "run", "Engine contexts, one thread each (0: one per core).")
                               .range(0, 256)),
        field<&S::interval_ms>(F("interval_ms", T::count, "run", "Sampling interval of the time series.")
                                   .range(10, 10000).in("ms")),
        field<&S::listen_host>(F("listen_host", T::text, "network", "Address the seeders listen on."),
                               &check_listen_host),
        field<&S::base_port>(F("base_port", T::count, "network", "Seeder i listens on base_port + i (0: any free port).")
                                 .range(0, 65535)),
        field<&S::connect_to>(F("connect_to", T::endpoints, "network",
                                "Extra peers every leecher also connects to (HOST:PORT)."),
                              &check_ports),
        field<&S::seeders_at>(F("seeders_at", T::endpoints, "network",
                                "This run's seeders, in another process of a split swarm (with seeders 0)."),
                              &check_ports),
        field<&S::swarm_id>(F("swarm_id", T::count, "network",
                              "Peers whose ids carry the same swarm_id are this run's own: one value for every "
                              "process of a split swarm (0: random per run).")
                                .range(0, 4294967295.0)),
        field<&S::seed>(F("seed", T::any_u64, "run", "Seed of piece picks, slow peers and churn.")),
    });
    return table;
}

namespace {

// ---------------------------------------------------------------------------
// [SECTION] cross-field checks
// ---------------------------------------------------------------------------

// Rules that tie fields together; each message names the field to change.
void check_cross_fields(const swarm_scenario& s, std::vector<std::string>& out) {
    const bool has_seeders = s.storage != storage_mode::disk_only;  // disk_only has no sockets
    if (has_seeders && s.seeders == 0 && s.connect_to.empty() && s.seeders_at.empty())
        out.push_back(
            "seeders: must be 1..10000 unless connect_to names peers to download from or seeders_at names this "
            "run's seeders in another process, got 0");
    if (!s.seeders_at.empty() && (s.seeders != 0 || !has_seeders))
        out.push_back(has_seeders ? fmt::format("seeders_at: names this run's seeders in another process, so seeders "
                                                "must be 0 here, got {}",
                                                s.seeders)
                                  : std::string("seeders_at: needs sockets; storage \"disk_only\" has none"));
    if (s.leechers == 0 && (s.storage == storage_mode::disk_only || s.seeders == 0))
        out.push_back(s.storage == storage_mode::disk_only
                          ? "leechers: must be 1..10000 with storage \"disk_only\", got 0"
                          : "leechers: must be 1..10000 unless seeders serve outside clients, got 0 leechers and 0 seeders");
    if (!s.upload_to.empty() && (s.seeders == 0 || s.storage == storage_mode::disk_only))
        out.push_back("upload_to: needs seeders (1..10000) to dial those peers, got 0 seeders");
    if (!s.torrent_file.empty() && s.storage == storage_mode::disk_only)
        out.push_back("torrent_file: storage \"disk_only\" generates synthetic content only; use storage \"files\"");
    if (!s.content_dir.empty() && s.torrent_file.empty())
        out.push_back("content_dir: needs torrent_file (the torrent whose content it holds)");
    if (!s.torrent_file.empty() && s.direct)
        out.push_back("direct: not with torrent_file (its file sizes need not be 4 KiB multiples); drop direct");
    if (!s.links.empty() && s.storage == storage_mode::disk_only)
        out.push_back("links: storage \"disk_only\" opens no connections to shape; drop links");
    if (!s.seeder_link.empty() &&
        std::none_of(s.links.begin(), s.links.end(), [&](const link_class& c) { return c.name == s.seeder_link; })) {
        std::string names;
        for (const auto& c : s.links) names += (names.empty() ? "\"" : ", \"") + c.name + "\"";
        out.push_back(s.links.empty() ? fmt::format("seeder_link: names a class of links, which has none, got \"{}\"",
                                                    s.seeder_link)
                                      : fmt::format("seeder_link: must be one of links' names ({}), got \"{}\"", names,
                                                    s.seeder_link));
    }

    if (s.file_count >= 1 && s.torrent_size >= 1 && s.file_count > s.torrent_size) {
        out.push_back(fmt::format("file_count: must be 1..{} (no empty files in a torrent of {}), got {}",
                                  s.torrent_size, size_text(s.torrent_size), s.file_count));
    }

    if (s.piece_size > 0) {
        const std::uint64_t pieces = s.torrent_size / s.piece_size + (s.torrent_size % s.piece_size != 0);
        if (pieces > std::numeric_limits<std::uint32_t>::max()) {
            out.push_back(fmt::format(
                "torrent_size: {} in pieces of {} makes {} pieces, must be at most 4294967295 "
                "(raise piece_size)",
                size_text(s.torrent_size), size_text(s.piece_size), pieces));
        }
        // piece_order names pieces of this torrent: the first one out of range.
        // (A torrent_file's piece count is known once it is read: run_swarm checks then.)
        for (std::size_t i = 0; pieces > 0 && s.torrent_file.empty() && i < s.piece_order.size(); ++i) {
            if (s.piece_order[i] < pieces) continue;
            out.push_back(fmt::format("piece_order: entry {} must be 0..{} (torrent_size {} in pieces of {} makes "
                                      "{} pieces), got {}",
                                      i + 1, pieces - 1, size_text(s.torrent_size), size_text(s.piece_size), pieces,
                                      s.piece_order[i]));
            break;
        }
    }

    // A custom order is the list; a list means nothing in any other order.
    if (s.pick == bt::pick_order::custom && s.piece_order.empty())
        out.push_back("piece_order: pick \"custom\" needs the pieces to start first (e.g. [3, 1, 2]), got an empty list");
    if (s.pick != bt::pick_order::custom && !s.piece_order.empty())
        out.push_back(fmt::format("piece_order: needs pick \"custom\", got pick \"{}\" (set pick to \"custom\" or "
                                  "clear piece_order)",
                                  to_string(s.pick)));

    // disk_only writes the same files (and is compared with fio --direct=1),
    // so only discard, which writes nothing, cannot honour O_DIRECT.
    if (s.direct && s.storage == storage_mode::discard) {
        out.push_back("direct: needs storage \"files\" or \"disk_only\", got storage \"discard\"");
    } else if (s.direct && s.file_count >= 2 && s.file_count <= s.torrent_size) {
        // Files as the synthetic builder cuts them: the first `extra` files
        // get one byte more. Every file but the last must be 4 KiB-aligned.
        const std::uint64_t base = s.torrent_size / s.file_count;
        const std::uint64_t extra = s.torrent_size % s.file_count;
        std::uint64_t bad = 0;
        if (extra > 0 && (base + 1) % direct_alignment != 0) bad = base + 1;
        else if (extra + 1 < s.file_count && base % direct_alignment != 0) bad = base;
        if (bad != 0) {
            out.push_back(fmt::format(
                "direct: needs every file but the last to be a multiple of 4 KiB; torrent_size {} over "
                "{} files gives files of {}",
                size_text(s.torrent_size), s.file_count, size_text(bad)));
        }
    }

    if (has_seeders && s.base_port != 0 && s.seeders > 0 &&
        std::uint32_t{s.base_port} + s.seeders - 1 > 65535) {
        out.push_back(fmt::format(
            "base_port: must be 0 or 1..{} with {} seeders (seeder i listens on base_port + i), got {}",
            65536 - std::min<std::uint32_t>(s.seeders, 65535), s.seeders, s.base_port));
    }
}

std::string join_lines(const std::vector<std::string>& lines) {
    std::string out;
    for (const std::string& l : lines) {
        if (!out.empty()) out += '\n';
        out += l;
    }
    return out;
}

}  // namespace

template class settings::schema<swarm_scenario>;

// ---------------------------------------------------------------------------
// [SECTION] public functions
// ---------------------------------------------------------------------------

const std::vector<std::string>& scenario_field_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> v;
        for (std::string_view n : scenario_schema().names()) v.emplace_back(n);
        return v;
    }();
    return names;
}

nlohmann::json to_json(const swarm_scenario& s) { return scenario_schema().to_json(s); }

bt::result<swarm_scenario> parse_scenario(std::string_view json_text) {
    nlohmann::json j;
    try {
        // Comments are allowed: a scenario file is something people annotate.
        j = nlohmann::json::parse(json_text, nullptr, true, true);
    } catch (const nlohmann::json::exception& e) {
        return bt::parse_error{settings::syntax_message(json_text, e)};
    }
    return scenario_from_json(j);
}

bt::result<swarm_scenario> scenario_from_json(const nlohmann::json& j) {
    if (!j.is_object())
        return bt::parse_error{fmt::format("scenario: expected a JSON object of fields, got {}", j.type_name())};
    swarm_scenario s;
    std::vector<std::string> problems = scenario_schema().apply_json(s, j);
    if (problems.empty()) problems = validate(s);
    if (!problems.empty()) return bt::parse_error{join_lines(problems)};
    return s;
}

std::optional<std::string> set_scenario_field(swarm_scenario& s, std::string_view field,
                                              std::string_view value) {
    return scenario_schema().set_text(s, field, value);
}

std::vector<std::string> validate(const swarm_scenario& s) {
    std::vector<std::string> out = scenario_schema().check_fields(s);
    check_cross_fields(s, out);
    return out;
}

std::uint64_t total_connections(const swarm_scenario& s) noexcept {
    return std::uint64_t{s.leechers} * s.connections_per_leecher;
}

bool depends_on_clients(const swarm_scenario& s) noexcept {
    return (s.leechers == 0 && !s.upload_to.empty()) || (s.seeders == 0 && !s.connect_to.empty());
}

}  // namespace swarmbench
