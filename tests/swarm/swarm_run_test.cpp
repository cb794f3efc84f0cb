// Whole swarms over loopback into temporary directories, on every backend:
// the data arrives byte-identical, hostile peers are dropped while the swarm
// completes, and faults (port in use, stop) end with a clear message and a
// results folder that parses. A full disk is in swarm_run_test_posix.cpp.
//
// [SECTION] helpers: the test fixture, a hostile peer (the rest in swarm_test_helpers.hpp)
// [SECTION] complete swarms
// [SECTION] hostile peers
// [SECTION] faults
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "free_port.hpp"
#include "raw_socket.hpp"
#include "swarm_test_helpers.hpp"
#include "swarmbench/bt/synthetic.hpp"
#include "swarmbench/results_folder.hpp"
#include "swarmbench/swarm/swarm.hpp"
#include "test_support.hpp"

namespace swarmbench::test {
namespace {

// ---------------------------------------------------------------------------
// [SECTION] helpers
// ---------------------------------------------------------------------------

// The suite's fixture (swarm_run_test_posix.cpp adds tests to it; the one
// INSTANTIATE below runs them all).
using swarm_run = swarm_backend_test;

// ---------------------------------------------------------------------------
// [SECTION] complete swarms
// ---------------------------------------------------------------------------

TEST_P(swarm_run, completes_with_files_identical_to_the_content) {
    const swarm_scenario sc = small_scenario(GetParam(), data());
    const results r = run_bounded(sc, out());
    ASSERT_EQ(r.summary.status, "ok") << all_errors(r);
    ASSERT_TRUE(r.summary.swarm);
    const swarm_summary& w = *r.summary.swarm;
    const std::uint64_t pieces = (sc.torrent_size + sc.piece_size - 1) / sc.piece_size;
    EXPECT_EQ(w.leechers_complete, sc.leechers);
    EXPECT_EQ(w.pieces_verified, pieces * sc.leechers);
    EXPECT_EQ(w.hash_failures, 0u);
    EXPECT_EQ(w.protocol_errors, 0u);
    EXPECT_EQ(r.summary.bytes, sc.torrent_size * sc.leechers);  // no duplicate counted
    EXPECT_EQ(w.disk_bytes_written, sc.torrent_size * sc.leechers);
    EXPECT_GE(w.net_bytes_in, r.summary.bytes);
    EXPECT_GT(w.completion_seconds, 0);
    EXPECT_EQ(r.environment.backend, to_string(GetParam()));
    EXPECT_EQ(r.peers.size(), std::size_t{sc.leechers} * sc.connections_per_leecher);
    EXPECT_TRUE(w.data_kept);  // data_dir was given
    EXPECT_EQ(verify_leechers(sc, data()), std::size_t{sc.leechers} * sc.file_count);
    expect_folder(out(), r);
}

TEST_P(swarm_run, disk_only_writes_the_same_files_without_sockets) {
    swarm_scenario sc = small_scenario(GetParam(), data());
    sc.storage = storage_mode::disk_only;
    const results r = run_bounded(sc, out());
    ASSERT_EQ(r.summary.status, "ok") << all_errors(r);
    EXPECT_EQ(r.summary.swarm->net_bytes_in, 0u);
    EXPECT_EQ(r.summary.swarm->disk_bytes_written, sc.torrent_size * sc.leechers);
    EXPECT_EQ(r.summary.bytes, sc.torrent_size * sc.leechers) << "the generated blocks are the payload";
    EXPECT_GT(r.summary.goodput_bytes_per_s, 0);
    EXPECT_TRUE(r.peers.empty());
    EXPECT_EQ(verify_leechers(sc, data()), std::size_t{sc.leechers} * sc.file_count);
}

TEST_P(swarm_run, discard_moves_the_data_and_writes_nothing) {
    swarm_scenario sc = small_scenario(GetParam(), data());
    sc.storage = storage_mode::discard;
    const results r = run_bounded(sc, out());
    ASSERT_EQ(r.summary.status, "ok") << all_errors(r);
    EXPECT_EQ(r.summary.swarm->leechers_complete, sc.leechers);
    EXPECT_EQ(r.summary.swarm->disk_bytes_written, 0u);
    EXPECT_EQ(r.summary.bytes, sc.torrent_size * sc.leechers);
    EXPECT_FALSE(std::filesystem::exists(data() / "leecher-01"));
}

TEST_P(swarm_run, churn_choking_and_slow_peers_still_complete) {
    swarm_scenario sc = small_scenario(GetParam(), data());
    sc.churn_per_s = 40;
    sc.choking = true;
    sc.unchoke_slots = 6;
    sc.rechoke_interval_s = 0.3;
    sc.optimistic_interval_s = 0.5;
    sc.slow_fraction = 0.25;
    sc.slow_rate = 2 << 20;
    sc.rate_limit = 6 << 20;  // about 2 s for the whole swarm, so churn has time to act
    std::uint64_t sampled_disconnects = 0;
    const results r = run_bounded(sc, out(), [&](const swarm_sample& s) { sampled_disconnects = s.disconnects_total; });
    ASSERT_EQ(r.summary.status, "ok") << all_errors(r);
    const swarm_summary& w = *r.summary.swarm;
    EXPECT_EQ(w.leechers_complete, sc.leechers);
    EXPECT_GT(w.disconnects, 0u) << "churn dropped nothing";
    EXPECT_LE(sampled_disconnects, w.disconnects);  // the time series agrees with the summary
    EXPECT_GT(r.peers.size(), std::size_t{sc.leechers} * sc.connections_per_leecher);  // reconnections
    bool any_slow = false;
    for (const auto& p : r.peers) any_slow |= p.slow;
    EXPECT_TRUE(any_slow);
    EXPECT_EQ(verify_leechers(sc, data()), std::size_t{sc.leechers} * sc.file_count);
}

TEST_P(swarm_run, timed_run_downloads_again_until_the_duration_ends) {
    swarm_scenario sc = small_scenario(GetParam(), data());
    // Small enough that two rounds fit the duration on any backend, IOCP
    // under Wine on a loaded machine included (a round trip to wineserver
    // per operation).
    sc.torrent_size = 2 << 20;
    sc.storage = storage_mode::discard;
    sc.duration_s = 1.5;
    const results r = run_bounded(sc, out());
    ASSERT_EQ(r.summary.status, "ok") << all_errors(r);
    EXPECT_GT(r.summary.bytes, 2 * sc.torrent_size * sc.leechers) << "leechers did not start over";
    EXPECT_GE(r.summary.seconds, 1.4);
    EXPECT_GE(r.series.size(), 10u);
}

TEST_P(swarm_run, steering_changes_connections_and_pipeline_mid_run) {
    swarm_scenario sc = small_scenario(GetParam(), data());
    sc.storage = storage_mode::discard;
    sc.duration_s = 3;
    sc.rate_limit = 4 << 20;
    swarm_controls controls;
    std::atomic<bool> stop{false};
    swarm_hooks hooks;
    hooks.run.stop = &stop;
    hooks.controls = &controls;
    int samples = 0;
    std::uint32_t before = 0, after = 0;
    hooks.on_sample = [&](const swarm_sample& s) {
        ++samples;
        if (samples == 8) {
            before = s.connections_active;
            controls.set("connections_per_leecher", 3);
            controls.set("pipeline", 2);
        }
        if (samples > 8) after = s.connections_active;
    };
    const results r = run_swarm(sc, hooks);
    ASSERT_EQ(r.summary.status, "ok") << all_errors(r);
    EXPECT_EQ(before, sc.leechers * sc.connections_per_leecher);
    EXPECT_EQ(after, sc.leechers * 3u);
    std::size_t steered = 0;
    for (const auto& p : r.peers) steered += p.state == "steered down";
    EXPECT_EQ(steered, std::size_t{sc.leechers} * (sc.connections_per_leecher - 3));
    // Each change is an event, from the scenario's value, once.
    ASSERT_EQ(r.events.size(), 2u);
    EXPECT_EQ(r.events[0].what, "connections_per_leecher 8 -> 3");
    EXPECT_EQ(r.events[1].what, "pipeline 16 -> 2");
    EXPECT_GT(r.events[0].t_s, 0.0);
    EXPECT_EQ(r.events[0].t_s, r.events[1].t_s);  // seen at the same wake-up
}

// ---------------------------------------------------------------------------
// [SECTION] hostile peers
// ---------------------------------------------------------------------------

/// A peer on 127.0.0.1 that runs `session(socket, handshake received)` for
/// each connection on a thread of its own; the socket stays open until the
/// other side hangs up (the leecher must be the one to drop it). Plain
/// blocking sockets (raw_socket.hpp), not the engine under test.
class hostile_peer {
public:
    using session_fn =
        std::function<void(raw::socket_t s, const std::string& their_handshake, const std::atomic<bool>& stop)>;
    using reply_fn = std::function<std::string(const std::string& their_handshake)>;

