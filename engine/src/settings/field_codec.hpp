// field_codec: the typed half of the settings schema. codec<T> turns a
// member of type T into JSON and back (type and syntax checked); field<M>()
// makes a schema entry for the member pointer M; schema<C>'s members are
// defined here, and each table's .cpp instantiates them for its struct
// (`template class schema<swarm_scenario>;`).
//
// Thread rules: pure functions; any thread.
#pragma once

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <cmath>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include <fmt/format.h>

#include "schema_values.hpp"
#include "swarmbench/endpoint.hpp"
#include "swarmbench/net/link.hpp"
#include "swarmbench/units.hpp"

namespace swarmbench::settings::detail {

// ---------------------------------------------------------------------------
// [SECTION] codecs: one per member type
// ---------------------------------------------------------------------------

/// Reads a JSON integer (or a whole float, or for a size a string with a
/// unit) as sign and magnitude.
inline error read_integer(const field_info& f, const nlohmann::json& v, bool& negative, std::uint64_t& mag) {
    negative = false;
    if (v.is_number_unsigned()) {
        mag = v.get<std::uint64_t>();
        return std::nullopt;
    }
    if (v.is_number_integer()) {
        const std::int64_t i = v.get<std::int64_t>();
        negative = i < 0;
        mag = negative ? std::uint64_t(-(i + 1)) + 1 : std::uint64_t(i);  // no overflow at INT64_MIN
        return std::nullopt;
    }
    if (v.is_number_float()) {
        // 1e9 is a float to a JSON parser; accept it when it is a whole number.
        const double d = v.get<double>();
        if (!(std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 18446744073709551616.0))
            return fmt::format("{}: expected {}, got {}", f.name, f.expected_text(), v.dump());
        negative = d < 0;
        mag = static_cast<std::uint64_t>(std::fabs(d));
        return std::nullopt;
    }
    if (v.is_string() && (f.type == value_type::size || f.type == value_type::rate)) {
        auto bytes = parse_bytes(f, v.get_ref<const std::string&>());
        if (!bytes) return bytes.error();
        mag = bytes.value();
        return std::nullopt;
    }
    return type_error(f, v);
}

template <class T, class = void>
struct codec;

template <class T>
struct codec<T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>>> {
    static nlohmann::json to_json(T v) { return v; }
    static error from_json(const field_info& f, const nlohmann::json& v, T& out) {
        bool negative = false;
        std::uint64_t mag = 0;
        if (auto e = read_integer(f, v, negative, mag)) return e;
        if (negative && mag != 0) return range_error(f, fmt::format("-{}", mag));
        if (mag > std::numeric_limits<T>::max()) return range_error(f, integer_text(f, mag));
        out = static_cast<T>(mag);
        return std::nullopt;
    }
};

template <>
struct codec<std::chrono::milliseconds> {
    static nlohmann::json to_json(std::chrono::milliseconds v) { return static_cast<std::uint64_t>(v.count()); }
    static error from_json(const field_info& f, const nlohmann::json& v, std::chrono::milliseconds& out) {
        std::uint32_t ms = 0;
        if (auto e = codec<std::uint32_t>::from_json(f, v, ms)) return e;
        out = std::chrono::milliseconds(ms);
        return std::nullopt;
    }
};

template <>
struct codec<double> {
    static nlohmann::json to_json(double v) { return v; }
    static error from_json(const field_info& f, const nlohmann::json& v, double& out) {
        if (!v.is_number()) return type_error(f, v);
        out = v.get<double>();
        return std::nullopt;
    }
};

template <>
struct codec<bool> {
    static nlohmann::json to_json(bool v) { return v; }
    static error from_json(const field_info& f, const nlohmann::json& v, bool& out) {
        if (!v.is_boolean()) return type_error(f, v);
        out = v.get<bool>();
        return std::nullopt;
    }
};

template <>
struct codec<std::string> {
    static nlohmann::json to_json(const std::string& v) { return v; }
    static error from_json(const field_info& f, const nlohmann::json& v, std::string& out) {
        if (!v.is_string()) return type_error(f, v);
        out = v.get<std::string>();
        return std::nullopt;
    }
};

/// Enums whose values are 0..n-1 in the order of the field's `choices`
/// (to JSON: field() names the value from the choices).
template <class E>
struct codec<E, std::enable_if_t<std::is_enum_v<E>>> {
    static error from_json(const field_info& f, const nlohmann::json& v, E& out) {
        if (!v.is_string()) return type_error(f, v);
        const auto& name = v.get_ref<const std::string&>();
        for (std::size_t i = 0; i < f.choices.size(); ++i) {
            if (f.choices[i] != name) continue;
            out = static_cast<E>(i);
            return std::nullopt;
        }
        return choice_error(f, name);
    }
};

template <>
struct codec<endpoint> {
    static nlohmann::json to_json(const endpoint& v) { return v.valid() ? v.to_string() : std::string(); }
    static error from_json(const field_info& f, const nlohmann::json& v, endpoint& out) {
        if (!v.is_string()) return type_error(f, v);
        const auto& text = v.get_ref<const std::string&>();
        if (text.empty()) {
            out = endpoint{};
            return std::nullopt;
        }
        std::error_code ec;
        const endpoint ep = endpoint::parse(text, ec);
        if (ec) return endpoint_error(f, 0, text);
        out = ep;
        return std::nullopt;
    }
};

template <>
struct codec<std::vector<endpoint>> {
    static nlohmann::json to_json(const std::vector<endpoint>& v) {
        nlohmann::json list = nlohmann::json::array();
        for (const endpoint& ep : v) list.push_back(ep.to_string());
        return list;
    }
    static error from_json(const field_info& f, const nlohmann::json& v, std::vector<endpoint>& out) {
        if (!v.is_array()) return type_error(f, v);
        std::vector<endpoint> list;
        for (std::size_t i = 0; i < v.size(); ++i) {
            if (!v[i].is_string())
                return fmt::format("{}: entry {} must be a \"HOST:PORT\" string, got {}", f.name, i + 1,
                                   v[i].type_name());
            std::error_code ec;
            const endpoint ep = endpoint::parse(v[i].get_ref<const std::string&>(), ec);
            if (ec) return endpoint_error(f, i, v[i].get_ref<const std::string&>());
            list.push_back(ep);
        }
        out = std::move(list);
        return std::nullopt;
    }
};

template <>
struct codec<std::vector<std::uint32_t>> {
    static nlohmann::json to_json(const std::vector<std::uint32_t>& v) { return v; }
    static error from_json(const field_info& f, const nlohmann::json& v, std::vector<std::uint32_t>& out) {
        if (!v.is_array()) return type_error(f, v);
        std::vector<std::uint32_t> list;
        list.reserve(v.size());
        for (std::size_t i = 0; i < v.size(); ++i) {
            const nlohmann::json& e = v[i];
            const bool whole = e.is_number_unsigned() || (e.is_number_integer() && e.get<std::int64_t>() >= 0) ||
                               (e.is_number_float() && e.get<double>() >= 0 &&
                                std::floor(e.get<double>()) == e.get<double>());
            if (!whole || e.get<double>() > double(std::numeric_limits<std::uint32_t>::max()))
                return piece_entry_error(f, i, e.dump());
            list.push_back(static_cast<std::uint32_t>(e.get<double>()));
        }
        out = std::move(list);
        return std::nullopt;
    }
};

template <>
struct codec<std::vector<link_class>> {
    static nlohmann::json to_json(const std::vector<link_class>& v) { return swarmbench::to_json(v); }
    static error from_json(const field_info& f, const nlohmann::json& v, std::vector<link_class>& out) {
        if (!v.is_array()) return type_error(f, v);
        auto links = links_from_json(v);  // its messages name the field: "links[2] (mobile): rtt_ms: ..."
        if (!links) return links.error();
        out = std::move(links.value());
        return std::nullopt;
    }
};

// ---------------------------------------------------------------------------
// [SECTION] a table entry from a member pointer
// ---------------------------------------------------------------------------

template <class M>
struct member_of;
template <class C, class T>
struct member_of<T C::*> {
    using owner = C;
    using type = T;
};

/// The schema entry of member `M` (e.g. `&swarm_scenario::pipeline`),
/// described by `info`, with an optional extra `check`.
template <auto M>
auto field(field_info info, error (*check)(const field_info&, const nlohmann::json&) = nullptr) {
    using C = typename member_of<decltype(M)>::owner;
    using T = typename member_of<decltype(M)>::type;
    typename schema<C>::field f;
    f.info = std::move(info);
    f.get = [](const C& c, const field_info& fi) -> nlohmann::json {
        if constexpr (std::is_enum_v<T>) {
            const auto i = static_cast<std::size_t>(c.*M);
            return i < fi.choices.size() ? std::string(fi.choices[i]) : std::string("unknown");
        } else {
            (void)fi;
            return codec<T>::to_json(c.*M);
        }
    };
    f.set = [](C& c, const field_info& fi, const nlohmann::json& v) -> error {
        T value{};
        if (auto e = codec<T>::from_json(fi, v, value)) return e;
        c.*M = std::move(value);
        return std::nullopt;
    };
    f.check = check;
    return f;
}

}  // namespace swarmbench::settings::detail

