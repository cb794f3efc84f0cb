// swarm: the controller of a swarm run (see swarm.hpp): prepares the torrent
// and the data directory, starts the contexts and hands each its share of
// seeders and leechers, samples every interval (streaming the time series to
// the results folder), decides when the run ends, tears it down and builds
// the results.
//
// Shaping a running swarm (swarm_controls): at every wake-up (at least once
// per sampling interval) the controller records each steering value that
// changed as a run_event, and takes the queued faults, splits each over the
// shards by their share of live connections and posts every shard its part.
// A drop or stall that finds no live connection waits for the next wake-up.
//
// [SECTION] faults and steering (swarm_controls)
// [SECTION] sampling
// [SECTION] preparation (torrent, data directory, shards)
// [SECTION] the run
// [SECTION] results
#include <algorithm>
#include <cstdlib>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <thread>
#include <utility>

#include <fmt/format.h>

#include "swarm_types.hpp"
#include "swarmbench/bt/synthetic.hpp"
#include "swarmbench/context_group.hpp"
#include "swarmbench/error.hpp"
#include "swarmbench/log.hpp"
#include "swarmbench/results_folder.hpp"
#include "swarmbench/settings/schema.hpp"
#include "swarmbench/temp_dir.hpp"
#include "swarmbench/units.hpp"

namespace swarmbench {

// ---------------------------------------------------------------------------
// [SECTION] faults and steering
// ---------------------------------------------------------------------------

namespace {

using detail::clock;
using detail::seconds_between;
using detail::shard;

constexpr double gib = 1024.0 * 1024.0 * 1024.0;
/// How long the controller waits for every shard's snapshot part.
constexpr auto snapshot_deadline = std::chrono::seconds(1);
/// Rounds whose late parts are still awaited (their writes go to a later snapshot).
constexpr std::size_t max_late_snapshots = 8;

// ---------------------------------------------------------------------------
// [SECTION] sampling
// ---------------------------------------------------------------------------

/// Sums of every shard's counters at one moment.
struct totals {
    std::uint64_t net_in = 0, net_out = 0, payload = 0, disk = 0, connects = 0, connect_failures = 0;
    std::uint64_t disconnects = 0, verified = 0, hash_failures = 0, protocol_errors = 0, errors = 0;
    std::int64_t active = 0, half_open = 0, link_held = 0;
};

totals sum(const std::vector<std::unique_ptr<shard>>& shards) {
    totals t;
    for (const auto& s : shards) {
        const detail::shard_counters& c = s->counters;
        t.net_in += c.net_in.get();
        t.net_out += c.net_out.get();
        t.payload += c.payload.get();
        t.disk += c.disk_written.get();
        t.connects += c.connects.get();
        t.connect_failures += c.connect_failures.get();
        t.disconnects += c.disconnects.get();
        t.verified += c.pieces_verified.get();
        t.hash_failures += c.hash_failures.get();
        t.protocol_errors += c.protocol_errors.get();
        t.errors += c.errors.get();
        t.active += c.active.get();
        t.half_open += c.half_open.get();
        t.link_held += c.link_held.get();
    }
    return t;
}

/// Takes (and resets) every shard's interval histograms.
detail::interval_histograms take_intervals(const std::vector<std::unique_ptr<shard>>& shards) {
    detail::interval_histograms merged;
    for (const auto& s : shards) {
        std::lock_guard lock(s->counters.hist_mutex);
        merged.request.merge(s->counters.interval.request);
        merged.disk_write.merge(s->counters.interval.disk_write);
        merged.connect.merge(s->counters.interval.connect);
        s->counters.interval = {};
    }
    return merged;
}

/// Whether `dir` holds `t`'s first piece (read and hashed here, on the
/// controller, before any context starts): "" or what is wrong.
std::optional<std::string> check_first_piece(const bt::torrent& t, const std::filesystem::path& dir) {
    if (t.piece_count() == 0) return std::nullopt;
    std::vector<bt::file_segment> segs;
    t.map_span(0, 0, t.piece_size(0), segs);
    std::vector<char> buf(t.piece_size(0));
    for (const bt::file_segment& seg : segs) {
        auto path = bt::safe_join(dir, t.files()[seg.file].path);
        if (!path) return path.error();
        std::ifstream in(path.value(), std::ios::binary);
        if (!in) return fmt::format("cannot open {}: {} (is {} the folder that holds {}?)", path.value().string(),
                                    std::generic_category().message(errno), dir.string(), t.name());
        in.seekg(static_cast<std::streamoff>(seg.file_offset));
        if (!in.read(buf.data() + seg.block_offset, seg.length))
            return fmt::format("{} is shorter than the torrent says ({} bytes)", path.value().string(),
                               t.files()[seg.file].length);
    }
    bt::sha1 h;
    h.update(std::as_bytes(std::span<const char>(buf)));
    if (h.finish() != t.piece_hash(0))
        return fmt::format("the first piece of {} under {} does not match the torrent's hash: is it the folder that "
                           "holds this torrent's content?",
                           t.name(), dir.string());
    return std::nullopt;
}

double rate(std::uint64_t now, std::uint64_t before, double dt) {
    return dt > 0 ? static_cast<double>(now - std::min(now, before)) / dt : 0;
}

class swarm_runner {
public:
    swarm_runner(const swarm_scenario& sc, const swarm_hooks& hooks) : hooks_(hooks) {
        run_.scenario = sc;
        run_.leecher_links = deal_links(sc.links, sc.leechers, sc.seed);
        run_.snapshots = static_cast<bool>(hooks.on_snapshot);
        res_.mode = "swarm";
        res_.config = to_json(sc);
        res_.environment = detect_environment();
        res_.summary.counted_at = sc.leechers > 0 ? "leechers" : "outside clients";
        res_.summary.swarm = swarm_summary{};
        res_.summary.swarm->storage = to_string(sc.storage);
        steered_ = sc;
        run_.steer = detail::steering::of(sc);
    }

