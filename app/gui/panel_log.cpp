// The log panel: lines copied from the app's spdlog sink (log_sink.hpp) once
// per frame by the app; this only filters and draws them, clipped so a long
// log costs only the visible rows.
#include <imgui.h>
#include <imgui_stdlib.h>

#include "panels.hpp"

namespace swarmbench::gui {

namespace {

ImVec4 level_colour(const std::string& line) {
    // Lines read "HH:MM:SS.mmm level message" (the sink's pattern).
    const std::string_view level = line.size() > 18 ? std::string_view(line).substr(13, 5) : std::string_view();
    if (level.rfind("error", 0) == 0 || level.rfind("criti", 0) == 0) return ImVec4(1.0f, 0.45f, 0.42f, 1);
    if (level.rfind("warn", 0) == 0) return ImVec4(1.0f, 0.8f, 0.35f, 1);
    if (level.rfind("debug", 0) == 0 || level.rfind("trace", 0) == 0) return ImVec4(0.6f, 0.6f, 0.6f, 1);
    return ImGui::GetStyleColorVec4(ImGuiCol_Text);
}

}  // namespace

void draw_log_panel(app_state& state) {
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 16);
    ImGui::InputTextWithHint("##filter", "filter", &state.ui.log_filter);
    ImGui::SameLine();
    ImGui::Checkbox("auto-scroll", &state.ui.log_auto_scroll);
    ImGui::SameLine();
    if (ImGui::SmallButton("Clear")) state.log_lines.clear();
    ImGui::SameLine();
    ImGui::TextDisabled("%zu lines", state.log_lines.size());
    ImGui::BeginChild("lines", ImVec2(0, 0), false, ImGuiWindowFlags_HorizontalScrollbar);
    const std::string& filter = state.ui.log_filter;
    if (filter.empty()) {
        ImGuiListClipper clipper;
        clipper.Begin(static_cast<int>(state.log_lines.size()));
        while (clipper.Step())
            for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
                const std::string& l = state.log_lines[static_cast<std::size_t>(i)];
                ImGui::TextColored(level_colour(l), "%s", l.c_str());
            }
    } else {
        for (const auto& l : state.log_lines)
            if (l.find(filter) != std::string::npos) ImGui::TextColored(level_colour(l), "%s", l.c_str());
    }
    if (state.ui.log_auto_scroll && ImGui::GetScrollY() >= ImGui::GetScrollMaxY() - 1) ImGui::SetScrollHereY(1.0f);
    ImGui::EndChild();
}

}  // namespace swarmbench::gui
