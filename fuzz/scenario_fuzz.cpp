// scenario_fuzz: the scenario parser (swarm/scenario.hpp) on arbitrary text.
//
// The first byte picks the path: JSON through parse_scenario (what
// --scenario FILE and Python take), or "field=value" lines through
// set_scenario_field + validate (what CLI flags and the app's text boxes
// take). Whatever is accepted must survive both round trips: to_json, dumped
// to text and parsed again, gives the same scenario; and each field's JSON
// value written as text and set through set_scenario_field gives it too.
// Neither path may throw.
//
// Thread rules: single-threaded, no state kept between inputs.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "swarmbench/swarm/scenario.hpp"

namespace {

using swarmbench::swarm_scenario;

/// A JSON value as the text a flag takes: strings bare, lists comma-joined,
/// lists of objects (links) as JSON.
std::string as_flag_text(const nlohmann::json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (!v.is_array()) return v.dump();
    if (!v.empty() && v.front().is_object()) return v.dump();  // links: the list's JSON
    std::string out;
    for (const auto& e : v) {
        if (!out.empty()) out += ',';
        out += as_flag_text(e);
    }
    return out;
}

void check_round_trips(const swarm_scenario& s) {
    SWARMBENCH_FUZZ_CHECK(swarmbench::validate(s).empty(), "an accepted scenario does not validate");
    const nlohmann::json j = swarmbench::to_json(s);
    const std::string text = j.dump(2);
    auto again = swarmbench::parse_scenario(text);
    if (!again) std::fprintf(stderr, "to_json text:\n%s\nrefused: %s\n", text.c_str(), again.error().c_str());
    SWARMBENCH_FUZZ_CHECK(again.ok(), "to_json's text does not parse");
    SWARMBENCH_FUZZ_CHECK(again.value() == s, "to_json then parse changed the scenario");

    swarm_scenario by_text;
    for (const auto& [key, value] : j.items()) {
        const std::string flag = as_flag_text(value);
        auto e = swarmbench::set_scenario_field(by_text, key, flag);
        if (e) std::fprintf(stderr, "%s=%s refused: %s\n", key.c_str(), flag.c_str(), e->c_str());
        SWARMBENCH_FUZZ_CHECK(!e, "a to_json value refused as text");
    }
    SWARMBENCH_FUZZ_CHECK(by_text == s, "setting every field from its text changed the scenario");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1 || size > 64 * 1024) return 0;
    const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    if ((data[0] & 1) == 0) {
        auto s = swarmbench::parse_scenario(text);
        if (s) check_round_trips(s.value());
        else SWARMBENCH_FUZZ_CHECK(!s.error().empty(), "a refusal without a reason");
        return 0;
    }
    swarm_scenario s;
    std::string_view rest = text;
    for (int line = 0; line < 256 && !rest.empty(); ++line) {
        const std::size_t nl = rest.find('\n');
        const std::string_view l = rest.substr(0, nl);
        rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
        const std::size_t eq = l.find('=');
        if (eq == std::string_view::npos) continue;
        const swarm_scenario before = s;
        auto e = swarmbench::set_scenario_field(s, l.substr(0, eq), l.substr(eq + 1));
        if (e) SWARMBENCH_FUZZ_CHECK(s == before && !e->empty(), "a refused value changed the scenario");
    }
    if (swarmbench::validate(s).empty()) check_round_trips(s);
    return 0;
}
