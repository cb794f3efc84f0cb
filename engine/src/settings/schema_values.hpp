// schema_values: what the schema knows about values without knowing the
// settings struct (schema.cpp): messages, ranges, text read into JSON. The
// typed half (field_codec.hpp) and the tables use it.
//
// Thread rules: pure functions; any thread.
#pragma once

#include "swarmbench/bt/result.hpp"

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "swarmbench/settings/schema.hpp"

namespace swarmbench::settings::detail {

/// The `backend` field every kind of settings has; its choices are
/// to_string() of backend_kind, in the enum's order.
field_info backend_info();

/// "16 KiB" when the value is a whole number of a binary unit, else
/// "100000 B (97.7 KiB)": exact, and still readable.
std::string size_text(std::uint64_t v);
/// Shortest text that reads back as the same double ("0.1", "3600").
std::string real_text(double v);
/// An integer as a message shows it: a size or a rate with its unit.
std::string integer_text(const field_info& f, std::uint64_t v);

/// "pipeline: must be 1..2048, got 0".
std::string range_error(const field_info& f, std::string_view got);
/// "pipeline: expected an integer, got string".
std::string type_error(const field_info& f, const nlohmann::json& v);
/// "torrent_size: expected a size such as 1GiB, 256KiB or 4096, got \"x\"".
/// A size or rate field's text read by the unit policy (units.hpp); the
/// error names the field ("rate_limit: ambiguous unit \"M\" in \"4M\": ...").
bt::result<std::uint64_t> parse_bytes(const field_info& f, std::string_view text);
/// "storage: must be \"files\", \"discard\" or \"disk_only\", got \"x\"".
std::string choice_error(const field_info& f, std::string_view got);
/// "piece_order: entry 2 must be a piece index (an integer 0..4294967295), got x".
std::string piece_entry_error(const field_info& f, std::size_t index, std::string_view got);
/// "connect_to: entry 1 must be HOST:PORT (...), got \"x\"" (index 0: a single endpoint).
std::string endpoint_error(const field_info& f, std::size_t index, std::string_view got);

/// The range of a number already of the field's type (lo..hi, zero_ok, pow2);
/// nullopt when it is in range or the field has none.
error check_range(const field_info& f, const nlohmann::json& v);

/// Text as a flag or a text box carries it, as the JSON value set() takes.
error text_to_json(const field_info& f, std::string_view text, nlohmann::json& out);

}  // namespace swarmbench::settings::detail