    results run() {
        // A command rings the controller, which takes it at once (set-up
        // takes the ones queued before; the sample loop the rest).
        if (hooks_.controls != nullptr) hooks_.controls->attach([this] { run_.bell.ring(); });
        take_controls(clock::now());
        open_folder();
        if (res_.summary.status == "failed") return finish();
        if (const auto problems = validate(run_.scenario); !problems.empty()) {
            for (const auto& p : problems) detail::fail_run(res_, "scenario: " + p);
            return finish();
        }
        if (prepare() && start()) sample_until_done();
        teardown();
        collect();
        cleanup_data();
        return finish();
    }

private:
    bool stop_requested() const { return hooks_.run.stop_requested(); }
    void report(const progress& p) {
        if (hooks_.run.on_progress) hooks_.run.on_progress(p);
    }
    bool fail(const std::string& message) {
        detail::fail_run(res_, message);
        return false;
    }

    // ---- results folder ----

    void open_folder() {
        if (!hooks_.output_dir) return;
        auto dir = create_results_dir(*hooks_.output_dir);
        if (!dir) {
            detail::fail_run(res_, dir.error());
            return;
        }
        dir_ = dir.value();
        std::vector<std::string> names;
        for (const auto& c : sample_columns()) names.push_back(c.name);
        if (auto err = csv_.open(dir_ / timeseries_csv_name, names)) detail::fail_run(res_, *err);
        res_.summary.status = "running";
        write_json();
        res_.summary.status = res_.summary.errors ? "failed" : "ok";
    }

    void write_json() {
        if (dir_.empty()) return;
        if (auto err = write_results_json(dir_, to_json(res_))) log().error("{}", *err);
    }

    results finish() {
        if (hooks_.controls != nullptr) hooks_.controls->attach({});
        write_json();
        csv_.close();
        return std::move(res_);
    }

    // -------------------------------------------------------------------------
    // [SECTION] preparation
    // -------------------------------------------------------------------------

    bool prepare() {
        const swarm_scenario& sc = run_.scenario;
        const auto t0 = clock::now();
        report({"preparing", 0, 0, 0, 0, 0, 0, 0});
        if (!(sc.torrent_file.empty() ? make_torrent() : load_torrent())) return false;
        res_.config["info_hash"] = run_.torrent->info_hash_hex();
        res_.config["piece_count"] = run_.torrent->piece_count();
        log().debug("swarm: torrent of {} pieces ready in {:.2f} s", run_.torrent->piece_count(),
                    seconds_between(t0, clock::now()));
        swarm_summary& w = *res_.summary.swarm;
        w.torrent_bytes = run_.torrent->total_length();
        w.piece_count = run_.torrent->piece_count();

        // Peer ids: "-SB0100-" then 4 bytes of the swarm's id (the rest is
        // per peer): random per run, unless the processes of a split swarm
        // share one so that each takes the others' peers for its own.
        const std::string prefix = "-SB0100-";
        std::copy(prefix.begin(), prefix.end(), run_.id_prefix.begin());
        const auto r = sc.swarm_id != 0 ? sc.swarm_id
                                        : static_cast<std::uint32_t>(clock::now().time_since_epoch().count());
        std::memcpy(run_.id_prefix.data() + 8, &r, 4);

        if (sc.storage != storage_mode::discard && !make_data_dir()) return false;

        // Contexts, then shards: seeders and leechers dealt round robin.
        backend_choice choice = choose_backend(sc.backend);
        res_.environment.backend_reason = choice.reason;
        if (choice.active == backend_kind::automatic) return fail("backend: " + choice.reason);
        std::error_code ec;
        // Receive-pool buffers as large as the old per-connection receive
        // buffer: one completion (on epoll, one read) carries up to 8 blocks.
        // The pool is per context, so its 16 MiB do not grow with connections.
        context_options options;
        options.recv_buffer_size = 128 * 1024;
        options.recv_buffer_count = 128;
        group_ = std::make_unique<context_group>(choice.active, sc.threads, options, ec);
        if (ec) return fail(describe_error(std::string("starting ") + to_string(choice.active) + " contexts", ec));
        res_.environment.backend = to_string(group_->kind());
        res_.config["threads_used"] = group_->size();
        for (std::size_t i = 0; i < group_->size(); ++i) {
            auto s = std::make_unique<shard>();
            s->index = i;
            s->run = &run_;
            shards_.push_back(std::move(s));
        }
        const std::uint32_t seeders = sc.storage == storage_mode::disk_only ? 0 : sc.seeders;
        for (std::uint32_t i = 0; i < seeders; ++i) {
            shard& s = *shards_[i % shards_.size()];
            s.seeders.push_back(detail::make_swarm_peer(s, detail::peer_role::seeder, i));
        }
        for (std::uint32_t i = 0; i < sc.leechers; ++i) {
            // Leechers start on the context after the seeders' so both spread.
            shard& s = *shards_[(i + seeders) % shards_.size()];
            s.leechers.push_back(detail::make_swarm_peer(s, detail::peer_role::leecher, i));
        }
        std::vector<std::string> errs(shards_.size());
        const bool answered = detail::run_on_each(
            *group_, [&](std::size_t i, io_context& ctx) { errs[i] = detail::shard_setup(*shards_[i], ctx); },
            clock::now() + std::chrono::seconds(120));
        if (!answered) return fail("swarm: contexts did not finish set-up within 120 s");
        for (const auto& e : errs)
            if (!e.empty()) return fail(e);
        run_.seeders.resize(seeders);
        for (const auto& s : shards_)
            for (const auto& sd : s->seeders) run_.seeders[sd->index] = {sd->name, sd->where};
        for (std::size_t i = 0; i < sc.seeders_at.size(); ++i)
            run_.seeders.push_back({fmt::format("seeder-{:02}", i + 1), sc.seeders_at[i]});
        if (!run_.seeders.empty())
            res_.config["seeders_listen_on"] = run_.seeders.front().where.to_string() + (run_.seeders.size() > 1 ? " ..." : "");
        if (sc.leechers == 0 && sc.upload_to.empty()) {
            // Seeding for clients that connect in: they need the addresses.
            for (const auto& a : run_.seeders) log().info("{} listens on {}", a.name, a.where.to_string());
            // Nothing happens until a client comes: say what the run waits for, and how long.
            if (sc.duration_s > 0)
                log().info("no leechers: serving outside clients that connect in, for {} s (duration_s)",
                           sc.duration_s);
            else
                log().info("no leechers: waiting for an outside client to connect in and take every piece, at "
                           "most {} s (timeout_s); Ctrl-C stops",
                           sc.timeout_s);
        }
        return true;
    }

