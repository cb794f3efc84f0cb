// link: the access-link classes' schema table, the `links` list read and
// checked entry by entry, and the dealing of peers among the classes.
#include "swarmbench/net/link.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <fmt/format.h>

#include "../settings/field_codec.hpp"
#include "swarmbench/splitmix.hpp"

namespace swarmbench {

const char* to_string(jitter_shape s) noexcept {
    switch (s) {
        case jitter_shape::normal: return "normal";
        case jitter_shape::uniform: return "uniform";
        case jitter_shape::pareto: return "pareto";
    }
    return "unknown";
}

const settings::schema<link_class>& link_schema() {
    using settings::detail::field;
    using F = settings::field_info;
    using T = settings::value_type;
    using L = link_class;
    // Rates from 1 KiB/s to 16 GiB/s (137 Gbit/s; token_bucket's arithmetic
    // holds below 18 GB/s); 0 is the default, "not limited", and only a class
    // that leaves the field out gets it (links_from_json).
    constexpr double min_rate = 1024, max_rate = double(16ull << 30);
    static const settings::schema<link_class> table({
        field<&L::name>(F("name", T::text, "links", "The class's name, in results, the peers table and the summary.")),
        field<&L::share>(F("share", T::real, "links", "Share of the peers dealt this class (all shares sum to 1).")
                             .range(0, 1)),
        field<&L::down>(F("down", T::rate, "links", "Download rate of each peer of the class (leave out: not limited).")
                            .range(min_rate, max_rate).or_zero().in("B/s")),
        field<&L::up>(F("up", T::rate, "links", "Upload rate of each peer of the class (leave out: not limited).")
                          .range(min_rate, max_rate).or_zero().in("B/s")),
        field<&L::rtt_ms>(F("rtt_ms", T::real, "links",
                            "Round trip the peer's access adds (peers of classes X and Y: rtt_X + rtt_Y).")
                              .range(0, 10000).in("ms")),
        field<&L::jitter_ms>(F("jitter_ms", T::real, "links", "Spread of each one-way delay (never reorders bytes).")
                                 .range(0, 10000).in("ms")),
        field<&L::jitter>(F("jitter", T::choice, "links", "Shape of the spread: normal, uniform, or a pareto tail.")
                              .one_of({to_string(jitter_shape::normal), to_string(jitter_shape::uniform),
                                      to_string(jitter_shape::pareto)})),
        field<&L::loss>(F("loss", T::real, "links",
                          "Share of packets dropped, datagram transports (uTP) only: TCP's are the kernel's.")
                            .range(0, 0.5)),
        field<&L::queue>(F("queue", T::size, "links",
                           "Bytes one direction of a connection holds before its sender waits.")
                             .range(16 * 1024, double(1ull << 30)).in("B")),
    });
    return table;
}

template class settings::schema<link_class>;

namespace {

constexpr const char* nameless = "name: every class needs one";

std::string entry_prefix(std::size_t i, const std::string& name) {
    return name.empty() ? fmt::format("links[{}]", i + 1) : fmt::format("links[{}] ({})", i + 1, name);
}

/// The problems of the list as a whole: names, shares.
void check_list(const std::vector<link_class>& links, std::vector<std::string>& out) {
    if (links.empty()) return;
    double sum = 0;
    for (std::size_t i = 0; i < links.size(); ++i) {
        sum += links[i].share;
        if (links[i].name.empty()) out.push_back(entry_prefix(i, {}) + ": " + nameless);
        for (std::size_t k = 0; k < i; ++k)
            if (!links[i].name.empty() && links[k].name == links[i].name)
                out.push_back(fmt::format("{}: name: \"{}\" is also links[{}]'s", entry_prefix(i, links[i].name),
                                          links[i].name, k + 1));
    }
    if (std::fabs(sum - 1.0) > 1e-6)
        out.push_back(fmt::format("links: the shares sum to {}; they must sum to 1", settings::detail::real_text(sum)));
}

}  // namespace

std::vector<std::string> validate(const std::vector<link_class>& links) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < links.size(); ++i)
        for (auto& e : link_schema().check_fields(links[i])) out.push_back(entry_prefix(i, links[i].name) + ": " + e);
    check_list(links, out);
    return out;
}

