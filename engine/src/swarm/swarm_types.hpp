// swarm_types: the swarm's internal state: the run shared by every shard,
// and what one shard (one engine context) owns: seeders, leechers and their
// connections.
//
// [SECTION] run-wide state (immutable after set-up, plus atomics)
// [SECTION] counters a shard writes and the controller samples
// [SECTION] connection: one TCP connection, either end
// [SECTION] seeder, leecher, piece buffers
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
#include "swarmbench/bt/piece_picker.hpp"
#include "swarmbench/bt/sha1.hpp"
#include "swarmbench/bt/torrent.hpp"
#include "swarmbench/bt/wire.hpp"
#include "swarmbench/io_context.hpp"
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
    swarm_controls* controls = nullptr;        // steering from outside, may be null
    bool snapshots = false;                    // on_snapshot is set: shards record their storage writes
    std::atomic<bool> fatal{false};            // a shard hit an error that ends the run (disk full)
    std::atomic<std::size_t> finished{0};      // shards done tearing down
    std::atomic<std::int64_t> first_byte_ns{0};   // first payload byte anywhere
    std::atomic<std::int64_t> all_done_ns{0};     // last leecher completed
    std::atomic<std::int64_t> last_served_ns{0};  // last block served to an outside client
    std::atomic<std::uint32_t> leechers_done{0};  // leechers complete (run to completion)
    std::atomic<std::int64_t> stall_until_ns{0};  // stall faults end by then: leechers count silence from here
    std::int64_t start_ns = 0;                 // data phase start
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
    std::mutex hist_mutex;             // guards interval
    interval_histograms interval;      // since the controller's last sample
};

// ---------------------------------------------------------------------------
// [SECTION] connection
// ---------------------------------------------------------------------------

struct shard;
struct seeder;
struct leecher;
struct connection;

/// Send buffers a shard recycles, most recently used first: a seeder
/// generates blocks into a buffer the kernel has just copied out of, so the
/// bytes are still in cache when the next send copies them (per-connection
/// buffers would cycle through far more memory than the caches hold).
class send_pool {
public:
    static constexpr std::size_t buffer_size = 320 * 1024;  // a full send plus one block message

    std::unique_ptr<std::byte[]> take() {
        if (free_.empty()) return std::unique_ptr<std::byte[]>(new std::byte[buffer_size]);
        auto b = std::move(free_.back());
        free_.pop_back();
        return b;
    }
    void give(std::unique_ptr<std::byte[]> b) { free_.push_back(std::move(b)); }

private:
    std::vector<std::unique_ptr<std::byte[]>> free_;  // LIFO
};

/// Outgoing bytes of one connection: storage from the shard's send_pool
/// while it holds data, returned when the send is done. Appended bytes are
/// not zeroed (std::vector would memset every block a seeder generates).
class byte_buffer {
public:
    /// Appends `n` uninitialised bytes and returns them for the caller to fill.
    std::span<std::byte> append(std::size_t n, send_pool& pool);
    /// Empties it and gives its storage back to `pool`.
    void release(send_pool& pool) noexcept;
    bool empty() const noexcept { return size_ == 0; }
    std::size_t size() const noexcept { return size_; }
    std::byte* data() noexcept { return data_.get(); }
    void swap(byte_buffer& other) noexcept {
        std::swap(data_, other.data_);
        std::swap(size_, other.size_);
        std::swap(capacity_, other.capacity_);
    }

private:
    std::unique_ptr<std::byte[]> data_;  // capacity_ bytes, or null
    std::size_t size_ = 0;               // bytes in use
    std::size_t capacity_ = 0;           // bytes allocated
};

enum class conn_state : std::uint8_t { connecting, handshaking, active, closing };

/// A request a leecher has sent and not yet seen answered.
struct outstanding_request {
    bt::block_ref block;       // which block
    std::int64_t sent_ns = 0;  // when the request was queued
};

/// A request a seeder has been asked for and not yet served.
struct queued_request {
    std::uint32_t index = 0;   // piece
    std::uint32_t begin = 0;   // offset
    std::uint32_t length = 0;  // bytes
    std::int64_t received_ns = 0;  // when it arrived (serve latency of outside clients)
};

/// A block a seeder serving from content_dir is reading from disk; sent in
/// request order once its read (and every earlier one) is done.
struct block_read {
    connection* conn = nullptr;  // the connection it is for (kept alive by its pending count)
    queued_request request;      // what was asked
    std::vector<std::byte> data; // the block
    bool done = false;           // the read completed (successfully or not)
    std::string error;           // the read failed: why
};