    /// The data directory: the scenario's, or a new temporary one.
    bool make_torrent() {
        const swarm_scenario& sc = run_.scenario;
        bt::synthetic_spec spec;
        spec.seed = sc.content_seed;
        spec.total_size = sc.torrent_size;
        spec.piece_size = sc.piece_size;
        spec.file_count = sc.file_count;
        spec.hash_threads = std::max(1u, std::thread::hardware_concurrency());
        auto t = bt::make_synthetic_torrent(spec);
        if (!t) return fail("torrent: " + t.error());
        run_.torrent = std::make_shared<const bt::torrent>(std::move(t.value()));
        run_.content_seed = sc.content_seed;
        return true;
    }

    /// torrent_file: read it, and find where its content comes from.
    bool load_torrent() {
        const swarm_scenario& sc = run_.scenario;
        auto t = bt::read_torrent_file(sc.torrent_file);
        if (!t) return fail("torrent_file: " + t.error());
        run_.torrent = std::make_shared<const bt::torrent>(std::move(t.value()));
        const bt::torrent& tor = *run_.torrent;
        run_.verify_discard = true;
        res_.config["torrent_name"] = tor.name();
        res_.config["torrent_bytes"] = tor.total_length();
        for (std::size_t i = 0; i < sc.piece_order.size(); ++i)
            if (sc.piece_order[i] >= tor.piece_count())
                return fail(fmt::format("scenario: piece_order: entry {} must be 0..{} ({} has {} pieces), got {}",
                                        i + 1, tor.piece_count() - 1, sc.torrent_file, tor.piece_count(),
                                        sc.piece_order[i]));
        const bool serves = sc.seeders > 0;
        if (!sc.content_dir.empty()) {
            // The folder must hold this torrent's content: check the first
            // piece now rather than let a client discover it piece by piece.
            if (auto why = check_first_piece(tor, sc.content_dir)) return fail("content_dir: " + *why);
            run_.content_seed.reset();
        } else if (tor.content_seed()) {
            run_.content_seed = tor.content_seed();
        } else if (serves) {
            return fail("torrent_file: " + sc.torrent_file +
                        " was not made by `swarmbench make-torrent` (it carries no synthetic content seed): "
                        "give content_dir (--data DIR), the folder holding its files");
        }
        res_.config["content"] = run_.content_seed ? fmt::format("synthetic (seed {})", *run_.content_seed)
                                                   : (sc.content_dir.empty() ? std::string("none (download only)")
                                                                             : "files in " + sc.content_dir);
        return true;
    }

    bool make_data_dir() {
        const swarm_scenario& sc = run_.scenario;
        std::error_code ec;
        if (!sc.data_dir.empty()) {
            run_.data_dir = sc.data_dir;
            std::filesystem::create_directories(run_.data_dir, ec);
            if (ec) return fail("data_dir: cannot create " + run_.data_dir.string() + ": " + ec.message());
        } else {
            run_.data_dir = make_temp_dir("swarmbench-data-", ec);
            if (ec)
                return fail(describe_error("cannot create a temporary data directory", ec) +
                            " (set TMPDIR or data_dir)");
            temp_data_ = true;
        }
        res_.summary.swarm->data_dir = run_.data_dir.string();
        return true;
    }

