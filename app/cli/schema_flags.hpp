// schema_flags: a command's flags made from a settings schema, one per field
// (settings/schema.hpp): the flag's name, help (doc, range, unit, choices)
// and default all come from the field, so `--help` says what a scenario file
// or Python would, and a refused value gets the engine's message.
//
// A flag field becomes a switch: --name when its default is off, --no-name
// when it is on. Every other field takes a value, read as the schema reads
// text ("1GiB", "rarest_first", "a:1,b:2").
//
// A command can also offer a few fields in its own terms (flag_pick): the
// client commands' --connections is the seeders field for `upload` and the
// leechers field for `download`, and download's --pipeline starts at 500.
//
// Thread rules: the main thread (CLI11 parses there).
// Ownership: the object must outlive parsing; CLI11 writes into its entries.
#pragma once

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli_common.hpp"
#include "swarmbench/settings/schema.hpp"

namespace swarmbench::cli {

/// "Torrent size. Range: 1 B..16 TiB." / "... One of: files, discard, disk_only."
std::string field_help(const settings::field_info& f);
/// "SIZE", "COUNT", "SECONDS", ...: the value's placeholder in --help.
std::string field_placeholder(const settings::field_info& f);
/// "pipeline: must be ..." -> "must be ..." (the flag already names it).
std::string without_field(const std::string& message, std::string_view field);

/// A field as one command offers it. What is left empty is the field's own.
struct flag_pick {
    std::string_view field;            // the schema's name
    std::string_view flag = {};        // "--connections"
    std::string_view doc = {};         // "Fake seeders, one connection each."
    nlohmann::json def = nullptr;      // this command's default, set before the flags (8; 500)
    std::optional<double> lo = {};     // a narrower lower bound than the field's (the command needs 1)
    std::vector<std::string_view> choices = {};  // a subset of the field's choices (download: no disk_only)
    bool required = false;             // CLI11 refuses the command without it
};

template <class C>
class schema_flags {
public:
    /// Adds a flag per field of `sc` to `sub`, except the fields in `skip`.
    schema_flags(CLI::App* sub, const settings::schema<C>& sc, std::vector<std::string_view> skip = {}) : sc_(sc) {
        for (const auto& f : sc.fields())
            if (std::find(skip.begin(), skip.end(), f.info.name) == skip.end()) add(sub, flag_pick{f.info.name});
    }

    /// Adds the flags of `picks` only, in that order (a field unknown to `sc`
    /// is a programming error: std::out_of_range).
    schema_flags(CLI::App* sub, const settings::schema<C>& sc, const std::vector<flag_pick>& picks) : sc_(sc) {
        for (const auto& p : picks) add(sub, p);
    }

    /// Sets the command's own defaults, then the flags given, in the order
    /// they were added; a refused value throws
    /// usage_error("--pipeline (pipeline): must be 1..2048, got 0").
    void apply(C& c) const {
        for (const auto& e : entries_)
            if (!e->def.is_null())
                if (auto err = sc_.set(c, e->info.name, e->def)) throw std::logic_error("flag default: " + *err);
        for (const auto& e : entries_) {
            if (!was_given(*e)) continue;
            if (auto err = sc_.set_text(c, e->info.name, e->value)) throw flag_error(e->info, *err);
            if (e->narrowed) {  // the field took it; this command needs more
                const nlohmann::json v = sc_.get(c, e->info.name);
                const auto& ch = e->info.choices;
                if ((v.is_number() && v.get<double>() < e->info.lo) ||
                    (v.is_string() && std::find(ch.begin(), ch.end(), v.get<std::string>()) == ch.end()))
                    throw flag_error(e->info, fmt::format("must be {}, got {}", e->info.range_text(), e->value));
            }
        }
    }

    /// Whether the flag of field `name` was given.
    bool given(std::string_view name) const {
        for (const auto& e : entries_)
            if (e->info.name == name) return was_given(*e);
        return false;
    }

    /// Throws usage_error for the first of `problems` (a validate() list,
    /// "field: ..."), naming the field's flag as apply() does (a field with
    /// no flag here: the message as it is); returns when there is none.
    void refuse(const std::vector<std::string>& problems) const {
        if (problems.empty()) return;
        const std::string& p = problems.front();
        const std::string_view name = std::string_view(p).substr(0, p.find(':'));
        for (const auto& e : entries_)
            if (e->info.name == name) throw flag_error(e->info, p);
        throw usage_error(p);
    }

private:
    struct entry {
        settings::field_info info;       // the field as this command shows it (flag, doc, range)
        nlohmann::json def;              // the command's default (null: the schema's)
        bool narrowed = false;           // info.lo or info.choices is the command's, narrower than the field's
        std::string value;               // as given (a switch: "true" / "false")
        CLI::Option* option = nullptr;   // a value flag (null: a switch)
        bool given = false;              // a switch was given
    };

    void add(CLI::App* sub, const flag_pick& p) {
        const auto* f = sc_.find(p.field);
        if (f == nullptr) throw std::out_of_range("schema_flags: no field " + std::string(p.field));
        auto e = std::make_unique<entry>();
        e->info = f->info;
        if (!p.flag.empty()) e->info.flag = p.flag;
        if (!p.doc.empty()) e->info.doc = p.doc;
        if (p.lo && *p.lo > e->info.lo) {
            e->info.lo = *p.lo;
            e->info.zero_ok = false;
            e->narrowed = true;
        }
        if (!p.choices.empty()) {
            e->info.choices = p.choices;
            e->narrowed = true;
        }
        e->def = p.def;
        const nlohmann::json& def = p.def.is_null() ? sc_.defaults().at(std::string(p.field)) : p.def;
        const settings::field_info& info = e->info;
        if (info.type == settings::value_type::flag) {
            const bool on_by_default = def.get<bool>();
            std::string name = info.cli_flag();
            if (on_by_default) name = "--no-" + name.substr(2);
            entry* raw = e.get();
            CLI::Option* o = sub->add_flag_callback(
                name, [raw, on_by_default] { raw->value = on_by_default ? "false" : "true"; raw->given = true; },
                on_by_default ? "Turns off (on by default): " + field_help(info) : field_help(info));
            if (p.required) o->required();
        } else {
            e->option = sub->add_option(info.cli_flag(), e->value, field_help(info))->type_name(field_placeholder(info));
            if (const std::string shown = info.value_text(def); !shown.empty()) e->option->default_str(shown);
            if (p.required) e->option->required();
        }
        entries_.push_back(std::move(e));
    }

    static bool was_given(const entry& e) { return e.given || (e.option != nullptr && e.option->count() > 0); }
    /// "--pipeline (pipeline): must be ..." from the schema's "pipeline: must be ...".
    static usage_error flag_error(const settings::field_info& f, const std::string& message) {
        return usage_error(fmt::format("{} ({}): {}", f.cli_flag(), f.name, without_field(message, f.name)));
    }

    const settings::schema<C>& sc_;
    std::vector<std::unique_ptr<entry>> entries_;  // stable addresses: CLI11 writes into them
};

}  // namespace swarmbench::cli
