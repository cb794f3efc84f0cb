// swarm_types: the swarm's internal state: the run shared by every shard,
// and what one shard (one engine context) owns: its peers (seeders and
// leechers, each a pure bt::local_peer driven here) and their connections.
//
// [SECTION] run-wide state (immutable after set-up, plus atomics)
// [SECTION] counters a shard writes and the controller samples
// [SECTION] connection: one TCP connection, either end
// [SECTION] swarm_peer: a seeder or a leecher (a bt::local_peer and its connections)
// [SECTION] shard
// [SECTION] snapshots: one shard's part, the controller's request
// [SECTION] functions across the swarm's files
//
// Ownership: a shard, and everything it holds, is touched only by its
// context's thread between set-up and teardown, except the members marked
// atomic or guarded by a mutex. The controller reads those while the run goes
// and everything else after the context threads have been joined.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "swarmbench/buffer_pool.hpp"
#include "swarmbench/bt/local_peer.hpp"
#include "swarmbench/bt/peer_session.hpp"
#include "swarmbench/bt/piece_picker.hpp"
#include "swarmbench/bt/sha1.hpp"
#include "swarmbench/bt/torrent.hpp"
#include "swarmbench/bt/wire.hpp"
#include "swarmbench/io_context.hpp"
#include "swarmbench/net/delay_line.hpp"
#include "swarmbench/net/token_bucket.hpp"
#include "swarmbench/results.hpp"
#include "swarmbench/stats.hpp"
#include "swarmbench/swarm/scenario.hpp"
#include "swarmbench/swarm/snapshot.hpp"
#include "swarmbench/swarm/storage.hpp"
#include "swarmbench/swarm/swarm.hpp"
#include "../workloads/controller.hpp"
#include "remote_registry.hpp"

namespace swarmbench::detail {

using namespace std::chrono_literals;

inline std::int64_t steady_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(clock::now().time_since_epoch()).count();
}

// ---------------------------------------------------------------------------
// [SECTION] run-wide state
// ---------------------------------------------------------------------------

/// Where a seeder listens (filled during set-up, read when leechers connect).
struct seeder_address {
    std::string name;  // "seeder-01"
    endpoint where;    // bound address
};

/// An outside client the user named (upload_to, then connect_to, by index):
/// how many connections we have with it now, since when we have none, and how
/// often we dialled it again. Written by the shard that owns each connection,
/// read by the controller every sample; last_loss under its mutex (rare).
struct client_link {
    std::string name;                            // "127.0.0.1:40002"
    std::atomic<std::int64_t> up{0};             // established connections now
    std::atomic<std::int64_t> down_since_ns{0};  // none up since then (the data phase start at first); 0: one is up
    std::atomic<std::uint64_t> redials{0};       // dials after a lost or failed connection
    std::mutex mutex;                            // guards last_loss
    std::string last_loss;                       // why the last connection ended or failed to connect
};

/// Delay before dialling a named client again after `failures` losses in a
/// row that moved no data (failed connects, protocol errors, handshake
/// timeouts): 0.2 s, doubling, at most redial_backoff_max_ns.
inline constexpr std::int64_t redial_backoff_min_ns = 200'000'000;
inline constexpr std::int64_t redial_backoff_max_ns = 5'000'000'000;
constexpr std::int64_t redial_backoff_ns(std::uint32_t failures) noexcept {
    std::int64_t d = redial_backoff_min_ns;
    for (std::uint32_t i = 0; i < failures && d < redial_backoff_max_ns; ++i) d *= 2;
    return d < redial_backoff_max_ns ? d : redial_backoff_max_ns;
}

/// The live settings in force: the scenario's, as steered by swarm_controls
/// (decoded once, by the controller; a rate of 0 is unlimited, as in the scenario).
struct steering {
    std::uint32_t conns_per_leecher = 0;  // target connections per leecher
    std::uint32_t pipeline = 16;          // requests per connection
    std::uint64_t rate_limit = 0;         // per connection, 0: unlimited
    std::uint64_t slow_rate = 0;          // slow connections' limit
    double churn_per_s = 0;               // swarm-wide churn rate