    // -------------------------------------------------------------------------
    // [SECTION] the run
    // -------------------------------------------------------------------------

    bool start() {
        cpu0_ = prev_cpu_ = process_cpu_seconds();
        t0_ = prev_t_ = clock::now();
        run_.start_ns = detail::steady_ns();
        // Named clients start "not connected": a client never reached is as
        // lost as one that left.
        for (const endpoint& e : run_.scenario.upload_to) add_client(e);
        for (const endpoint& e : run_.scenario.connect_to) add_client(e);
        for (std::size_t i = 0; i < shards_.size(); ++i) {
            shard* s = shards_[i].get();
            group_->post(i, [s](io_context&) { detail::shard_start(*s); });
        }
        return true;
    }

    void sample_until_done() {
        const swarm_scenario& sc = run_.scenario;
        const auto interval = std::chrono::milliseconds(sc.interval_ms);
        const auto end = t0_ + std::chrono::duration_cast<clock::duration>(
                                   std::chrono::duration<double>(sc.duration_s > 0 ? sc.duration_s : sc.timeout_s));
        auto next = t0_ + interval;
        // Snapshots ride on the same loop: it also wakes for them.
        const bool snapshots = static_cast<bool>(hooks_.on_snapshot);
        const auto snap_interval = std::max<clock::duration>(hooks_.snapshot_interval, std::chrono::milliseconds(10));
        auto next_snap = t0_ + snap_interval;
        shape(clock::now());  // faults queued before the run wait here for live connections
        while (true) {
            run_.bell.wait_until(snapshots ? std::min(next, next_snap) : next);
            auto now = clock::now();
            shape(now);
            if (snapshots && now >= next_snap) {
                take_snapshot(now);
                next_snap += snap_interval;
                if (next_snap < now) next_snap = now + snap_interval;  // fell behind: do not burst
                now = clock::now();
            }
            const bool complete = sc.duration_s == 0 && run_complete();
            const bool fatal = run_.fatal.load(std::memory_order_acquire);
            if (now < next && !complete && !fatal && !stop_requested()) continue;  // a ring, not a tick
            // Outside clients only: done with the last block they took (their
            // last HAVEs may reach us later, on a dialled-back connection).
            if (complete && remotes_expected() > 0)
                run_.all_done_ns.store(sc.leechers == 0 && run_.last_served_ns.load() > 0 ? run_.last_served_ns.load()
                                                                                          : detail::steady_ns());
            const client_status clients = client_status_now();
            take_sample(now, clients);
            if (complete) break;
            if (clients.down_s > sc.client_grace_s && depends_on_clients(sc)) {
                detail::fail_run(res_, fmt::format("swarm: no connection to the client {} for {:.0f} s (client_grace_s "
                                                   "= {} s; {} redials with backoff){}",
                                                   clients.worst, clients.down_s, sc.client_grace_s, clients.redials,
                                                   clients.last_loss.empty() ? "" : "; last: " + clients.last_loss));
                break;
            }
            if (fatal) {
                res_.summary.status = "failed";
                break;
            }
            if (stop_requested()) {
                res_.summary.status = "interrupted";
                break;
            }
            if (now >= end) {
                if (sc.duration_s == 0) {
                    detail::fail_run(res_, fmt::format("swarm: not complete after timeout_s = {} s ({}); raise "
                                                       "timeout_s or shrink the torrent",
                                                       sc.timeout_s, progress_text()));
                }
                break;
            }
            next += interval;
            if (next < now) next = now + interval;  // fell behind (suspended?): do not burst
        }
        t1_ = clock::now();
        for (const swarm_fault& f : pending_faults_)
            add_event(t1_, fault_text(f, f.count) + " (not applied: no live connection before the run ended)");
        pending_faults_.clear();
        if (snapshots) take_snapshot(t1_);  // the end state, before teardown clears it
    }

    // ---- shaping: steering events and faults (swarm_controls) ----

    /// Outside clients to wait for: every upload_to peer, or (seeders only,
    /// waiting for clients to connect in) at least one.
    void add_client(const endpoint& e) {
        auto link = std::make_unique<detail::client_link>();
        link->name = e.to_string();
        link->down_since_ns.store(run_.start_ns);
        run_.clients.push_back(std::move(link));
    }

    /// The named clients (upload_to, connect_to) as the controller sees them.
    struct client_status {
        std::uint32_t connections = 0;  // established connections to any of them
        double down_s = 0;              // the longest any one has had none (0: each has one)
        std::string worst;              // that client
        std::string last_loss;          // why its last connection ended or failed
        std::uint64_t redials = 0;      // dials after a lost or failed connection, all of them
    };

    client_status client_status_now() {
        client_status out;
        const std::int64_t now = detail::steady_ns();
        for (const auto& link : run_.clients) {
            const std::int64_t up = link->up.load(std::memory_order_acquire);
            out.connections += static_cast<std::uint32_t>(std::max<std::int64_t>(0, up));
            out.redials += link->redials.load(std::memory_order_relaxed);
            const std::int64_t since = link->down_since_ns.load(std::memory_order_acquire);
            if (up > 0 || since == 0) continue;
            const double down = static_cast<double>(now - since) / 1e9;
            if (down <= out.down_s) continue;
            out.down_s = down;
            out.worst = link->name;
            std::lock_guard lock(link->mutex);
            out.last_loss = link->last_loss;
        }
        client_down_max_s_ = std::max(client_down_max_s_, out.down_s);
        return out;
    }

