// controls: the queue of steering commands (swarm/controls.hpp). The
// controller that takes it lives in swarm.cpp (take_controls).
#include "swarmbench/swarm/controls.hpp"

#include <stdexcept>
#include <utility>

#include <fmt/format.h>

#include "swarmbench/settings/schema.hpp"
#include "swarmbench/swarm/scenario.hpp"

namespace swarmbench {

const char* to_string(swarm_fault::kind_t k) noexcept {
    switch (k) {
        case swarm_fault::kind_t::drop: return "drop";
        case swarm_fault::kind_t::corrupt: return "corrupt";
        case swarm_fault::kind_t::stall: return "stall";
    }
    return "unknown";
}

std::optional<swarm_fault::kind_t> fault_kind_from(std::string_view name) noexcept {
    for (auto k : {swarm_fault::kind_t::drop, swarm_fault::kind_t::corrupt, swarm_fault::kind_t::stall})
        if (name == to_string(k)) return k;
    return std::nullopt;
}

std::string fault_count_error(std::string_view got) {
    return fmt::format("count: must be {}..{}, got {}", fault_count_min, fault_count_max, got);
}

std::optional<std::string> check_fault(const swarm_fault& f) {
    if (static_cast<std::uint8_t>(f.kind) > static_cast<std::uint8_t>(swarm_fault::kind_t::stall))
        return std::string("kind: must be ") + fault_kinds_text;
    if (f.count < fault_count_min || f.count > fault_count_max) return fault_count_error(std::to_string(f.count));
    // Only a stall lasts: the other kinds ignore `seconds`.
    if (f.kind == swarm_fault::kind_t::stall && !(f.seconds >= 0.01 && f.seconds <= 3600))  // NaN fails too
        return fmt::format("seconds: must be 0.01..3600 s for a stall, got {}", f.seconds);
    return std::nullopt;
}

std::string fault_text(const swarm_fault& f) {
    const auto plural = [](std::uint64_t n, const char* one) { return fmt::format("{} {}{}", n, one, n == 1 ? "" : "s"); };
    switch (f.kind) {
        case swarm_fault::kind_t::drop: return "drop " + plural(f.count, "connection");
        case swarm_fault::kind_t::corrupt: return "corrupt " + plural(f.count, "block");
        case swarm_fault::kind_t::stall: return fmt::format("stall {} for {} s", plural(f.count, "connection"), f.seconds);
    }
    return "unknown fault";
}

const std::vector<std::string_view>& swarm_controls::names() {
    static const std::vector<std::string_view> live = [] {
        std::vector<std::string_view> out;
        for (const auto& f : scenario_schema().fields())
            if (f.info.live) out.push_back(f.info.name);
        return out;
    }();
    return live;
}

namespace {

std::string live_list() {
    std::string out;
    for (std::string_view n : swarm_controls::names()) out += (out.empty() ? "" : ", ") + std::string(n);
    return out;
}

/// The field, if it is live; else the error.
const settings::schema<swarm_scenario>::field* live_field(std::string_view name, std::string* why) {
    const auto* f = scenario_schema().find(name);
    if (f != nullptr && f->info.live) return f;
    if (f != nullptr)
        *why = fmt::format("{}: not a control, it cannot change while a run goes on (controls: {})", f->info.name,
                             live_list());
    else
        *why = fmt::format("{}: not a control (did you mean \"{}\"? controls: {})", name,
                             closest_name(name, swarm_controls::names()), live_list());
    return nullptr;
}

}  // namespace

bt::result<swarm_controls::change> swarm_controls::check(std::string_view field, const nlohmann::json& value) {
    std::string why;
    const auto* f = live_field(field, &why);
    if (f == nullptr) return bt::parse_error{why};
    change c{std::string(f->info.name), nullptr};
    if (!value.is_null()) {
        swarm_scenario scratch;  // the field alone: its type and range
        if (auto err = scenario_schema().set(scratch, c.field, value)) return bt::parse_error{*err};
        c.value = scenario_schema().get(scratch, c.field);
    }
    return c;
}

const settings::field_info& swarm_controls::info(std::string_view field) {
    std::string why;
    const auto* f = live_field(field, &why);
    if (f == nullptr) throw std::out_of_range(why);
    return f->info;
}

std::string swarm_controls::value_text(std::string_view field, const nlohmann::json& value) {
    if (value.is_null()) return "the scenario's";
    const settings::field_info& f = info(field);
    if (f.type != settings::value_type::rate) return f.value_text(value);
    return value == 0 ? std::string("unlimited") : f.value_text(value) + "/s";
}

std::optional<std::string> swarm_controls::set(std::string_view field, const nlohmann::json& value) {
    auto checked = check(field, value);
    if (!checked) return checked.error();
    command c{std::move(checked.value().field), std::move(checked.value().value), std::nullopt, {}};
    const std::string& name = c.field;
    std::lock_guard lock(mutex_);
    if (c.value.is_null()) requested_.erase(name);
    else requested_[name] = c.value;
    push(std::move(c));
    return std::nullopt;
}

nlohmann::json swarm_controls::get(std::string_view field) const {
    const std::string name(info(field).name);
    std::lock_guard lock(mutex_);
    const auto it = requested_.find(name);
    return it == requested_.end() ? nlohmann::json() : *it;
}

void swarm_controls::reset() {
    std::lock_guard lock(mutex_);
    for (const auto& [name, value] : requested_.items()) push({name, nullptr, std::nullopt, {}});
    requested_ = nlohmann::json::object();
}

bool swarm_controls::inject(const swarm_fault& fault) {
    if (check_fault(fault)) return false;
    std::lock_guard lock(mutex_);
    push({{}, nullptr, fault, {}});
    return true;
}

void swarm_controls::note(std::string text) {
    std::lock_guard lock(mutex_);
    push({{}, nullptr, std::nullopt, std::move(text)});
}

std::vector<swarm_controls::command> swarm_controls::take() {
    std::lock_guard lock(mutex_);
    return std::exchange(queue_, {});
}

void swarm_controls::attach(std::function<void()> wake) {
    std::lock_guard lock(mutex_);
    wake_ = std::move(wake);
}

void swarm_controls::push(command c) {
    queue_.push_back(std::move(c));
    if (wake_) wake_();
}

}  // namespace swarmbench
