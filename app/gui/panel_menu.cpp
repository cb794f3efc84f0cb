#include <imgui.h>
#include <imgui_stdlib.h>

#include "panels.hpp"

namespace swarmbench::gui {

void draw_menu(app_state& state, app_commands& cmd) {
    if (!ImGui::BeginMenuBar()) return;
    if (ImGui::BeginMenu("File")) {
        if (ImGui::MenuItem("Load scenario", nullptr, false, state.phase != run_phase::running)) cmd.load_scenario = true;
        if (ImGui::MenuItem("Save scenario")) cmd.save_scenario = true;
        ImGui::Separator();
        const bool have_run = !state.run_dir.empty() && state.phase == run_phase::finished;
        if (ImGui::MenuItem("Export results and graphs...", nullptr, false, have_run && !state.export_busy))
            state.open_export_popup = true;
        if (ImGui::MenuItem("Open results folder...")) state.open_results_popup = true;
        if (ImGui::MenuItem("Clear opened results", nullptr, false, !state.overlays.empty())) cmd.clear_overlays = true;
        ImGui::Separator();
        if (ImGui::MenuItem("Quit", "Ctrl+Q")) cmd.quit = true;
        ImGui::EndMenu();
    }
    if (ImGui::BeginMenu("View")) {
        ImGui::MenuItem("Whole run (not the scrolling window)", nullptr, &state.ui.whole_run);
        ImGui::MenuItem("Show opened results", nullptr, &state.ui.show_overlays);
        ImGui::SetNextItemWidth(160);
        ImGui::SliderFloat("window", &state.ui.window_s, 5, 600, "%.0f s", ImGuiSliderFlags_Logarithmic);
        ImGui::EndMenu();
    }
    ImGui::EndMenuBar();
}

void draw_popups(app_state& state, app_commands& cmd) {
    if (state.open_export_popup) {
        ImGui::OpenPopup("Export");
        if (state.ui.export_dir.empty()) state.ui.export_dir = state.run_dir.string();
        state.open_export_popup = false;
    }
    if (state.open_results_popup) {
        ImGui::OpenPopup("Open results folder");
        state.open_results_popup = false;
    }
    if (ImGui::BeginPopupModal("Export", nullptr, ImGuiWindowFlags_AlwaysAutoResize)) {
        ImGui::TextUnformatted("results.json, timeseries.csv and the graphs (PNG and SVG) go into:");
        ImGui::SetNextItemWidth(480);
        ImGui::InputText("##export_dir", &state.ui.export_dir);
        if (ImGui::Button("Export", ImVec2(120, 0)) && !state.ui.export_dir.empty()) {
            cmd.export_to = state.ui.export_dir;
            ImGui::CloseCurrentPopup();
        }
        ImGui::SameLine();
        if (ImGui::Button("Cancel", ImVec2(120, 0))) ImGui::CloseCurrentPopup();
        ImGui::EndPopup();
    }
    if (ImGui::BeginPopupModal("Open results folder", nullptr, ImGuiWindowFlags_AlwaysAutoResize)) {
        ImGui::TextUnformatted("A results folder (results.json, timeseries.csv) to overlay on the graphs:");
        ImGui::SetNextItemWidth(480);
        ImGui::InputText("##open_dir", &state.ui.open_dir);
        if (ImGui::Button("Open", ImVec2(120, 0)) && !state.ui.open_dir.empty()) {
            cmd.open_results = state.ui.open_dir;
            ImGui::CloseCurrentPopup();
        }
        ImGui::SameLine();
        if (ImGui::Button("Cancel", ImVec2(120, 0))) ImGui::CloseCurrentPopup();
        ImGui::EndPopup();
    }
}

}  // namespace swarmbench::gui