    std::uint32_t remotes_expected() const {
        const swarm_scenario& sc = run_.scenario;
        if (!sc.upload_to.empty()) return static_cast<std::uint32_t>(sc.upload_to.size());
        return sc.leechers == 0 ? 1 : 0;
    }

    /// Run to completion: every leecher has verified every piece, and every
    /// outside client we wait for (and every one seen) has announced every piece.
    bool run_complete() const {
        const std::uint32_t expected = remotes_expected();
        const std::uint32_t seen = run_.remotes.clients(), complete = run_.remotes.complete_clients();
        return run_.leechers_done.load() == run_.scenario.leechers &&
               (expected == 0 || (complete >= expected && complete == seen));
    }

    std::string progress_text() const {
        const swarm_scenario& sc = run_.scenario;
        std::string out;
        if (sc.leechers > 0) out = fmt::format("{} of {} leechers done", run_.leechers_done.load(), sc.leechers);
        if (remotes_expected() > 0) {
            if (!out.empty()) out += ", ";
            out += fmt::format("{} of {} outside clients seen have every piece, {} expected",
                               run_.remotes.complete_clients(), run_.remotes.clients(), remotes_expected());
            if (run_.remotes.clients() == 0)
                out += sc.upload_to.empty() ? " (no client connected in)" : " (no handshake from the upload_to peers)";
        }
        return out;
    }

    void add_event(clock::time_point when, std::string what) {
        // Before the data phase (commands queued before the run): at its start.
        const double t = t0_ == clock::time_point{} ? 0.0 : std::max(0.0, seconds_between(t0_, when));
        log().debug("swarm: {} at {:.2f} s", what, t);
        res_.events.push_back({t, std::move(what)});
    }

    static std::string plural(std::uint64_t n, const char* one) {
        return fmt::format("{} {}{}", n, one, n == 1 ? "" : "s");
    }

    static std::string fault_text(swarm_fault f, std::uint64_t count) {
        f.count = static_cast<std::uint32_t>(count);
        return swarmbench::fault_text(f);
    }

    /// Takes the queued steering commands (controls.hpp): each change goes
    /// into the steered scenario, each live value that changed becomes an
    /// event ("pipeline 16 -> 32") and the values in force go to the shards
    /// (or, before set-up, into run_.steer, which set-up reads); faults wait
    /// in pending_faults_ for dispatch, notes become events. Controller thread.
    void take_controls(clock::time_point now) {
        if (hooks_.controls == nullptr) return;
        std::vector<swarm_controls::command> commands = hooks_.controls->take();
        if (commands.empty()) return;
        const auto& schema = scenario_schema();
        const auto& live = swarm_controls::names();
        std::vector<nlohmann::json> was;
        for (std::string_view name : live) was.push_back(schema.get(steered_, name));
        for (const swarm_controls::command& c : commands) {
            if (c.fault) {
                pending_faults_.push_back(*c.fault);
            } else if (!c.note.empty()) {
                add_event(now, c.note);
            } else if (auto err = schema.set(steered_, c.field,
                                             c.value.is_null() ? schema.get(run_.scenario, c.field) : c.value)) {
                log().error("steering: {}", *err);  // checked when it was set: not expected
            }
        }
        bool changed = false;
        for (std::size_t i = 0; i < live.size(); ++i) {
            nlohmann::json is = schema.get(steered_, live[i]);
            if (is == was[i]) continue;
            add_event(now, fmt::format("{} {} -> {}", live[i], swarm_controls::value_text(live[i], was[i]),
                                       swarm_controls::value_text(live[i], is)));
            changed = true;
        }
        if (!changed) return;
        const detail::steering v = detail::steering::of(steered_);
        if (group_ == nullptr) {
            run_.steer = v;
            return;
        }
        for (std::size_t i = 0; i < shards_.size(); ++i) {
            shard* s = shards_[i].get();
            if (s->ctx != nullptr) group_->post(i, [s, v](io_context&) { detail::shard_steer(*s, v); });
        }
    }

    /// Takes the steering commands and hands the pending faults to the shards.
    void shape(clock::time_point now) {
        take_controls(now);
        if (shards_.empty()) return;
        std::erase_if(pending_faults_, [&](const swarm_fault& f) { return dispatch(f, now); });
    }