    static steering of(const swarm_scenario& sc) noexcept {
        return {sc.connections_per_leecher, sc.pipeline, sc.rate_limit, sc.slow_rate, sc.churn_per_s};
    }
};

struct swarm_run {
    swarm_scenario scenario;                   // validated
    std::shared_ptr<const bt::torrent> torrent;  // shared read-only by every thread
    std::optional<std::uint64_t> content_seed;  // synthetic content: blocks generated and checked from it;
                                                //   nullopt: a torrent_file served from content_dir
    bool verify_discard = false;               // storage "discard" still hashes every piece (a torrent_file)
    remote_registry remotes;                   // outside clients our seeders serve
    std::atomic<std::uint32_t> next_source{0}; // spread_sources: next loopback source address
    std::filesystem::path data_dir;            // leecher-NN/ folders go here (files mode)
    std::vector<seeder_address> seeders;       // all seeders, by index
    bt::peer_id id_prefix{};                   // "-SB0100-" + run-random bytes
    error_log errors;                          // first error messages (any thread)
    doorbell bell;                             // rung on completion, fatal errors, shard finished
    steering steer;                            // live settings at set-up (later changes are posted to shards)
    bool snapshots = false;                    // on_snapshot is set: shards record their storage writes
    std::atomic<bool> fatal{false};            // a shard hit an error that ends the run (disk full)
    std::atomic<std::size_t> finished{0};      // shards done tearing down
    std::atomic<std::int64_t> first_byte_ns{0};   // first payload byte anywhere
    std::atomic<std::int64_t> all_done_ns{0};     // last leecher completed
    std::atomic<std::int64_t> last_served_ns{0};  // last block served to an outside client
    std::atomic<std::uint32_t> leechers_done{0};  // leechers complete (run to completion)
    std::atomic<std::int64_t> stall_until_ns{0};  // stall faults end by then: leechers count silence from here
    std::int64_t start_ns = 0;                 // data phase start
    std::vector<std::uint32_t> leecher_links;  // scenario.links: each leecher's class (deal_links; empty: none)
    /// Named outside clients: upload_to's, then connect_to's (client_index()).
    std::vector<std::unique_ptr<client_link>> clients;
};

/// The client_link index of upload_to[i] / connect_to[i].
inline int upload_client(std::size_t i) noexcept { return static_cast<int>(i); }
inline int connect_client(const swarm_run& run, std::size_t i) noexcept {
    return static_cast<int>(run.scenario.upload_to.size() + i);
}

// ---------------------------------------------------------------------------
// [SECTION] counters
// ---------------------------------------------------------------------------

/// A gauge with one writer that may go down.
class relaxed_gauge {
public:
    void add(std::int64_t n) noexcept {
        v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    }
    std::int64_t get() const noexcept { return v_.load(std::memory_order_relaxed); }

private:
    std::atomic<std::int64_t> v_{0};  // single-writer value
};

/// Interval histograms, swapped out by the controller under the mutex.
struct interval_histograms {
    latency_histogram request;     // request -> piece
    latency_histogram disk_write;  // storage write completion
    latency_histogram connect;     // connect()
};

struct alignas(64) shard_counters {
    relaxed_counter net_in;            // bytes received on sockets
    relaxed_counter net_out;           // bytes sent
    relaxed_counter payload;           // new block bytes accepted by leechers
    relaxed_counter disk_written;      // bytes the storages wrote
    relaxed_counter connects;          // connections established (handshake done)
    relaxed_counter connect_failures;  // connects that failed
    relaxed_counter disconnects;       // connections lost or dropped
    relaxed_counter pieces_verified;   // pieces passed (discard: completed)
    relaxed_counter hash_failures;     // pieces failed
    relaxed_counter protocol_errors;   // peers dropped for protocol violations
    relaxed_counter errors;            // other errors
    relaxed_gauge active;              // handshaken connections
    relaxed_gauge half_open;           // connecting or handshaking
    relaxed_gauge leecher_live;        // handshaken leecher-side connections (splits drop faults)
    relaxed_gauge seeder_live;         // handshaken seeder-side connections (splits stall and corrupt faults)
    relaxed_gauge link_held;           // bytes the access links hold (link_shaping.cpp)
    std::mutex hist_mutex;             // guards interval
    interval_histograms interval;      // since the controller's last sample
};

