// swarmbench-gui: the GLFW + OpenGL 3 shell around the app's frame, in the
// shape of Dear ImGui 1.86's examples/example_glfw_opengl3/main.cpp (GL 3.0
// + GLSL 130, vsync, ImGui_ImplGlfw + ImGui_ImplOpenGL3). Adds: DPI scaling
// from the monitor's content scale, a font from Debian's fonts-dejavu-core
// when present (ImGui's built-in one otherwise), our own icon, and the
// framebuffer read back for --screenshot.
#include <algorithm>
#include <cfloat>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>
#include <variant>
#include <vector>

#include <imgui.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>

#include <GLFW/glfw3.h>  // after imgui; drags in the system OpenGL header

#include "app.hpp"
#include "app_options.hpp"
#include "frame_stats.hpp"
#include "icon.hpp"
#include "png.hpp"

namespace {

using namespace swarmbench::gui;

void glfw_error_callback(int error, const char* description) {
    std::fprintf(stderr, "swarmbench-gui: GLFW error %d: %s\n", error, description);
}

/// The current back buffer as top-down RGBA.
std::vector<std::uint8_t> read_framebuffer(int w, int h) {
    std::vector<std::uint8_t> px(static_cast<std::size_t>(w) * h * 4);
    glReadBuffer(GL_BACK);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadPixels(0, 0, w, h, GL_RGBA, GL_UNSIGNED_BYTE, px.data());
    std::vector<std::uint8_t> flipped(px.size());
    const std::size_t row = static_cast<std::size_t>(w) * 4;
    for (int y = 0; y < h; ++y)
        std::copy_n(px.data() + static_cast<std::size_t>(h - 1 - y) * row, row, flipped.data() + static_cast<std::size_t>(y) * row);
    for (std::size_t i = 3; i < flipped.size(); i += 4) flipped[i] = 255;  // the window is opaque
    return flipped;
}

void set_icon(GLFWwindow* window) {
    std::vector<std::vector<std::uint8_t>> pixels;
    std::vector<GLFWimage> images;
    for (int size : {16, 32, 48, 128}) pixels.push_back(draw_icon(size));
    int i = 0;
    for (int size : {16, 32, 48, 128}) images.push_back(GLFWimage{size, size, pixels[static_cast<std::size_t>(i++)].data()});
    glfwSetWindowIcon(window, static_cast<int>(images.size()), images.data());
}

void load_fonts(float scale) {
    ImGuiIO& io = ImGui::GetIO();
    // Debian's DejaVu (also what Wine finds through its Z: drive), else
    // Windows' own Segoe UI; ImGui's built-in font as the last resort.
    std::vector<std::filesystem::path> candidates{"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"};
    if (const char* windir = std::getenv("WINDIR"); windir != nullptr && *windir != '\0')
        candidates.push_back(std::filesystem::path(windir) / "Fonts" / "segoeui.ttf");
    for (const auto& font : candidates) {
        std::error_code ec;
        if (std::filesystem::exists(font, ec) &&
            io.Fonts->AddFontFromFileTTF(font.string().c_str(), 15.0f * scale) != nullptr)
            return;
    }
    ImFontConfig config;
    config.SizePixels = 13.0f * scale;
    io.Fonts->AddFontDefault(&config);
}

}  // namespace