    /// Splits `f` over the shards by their share of live connections (the
    /// leecher side for drop, the seeder side for stall and corrupt) and posts
    /// each its part. False when a drop or stall finds no live connection
    /// (it is tried again at the next wake-up).
    bool dispatch(const swarm_fault& f, clock::time_point now) {
        const bool on_leechers = f.kind == swarm_fault::kind_t::drop;
        std::vector<std::uint64_t> weight(shards_.size());
        std::uint64_t total = 0;
        for (std::size_t i = 0; i < shards_.size(); ++i) {
            const detail::shard_counters& k = shards_[i]->counters;
            weight[i] = static_cast<std::uint64_t>(std::max<std::int64_t>(0, (on_leechers ? k.leecher_live : k.seeder_live).get()));
            total += weight[i];
        }
        std::uint64_t count = f.count;
        std::string note;
        if (total == 0) {
            if (f.kind != swarm_fault::kind_t::corrupt) return false;
            // No connection yet: the seeders' shards owe the blocks evenly.
            for (std::size_t i = 0; i < shards_.size(); ++i) total += weight[i] = shards_[i]->seeders.size();
            if (total == 0) {
                add_event(now, fault_text(f, count) + " (not applied: no seeder of this swarm sends blocks)");
                return true;
            }
        } else if (f.kind != swarm_fault::kind_t::corrupt && count > total) {
            note = fmt::format(" (asked for {}, {} live)", f.count, total);
            count = total;
        }
        // Largest remainder: the parts add up to `count` exactly.
        std::vector<std::uint64_t> part(shards_.size());
        std::vector<std::size_t> order(shards_.size());
        std::uint64_t given = 0;
        for (std::size_t i = 0; i < shards_.size(); ++i) {
            part[i] = count * weight[i] / total;
            given += part[i];
            order[i] = i;
        }
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
            return count * weight[a] % total > count * weight[b] % total;
        });
        for (std::size_t k = 0; given < count && k < order.size(); ++k, ++given) ++part[order[k]];
        if (f.kind == swarm_fault::kind_t::stall) {
            // Leechers must not drop what is silent on purpose: they count
            // silence from the stall's end (a second of slack for the posts).
            const auto until = detail::steady_ns() + static_cast<std::int64_t>((f.seconds + 1) * 1e9);
            if (until > run_.stall_until_ns.load(std::memory_order_relaxed))
                run_.stall_until_ns.store(until, std::memory_order_relaxed);
        }
        for (std::size_t i = 0; i < shards_.size(); ++i) {
            if (part[i] == 0 || shards_[i]->ctx == nullptr) continue;
            swarm_fault mine = f;
            mine.count = static_cast<std::uint32_t>(part[i]);
            shard* s = shards_[i].get();
            group_->post(i, [s, mine](io_context&) { detail::shard_apply_fault(*s, mine); });
        }
        add_event(now, fault_text(f, count) + note);
        return true;
    }

    /// Asks every shard for its part of a snapshot, merges them and hands the
    /// result to on_snapshot. A shard that does not answer within
    /// snapshot_deadline costs this snapshot (its writes reach a later one).
    void take_snapshot(clock::time_point now) {
        std::vector<shard*> of;
        for (const auto& s : shards_) of.push_back(s.get());
        auto round = std::make_shared<detail::snapshot_round>(std::move(of));
        const bool answered = detail::run_on_each(
            *group_, [round](std::size_t i, io_context&) { detail::fill_snapshot(*round->shards[i], round->parts[i]); },
            clock::now() + snapshot_deadline);
        if (!answered) {
            log().debug("swarm: a context did not answer the snapshot at {:.2f} s within {} ms; skipped",
                        seconds_between(t0_, now),
                        std::chrono::duration_cast<std::chrono::milliseconds>(snapshot_deadline).count());
            if (late_snapshots_.size() == max_late_snapshots) late_snapshots_.erase(late_snapshots_.begin());
            late_snapshots_.push_back(std::move(round));
            return;
        }
        std::erase_if(late_snapshots_, [&](const auto& late) { return detail::adopt_late_writes(*late, round->parts[0]); });
        swarm_snapshot snap = detail::merge_snapshot(*round, run_.scenario.leechers);
        snap.t_s = seconds_between(t0_, now);
        hooks_.on_snapshot(std::move(snap));
    }