// ---------------------------------------------------------------------------
// [SECTION] connection
// ---------------------------------------------------------------------------

struct shard;
struct swarm_peer;

/// Where a dial goes.
struct dial_target {
    enum class kind_t : std::uint8_t {
        seeder,     // the next of this run's seeders in turn (a leecher's connections)
        client,     // a named outside client: swarm_run::clients[client]
        dial_back,  // an outside client that connected in and told us its listen port
    };
    kind_t kind = kind_t::seeder;
    int client = -1;  // kind client: the swarm_run::clients index
    endpoint to;      // kind client, dial_back: where (seeder: chosen when dialled)
    std::string key;  // an outside client's key in swarm_run::remotes ("": none)
};

/// A connection to make (again) when due: a seeder's dials to outside
/// clients and a leecher's reconnects alike.
struct pending_dial {
    std::int64_t at_ns = 0;      // when
    dial_target target;          // to whom
    bool retry = false;          // the previous attempt never connected: a failure is counted, not logged again
    std::uint32_t failures = 0;  // losses in a row that moved no data (redial_backoff_ns)
    bool first = false;          // the first dial to it (not counted as a redial)
};

enum class conn_state : std::uint8_t { connecting, open, closing };

/// One TCP connection of the swarm, either end. It holds no buffer between
/// operations: bytes arrive in the context's receive pool (recv_pooled) and
/// go straight to the session, which keeps what to send as a short list and
/// writes it into a shard send buffer only while a send is in flight.
/// Bytes a connection received and its access link holds: the receive
/// pool's buffer itself, given back once delivered.
struct held_recv {
    std::byte* data = nullptr;
    std::size_t size = 0;
};

struct connection {
    swarm_peer* owner = nullptr;     // our peer
    std::unique_ptr<bt::peer_session> session;  // the BitTorrent side, once the byte stream is up
    conn_state state = conn_state::connecting;
    native_handle fd = invalid_handle;
    bool outgoing = false;           // we dialled
    bool retry = false;              // this dial follows one that never connected (counted, not logged again)
    bool external = false;           // the remote is an outside client (not one of this run's peers)
    bool counted = false;            // counted in the active gauge and connects (see on_established)
    bool slow = false;               // plays (leecher side) or serves (seeder side) a slow peer
    bool remote_complete = false;    // an outside client announced every piece
    bool flush_queued = false;       // in the shard's flush list
    bool waiting_buffer = false;     // in the shard's queue for a large send buffer
    bool large_buffer = false;       // send_buf is a large one
    bool protocol_error = false;     // ended for breaking the protocol (never dialled again)
    bool up = false;                 // the handshake completed (counted in the gauges until it ends)
    std::uint8_t pending = 0;        // operations and waits that keep the object alive
    std::uint32_t id = 0;            // its number at our peer (in our peer id)
    std::uint32_t dial_failures = 0; // named client: losses in a row before this dial that moved no data
    dial_target target;              // outgoing: to whom; came in from an outside client: only its key (its IP)
    std::string remote;              // "seeder-01 127.0.0.1:40001" for logs and summaries
    endpoint remote_ep;              // dialled, or accepted from
    std::string local;               // our end's address once open ("127.0.0.5:40123"; "" before)
    std::string end_reason;          // why it ended ("" while open)
    std::byte* send_buf = nullptr;   // the send in flight's buffer (the shard's)
    operation recv_op;               // multishot recv_pooled, armed while open
    operation* ctl_op = nullptr;     // connect, then close of fd, in flight (the shard's; null: none)
    operation* send_op = nullptr;    // the one send in flight (the shard's; null: none)
    std::int64_t connect_start_ns = 0;  // dial or accept
    std::int64_t closed_ns = 0;         // when it ended
    std::uint64_t snap_bytes_in = 0;    // bytes in at the previous snapshot (in_bps)
    std::int64_t snap_ns = 0;           // when that snapshot was taken, 0: none yet
    // The owner's access link (link_shaping.cpp), when it has a class:
    delay_line<held_recv> inbound;      // received bytes not due yet (receive-pool buffers, not copies)
    delay_model delay;                  // each chunk's delay: the owner's rtt_ms (its whole round trip)
    std::int64_t link_due = 0;          // the shard's link timer holds this connection for then (0: not held)
    bool link_flush = false;            // a send waits for the owner's up rate
    bool recv_armed = false;            // recv_op is in flight
    bool recv_paused = false;           // recv stopped: `inbound` holds the link's queue limit
    std::string held_end;               // the remote ended (why) while bytes were still held: after them

