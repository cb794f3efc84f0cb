// stream: N one-way TCP streams over a context_group (see stream.hpp).
//
// [SECTION] Per-context state (shard, sender, receiver)
// [SECTION] Completion callbacks (context threads)
// [SECTION] Shard commands posted by the controller (context threads)
// [SECTION] The controller: set-up, connect phase, data phase, teardown
//
// Buffers: each context owns a two-block pool. Every send on that context
// reads the same block (its contents never change) and every recv writes
// into the same discard block (nobody reads it), so memory does not grow
// with the connection count and the blocks stay cache-warm, at any N.
#include "swarmbench/workloads/stream.hpp"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <deque>
#include <memory>
#include <thread>
#include <vector>

#include "controller.hpp"
#include "swarmbench/buffer_pool.hpp"
#include "swarmbench/context_group.hpp"
#include "swarmbench/error.hpp"
#include "swarmbench/log.hpp"
#include "swarmbench/stats.hpp"

namespace swarmbench {

const char* to_string(stream_config::role_t role) noexcept {
    switch (role) {
        case stream_config::role_t::loopback: return "loopback";
        case stream_config::role_t::listen: return "listen";
        case stream_config::role_t::target: return "target";
    }
    return "unknown";
}

namespace {

using detail::clock;
using detail::is_cancel;
using detail::is_peer_gone;
using detail::seconds_between;

constexpr std::size_t max_sends_in_flight = 2;

// ---------------------------------------------------------------------------
// [SECTION] Per-context state
// ---------------------------------------------------------------------------

struct shard;

/// The sending end of one stream.
struct sender {
    shard* owner = nullptr;                   // the shard (and context) that owns it
    native_handle fd = invalid_handle;        // the socket, or invalid before/after
    operation ops[max_sends_in_flight];       // ops[0] connects first, then sends
    std::uint8_t pending = 0;                 // ops submitted and not yet completed
    bool connected = false;                   // connect succeeded
    bool failed = false;                      // an op failed: stop sending here
};

/// The receiving end of one stream (an accepted socket).
struct receiver {
    shard* owner = nullptr;             // the shard (and context) that owns it
    native_handle fd = invalid_handle;  // the socket; invalid once closed
    operation op;                       // the one recv kept pending
    bool pending = false;               // op is submitted
};

/// Counters one context writes and the controller samples.
struct alignas(64) shard_counters {
    relaxed_counter bytes_received;   // payload received
    relaxed_counter bytes_sent;       // payload the kernel accepted
    relaxed_counter connects_ok;      // connects that succeeded
    relaxed_counter connects_failed;  // connects that failed (socket, connect, timeout)
    relaxed_counter accepted;         // connections accepted
    relaxed_counter closed;           // accepted connections the peer closed
    relaxed_counter errors;           // failed send/recv/accept operations
    std::atomic<std::int64_t> last_established_ns{0};  // steady_clock time of the latest connect/accept
};

/// State shared by every shard of one run (set before the contexts use it).
struct run_state {
    stream_config config;               // the run's options
    endpoint peer;                      // where senders connect
    detail::error_log errors;           // first few error messages (any thread)
    detail::doorbell bell;              // rung when a shard finishes tearing down
    std::atomic<std::size_t> finished{0};  // shards that have closed everything
    std::atomic<bool> abandon{false};   // teardown timed out: callbacks touch no context
    std::atomic<bool> ending{false};    // teardown began: a peer closing is expected, not an error
};

/// Everything one context owns. Only its context thread touches the
/// non-atomic members until the group is joined.
struct shard {
    run_state* run = nullptr;                // shared options, error log, doorbell
    io_context* ctx = nullptr;               // this shard's context (set on its thread)
    std::unique_ptr<buffer_pool> pool;       // the send block and the discard block
    std::byte* send_block = nullptr;         // read by every send (never modified)
    std::byte* recv_block = nullptr;         // written by every recv (never read)
    native_handle listener = invalid_handle; // this context's SO_REUSEPORT listener
    operation accept_op;                     // multishot accept on `listener`
    bool accept_pending = false;             // accept_op is armed
    operation rearm_timer;                   // re-arms accept after an accept error
    bool timer_pending = false;              // rearm_timer is armed
    std::vector<sender> senders;             // sized once, addresses stable
    std::size_t next_connect = 0;            // next sender to connect
    std::size_t connects_pending = 0;        // connects in flight
    std::deque<receiver> receivers;          // grows by accept; addresses stable
    bool sending = false;                    // data phase started
    bool stopping = false;                   // teardown started: submit nothing new
    bool finished = false;                   // every handle closed
    std::size_t live = 0;                    // ops submitted and not finally completed
    shard_counters counters;                 // sampled by the controller
};

std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(clock::now().time_since_epoch()).count();
}

void submit(shard& s, operation& op) {
    ++s.live;
    s.ctx->submit(op);
}

void record_error(shard& s, const std::string& what, const std::error_code& ec) {
    std::string msg = describe_error(what, ec);
    SWARMBENCH_DEBUG("stream: {}", msg);
    s.run->errors.add(std::move(msg));
}

void mark_established(shard& s) { s.counters.last_established_ns.store(now_ns(), std::memory_order_relaxed); }

// ---------------------------------------------------------------------------
// [SECTION] Completion callbacks (context threads)
// ---------------------------------------------------------------------------

void maybe_finish(shard& s);
void pump_connects(shard& s);
void start_sending(shard& s, sender& c);
void arm_accept(shard& s);

void on_send(operation& op) {
    sender& c = *static_cast<sender*>(op.user);
    shard& s = *c.owner;
    --c.pending;
    --s.live;
    if (op.error) {
        // At the end the other context may close its receivers before this
        // one cancels its sends: EPIPE/ECONNRESET then is part of stopping.
        const bool expected = (s.stopping && is_cancel(op.error)) ||
                              (is_peer_gone(op.error) && s.run->ending.load(std::memory_order_relaxed));
        if (!expected) {
            s.counters.errors.add(1);
            record_error(s, "send to " + s.run->peer.to_string(), op.error);
        }
        c.failed = true;
    } else {
        s.counters.bytes_sent.add(static_cast<std::uint64_t>(op.result));
        if (!s.stopping && !c.failed) {
            ++c.pending;
            submit(s, op);  // same buffer, same size: the steady state allocates nothing
            return;
        }
    }
    maybe_finish(s);
}

void on_connect(operation& op) {
    sender& c = *static_cast<sender*>(op.user);
    shard& s = *c.owner;
    --c.pending;
    --s.live;
    --s.connects_pending;
    if (op.error) {
        c.failed = true;
        if (!(s.stopping && is_cancel(op.error))) {
            s.counters.connects_failed.add(1);
            record_error(s, "connect " + s.run->peer.to_string(), op.error);
        }
        if (!s.run->abandon.load(std::memory_order_acquire)) s.ctx->close_now(c.fd);
        c.fd = invalid_handle;
    } else {
        c.connected = true;
        s.counters.connects_ok.add(1);
        mark_established(s);
        if (s.sending && !s.stopping) start_sending(s, c);
    }
    pump_connects(s);
    maybe_finish(s);
}

void on_recv(operation& op) {
    receiver& r = *static_cast<receiver*>(op.user);
    shard& s = *r.owner;
    r.pending = false;
    --s.live;
    if (!op.error && op.result > 0) {
        s.counters.bytes_received.add(static_cast<std::uint64_t>(op.result));
        if (!s.stopping) {
            r.pending = true;
            submit(s, op);
            return;
        }
    } else if (!(s.stopping && is_cancel(op.error))) {
        // The peer closed (result 0) or went away: this stream is over.
        if (op.error && !is_peer_gone(op.error)) {
            s.counters.errors.add(1);
            record_error(s, "recv", op.error);
        }
        if (!s.run->abandon.load(std::memory_order_acquire)) s.ctx->close_now(r.fd);
        r.fd = invalid_handle;
        s.counters.closed.add(1);
    }
    maybe_finish(s);
}

void start_recv(shard& s, receiver& r) {
    operation& op = r.op;
    op.code = op_code::recv;
    op.flags = op_flag_none;
    op.handle = r.fd;
    op.data = s.recv_block;
    op.size = s.run->config.bytes_per_op;
    op.on_complete = on_recv;
    op.user = &r;
    r.pending = true;
    submit(s, op);
}

void on_accept(operation& op) {
    shard& s = *static_cast<shard*>(op.user);
    const bool last = !op.more();
    if (last) {
        s.accept_pending = false;
        --s.live;
    }
    if (op.error) {
        if (!(s.stopping && is_cancel(op.error))) {
            s.counters.errors.add(1);
            record_error(s, "accept", op.error);
            // EMFILE and friends: try again shortly rather than spin.
            if (last && !s.stopping && !s.timer_pending) {
                s.rearm_timer.code = op_code::timer;
                s.rearm_timer.timeout = std::chrono::milliseconds(50);
                s.rearm_timer.user = &s;
                s.rearm_timer.on_complete = [](operation& t) {
                    shard& sh = *static_cast<shard*>(t.user);
                    sh.timer_pending = false;
                    --sh.live;
                    if (!sh.stopping && !sh.accept_pending) arm_accept(sh);
                    maybe_finish(sh);
                };
                s.timer_pending = true;
                submit(s, s.rearm_timer);
            }
        }
        maybe_finish(s);
        return;
    }
    if (s.stopping) {
        if (!s.run->abandon.load(std::memory_order_acquire)) s.ctx->close_now(op.accepted());
    } else {
        s.counters.accepted.add(1);
        mark_established(s);
        receiver& r = s.receivers.emplace_back();
        r.owner = &s;
        r.fd = op.accepted();
        start_recv(s, r);
    }
    if (last && !s.stopping) arm_accept(s);
    maybe_finish(s);
}

void arm_accept(shard& s) {
    operation& op = s.accept_op;
    op.code = op_code::accept;
    op.flags = op_flag_multishot;
    op.handle = s.listener;
    op.on_complete = on_accept;
    op.user = &s;
    s.accept_pending = true;
    submit(s, op);
}

void start_connect(shard& s, sender& c) {
    std::error_code ec;
    c.fd = s.ctx->open_tcp_socket(s.run->peer.family, nullptr, ec);
    if (ec) {
        c.fd = invalid_handle;
        c.failed = true;
        s.counters.connects_failed.add(1);
        record_error(s, "socket for connect", ec);
        return;
    }
    operation& op = c.ops[0];
    op.code = op_code::connect;
    op.handle = c.fd;
    op.peer = s.run->peer;
    op.timeout = s.run->config.connect_timeout;
    op.on_complete = on_connect;
    op.user = &c;
    ++c.pending;
    ++s.connects_pending;
    submit(s, op);
}

void pump_connects(shard& s) {
    while (!s.stopping && s.next_connect < s.senders.size() &&
           s.connects_pending < s.run->config.connects_in_flight)
        start_connect(s, s.senders[s.next_connect++]);
}

void start_sending(shard& s, sender& c) {
    std::size_t n = std::clamp<std::size_t>(s.run->config.sends_in_flight, 1, max_sends_in_flight);
    for (std::size_t k = 0; k < n; ++k) {
        operation& op = c.ops[k];
        op.code = op_code::send;
        op.flags = op_flag_none;
        op.handle = c.fd;
        op.data = s.send_block;
        op.size = s.run->config.bytes_per_op;
        op.timeout = std::chrono::nanoseconds(0);
        op.on_complete = on_send;
        op.user = &c;
        ++c.pending;
        submit(s, op);
    }
}

// Once stopping and nothing is pending, close every handle and report.
void maybe_finish(shard& s) {
    if (!s.stopping || s.live != 0 || s.finished) return;
    s.finished = true;
    if (!s.run->abandon.load(std::memory_order_acquire)) {
        for (sender& c : s.senders)
            if (c.fd != invalid_handle) s.ctx->close_now(c.fd);
        for (receiver& r : s.receivers)
            if (r.fd != invalid_handle) s.ctx->close_now(r.fd);
        if (s.listener != invalid_handle) s.ctx->close_now(s.listener);
    }
    for (sender& c : s.senders) c.fd = invalid_handle;
    for (receiver& r : s.receivers) r.fd = invalid_handle;
    s.listener = invalid_handle;
    s.run->finished.fetch_add(1, std::memory_order_release);
    s.run->bell.ring();
}

// ---------------------------------------------------------------------------
// [SECTION] Shard commands posted by the controller (context threads)
// ---------------------------------------------------------------------------

/// Pool, buffers and (unless target) the listener. `where` is the listen
/// address; its port is updated to the one bound.
std::error_code setup_shard(shard& s, io_context& ctx, endpoint& where, bool listen) {
    s.ctx = &ctx;
    s.pool = std::make_unique<buffer_pool>(s.run->config.bytes_per_op, 2);
    s.send_block = s.pool->acquire();
    s.recv_block = s.pool->acquire();
    // A non-constant pattern, so nothing on the path can compress it.
    std::uint64_t x = 0x9e3779b97f4a7c15ULL;
    for (std::size_t i = 0; i < s.pool->block_size(); ++i) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        s.send_block[i] = static_cast<std::byte>(x);
    }
    ctx.register_buffers(*s.pool);
    if (!listen) return {};
    std::error_code ec;
    s.listener = ctx.open_listener(where, 65535, /*reuse_port=*/true, ec);
    if (ec) {
        s.listener = invalid_handle;
        return ec;
    }
    endpoint bound = ctx.local_endpoint(s.listener, ec);
    if (!ec) where.port = bound.port;
    arm_accept(s);
    return {};
}

