// swarmbench make-torrent and gen-data: .torrent files for real clients and
// the content that goes with them.
//
// make-torrent writes a v1 torrent of synthetic content (deterministic in
// --seed and marked with swarmbench's content seed, so swarmbench serves and
// checks it without files) or of existing files (--from). gen-data writes a
// synthetic torrent's content into a folder laid out as a client's download
// folder (DIR/<name>...), so a real client can seed it or check it;
// --verify and --verify-only read a folder back and check every piece.
//
// stdout carries one thing a script captures (the info-hash, or the JSON
// with --json; gen-data: the content's path); everything else goes to stderr.
//
// Thread rules: the main thread; the engine calls start and join their own
// hashing threads, and call the progress printer on this thread.
#include <bit>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <thread>

#include "cli_common.hpp"
#include "schema_flags.hpp"
#include "swarmbench/bt/content_files.hpp"
#include "swarmbench/bt/synthetic.hpp"
#include "swarmbench/bt/torrent_from_files.hpp"
#include "swarmbench/swarm/scenario.hpp"
#include "swarmbench/units.hpp"

namespace swarmbench::cli {

namespace {

namespace fs = std::filesystem;


double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string bytes_text(std::uint64_t n) { return format_bytes(static_cast<double>(n)); }

std::string rate_text(std::uint64_t bytes, double seconds) {
    return seconds > 0 ? format_bytes(static_cast<double>(bytes) / seconds) + "/s" : std::string("-");
}

/// "[  2.0 s] hashing  1.23 GiB / 4.00 GiB   31%  612 MiB/s": one rewritten
/// line on a terminal, else a plain line per report (about one a second).
class byte_progress {
public:
    byte_progress(const char* verb, bool enabled) : verb_(verb), enabled_(enabled), tty_(stderr_is_terminal()) {}