int main(int argc, char** argv) {
    auto parsed = parse_options(argc, argv);
    if (auto* err = std::get_if<std::string>(&parsed)) {
        std::fprintf(stderr, "swarmbench-gui: %s\n", err->c_str());
        return 2;
    }
    const app_options options = std::get<app_options>(parsed);
    if (options.help) {
        std::fputs(usage_text(), stdout);
        return 0;
    }
    if (!options.write_icon.empty()) {
        if (auto err = write_png(options.write_icon, 256, 256, draw_icon(256))) {
            std::fprintf(stderr, "swarmbench-gui: %s\n", err->c_str());
            return 1;
        }
        return 0;
    }

    // Setup window
    glfwSetErrorCallback(glfw_error_callback);
    if (!glfwInit()) {
        std::fprintf(stderr, "swarmbench-gui: cannot open a window (no display? set DISPLAY or use xvfb-run)\n");
        return 1;
    }
    // GL 3.0 + GLSL 130
    const char* glsl_version = "#version 130";
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
    glfwWindowHint(GLFW_SCALE_TO_MONITOR, GLFW_TRUE);  // size in screen coordinates scaled on HiDPI monitors

    GLFWwindow* window = glfwCreateWindow(options.width, options.height, "swarmbench", nullptr, nullptr);
    if (window == nullptr) {
        std::fprintf(stderr, "swarmbench-gui: cannot create an OpenGL 3.0 window (libgl1-mesa-dri installed?)\n");
        glfwTerminate();
        return 1;
    }
    glfwMakeContextCurrent(window);
    glfwSwapInterval(1);  // Enable vsync
    set_icon(window);

    // Setup Dear ImGui context
    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;  // layout is fixed; UI settings live in app_state
    io.ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;

    float xscale = 1, yscale = 1;
    glfwGetWindowContentScale(window, &xscale, &yscale);
    const float scale = std::max(1.0f, std::max(xscale, yscale));
    ImGui::StyleColorsDark();
    ImGuiStyle& style = ImGui::GetStyle();
    style.FrameRounding = 3;
    style.ChildRounding = 4;
    style.GrabRounding = 3;
    style.ScaleAllSizes(scale);
    load_fonts(scale);

    // Setup Platform/Renderer backends
    ImGui_ImplGlfw_InitForOpenGL(window, true);
    ImGui_ImplOpenGL3_Init(glsl_version);

    int code = 0;
    {
        gui_app app(options);
        const ImVec4 clear_color(0.06f, 0.07f, 0.09f, 1.00f);
        // Main loop
        frame_stats frames;  // --frame-stats only
        const bool measure = !options.frame_stats.empty();
        // Frame pacing. vsync does not block everywhere (Xvfb, some compositors),
        // and an unpaced loop would take a whole core from the swarm it shows.
        // Input gets the display rate (60 Hz) for half a second after it (ImGui
        // shows a click's or hover's effect a frame or two later); a running
        // swarm only changes once per sample, so 10 frames a second follow it;
        // an idle app wakes 4 times a second. And drawing has a CPU budget:
        // with software GL (llvmpipe under Xvfb) a frame can cost 50 ms or
        // more, all of it taken from the swarm's cores. Without input, drawing
        // may use 3% of the machine (the goodput target is "within 5% of the
        // CLI"); with input, half a core, so the UI stays usable.
        constexpr double input_period_s = 1.0 / 60.0;
        constexpr double live_period_s = 0.1;
        constexpr double idle_period_s = 0.25;
        constexpr double after_input_s = 0.5;
        const double live_draw_share = 0.03 * std::max(1u, std::thread::hardware_concurrency());
        constexpr double input_draw_share = 0.5;
        double frame_start = glfwGetTime();
        double last_input = frame_start;
        double last_draw_s = 0;  // the previous frame's work, build and GL
        while (!glfwWindowShouldClose(window) && !app.should_quit()) {
            const bool input = frame_start - last_input < after_input_s;
            double period = input ? input_period_s : app.animating() ? live_period_s : idle_period_s;
            period = std::max(period, last_draw_s / (input ? input_draw_share : live_draw_share));
            const double wait = period - (glfwGetTime() - frame_start);
            if (wait > 0) {
                const double before = glfwGetTime();
                glfwWaitEventsTimeout(wait);
                if (glfwGetTime() - before < wait * 0.9) last_input = glfwGetTime();  // woken early: an event
            } else {
                glfwPollEvents();
            }
            frame_start = glfwGetTime();

            // Start the Dear ImGui frame
            const auto t0 = std::chrono::steady_clock::now();
            ImGui_ImplOpenGL3_NewFrame();
            ImGui_ImplGlfw_NewFrame();
            if (app.hides_pointer()) ImGui::GetIO().MousePos = ImVec2(-FLT_MAX, -FLT_MAX);  // after the backend set it
            ImGui::NewFrame();
            app.frame();

            // Rendering
            ImGui::Render();
            const auto t1 = std::chrono::steady_clock::now();
            int display_w = 0, display_h = 0;
            glfwGetFramebufferSize(window, &display_w, &display_h);
            glViewport(0, 0, display_w, display_h);
            glClearColor(clear_color.x, clear_color.y, clear_color.z, clear_color.w);
            glClear(GL_COLOR_BUFFER_BIT);
            ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
            // Wait for the GL work itself (software GL renders on the CPU), so the
            // pacing above and --frame-stats see what drawing cost; swap (and a
            // vsync wait in it) comes after and is not counted.
            glFinish();
            last_draw_s = glfwGetTime() - frame_start;
            if (measure && app.moving_data()) {
                const auto t2 = std::chrono::steady_clock::now();
                frames.add(std::chrono::duration<double, std::milli>(t1 - t0).count(),
                           std::chrono::duration<double, std::milli>(t2 - t0).count(), app.connections_active(),
                           ImGui::GetDrawData()->TotalVtxCount);
            }
            if (app.wants_screenshot())
                app.screenshot_taken(write_png(app.screenshot_path(), display_w, display_h,
                                               read_framebuffer(display_w, display_h)));
            glfwSwapBuffers(window);
        }
        if (measure) {
            if (auto err = frames.write(options.frame_stats)) {
                std::fprintf(stderr, "swarmbench-gui: %s\n", err->c_str());
                if (app.exit_code() == 0) code = 1;
            }
        }
        if (code == 0) code = app.exit_code();
    }  // the app stops and joins its run before the window goes

    // Cleanup
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();

    glfwDestroyWindow(window);
    glfwTerminate();
    return code;
}