void begin_connects(shard& s, std::size_t count) {
    s.senders = std::vector<sender>(count);
    for (sender& c : s.senders) c.owner = &s;
    pump_connects(s);
}

void begin_sending(shard& s) {
    s.sending = true;
    for (sender& c : s.senders)
        if (c.connected && !c.failed && c.pending == 0) start_sending(s, c);
}

void begin_stop(shard& s) {
    s.stopping = true;
    for (sender& c : s.senders)
        if (c.pending != 0)
            for (operation& op : c.ops) s.ctx->cancel(op);
    for (receiver& r : s.receivers)
        if (r.pending) s.ctx->cancel(r.op);
    if (s.accept_pending) s.ctx->cancel(s.accept_op);
    if (s.timer_pending) s.ctx->cancel(s.rearm_timer);
    maybe_finish(s);
}

// ---------------------------------------------------------------------------
// [SECTION] The controller
// ---------------------------------------------------------------------------

/// Sums of every shard's counters at one moment (controller thread).
struct totals {
    std::uint64_t bytes_received = 0, bytes_sent = 0, connects_ok = 0, connects_failed = 0;
    std::uint64_t accepted = 0, closed = 0, errors = 0;
    std::int64_t last_established_ns = 0;
};

totals sum(const std::vector<std::unique_ptr<shard>>& shards) {
    totals t;
    for (const auto& s : shards) {
        const shard_counters& c = s->counters;
        t.bytes_received += c.bytes_received.get();
        t.bytes_sent += c.bytes_sent.get();
        t.connects_ok += c.connects_ok.get();
        t.connects_failed += c.connects_failed.get();
        t.accepted += c.accepted.get();
        t.closed += c.closed.get();
        t.errors += c.errors.get();
        t.last_established_ns = std::max(t.last_established_ns, c.last_established_ns.load(std::memory_order_relaxed));
    }
    return t;
}

