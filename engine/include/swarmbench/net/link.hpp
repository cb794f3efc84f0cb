// link: the network between peers, described as classes of access links
// (issue 21): "dsl" with 16 Mbit/s down, 1 Mbit/s up and 40 ms of round
// trip, "fibre", "mobile" with jitter. A scenario's `links` deals its peers
// among the classes by share; the engine emulates each peer's link in user
// space (no root, no netem): a token bucket per direction and a delay line
// per connection (net/token_bucket.hpp, net/delay_line.hpp).
//
// What the classes mean:
//   * `down` and `up` are the peer's access rates, shared by all its
//     connections (a DSL peer's 1 Mbit/s up is the sum of its uploads).
//   * `rtt_ms` is the round trip the peer's access adds: a connection between
//     peers of classes X and Y has a round trip of rtt_X + rtt_Y, half of it
//     each way. A peer without a class adds nothing.
//   * `jitter_ms` spreads each one-way delay (`jitter`: its shape); bytes are
//     never reordered (TCP delivers in order), so a late chunk delays those
//     behind it, as a queue does.
//   * `queue` bounds the bytes one direction of a connection holds (delayed
//     or waiting for the rate) before its sender is back-pressured.
//   * `loss` applies to datagram transports (uTP) only. Over TCP a user-space
//     emulation models delay, rate and queueing; it cannot drop segments the
//     kernel would retransmit, nor shape the congestion window's dynamics.
//
// Thread rules: pure values and functions; any thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "swarmbench/bt/result.hpp"
#include "swarmbench/settings/schema.hpp"

namespace swarmbench {

/// The shape of a one-way delay's spread around its mean.
enum class jitter_shape : std::uint8_t {
    normal,   // mean + N(0, jitter), never below 0
    uniform,  // mean + U(-jitter, +jitter), never below 0
    pareto,   // mean + a Pareto tail (shape 2.5) whose mean is jitter: rare long stalls
};
const char* to_string(jitter_shape s) noexcept;

/// One class of access link.
struct link_class {
    std::string name;                 // "dsl": in results, the peers table and the summary
    double share = 1;                 // of the peers dealt this class; a scenario's shares sum to 1
    std::uint64_t down = 0;           // bytes/s into the peer (0: not limited)
    std::uint64_t up = 0;             // bytes/s out of the peer (0: not limited)
    double rtt_ms = 0;                // round trip the peer's access adds
    double jitter_ms = 0;             // spread of each one-way delay
    jitter_shape jitter = jitter_shape::normal;
    double loss = 0;                  // datagram transports only: share of packets dropped
    std::uint64_t queue = 1u << 20;   // bytes per direction of a connection before its sender waits

    friend bool operator==(const link_class&, const link_class&) = default;
};

/// The class's schema (name, type, unit, range, doc of every field).
const settings::schema<link_class>& link_schema();

/// One class from its JSON object into `out`: every problem, one line each,
/// naming the field ("rtt_ms: must be 0..10000 ms, got -1"); empty when the
/// class is good. The rules between classes (names, shares) are the list's.
std::vector<std::string> read_link_class(const nlohmann::json& object, link_class& out);

/// A scenario's `links`: a JSON array of class objects, each checked
/// through link_schema(), names unique, shares summing to 1. Errors name
/// the entry and the field: "links[2] (mobile): jitter_ms: must be
/// 0..10000, got 20000", "links: the shares sum to 0.9; they must sum to 1".
/// An empty array is no emulation.
bt::result<std::vector<link_class>> links_from_json(const nlohmann::json& v);
/// The same problems for classes already held (one line each).
std::vector<std::string> validate(const std::vector<link_class>& links);
/// As links_from_json reads them back.
nlohmann::json to_json(const std::vector<link_class>& links);

/// Deals `peers` peers among the classes: class counts by largest remainder
/// (a share of 0.5 of 20 peers is exactly 10), then spread over the peer
/// numbers by a shuffle seeded with `seed` (so no thread or host gets one
/// class only). Entry i is peer i's class index. Empty when `links` is.
std::vector<std::uint32_t> deal_links(const std::vector<link_class>& links, std::uint32_t peers,
                                      std::uint64_t seed);

}  // namespace swarmbench
