// scenario_form: the scenario panel's model. Every field of swarm_scenario
// as the text the user typed, checked as it is typed with the engine's own
// set_scenario_field() and validate(), so the app shows the same messages
// as the CLI; widgets, choices, tooltips and headings come from the
// scenario's schema. A field whose text does not parse keeps its last good value in
// `scenario` and shows its error; Start stays disabled until none is left.
//
// Thread rules: plain value; UI thread.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "swarmbench/swarm/scenario.hpp"

namespace swarmbench::gui {

/// How a field is edited.
enum class field_widget { text, check, choice };

class scenario_form {
public:
    scenario_form();

    /// Replaces every field (a loaded file, the defaults) and clears errors.
    void reset(const swarm_scenario& s);
    /// One field typed: parses `text` into the scenario and revalidates.
    void edit(const std::string& field, const std::string& text);

    const swarm_scenario& scenario() const noexcept { return scenario_; }
    const std::vector<std::string>& fields() const noexcept { return names_; }
    /// The text as typed (or as formatted from the value).
    const std::string& text(const std::string& field) const;
    /// "" when the field is fine.
    const std::string& error(const std::string& field) const;
    /// validate()'s problems that name no single field.
    const std::vector<std::string>& general_problems() const noexcept { return general_; }
    bool valid() const noexcept { return error_count_ == 0 && general_.empty(); }
    std::size_t error_count() const noexcept { return error_count_ + general_.size(); }

    /// Everything below comes from the scenario's schema (scenario_schema()).
    static field_widget widget(const std::string& field);
    /// The choices of a choice field ("rarest_first", ...); for the backend,
    /// "auto" and the backends that run on this machine.
    static const std::vector<std::string>& choices(const std::string& field);
    /// The field's doc, range, unit, default and CLI flag, for its tooltip.
    static std::string tooltip(const std::string& field);
    /// The field's group ("torrent", "peers", ...): where the panel puts a heading.
    static std::string group(const std::string& field);
    /// The value as a text box shows it: "64MiB", "0.5", "127.0.0.1:6881,...".
    static std::string format(const swarm_scenario& s, const std::string& field);

private:
    void revalidate();

    swarm_scenario scenario_;                    // last good value of every field
    std::vector<std::string> names_;             // scenario_field_names()
    std::map<std::string, std::string> text_;    // field -> as typed
    std::map<std::string, std::string> parse_errors_;  // field -> set_scenario_field's error
    std::map<std::string, std::string> errors_;  // field -> what the panel shows
    std::vector<std::string> general_;           // problems naming no field
    std::size_t error_count_ = 0;                // fields with an error
};

}  // namespace swarmbench::gui