class stream_runner {
public:
    stream_runner(const stream_config& config, const run_hooks& hooks) : hooks_(hooks) {
        run_.config = config;
        res_.mode = "stream";
        res_.config = to_json(config);
        res_.environment = detect_environment();
        res_.summary.connections = connection_summary{};
    }

    results run() {
        const stream_config& cfg = run_.config;
        backend_choice choice = choose_backend(cfg.backend);
        res_.environment.backend_reason = choice.reason;
        if (choice.active == backend_kind::automatic) {
            detail::fail_run(res_, "backend: " + choice.reason);
            return std::move(res_);
        }
        std::error_code ec;
        context_options options;
        group_ = std::make_unique<context_group>(choice.active, cfg.threads, options, ec);
        if (ec) {
            detail::fail_run(res_, describe_error(std::string("starting ") + to_string(choice.active) + " contexts", ec));
            return std::move(res_);
        }
        res_.environment.backend = to_string(group_->kind());
        for (std::size_t i = 0; i < group_->size(); ++i) {
            shards_.push_back(std::make_unique<shard>());
            shards_.back()->run = &run_;
        }
        res_.config["threads_used"] = group_->size();
        if (setup()) {
            if (cfg.role == stream_config::role_t::listen) listen_phase();
            else if (connect_phase()) data_phase();
        }
        teardown();
        finish_summary();
        return std::move(res_);
    }

private:
    bool stop_requested() const { return hooks_.stop_requested(); }

