// The scenario panel: what Start runs. Swarm mode lists every scenario field
// (scenario_field_names) under its schema group's heading, its tooltip the
// field's doc, range, unit and default, each checked as it is typed with the
// engine's own messages shown under it; the stream and disk baselines the
// same way from their schemas (settings_form).
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>

#include <imgui.h>
#include <imgui_stdlib.h>

#include "panels.hpp"
#include "swarmbench/units.hpp"

namespace swarmbench::gui {

namespace {

const ImVec4 error_colour(1.0f, 0.45f, 0.42f, 1.0f);

template <class C>
void draw_field(settings_form<C>& form, const std::string& field) {
    ImGui::TableNextRow();
    ImGui::TableSetColumnIndex(0);
    ImGui::AlignTextToFramePadding();
    const std::string& err = form.error(field);
    if (err.empty()) ImGui::TextUnformatted(field.c_str());
    else ImGui::TextColored(error_colour, "%s", field.c_str());
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", settings_form<C>::tooltip(field).c_str());
    ImGui::TableSetColumnIndex(1);
    ImGui::PushID(field.c_str());
    ImGui::SetNextItemWidth(-FLT_MIN);
    switch (settings_form<C>::widget(field)) {
        case field_widget::check: {
            bool v = form.text(field) == "true";
            if (ImGui::Checkbox("##v", &v)) form.edit(field, v ? "true" : "false");
            break;
        }
        case field_widget::choice: {
            const std::string current = form.text(field);
            if (ImGui::BeginCombo("##v", current.c_str())) {
                for (const auto& c : settings_form<C>::choices(field))
                    if (ImGui::Selectable(c.c_str(), c == current)) form.edit(field, c);
                ImGui::EndCombo();
            }
            break;
        }
        case field_widget::text: {
            std::string text = form.text(field);
            if (ImGui::InputText("##v", &text)) form.edit(field, text);
            break;
        }
    }
    if (!err.empty()) {
        ImGui::PushStyleColor(ImGuiCol_Text, error_colour);
        ImGui::TextWrapped("%s", err.c_str());
        ImGui::PopStyleColor();
    }
    ImGui::PopID();
}

/// Every field of `form` under its schema group's heading, and the problems
/// that name no single field.
template <class C>
void draw_form(settings_form<C>& form) {
    if (!form.valid()) {
        ImGui::TextColored(error_colour, "%zu problem%s: Start is disabled", form.error_count(),
                           form.error_count() == 1 ? "" : "s");
        for (const auto& p : form.general_problems()) {
            ImGui::PushStyleColor(ImGuiCol_Text, error_colour);
            ImGui::TextWrapped("%s", p.c_str());
            ImGui::PopStyleColor();
        }
    }
    if (!ImGui::BeginTable("fields", 2, ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_RowBg)) return;
    ImGui::TableSetupColumn("field", ImGuiTableColumnFlags_WidthFixed, ImGui::GetFontSize() * 10.5f);
    ImGui::TableSetupColumn("value", ImGuiTableColumnFlags_WidthStretch);
    std::string group;
    for (const auto& field : form.fields()) {
        if (std::string g = settings_form<C>::group(field); g != group) {
            group = std::move(g);  // a heading where the schema's group changes
            std::string heading = group;
            if (!heading.empty()) heading[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(heading[0])));
            ImGui::TableNextRow();
            ImGui::TableSetColumnIndex(0);
            ImGui::TextColored(ImVec4(0.55f, 0.78f, 1.0f, 1.0f), "%s", heading.c_str());
        }
        draw_field(form, field);
    }
    ImGui::EndTable();
}

void draw_swarm_fields(app_state& state) {
    if (state.form.valid())
        ImGui::TextDisabled("%llu connections, %s torrent",
                            static_cast<unsigned long long>(total_connections(state.form.value())),
                            format_bytes(static_cast<double>(state.form.value().torrent_size)).c_str());
    draw_form(state.form);
}

void draw_stream_fields(app_state& state) {
    ImGui::TextWrapped("N TCP streams over loopback, like iperf3 -P N: the engine's network path alone.");
    draw_form(state.stream_form);
}

void draw_disk_fields(app_state& state) {
    ImGui::TextWrapped("Positioned writes at shuffled offsets into one preallocated file, like fio --rw=randwrite.");
    draw_form(state.disk_form);
}

/// The timeline file box (docs/timeline.md): Load reads it (an empty box
/// clears it); its actions are listed under a collapsed header.
void draw_timeline_row(app_state& state, app_commands& cmd) {
    const ImGuiStyle& st = ImGui::GetStyle();
    ImGui::SetNextItemWidth(-(ImGui::CalcTextSize("Load").x + st.FramePadding.x * 2 + st.ItemSpacing.x));
    ImGui::InputTextWithHint("##timeline", "timeline file (timed changes; empty: none)", &state.ui.timeline_path);
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("A JSON plan of timed sets, ramps, faults and phases, as `swarmbench run --timeline` "
                          "and Python's Timeline.save() write it (docs/timeline.md).");
    ImGui::SameLine();
    if (ImGui::Button("Load##timeline")) cmd.load_timeline = true;
    const auto& actions = state.timeline.actions();
    if (actions.empty()) return;
    char header[96];
    std::snprintf(header, sizeof(header), "Timeline: %zu actions until %.1f s###timeline_actions", actions.size(),
                  state.timeline.end_s());
    if (ImGui::CollapsingHeader(header)) {
        for (const timeline_action& a : actions) ImGui::BulletText("%7.2f s  %s", a.t_s, a.label.c_str());
    }
}

}  // namespace

