#include "settings_form.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>

#include "swarmbench/backend.hpp"

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

using settings::schema_of;

template <class C>
const settings::field_info* info_of(const std::string& field) {
    const auto* f = schema_of<C>().find(field);
    return f == nullptr ? nullptr : &f->info;
}

}  // namespace

template <class C>
settings_form<C>::settings_form(const C& initial, std::vector<std::string> hidden) {
    for (std::string_view n : schema_of<C>().names())
        if (std::find(hidden.begin(), hidden.end(), n) == hidden.end()) names_.emplace_back(n);
    reset(initial);
}

template <class C>
void settings_form<C>::reset(const C& c) {
    value_ = c;
    reset_json_ = schema_of<C>().to_json(c);
    edited_ = false;
    text_.clear();
    parse_errors_.clear();
    for (const auto& f : names_) text_[f] = format(c, f);
    revalidate();
}

template <class C>
void settings_form<C>::edit(const std::string& field, const std::string& text) {
    text_[field] = text;
    C next = value_;
    if (auto err = schema_of<C>().set_text(next, field, text)) {
        parse_errors_[field] = *err;
    } else {
        parse_errors_.erase(field);
        value_ = next;
    }
    // A field typed back to what was loaded is not an edit; a text that does
    // not parse is (the form no longer shows what was loaded).
    edited_ = !parse_errors_.empty() || schema_of<C>().to_json(value_) != reset_json_;
    revalidate();
}

template <class C>
void settings_form<C>::revalidate() {
    errors_ = parse_errors_;
    general_.clear();
    for (const std::string& problem : validate(value_)) {
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

template <class C>
const std::string& settings_form<C>::text(const std::string& field) const {
    auto it = text_.find(field);
    return it == text_.end() ? empty_string : it->second;
}

template <class C>
const std::string& settings_form<C>::error(const std::string& field) const {
    auto it = errors_.find(field);
    return it == errors_.end() ? empty_string : it->second;
}

template <class C>
field_widget settings_form<C>::widget(const std::string& field) {
    const settings::field_info* f = info_of<C>(field);
    if (f == nullptr) return field_widget::text;
    if (f->type == settings::value_type::choice) return field_widget::choice;
    if (f->type == settings::value_type::flag) return field_widget::check;
    return field_widget::text;
}

template <class C>
const std::vector<std::string>& settings_form<C>::choices(const std::string& field) {
    // From the schema, once per field; backends: "auto" and those that run here.
    static const std::map<std::string, std::vector<std::string>> table = [] {
        std::map<std::string, std::vector<std::string>> out;
        for (const auto& f : schema_of<C>().fields()) {
            if (f.info.type != settings::value_type::choice) continue;
            std::vector<std::string>& names = out[std::string(f.info.name)];
            if (f.info.name == "backend") {
                names.emplace_back("auto");
                for (backend_kind k : available_backends()) names.emplace_back(to_string(k));
                continue;
            }
            for (std::string_view c : f.info.choices) names.emplace_back(c);
        }
        return out;
    }();
    static const std::vector<std::string> none;
    auto it = table.find(field);
    return it == table.end() ? none : it->second;
}

template <class C>
std::string settings_form<C>::tooltip(const std::string& field) {
    const settings::field_info* f = info_of<C>(field);
    if (f == nullptr) return {};
    std::string out(f->doc);
    if (const std::string range = f->range_text(); !range.empty() && f->type != settings::value_type::any_u64)
        out += "\n" + std::string(f->type == settings::value_type::choice ? "One of: " : "Range: ") + range;
    if (!f->unit.empty()) out += "\nUnit: " + std::string(f->unit);
    out += "\nDefault: " + f->value_text(schema_of<C>().defaults().at(field));
    out += "\nFlag: " + f->cli_flag();
    return out;
}

template <class C>
std::string settings_form<C>::group(const std::string& field) {
    const settings::field_info* f = info_of<C>(field);
    return f == nullptr ? std::string() : std::string(f->group);
}

template <class C>
std::string settings_form<C>::format(const C& c, const std::string& field) {
    const settings::field_info* f = info_of<C>(field);
    if (f == nullptr) return {};
    const nlohmann::json v = schema_of<C>().get(c, field);
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
    const bool size = f->type == settings::value_type::size || f->type == settings::value_type::rate;
    if (v.is_number_unsigned() && size) return compact_size(v.get<std::uint64_t>());
    if (v.is_number_float()) {
        const double d = v.get<double>();
        if (std::floor(d) == d && std::fabs(d) < 1e15) return std::to_string(static_cast<long long>(d));
        return v.dump();
    }
    return v.dump();
}

template class settings_form<swarm_scenario>;
template class settings_form<stream_config>;
template class settings_form<disk_config>;

}  // namespace swarmbench::gui
