// null_imgui: imgui's examples/example_null set-up as a gtest fixture: a
// fresh context per test (so table and window state start clean), a display
// size and a built font atlas; no window, no GL. Shared by the panel tests
// (tests/app) and the app-core tests (tests/app_gui).
#pragma once

#include <gtest/gtest.h>
#include <imgui.h>

namespace swarmbench::gui {

class null_imgui_fixture : public ::testing::Test {
protected:
    void SetUp() override {
        IMGUI_CHECKVERSION();
        ctx_ = ImGui::CreateContext();
        ImGuiIO& io = ImGui::GetIO();
        io.IniFilename = nullptr;  // no imgui.ini written by tests
        io.LogFilename = nullptr;
        io.DisplaySize = ImVec2(1280, 800);
        io.DeltaTime = 1.0f / 60.0f;
        // As the OpenGL 3 backend does: meshes past 64K vertices stay legal.
        io.BackendFlags |= ImGuiBackendFlags_RendererHasVtxOffset;
        unsigned char* pixels = nullptr;
        int w = 0, h = 0;
        io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);  // builds the atlas NewFrame needs
    }
    void TearDown() override { ImGui::DestroyContext(ctx_); }

private:
    ImGuiContext* ctx_ = nullptr;  // owned
};

}  // namespace swarmbench::gui