struct connection {
    shard* owner = nullptr;        // shard (and context) that owns it
    seeder* as_seeder = nullptr;   // set on a seeder's accepted connection
    leecher* as_leecher = nullptr; // set on a leecher's outgoing connection
    std::uint32_t id = 0;          // picker peer handle (leecher side), unique per leecher
    std::string remote;            // "seeder-01 127.0.0.1:40001" for logs and summaries
    int target = -1;               // leecher side: seeder index, or -1 - connect_to index
    native_handle fd = invalid_handle;  // socket
    conn_state state = conn_state::connecting;  // life cycle
    std::string end_reason;        // why it closed ("" while open)
    std::string close_when_sent;   // close with this reason once everything queued is sent ("" : no)
    bool counted = false;          // counted in the active gauge and connects (see on_handshake)
    bool protocol_error = false;   // closed for breaking the protocol or sending bad data: never dial again
    bool outgoing = false;         // we dialled: a leecher's connection, or a seeder's to an upload_to peer
    bool retry = false;            // a dial again after a failed one: a failure is counted, not logged again
    bool external = false;         // the remote is an outside client (not one of this run's peers)
    int named_client = -1;         // a named outside client's swarm_run::clients index, or -1
    std::uint32_t dial_failures = 0;  // named client: losses in a row before this dial that moved no data

    operation connect_op;          // connect (leecher side)
    operation recv_op;             // the one recv kept pending
    operation send_op;             // the one send kept pending
    operation close_op;            // close of fd (cancels the others)
    std::uint8_t pending = 0;      // of the four ops, submitted and not completed

    std::vector<std::byte> recv_buf;  // recv_op's buffer
    byte_buffer out;                  // messages accumulating
    byte_buffer sending;              // what send_op is sending
    bt::wire_decoder decoder;         // incoming messages

    // peer state
    bt::bitfield remote_has;       // leecher side: pieces the remote has
    bool remote_seed = false;      // remote has every piece (counted via add_seed)
    bool remote_registered = false;  // remote_has (or seed) is counted in the picker
    bool peer_choking = true;      // remote chokes us
    bool am_interested = false;    // we told the remote we are interested
    bool peer_interested = false;  // seeder side: remote is interested
    bool am_choking = true;        // seeder side: we choke the remote
    bool optimistic = false;       // seeder side: optimistic unchoke holder
    std::int64_t stalled_until_ns = 0;  // seeder side: a stall fault; serve no block before this (0: none)
    bool fast = false;             // BEP 6 negotiated
    std::uint32_t remote_reqq = 0; // requests the remote accepts at once (BEP 10 reqq); 0: not told
    std::string client;            // the remote's client name (BEP 10 "v"), may be empty
    std::string remote_key;        // seeder side, outside client: its key in swarm_run::remotes (its address)
    endpoint remote_ep;            // the remote's address (dialled, or accepted from)
    std::uint16_t remote_listen_port = 0;  // the remote's listen port (BEP 10 "p"); 0: not told
    bt::bitfield allowed_fast;     // leecher side: pieces we may request while choked (BEP 6)
    bool remote_complete = false;  // seeder side: the remote announced every piece
    std::vector<outstanding_request> requests;  // leecher side, in request order
    std::deque<queued_request> queue;          // seeder side, to serve
    std::deque<std::unique_ptr<block_read>> reads;  // seeder side from content_dir: reads in request order

    // rate limit (seeder side sends)
    bool slow = false;             // drawn as a slow connection
    std::uint64_t rate = 0;        // bytes/s, 0: unlimited
    double tokens = 0;             // bytes it may send now

    // stats
    std::int64_t connect_start_ns = 0;   // connect submitted
    std::int64_t established_ns = 0;     // handshake done
    std::int64_t closed_ns = 0;          // conn_close called
    std::int64_t last_piece_ns = 0;      // last block received (leecher) / sent (seeder)
    std::int64_t last_send_ns = 0;       // last send submitted (keep-alives after 60 s of silence)
    std::uint64_t requests_received = 0; // seeder side: requests the remote sent
    std::uint64_t bytes_in = 0;          // received
    std::uint64_t bytes_out = 0;         // sent
    std::uint64_t blocks = 0;            // new blocks delivered
    std::uint64_t requests_sent = 0;     // requests sent
    std::uint64_t rejects = 0;           // requests rejected or lost to a choke
    std::uint64_t interval_out = 0;      // bytes sent since the last rechoke (choking)
    compact_histogram request_latency;   // leecher side: request -> piece; seeder side (outside
                                         //   clients): request received -> block handed to the socket
    std::uint64_t snap_bytes_in = 0;     // bytes_in at the previous snapshot (in_bps)
    std::int64_t snap_ns = 0;            // when that snapshot was taken, 0: none yet
    /// What the remote did that a strict reading of the protocol refuses and
    /// we accepted, as real clients do (bt::message::bend and the session's
    /// own, e.g. "unknown extension message"), with how often. Few kinds, so
    /// a vector; the names have static storage.
    std::vector<std::pair<const char*, std::uint64_t>> notes;

