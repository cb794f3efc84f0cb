// timeline: a plan of timed changes to a swarm run. At t seconds of the time
// series' clock: set controls (live fields, controls.hpp), inject a fault,
// or begin a named phase (its controls set together, "phase <name>" in
// results.events). A ramp is a run of sets in equal steps. The run session
// applies each action through the run's swarm_controls right after the first
// sample at or after its time, so a timeline is exact to one sampling
// interval whoever drives the run (the CLI's --timeline, the app, Python).
//
// Every action is checked when it is added (the control's range, the
// fault's), so a plan that was built or parsed runs without a refusal.
//
// The file (`run --timeline FILE`, Python's Timeline.load / to_json): a JSON
// array of entries, each with "t" and one of
//   {"t": 2, "set": {"pipeline": 32, "rate_limit": "4MiB"}}
//   {"t": 0, "phase": "warm-up", "set": {"pipeline": 8}}      ("set" optional)
//   {"t": 4, "fault": {"kind": "stall", "count": 4, "seconds": 2}}
//   {"t": 5, "ramp": "connections_per_leecher", "from": 4, "to": 64,
//    "until": 15, "steps": 6}
// A value of null sets a control back to the scenario's.
//
// Thread rules: a plain value; build it on one thread, copy freely.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "swarmbench/bt/result.hpp"
#include "swarmbench/swarm/controls.hpp"

namespace swarmbench {

/// One timed action.
struct timeline_action {
    double t_s = 0;                               // when, on the time series' clock
    std::vector<swarm_controls::change> sets;     // applied in order
    std::optional<swarm_fault> fault;             // injected after the sets
    std::string phase;                            // a phase's name ("" : none)
    std::string label;                            // "pipeline = 32", "phase warm-up: pipeline = 8", "fault drop 4"
};

class swarm_timeline {
public:
    using error = std::optional<std::string>;

    /// At t, set `field` to `value` (null: the scenario's).
    error set(double t, std::string_view field, const nlohmann::json& value);
    /// At t, set these (field, value) together, in order.
    error set(double t, const std::vector<std::pair<std::string, nlohmann::json>>& sets);
    /// From t0 to t1, `field` from `from` to `to` in `steps` equal steps
    /// (steps + 1 sets; counts are rounded). Both ends must be values, and a
    /// rate's ends limits (0 is unlimited).
    error ramp(std::string_view field, double t0, double t1, const nlohmann::json& from, const nlohmann::json& to,
               int steps);
    /// At t, inject `f`.
    error fault(double t, const swarm_fault& f);
    /// At t, phase `name` begins with these sets (field, value), in order.
    error phase(double t, std::string_view name,
                const std::vector<std::pair<std::string, nlohmann::json>>& sets);
    void clear() noexcept { actions_.clear(); }

    /// In the order they apply (by time; those at one time as added).
    const std::vector<timeline_action>& actions() const noexcept { return actions_; }
    bool empty() const noexcept { return actions_.empty(); }
    /// The last action's time (0 when empty).
    double end_s() const noexcept { return actions_.empty() ? 0 : actions_.back().t_s; }

    /// The file form: one entry per action (a ramp as its sets).
    nlohmann::json to_json() const;
    /// Reads the file form; the error names the entry and what is wrong
    /// ("entry 3 (t = 4 s): pipeline: must be 1..2048, got 0").
    static bt::result<swarm_timeline> from_json(const nlohmann::json& doc);
    /// Parses JSON text (a file's), with the parser's line and column on a syntax error.
    static bt::result<swarm_timeline> parse(std::string_view text);

    /// Hands the actions at or before `t_s`, from `*next` on, to `controls`
    /// (phases as notes), advancing `*next`. Returns how many.
    std::size_t apply_due(swarm_controls& controls, double t_s, std::size_t* next) const;

private:
    void insert(timeline_action a);

    std::vector<timeline_action> actions_;  // sorted by t_s (stable)
};

}  // namespace swarmbench