    int named_client() const noexcept { return target.kind == dial_target::kind_t::client ? target.client : -1; }
    bool to_seeder() const noexcept { return outgoing && target.kind == dial_target::kind_t::seeder; }
    bool established() const noexcept { return session && !session->closed() && session->active(); }
};

// ---------------------------------------------------------------------------
// [SECTION] swarm_peer: a seeder or a leecher
// ---------------------------------------------------------------------------

enum class peer_role : std::uint8_t { seeder, leecher };

/// One of this run's peers: a bt::local_peer (seeders and leechers are two
/// configurations of it) with its connections, dials, storage and, for a
/// seeder, its listener. It is the peer_io of its local peer: the effects
/// of its sessions come here and are carried out through the shard.
struct swarm_peer final : bt::peer_io {
    shard* owner = nullptr;                // its shard
    peer_role role = peer_role::leecher;   // seeder or leecher
    std::uint32_t index = 0;               // seeder or leecher number
    std::string name;                      // "seeder-01", "leecher-03"
    std::unique_ptr<bt::local_peer> bt;    // the BitTorrent peer (null until set-up)
    std::unique_ptr<piece_storage> storage;  // leecher files or discard (null: nothing kept)
    std::vector<std::unique_ptr<connection>> conns;  // live and ending connections
    std::uint32_t closing = 0;             // of them in conn_state::closing (peer_tick sweeps only then)
    std::vector<pending_dial> dials;       // connections to make, when due
    std::vector<std::uint32_t> banned_clients;  // swarm_run::clients that broke the protocol
    std::uint32_t next_conn_id = 1;        // connection numbers (in our peer ids)
    std::uint32_t next_seeder = 0;         // leecher: round robin over the seeders
    std::uint32_t turn = 0;                // disk-only: the virtual peer whose turn it is
    std::uint64_t applied_rate = 0;        // seeder: the shard's rate_limit and slow_rate its
    std::uint64_t applied_slow_rate = 0;   // ...sessions were last given (peer_tick steers on a change)
    std::uint64_t payload_in = 0;          // leecher: block bytes received (the summary's per-class goodput)
    const link_class* access = nullptr;    // its access link's class (scenario.links), null: not emulated
    token_bucket up;                       // ...its upload rate, shared by its connections
    token_bucket down;                     // ...its download rate, shared by its connections
    // seeder
    native_handle listener = invalid_handle;  // listening socket
    endpoint where;                        // bound address
    operation accept_op;                   // multishot accept
    bool accept_pending = false;           // accept_op armed
    operation retry_timer;                 // re-arms accept after an error (EMFILE)
    bool retry_pending = false;            // retry_timer armed
    // leecher
    std::uint32_t rounds_done = 0;         // completed downloads (timed runs repeat)
    bool done = false;                     // run to completion: every piece verified
    bool failed = false;                   // a fatal storage error stopped it
    std::int64_t done_ns = 0;              // when it completed
    bt::peer_handle local_handle = 0;      // disk-only: the generator's handle
    std::uint32_t virtual_peers = 0;       // disk-only: generator turns
    std::vector<bt::block_ref> pick_scratch;  // disk-only picks

