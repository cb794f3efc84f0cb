// The run panel: Start and Stop, the run's progress, steering for a running
// swarm (connections, pipeline depth, rate limit) and the finished run's
// summary. Steering edits state.steer and names each change in
// cmd.steered; the app writes swarm_controls and drops a graph marker.
#include <algorithm>
#include <cstdio>

#include <imgui.h>

#include "panels.hpp"
#include "swarmbench/units.hpp"
#include "swarmbench/workloads/progress_text.hpp"

namespace swarmbench::gui {

namespace {

bool can_start(const app_state& state) {
    if (state.phase == run_phase::running || state.phase == run_phase::stopping) return false;
    switch (state.ui.mode) {
        case run_mode::swarm: return state.form.valid();
        case run_mode::stream: return state.stream_form.valid();
        case run_mode::disk: return state.disk_form.valid();
    }
    return false;
}

void draw_steering(app_state& state, app_commands& cmd) {
    steering_state& s = state.steer;
    ImGui::TextColored(ImVec4(0.55f, 0.78f, 1.0f, 1.0f), "Steering");
    // A negative width leaves room for the label: as wide as the label is, so none is clipped.
    auto room_for = [](const char* label) {
        return -(ImGui::CalcTextSize(label).x + ImGui::GetStyle().ItemInnerSpacing.x);
    };
    const float w = room_for("connections/leecher");
    ImGui::SetNextItemWidth(w);
    ImGui::SliderInt("connections/leecher", &s.connections_per_leecher, 1,
                     std::max(256, static_cast<int>(state.form.value().connections_per_leecher) * 4), "%d",
                     ImGuiSliderFlags_Logarithmic);
    if (ImGui::IsItemDeactivatedAfterEdit())
        cmd.steered.push_back("connections " + std::to_string(s.connections_per_leecher));
    ImGui::SetNextItemWidth(w);
    ImGui::SliderInt("pipeline", &s.pipeline, 1, 2048, "%d", ImGuiSliderFlags_Logarithmic);
    if (ImGui::IsItemDeactivatedAfterEdit()) cmd.steered.push_back("pipeline " + std::to_string(s.pipeline));
    if (ImGui::Checkbox("unlimited", &s.unlimited))
        cmd.steered.push_back(s.unlimited ? std::string("rate unlimited")
                                          : "rate " + format_bytes(s.rate_limit_mib * 1048576.0) + "/s");
    ImGui::SameLine();
    ImGui::BeginDisabled(s.unlimited);
    ImGui::SetNextItemWidth(room_for("rate/conn"));
    ImGui::SliderFloat("rate/conn", &s.rate_limit_mib, 0.1f, 10240, "%.1f MiB/s", ImGuiSliderFlags_Logarithmic);
    if (ImGui::IsItemDeactivatedAfterEdit())
        cmd.steered.push_back("rate " + format_bytes(s.rate_limit_mib * 1048576.0) + "/s");
    ImGui::EndDisabled();
}

void draw_summary(const app_state& state) {
    if (!state.last_results) return;
    const run_summary& s = state.last_results->summary;
    const ImVec4 colour = s.status == "ok" ? ImVec4(0.45f, 0.9f, 0.5f, 1) : ImVec4(1, 0.6f, 0.3f, 1);
    ImGui::TextColored(colour, "%s: %s", state.last_results->mode.c_str(), s.status.c_str());
    ImGui::SameLine();
    ImGui::TextDisabled("on %s", state.last_results->environment.backend.c_str());
    ImGui::Text("goodput %s", format_rate(s.goodput_bytes_per_s).c_str());
    ImGui::Text("%s in %.2f s", format_bytes(static_cast<double>(s.bytes)).c_str(), s.seconds);
    if (s.swarm) {
        const swarm_summary& w = *s.swarm;
        ImGui::Text("%u/%u leechers complete, %llu pieces %s", w.leechers_complete, w.leechers,
                    static_cast<unsigned long long>(w.pieces_hashed ? w.pieces_verified : w.pieces_complete),
                    w.pieces_hashed ? "verified" : "complete (not hashed)");
        // Seeding for outside clients (a torrent_file with upload_to, or no leechers).
        if (w.remote_peers > 0 || w.leechers == 0)
            ImGui::Text("%u/%u outside clients with every piece", w.remote_peers_complete, w.remote_peers);
        ImGui::Text("request p50 %s  p99 %s", format_ms(w.request_ms_p50).c_str(), format_ms(w.request_ms_p99).c_str());
    }
    for (const auto& e : s.error_messages) ImGui::TextColored(ImVec4(1, 0.45f, 0.42f, 1), "%s", e.c_str());
    if (!state.run_dir.empty()) ImGui::TextDisabled("results: %s", state.run_dir.string().c_str());
}

}  // namespace

void draw_run_panel(app_state& state, app_commands& cmd) {
    const float button_w = ImGui::GetFontSize() * 6;
    ImGui::BeginDisabled(!can_start(state));
    if (ImGui::Button("Start", ImVec2(button_w, 0))) cmd.start = true;
    ImGui::EndDisabled();
    ImGui::SameLine();
    ImGui::BeginDisabled(state.phase != run_phase::running);
    if (ImGui::Button("Stop", ImVec2(button_w, 0))) cmd.stop = true;
    ImGui::EndDisabled();
    ImGui::SameLine();

    const progress& p = state.last_progress;
    switch (state.phase) {
        case run_phase::idle: ImGui::TextDisabled("ready"); break;
        case run_phase::stopping: ImGui::TextDisabled("stopping..."); break;
        case run_phase::finished: ImGui::TextDisabled("finished"); break;
        case run_phase::running: {
            // The CLI's line (rate, share done, ETA) on a line of its own: beside
            // the buttons it held only the time and the phase.
            ImGui::NewLine();
            // The longest form whose measured text fits the bar (glyphs differ in width).
            const float room = ImGui::GetContentRegionAvail().x - ImGui::GetStyle().FramePadding.x * 2;
            const float narrowest = std::max(ImGui::CalcTextSize("i").x, 1.0f);
            std::string overlay = progress_text(p);
            const auto widest = std::min(overlay.size(), static_cast<std::size_t>(std::max(room / narrowest, 12.0f)));
            for (std::size_t w = widest; w >= 12; --w) {
                overlay = progress_text(p, w);
                if (ImGui::CalcTextSize(overlay.c_str()).x <= room) break;
            }
            ImGui::ProgressBar(p.fraction >= 0 ? static_cast<float>(p.fraction) : 0.0f, ImVec2(-FLT_MIN, 0),
                               overlay.c_str());
            if (!p.warning.empty()) ImGui::TextColored(ImVec4(0.95f, 0.65f, 0.25f, 1.0f), "%s", p.warning.c_str());
            break;
        }
    }
    if (state.phase == run_phase::running && state.running_mode == run_mode::swarm) draw_steering(state, cmd);
    if (state.phase == run_phase::finished) draw_summary(state);
}

}  // namespace swarmbench::gui
