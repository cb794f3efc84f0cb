// panels: the app's windows, one file each (panel_<name>.cpp), each drawing
// from app_state and asking for actions through app_commands. The app's
// frame dispatches them with one line each.
//
// Thread rules: UI thread, inside an ImGui frame.
#pragma once

#include "app_state.hpp"

namespace swarmbench::gui {

/// The main menu bar: File (load/save scenario, export, open results, quit), View.
void draw_menu(app_state& state, app_commands& cmd);
/// Mode selector, every scenario field (validated as typed), load and save.
void draw_scenario_panel(app_state& state, app_commands& cmd);
/// Start/Stop, progress, steering sliders and the finished run's summary.
void draw_run_panel(app_state& state, app_commands& cmd);
/// The live graphs over the scrolling window, with overlays and markers.
void draw_graphs_panel(app_state& state);
/// The log lines copied from the spdlog sink.
void draw_log_panel(app_state& state);
/// Peers table, piece map and disk seek map (app/gui/panels/), as tabs.
void draw_peers_tab(app_state& state);
void draw_pieces_tab(app_state& state);
void draw_disk_tab(app_state& state);

/// The export and open-results popups the menu opens (drawn every frame).
void draw_popups(app_state& state, app_commands& cmd);

}  // namespace swarmbench::gui