    // ---- bt::peer_io (swarm_peer.cpp)
    void want_send(bt::peer_session& s) override;
    void closed(bt::peer_session& s) override;
    void fill_block(bt::peer_session& s, const bt::block_request& r, std::span<std::byte> out) override;
    void read_block(bt::peer_session& s, const bt::block_request& r) override;
    void release_block(const std::byte* data) override;
    void established(bt::peer_session& s) override;
    void block_received(bt::peer_session& s, std::uint32_t length, std::int64_t latency_ns) override;
    void block_sent(bt::peer_session& s, const bt::block_request& r, std::int64_t now) override;
    void remote_pieces(bt::peer_session& s, std::optional<std::uint32_t> piece) override;
    void note(bt::peer_session& s, const char* what, bool first) override;
    void write_block(bt::local_peer& p, const bt::write_ticket& t, std::span<const std::byte> data) override;
    void hash_piece(bt::local_peer& p, std::uint32_t piece, std::span<const std::byte> data) override;
    std::optional<bool> block_matches(bt::local_peer& p, std::uint32_t piece, std::uint32_t begin,
                                      std::span<const std::byte> data) override;
    void piece_done(bt::local_peer& p, std::uint32_t piece, bool passed) override;
    void completed(bt::local_peer& p) override;
};

/// One storage write of a block, or read of a block to serve.
struct block_io {
    swarm_peer* peer = nullptr;       // whose
    connection* conn = nullptr;       // read: the connection it is for (kept alive by its pending count)
    bt::write_ticket ticket;          // write: handed back to the local peer
    bt::block_request request;        // read: what was asked
    std::byte* data = nullptr;        // read: the block (the shard's block pool)
};

// ---------------------------------------------------------------------------
// [SECTION] shard
// ---------------------------------------------------------------------------

/// Storage writes a shard records for snapshots (shard thread only). At most
/// `bound` are kept between two snapshots: past that the record halves (every
/// other point) and keeps one write in twice as many, so the points stay
/// evenly spread over the interval whatever the write rate.
class write_recorder {
public:
    static constexpr std::size_t bound = 2 * disk_points_per_snapshot;

    void record(const disk_write_point& p);
    /// Appends what was recorded since the last take to `out`, thinned evenly
    /// to at most `cap` points; returns how many writes were left out.
    std::uint64_t take(std::vector<disk_write_point>& out, std::size_t cap);

private:
    std::vector<disk_write_point> points_;  // kept since the last take
    std::uint64_t dropped_ = 0;             // left out since the last take
    std::uint32_t stride_ = 1;              // keep one write in stride_
    std::uint32_t phase_ = 0;               // writes since the last kept one
};

/// Send buffers a shard lends to connections for the time a send is in
/// flight: small ones for what sessions say (requests, HAVEs, choking),
/// large ones for blocks. Both are capped per shard, so memory does not grow
/// with the number of connections (thousands of handshakes at once would
/// otherwise each pin a buffer); a connection that finds none waits in its
/// class's line (shard::buffer_waiters). Most recently used first: a seeder
/// generates blocks into a buffer the kernel has just copied out of, still
/// in cache. Few large ones for the same reason: 8 (2.5 MiB) served the
/// swarm rows 6-10% faster at 8% less CPU than 32 (10 MiB, past the L2
/// caches), and 2,000 connections split over two processes about 6% faster.
class send_buffers {
public:
    static constexpr std::size_t small_size = 2048;        // a handshake, a bitfield of 15,000 pieces, 100 requests
    static constexpr std::size_t large_size = 320 * 1024;  // a serve window plus control messages
    static constexpr std::size_t small_cap = 512;          // small buffers lent at once per shard (1 MiB)
    static constexpr std::size_t large_cap = 8;            // large buffers lent at once per shard (2.5 MiB)

    static bool large_for(std::size_t need) noexcept { return need > small_size; }
    /// A buffer of at least `need` bytes (small when it fits), or nullptr
    /// when every buffer of that class is lent.
    std::byte* take(std::size_t need);
    void give(std::byte* b, bool large) noexcept;
    std::size_t lent(bool large) const noexcept { return lent_[large]; }
    static std::size_t cap(bool large) noexcept { return large ? large_cap : small_cap; }

private:
    std::vector<std::byte*> free_[2];                  // small, large: LIFO
    std::vector<std::unique_ptr<std::byte[]>> owned_;  // every buffer ever made
    std::size_t lent_[2] = {0, 0};                     // out now, by class
};