    /// Answers with `reply(handshake)` and then says nothing more.
    explicit hostile_peer(reply_fn reply)
        : hostile_peer(session_fn([reply](raw::socket_t s, const std::string& hs, const std::atomic<bool>&) {
              const std::string out = reply(hs);
              (void)raw::send_all(s, out.data(), out.size());
          })) {}

    explicit hostile_peer(session_fn session) : session_(std::move(session)) {
        std::uint16_t port = 0;
        std::string why;
        listener_ = raw::listen_loopback(64, port, why);
        if (listener_ == invalid_handle) {
            ADD_FAILURE() << "hostile peer: cannot listen: " << why;
            return;
        }
        where_ = endpoint::loopback_v4(port);
        acceptor_ = std::thread([this] { accept_loop(); });
    }
    ~hostile_peer() {
        // Wake the accept loop with a connection of our own (portable:
        // shutting a listener down wakes accept on Linux but not on Windows).
        stop_ = true;
        if (acceptor_.joinable()) {
            raw::close(raw::connect_loopback(where_.port));
            acceptor_.join();
        }
        for (raw::socket_t c : conns_) raw::shutdown_both(c);
        for (auto& t : sessions_) t.join();
        for (raw::socket_t c : conns_) raw::close(c);
        raw::close(listener_);
    }
    hostile_peer(const hostile_peer&) = delete;
    hostile_peer& operator=(const hostile_peer&) = delete;

