// Swarms on a given .torrent and against outside peers, on every backend,
// with swarmbench on both ends (the real clients are in tests/interop):
// seeders serve a torrent_file's content read from content_dir, a seed-mode
// swarm (no leechers) serves a download-mode swarm in the same process until
// that outside client has every piece, and a wrong content_dir is named.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstring>
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

/// What `swarmbench upload` runs: `seeders` of ours dial the client at
/// 127.0.0.1:port, and the run fails after `grace_s` without it.
swarm_scenario upload_mode(const std::filesystem::path& torrent, std::uint16_t port, std::uint32_t seeders,
                           double grace_s, backend_kind backend) {
    swarm_scenario sc;
    sc.torrent_file = torrent.string();
    sc.seeders = seeders;
    sc.leechers = 0;
    sc.storage = storage_mode::discard;
    sc.upload_to = {endpoint::loopback_v4(port)};
    sc.client_grace_s = grace_s;
    sc.backend = backend;
    sc.threads = 1;
    sc.timeout_s = 60;
    return sc;
}

/// The run's message about losing its client ("" if none).
std::string client_loss(const results& r) {
    std::string why;
    for (const std::string& m : r.summary.error_messages)
        if (m.find("no connection to the client") != std::string::npos) why = m;
    return why;
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

/// Reads one message from a raw socket: its id (-1: keep-alive) and payload.
/// False on end of stream or timeout (the socket's receive timeout bounds it).
bool read_message(raw::socket_t c, int& id, std::string& payload) {
    char len_bytes[4];
    if (!raw::recv_exact(c, len_bytes, 4)) return false;
    const std::uint32_t len = (std::uint32_t{static_cast<unsigned char>(len_bytes[0])} << 24) |
                              (std::uint32_t{static_cast<unsigned char>(len_bytes[1])} << 16) |
                              (std::uint32_t{static_cast<unsigned char>(len_bytes[2])} << 8) |
                              std::uint32_t{static_cast<unsigned char>(len_bytes[3])};
    if (len > (1u << 20)) return false;
    id = -1;
    payload.clear();
    if (len == 0) return true;
    std::string body(len, '\0');
    if (!raw::recv_exact(c, body.data(), len)) return false;
    id = static_cast<unsigned char>(body[0]);
    payload = body.substr(1);
    return true;
}

template <class F>
void append_message(std::string& out, F&& encode) {
    std::byte buf[1024];
    const std::size_t n = encode(std::span<std::byte>(buf));
    ASSERT_GT(n, 0u);
    out.append(reinterpret_cast<const char*>(buf), n);
}

// aria2 sends a second BITFIELD in mid-connection instead of HAVEs and HAVE
// ALL when it completes; clients send extension messages we never asked for.
// libtorrent accepts all of it, and so must a fake seeder: served on, each
// bend counted in the peer's notes, no protocol error.
TEST_P(swarm_clients, a_client_that_bends_the_protocol_is_served_and_its_bends_are_counted) {
    const auto torrent_path = dir_.path() / "T.torrent";
    const bt::torrent t = write_torrent(torrent_path, /*keep_seed=*/true);
    const std::uint16_t port = free_port();
    swarm_hooks hooks;
    hooks.output_dir = out();
    results served;
    std::thread seeder([&] { served = run_swarm(seed_mode(torrent_path, port, GetParam()), hooks); });

    raw::socket_t c = invalid_handle;
    for (int i = 0; i < 200 && c == invalid_handle; ++i) {  // until the seeder listens (bounded: 10 s)
        c = raw::connect_loopback(port);
        if (c == invalid_handle) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_NE(c, invalid_handle) << raw::last_error();
    raw::set_recv_timeout(c, std::chrono::seconds(20));
    std::string hs = "\x13" "BitTorrent protocol" + std::string(8, '\0');
    hs[20 + 5] = '\x10';  // extension protocol
    hs[20 + 7] = '\x04';  // fast extension
    hs.append(reinterpret_cast<const char*>(t.info_hash().data()), 20);
    hs += "-AR1360-bendbendbend";
    bt::bitfield first(t.piece_count()), second(t.piece_count());
    first.set(0);
    second.set(0);
    second.set(1);
    second.set(2);
    std::string msgs = hs;
    append_message(msgs, [&](auto o) { return bt::encode_bitfield(o, first); });
    append_message(msgs, [](auto o) { return bt::encode_keep_alive(o); });
    append_message(msgs, [](auto o) { return bt::encode_have(o, 5); });
    append_message(msgs, [&](auto o) { return bt::encode_bitfield(o, second); });  // late: replaces the set
    const std::byte pex[] = {std::byte{'d'}, std::byte{'e'}};
    append_message(msgs, [&](auto o) { return bt::encode_extended(o, 3, pex); });  // ut_pex we never offered
    append_message(msgs, [](auto o) { return bt::encode_simple(o, bt::msg_id::interested); });
    append_message(msgs, [](auto o) { return bt::encode_request(o, 3, 0, bt::default_block_size); });
    ASSERT_TRUE(raw::send_all(c, msgs.data(), msgs.size())) << raw::last_error();

    // The seeder answers the request: our handshake, then messages until the block.
    std::string reply(68, '\0');
    ASSERT_TRUE(raw::recv_exact(c, reply.data(), reply.size())) << raw::last_error();
    std::string block;
    int id = 0;
    std::string payload;
    for (int i = 0; i < 64 && block.empty(); ++i) {
        ASSERT_TRUE(read_message(c, id, payload)) << "the seeder stopped answering: " << raw::last_error();
        if (id == static_cast<int>(bt::msg_id::piece)) block = payload.substr(8);
    }
    ASSERT_EQ(block.size(), bt::default_block_size);
    std::vector<std::byte> want(bt::default_block_size);
    bt::synthetic_fill(*t.content_seed(), std::uint64_t{3} * t.piece_size(0), want);
    EXPECT_EQ(std::memcmp(block.data(), want.data(), want.size()), 0) << "the block served is the torrent's";

    // HAVE ALL on completion, late too: the seeder sees a complete client and
    // closes ("done"); the run ends ok.
    std::string done;
    append_message(done, [](auto o) { return bt::encode_simple(o, bt::msg_id::have_all); });
    ASSERT_TRUE(raw::send_all(c, done.data(), done.size())) << raw::last_error();
    for (int i = 0; i < 10000 && read_message(c, id, payload); ++i) {
    }
    raw::close(c);
    seeder.join();

    EXPECT_EQ(served.summary.status, "ok") << all_errors(served);
    EXPECT_EQ(served.summary.swarm->protocol_errors, 0u);
    EXPECT_EQ(served.summary.swarm->remote_peers_complete, 1u);
    ASSERT_EQ(served.peers.size(), 1u);
    const auto& notes = served.peers[0].notes;
    EXPECT_EQ(notes.count(bt::bend_late_bitfield) ? notes.at(bt::bend_late_bitfield) : 0, 1u);
    EXPECT_EQ(notes.count(bt::bend_late_have_all) ? notes.at(bt::bend_late_have_all) : 0, 1u);
    EXPECT_EQ(notes.count("unknown extension message") ? notes.at("unknown extension message") : 0, 1u);
    EXPECT_EQ(notes.size(), 3u) << "nothing else was bent";
    EXPECT_EQ(served.peers[0].state, "done");
    expect_folder(out(), served);
}

// A client that is not there (or went away): dialled again with backoff,
// "no connection" said while it lasts, and after client_grace_s the run ends
// as failed with a message that names the client; nothing else is dialled.
TEST_P(swarm_clients, a_client_gone_for_longer_than_the_grace_ends_the_run_with_a_clear_status) {
    const auto torrent_path = dir_.path() / "T.torrent";
    write_torrent(torrent_path, /*keep_seed=*/true);
    const std::uint16_t port = free_port();  // nobody listens there
    const swarm_scenario sc = upload_mode(torrent_path, port, 2, 2, GetParam());
    swarm_hooks hooks;
    hooks.output_dir = out();
    std::string warning;
    double down_seen = 0;
    hooks.run.on_progress = [&](const progress& p) {
        if (!p.warning.empty()) warning = p.warning;
    };
    hooks.on_sample = [&](const swarm_sample& s) { down_seen = std::max(down_seen, s.client_down_s); };
    const results r = run_swarm(sc, hooks);

    EXPECT_EQ(r.summary.status, "failed");
    const std::string why = client_loss(r);
    EXPECT_NE(why.find("no connection to the client 127.0.0.1:" + std::to_string(port)), std::string::npos) << why;
    EXPECT_NE(why.find("client_grace_s = 2 s"), std::string::npos) << why;
    EXPECT_NE(warning.find("no connection to the client 127.0.0.1:" + std::to_string(port)), std::string::npos)
        << "the progress said so while it lasted: " << warning;
    EXPECT_GE(down_seen, 2.0);
    // 2 seeders, each: a dial at 0, then again after 0.2, 0.4, 0.8 s, ...
    // (backoff): a few redials within the grace (fewer on a slow, sanitized
    // build), not hundreds.
    EXPECT_GE(r.summary.swarm->client_redials, 2u);
    EXPECT_LE(r.summary.swarm->client_redials, 40u);
    EXPECT_GE(r.summary.swarm->client_down_s_max, 2.0);
    expect_folder(out(), r);
}

// A client whose listen queue is full: our connects hang (the SYNs go
// unanswered) until the grace ends the run, which cancels them. The cancelled
// connect can be the shard's last operation: ending the shard then must not
// free the connection under its own callback (it did: a crash at the end of
// an upload to libtorrent). Where a full queue refuses instead (Windows), the
// run ends the same way, after refusals.
TEST_P(swarm_clients, connects_hanging_when_the_grace_ends_are_cancelled_cleanly) {
    const auto torrent_path = dir_.path() / "T.torrent";
    write_torrent(torrent_path, /*keep_seed=*/true);
    std::uint16_t port = 0;
    std::string why_not;
    const raw::socket_t listener = raw::listen_loopback(0, port, why_not);
    ASSERT_NE(listener, invalid_handle) << why_not;
    // Nobody accepts: one connection fills a queue of 0 (Linux keeps one).
    const raw::socket_t filler = raw::connect_loopback(port);
    const swarm_scenario sc = upload_mode(torrent_path, port, 1, 1, GetParam());
    swarm_hooks hooks;
    hooks.output_dir = out();
    const results r = run_swarm(sc, hooks);
    raw::close(filler);
    raw::close(listener);

    EXPECT_EQ(r.summary.status, "failed");
    const std::string why = client_loss(r);
    EXPECT_NE(why.find("no connection to the client 127.0.0.1:" + std::to_string(port)), std::string::npos) << why;
    for (const std::string& m : r.summary.error_messages)
        EXPECT_EQ(m.find("still pending"), std::string::npos) << "every operation came back at the stop: " << m;
    expect_folder(out(), r);
}

INSTANTIATE_TEST_SUITE_P(, swarm_clients, ::testing::ValuesIn(compiled_backends()), backend_param_name);

}  // namespace
}  // namespace swarmbench::test