namespace swarmbench::settings {

// ---------------------------------------------------------------------------
// [SECTION] schema<C>, instantiated by each table's .cpp
// ---------------------------------------------------------------------------

template <class C>
std::vector<std::string_view> schema<C>::names() const {
    std::vector<std::string_view> out;
    out.reserve(fields_.size());
    for (const field& f : fields_) out.push_back(f.info.name);
    return out;
}

template <class C>
const typename schema<C>::field* schema<C>::find(std::string_view name) const {
    std::string key(name);
    std::replace(key.begin(), key.end(), '-', '_');
    for (const field& f : fields_)
        if (f.info.name == key) return &f;
    return nullptr;
}

template <class C>
std::string schema<C>::unknown(std::string_view name) const {
    return fmt::format("{}: unknown field (did you mean \"{}\"?)", name, closest_name(name, names()));
}

template <class C>
nlohmann::json schema<C>::get(const C& c, std::string_view name) const {
    const field* f = find(name);
    if (f == nullptr) throw std::out_of_range(unknown(name));
    return f->get(c, f->info);
}

template <class C>
error schema<C>::set(C& c, std::string_view name, const nlohmann::json& v) const {
    const field* f = find(name);
    if (f == nullptr) return unknown(name);
    C next = c;  // `c` stays unchanged when the value is refused
    if (auto e = f->set(next, f->info, v)) return e;
    const nlohmann::json stored = f->get(next, f->info);
    if (auto e = detail::check_range(f->info, stored)) return e;
    if (f->check != nullptr)
        if (auto e = f->check(f->info, stored)) return e;
    c = std::move(next);
    return std::nullopt;
}

template <class C>
error schema<C>::set_text(C& c, std::string_view name, std::string_view text) const {
    const field* f = find(name);
    if (f == nullptr) return unknown(name);
    nlohmann::json v;
    if (auto e = detail::text_to_json(f->info, text, v)) return e;
    return set(c, name, v);
}

template <class C>
bool schema<C>::accepts(const field_info& f, const nlohmann::json& v) {
    switch (f.type) {
        case value_type::count:
        case value_type::any_u64: return v.is_number_integer() || v.is_number_unsigned();
        case value_type::size:
        case value_type::rate: return v.is_number_integer() || v.is_number_unsigned() || v.is_string();
        case value_type::real: return v.is_number();
        case value_type::flag: return v.is_boolean();
        case value_type::text:
        case value_type::choice:
        case value_type::endpoint: return v.is_string();
        case value_type::endpoints:
            return v.is_array() && std::all_of(v.begin(), v.end(), [](const auto& e) { return e.is_string(); });
        case value_type::pieces:
            return v.is_array() && std::all_of(v.begin(), v.end(), [](const auto& e) {
                       return e.is_number_integer() || e.is_number_unsigned();
                   });
        case value_type::links:
            return v.is_array() && std::all_of(v.begin(), v.end(), [](const auto& e) { return e.is_object(); });
    }
    return false;
}

template <class C>
std::vector<std::string> schema<C>::check_fields(const C& c) const {
    std::vector<std::string> out;
    for (const field& f : fields_) {
        const nlohmann::json v = f.get(c, f.info);
        if (auto e = detail::check_range(f.info, v)) out.push_back(std::move(*e));
        else if (f.check != nullptr)
            if (auto e2 = f.check(f.info, v)) out.push_back(std::move(*e2));
    }
    return out;
}

template <class C>
nlohmann::json schema<C>::to_json(const C& c) const {
    nlohmann::json j = nlohmann::json::object();
    for (const field& f : fields_) j[std::string(f.info.name)] = f.get(c, f.info);
    return j;
}

template <class C>
const nlohmann::json& schema<C>::defaults() const {
    // One per schema object (a table is a function-local static: built once).
    static const nlohmann::json d = to_json(C{});
    return d;
}

template <class C>
std::vector<std::string> schema<C>::apply_json(C& c, const nlohmann::json& object) const {
    std::vector<std::string> problems;
    for (const auto& [key, value] : object.items()) {
        const field* f = find(key);
        if (f == nullptr || key.find('-') != std::string::npos) {
            problems.push_back(unknown(key));
            continue;
        }
        // Types and syntax now; ranges and checks are check_fields' (every
        // key read first, as a scenario file's problems are listed).
        if (auto e = f->set(c, f->info, value)) problems.push_back(std::move(*e));
    }
    return problems;
}

}  // namespace swarmbench::settings