    connection(const bt::piece_geometry& g, const bt::wire_options& o) : decoder(g, o) {}
};

// ---------------------------------------------------------------------------
// [SECTION] seeder, leecher, piece buffers
// ---------------------------------------------------------------------------

/// A connection a seeder will make to an outside client.
struct seeder_dial {
    std::int64_t at_ns = 0;  // when
    endpoint to;             // where
    std::string key;         // the client's key in swarm_run::remotes
    int target = -1;         // upload_to index, or -1 (dialling back a client that connected in)
    bool retry = false;      // the previous dial failed (connection::retry)
    std::uint32_t failures = 0;  // losses in a row that moved no data (redial_backoff_ns)
    bool first = false;      // the first dial (not counted as a redial)
};

struct seeder {
    shard* owner = nullptr;               // its shard
    std::uint32_t index = 0;              // seeder number
    std::string name;                     // "seeder-01"
    native_handle listener = invalid_handle;  // listening socket
    endpoint where;                       // bound address
    operation accept_op;                  // multishot accept
    bool accept_pending = false;          // accept_op armed
    operation retry_timer;                // re-arms accept after an error (EMFILE)
    bool retry_pending = false;           // retry_timer armed
    std::vector<std::unique_ptr<connection>> conns;  // accepted and dialled connections
    std::uint32_t next_conn_id = 1;       // ids of its connections (peer ids sent to outside clients)
    std::vector<seeder_dial> redials;     // outside clients to dial (again), when due
    std::int64_t next_rechoke_ns = 0;     // choking: next regular rechoke
    std::int64_t next_optimistic_ns = 0;  // choking: next optimistic rotation
};

/// One piece being assembled in memory (files mode and disk-only).
struct piece_buffer {
    leecher* owner = nullptr;        // leecher it belongs to
    std::uint32_t piece = 0;         // piece index
    std::uint32_t slot = 0;          // index in leecher::buffers
    std::byte* data = nullptr;       // piece_length bytes, 4 KiB aligned (owned by the leecher)
    std::uint32_t writes_pending = 0;  // storage writes from this buffer in flight
    std::vector<bt::peer_handle> senders;  // which connection sent each block
    bool complete = false;           // every block arrived (hashed or waiting for writes)
    bool detached = false;           // the piece failed: free once writes drain
};

/// One storage write of a block out of a piece buffer.
struct block_write {
    piece_buffer* buffer = nullptr;  // the data's buffer
    std::uint32_t begin = 0;         // offset in the piece
    std::uint32_t length = 0;        // bytes
};

struct leecher {
    shard* owner = nullptr;          // its shard
    std::uint32_t index = 0;         // leecher number
    std::string name;                // "leecher-01"
    std::unique_ptr<bt::piece_picker> picker;       // what to request next
    std::unique_ptr<piece_storage> storage;         // files or discard (null in discard)
    std::vector<std::unique_ptr<connection>> conns; // live connections
    std::uint32_t next_conn_id = 1;  // picker handles, never reused within a picker
    std::uint32_t rounds_done = 0;   // completed downloads (duration mode repeats)
    bool done = false;               // run to completion: every piece verified
    bool failed = false;             // a fatal storage error stopped it
    std::int64_t done_ns = 0;        // when it completed
    std::uint32_t next_target = 0;   // round robin over seeders for new connections
    std::vector<std::int64_t> reconnect_at;  // connections to make again, at these times
    std::vector<int> reconnect_target;       // ...and to whom (connection::target)
    std::vector<bool> reconnect_retry;       // ...and whether the lost one never connected (connection::retry)
    std::vector<std::uint32_t> reconnect_failures;  // ...and its losses in a row that moved no data
    std::vector<std::uint32_t> banned_connect_to;  // connect_to indexes that broke the protocol

    // piece buffers
    std::vector<std::int32_t> buffer_of;            // piece -> index in buffers, -1 none
    std::vector<std::unique_ptr<piece_buffer>> buffers;  // all ever made (recycled)
    std::vector<piece_buffer*> free_buffers;        // ready for reuse
    std::vector<aligned_bytes> memory;  // aligned storage of buffers
    std::vector<std::unique_ptr<block_write>> writes;  // recycled write records
    std::vector<block_write*> free_writes;          // ready for reuse

    // disk-only driver
    std::uint32_t virtual_peers = 0;  // connections x pipeline blocks kept in flight
    std::uint32_t in_flight = 0;      // disk-only writes in flight
    bt::bitfield all_pieces;          // a full bitfield for pick()