    void take_sample(clock::time_point now, const client_status& clients) {
        const swarm_scenario& sc = run_.scenario;
        const totals t = sum(shards_);
        const detail::interval_histograms h = take_intervals(shards_);
        const double dt = seconds_between(prev_t_, now);
        const double cpu = process_cpu_seconds();
        swarm_sample s;
        s.t_s = seconds_between(t0_, now);
        s.net_in_total = t.net_in;
        s.net_out_total = t.net_out;
        s.net_in_bps = rate(t.net_in, prev_.net_in, dt);
        s.net_out_bps = rate(t.net_out, prev_.net_out, dt);
        s.payload_total = t.payload;
        s.goodput_bps = rate(t.payload, prev_.payload, dt);
        s.disk_write_total = t.disk;
        s.disk_write_bps = rate(t.disk, prev_.disk, dt);
        s.disk_write_us_p50 = h.disk_write.percentile_ns(0.5) / 1e3;
        s.disk_write_us_p90 = h.disk_write.percentile_ns(0.9) / 1e3;
        s.disk_write_us_p99 = h.disk_write.percentile_ns(0.99) / 1e3;
        s.request_ms_p50 = h.request.percentile_ns(0.5) / 1e6;
        s.request_ms_p90 = h.request.percentile_ns(0.9) / 1e6;
        s.request_ms_p99 = h.request.percentile_ns(0.99) / 1e6;
        s.connections_active = static_cast<std::uint32_t>(std::max<std::int64_t>(0, t.active));
        s.connections_half_open = static_cast<std::uint32_t>(std::max<std::int64_t>(0, t.half_open));
        s.connect_ms_p50 = h.connect.percentile_ns(0.5) / 1e6;
        s.connect_ms_p99 = h.connect.percentile_ns(0.99) / 1e6;
        s.connects_total = t.connects;
        s.disconnects_total = t.disconnects;
        s.pieces_complete_total = t.verified;
        s.pieces_wanted = std::uint64_t{run_.torrent->piece_count()} * (sc.leechers + remotes_expected());
        s.hash_failures_total = t.hash_failures;
        s.protocol_errors_total = t.protocol_errors;
        s.leechers_done = run_.leechers_done.load(std::memory_order_relaxed);
        s.cpu_percent = dt > 0 ? 100.0 * (cpu - prev_cpu_) / dt : 0;
        s.rss_bytes = process_rss_bytes();
        s.client_connections = clients.connections;
        s.client_down_s = clients.down_s;
        s.link_held_bytes = static_cast<std::uint64_t>(std::max<std::int64_t>(0, t.link_held));
        prev_ = t;
        prev_t_ = now;
        prev_cpu_ = cpu;

        const std::vector<double> row = sample_values(s);
        if (csv_.is_open())
            if (auto err = csv_.append(row)) log().error("{}", *err);  // the run goes on; results.json still gets written
        timeseries& ts = res_.series;
        ts.push(s.t_s, s.payload_total, s.goodput_bps);
        const auto& cols = sample_columns();
        for (std::size_t i = 1; i < cols.size(); ++i) ts.extra[cols[i].name].push_back(row[i]);
        if (hooks_.on_sample) hooks_.on_sample(s);

        const std::uint64_t wanted =
            sc.duration_s > 0 ? 0 : run_.torrent->total_length() * (sc.leechers + remotes_expected());
        progress p{"running", s.t_s, sc.duration_s, s.payload_total, s.goodput_bps, s.connections_active, wanted,
                   t.errors + t.protocol_errors + t.hash_failures};
        if (wanted > 0) p.fraction = std::min(1.0, static_cast<double>(s.payload_total) / static_cast<double>(wanted));
        else if (sc.duration_s > 0) p.fraction = std::min(1.0, s.t_s / sc.duration_s);
        // A second without the client is worth saying (the first connects take a moment).
        if (clients.down_s >= 1)
            p.warning = fmt::format("no connection to the client {} for {:.0f} s ({} redials)", clients.worst,
                                    clients.down_s, clients.redials);
        report(p);
    }

    void teardown() {
        if (!group_) return;
        // Before the window opened (a set-up failure) there is no run time to show.
        if (t0_ != clock::time_point{}) report({"stopping", seconds_between(t0_, clock::now()), 0, 0, 0, 0, 0, 0});
        for (std::size_t i = 0; i < shards_.size(); ++i) {
            shard* s = shards_[i].get();
            if (s->ctx == nullptr) continue;  // set-up never reached it
            group_->post(i, [s](io_context&) { detail::shard_stop(*s); });
        }
        std::size_t expected = 0;
        for (const auto& s : shards_) expected += s->ctx != nullptr ? 1 : 0;
        if (!detail::wait_for_shards(run_.bell, run_.finished, expected, std::chrono::seconds(30)))
            detail::fail_run(res_, "swarm: operations still pending 30 s after stop; the engine cancels them now");
        group_->stop();
        group_->join();  // contexts die on their threads; every callback has run
    }

    // -------------------------------------------------------------------------
    // [SECTION] results
    // -------------------------------------------------------------------------

    /// Per access-link class: what its leechers downloaded; how late held chunks came.
    void collect_links(swarm_summary& w, const latency_histogram& late, double seconds) {
        const std::vector<link_class>& links = run_.scenario.links;
        if (links.empty()) return;
        w.links.resize(links.size());
        for (std::size_t i = 0; i < links.size(); ++i) w.links[i].name = links[i].name;
        // Each leecher over its own time: to its completion, else the run's.
        for (const auto& s : shards_)
            for (const auto& p : s->leechers) {
                if (p->access == nullptr) continue;
                link_goodput& g = w.links[static_cast<std::size_t>(p->access - links.data())];
                const double own = p->done_ns > run_.start_ns && run_.scenario.duration_s == 0
                                       ? static_cast<double>(p->done_ns - run_.start_ns) / 1e9
                                       : seconds;
                ++g.leechers;
                g.bytes += p->payload_in;
                if (own > 0) g.goodput_bytes_per_s += static_cast<double>(p->payload_in) / own;
            }
        for (link_goodput& g : w.links)
            g.per_leecher_bytes_per_s = g.leechers > 0 ? g.goodput_bytes_per_s / g.leechers : 0;
        w.link_chunks = late.count();
        w.link_late_ms_p50 = late.percentile_ns(0.5) / 1e6;
        w.link_late_ms_p99 = late.percentile_ns(0.99) / 1e6;
    }

