// schema: every kind of settings (the swarm scenario, stream, disk) described
// once, as fio describes its job options in one table (STYLE.md point 17).
// A field's name, type, unit, range, default, choices, one-line doc and group
// live in its field_info; get / set / validate / to_json / from_json are
// driven by the table, and so are the front ends: the CLI's flags and help,
// the app's forms and tooltips, Python's keywords, properties and stubs.
//
// Values cross the table as JSON (nlohmann::json): a size or a rate is a
// number of bytes or a string with a unit ("1GiB"), a choice its name, a
// list of endpoints a list of "HOST:PORT" strings. set_text() reads the text
// a CLI flag or a text box carries and goes the same way.
//
// Errors are one line naming the field, the same from every entry point:
// "pipeline: must be 1..2048, got 0", "seedrs: unknown field (did you mean
// \"seeders\"?)".
//
// Thread rules: the tables are built once, on first use (thread-safe static
// initialisation), and read-only afterwards; any thread may use them.
// Ownership: a schema never holds a settings object; callers pass theirs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace swarmbench {

/// The candidate closest to `name` by edit distance (for "did you mean"
/// messages about unknown field, flag and command names). Empty only when
/// `candidates` is.
std::string closest_name(std::string_view name, const std::vector<std::string_view>& candidates);

/// The edits (insert, delete, replace a character) that turn `a` into `b`.
std::size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace swarmbench

namespace swarmbench::settings {

/// How a value is written and read; the member's C++ type alone cannot tell
/// a size ("1GiB") from a count or a seed.
enum class value_type : std::uint8_t {
    count,      // unsigned integer
    size,       // bytes: an integer or a string with a binary unit
    rate,       // bytes per second, written like a size
    any_u64,    // a seed: any 64-bit unsigned integer
    real,       // a finite number
    flag,       // boolean
    text,       // free string
    choice,     // one name of `choices`
    endpoint,   // "HOST:PORT", or "" for none
    endpoints,  // list of "HOST:PORT"
    pieces,     // list of piece indexes
    links,      // list of access-link classes (net/link.hpp), objects; as text, their JSON
};

/// One field, as every front end sees it.
struct field_info {
    std::string_view name;        // JSON key and Python keyword; the CLI flag is --name with dashes unless `flag`
    value_type type = value_type::count;
    std::string_view unit;        // "B", "B/s", "s", "ms", or "" (counts, flags, names)
    double lo = 0;                // smallest allowed value (numbers)
    double hi = 0;                // largest allowed value
    bool zero_ok = false;         // 0 is allowed outside lo..hi ("0 or 1 KiB..100 GiB")
    bool pow2 = false;            // must also be a power of two
    bool ranged = false;          // lo..hi applies
    std::vector<std::string_view> choices;  // value_type::choice: the names, in the enum's order
    std::string_view doc;         // one line: what it does (the range is added by range_text)
    std::string_view group;       // "torrent", "peers", "run", ...: how forms and help group fields
    std::string_view flag;        // the CLI's name when it is not --name ("--size" for torrent_size)
    bool live = false;            // may change while a run goes on (swarm_controls, a timeline)

    field_info() = default;
    field_info(std::string_view name_, value_type type_, std::string_view group_, std::string_view doc_)
        : name(name_), type(type_), doc(doc_), group(group_) {}
    // Chained in the tables: field_info("pipeline", ...).range(1, 2048).
    field_info& range(double lo_, double hi_) {
        lo = lo_;
        hi = hi_;
        ranged = true;
        return *this;
    }
    field_info& or_zero() { zero_ok = true; return *this; }
    field_info& power_of_two() { pow2 = true; return *this; }
    field_info& in(std::string_view unit_) { unit = unit_; return *this; }
    field_info& one_of(std::vector<std::string_view> names) { choices = std::move(names); return *this; }
    field_info& cli(std::string_view flag_) { flag = flag_; return *this; }
    field_info& make_live() { live = true; return *this; }

    /// "1..2048", "0 or 1 KiB..100 GiB", "a power of two, 16 KiB..64 MiB",
    /// "\"files\", \"discard\" or \"disk_only\"", or "" (no range).
    std::string range_text() const;
    /// What a value must be: "an integer", "a size (an integer or a string
    /// such as \"1GiB\")", "\"auto\", \"io_uring\", \"epoll\" or \"iocp\"", ...
    std::string expected_text() const;
    /// The CLI flag: `flag`, or "--" + name with dashes.
    std::string cli_flag() const;
    /// A value of this field as people read it: "1 GiB", "0.1", "rarest_first",
    /// "127.0.0.1:1, [::1]:2", "" for an empty list or text.
    std::string value_text(const nlohmann::json& v) const;
};

using error = std::optional<std::string>;

/// A JSON syntax error as one line with its place: "line 3, column 12:
/// syntax error while parsing object - unexpected '}'" (nlohmann's message
/// without its prefix; `text` is what was parsed).
std::string syntax_message(std::string_view text, const nlohmann::json::exception& e);

/// The table of one kind of settings `C` (swarm_scenario, stream_config,
/// disk_config). Built by the functions at the end of this file.
template <class C>
class schema {
public:
    struct field {
        field_info info;
        /// The member as JSON (sizes as numbers, choices as names).
        nlohmann::json (*get)(const C& c, const field_info& f);
        /// Stores a JSON value (type and syntax checked; the range is the
        /// caller's: schema::set checks it); `c` unchanged on error.
        error (*set)(C& c, const field_info& f, const nlohmann::json& v);
        /// A check beyond the range (an address's syntax, repeats in a list), or null.
        error (*check)(const field_info& f, const nlohmann::json& v) = nullptr;
    };

    explicit schema(std::vector<field> fields) : fields_(std::move(fields)) {}

    /// In declaration order.
    const std::vector<field>& fields() const noexcept { return fields_; }
    std::vector<std::string_view> names() const;
    /// By name; dashes stand for underscores ("connections-per-leecher").
    const field* find(std::string_view name) const;
    /// "seedrs: unknown field (did you mean \"seeders\"?)".
    std::string unknown(std::string_view name) const;

    /// One field's value; throws std::out_of_range for an unknown name.
    nlohmann::json get(const C& c, std::string_view name) const;
    /// Sets one field from JSON; `c` is unchanged when the value is refused.
    /// Checks the field alone (ranges, syntax), not the rules between fields.
    error set(C& c, std::string_view name, const nlohmann::json& v) const;
    /// Sets one field from text, as a CLI flag or a text box carries it
    /// ("1GiB", "rarest_first", "true", "a:1,b:2").
    error set_text(C& c, std::string_view name, std::string_view text) const;
    /// Whether `v` is of a JSON type the field takes at all (Python raises
    /// TypeError for the rest, ValueError for a value out of range).
    static bool accepts(const field_info& f, const nlohmann::json& v);

    /// The per-field problems of `c` (ranges, syntax), one line each.
    std::vector<std::string> check_fields(const C& c) const;
    /// Every field, as a scenario file or results.json's `config` holds it.
    nlohmann::json to_json(const C& c) const;
    /// The defaults (to_json of a default-constructed C).
    const nlohmann::json& defaults() const;
    /// Applies the keys of a JSON object to `c`; every problem (unknown keys,
    /// wrong types, bad syntax), in key order. Ranges are left to
    /// check_fields(), the rules between fields to the caller.
    std::vector<std::string> apply_json(C& c, const nlohmann::json& object) const;

private:
    std::vector<field> fields_;
};

}  // namespace swarmbench::settings