void draw_scenario_panel(app_state& state, app_commands& cmd) {
    const bool busy = state.phase == run_phase::running || state.phase == run_phase::stopping;
    ImGui::BeginDisabled(busy);
    int mode = static_cast<int>(state.ui.mode);
    ImGui::RadioButton("Swarm", &mode, static_cast<int>(run_mode::swarm));
    ImGui::SameLine();
    ImGui::RadioButton("Stream baseline", &mode, static_cast<int>(run_mode::stream));
    ImGui::SameLine();
    ImGui::RadioButton("Disk baseline", &mode, static_cast<int>(run_mode::disk));
    state.ui.mode = static_cast<run_mode>(mode);

    if (state.ui.mode == run_mode::swarm) {
        const ImGuiStyle& st = ImGui::GetStyle();
        const float buttons = ImGui::CalcTextSize("LoadSaveReset").x + st.FramePadding.x * 6 + st.ItemSpacing.x * 3;
        ImGui::SetNextItemWidth(-buttons);
        ImGui::InputTextWithHint("##path", "scenario file to load or save", &state.ui.scenario_path);
        ImGui::SameLine();
        if (ImGui::Button("Load")) cmd.load_scenario = true;
        ImGui::SameLine();
        if (ImGui::Button("Save")) cmd.save_scenario = true;
        ImGui::SameLine();
        if (ImGui::Button("Reset")) {
            state.form.reset(swarm_scenario{});
            state.form_source.clear();
        }
        // What Start runs: the form, and where it came from.
        const std::string source = state.form_source.empty() ? "the defaults" : state.form_source;
        ImGui::TextDisabled("Start runs %s%s", source.c_str(), state.form.edited() ? ", edited" : "");
        draw_timeline_row(state, cmd);
    }
    ImGui::Separator();
    ImGui::BeginChild("settings", ImVec2(0, 0), false);
    switch (state.ui.mode) {
        case run_mode::swarm: draw_swarm_fields(state); break;
        case run_mode::stream: draw_stream_fields(state); break;
        case run_mode::disk: draw_disk_fields(state); break;
    }
    ImGui::EndChild();
    ImGui::EndDisabled();
}

}  // namespace swarmbench::gui