    void report(const progress& p) {
        if (hooks_.on_progress) hooks_.on_progress(p);
    }

    // Pools and listeners on every context. Context 0 binds first so a port
    // of 0 resolves to one port that the others then share (SO_REUSEPORT).
    bool setup() {
        const stream_config& cfg = run_.config;
        const bool listen = cfg.role != stream_config::role_t::target;
        endpoint where = cfg.role == stream_config::role_t::listen ? cfg.listen : endpoint::loopback_v4(0);
        std::vector<std::error_code> errs(shards_.size());
        auto deadline = clock::now() + std::chrono::seconds(10);
        // Context 0 alone first, then the rest with the port it got.
        auto first = [&](std::size_t i, io_context& ctx) {
            if (i == 0) errs[0] = setup_shard(*shards_[0], ctx, where, listen);
        };
        if (!detail::run_on_each(*group_, first, deadline)) return fail_setup("context 0 did not answer");
        if (!errs[0]) {
            auto rest = [&](std::size_t i, io_context& ctx) {
                endpoint mine = where;
                if (i != 0) errs[i] = setup_shard(*shards_[i], ctx, mine, listen);
            };
            if (!detail::run_on_each(*group_, rest, deadline)) return fail_setup("contexts did not answer");
        }
        for (const auto& e : errs)
            if (e) return fail_setup(describe_error("listen on " + where.to_string(), e));
        listen_at_ = where;
        run_.peer = cfg.role == stream_config::role_t::target ? cfg.target : where;
        res_.config["listening_on"] = listen ? where.to_string() : "";
        return true;
    }

