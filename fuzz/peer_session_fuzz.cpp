// peer_session_fuzz: a whole peer session against a real swarm, the fuzz
// input being what the remote peer sends.
//
// One swarm runs in this process for the whole fuzzing session (started on
// the first input, stopped at exit): one seeder on 127.0.0.1 serving a small
// synthetic torrent to outside clients (leechers = 0), discard storage, a
// day-long duration. Each input opens a real loopback TCP connection to it
// and sends, chosen by the first byte, either the raw bytes that follow or a
// valid handshake (the torrent's real info-hash, chosen reserved bits) and
// then those bytes; it half-closes, reads until the seeder closes or a short
// deadline passes, and closes.
//
// Checks: everything the seeder sends decodes as valid wire protocol (the
// right info-hash, every piece block equal to the synthetic content); the
// swarm keeps accepting connections and keeps running after every input.
// The connection comes from 127.83.0.1, an address nothing listens on, so
// when an input announces a listen port (BEP 10 "p") the seeder's dial-back
// reaches nobody else's server on this machine.
//
// Thread rules: the fuzzing thread drives the sockets; the swarm runs on its
// own controller thread and engine threads; they share only atomics.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "fuzz_check.hpp"
#include "swarmbench/bt/synthetic.hpp"
#include "swarmbench/bt/wire.hpp"
#include "swarmbench/log.hpp"
#include "swarmbench/swarm/swarm.hpp"

namespace {

namespace bt = swarmbench::bt;
using clock_type = std::chrono::steady_clock;

/// The swarm under test and what a peer needs to know about it.
struct live_swarm {
    swarmbench::swarm_scenario scenario;  // what runs
    bt::sha1_hash info_hash{};            // of its torrent
    bt::piece_geometry geometry;          // of its torrent
    std::uint16_t port = 0;               // the seeder's listen port
    std::atomic<bool> stop{false};        // set at exit
    std::atomic<bool> ended{false};       // run_swarm returned
    std::atomic<bool> sampled{false};     // the first sample was taken
    std::string status;                   // its status, once ended
    std::thread thread;                   // runs run_swarm
};
live_swarm* the_swarm = nullptr;  // reachable until exit (not a leak)

constexpr std::uint32_t source_address = (127u << 24) | (83u << 16) | 1u;  // 127.83.0.1

std::uint16_t free_port() {
    const int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    SWARMBENCH_FUZZ_CHECK(::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
                              ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) == 0,
                          "cannot find a free port");
    ::close(s);
    return ntohs(a.sin_port);
}

