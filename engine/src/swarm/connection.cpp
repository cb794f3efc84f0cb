// connection: one TCP connection of the swarm, either end, as the I/O
// around a pure bt::peer_session: connect, one multishot recv_pooled whose
// bytes go straight to the session, one send at a time of what the session
// writes into a lent shard buffer, and closing (which cancels whatever is
// pending).
//
// [SECTION] send buffers
// [SECTION] creation, connect, open
// [SECTION] sending
// [SECTION] completion callbacks (the shard's thread)
// [SECTION] closing and summaries
//
// Memory: a connection holds no buffer between operations. Received bytes
// live in the context's receive pool from their arrival until the session
// has taken them (it copies block payloads once, into the peer's piece
// buffer, and nothing else). A send borrows a shard buffer for its flight:
// a small one for messages, a large one for blocks, of which a shard lends
// a fixed number (send_buffers::large_cap), so memory does not grow with
// connections; a connection that finds none queues for the next.
#include <algorithm>
#include <cstring>
#include <optional>
#include <utility>

#include "swarm_types.hpp"
#include "swarmbench/error.hpp"
#include "swarmbench/log.hpp"

namespace swarmbench::detail {

// ---------------------------------------------------------------------------
// [SECTION] send buffers
// ---------------------------------------------------------------------------

std::byte* send_buffers::take(std::size_t need) {
    const bool large = large_for(need);
    if (lent_[large] >= cap(large)) return nullptr;
    ++lent_[large];
    auto& free = free_[large];
    if (!free.empty()) {
        std::byte* b = free.back();
        free.pop_back();
        return b;
    }
    owned_.push_back(std::unique_ptr<std::byte[]>(new std::byte[large ? large_size : small_size]));
    return owned_.back().get();
}

void send_buffers::give(std::byte* b, bool large) noexcept {
    --lent_[large];
    free_[large].push_back(b);
}

operation& op_pool::take() {
    if (free_.empty()) {
        owned_.push_back(std::make_unique<operation>());
        return *owned_.back();
    }
    operation& op = *free_.back();
    free_.pop_back();
    op = operation{};
    return op;
}

void op_pool::give(operation& op) noexcept { free_.push_back(&op); }

namespace {

void on_connect(operation& op);
void on_close(operation& op);
void on_recv(operation& op);
void on_send(operation& op);

shard& shard_of(const connection& c) { return *c.owner->owner; }

void conn_submit(connection& c, operation& op) {
    ++c.pending;
    submit_shard_op(shard_of(c), op);
}

/// After a connection's completion: count it down on the shard.
void conn_op_done(connection& c) {
    --c.pending;
    shard_op_done(shard_of(c));
}

/// Our peer id on this connection: the run's prefix, who we are (seeders'
/// tags start at 0x10000, so no seeder shares an id with a leecher), the
/// connection's number, and (leecher side) whether it plays a slow peer, so
/// the serving seeder limits it.
bt::peer_id our_id(const connection& c) {
    const swarm_peer& p = *c.owner;
    bt::peer_id id = p.owner->run->id_prefix;
    const std::uint32_t tag = p.role == peer_role::leecher ? p.index : 0x10000 + p.index;
    std::memcpy(id.data() + 12, &tag, sizeof tag);
    std::memcpy(id.data() + 16, &c.id, 3);
    id[19] = c.slow ? 'S' : 'N';
    return id;
}

}  // namespace

// ---------------------------------------------------------------------------
// [SECTION] creation, connect, open
// ---------------------------------------------------------------------------

connection& add_connection(swarm_peer& p) {
    auto owned = std::make_unique<connection>();
    connection& c = *owned;
    c.owner = &p;
    c.id = p.next_conn_id++;
    c.recv_op.user = &c;
    c.recv_op.on_complete = on_recv;
    p.conns.push_back(std::move(owned));
    return c;
}

void conn_connect(connection& c, const endpoint& to) {
    shard& s = shard_of(c);
    std::error_code ec;
    c.state = conn_state::connecting;
    c.outgoing = true;
    c.connect_start_ns = steady_ns();
    s.counters.half_open.add(1);
    // spread_sources: clients that take one connection per address (most, by
    // default) see each of our peers come from its own 127.x.y.z, which
    // Linux routes on loopback without any set-up.
    std::optional<endpoint> source;
    if (s.run->scenario.spread_sources && to.family == endpoint::family_t::v4 && to.addr[0] == 127) {
        // 127.0.0.2 .. 127.0.0.251, then 127.0.1.2 ..: never 127.0.0.1 (the target's own).
        const std::uint32_t n = s.run->next_source.fetch_add(1, std::memory_order_relaxed) % (250u * 256u * 256u);
        source = endpoint::v4(127, static_cast<std::uint8_t>(n / (250 * 256)), static_cast<std::uint8_t>((n / 250) % 256),
                              static_cast<std::uint8_t>(2 + n % 250), 0);
    }
    c.fd = s.ctx->open_tcp_socket(to.family, source ? &*source : nullptr, ec);
    if (ec) {
        c.fd = invalid_handle;
        s.counters.connect_failures.add(1);
        conn_close(c, describe_error("socket for " + c.remote, ec));
        return;
    }
    operation& op = s.ops.take();  // the pool holds as many as dials in flight (max_dials_in_flight)
    op.code = op_code::connect;
    op.handle = c.fd;
    op.peer = to;
    op.timeout = std::chrono::seconds(10);
    op.user = &c;
    op.on_complete = on_connect;
    c.ctl_op = &op;
    ++s.dials_in_flight;
    conn_submit(c, op);
}

void conn_open(connection& c) {
    swarm_peer& p = *c.owner;
    c.state = conn_state::open;
    // Our end, for the peers table and results: rows of one leecher to one
    // seeder differ by it. Once per connection.
    std::error_code ec;
    const endpoint here = p.owner->ctx->local_endpoint(c.fd, ec);
    c.local = ec ? std::string() : here.to_string();
    bt::session_options so;
    so.outgoing = c.outgoing;
    so.our_id = our_id(c);
    c.session = std::make_unique<bt::peer_session>(*p.bt, so, steady_ns());
    c.session->user = &c;
    link_open(c);
    conn_arm_recv(c);
    conn_flush(c);  // an outgoing session's handshake
}

void conn_arm_recv(connection& c) {
    operation& op = c.recv_op;
    op.code = op_code::recv_pooled;
    op.flags = op_flag_multishot;
    op.handle = c.fd;
    op.data = nullptr;
    op.size = 0;
    c.recv_armed = true;
    conn_submit(c, op);
}

// ---------------------------------------------------------------------------
// [SECTION] sending
// ---------------------------------------------------------------------------

void conn_flush(connection& c) {
    if (c.state != conn_state::open || c.send_op || c.waiting_buffer || !c.session || !c.session->has_output()) return;
    shard& s = shard_of(c);
    const std::int64_t now = steady_ns();
    if (link_send_waits(c, now)) return;  // the owner's up rate: the link timer flushes it
    const std::size_t want = std::max(c.session->output_bytes(), c.session->output_hint());
    const bool large = send_buffers::large_for(want);
    std::byte* buf = s.sends.take(want);
    if (buf == nullptr) {
        // Every buffer of the class is out: wait in line (the object stays
        // alive while it waits; serve_buffer_waiters resumes it).
        c.waiting_buffer = true;
        ++c.pending;
        s.buffer_waiters[large].waiting.push_back(&c);
        return;
    }
    const std::size_t cap = link_send_cap(c, large ? send_buffers::large_size : send_buffers::small_size);
    const std::size_t n = c.session->write_output(std::span<std::byte>(buf, cap), now);
    if (n == 0) {
        // A message larger than any buffer (a bitfield of millions of pieces):
        // nothing else can go first, so the connection cannot go on.
        s.sends.give(buf, large);
        serve_buffer_waiters(s, large);
        if (c.session->has_output() && c.session->output_hint() > cap)
            c.session->close("failed: a message of " + std::to_string(c.session->output_hint()) +
                             " bytes exceeds the send buffer");
        return;
    }
    link_sent(c, n, now);
    c.send_buf = buf;
    c.large_buffer = large;
    operation& op = s.ops.take();
    op.code = op_code::send;
    op.handle = c.fd;
    op.data = buf;
    op.size = static_cast<std::uint32_t>(n);
    op.user = &c;
    op.on_complete = on_send;
    c.send_op = &op;
    conn_submit(c, op);
}

void serve_buffer_waiters(shard& s, bool large) {
    buffer_line& line = s.buffer_waiters[large];
    while (line.head < line.waiting.size() && s.sends.lent(large) < send_buffers::cap(large)) {
        connection& c = *line.waiting[line.head++];
        c.waiting_buffer = false;
        --c.pending;  // not shard_op_done: the wait was never a shard op
        conn_flush(c);  // (it may need the other class now, or wait again)
    }
    // Drop the served front now and then: under steady contention the line
    // is never empty, and it must not grow with every wait ever made.
    if (line.head == line.waiting.size() || (line.head > 256 && 2 * line.head > line.waiting.size())) {
        line.waiting.erase(line.waiting.begin(), line.waiting.begin() + static_cast<std::ptrdiff_t>(line.head));
        line.head = 0;
    }
}

// ---------------------------------------------------------------------------
// [SECTION] completion callbacks
// ---------------------------------------------------------------------------

namespace {

/// A connect or close is back: its operation returns to the shard's pool.
void ctl_done(connection& c, operation& op) noexcept {
    shard_of(c).ops.give(op);
    c.ctl_op = nullptr;
}

void on_connect(operation& op) {
    connection& c = *static_cast<connection*>(op.user);
    shard& s = shard_of(c);
    --s.dials_in_flight;
    if (c.state == conn_state::closing) {
        // Closed while connecting: the connect was cancelled; now the socket,
        // with the same operation.
        if (c.fd != invalid_handle) {
            op.code = op_code::close;
            op.handle = c.fd;
            op.timeout = {};
            op.on_complete = on_close;
            conn_submit(c, op);
        } else {
            ctl_done(c, op);
        }
        conn_op_done(c);  // last touch, as below: a connection with nothing pending may be freed
        return;
    }
    const std::error_code error = op.error;
    ctl_done(c, op);
    if (error) {
        s.counters.connect_failures.add(1);
        const std::string msg = describe_error("connect to " + c.remote, error);
        if (c.named_client() >= 0 && depends_on_clients(s.run->scenario)) {
            // The client of `upload`/`download` away: redialled with backoff,
            // the run ends only after client_grace_s: a warning, not an error.
            if (!s.stopping && !c.retry)
                log().warn("{} (redialling with backoff; the run fails after client_grace_s = {} s without it)", msg,
                           s.run->scenario.client_grace_s);
        } else if (!s.stopping && !c.retry) {
            record_error(s, msg);
        }
        conn_close(c, "failed: " + msg);
    } else {
        record_latency(s, &interval_histograms::connect, &shard::run_connect, steady_ns() - c.connect_start_ns);
        conn_open(c);
    }
    conn_op_done(c);
    shard_settle(s);
}

void on_close(operation& op) {
    connection& c = *static_cast<connection*>(op.user);
    c.fd = invalid_handle;
    ctl_done(c, op);
    conn_op_done(c);
}

void on_recv(operation& op) {
    connection& c = *static_cast<connection*>(op.user);
    shard& s = shard_of(c);
    if (!op.more()) c.recv_armed = false;
    if (op.data != nullptr) {
        const auto n = static_cast<std::size_t>(op.result);
        s.counters.net_in.add(n);
        const std::int64_t now = steady_ns();
        link_poll(s, now);  // what other connections' links hold, if due
        const bool open = c.state == conn_state::open && c.session;
        if (!open || !link_hold(c, op.data, n, now)) {
            if (open) c.session->receive(std::span<const std::byte>(op.data, n), now);
            s.ctx->release_recv_buffer(op.data);  // the session copied what it keeps
        }
    } else if (c.recv_paused && op.error == std::errc::operation_canceled) {
        // Stopped by the access link's queue limit: resumed once it drains.
    } else if (c.state != conn_state::closing) {
        std::string why =
            op.error ? "dropped: " + describe_error("recv from " + c.remote, op.error) : "closed by the remote";
        if (!link_hold_end(c, why)) conn_close(c, std::move(why));  // else after the bytes the link holds
    }
    if (!op.more()) conn_op_done(c);
    shard_settle(s);
}

void on_send(operation& op) {
    connection& c = *static_cast<connection*>(op.user);
    shard& s = shard_of(c);
    const bool was_large = c.large_buffer;
    const std::error_code error = op.error;
    const auto sent = static_cast<std::uint64_t>(op.result);
    s.ops.give(op);
    c.send_op = nullptr;
    s.sends.give(c.send_buf, c.large_buffer);
    c.send_buf = nullptr;
    if (c.state != conn_state::closing) {
        if (error) {
            conn_close(c, "dropped: " + describe_error("send to " + c.remote, error));
        } else {
            s.counters.net_out.add(sent);
            c.session->output_sent(steady_ns());  // may close it: a close once sent
            conn_flush(c);
        }
    }
    serve_buffer_waiters(s, was_large);
    conn_op_done(c);
    shard_settle(s);
}

}  // namespace

// ---------------------------------------------------------------------------
// [SECTION] closing and summaries
// ---------------------------------------------------------------------------

void conn_close(connection& c, std::string reason, bool protocol_error) {
    if (c.state == conn_state::closing) return;
    // The session reports its end through peer_io::closed, which comes back
    // here (swarm_peer::closed); without one, end the connection directly.
    if (c.session && !c.session->closed()) {
        c.session->close(std::move(reason), protocol_error);
        return;
    }
    shard& s = shard_of(c);
    const conn_state was = c.state;
    link_drop(c);
    c.state = conn_state::closing;
    ++c.owner->closing;
    c.end_reason = std::move(reason);
    c.protocol_error = protocol_error;
    c.closed_ns = steady_ns();
    conn_ended(c);
    if (c.fd == invalid_handle) return;
    if (was == conn_state::connecting && c.ctl_op) {
        s.ctx->cancel(*c.ctl_op);  // on_connect closes the socket once it is back
        return;
    }
    operation& op = s.ops.take();  // cancels the recv and the send, then closes
    op.code = op_code::close;
    op.handle = c.fd;
    op.user = &c;
    op.on_complete = on_close;
    c.ctl_op = &op;
    conn_submit(c, op);
}

void conn_ended(connection& c) {
    shard& s = shard_of(c);
    const swarm_peer& p = *c.owner;
    const bool quiet = s.stopping || c.end_reason == "done" || c.end_reason == "steered down";
    if (c.named_client() >= 0) {
        // A named client: the last of its connections gone starts its "no
        // connection" clock (the controller ends the run after client_grace_s).
        client_link& link = *s.run->clients[static_cast<std::size_t>(c.named_client())];
        if (c.up && link.up.fetch_sub(1, std::memory_order_acq_rel) == 1)
            link.down_since_ns.store(c.closed_ns, std::memory_order_release);
        if (!s.stopping && c.end_reason != "done") {
            std::lock_guard lock(link.mutex);
            link.last_loss = c.end_reason;
        }
    }
    if (c.up) {
        if (c.counted) s.counters.active.add(-1);
        (p.role == peer_role::leecher ? s.counters.leecher_live : s.counters.seeder_live).add(-1);
        // A leecher finishing or being steered down is not a lost connection.
        // Counted on the downloading side only, so one lost connection counts
        // once; outside clients count on our seeders' side, unless they
        // finished (the remote may close first while our last HAVEs go out).
        const bool downloading_side = (p.role == peer_role::leecher && !p.done) || (c.external && !c.remote_complete);
        if (downloading_side && !quiet) s.counters.disconnects.add(1);
    } else if (c.outgoing) {
        s.counters.half_open.add(-1);
        // Connected but never handshaken (reset, silence, closed): as failed as
        // a refused connect, unless we closed it ourselves. (Refusals and
        // sockets that could not be had are counted where they fail.)
        if (c.session && !c.protocol_error && !quiet) s.counters.connect_failures.add(1);
    }
    peer_connection_closed(*c.owner, c);
}

bool conn_finished(const connection& c) { return c.state == conn_state::closing && c.pending == 0; }

std::map<std::string, std::uint64_t> notes_of(const connection& c) {
    std::map<std::string, std::uint64_t> out;
    if (c.session)
        for (const auto& [name, count] : c.session->notes()) out[name] += count;
    return out;
}

peer_summary summarize(const connection& c, const std::string& ours) {
    peer_summary p;
    p.leecher = ours;
    p.id = c.id;
    p.local = c.local;
    const bt::peer_session* s = c.session.get();
    p.remote = s && !s->remote_client().empty() ? c.remote + " (" + s->remote_client() + ")" : c.remote;
    p.state = c.end_reason.empty() ? "open" : c.end_reason;
    p.slow = c.slow;
    if (c.owner->access != nullptr) p.link = c.owner->access->name;
    if (s) {
        const bt::session_stats& st = s->stats();
        p.bytes_in = st.bytes_in;
        p.bytes_out = st.bytes_out;
        // Our downloads count blocks received and requests made; a seeder's
        // connection with an outside client counts blocks served and
        // requests received.
        const bool serving = c.owner->role == peer_role::seeder;
        p.blocks = serving ? st.blocks_out : st.blocks_in;
        p.requests = serving ? st.requests_received : st.requests_sent;
        p.rejects = st.rejects;
        if (const compact_histogram* h = serving ? s->serve_latency() : s->request_latency()) {
            p.request_ms_p50 = h->percentile_ns(0.5) / 1e6;
            p.request_ms_p99 = h->percentile_ns(0.99) / 1e6;
        }
        if (st.established_ns > 0)
            p.connected_s = static_cast<double>((c.closed_ns ? c.closed_ns : steady_ns()) - st.established_ns) / 1e9;
    }
    p.notes = notes_of(c);
    return p;
}

}  // namespace swarmbench::detail
