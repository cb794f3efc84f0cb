// controls: steering a running swarm from any thread (the app's sliders,
// Python's Controls, a timeline), as commands the run's controller takes.
//
//   set(field, value)  a live field of the scenario schema (one marked
//                      .live() in scenario.cpp: connections per leecher,
//                      pipeline, rate limits, churn) to a value written as in
//                      a scenario file (32, "4MiB"), or null: back to the
//                      scenario's. Checked at once with the field's range.
//   inject(fault)      a drop / corrupt / stall fault.
//   note(text)         a line for results.events ("phase warm-up").
//
// Each command is queued and rings the run (attach); the controller takes
// the queue at that wake-up, applies the changes to its copy of the
// scenario, records each value that changed as a run event ("pipeline 16 ->
// 32") and posts the values in force to the shards, which apply them at
// their next tick. The values are decoded there, once: 0 is "unlimited" for
// a rate as in a scenario file, and nothing else is special.
//
// Thread rules: every member may be called from any thread; a mutex guards
// the queue. One swarm_controls steers one run at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "swarmbench/bt/result.hpp"

namespace swarmbench::settings {
struct field_info;
}  // namespace swarmbench::settings

namespace swarmbench {

/// A fault to inject into a running swarm (swarm_controls::inject).
struct swarm_fault {
    enum class kind_t : std::uint8_t {
        drop,     // close `count` live connections (leecher side), chosen at random;
                  //   each leecher reconnects as after churn. Counted as disconnects.
        corrupt,  // seeders send `count` blocks with one byte flipped; the leecher's
                  //   hash check fails, the piece is re-downloaded, the sender banned
                  //   as for any wrong data. Counted as hash_failures (storage "files"
                  //   only: "discard" checks nothing, "disk_only" has no seeders).
        stall,    // `count` connections, chosen at random, get no block from their
                  //   seeder for `seconds`; their queued requests are served after.
                  //   Leechers do not drop a connection for silence during a stall.
    };
    kind_t kind = kind_t::drop;
    std::uint32_t count = 1;  // 1 .. 100000 (fewer if the swarm has fewer connections)
    double seconds = 0;       // stall: 0.01 .. 3600; ignored otherwise
};
/// "drop", "corrupt", "stall".
const char* to_string(swarm_fault::kind_t k) noexcept;
/// The kind named `name`, or nullopt.
std::optional<swarm_fault::kind_t> fault_kind_from(std::string_view name) noexcept;
/// Why `f` is out of range ("count: must be 1..100000, got 0"), or nullopt.
std::optional<std::string> check_fault(const swarm_fault& f);
/// The names a fault's kind takes: "\"drop\", \"corrupt\" or \"stall\"".
inline constexpr const char* fault_kinds_text = "\"drop\", \"corrupt\" or \"stall\"";
/// A fault's count range, for readers of wider integers (JSON, Python) that
/// must check before narrowing to swarm_fault::count.
inline constexpr std::int64_t fault_count_min = 1, fault_count_max = 100000;
/// "count: must be 1..100000, got <got>".
std::string fault_count_error(std::string_view got);
/// "drop 10 connections", "corrupt 3 blocks", "stall 4 connections for 2 s".
std::string fault_text(const swarm_fault& f);

class swarm_controls {
public:
    /// The live fields, in the schema's order.
    static const std::vector<std::string_view>& names();

    /// A change checked by the schema: the field's own name (dashes become
    /// underscores) and the value as the schema reads it back ("4MiB" is
    /// 4194304; null stays null: the scenario's).
    struct change {
        std::string field;     // a live field
        nlohmann::json value;  // null: the scenario's
    };
    /// Checks a change without queueing it (timelines check theirs when made).
    static bt::result<change> check(std::string_view field, const nlohmann::json& value);
    /// A live field's schema entry; throws std::out_of_range naming the controls otherwise.
    static const settings::field_info& info(std::string_view field);
    /// A value as events and labels show it: "16", "1 MiB/s", "unlimited"
    /// (a rate of 0), "the scenario's" (null).
    static std::string value_text(std::string_view field, const nlohmann::json& value);

    /// Sets a live field (null: back to the scenario's). The error names the
    /// field and its range, or says it is not a control; nothing is queued then.
    std::optional<std::string> set(std::string_view field, const nlohmann::json& value);
    /// The value last set (as the schema reads it back: "4MiB" is 4194304),
    /// or null: the scenario's. Throws std::out_of_range for a field that is not live.
    nlohmann::json get(std::string_view field) const;
    /// Every live field back to the scenario's (a change only where one was set).
    void reset();
    /// Queues a fault; false (nothing queued) when check_fault refuses it.
    bool inject(const swarm_fault& fault);
    /// Queues a line for results.events.
    void note(std::string text);

    /// What the controller takes at a wake-up, in the order it was queued.
    struct command {
        std::string field;                 // a set: the live field ("" for a fault or a note)
        nlohmann::json value;              // its value, null: the scenario's
        std::optional<swarm_fault> fault;  // an injected fault
        std::string note;                  // a line for the events
    };
    /// Takes every queued command (the run's controller).
    std::vector<command> take();
    /// The run's wake-up while it runs (empty: none). Called with the mutex
    /// held, so once attach({}) returns no wake-up is running.
    void attach(std::function<void()> wake);

private:
    void push(command c);  // mutex held

    mutable std::mutex mutex_;
    nlohmann::json requested_ = nlohmann::json::object();  // field -> value set (absent: the scenario's)
    std::vector<command> queue_;                           // not yet taken
    std::function<void()> wake_;                           // rings the run, or empty
};

}  // namespace swarmbench
