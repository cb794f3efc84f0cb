// timeline: the plan of timed changes (swarm/timeline.hpp) and its file form.
#include "swarmbench/swarm/timeline.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "swarmbench/log.hpp"
#include "swarmbench/settings/schema.hpp"

namespace swarmbench {

namespace {

using json = nlohmann::json;

std::optional<std::string> check_time(const char* what, double t) {
    if (!std::isfinite(t) || t < 0) return fmt::format("{}: must be 0 or more seconds, got {}", what, t);
    return std::nullopt;
}

std::string set_label(const swarm_controls::change& c) {
    return c.field + " = " + swarm_controls::value_text(c.field, c.value);
}

std::string joined(const std::vector<swarm_controls::change>& sets) {
    std::string out;
    for (const auto& c : sets) out += (out.empty() ? "" : ", ") + set_label(c);
    return out;
}

std::string fault_label(const swarm_fault& f) {
    if (f.kind == swarm_fault::kind_t::stall) return fmt::format("fault stall {} for {} s", f.count, f.seconds);
    return fmt::format("fault {} {}", to_string(f.kind), f.count);
}

}  // namespace

void swarm_timeline::insert(timeline_action a) {
    // After every action at the same time: actions added later apply later.
    auto at = std::upper_bound(actions_.begin(), actions_.end(), a.t_s,
                               [](double t, const timeline_action& x) { return t < x.t_s; });
    actions_.insert(at, std::move(a));
}

swarm_timeline::error swarm_timeline::set(double t, std::string_view field, const json& value) {
    return set(t, {{std::string(field), value}});
}

swarm_timeline::error swarm_timeline::set(double t, const std::vector<std::pair<std::string, json>>& sets) {
    if (auto err = check_time("t", t)) return err;
    std::vector<swarm_controls::change> changes;
    for (const auto& [field, value] : sets) {
        auto c = swarm_controls::check(field, value);
        if (!c) return c.error();
        changes.push_back(std::move(c.value()));
    }
    std::string label = joined(changes);
    insert({t, std::move(changes), std::nullopt, {}, std::move(label)});
    return std::nullopt;
}

swarm_timeline::error swarm_timeline::ramp(std::string_view field, double t0, double t1, const json& from,
                                           const json& to, int steps) {
    if (auto err = check_time("t0", t0)) return err;
    if (auto err = check_time("t1", t1)) return err;
    if (t1 < t0) return fmt::format("t1: must be at least t0 ({}), got {}", t0, t1);
    if (steps < 1 || steps > 10000) return fmt::format("steps: must be 1..10000, got {}", steps);
    auto a = swarm_controls::check(field, from);
    if (!a) return a.error();
    auto b = swarm_controls::check(field, to);
    if (!b) return b.error();
    const std::string& name = a.value().field;
    if (a.value().value.is_null() || b.value().value.is_null())
        return fmt::format("{}: a ramp needs values at both ends, got null", name);
    const settings::field_info& f = swarm_controls::info(name);
    if (f.type == settings::value_type::rate && (a.value().value == 0 || b.value().value == 0))
        return fmt::format("{}: a ramp needs limits at both ends, got 0 (unlimited)", name);
    const double va = a.value().value.get<double>(), vb = b.value().value.get<double>();
    std::vector<timeline_action> made;
    for (int k = 0; k <= steps; ++k) {
        const double share = static_cast<double>(k) / steps;
        const double v = va + share * (vb - va);
        const json value = f.type == settings::value_type::real ? json(v) : json(static_cast<std::uint64_t>(std::llround(v)));
        auto c = swarm_controls::check(name, value);  // between two values in range: in range
        if (!c) return c.error();
        std::string label = set_label(c.value()) + fmt::format(" (ramp {}/{})", k, steps);
        made.push_back({t0 + share * (t1 - t0), {std::move(c.value())}, std::nullopt, {}, std::move(label)});
    }
    for (auto& m : made) insert(std::move(m));
    return std::nullopt;
}

swarm_timeline::error swarm_timeline::fault(double t, const swarm_fault& f) {
    if (auto err = check_time("t", t)) return err;
    if (auto err = check_fault(f)) return err;
    insert({t, {}, f, {}, fault_label(f)});
    return std::nullopt;
}

swarm_timeline::error swarm_timeline::phase(double t, std::string_view name,
                                            const std::vector<std::pair<std::string, json>>& sets) {
    if (auto err = check_time("t", t)) return err;
    if (name.empty()) return std::string("phase: a phase needs a name");
    std::vector<swarm_controls::change> changes;
    for (const auto& [field, value] : sets) {
        auto c = swarm_controls::check(field, value);
        if (!c) return c.error();
        changes.push_back(std::move(c.value()));
    }
    std::string label = "phase " + std::string(name) + (changes.empty() ? "" : ": " + joined(changes));
    insert({t, std::move(changes), std::nullopt, std::string(name), std::move(label)});
    return std::nullopt;
}

std::size_t swarm_timeline::apply_due(swarm_controls& controls, double t_s, std::size_t* next) const {
    std::size_t applied = 0;
    for (; *next < actions_.size() && actions_[*next].t_s <= t_s; ++*next, ++applied) {
        const timeline_action& a = actions_[*next];
        if (!a.phase.empty()) controls.note("phase " + a.phase);
        for (const auto& c : a.sets)
            if (auto err = controls.set(c.field, c.value)) log().error("timeline: {}", *err);  // checked when added
        if (a.fault && !controls.inject(*a.fault)) log().error("timeline: {}: out of range", a.label);
    }
    return applied;
}

// ---------------------------------------------------------------------------
// the file form
// ---------------------------------------------------------------------------

json swarm_timeline::to_json() const {
    json out = json::array();
    for (const timeline_action& a : actions_) {
        json e = {{"t", a.t_s}};
        if (!a.phase.empty()) e["phase"] = a.phase;
        if (!a.sets.empty()) {
            json set = json::object();
            for (const auto& c : a.sets) set[c.field] = c.value;
            e["set"] = std::move(set);
        }
        if (a.fault) {
            json f = {{"kind", to_string(a.fault->kind)}, {"count", a.fault->count}};
            if (a.fault->kind == swarm_fault::kind_t::stall) f["seconds"] = a.fault->seconds;
            e["fault"] = std::move(f);
        }
        out.push_back(std::move(e));
    }
    return out;
}

namespace {

/// "a number", as schema messages name types.
std::string type_of(const json& v) {
    if (v.is_number()) return "a number";
    if (v.is_string()) return "a string";
    if (v.is_boolean()) return "a boolean";
    if (v.is_array()) return "a list";
    if (v.is_object()) return "an object";
    return "null";
}

std::optional<std::string> unknown_key(const json& object, const std::vector<std::string_view>& keys) {
    for (const auto& [key, value] : object.items())
        if (std::find(keys.begin(), keys.end(), key) == keys.end())
            return fmt::format("unknown key \"{}\" (did you mean \"{}\"?)", key, closest_name(key, keys));
    return std::nullopt;
}

swarm_timeline::error read_fault(const json& j, swarm_fault& f) {
    if (!j.is_object()) return "fault: expected an object such as {\"kind\": \"drop\", \"count\": 4}, got " + type_of(j);
    if (auto err = unknown_key(j, {"kind", "count", "seconds"})) return "fault: " + *err;
    const auto kind = j.contains("kind") && j["kind"].is_string() ? fault_kind_from(j["kind"].get<std::string>())
                                                                  : std::nullopt;
    if (!kind) return std::string("fault: kind: must be ") + fault_kinds_text;
    f.kind = *kind;
    const json count = j.value("count", json(1));
    if (!count.is_number_integer() || count.get<std::int64_t>() < fault_count_min ||
        count.get<std::int64_t>() > fault_count_max)
        return "fault: " + fault_count_error(count.dump());
    f.count = count.get<std::uint32_t>();
    const json seconds = j.value("seconds", json(0));
    if (!seconds.is_number()) return "fault: seconds: expected a number, got " + type_of(seconds);
    f.seconds = seconds.get<double>();
    return std::nullopt;
}

swarm_timeline::error read_entry(swarm_timeline& tl, const json& e) {
    if (!e.is_object()) return "expected an object such as {\"t\": 2, \"set\": {\"pipeline\": 32}}, got " + type_of(e);
    if (auto err = unknown_key(e, {"t", "set", "phase", "fault", "ramp", "from", "to", "until", "steps"})) return err;
    if (!e.contains("t") || !e["t"].is_number()) return std::string("t: expected a number of seconds");
    const double t = e["t"].get<double>();
    const int kinds = int(e.contains("set") && !e.contains("phase")) + int(e.contains("phase")) +
                      int(e.contains("fault")) + int(e.contains("ramp"));
    if (kinds != 1) return std::string("expected one of \"set\", \"phase\", \"fault\" or \"ramp\"");
    if (!e.contains("ramp"))
        for (const char* k : {"from", "to", "until", "steps"})
            if (e.contains(k)) return fmt::format("\"{}\" belongs to a ramp", k);
    std::vector<std::pair<std::string, json>> sets;
    if (e.contains("set")) {
        if (!e["set"].is_object() || e["set"].empty())
            return "set: expected an object of controls such as {\"pipeline\": 32}, got " + type_of(e["set"]);
        for (const auto& [field, value] : e["set"].items()) sets.emplace_back(field, value);
    }
    if (e.contains("phase")) {
        if (!e["phase"].is_string()) return "phase: expected a name, got " + type_of(e["phase"]);
        return tl.phase(t, e["phase"].get<std::string>(), sets);
    }
    if (e.contains("fault")) {
        swarm_fault f;
        if (auto err = read_fault(e["fault"], f)) return err;
        if (auto err = check_fault(f)) return "fault: " + *err;  // as read_fault names what it checks
        return tl.fault(t, f);
    }
    if (e.contains("ramp")) {
        if (!e["ramp"].is_string()) return "ramp: expected a control's name, got " + type_of(e["ramp"]);
        for (const char* k : {"from", "to", "until"})
            if (!e.contains(k)) return fmt::format("ramp: \"{}\" is missing", k);
        if (!e["until"].is_number()) return "until: expected a number of seconds, got " + type_of(e["until"]);
        const json steps = e.value("steps", json(10));
        if (!steps.is_number_integer()) return "steps: expected an integer, got " + type_of(steps);
        return tl.ramp(e["ramp"].get<std::string>(), t, e["until"].get<double>(), e["from"], e["to"],
                       static_cast<int>(std::clamp<std::int64_t>(steps.get<std::int64_t>(), -1, 100000)));
    }
    return tl.set(t, sets);
}

}  // namespace

bt::result<swarm_timeline> swarm_timeline::from_json(const json& doc) {
    if (!doc.is_array())
        return bt::parse_error{"a timeline is a JSON array of entries such as {\"t\": 2, \"set\": {\"pipeline\": 32}}, "
                               "got " + type_of(doc)};
    swarm_timeline tl;
    for (std::size_t i = 0; i < doc.size(); ++i) {
        if (auto err = read_entry(tl, doc[i])) {
            const json& e = doc[i];
            const std::string at = e.is_object() && e.contains("t") && e["t"].is_number()
                                       ? fmt::format(" (t = {} s)", e["t"].get<double>())
                                       : "";
            return bt::parse_error{fmt::format("entry {}{}: {}", i + 1, at, *err)};
        }
    }
    return tl;
}

bt::result<swarm_timeline> swarm_timeline::parse(std::string_view text) {
    json doc;
    try {
        doc = json::parse(text);
    } catch (const json::exception& e) {
        return bt::parse_error{settings::syntax_message(text, e)};
    }
    return from_json(doc);
}

}  // namespace swarmbench