    void collect() {
        if (shards_.empty()) return;
        const totals t = sum(shards_);
        swarm_summary& w = *res_.summary.swarm;
        const swarm_scenario& sc = run_.scenario;
        latency_histogram req, write_ns, conn, late;
        for (const auto& s : shards_) {
            req.merge(s->run_request);
            write_ns.merge(s->run_disk_write);
            conn.merge(s->run_connect);
            late.merge(s->run_link_late);
            for (auto& p : s->peers) res_.peers.push_back(std::move(p));
            w.seeders += static_cast<std::uint32_t>(s->seeders.size());
            w.leechers += static_cast<std::uint32_t>(s->leechers.size());
        }
        std::sort(res_.peers.begin(), res_.peers.end(),
                  [](const peer_summary& a, const peer_summary& b) { return a.leecher < b.leecher; });
        w.leechers_complete = run_.leechers_done.load();
        w.remote_peers = run_.remotes.clients();
        w.remote_peers_complete = run_.remotes.complete_clients();
        for (const auto& link : run_.clients) w.client_redials += link->redials.load();
        w.client_down_s_max = client_down_max_s_;
        // Pieces are SHA-1 checked when they land in files, when a
        // torrent_file is downloaded into discard, and by outside clients
        // (who announce a piece once it passed); discard and disk_only
        // swarms of synthetic content complete pieces without hashing them.
        w.pieces_complete = t.verified;
        w.pieces_hashed = sc.storage == storage_mode::files || run_.verify_discard || sc.leechers == 0;
        w.pieces_verified = w.pieces_hashed ? t.verified : 0;
        w.hash_failures = t.hash_failures;
        w.protocol_errors = t.protocol_errors;
        w.disconnects = t.disconnects;
        w.connect_failures = t.connect_failures;
        w.net_bytes_in = t.net_in;
        w.net_bytes_out = t.net_out;
        // Discard "writes" go nowhere: no bytes or latencies to report as disk.
        const bool disk = sc.storage != storage_mode::discard;
        w.disk_bytes_written = disk ? t.disk : 0;
        w.request_ms_p50 = req.percentile_ns(0.5) / 1e6;
        w.request_ms_p90 = req.percentile_ns(0.9) / 1e6;
        w.request_ms_p99 = req.percentile_ns(0.99) / 1e6;
        w.disk_write_us_p50 = disk ? write_ns.percentile_ns(0.5) / 1e3 : 0;
        w.disk_write_us_p99 = disk ? write_ns.percentile_ns(0.99) / 1e3 : 0;
        w.connect_ms_p50 = conn.percentile_ns(0.5) / 1e6;
        w.connect_ms_p99 = conn.percentile_ns(0.99) / 1e6;
        const std::int64_t done_ns = run_.all_done_ns.load();
        // Serving outside clients only, the clock starts at their first
        // block: the wait for a client to connect in is not its speed.
        const std::int64_t first_ns = run_.first_byte_ns.load();
        const std::int64_t from_ns = sc.leechers == 0 && first_ns > 0 ? first_ns : run_.start_ns;
        if (done_ns > 0 && sc.duration_s == 0) w.completion_seconds = static_cast<double>(done_ns - from_ns) / 1e9;
        const double seconds = w.completion_seconds > 0 ? w.completion_seconds : seconds_between(t0_, t1_);
        set_goodput(res_.summary, t.payload, seconds);
        collect_links(w, late, seconds);
        res_.summary.cpu_seconds = process_cpu_seconds() - cpu0_;
        w.cpu_seconds_per_gib = t.payload > 0 ? res_.summary.cpu_seconds / (static_cast<double>(t.payload) / gib) : 0;
        res_.summary.errors += t.errors;
        run_.errors.drain_into(res_.summary);
        if (res_.summary.status == "running") res_.summary.status = "ok";
    }

    void cleanup_data() {
        swarm_summary& w = *res_.summary.swarm;
        if (run_.data_dir.empty()) return;
        const bool keep = run_.scenario.keep_data || !temp_data_;
        if (!keep) {
            std::error_code ec;
            std::filesystem::remove_all(run_.data_dir, ec);
            if (ec) log().warn("could not remove the data directory {}: {}", run_.data_dir.string(), ec.message());
        }
        w.data_kept = keep;
    }

    detail::swarm_run run_;                 // shared with the shards
    const swarm_hooks& hooks_;              // stop flag, progress, samples, output folder
    results res_;                           // what run() returns
    std::filesystem::path dir_;             // results folder ("" : none)
    timeseries_writer csv_;                 // timeseries.csv, streamed
    bool temp_data_ = false;                // data_dir is ours to remove
    clock::time_point t0_{}, t1_{};         // data phase start and end
    clock::time_point prev_t_{};            // previous sample
    totals prev_;                           // counters at the previous sample
    double cpu0_ = 0, prev_cpu_ = 0;        // process CPU at start / previous sample
    double client_down_max_s_ = 0;           // longest a named client had no connection, as sampled
    std::vector<std::shared_ptr<detail::snapshot_round>> late_snapshots_;  // rounds a shard answered too late
    swarm_scenario steered_;                // the scenario with the live settings steered (take_controls)
    std::vector<swarm_fault> pending_faults_;  // taken, waiting for a live connection (drop, stall)
    // group_ is declared after shards_ so the contexts die before their shards.
    std::vector<std::unique_ptr<shard>> shards_;  // one per context, index = context
    std::unique_ptr<context_group> group_;        // the contexts (destroyed first)
};

}  // namespace

results run_swarm(const swarm_scenario& scenario, const swarm_hooks& hooks) {
    swarm_runner runner(scenario, hooks);
    return runner.run();
}

}  // namespace swarmbench
