// Swarms on a given .torrent and against outside peers, on every backend,
// with swarmbench on both ends (the real clients are in tests/interop):
// seeders serve a torrent_file's content read from content_dir, a seed-mode
// swarm (no leechers) serves a download-mode swarm in the same process until
// that outside client has every piece, and a wrong content_dir is named.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include "free_port.hpp"
#include "raw_socket.hpp"
#include "swarm_test_helpers.hpp"
#include "swarmbench/bt/content_files.hpp"
#include "swarmbench/bt/synthetic.hpp"
#include "swarmbench/bt/wire.hpp"
#include "swarmbench/swarm/swarm.hpp"
#include "test_support.hpp"

namespace swarmbench::test {
namespace {

using swarm_clients = swarm_backend_test;

/// A synthetic torrent (odd size, 3 files, 64 KiB pieces) written to `path`,
/// with or without its content seed.
bt::torrent write_torrent(const std::filesystem::path& path, bool keep_seed) {
    bt::synthetic_spec spec;
    spec.seed = 7;
    spec.total_size = (8ULL << 20) + 4321;
    spec.piece_size = 64 * 1024;
    spec.file_count = 3;
    auto t = bt::make_synthetic_torrent(spec);
    EXPECT_TRUE(t.ok());
    if (!keep_seed) t->set_content_seed(std::nullopt);
    std::ofstream(path, std::ios::binary) << t->encode();
    return std::move(t.value());
}

/// What `swarmbench seed` runs: one seeder on 127.0.0.1:port for outside clients.
swarm_scenario seed_mode(const std::filesystem::path& torrent, std::uint16_t port, backend_kind backend) {
    swarm_scenario sc;
    sc.torrent_file = torrent.string();
    sc.seeders = 1;
    sc.leechers = 0;
    sc.base_port = port;
    sc.storage = storage_mode::discard;
    sc.backend = backend;
    sc.threads = 1;
    sc.timeout_s = 60;
    return sc;
}

TEST_P(swarm_clients, seeders_serve_a_torrent_file_from_its_content_dir) {
    const auto torrent_path = dir_.path() / "T.torrent";
    const bt::torrent t = write_torrent(torrent_path, /*keep_seed=*/false);
    const auto content = dir_.path() / "content";
    ASSERT_EQ(bt::write_synthetic_content([&] {
                  bt::torrent with_seed = t;
                  with_seed.set_content_seed(7);
                  return with_seed;
              }(),
                                          content),
              std::nullopt);
    swarm_scenario sc;
    sc.torrent_file = torrent_path.string();
    sc.content_dir = content.string();
    sc.seeders = 2;
    sc.leechers = 2;
    sc.connections_per_leecher = 4;
    sc.backend = GetParam();
    sc.threads = 2;
    sc.data_dir = data().string();
    sc.timeout_s = 60;
    const results r = run_bounded(sc, out());
    ASSERT_EQ(r.summary.status, "ok") << all_errors(r);
    const swarm_summary& w = *r.summary.swarm;
    EXPECT_EQ(w.leechers_complete, 2u);
    EXPECT_EQ(w.pieces_verified, 2u * t.piece_count());
    EXPECT_EQ(w.hash_failures, 0u);
    EXPECT_EQ(r.config["content"], "files in " + content.string());
    for (const char* leecher : {"leecher-01", "leecher-02"}) {
        auto report = bt::verify_content(t, data() / leecher);
        ASSERT_TRUE(report.ok()) << report.error();
        EXPECT_EQ(report->bad_pieces, 0u) << leecher;
        EXPECT_EQ(report->pieces, t.piece_count());
    }
    expect_folder(out(), r);
}

TEST_P(swarm_clients, a_content_dir_without_the_files_is_named) {
    const auto torrent_path = dir_.path() / "T.torrent";
    write_torrent(torrent_path, /*keep_seed=*/false);
    swarm_scenario sc;
    sc.torrent_file = torrent_path.string();
    sc.content_dir = (dir_.path() / "empty").string();
    sc.backend = GetParam();
    sc.leechers = 1;
    const results r = run_bounded(sc, out());
    EXPECT_EQ(r.summary.status, "failed");
    const std::string errors = all_errors(r);
    EXPECT_NE(errors.find("content_dir: cannot open"), std::string::npos) << errors;
    EXPECT_NE(errors.find("is " + sc.content_dir + " the folder that holds swarmbench-synthetic?"), std::string::npos)
        << errors;
    expect_folder(out(), r);
}

TEST_P(swarm_clients, a_torrent_file_without_content_needs_a_content_dir_to_seed) {
    const auto torrent_path = dir_.path() / "T.torrent";
    write_torrent(torrent_path, /*keep_seed=*/false);
    swarm_scenario sc;
    sc.torrent_file = torrent_path.string();
    sc.backend = GetParam();
    const results r = run_bounded(sc, out());
    EXPECT_EQ(r.summary.status, "failed");
    const std::string errors = all_errors(r);
    EXPECT_NE(errors.find("was not made by `swarmbench make-torrent`"), std::string::npos) << errors;
    EXPECT_NE(errors.find("give content_dir"), std::string::npos) << errors;
}

TEST_P(swarm_clients, a_seeding_swarm_serves_an_outside_client_until_it_has_every_piece) {
    const auto torrent_path = dir_.path() / "T.torrent";
    const bt::torrent t = write_torrent(torrent_path, /*keep_seed=*/true);
    const std::uint16_t port = free_port();

    // The "client": a download-mode swarm of one leecher, from its own
    // loopback address, with no seeders of its own.
    swarm_scenario client;
    client.torrent_file = torrent_path.string();
    client.seeders = 0;
    client.leechers = 1;
    client.connect_to = {endpoint::loopback_v4(port)};
    client.spread_sources = true;
    client.backend = GetParam();
    client.threads = 1;
    client.data_dir = data().string();
    client.timeout_s = 60;

    const swarm_scenario seeding = seed_mode(torrent_path, port, GetParam());

    results served;
    std::thread seeder([&] { served = run_bounded(seeding, out() / "seed"); });
    const results got = run_bounded(client, out() / "client");  // retries its connect until the seeder listens
    seeder.join();

    ASSERT_EQ(got.summary.status, "ok") << all_errors(got);
    EXPECT_EQ(got.summary.swarm->leechers_complete, 1u);
    EXPECT_EQ(got.summary.swarm->pieces_verified, t.piece_count());
    auto report = bt::verify_content(t, data() / "leecher-01");
    ASSERT_TRUE(report.ok()) << report.error();
    EXPECT_EQ(report->bad_pieces, 0u);

    ASSERT_EQ(served.summary.status, "ok") << all_errors(served);
    const swarm_summary& w = *served.summary.swarm;
    EXPECT_EQ(served.summary.counted_at, "outside clients");
    EXPECT_EQ(w.remote_peers, 1u);
    EXPECT_EQ(w.remote_peers_complete, 1u);
    EXPECT_EQ(w.pieces_verified, t.piece_count());  // the client's HAVEs, once each
    EXPECT_GE(served.summary.bytes, t.total_length());
    EXPECT_GT(w.completion_seconds, 0);
    // The client's connection is summarized on the seeding side, from its
    // own source address (spread_sources), with its requests answered.
    ASSERT_FALSE(served.peers.empty());
    const peer_summary& p = served.peers.front();
    EXPECT_EQ(p.leecher, "seeder-01");
    // (127.0.0.2 on the first try; a retry after a refused connect takes the next.)
    EXPECT_EQ(p.remote.rfind("127.0.", 0), 0u) << p.remote;
    EXPECT_NE(p.remote.rfind("127.0.0.1:", 0), 0u) << p.remote;
    EXPECT_NE(p.remote.find("(swarmbench "), std::string::npos) << p.remote;
    EXPECT_EQ(p.blocks, p.requests);
    EXPECT_GE(p.blocks, t.total_length() / bt::default_block_size);
}

TEST_P(swarm_clients, a_request_flood_from_an_outside_client_is_refused_and_the_seeder_goes_on) {
    const auto torrent_path = dir_.path() / "T.torrent";
    const bt::torrent t = write_torrent(torrent_path, /*keep_seed=*/true);
    const std::uint16_t port = free_port();
    const swarm_scenario seeding = seed_mode(torrent_path, port, GetParam());
    std::atomic<bool> stop{false};
    std::atomic<bool> dropped{false};  // a sample counted the protocol error
    swarm_hooks hooks;
    hooks.run.stop = &stop;
    hooks.output_dir = out();
    hooks.on_sample = [&](const swarm_sample& s) {
        if (s.protocol_errors_total > 0) dropped = true;
    };
    results served;
    std::thread seeder([&] { served = run_swarm(seeding, hooks); });

    // A plain-socket client without the fast extension: a handshake, then
    // 40000 requests at once (the seeder advertises 2048), never reading.
    raw::socket_t c = invalid_handle;
    for (int i = 0; i < 200 && c == invalid_handle; ++i) {  // until the seeder listens (bounded: 10 s)
        c = raw::connect_loopback(port);
        if (c == invalid_handle) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_NE(c, invalid_handle) << raw::last_error();
    std::string out_bytes = "\x13" "BitTorrent protocol" + std::string(8, '\0');
    out_bytes.append(reinterpret_cast<const char*>(t.info_hash().data()), 20);
    out_bytes += "-XX0001-floodfloodfl";
    out_bytes += std::string("\0\0\0\x01\x02", 5);  // interested
    std::byte req[17];
    for (int i = 0; i < 40000; ++i) {
        bt::encode_request(req, static_cast<std::uint32_t>(i) % (t.piece_count() - 1), 0, bt::default_block_size);  // (the last piece is short)
        out_bytes.append(reinterpret_cast<const char*>(req), sizeof req);
    }
    (void)raw::send_all(c, out_bytes.data(), out_bytes.size());  // may fail once the seeder drops us
    // Reading nothing, so the seeder's sends back up and its queue grows
    // (reading would let it keep up): wait for the drop, bounded at 60 s.
    for (int i = 0; i < 1200 && !dropped; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    raw::close(c);
    stop = true;
    seeder.join();

    EXPECT_EQ(served.summary.status, "interrupted") << all_errors(served);
    EXPECT_EQ(served.summary.swarm->protocol_errors, 1u);
    ASSERT_EQ(served.peers.size(), 1u);
    EXPECT_NE(served.peers[0].state.find("more than 32768 requests queued (we accept 2048)"), std::string::npos)
        << served.peers[0].state;
    expect_folder(out(), served);
}

INSTANTIATE_TEST_SUITE_P(, swarm_clients, ::testing::ValuesIn(compiled_backends()), backend_param_name);

}  // namespace
}  // namespace swarmbench::test