/// Connections waiting for a send buffer of one class, first come first
/// served (each waiting one counts as pending, so it stays alive).
struct buffer_line {
    std::vector<connection*> waiting;  // from head on
    std::size_t head = 0;              // first still waiting
};

/// Operations a shard lends to connections for their connects, closes and
/// sends: only the receive, armed all along, lives in the connection, so a
/// connection's size does not carry three operations (352 bytes each).
class op_pool {
public:
    operation& take();              // a reset operation
    void give(operation& op) noexcept;

private:
    std::vector<std::unique_ptr<operation>> owned_;  // every one made
    std::vector<operation*> free_;                   // ready for reuse
};

/// What sessions and peers asked for inside a completion that must happen
/// after it (peer_io's re-entrancy rule): answered hashes, a leecher's
/// completion, closing a connection whose client has every piece.
struct deferred_action {
    enum class kind_t : std::uint8_t { hashed, completed, close_done };
    kind_t kind = kind_t::hashed;
    swarm_peer* peer = nullptr;  // hashed, completed: whose
    std::uint32_t piece = 0;     // hashed: which
    bool passed = false;         // hashed: the result
    connection* conn = nullptr;  // close_done: which
};

/// The shard's one timer for its connections' access links: a min-heap of
/// (due, connection), each entry counted in the connection's `pending` so it
/// outlives its entries; entries a connection has since moved are stale and
/// skipped (their due differs from the connection's link_due).
struct link_timer {
    struct entry {
        std::int64_t due;
        connection* conn;
        bool operator>(const entry& o) const noexcept { return due > o.due; }
    };
    std::vector<entry> heap;       // std::push_heap with std::greater: earliest first
    operation op;                  // the timer
    bool armed = false;            // op in flight
    bool cancelling = false;       // op cancelled for an earlier due (its completion re-arms)
    std::int64_t armed_for = 0;    // the due op fires for
};

struct shard {
    std::size_t index = 0;           // context index
    swarm_run* run = nullptr;        // the run
    io_context* ctx = nullptr;       // set on its thread
    std::vector<std::unique_ptr<swarm_peer>> seeders;   // seeders this shard owns
    std::vector<std::unique_ptr<swarm_peer>> leechers;  // leechers this shard owns
    send_buffers sends;              // lent to sends in flight
    op_pool ops;                     // lent to connects, closes and sends in flight
    std::vector<connection*> flushes;       // connections with output to send after this completion
    buffer_line buffer_waiters[2];          // connections waiting for a send buffer: small, large
    std::vector<deferred_action> deferred;  // see deferred_action
    std::vector<std::unique_ptr<block_io>> block_ios;  // recycled write and read records
    std::vector<block_io*> free_block_ios;  // ready for reuse
    std::vector<std::unique_ptr<std::byte[]>> blocks;  // read buffers for serving from files (recycled)
    std::vector<std::byte*> free_blocks;    // ready for reuse
    bt::sha1 hasher;                 // piece hashes
    std::unique_ptr<piece_storage> content;  // seeders serve from content_dir (read-only); null: synthetic
    operation tick_op;               // periodic housekeeping timer
    link_timer links;                // connections whose access link holds bytes or a send
    bool tick_pending = false;       // tick_op armed
    std::int64_t last_tick_ns = 0;   // previous tick
    std::uint32_t dials_in_flight = 0;  // connects submitted and not back yet (at most max_dials_in_flight)
    double churn_budget = 0;         // connections owed to churn
    std::uint64_t corrupt_blocks = 0;  // corrupt fault: blocks its seeders still send with a flipped byte
    std::uint64_t rng = 1;           // splitmix64 state (slow peers, churn)
    bool stopping = false;           // teardown: submit nothing new
    bool finished = false;           // everything closed
    bool settling = false;           // inside shard_settle
    std::size_t live = 0;            // shard-level ops pending (tick, accepts, retries, storage)
    shard_counters counters;         // sampled by the controller
    latency_histogram run_request;   // whole run (read after join)
    latency_histogram run_disk_write;
    latency_histogram run_connect;
    latency_histogram run_link_late;  // link_shaping: delivered minus due, each held chunk
    std::vector<peer_summary> peers; // connections that ended (read after join)
    steering steer;                  // live settings in force (set up from swarm_run, then posted)
    write_recorder writes;           // storage writes for snapshots (swarm_run::snapshots)
};

