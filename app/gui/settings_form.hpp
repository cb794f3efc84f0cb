// settings_form: a settings panel's model, for any kind of settings the
// engine's schema describes (the swarm scenario, stream, disk). Every field
// as the text the user typed, checked as it is typed with the schema's own
// set_text() and the engine's validate(), so the app shows the same
// messages as the CLI and Python; widgets, choices, tooltips and headings
// come from the schema. A field whose text does not parse keeps its last
// good value in `value()` and shows its error; Start stays disabled until
// none is left.
//
// Thread rules: plain value; UI thread.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "swarmbench/settings/schemas.hpp"
#include "swarmbench/swarm/scenario.hpp"
#include "swarmbench/workloads/disk.hpp"
#include "swarmbench/workloads/stream.hpp"

namespace swarmbench::gui {

/// How a field is edited.
enum class field_widget { text, check, choice };

template <class C>
class settings_form {
public:
    /// `hidden`: fields the app does not offer (stream's role: the app runs loopback).
    explicit settings_form(const C& initial = C{}, std::vector<std::string> hidden = {});

    /// Replaces every field (a loaded file, the defaults) and clears errors.
    void reset(const C& c);
    /// One field typed: parses `text` into the value and revalidates.
    void edit(const std::string& field, const std::string& text);

    const C& value() const noexcept { return value_; }
    /// The fields shown, in the schema's order.
    const std::vector<std::string>& fields() const noexcept { return names_; }
    /// The text as typed (or as formatted from the value).
    const std::string& text(const std::string& field) const;
    /// "" when the field is fine.
    const std::string& error(const std::string& field) const;
    /// validate()'s problems that name no field shown.
    const std::vector<std::string>& general_problems() const noexcept { return general_; }
    bool valid() const noexcept { return error_count_ == 0 && general_.empty(); }
    /// Whether an edit since the last reset() left the form other than what
    /// was loaded (the panel says "edited" beside where it came from).
    bool edited() const noexcept { return edited_; }
    std::size_t error_count() const noexcept { return error_count_ + general_.size(); }

    /// Everything below comes from the schema of C.
    static field_widget widget(const std::string& field);
    /// The choices of a choice field ("rarest_first", ...); for the backend,
    /// "auto" and the backends that run on this machine.
    static const std::vector<std::string>& choices(const std::string& field);
    /// The field's doc, range, unit, default and CLI flag, for its tooltip.
    static std::string tooltip(const std::string& field);
    /// The field's group ("torrent", "peers", ...): where the panel puts a heading.
    static std::string group(const std::string& field);
    /// The value as a text box shows it: "64MiB", "0.5", "127.0.0.1:6881,...".
    static std::string format(const C& c, const std::string& field);

private:
    void revalidate();

    C value_;                                    // last good value of every field
    std::vector<std::string> names_;             // the schema's names but the hidden
    std::map<std::string, std::string> text_;    // field -> as typed
    std::map<std::string, std::string> parse_errors_;  // field -> set_text's error
    std::map<std::string, std::string> errors_;  // field -> what the panel shows
    std::vector<std::string> general_;           // problems naming no field shown
    std::size_t error_count_ = 0;                // fields with an error
    nlohmann::json reset_json_;                  // the value at the last reset(), as JSON
    bool edited_ = false;                        // see edited()
};

extern template class settings_form<swarm_scenario>;
extern template class settings_form<stream_config>;
extern template class settings_form<disk_config>;

using scenario_form = settings_form<swarm_scenario>;

}  // namespace swarmbench::gui
