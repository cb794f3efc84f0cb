// schema_flags: a command's flags made from a settings schema, one per field
// (settings/schema.hpp): the flag's name, help (doc, range, unit, choices)
// and default all come from the field, so `--help` says what a scenario file
// or Python would, and a refused value gets the engine's message.
//
// A flag field becomes a switch: --name when its default is off, --no-name
// when it is on. Every other field takes a value, read as the schema reads
// text ("1GiB", "rarest_first", "a:1,b:2").
//
// Thread rules: the main thread (CLI11 parses there).
// Ownership: the object must outlive parsing; CLI11 writes into its entries.
#pragma once

#include <memory>
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

template <class C>
class schema_flags {
public:
    /// Adds a flag per field of `sc` to `sub`, except the fields in `skip`.
    schema_flags(CLI::App* sub, const settings::schema<C>& sc, std::vector<std::string_view> skip = {}) : sc_(sc) {
        for (const auto& f : sc.fields()) {
            if (std::find(skip.begin(), skip.end(), f.info.name) != skip.end()) continue;
            auto e = std::make_unique<entry>();
            e->field = &f;
            const nlohmann::json& def = sc.defaults().at(std::string(f.info.name));
            if (f.info.type == settings::value_type::flag) {
                const bool on_by_default = def.get<bool>();
                std::string name = f.info.cli_flag();
                if (on_by_default) name = "--no-" + name.substr(2);
                entry* raw = e.get();
                sub->add_flag_callback(
                    name, [raw, on_by_default] { raw->value = on_by_default ? "false" : "true"; raw->given = true; },
                    on_by_default ? "Turns off (on by default): " + field_help(f.info) : field_help(f.info));
            } else {
                e->option = sub->add_option(f.info.cli_flag(), e->value, field_help(f.info))
                                ->type_name(field_placeholder(f.info));
                if (const std::string shown = f.info.value_text(def); !shown.empty()) e->option->default_str(shown);
            }
            entries_.push_back(std::move(e));
        }
    }

    /// Applies the flags given, in the table's order; a refused value throws
    /// usage_error("--pipeline (pipeline): must be 1..2048, got 0").
    void apply(C& c) const {
        for (const auto& e : entries_) {
            if (!was_given(*e)) continue;
            if (auto err = sc_.set_text(c, e->field->info.name, e->value)) throw flag_error(e->field->info, *err);
        }
    }

    /// Whether the flag of field `name` was given.
    bool given(std::string_view name) const {
        for (const auto& e : entries_)
            if (e->field->info.name == name) return was_given(*e);
        return false;
    }

    /// Throws usage_error for the first of `problems` (a validate() list,
    /// "field: ..."), naming the field's flag as apply() does; returns when
    /// there is none.
    void refuse(const std::vector<std::string>& problems) const {
        if (problems.empty()) return;
        const std::string& p = problems.front();
        const auto* f = sc_.find(p.substr(0, p.find(':')));
        if (f == nullptr) throw usage_error(p);
        throw flag_error(f->info, p);
    }

private:
    struct entry {
        const typename settings::schema<C>::field* field = nullptr;
        std::string value;               // as given (a switch: "true" / "false")
        CLI::Option* option = nullptr;   // a value flag (null: a switch)
        bool given = false;              // a switch was given
    };
    static bool was_given(const entry& e) { return e.given || (e.option != nullptr && e.option->count() > 0); }
    /// "--pipeline (pipeline): must be ..." from the schema's "pipeline: must be ...".
    static usage_error flag_error(const settings::field_info& f, const std::string& message) {
        return usage_error(fmt::format("{} ({}): {}", f.cli_flag(), f.name, without_field(message, f.name)));
    }

    const settings::schema<C>& sc_;
    std::vector<std::unique_ptr<entry>> entries_;  // stable addresses: CLI11 writes into them
};

}  // namespace swarmbench::cli