// ---------------------------------------------------------------------------
// [SECTION] snapshots
// ---------------------------------------------------------------------------

/// What one shard contributes to a swarm_snapshot, each entry tagged with its
/// leecher index so the controller can order the merge.
struct snapshot_part {
    std::vector<std::pair<std::uint32_t, leecher_snapshot>> leechers;  // (leecher index, state)
    std::vector<std::pair<std::uint32_t, peer_snapshot>> peers;        // (leecher index, connection)
    std::vector<disk_write_point> writes;  // since the shard's previous part, thinned
    std::uint64_t dropped_writes = 0;      // writes left out of `writes`
    std::atomic<bool> filled{false};       // set (release) by the shard once the rest is written
    bool adopted = false;                  // controller: writes carried into a later snapshot
};

/// One snapshot request: a part per shard, shared with the posted fills, so
/// a shard answering after the controller gave up still writes into live
/// memory (and its writes reach the next snapshot instead of being lost).
struct snapshot_round {
    explicit snapshot_round(std::vector<shard*> of) : shards(std::move(of)), parts(shards.size()) {}
    std::vector<shard*> shards;       // by context index
    std::vector<snapshot_part> parts;  // by context index
};

// ---------------------------------------------------------------------------
// [SECTION] functions across the swarm's files (all on the shard's thread)
// ---------------------------------------------------------------------------

/// Requests a peer of ours accepts at once, advertised as reqq (BEP 10); our
/// peers queue past it and refuse only a flood (16 times more).
inline constexpr std::uint32_t advertised_reqq = 2048;

/// Why a connection closed by a drop fault ended (it reconnects at once, as after churn).
inline constexpr const char* drop_fault_reason = "dropped: fault";

// shard.cpp
std::uint64_t next_random(shard& s) noexcept;
void submit_shard_op(shard& s, operation& op);  // counts s.live
void shard_op_done(shard& s);                   // --live, maybe finish
void maybe_finish_shard(shard& s);
void record_error(shard& s, const std::string& message);
void record_latency(shard& s, latency_histogram interval_histograms::*which,
                    latency_histogram shard::*run_hist, std::int64_t ns);
/// Applies this shard's part of an injected fault (posted by the controller).
void shard_apply_fault(shard& s, const swarm_fault& f);
/// New live settings (the controller's, posted); peers apply them at their next tick.
void shard_steer(shard& s, const steering& v);
/// Carries out what sessions and peers asked for during the completion that
/// is ending: answers hashes, leecher completions, flushes. Every completion
/// callback that fed a session calls it last.
void shard_settle(shard& s);

/// Set-up on the shard's thread: listeners, local peers, storages, the tick.
/// Returns "" or an error naming what failed ("seeder-02: cannot listen ...").
std::string shard_setup(shard& s, io_context& ctx);
void shard_start(shard& s);  // seeders dial clients, leechers connect (or start generating)
void shard_stop(shard& s);   // teardown; rings the controller when done

// connection.cpp
/// A new connection of `p` (not yet dialled or accepted).
connection& add_connection(swarm_peer& p);
void conn_connect(connection& c, const endpoint& to);   // outgoing
/// An accepted socket, or a connect that succeeded: start the session.
void conn_open(connection& c);
/// Sends what the session has, if no send is in flight and a buffer is to
/// be had (else it waits for one).
void conn_flush(connection& c);
/// Ends the connection (session and socket). Idempotent.
void conn_close(connection& c, std::string reason, bool protocol_error = false);
bool conn_finished(const connection& c);        // closed and nothing pending
peer_summary summarize(const connection& c, const std::string& ours);
std::map<std::string, std::uint64_t> notes_of(const connection& c);
/// Counts its ending (disconnects, failed connects, named-client links);
/// called once, when the session or the dial ends.
void conn_ended(connection& c);
/// A send buffer of the class came free: the next waiting connections get it.
void serve_buffer_waiters(shard& s, bool large);

