#include "scenario_form.hpp"

#include <cmath>
#include <cstdint>

namespace swarmbench::gui {

namespace {

const std::string empty_string;

/// 67108864 -> "64MiB"; sizes keep a unit the parser reads back.
std::string compact_size(std::uint64_t v) {
    constexpr std::uint64_t KiB = 1024, MiB = KiB * 1024, GiB = MiB * 1024, TiB = GiB * 1024;
    if (v == 0) return "0";
    if (v % TiB == 0) return std::to_string(v / TiB) + "TiB";
    if (v % GiB == 0) return std::to_string(v / GiB) + "GiB";
    if (v % MiB == 0) return std::to_string(v / MiB) + "MiB";
    if (v % KiB == 0) return std::to_string(v / KiB) + "KiB";
    return std::to_string(v);
}

bool is_size_field(const std::string& f) {
    return f == "torrent_size" || f == "piece_size" || f == "rate_limit" || f == "slow_rate";
}

}  // namespace

scenario_form::scenario_form() : names_(scenario_field_names()) { reset(swarm_scenario{}); }

void scenario_form::reset(const swarm_scenario& s) {
    scenario_ = s;
    text_.clear();
    parse_errors_.clear();
    for (const auto& f : names_) text_[f] = format(s, f);
    revalidate();
}

void scenario_form::edit(const std::string& field, const std::string& text) {
    text_[field] = text;
    swarm_scenario next = scenario_;
    if (auto err = set_scenario_field(next, field, text)) {
        parse_errors_[field] = *err;
    } else {
        parse_errors_.erase(field);
        scenario_ = next;
    }
    revalidate();
}

void scenario_form::revalidate() {
    errors_ = parse_errors_;
    general_.clear();
    for (const std::string& problem : validate(scenario_)) {
        const auto colon = problem.find(':');
        const std::string field = colon == std::string::npos ? std::string() : problem.substr(0, colon);
        if (text_.count(field) != 0) {
            if (errors_.count(field) == 0) errors_[field] = problem;
        } else {
            general_.push_back(problem);
        }
    }
    error_count_ = errors_.size();
}

const std::string& scenario_form::text(const std::string& field) const {
    auto it = text_.find(field);
    return it == text_.end() ? empty_string : it->second;
}

const std::string& scenario_form::error(const std::string& field) const {
    auto it = errors_.find(field);
    return it == errors_.end() ? empty_string : it->second;
}

field_widget scenario_form::widget(const std::string& field) {
    static const swarm_scenario defaults;
    static const nlohmann::json j = to_json(defaults);
    if (!choices(field).empty()) return field_widget::choice;
    if (j.contains(field) && j[field].is_boolean()) return field_widget::check;
    return field_widget::text;
}

const std::vector<std::string>& scenario_form::choices(const std::string& field) {
    static const std::vector<std::string> none;
    static const std::vector<std::string> pick = {"rarest_first", "sequential", "random", "custom"};
    static const std::vector<std::string> storage = {"files", "discard", "disk_only"};
    static const std::vector<std::string> backend = {"auto", "io_uring", "epoll"};
    if (field == "pick") return pick;
    if (field == "storage") return storage;
    if (field == "backend") return backend;
    return none;
}

std::string scenario_form::format(const swarm_scenario& s, const std::string& field) {
    const nlohmann::json j = to_json(s);
    if (!j.contains(field)) return {};
    const nlohmann::json& v = j[field];
    if (v.is_string()) return v.get<std::string>();
    if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
    if (v.is_array()) {
        std::string out;
        for (const auto& e : v) {
            if (!out.empty()) out += ",";
            out += e.is_string() ? e.get<std::string>() : e.dump();
        }
        return out;
    }
    if (v.is_number_unsigned() && is_size_field(field)) return compact_size(v.get<std::uint64_t>());
    if (v.is_number_float()) {
        const double d = v.get<double>();
        if (std::floor(d) == d && std::fabs(d) < 1e15) return std::to_string(static_cast<long long>(d));
        return v.dump();
    }
    return v.dump();
}

}  // namespace swarmbench::gui