    void operator()(std::uint64_t done, std::uint64_t total) {
        if (!enabled_) return;
        const double t = seconds_since(start_);
        char line[256];
        std::snprintf(line, sizeof line, "[%5.1f s] %s  %s / %s  %5.1f%%  %s", t, verb_, bytes_text(done).c_str(),
                      bytes_text(total).c_str(), total > 0 ? 100.0 * static_cast<double>(done) / static_cast<double>(total) : 0.0,
                      rate_text(done, t).c_str());
        if (tty_) std::fprintf(stderr, "\r%s\033[K", line);
        else std::fprintf(stderr, "%s\n", line);
        dirty_ = tty_;
        std::fflush(stderr);
    }
    /// Ends the rewritten line, if any.
    void finish() {
        if (dirty_) std::fprintf(stderr, "\n");
        dirty_ = false;
    }

private:
    const char* verb_;  // "hashing", "writing", "verifying"
    bool enabled_;      // --no-progress turns it off
    bool tty_;          // rewrite in place with \r
    bool dirty_ = false;  // a \r line is on screen
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();  // of the work
};

bt::content_hooks hooks_for(byte_progress& printer) {
    bt::content_hooks h;
    h.threads = std::max(1u, std::thread::hardware_concurrency());
    h.stop = &stop_flag();
    h.on_progress = [&printer](std::uint64_t done, std::uint64_t total) { printer(done, total); };
    return h;
}

/// Refuses to replace `path` unless `force`; a directory is never replaced.
void check_output_file(const fs::path& path, bool force) {
    std::error_code ec;
    const fs::file_status st = fs::symlink_status(path, ec);
    if (st.type() == fs::file_type::not_found) return;
    if (fs::is_directory(st)) throw std::runtime_error(path.string() + " is a directory: -o names the .torrent file to write");
    if (!force) throw std::runtime_error(path.string() + " already exists: pass --force to overwrite it");
}

// ---------------------------------------------------------------- make-torrent

struct make_torrent_args {
    // --size, --piece-size, --files, --seed: the scenario's torrent fields, so
    // a torrent made here is the one `run` makes of the same values.
    std::unique_ptr<schema_flags<swarm_scenario>> fields;
    std::string name;                   // --name
    std::string announce;               // --announce
    std::string from;                   // --from
    std::string output;                 // -o
    bool force = false;                 // --force
    bool json = false;                  // --json
    bool no_progress = false;           // --no-progress
};

int run_make_torrent(const make_torrent_args& a) {
    if (a.output.empty()) throw usage_error("-o/--output: required: the .torrent file to write");
    swarm_scenario sc;
    a.fields->apply(sc);
    const std::uint32_t piece = sc.piece_size;
    if (!a.name.empty())
        if (auto why = bt::check_path_component(a.name)) throw usage_error("--name: " + *why);
    const bool from = !a.from.empty();
    if (from) {
        for (auto [field, flag] :
             {std::pair{"torrent_size", "--size"}, {"file_count", "--files"}, {"content_seed", "--seed"}})
            if (a.fields->given(field))
                throw usage_error(std::string(flag) + ": cannot be combined with --from (the files are the content)");
    }
    const fs::path out_path(a.output);

    std::uint64_t seed = 0;
    bt::synthetic_spec synth;
    if (!from) {
        synth.total_size = sc.torrent_size;
        synth.file_count = sc.file_count;
        if (synth.file_count > synth.total_size)
            throw usage_error(fmt::format("--files: {} files need at least as many bytes, --size is {}",
                                          sc.file_count, format_bytes(double(sc.torrent_size))));
        seed = sc.content_seed;
        synth.seed = seed;
        synth.piece_size = piece;
        if (!a.name.empty()) synth.name = a.name;
        synth.announce = a.announce;
        synth.hash_threads = std::max(1u, std::thread::hardware_concurrency());
    }
    check_output_file(out_path, a.force);  // before spending time on hashing

    const auto start = std::chrono::steady_clock::now();
    byte_progress printer("hashing", !a.no_progress);
    bt::result<bt::torrent> t = [&]() -> bt::result<bt::torrent> {
        if (!from) return bt::make_synthetic_torrent(synth);
        bt::from_files_spec spec;
        spec.piece_size = piece;
        spec.name = a.name;
        spec.announce = a.announce;
        spec.hooks = hooks_for(printer);
        return bt::make_torrent_from_path(a.from, spec);
    }();
    printer.finish();
    if (!t) throw std::runtime_error("make-torrent: " + t.error());
    const double took = seconds_since(start);

    const std::string bytes = t->encode();
    {
        std::ofstream out(out_path, std::ios::binary | std::ios::trunc);
        if (out) out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        if (out) out.close();
        if (!out) throw std::runtime_error("cannot write " + a.output + ": " + std::strerror(errno));
    }

    const std::size_t files = t->files().size();
    std::FILE* err = stderr;
    std::fprintf(err, "make-torrent: wrote %s\n", a.output.c_str());
    std::fprintf(err, "  name       %s\n", t->name().c_str());
    std::fprintf(err, "  size       %s (%llu bytes) in %zu file%s\n", bytes_text(t->total_length()).c_str(),
                 static_cast<unsigned long long>(t->total_length()), files, files == 1 ? "" : "s");
    std::fprintf(err, "  pieces     %u of %s\n", t->piece_count(), bytes_text(t->piece_length()).c_str());
    std::fprintf(err, "  info-hash  %s\n", t->info_hash_hex().c_str());
    if (t->content_seed())
        std::fprintf(err, "  content    synthetic, seed %llu (write it with: swarmbench gen-data --torrent %s -o DIR)\n",
                     static_cast<unsigned long long>(*t->content_seed()), a.output.c_str());
    else
        std::fprintf(err, "  content    the files of %s\n", a.from.c_str());
    std::fprintf(err, "  hashed     in %.2f s (%s)\n", took, rate_text(t->total_length(), took).c_str());
    std::fflush(err);

    if (a.json) {
        nlohmann::json j{{"info_hash", t->info_hash_hex()},
                         {"name", t->name()},
                         {"size", t->total_length()},
                         {"piece_size", t->piece_length()},
                         {"piece_count", t->piece_count()},
                         {"files", files},
                         {"content_seed", nullptr},
                         {"path", a.output}};
        if (t->content_seed()) j["content_seed"] = *t->content_seed();
        std::cout << j.dump(2) << std::endl;
    } else {
        std::cout << t->info_hash_hex() << std::endl;
    }
    return exit_ok;
}

// ---------------------------------------------------------------- gen-data

struct gen_data_args {
    std::string torrent;       // --torrent
    std::string output;        // -o
    bool force = false;        // --force
    bool verify = false;       // --verify
    bool verify_only = false;  // --verify-only
    bool no_progress = false;  // --no-progress
};

bt::torrent load_torrent(const std::string& path) {
    std::error_code ec;
    const fs::file_status st = fs::status(path, ec);
    if (st.type() == fs::file_type::not_found) throw std::runtime_error(path + ": no such file (--torrent)");
    if (fs::is_directory(st)) throw std::runtime_error(path + ": is a directory, not a .torrent file (--torrent)");
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    if (in) ss << in.rdbuf();
    if (!in) throw std::runtime_error(path + ": cannot read: " + std::strerror(errno));
    auto t = bt::torrent::parse(ss.str());
    if (!t) throw std::runtime_error(path + ": not a valid .torrent file: " + t.error());
    return std::move(t.value());
}

/// Reads the content back and checks every piece; throws on a mismatch.
void verify(const bt::torrent& t, const std::string& torrent_path, const fs::path& dir, bool progress) {
    const auto start = std::chrono::steady_clock::now();
    byte_progress printer("verifying", progress);
    auto r = bt::verify_content(t, dir, hooks_for(printer));
    printer.finish();
    const fs::path root = bt::content_root(t, dir);
    if (!r) throw std::runtime_error(root.string() + " does not match " + torrent_path + ": " + r.error());
    if (!r->ok()) {
        std::string files;
        for (const std::string& f : r->first_bad_files) files += (files.empty() ? "" : ", ") + f;
        throw std::runtime_error(root.string() + " does not match " + torrent_path + ": " +
                                 std::to_string(r->bad_pieces) + " of " + std::to_string(r->pieces) +
                                 " pieces differ; the first is piece " + std::to_string(*r->first_bad_piece) +
                                 " (in " + files + ")");
    }
    const double took = seconds_since(start);
    std::fprintf(stderr, "verified %u pieces (%s) in %.2f s (%s): all match %s\n", r->pieces,
                 bytes_text(t.total_length()).c_str(), took, rate_text(t.total_length(), took).c_str(),
                 torrent_path.c_str());
}

int run_gen_data(const gen_data_args& a) {
    if (a.torrent.empty()) throw usage_error("--torrent: required: the .torrent file (from swarmbench make-torrent)");
    if (a.output.empty())
        throw usage_error("-o/--output: required: the folder to write into (the content goes to DIR/<torrent name>)");
    const bt::torrent t = load_torrent(a.torrent);
    const fs::path dir(a.output);
    const fs::path root = bt::content_root(t, dir);
    if (a.verify_only) {
        verify(t, a.torrent, dir, !a.no_progress);
        std::cout << root.string() << std::endl;
        return exit_ok;
    }
    if (!t.content_seed())
        throw std::runtime_error(a.torrent + " was not made by `swarmbench make-torrent` (no synthetic content seed): "
                                 "its content cannot be generated; seed it from the original files");
    if (!a.force) {
        const auto existing = bt::existing_content_files(t, dir);
        if (!existing.empty())
            throw std::runtime_error(existing.front().string() + " already exists" +
                                     (existing.size() > 1 ? " (and " + std::to_string(existing.size() - 1) +
                                                                " more of the torrent's files)"
                                                          : std::string()) +
                                     ": pass --force to overwrite");
    }
    const std::size_t files = t.files().size();
    std::fprintf(stderr, "gen-data: %s, %s in %zu file%s, synthetic seed %llu -> %s\n", t.name().c_str(),
                 bytes_text(t.total_length()).c_str(), files, files == 1 ? "" : "s",
                 static_cast<unsigned long long>(*t.content_seed()), root.string().c_str());
    std::fflush(stderr);

    const auto start = std::chrono::steady_clock::now();
    byte_progress printer("writing", !a.no_progress);
    bt::write_options options;
    options.overwrite = a.force;
    options.hooks = hooks_for(printer);
    const auto error = bt::write_synthetic_content(t, dir, options);
    printer.finish();
    if (error) throw std::runtime_error("gen-data: " + *error);
    const double took = seconds_since(start);
    std::fprintf(stderr, "wrote %s (%llu bytes) in %zu file%s in %.2f s (%s)\n", bytes_text(t.total_length()).c_str(),
                 static_cast<unsigned long long>(t.total_length()), files, files == 1 ? "" : "s", took,
                 rate_text(t.total_length(), took).c_str());
    std::fflush(stderr);
    if (a.verify) verify(t, a.torrent, dir, !a.no_progress);
    std::cout << root.string() << std::endl;
    return exit_ok;
}

}  // namespace

command make_torrent_command(CLI::App& parent) {
    auto a = std::make_shared<make_torrent_args>();
    CLI::App* sub = parent.add_subcommand(
        "make-torrent", "Write a .torrent of synthetic content (deterministic in --seed; gen-data writes its files) "
                        "or of existing files (--from), for real BitTorrent clients");
    sub->add_option("-o,--output", a->output, "The .torrent file to write (required)");
    a->fields = std::make_unique<schema_flags<swarm_scenario>>(
        sub, scenario_schema(),
        std::vector<flag_pick>{{.field = "torrent_size", .doc = "Synthetic: content size."},
                               {.field = "piece_size"},
                               {.field = "file_count", .doc = "Synthetic: files (1: a single-file torrent)."},
                               {.field = "content_seed", .flag = "--seed", .doc = "Synthetic: content seed."}});
    sub->add_option("--from", a->from, "Make it from this file (single-file torrent) or directory (every file below it)");
    sub->add_option("--name", a->name, "Torrent name (default: swarmbench-synthetic, or the --from file's or directory's name)");
    sub->add_option("--announce", a->announce, "Tracker URL (default: none; peers come from elsewhere)");
    sub->add_flag("--force", a->force, "Overwrite an existing -o file");
    sub->add_flag("--json", a->json, "Print a JSON summary on stdout instead of the bare info-hash");
    sub->add_flag("--no-progress", a->no_progress, "No progress lines on stderr while hashing");
    return {sub, [a] { return run_make_torrent(*a); }};
}

command make_gen_data_command(CLI::App& parent) {
    auto a = std::make_shared<gen_data_args>();
    CLI::App* sub = parent.add_subcommand(
        "gen-data", "Write the content of a make-torrent torrent into DIR as a client's download folder "
                    "(DIR/<name>...), or check a folder against any torrent (--verify-only)");
    sub->add_option("--torrent", a->torrent, "The .torrent file (required)");
    sub->add_option("-o,--output", a->output, "Download folder to write into (required; created if missing)");
    sub->add_flag("--force", a->force, "Overwrite files that already exist");
    sub->add_flag("--verify", a->verify, "Then read the files back and check every piece hash");
    sub->add_flag("--verify-only", a->verify_only,
                  "Write nothing: check every piece of DIR against the torrent (any torrent, --from ones too)");
    sub->add_flag("--no-progress", a->no_progress, "No progress lines on stderr");
    return {sub, [a] { return run_gen_data(*a); }};
}

}  // namespace swarmbench::cli