// link_shaping.cpp: the access links of peers with a class (net/link.hpp)
/// At set-up: the peer's class (scenario.links, seeder_link) and its buckets.
void link_setup_peer(swarm_peer& p);
/// At conn_open: the connection's delay model, from its owner's class.
void link_open(connection& c);
/// A received chunk, when the owner's link holds it (true: the chunk is the
/// link's now, pool buffer and all); false: deliver it at once.
bool link_hold(connection& c, std::byte* data, std::size_t n, std::int64_t now);
/// The remote ended while bytes are held: true when the end waits for them.
bool link_hold_end(connection& c, const std::string& reason);
/// Before a send: true when the owner's up rate makes it wait (the link
/// timer flushes it later).
bool link_send_waits(connection& c, std::int64_t now);
/// The most a send may carry (`cap`, the buffer's size), lowered to what
/// suits the owner's up rate.
std::size_t link_send_cap(const connection& c, std::size_t cap);
/// After a send of `n` bytes was written.
void link_sent(connection& c, std::size_t n, std::int64_t now);
/// Serves the shard's connections whose holds are due (a receive completion
/// calls it first: a busy shard delivers without waiting for its timer).
void link_poll(shard& s, std::int64_t now);
/// At close: every held buffer back to the pool.
void link_drop(connection& c);
/// Shard teardown: the timer cancelled, every entry released.
void link_stop(shard& s);
/// Arms the recv of an open connection (conn_open, and after a pause).
void conn_arm_recv(connection& c);

// swarm_peer.cpp
std::unique_ptr<swarm_peer> make_swarm_peer(shard& s, peer_role role, std::uint32_t index);
std::error_code peer_listen(swarm_peer& p, const endpoint& where);
/// Creates the local peer (and storage): the scenario decides its configuration.
std::string peer_setup(swarm_peer& p, io_context& ctx);
void peer_start(swarm_peer& p);
void peer_tick(swarm_peer& p, std::int64_t now);
void peer_stop(swarm_peer& p);
/// A connection of `p` ended: keep its summary, maybe dial again. Called
/// from peer_tick when the object is freed.
void peer_connection_gone(swarm_peer& p, const connection& c);
/// A connection of `p` ended (conn_ended calls it once): dial again, or not.
void peer_connection_closed(swarm_peer& p, const connection& c);
/// Churn: drops a random live connection of leecher `p` to a seeder.
bool peer_churn_one(swarm_peer& p);
/// Disk-only: keeps connections x pipeline generated blocks in flight.
void disk_only_pump(swarm_peer& p);
/// A fresh picker configuration for leecher `p` (scenario order, end-game).
bt::picker_options picker_options_of(const swarm_peer& p);
/// The leecher completed (deferred from peer_io::completed).
void leecher_complete(swarm_peer& p);

// snapshot.cpp
/// Records a completed storage write of leecher `p` (only when swarm_run::snapshots).
void record_write(shard& s, const swarm_peer& p, std::uint32_t piece, std::uint32_t begin, std::uint32_t length);
/// Fills `out` with the shard's leechers, their connections and the writes
/// recorded since the previous fill, then sets out.filled.
void fill_snapshot(shard& s, snapshot_part& out);
/// Controller thread, after every part is filled: merges `round` (leechers by
/// index, peers by leecher, writes by time, capped at disk_points_per_snapshot).
swarm_snapshot merge_snapshot(snapshot_round& round, std::uint32_t leechers);
/// Controller thread: moves the writes of parts of `late` (a round the
/// controller gave up on) that have been filled since into `into`. Returns
/// true once every part has been carried over.
bool adopt_late_writes(snapshot_round& late, snapshot_part& into);
/// Keeps `cap` of `points`, evenly spread; returns how many it removed.
std::uint64_t thin_evenly(std::vector<disk_write_point>& points, std::size_t cap);

}  // namespace swarmbench::detail