    std::vector<bt::block_ref> pick_scratch;        // reused by pick()
    std::vector<bt::peer_handle> cancel_scratch;    // reused by mark_received()
    bt::sha1 hasher;                                // piece hashes
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

struct shard {
    std::size_t index = 0;           // context index
    swarm_run* run = nullptr;        // the run
    io_context* ctx = nullptr;       // set on its thread
    std::vector<std::unique_ptr<seeder>> seeders;    // seeders this shard owns
    std::vector<std::unique_ptr<leecher>> leechers;  // leechers this shard owns
    send_pool sends;                 // recycled send buffers
    std::unique_ptr<piece_storage> content;  // seeders serve from content_dir (read-only); null: synthetic
    operation tick_op;               // periodic housekeeping timer
    bool tick_pending = false;       // tick_op armed
    std::int64_t last_tick_ns = 0;   // previous tick
    double churn_budget = 0;         // connections owed to churn
    std::uint64_t corrupt_blocks = 0;  // corrupt fault: blocks its seeders still send with a flipped byte
    std::uint64_t rng = 1;           // splitmix64 state (slow peers, churn)
    bool stopping = false;           // teardown: submit nothing new
    bool finished = false;           // everything closed
    std::size_t live = 0;            // shard-level ops pending (tick, accepts, retries)
    shard_counters counters;         // sampled by the controller
    latency_histogram run_request;   // whole run (read after join)
    latency_histogram run_disk_write;
    latency_histogram run_connect;
    std::vector<peer_summary> peers; // connections that ended (read after join)
    // settings in force (from the scenario, changed by swarm_controls)
    std::uint32_t pipeline = 16;     // requests per connection
    std::uint32_t conns_per_leecher = 0;  // target per leecher
    std::uint64_t rate_limit = 0;    // per connection, 0 unlimited
    std::uint64_t slow_rate = 0;     // slow connections
    double churn_per_s = 0;          // swarm-wide churn rate
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
/// seeders queue past it and refuse only a flood (seeder.cpp).
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

/// Set-up on the shard's thread: listeners, pickers, storages, the tick.
/// Returns "" or an error naming what failed ("seeder-02: cannot listen ...").
std::string shard_setup(shard& s, io_context& ctx);
void shard_start(shard& s);  // leechers connect (or start generating)
void shard_stop(shard& s);   // teardown; rings the controller when done

// connection.cpp
void conn_submit(connection& c, operation& op);
void conn_flush(connection& c);                 // send `out` if no send is pending
void conn_keep_alive(connection& c, std::int64_t now);  // a keep-alive after 60 s without sending
void conn_start_recv(connection& c);
void conn_close(connection& c, std::string reason, bool protocol_error = false);
/// Closes once what is queued has gone out (a leecher's last HAVEs), or now if nothing is.
void conn_close_when_sent(connection& c, std::string reason);
/// Counts a bend of the protocol by the remote (`what` has static storage);
/// the first of each kind on a connection is logged.
void conn_note(connection& c, const char* what);
/// The notes as results and snapshots carry them.
std::map<std::string, std::uint64_t> notes_of(const connection& c);
void conn_connect(connection& c, const endpoint& to);   // outgoing (leecher, or seeder to upload_to)
void conn_send_handshake(connection& c);
std::span<std::byte> conn_append(connection& c, std::size_t bytes);  // room for one message in `out`
bool conn_finished(const connection& c);        // closed and nothing pending
peer_summary summarize(const connection& c, const std::string& leecher_name);
std::unique_ptr<connection> make_connection(shard& s, bool leecher_side);

// leecher.cpp
void leecher_on_message(connection& c, const bt::message& m);
void leecher_on_established(connection& c);
void leecher_on_closed(connection& c);          // before the object goes away
void leecher_start(leecher& l);                 // open the connections / start disk-only
void leecher_tick(leecher& l, std::int64_t now);
void leecher_stop(leecher& l);                  // teardown
bool leecher_churn_one(leecher& l);             // drop one random connection
/// A fresh picker for `l` (scenario order and end-game; none in disk-only).
std::unique_ptr<bt::piece_picker> make_picker(const leecher& l);

// snapshot.cpp
/// Records a completed storage write of `l` (only when swarm_run::snapshots).
void record_write(shard& s, const leecher& l, std::uint32_t piece, std::uint32_t begin, std::uint32_t length);
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

// seeder.cpp
std::error_code seeder_listen(seeder& sd, shard& s, const endpoint& where);
void seeder_on_established(connection& c);      // announce pieces, unchoke
void seeder_on_message(connection& c, const bt::message& m);
void seeder_pump(connection& c);                // serve queued requests within tokens
void seeder_tick(seeder& sd, std::int64_t now, double dt_s);
void seeder_stop(seeder& sd);
void seeder_start(seeder& sd);                  // dials the upload_to peers
/// Seeder side, outside client: records its peer summary (leecher_tick does the leecher side's).
void seeder_summarize(shard& s, const connection& c);

}  // namespace swarmbench::detail
