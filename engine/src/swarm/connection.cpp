// connection: one TCP connection of the swarm, either end: connect, the
// handshakes, one recv and one send kept pending, message dispatch to the
// leecher or seeder logic, and closing (which cancels whatever is pending).
//
// [SECTION] creation and submission
// [SECTION] completion callbacks (the shard's thread)
// [SECTION] handshakes
// [SECTION] closing and summaries
//
// Buffers: a leecher-side connection receives into a 128 KiB buffer (piece
// messages dominate), a seeder-side one into 4 KiB (requests only). Outgoing
// messages accumulate in `out`; when no send is pending, `out` and `sending`
// swap and one send carries everything queued, so a seeder sends many blocks
// per system call and the steady state allocates nothing.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <optional>
#include <utility>

#include "swarm_types.hpp"
#include "swarmbench/error.hpp"
#include "swarmbench/log.hpp"

namespace swarmbench::detail {

namespace {

constexpr std::size_t leecher_recv_size = 128 * 1024;
constexpr std::size_t seeder_recv_size = 4 * 1024;
constexpr std::int64_t keep_alive_after_ns = 60'000'000'000;

void on_connect(operation& op);
void on_recv(operation& op);
void on_send(operation& op);
void on_close(operation& op);

/// After a connection's completion: count it down on the shard.
void conn_op_done(connection& c) {
    --c.pending;
    shard_op_done(*c.owner);
}

}  // namespace

// ---------------------------------------------------------------------------
// [SECTION] creation and submission
// ---------------------------------------------------------------------------

std::unique_ptr<connection> make_connection(shard& s, bool leecher_side) {
    const bt::torrent& t = *s.run->torrent;
    bt::wire_options o;
    o.expected_info_hash = t.info_hash();
    o.limits.max_piece_block = bt::default_block_size;
    o.limits.max_request_length = bt::default_block_size;
    auto c = std::make_unique<connection>(t.geometry(), o);
    c->owner = &s;
    c->counted = leecher_side;
    c->recv_buf.resize(leecher_side ? leecher_recv_size : seeder_recv_size);
    for (operation* op : {&c->connect_op, &c->recv_op, &c->send_op, &c->close_op}) op->user = c.get();
    c->connect_op.on_complete = on_connect;
    c->recv_op.on_complete = on_recv;
    c->send_op.on_complete = on_send;
    c->close_op.on_complete = on_close;
    return c;
}

void conn_submit(connection& c, operation& op) {
    ++c.pending;
    submit_shard_op(*c.owner, op);
}

std::span<std::byte> conn_append(connection& c, std::size_t bytes) { return c.out.append(bytes, c.owner->sends); }

std::span<std::byte> byte_buffer::append(std::size_t n, send_pool& pool) {
    if (!data_ && n <= send_pool::buffer_size) {
        data_ = pool.take();
        capacity_ = send_pool::buffer_size;
    }
    if (size_ + n > capacity_) {
        // Rare (a huge bitfield, a burst of HAVEs): grow beyond the pool's
        // size, keeping what is queued (release() forgets the size: it once
        // dropped queued blocks here, and clients snubbed the seeder).
        const std::size_t used = size_;
        const std::size_t cap = std::max(used + n, capacity_ * 2);
        std::unique_ptr<std::byte[]> bigger(new std::byte[cap]);
        if (used) std::memcpy(bigger.get(), data_.get(), used);
        release(pool);
        data_ = std::move(bigger);
        capacity_ = cap;
        size_ = used;
    }
    const std::span<std::byte> out(data_.get() + size_, n);
    size_ += n;
    return out;
}

void byte_buffer::release(send_pool& pool) noexcept {
    if (data_ && capacity_ == send_pool::buffer_size) pool.give(std::move(data_));
    data_.reset();
    size_ = capacity_ = 0;
}

void conn_flush(connection& c) {
    if (c.state == conn_state::closing || !c.sending.empty() || c.out.empty()) return;
    c.out.swap(c.sending);  // `sending` was released, so `out` is empty now
    operation& op = c.send_op;
    op.code = op_code::send;
    op.flags = op_flag_none;
    op.handle = c.fd;
    op.data = c.sending.data();
    op.size = static_cast<std::uint32_t>(c.sending.size());
    c.last_send_ns = steady_ns();
    conn_submit(c, op);
}

void conn_keep_alive(connection& c, std::int64_t now) {
    // Clients drop a peer silent for 2 minutes (libtorrent, transmission):
    // say something after one.
    if (c.state != conn_state::active || now - c.last_send_ns < keep_alive_after_ns) return;
    if (!c.sending.empty() || !c.out.empty()) return;  // something is on its way
    bt::encode_keep_alive(conn_append(c, 4));
    conn_flush(c);
}

void conn_start_recv(connection& c) {
    operation& op = c.recv_op;
    op.code = op_code::recv;
    op.flags = op_flag_none;
    op.handle = c.fd;
    op.data = c.recv_buf.data();
    op.size = static_cast<std::uint32_t>(c.recv_buf.size());
    conn_submit(c, op);
}

void conn_connect(connection& c, const endpoint& to) {
    shard& s = *c.owner;
    std::error_code ec;
    c.state = conn_state::connecting;
    c.connect_start_ns = steady_ns();
    s.counters.half_open.add(1);
    c.outgoing = true;
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
    operation& op = c.connect_op;
    op.code = op_code::connect;
    op.handle = c.fd;
    op.peer = to;
    op.timeout = std::chrono::seconds(10);
    conn_submit(c, op);
}

// ---------------------------------------------------------------------------
// [SECTION] handshakes
// ---------------------------------------------------------------------------

void conn_send_handshake(connection& c) {
    const swarm_run& run = *c.owner->run;
    bt::handshake hs;
    hs.reserved = bt::make_reserved(true, true);
    hs.info_hash = run.torrent->info_hash();
    hs.id = run.id_prefix;
    // The rest of the id: who we are, and (leecher side) whether this
    // connection plays a slow peer, so the serving seeder limits it.
    // (Seeders' tags start at 0x10000, so no seeder shares an id with a leecher.)
    const std::uint32_t tag = c.as_leecher ? c.as_leecher->index : 0x10000 + c.as_seeder->index;
    std::memcpy(hs.id.data() + 12, &tag, sizeof tag);
    std::memcpy(hs.id.data() + 16, &c.id, 3);
    hs.id[19] = c.slow ? 'S' : 'N';
    bt::encode_handshake(conn_append(c, bt::handshake_size), hs);
}

namespace {

void send_extended_handshake(connection& c) {
    bt::extended_handshake ext;
    ext.v = std::string("swarmbench ") + version();
    // A deep queue, really accepted (seeders queue every request): a client
    // such as transmission keeps at most reqq requests in flight.
    ext.reqq = advertised_reqq;
    if (c.as_seeder && c.as_seeder->listener != invalid_handle) ext.p = c.as_seeder->where.port;
    std::byte buf[256];
    const std::size_t n = bt::encode_extended_handshake(buf, ext);
    if (n == 0) return;
    std::memcpy(conn_append(c, n).data(), buf, n);
}

/// The remote's handshake arrived: the connection is established.
void on_handshake(connection& c, const bt::handshake& hs) {
    shard& s = *c.owner;
    c.fast = c.decoder.fast_negotiated();
    c.external = !std::equal(hs.id.begin(), hs.id.begin() + 12, s.run->id_prefix.begin());
    if (c.as_seeder) {
        c.slow = hs.id[19] == 'S';
        // A connection between two of our own peers is counted once, at the
        // leecher's end; one from outside is counted here.
        c.counted = c.external;
        if (!c.outgoing) conn_send_handshake(c);  // we dialled: ours went first
        if (c.external) {
            // Dialled: set by the dial; came in: its IP (the port is ephemeral).
            if (c.remote_key.empty()) c.remote_key = c.remote.substr(0, c.remote.rfind(':'));
            s.run->remotes.seen(c.remote_key, s.run->torrent->piece_count());
        }
    }
    if (c.decoder.extensions_negotiated()) send_extended_handshake(c);
    c.state = conn_state::active;
    c.established_ns = steady_ns();
    if (c.named_client >= 0) {
        client_link& link = *s.run->clients[static_cast<std::size_t>(c.named_client)];
        link.up.fetch_add(1, std::memory_order_acq_rel);
        link.down_since_ns.store(0, std::memory_order_release);
    }
    c.last_piece_ns = c.established_ns;
    if (c.outgoing) s.counters.half_open.add(-1);
    (c.as_leecher ? s.counters.leecher_live : s.counters.seeder_live).add(1);
    if (c.counted) {
        s.counters.active.add(1);
        s.counters.connects.add(1);
    }
    if (c.as_leecher)
        leecher_on_established(c);
    else
        seeder_on_established(c);
    conn_flush(c);
}

void dispatch(connection& c, const bt::message& m) {
    if (m.bend) conn_note(c, m.bend);
    if (m.kind == bt::message_kind::extended && m.ext_id != 0) {
        // We advertise no extension messages (our handshake's "m" is empty):
        // libtorrent ignores what no extension claims, and so do we.
        conn_note(c, "unknown extension message");
        return;
    }
    if (m.kind == bt::message_kind::handshake) {
        on_handshake(c, *m.hs);
        return;
    }
    if (m.kind == bt::message_kind::extended_handshake) {
        if (m.ext_hs->reqq) c.remote_reqq = std::max<std::uint32_t>(1, *m.ext_hs->reqq);
        c.client = m.ext_hs->v.substr(0, 64);
        if (m.ext_hs->p) c.remote_listen_port = *m.ext_hs->p;
        return;
    }
    if (c.as_leecher)
        leecher_on_message(c, m);
    else
        seeder_on_message(c, m);
}

// ---------------------------------------------------------------------------
// [SECTION] completion callbacks
// ---------------------------------------------------------------------------

void on_connect(operation& op) {
    connection& c = *static_cast<connection*>(op.user);
    shard& s = *c.owner;
    if (c.state == conn_state::closing) {
        conn_op_done(c);
        return;
    }
    if (op.error) {
        s.counters.connect_failures.add(1);
        const std::string msg = describe_error("connect to " + c.remote, op.error);
        if (c.named_client >= 0 && depends_on_clients(s.run->scenario)) {
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
        c.state = conn_state::handshaking;
        conn_send_handshake(c);
        conn_flush(c);
        conn_start_recv(c);
    }
    conn_op_done(c);
}

void on_recv(operation& op) {
    connection& c = *static_cast<connection*>(op.user);
    shard& s = *c.owner;
    if (c.state == conn_state::closing) {
        conn_op_done(c);
        return;
    }
    if (op.error || op.result == 0) {
        conn_close(c, op.error ? "dropped: " + describe_error("recv from " + c.remote, op.error)
                               : "closed by the remote");
        conn_op_done(c);
        return;
    }
    const auto n = static_cast<std::size_t>(op.result);
    c.bytes_in += n;
    s.counters.net_in.add(n);
    std::span<const std::byte> input(c.recv_buf.data(), n);
    bt::message m;
    while (c.state != conn_state::closing) {
        const auto st = c.decoder.next(input, m);
        if (st == bt::wire_decoder::status::need_more) break;
        if (st == bt::wire_decoder::status::error) {
            s.counters.protocol_errors.add(1);
            log().warn("{} <- {}: protocol error, dropping the peer: {}",
                       c.as_leecher ? c.as_leecher->name : c.as_seeder->name, c.remote, c.decoder.error());
            conn_close(c, "dropped: protocol error: " + c.decoder.error(), true);
            break;
        }
        dispatch(c, m);
    }
    if (c.state != conn_state::closing) {
        conn_flush(c);
        conn_start_recv(c);
    }
    conn_op_done(c);
}

void on_send(operation& op) {
    connection& c = *static_cast<connection*>(op.user);
    shard& s = *c.owner;
    if (c.state != conn_state::closing) {
        if (op.error) {
            conn_close(c, "dropped: " + describe_error("send to " + c.remote, op.error));
        } else {
            const auto n = static_cast<std::uint64_t>(op.result);
            c.bytes_out += n;
            s.counters.net_out.add(n);
            c.sending.release(s.sends);
            if (c.as_seeder) seeder_pump(c);
            conn_flush(c);
            if (!c.close_when_sent.empty() && c.sending.empty() && c.out.empty())
                conn_close(c, std::exchange(c.close_when_sent, {}));
        }
    }
    conn_op_done(c);
}

void on_close(operation& op) {
    connection& c = *static_cast<connection*>(op.user);
    c.fd = invalid_handle;
    conn_op_done(c);
}

}  // namespace

// ---------------------------------------------------------------------------
// [SECTION] closing and summaries
// ---------------------------------------------------------------------------

void conn_close(connection& c, std::string reason, bool protocol_error) {
    if (c.state == conn_state::closing) return;
    shard& s = *c.owner;
    const conn_state was = c.state;
    c.state = conn_state::closing;
    c.end_reason = std::move(reason);
    c.protocol_error = protocol_error;
    c.closed_ns = steady_ns();
    if (c.named_client >= 0) {
        // A named client: the last of its connections gone starts its "no
        // connection" clock (the controller ends the run after client_grace_s).
        client_link& link = *s.run->clients[static_cast<std::size_t>(c.named_client)];
        if (was == conn_state::active && link.up.fetch_sub(1, std::memory_order_acq_rel) == 1)
            link.down_since_ns.store(c.closed_ns, std::memory_order_release);
        if (!s.stopping && c.end_reason != "done") {
            std::lock_guard lock(link.mutex);
            link.last_loss = c.end_reason;
        }
    }
    if (was == conn_state::active) {
        if (c.counted) s.counters.active.add(-1);
        (c.as_leecher ? s.counters.leecher_live : s.counters.seeder_live).add(-1);
        // A leecher finishing or being steered down is not a lost connection.
        // Counted on the downloading side only, so one lost connection counts once.
        // Outside clients count on our seeders' side, unless they finished.
        // A leecher that completed is not losing anything either (the remote
        // may close first while its last HAVEs go out).
        const bool downloading_side = (c.as_leecher && !c.as_leecher->done) || (c.external && !c.remote_complete);
        if (downloading_side && !s.stopping && c.end_reason != "done" && c.end_reason != "steered down")
            s.counters.disconnects.add(1);
    } else if (c.outgoing) {
        s.counters.half_open.add(-1);
        // Connected but never handshaken (reset, silence, closed): as failed as
        // a refused connect, unless we closed it ourselves. (Refusals and
        // sockets that could not be had are counted where they fail.)
        if (was == conn_state::handshaking && !protocol_error && !s.stopping && c.end_reason != "done" &&
            c.end_reason != "steered down")
            s.counters.connect_failures.add(1);
    }
    if (c.as_leecher) leecher_on_closed(c);
    if (c.fd != invalid_handle) {
        operation& op = c.close_op;
        op.code = op_code::close;
        op.handle = c.fd;
        conn_submit(c, op);
    }
}

void conn_close_when_sent(connection& c, std::string reason) {
    if (c.state == conn_state::closing) return;
    if (c.sending.empty() && c.out.empty()) {
        conn_close(c, std::move(reason));
        return;
    }
    c.close_when_sent = std::move(reason);
    conn_flush(c);
}

bool conn_finished(const connection& c) { return c.state == conn_state::closing && c.pending == 0; }

peer_summary summarize(const connection& c, const std::string& leecher_name) {
    peer_summary p;
    p.leecher = leecher_name;
    p.remote = c.client.empty() ? c.remote : c.remote + " (" + c.client + ")";
    p.state = c.end_reason.empty() ? "open" : c.end_reason;
    p.slow = c.slow;
    p.bytes_in = c.bytes_in;
    p.bytes_out = c.bytes_out;
    p.blocks = c.blocks;
    p.requests = c.as_seeder ? c.requests_received : c.requests_sent;
    p.rejects = c.rejects;
    p.request_ms_p50 = c.request_latency.percentile_ns(0.5) / 1e6;
    p.request_ms_p99 = c.request_latency.percentile_ns(0.99) / 1e6;
    if (c.established_ns > 0)
        p.connected_s = static_cast<double>((c.closed_ns ? c.closed_ns : steady_ns()) - c.established_ns) / 1e9;
    p.notes = notes_of(c);
    return p;
}

void conn_note(connection& c, const char* what) {
    for (auto& [name, count] : c.notes)
        if (name == what || std::strcmp(name, what) == 0) {
            ++count;
            return;
        }
    c.notes.emplace_back(what, 1);
    log().info("{} <- {}: accepted a {} (real clients send it; counted in the peer's notes)",
               c.as_leecher ? c.as_leecher->name : c.as_seeder->name, c.remote, what);
}

std::map<std::string, std::uint64_t> notes_of(const connection& c) {
    std::map<std::string, std::uint64_t> out;
    for (const auto& [name, count] : c.notes) out[name] += count;
    return out;
}

}  // namespace swarmbench::detail