/// A connected non-blocking socket to the seeder, or -1.
int connect_to_seeder(std::uint16_t port, std::chrono::milliseconds limit) {
    const int s = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s < 0) return -1;
    sockaddr_in from{};
    from.sin_family = AF_INET;
    from.sin_addr.s_addr = htonl(source_address);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    to.sin_port = htons(port);
    if (::bind(s, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0 ||
        (::connect(s, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0 && errno != EINPROGRESS)) {
        ::close(s);
        return -1;
    }
    pollfd p{s, POLLOUT, 0};
    int err = 0;
    socklen_t len = sizeof err;
    if (::poll(&p, 1, static_cast<int>(limit.count())) != 1 ||
        ::getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
        ::close(s);
        return -1;
    }
    return s;
}

void stop_swarm() {
    live_swarm* w = the_swarm;
    if (w == nullptr || !w->thread.joinable()) return;
    w->stop = true;
    w->thread.join();
}

live_swarm& swarm() {
    if (the_swarm != nullptr) return *the_swarm;
    swarmbench::set_log_level(std::getenv("SWARMBENCH_FUZZ_LOG") ? std::getenv("SWARMBENCH_FUZZ_LOG") : "off");
    auto* w = new live_swarm;
    swarmbench::swarm_scenario& sc = w->scenario;
    sc.torrent_size = (1u << 20) + 777;  // odd: a short last piece
    sc.piece_size = 16 * 1024;           // 65 pieces
    sc.file_count = 2;
    sc.content_seed = 9;
    sc.seeders = 1;
    sc.leechers = 0;
    sc.storage = swarmbench::storage_mode::discard;
    sc.threads = 1;
    sc.duration_s = 86400;
    sc.base_port = w->port = free_port();
    bt::synthetic_spec spec;
    spec.seed = sc.content_seed;
    spec.total_size = sc.torrent_size;
    spec.piece_size = sc.piece_size;
    spec.file_count = sc.file_count;
    auto t = bt::make_synthetic_torrent(spec);
    SWARMBENCH_FUZZ_CHECK(t.ok(), "cannot make the synthetic torrent");
    w->info_hash = t->info_hash();
    w->geometry = t->geometry();
    w->thread = std::thread([w] {
        swarmbench::swarm_hooks hooks;
        hooks.run.stop = &w->stop;
        hooks.on_sample = [w](const swarmbench::swarm_sample&) { w->sampled = true; };
        const swarmbench::results r = swarmbench::run_swarm(w->scenario, hooks);
        w->status = r.summary.status;
        for (const auto& m : r.summary.error_messages) w->status += "; " + m;
        w->ended = true;
    });
    the_swarm = w;
    // Bounded wait for the listener and the first sample.
    const auto deadline = clock_type::now() + std::chrono::seconds(60);
    for (;;) {
        const int s = connect_to_seeder(w->port, std::chrono::milliseconds(500));
        if (s >= 0) ::close(s);
        if (s >= 0 && w->sampled) break;
        SWARMBENCH_FUZZ_CHECK(!w->ended && clock_type::now() < deadline, "the swarm never started listening");
        std::this_thread::sleep_for(std::chrono::milliseconds(20));  // retry pacing, not synchronisation
    }
    // Registered only now, after the engine's function-local statics (the
    // sample columns, the logger) exist: exit handlers run in reverse order,
    // so the swarm stops before any of them is destroyed.
    std::atexit(stop_swarm);
    return *w;
}

/// Checks what the seeder sent, as it arrives.
class reply_checker {
public:
    reply_checker(const live_swarm& w, bt::reserved_bits ours) : w_(w), d_(w.geometry, options(w, ours)) {}

    void feed(std::span<const std::byte> in) {
        bt::message m;
        for (int guard = 0; guard < 1 << 20; ++guard) {
            const auto st = d_.next(in, m);
            if (st == bt::wire_decoder::status::need_more) return;
            if (st == bt::wire_decoder::status::error) {
                std::fprintf(stderr, "seeder sent: %s\n", d_.error().c_str());
                SWARMBENCH_FUZZ_CHECK(false, "the seeder sent invalid wire protocol");
            }
            if (m.kind == bt::message_kind::piece)
                SWARMBENCH_FUZZ_CHECK(
                    bt::synthetic_matches(w_.scenario.content_seed, w_.geometry.piece_offset(m.index) + m.begin, m.data),
                    "the seeder sent a block that is not the content");
        }
    }

private:
    static bt::wire_options options(const live_swarm& w, bt::reserved_bits ours) {
        bt::wire_options o;
        o.expected_info_hash = w.info_hash;
        o.our_reserved = ours;
        o.limits.max_piece_block = bt::max_block_limit;
        o.limits.max_request_length = bt::max_block_limit;
        return o;
    }
    const live_swarm& w_;
    bt::wire_decoder d_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1 || size > 256 * 1024) return 0;
    live_swarm& w = swarm();
    SWARMBENCH_FUZZ_CHECK(!w.ended, "the swarm stopped");

    // What we send: [handshake] + the input after its first byte.
    std::string out;
    bt::reserved_bits ours{};
    const std::uint8_t mode = data[0] % 4;
    if (mode != 0) {
        bt::handshake hs;
        hs.reserved = bt::make_reserved(mode & 1, mode & 2);
        hs.info_hash = w.info_hash;
        hs.id.fill(0x46);
        ours = hs.reserved;
        out.resize(bt::handshake_size);
        bt::encode_handshake(std::as_writable_bytes(std::span(out.data(), out.size())), hs);
    } else if (size >= 1 + 28) {
        std::memcpy(ours.data(), data + 1 + 20, 8);  // whatever the raw bytes advertise
    }
    out.append(reinterpret_cast<const char*>(data) + 1, size - 1);

    const int s = connect_to_seeder(w.port, std::chrono::milliseconds(2000));
    if (s < 0) {
        std::fprintf(stderr, "cannot connect to the seeder: %s; swarm %s\n", std::strerror(errno),
                     w.ended ? w.status.c_str() : "running");
        SWARMBENCH_FUZZ_CHECK(false, "the seeder no longer accepts connections");
    }
    reply_checker check(w, ours);
    std::size_t sent = 0;
    bool write_open = true;
    std::vector<std::byte> buf(64 * 1024);
    const auto deadline = clock_type::now() + std::chrono::milliseconds(1500);
    for (int rounds = 0; rounds < 100000 && clock_type::now() < deadline; ++rounds) {
        if (write_open && sent == out.size()) {
            ::shutdown(s, SHUT_WR);  // the seeder sees the end and closes
            write_open = false;
        }
        pollfd p{s, static_cast<short>(POLLIN | (write_open ? POLLOUT : 0)), 0};
        if (::poll(&p, 1, 50) <= 0) continue;
        if (write_open && (p.revents & POLLOUT)) {
            const ssize_t n = ::send(s, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
            if (n > 0) sent += static_cast<std::size_t>(n);
            else if (n < 0 && errno != EAGAIN && errno != EINTR) write_open = false;  // the seeder hung up
        }
        if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
            const ssize_t n = ::recv(s, buf.data(), buf.size(), 0);
            if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) break;  // closed by the seeder
            if (n > 0) check.feed(std::span(buf.data(), static_cast<std::size_t>(n)));
        }
    }
    ::close(s);
    SWARMBENCH_FUZZ_CHECK(!w.ended, "the swarm stopped during the session");
    return 0;
}