    const endpoint& where() const { return where_; }
    int served() const { return served_.load(); }

private:
    void accept_loop() {
        for (int i = 0; i < 1000; ++i) {  // bounded: a test never makes that many
            const raw::socket_t c = raw::accept(listener_);
            if (c == invalid_handle) return;
            if (stop_) {  // the destructor's wake-up, not a leecher
                raw::close(c);
                return;
            }
            conns_.push_back(c);
            ++served_;
            sessions_.emplace_back([this, c] {
                raw::set_recv_timeout(c, std::chrono::seconds(5));
                std::string hs(68, '\0');
                if (raw::recv_exact(c, hs.data(), hs.size())) session_(c, hs, stop_);
            });
        }
    }

    session_fn session_;                       // what to do with each connection
    raw::socket_t listener_ = invalid_handle;  // the listening socket
    endpoint where_;                           // its address
    std::thread acceptor_;                     // accept loop
    std::vector<std::thread> sessions_;        // one per connection
    std::vector<raw::socket_t> conns_;         // accepted sockets (closed at the end)
    std::atomic<bool> stop_{false};            // set by the destructor
    std::atomic<int> served_{0};               // connections accepted
};

/// A valid handshake for the torrent the leecher asked for, then `tail`.
std::string valid_handshake_then(const std::string& theirs, const std::string& tail) {
    std::string hs = theirs;
    if (hs.size() == 68) hs[67] ^= 0x5a;  // a different peer id
    return hs + tail;
}

std::string be32(std::uint32_t v) {
    return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
}

TEST_P(swarm_run, hostile_peers_are_dropped_while_the_swarm_completes) {
    hostile_peer oversized([](const std::string& hs) { return valid_handshake_then(hs, be32(0x7fffffff) + "\x07"); });
    hostile_peer bad_index([](const std::string& hs) { return valid_handshake_then(hs, be32(5) + "\x04" + be32(999999)); });
    hostile_peer garbage([](const std::string&) {
        std::string g(300, '\0');
        for (std::size_t i = 0; i < g.size(); ++i) g[i] = static_cast<char>(i * 131 + 7);
        return g;
    });
    swarm_scenario sc = small_scenario(GetParam(), data());
    sc.connect_to = {oversized.where(), bad_index.where(), garbage.where()};
    const results r = run_bounded(sc, out());
    ASSERT_EQ(r.summary.status, "ok") << all_errors(r);
    const swarm_summary& w = *r.summary.swarm;
    EXPECT_EQ(w.leechers_complete, sc.leechers);
    // Each leecher met each hostile peer once, dropped it and never went back.
    EXPECT_EQ(w.protocol_errors, 3u * sc.leechers);
    EXPECT_EQ(oversized.served() + bad_index.served() + garbage.served(), static_cast<int>(3 * sc.leechers));
    int dropped = 0;
    for (const auto& p : r.peers) {
        if (p.state.find("protocol error") == std::string::npos) continue;
        ++dropped;
        const bool named = p.state.find("length") != std::string::npos || p.state.find("range") != std::string::npos ||
                           p.state.find("handshake") != std::string::npos;
        EXPECT_TRUE(named) << "the reason should say what was wrong: " << p.state;
    }
    EXPECT_EQ(dropped, static_cast<int>(3 * sc.leechers));
    EXPECT_EQ(verify_leechers(sc, data()), std::size_t{sc.leechers} * sc.file_count);
}

TEST_P(swarm_run, a_peer_sending_wrong_data_is_banned_and_its_pieces_downloaded_again) {
    // A seeder that has every piece, unchokes, and answers every request
    // with a block of the right size and the wrong bytes.
    hostile_peer liar([](raw::socket_t s, const std::string& hs, const std::atomic<bool>& stop) {
        const std::string hello = valid_handshake_then(hs, be32(1) + "\x0e" + be32(1) + "\x01");  // have all, unchoke
        (void)raw::send_all(s, hello.data(), hello.size());
        for (int messages = 0; messages < 100000 && !stop; ++messages) {
            char head[4];
            if (!raw::recv_exact(s, head, 4)) return;
            const std::uint32_t len = (std::uint32_t(std::uint8_t(head[0])) << 24) | (std::uint32_t(std::uint8_t(head[1])) << 16) |
                                      (std::uint32_t(std::uint8_t(head[2])) << 8) | std::uint8_t(head[3]);
            std::string body(len, '\0');
            if (len > (1u << 20) || !raw::recv_exact(s, body.data(), len)) return;
            if (len != 13 || body[0] != 6) continue;  // only requests get an answer
            std::string piece = be32(9 + 16384) + "\x07" + body.substr(1, 8) + std::string(16384, '\xab');
            if (!raw::send_all(s, piece.data(), piece.size())) return;
        }
    });
    swarm_scenario sc = small_scenario(GetParam(), data());
    sc.connect_to = {liar.where()};
    const results r = run_bounded(sc, out());
    ASSERT_EQ(r.summary.status, "ok") << all_errors(r);
    const swarm_summary& w = *r.summary.swarm;
    EXPECT_EQ(w.leechers_complete, sc.leechers);
    EXPECT_GE(w.hash_failures, 1u);
    EXPECT_EQ(liar.served(), static_cast<int>(sc.leechers)) << "a banned peer was dialled again";
    int banned = 0;
    for (const auto& p : r.peers) {
        if (p.remote != liar.where().to_string()) continue;
        EXPECT_NE(p.state.find("wrong data"), std::string::npos) << p.state;
        banned += p.state.find("wrong data") != std::string::npos;
    }
    EXPECT_GE(banned, 1);
    EXPECT_EQ(verify_leechers(sc, data()), std::size_t{sc.leechers} * sc.file_count);
}

// ---------------------------------------------------------------------------
// [SECTION] faults
// ---------------------------------------------------------------------------

TEST_P(swarm_run, port_in_use_is_named) {
    // A plain listener holds the port (no SO_REUSEADDR, nor on Windows
    // SO_EXCLUSIVEADDRUSE): the seeder's bind must be refused either way.
    std::uint16_t port = 0;
    std::string why;
    const raw::socket_t holder = raw::listen_loopback(1, port, why);
    ASSERT_NE(holder, invalid_handle) << why;
    swarm_scenario sc = small_scenario(GetParam(), data());
    sc.seeders = 1;
    sc.base_port = port;
    const results r = run_bounded(sc, out());
    raw::close(holder);
    EXPECT_EQ(r.summary.status, "failed");
    const std::string errors = all_errors(r);
    EXPECT_NE(errors.find("seeder-01: cannot listen on 127.0.0.1:" + std::to_string(sc.base_port)), std::string::npos)
        << errors;
    EXPECT_NE(errors.find("in use"), std::string::npos) << errors;
    expect_folder(out(), r);
}

TEST_P(swarm_run, stop_ends_the_run_as_interrupted_with_what_was_measured) {
    swarm_scenario sc = small_scenario(GetParam(), data());
    sc.rate_limit = 1 << 20;  // slow enough that it cannot finish first
    std::atomic<bool> stop{false};
    swarm_hooks hooks;
    hooks.run.stop = &stop;
    hooks.output_dir = out();
    // Stops at the third sample that shows payload: a loaded machine (a
    // sanitizer, both cores busy) may take longer than three samples to set
    // up. Bounded: 600 samples without payload stop the run too, and fail below.
    std::size_t samples = 0;
    std::size_t with_payload = 0;
    hooks.on_sample = [&](const swarm_sample& s) {
        ++samples;
        if (s.payload_total > 0) ++with_payload;
        if (with_payload == 3 || samples == 600) stop = true;
    };
    const results r = run_swarm(sc, hooks);
    EXPECT_EQ(r.summary.status, "interrupted") << all_errors(r);
    EXPECT_EQ(with_payload, 3u);
    EXPECT_EQ(r.series.size(), samples);
    EXPECT_GT(r.summary.bytes, 0u);
    EXPECT_LT(r.summary.swarm->leechers_complete, sc.leechers);
    expect_folder(out(), r);
}

TEST_P(swarm_run, a_swarm_split_across_two_runs_completes_and_each_takes_the_others_peers_for_its_own) {
    // Seeders in one run, leechers in another, as the memory benchmark runs
    // its 10,000-connection row in two processes (descriptors): seeders_at
    // points the leechers at the other run's seeders, and the shared swarm_id
    // makes the leechers the seeders' own peers rather than outside clients.
    const std::uint32_t id = 0x5b5eed01;
    swarm_scenario seeding = small_scenario(GetParam(), data());
    seeding.leechers = 0;
    seeding.seeders = 1;
    seeding.base_port = free_port();
    seeding.swarm_id = id;
    seeding.data_dir = (out() / "seeding-data").string();
    std::atomic<bool> stop_seeding{false}, seeding_up{false};
    swarm_hooks hooks;
    hooks.run.stop = &stop_seeding;
    hooks.output_dir = out() / "seeding";
    hooks.on_sample = [&](const swarm_sample&) { seeding_up = true; };  // samples begin once it listens
    results seeded;
    std::thread seeder([&] { seeded = run_swarm(seeding, hooks); });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!seeding_up && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));

