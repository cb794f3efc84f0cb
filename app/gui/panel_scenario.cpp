// The scenario panel: what Start runs. Swarm mode lists every scenario field
// (scenario_field_names) under its schema group's heading, its tooltip the
// field's doc, range, unit and default, each checked as it is typed with the
// engine's own messages shown under it; the baselines have their few settings.
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

void draw_field(scenario_form& form, const std::string& field) {
    ImGui::TableNextRow();
    ImGui::TableSetColumnIndex(0);
    ImGui::AlignTextToFramePadding();
    const std::string& err = form.error(field);
    if (err.empty()) ImGui::TextUnformatted(field.c_str());
    else ImGui::TextColored(error_colour, "%s", field.c_str());
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", scenario_form::tooltip(field).c_str());
    ImGui::TableSetColumnIndex(1);
    ImGui::PushID(field.c_str());
    ImGui::SetNextItemWidth(-FLT_MIN);
    switch (scenario_form::widget(field)) {
        case field_widget::check: {
            bool v = form.text(field) == "true";
            if (ImGui::Checkbox("##v", &v)) form.edit(field, v ? "true" : "false");
            break;
        }
        case field_widget::choice: {
            const std::string current = form.text(field);
            if (ImGui::BeginCombo("##v", current.c_str())) {
                for (const auto& c : scenario_form::choices(field))
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

void draw_swarm_fields(app_state& state) {
    scenario_form& form = state.form;
    if (!form.valid()) {
        ImGui::TextColored(error_colour, "%zu problem%s: Start is disabled", form.error_count(),
                           form.error_count() == 1 ? "" : "s");
        for (const auto& p : form.general_problems()) {
            ImGui::PushStyleColor(ImGuiCol_Text, error_colour);
            ImGui::TextWrapped("%s", p.c_str());
            ImGui::PopStyleColor();
        }
    } else {
        ImGui::TextDisabled("%llu connections, %s torrent",
                            static_cast<unsigned long long>(total_connections(form.scenario())),
                            format_bytes(static_cast<double>(form.scenario().torrent_size)).c_str());
    }
    if (!ImGui::BeginTable("fields", 2, ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_RowBg)) return;
    ImGui::TableSetupColumn("field", ImGuiTableColumnFlags_WidthFixed, ImGui::GetFontSize() * 10.5f);
    ImGui::TableSetupColumn("value", ImGuiTableColumnFlags_WidthStretch);
    std::string group;
    for (const auto& field : form.fields()) {
        if (std::string g = scenario_form::group(field); g != group) {
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

bool size_box(const char* label, std::string& text, std::uint64_t& out, std::string& error) {
    ImGui::SetNextItemWidth(-FLT_MIN);
    const bool changed = ImGui::InputText(label, &text);
    if (auto v = parse_size(text); v && *v > 0) out = *v;
    else error = std::string(label + 2) + ": not a size (e.g. 256MiB), got \"" + text + "\"";
    return changed;
}

void backend_combo(backend_kind& kind) {
    static const backend_kind kinds[] = {backend_kind::automatic, backend_kind::io_uring, backend_kind::epoll};
    ImGui::SetNextItemWidth(-FLT_MIN);
    if (ImGui::BeginCombo("##backend", to_string(kind))) {
        for (backend_kind k : kinds)
            if (ImGui::Selectable(to_string(k), k == kind)) kind = k;
        ImGui::EndCombo();
    }
}

void label(const char* text) {
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(text);
}

void draw_stream_fields(app_state& state) {
    stream_config& c = state.stream;
    state.baseline_error.clear();
    ImGui::TextWrapped("N TCP streams over loopback, like iperf3 -P N: the engine's network path alone.");
    int connections = static_cast<int>(c.connections);
    label("connections");
    ImGui::SetNextItemWidth(-FLT_MIN);
    if (ImGui::InputInt("##connections", &connections)) c.connections = static_cast<std::uint32_t>(std::clamp(connections, 1, 100000));
    label("seconds");
    ImGui::SetNextItemWidth(-FLT_MIN);
    if (ImGui::InputDouble("##seconds", &c.seconds, 1, 10, "%.1f")) c.seconds = std::clamp(c.seconds, 0.5, 86400.0);
    label("backend");
    backend_combo(c.backend);
    int threads = static_cast<int>(c.threads);
    label("threads (0: one per core)");
    ImGui::SetNextItemWidth(-FLT_MIN);
    if (ImGui::InputInt("##threads", &threads)) c.threads = static_cast<unsigned>(std::clamp(threads, 0, 256));
}

void draw_disk_fields(app_state& state) {
    disk_config& c = state.disk;
    state.baseline_error.clear();
    ImGui::TextWrapped("Random 16 KiB writes into one preallocated file, like fio --rw=randwrite.");
    std::uint64_t block = c.block;
    label("size");
    size_box("##size", state.disk_size_text, c.size, state.baseline_error);
    label("block");
    size_box("##block", state.disk_block_text, block, state.baseline_error);
    c.block = static_cast<std::uint32_t>(std::min<std::uint64_t>(block, 64u << 20));
    if (state.baseline_error.empty() && c.size % c.block != 0) state.baseline_error = "size: must be a multiple of block";
    int qd = static_cast<int>(c.queue_depth);
    label("queue depth");
    ImGui::SetNextItemWidth(-FLT_MIN);
    if (ImGui::InputInt("##qd", &qd)) c.queue_depth = static_cast<std::uint32_t>(std::clamp(qd, 1, 4096));
    ImGui::Checkbox("O_DIRECT", &c.direct);
    ImGui::SameLine();
    ImGui::Checkbox("fsync at end", &c.fsync_at_end);
    label("directory (\"\": $TMPDIR)");
    ImGui::SetNextItemWidth(-FLT_MIN);
    ImGui::InputText("##dir", &c.dir);
    label("backend");
    backend_combo(c.backend);
    if (!state.baseline_error.empty()) ImGui::TextColored(error_colour, "%s", state.baseline_error.c_str());
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
        ImGui::InputTextWithHint("##path", "scenario file", &state.ui.scenario_path);
        ImGui::SameLine();
        if (ImGui::Button("Load")) cmd.load_scenario = true;
        ImGui::SameLine();
        if (ImGui::Button("Save")) cmd.save_scenario = true;
        ImGui::SameLine();
        if (ImGui::Button("Reset")) state.form.reset(swarm_scenario{});
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