std::vector<std::string> read_link_class(const nlohmann::json& object, link_class& out) {
    out = link_class{};
    std::vector<std::string> problems = link_schema().apply_json(out, object);
    const std::size_t refused = problems.size();
    for (auto& e : link_schema().check_fields(out)) problems.push_back(std::move(e));
    if (out.name.empty()) problems.emplace_back(nameless);
    // 0 is how a class says "not limited" by leaving the rate out; written
    // out, it is a link that carries nothing. (A rate refused above is not 0.)
    auto was_refused = [&](std::string_view field) {
        return std::any_of(problems.begin(), problems.begin() + static_cast<std::ptrdiff_t>(refused),
                           [&](const std::string& e) {
                               return e.size() > field.size() && e.compare(0, field.size(), field) == 0 &&
                                      e[field.size()] == ':';
                           });
    };
    for (const char* rate : {"down", "up"})
        if (object.contains(rate) && !was_refused(rate) && link_schema().get(out, rate) == 0)
            problems.push_back(fmt::format("{}: must be {}..{} (leave it out for no limit), got 0", rate,
                                           settings::detail::size_text(std::uint64_t(link_schema().find(rate)->info.lo)),
                                           settings::detail::size_text(std::uint64_t(link_schema().find(rate)->info.hi))));
    return problems;
}

bt::result<std::vector<link_class>> links_from_json(const nlohmann::json& v) {
    if (!v.is_array())
        return bt::parse_error{fmt::format("links: expected a list of classes ([{{\"name\": \"dsl\", ...}}]), got {}",
                                           v.type_name())};
    std::vector<link_class> links;
    std::vector<std::string> out;
    for (std::size_t i = 0; i < v.size(); ++i) {
        const nlohmann::json& o = v[i];
        if (!o.is_object()) {
            out.push_back(fmt::format("links[{}]: expected an object such as {{\"name\": \"dsl\", \"share\": 0.5, "
                                      "\"down\": \"16Mbit\", \"up\": \"1Mbit\", \"rtt_ms\": 40}}, got {}",
                                      i + 1, o.type_name()));
            continue;
        }
        link_class c;
        const std::string name = o.contains("name") && o["name"].is_string() ? o["name"].get<std::string>() : "";
        for (auto& e : read_link_class(o, c)) out.push_back(entry_prefix(i, name) + ": " + e);
        links.push_back(std::move(c));
    }
    if (out.empty()) check_list(links, out);
    if (!out.empty()) {
        std::string all;
        for (const auto& line : out) all += (all.empty() ? "" : "\n") + line;
        return bt::parse_error{all};
    }
    return links;
}

nlohmann::json to_json(const std::vector<link_class>& links) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& c : links) {
        nlohmann::json o = link_schema().to_json(c);
        for (const char* rate : {"down", "up"})  // not limited: left out, as written
            if (o[rate] == 0) o.erase(rate);
        out.push_back(std::move(o));
    }
    return out;
}

std::vector<std::uint32_t> deal_links(const std::vector<link_class>& links, std::uint32_t peers, std::uint64_t seed) {
    std::vector<std::uint32_t> out;
    if (links.empty()) return out;
    // Largest remainder: each class its whole share, then one more to the
    // largest fractions (the earlier class on a tie) until every peer has one.
    std::vector<std::uint32_t> count(links.size());
    std::vector<double> frac(links.size());
    std::uint64_t dealt = 0;
    for (std::size_t i = 0; i < links.size(); ++i) {
        const double exact = links[i].share * peers;
        count[i] = static_cast<std::uint32_t>(std::floor(exact));
        frac[i] = exact - count[i];
        dealt += count[i];
    }
    std::vector<std::size_t> by_frac(links.size());
    std::iota(by_frac.begin(), by_frac.end(), std::size_t{0});
    std::stable_sort(by_frac.begin(), by_frac.end(), [&](std::size_t a, std::size_t b) { return frac[a] > frac[b]; });
    for (std::size_t k = 0; dealt < peers; k = (k + 1) % links.size(), ++dealt) ++count[by_frac[k]];
    while (dealt > peers) {  // shares summing a hair over 1
        auto most = std::max_element(count.begin(), count.end());
        --*most;
        --dealt;
    }
    out.reserve(peers);
    for (std::size_t i = 0; i < links.size(); ++i) out.insert(out.end(), count[i], static_cast<std::uint32_t>(i));
    // Fisher-Yates with splitmix64 (the same deal on every platform).
    std::uint64_t state = seed;
    for (std::size_t i = out.size(); i > 1; --i) std::swap(out[i - 1], out[splitmix64(state) % i]);
    return out;
}

}  // namespace swarmbench