    bool fail_setup(const std::string& message) {
        detail::fail_run(res_, message);
        return false;
    }

    bool connect_phase() {
        const stream_config& cfg = run_.config;
        const bool loopback = cfg.role == stream_config::role_t::loopback;
        const std::uint64_t n = cfg.connections;
        const std::uint64_t rss_before = process_rss_bytes();
        const auto t0 = clock::now();
        const std::int64_t t0_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t0.time_since_epoch()).count();
        const std::size_t k = shards_.size();
        for (std::size_t i = 0; i < k; ++i) {
            std::size_t count = n / k + (i < n % k ? 1 : 0);
            shard* s = shards_[i].get();
            group_->post(i, [s, count](io_context&) { begin_connects(*s, count); });
        }
        // Set-up is timed from the shards' own timestamps, so the polling
        // below only decides when to move on; it does not blur the figure.
        const auto deadline = t0 + cfg.connect_timeout + std::chrono::seconds(20);
        auto next_report = t0 + cfg.interval;
        totals t;
        bool complete = false;
        // Connects end on their own (timeout); accepts that EMFILE holds back
        // do not, so stop waiting once they have made no progress for 3 s.
        std::uint64_t last_accepted = 0;
        auto accept_progress_at = t0;
        while (true) {
            t = sum(shards_);
            const bool all_connected = t.connects_ok + t.connects_failed >= n;
            complete = all_connected && (!loopback || t.accepted >= t.connects_ok);
            auto now = clock::now();
            if (t.accepted != last_accepted) {
                last_accepted = t.accepted;
                accept_progress_at = now;
            }
            const bool accepts_stalled = all_connected && now - accept_progress_at > std::chrono::seconds(3);
            if (complete || stop_requested() || now >= deadline || accepts_stalled) break;
            if (now >= next_report) {
                report({"connecting", seconds_between(t0, now), 0, 0, 0, t.connects_ok, n, t.connects_failed + t.errors});
                next_report += cfg.interval;
            }
            run_.bell.wait_until(std::min(now + std::chrono::milliseconds(2), next_report));
        }
        const std::uint64_t rss_after = process_rss_bytes();
        connection_summary& cs = *res_.summary.connections;
        cs.requested = n;
        cs.established = t.connects_ok;
        cs.accepted = t.accepted;
        cs.failed = t.connects_failed;
        if (t.connects_ok > 0 && t.last_established_ns > t0_ns) {
            cs.connect_seconds = static_cast<double>(t.last_established_ns - t0_ns) / 1e9;
            cs.connect_rate_per_s = static_cast<double>(t.connects_ok) / cs.connect_seconds;
            cs.rss_bytes_per_connection =
                static_cast<double>(rss_after > rss_before ? rss_after - rss_before : 0) / static_cast<double>(t.connects_ok);
        }
        report({"connecting", seconds_between(t0, clock::now()), 0, 0, 0, t.connects_ok, n, t.connects_failed + t.errors});
        if (!complete && !stop_requested()) {
            char waited[32];
            std::snprintf(waited, sizeof(waited), "%.1f", seconds_between(t0, clock::now()));
            // First in the list: it is the headline; the per-operation errors follow.
            res_.summary.error_messages.push_back("only " + std::to_string(t.connects_ok) + " of " + std::to_string(n) +
                            " connections established and " + std::to_string(t.accepted) + " accepted after " +
                            waited + " s");
        }
        if (t.connects_ok == 0) {
            if (!stop_requested()) res_.summary.status = "failed";
            return false;
        }
        return !stop_requested();
    }

    // Samples `bytes_of(totals)` every interval into the time series until
    // `done(totals, now)` says so. Returns the last totals.
    template <typename BytesOf, typename Done>
    totals sample_loop(clock::time_point t0, const char* phase, double planned_s, BytesOf bytes_of, Done done) {
        const stream_config& cfg = run_.config;
        auto next = t0 + cfg.interval;
        std::uint64_t prev_bytes = 0;
        auto prev_t = t0;
        totals t;
        while (true) {
            run_.bell.wait_until(next);
            auto now = clock::now();
            if (now < next && !stop_requested()) continue;  // a doorbell ring, not a tick
            t = sum(shards_);
            std::uint64_t b = bytes_of(t);
            double dt = seconds_between(prev_t, now);
            double rate = dt > 0 ? static_cast<double>(b - prev_bytes) / dt : 0;
            res_.series.push(seconds_between(t0, now), b, rate);
            res_.series.extra["connections"].push_back(static_cast<double>(open_connections(t)));
            report({phase, seconds_between(t0, now), planned_s, b, rate, open_connections(t), cfg.connections,
                    t.errors + t.connects_failed});
            prev_bytes = b;
            prev_t = now;
            if (stop_requested() || done(t, now)) return t;
            next += cfg.interval;
            if (next < now) next = now + cfg.interval;  // fell behind (suspended?): do not burst
        }
    }

    std::uint64_t open_connections(const totals& t) const {
        if (run_.config.role == stream_config::role_t::listen) return t.accepted - std::min(t.accepted, t.closed);
        return t.connects_ok;
    }

    void data_phase() {
        const stream_config& cfg = run_.config;
        const bool at_receiver = cfg.role == stream_config::role_t::loopback;
        res_.summary.counted_at = at_receiver ? "receiver" : "sender";
        auto bytes_of = [at_receiver](const totals& t) { return at_receiver ? t.bytes_received : t.bytes_sent; };
        const std::uint64_t base = bytes_of(sum(shards_));
        const double cpu0 = process_cpu_seconds();
        const auto t0 = clock::now();
        for (std::size_t i = 0; i < shards_.size(); ++i) {
            shard* s = shards_[i].get();
            group_->post(i, [s](io_context&) { begin_sending(*s); });
        }
        const auto end = t0 + std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(cfg.seconds));
        totals t = sample_loop(t0, "running", cfg.seconds, [&](const totals& x) { return bytes_of(x) - base; },
                               [&](const totals&, clock::time_point now) { return now >= end; });
        const auto t1 = clock::now();
        set_goodput(res_.summary, bytes_of(t) - base, seconds_between(t0, t1));
        res_.summary.cpu_seconds = process_cpu_seconds() - cpu0;
    }

    void listen_phase() {
        const stream_config& cfg = run_.config;
        res_.summary.counted_at = "receiver";
        const double cpu0 = process_cpu_seconds();
        const auto t0 = clock::now();
        const bool timed = cfg.seconds > 0;
        const auto end = t0 + std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(timed ? cfg.seconds : 0));
        // The window runs from the sample before bytes first arrived to the
        // sample where they last grew: idle time waiting for a sender is not counted.
        double first_t = -1, last_t = 0;
        std::uint64_t last_bytes = 0;
        log().info("stream: listening on {}", listen_at_.to_string());
        totals t = sample_loop(t0, "listening", timed ? cfg.seconds : 0,
                               [](const totals& x) { return x.bytes_received; },
                               [&](const totals& x, clock::time_point now) {
                                   double ts = seconds_between(t0, now);
                                   if (x.bytes_received > last_bytes) {
                                       if (first_t < 0) {
                                           std::size_t n = res_.series.size();
                                           first_t = n >= 2 ? res_.series.t_s[n - 2] : 0;
                                       }
                                       last_t = ts;
                                       last_bytes = x.bytes_received;
                                   }
                                   if (timed && now >= end) return true;
                                   return cfg.expect_connections && x.accepted >= cfg.connections &&
                                          x.closed >= x.accepted;
                               });
        set_goodput(res_.summary, t.bytes_received, first_t >= 0 ? last_t - first_t : 0);
        res_.summary.cpu_seconds = process_cpu_seconds() - cpu0;
        connection_summary& cs = *res_.summary.connections;
        cs.requested = cfg.expect_connections ? cfg.connections : 0;
        cs.established = t.accepted;
        cs.accepted = t.accepted;
    }

    void teardown() {
        run_.ending.store(true, std::memory_order_relaxed);
        for (std::size_t i = 0; i < shards_.size(); ++i) {
            shard* s = shards_[i].get();
            if (s->ctx == nullptr) continue;  // set-up never reached it
            group_->post(i, [s](io_context&) { begin_stop(*s); });
        }
        std::size_t expected = 0;
        for (const auto& s : shards_) expected += s->ctx != nullptr ? 1 : 0;
        if (!detail::wait_for_shards(run_.bell, run_.finished, expected, std::chrono::seconds(5))) {
            log().warn("stream: operations still pending 5 s after stop; abandoning them (sockets stay open)");
            run_.abandon.store(true, std::memory_order_release);
        }
        group_->stop();
        group_->join();  // contexts die on their threads; every callback has run
    }

    void finish_summary() {
        totals t = sum(shards_);
        res_.summary.errors += t.errors + t.connects_failed;
        run_.errors.drain_into(res_.summary);
        if (res_.summary.status == "ok" && stop_requested()) res_.summary.status = "interrupted";
    }

    run_state run_;                          // shared with the shards
    const run_hooks& hooks_;                 // caller's stop flag and progress sink
    results res_;                            // what run() returns
    endpoint listen_at_;                     // the bound listen address
    // group_ is declared after shards_ so the contexts die before their shards.
    std::vector<std::unique_ptr<shard>> shards_;  // one per context, index = context
    std::unique_ptr<context_group> group_;        // the contexts (destroyed first)
};

}  // namespace

results run_stream(const stream_config& config, const run_hooks& hooks) {
    stream_runner runner(config, hooks);
    return runner.run();
}

}  // namespace swarmbench