    swarm_scenario leeching = small_scenario(GetParam(), data());
    leeching.seeders = 0;
    leeching.seeders_at = {endpoint::loopback_v4(seeding.base_port)};
    leeching.swarm_id = id;
    const results r = seeding_up ? run_bounded(leeching, out() / "leeching") : results{};
    stop_seeding = true;
    seeder.join();
    ASSERT_TRUE(seeding_up.load()) << "the seeding run never sampled: " << all_errors(seeded);

    ASSERT_EQ(r.summary.status, "ok") << all_errors(r);
    EXPECT_EQ(r.summary.swarm->leechers_complete, leeching.leechers);
    EXPECT_EQ(r.summary.swarm->hash_failures, 0u);
    EXPECT_EQ(verify_leechers(leeching, data()), std::size_t{leeching.leechers} * leeching.file_count);
    ASSERT_FALSE(r.peers.empty());
    // The client's name follows in parentheses once its BEP 10 handshake came;
    // a connection that closed before it (a loaded machine's first dial) has none.
    const std::string seeder_name = "seeder-01 127.0.0.1:" + std::to_string(seeding.base_port);
    for (const peer_summary& p : r.peers)
        EXPECT_TRUE(p.remote == seeder_name || p.remote.starts_with(seeder_name + " ("))
            << p.leecher << ": " << p.remote << " [" << p.state << "]";
    // The seeding run served the other run's leechers as its own: no outside
    // client seen, no connection of theirs summarized on its side.
    EXPECT_EQ(seeded.summary.status, "interrupted") << all_errors(seeded);
    EXPECT_EQ(seeded.summary.swarm->remote_peers, 0u);
    EXPECT_TRUE(seeded.peers.empty()) << seeded.peers.size() << " connections summarized, first: "
                                      << seeded.peers.front().remote;
    expect_folder(out() / "leeching", r);
}

TEST(swarm_scenario_errors, invalid_scenario_fails_with_the_field_named_and_writes_results) {
    temp_dir dir;
    swarm_scenario sc;
    sc.pipeline = 0;
    swarm_hooks hooks;
    hooks.output_dir = dir.path() / "results";
    const results r = run_swarm(sc, hooks);
    EXPECT_EQ(r.summary.status, "failed");
    ASSERT_FALSE(r.summary.error_messages.empty());
    EXPECT_NE(r.summary.error_messages.front().find("pipeline"), std::string::npos) << r.summary.error_messages.front();
    auto loaded = load_results(dir.path() / "results");
    ASSERT_TRUE(loaded.ok()) << loaded.error();
    EXPECT_EQ(loaded->document["summary"]["status"], "failed");
}

INSTANTIATE_TEST_SUITE_P(, swarm_run, ::testing::ValuesIn(compiled_backends()), backend_param_name);

}  // namespace
}  // namespace swarmbench::test
