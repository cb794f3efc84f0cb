// peer_session: one BitTorrent connection as a pure state machine, both
// directions at once (STYLE.md 18, the quinn-proto shape). Bytes from the
// socket and the time go in (receive, tick); bytes to send come out when the
// I/O layer has a buffer for them (write_output); everything else it wants
// done (close, read or write a block, hash a piece) goes to peer_io. No
// system calls, no engine types: a test drives it with byte strings.
//
// Protocol: the handshake (BEP 3) with the fast (BEP 6) and extension
// (BEP 10: v, reqq, p) bits; our pieces announced as have all / have none /
// bitfield; then, as a downloader, interest, requests from the local peer's
// picker within min(pipeline, the remote's reqq), choke / unchoke / allowed
// fast / reject handling, end-game cancels; as an uploader, requests queued
// (a flood past max_queued_requests is refused, or the peer dropped without
// BEP 6), served within a window of bytes and a token-bucket rate, answered
// by reject where BEP 6 says so (choked, cancelled, a piece we lack).
// Piece payloads are taken as they arrive (wire_options::stream_pieces) and
// copied once, into the local peer's piece buffer: no per-connection receive
// buffer. Outgoing messages are kept as a short list of what to say, encoded
// only into the buffer write_output is given: no per-connection send buffer.
//
// Checks that drop the remote: everything the wire decoder refuses (framing,
// indexes, block bounds, info-hash, unnegotiated messages), a request flood
// without BEP 6, wrong data (convicted by the local peer after a failed
// hash), no handshake within the timeout, requests out and no block for the
// stall timeout. What real clients bend is accepted and counted (notes()).
//
// Thread rules: a session belongs to its local peer's thread. The I/O layer
// owns the object; destroy it only after peer_io::closed (or destroy an open
// one: it then leaves without telling peer_io).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "swarmbench/bt/peer_io.hpp"
#include "swarmbench/bt/piece_picker.hpp"
#include "swarmbench/bt/wire.hpp"
#include "swarmbench/stats.hpp"

namespace swarmbench::bt {

class local_peer;

struct session_options {
    bool outgoing = false;        // we dialled: our handshake goes first
    peer_id our_id{};             // sent in our handshake
    std::uint64_t rate = 0;       // upload limit in bytes/s (0: none); set_rate changes it
};

/// What a session counted; read at any time on its thread.
struct session_stats {
    std::uint64_t bytes_in = 0;          // given to receive()
    std::uint64_t bytes_out = 0;         // written by write_output()
    std::uint64_t blocks_in = 0;         // new blocks received
    std::uint64_t blocks_out = 0;        // blocks served
    std::uint64_t requests_sent = 0;     // requests we made
    std::uint64_t requests_received = 0; // requests the remote made
    std::uint64_t rejects = 0;           // our requests rejected, or lost to a choke or a close
    std::int64_t created_ns = 0;         // the session began (connection up)
    std::int64_t established_ns = 0;     // handshake done (0: not yet)
    std::int64_t closed_ns = 0;          // closed (0: open)
    std::int64_t last_block_ns = 0;      // last block received, or served
};

class peer_session {
public:
    enum class state_t : std::uint8_t { handshaking, active, closed };

    /// A session over a connected byte stream, attached to `peer` (which
    /// must outlive it). An outgoing session queues its handshake at once.
    peer_session(local_peer& peer, const session_options& options, std::int64_t now);
    ~peer_session();
    peer_session(const peer_session&) = delete;
    peer_session& operator=(const peer_session&) = delete;

    // ---- inputs from the I/O layer (the owning thread)

    /// Bytes the socket produced (any split works). May close the session.
    void receive(std::span<const std::byte> bytes, std::int64_t now);
    /// Writes whole pending messages into `out`, as many as fit, and returns
    /// how many bytes it wrote (0: nothing fits or nothing is pending).
    std::size_t write_output(std::span<std::byte> out, std::int64_t now);
    /// Everything write_output wrote so far has been sent (the send
    /// completed): a close_when_sent may now close.
    void output_sent(std::int64_t now);
    /// Bytes of the next pending message (a buffer smaller than this gets
    /// nothing), or 0 when nothing is pending.
    std::size_t output_hint() const noexcept;
    /// Something is waiting to be written.
    bool has_output() const noexcept;
    /// Bytes of everything ready to be written now (messages, and blocks
    /// at the head of the serving queue): the buffer that would take it all.
    std::size_t output_bytes() const noexcept;
    /// Timeouts, keep-alives, rate refills (the local peer's tick calls it).
    void tick(std::int64_t now);
    /// A read asked through peer_io::read_block: `data` (r.length bytes) is
    /// lent until peer_io::release_block(data).
    void block_read(const block_request& r, const std::byte* data);
    void block_read_failed(const block_request& r, const std::string& why);
    /// Ends the session (the socket failed, the remote closed, the run ends,
    /// churn, ...): releases its requests, tells peer_io::closed. Idempotent.
    void close(std::string reason, bool protocol_error = false);
    /// Closes once everything pending has been written and sent (a last HAVE).
    void close_when_sent(std::string reason);

    // ---- steering
    void set_rate(std::uint64_t bytes_per_s) noexcept { rate_ = bytes_per_s; }
    /// Serve no block before `ns` (a stall fault); requests keep queueing.
    void stall_until(std::int64_t ns) noexcept { stalled_until_ = ns; }
    /// Choke or unchoke the remote (the local peer's choker decides).
    void set_choked(bool choked);
    /// Whether to send a HAVE for a piece the remote has already (default
    /// yes, as libtorrent's send_redundant_have; no to a peer of our own that
    /// is a seed: thousands of connections would each carry every HAVE).
    void set_redundant_haves(bool send);
    /// Whether to keep serve_latency() (default yes; no where nobody reads
    /// it, e.g. a seeder's end of a connection summarized at the leecher's:
    /// 340 B of histogram per connection).
    void set_serve_latency(bool keep) noexcept { keep_serve_latency_ = keep; }

    // ---- state
    state_t state() const noexcept { return state_; }
    bool active() const noexcept { return state_ == state_t::active; }
    bool closed() const noexcept { return state_ == state_t::closed; }
    peer_handle handle() const noexcept { return handle_; }
    local_peer& peer() const noexcept { return peer_; }
    bool outgoing() const noexcept { return outgoing_; }
    const std::string& close_reason() const noexcept { return close_reason_; }
    bool protocol_error() const noexcept { return protocol_error_; }
    /// The remote's handshake (valid once active).
    const peer_id& remote_id() const noexcept { return remote_id_; }
    const std::string& remote_client() const noexcept { return client_; }  // BEP 10 "v"
    std::uint32_t remote_reqq() const noexcept { return remote_reqq_; }    // 0: not told
    std::uint16_t remote_listen_port() const noexcept { return remote_port_; }  // 0: not told
    bool fast() const noexcept { return fast_; }
    /// The remote's pieces, during peer_io::remote_pieces calls; afterwards
    /// empty at a seed's sessions (a seed needs no map of them) and when the
    /// remote is a seed (remote_seed() says all).
    const bitfield& remote_pieces() const noexcept { return remote_has_; }
    bool remote_seed() const noexcept { return remote_seed_; }
    bool am_choking() const noexcept { return am_choking_; }
    bool peer_choking() const noexcept { return peer_choking_; }
    bool am_interested() const noexcept { return am_interested_; }
    bool peer_interested() const noexcept { return peer_interested_; }
    std::size_t requests_out() const noexcept { return requests_.size(); }
    std::size_t requests_queued() const noexcept { return serve_.size() - serve_head_; }
    const session_stats& stats() const noexcept { return stats_; }
    /// Request -> block latencies of the blocks we received (null: none yet).
    const compact_histogram* request_latency() const noexcept { return latency_.get(); }
    /// Request received -> block written out, for blocks we served (null: none yet).
    const compact_histogram* serve_latency() const noexcept { return serve_latency_.get(); }
    /// Protocol bends the remote made, with how often (names: static storage).
    const std::vector<std::pair<const char*, std::uint64_t>>& notes() const noexcept { return notes_; }
    /// Payload bytes each way since the choker last looked (reset by it).
    std::uint64_t uploaded_since_rechoke = 0;
    std::uint64_t downloaded_since_rechoke = 0;
    /// The I/O layer's pointer back to its connection; never touched here.
    void* user = nullptr;

private:
    friend class local_peer;

    /// A message to send, kept small until it is encoded.
    struct pending {
        msg_id id;                 // what, when special is 0
        std::uint8_t special = 0;  // else 1: handshake, 2: extended handshake, 3: keep-alive, 4: bitfield
        std::uint32_t index = 0;   // piece
        std::uint32_t begin = 0;   // offset
        std::uint32_t length = 0;  // block length
    };
    /// A queued message that is not a plain msg_id one (its id unused).
    static constexpr pending special(std::uint8_t kind) noexcept { return {msg_id::choke, kind}; }
    /// A request we serve: queued, then committed (reading or ready).
    struct serve_entry {
        block_request r;                  // what
        const std::byte* data = nullptr;  // read and lent (serve_reads), else null
        bool committed = false;           // counts in committed_bytes_
        bool ready = false;               // may be written out
    };
    /// A request we made.
    struct outstanding {
        block_ref block;          // which
        std::int64_t sent_ns = 0; // when queued
    };

    void push(const pending& p);
    std::size_t size_of(const pending& p) const noexcept;
    std::size_t encode(const pending& p, std::span<std::byte> out) const;
    void on_message(const message& m, std::int64_t now);
    void on_handshake(const handshake& hs, std::int64_t now);
    void on_piece_header(const message& m, std::int64_t now);
    void on_piece_data(const message& m, std::int64_t now);
    void finish_block(std::int64_t now);
    void on_request(const message& m, std::int64_t now);
    void on_cancel(const message& m);
    void on_remote_set(const message& m);
    void on_have(std::uint32_t piece);
    void note(const char* what);
    void register_remote();
    void unregister_remote();
    void update_interest();
    void request_more(std::int64_t now);
    void cancel_request(block_ref block);  // end-game: another session delivered it
    void abort_requests();
    void erase_request(std::vector<outstanding>::iterator it);
    void reject(const block_request& r);
    void drop_serving(bool reject_them);
    void pump(std::int64_t now);
    void compact_serve();
    void want_send();
    void teardown();
    void piece_passed(std::uint32_t piece);  // from the local peer: send HAVE, re-check interest
    /// Whether piece_passed can do anything here: a HAVE may be owed (the
    /// remote is no seed, or redundant HAVEs go too) or interest may end
    /// before completion (the remote is no seed).
    bool wants_piece_notices() const noexcept { return redundant_haves_ || !remote_seed_; }

    local_peer& peer_;                    // what the connections share
    peer_io& io_;                         // effects
    wire_decoder decoder_;                // incoming bytes
    peer_handle handle_;                  // in the picker
    state_t state_ = state_t::handshaking;
    bool outgoing_ = false;               // we dialled
    bool fast_ = false;                   // BEP 6 negotiated
    bool ext_ = false;                    // BEP 10 negotiated
    bool am_choking_ = true;              // we choke the remote
    bool peer_choking_ = true;            // the remote chokes us
    bool am_interested_ = false;          // we told the remote we want pieces
    bool peer_interested_ = false;        // the remote wants our pieces
    bool remote_seed_ = false;            // the remote has every piece
    bool remote_registered_ = false;      // its pieces count in the picker
    bool protocol_error_ = false;         // closed for breaking the protocol
    bool redundant_haves_ = true;         // HAVEs for pieces the remote has
    bool in_noticed_ = false;             // on the local peer's noticed_ list
    bool keep_serve_latency_ = true;      // record serve_latency_
    bool in_block_ = false;               // a piece payload is arriving
    bool block_wanted_ = false;           // ...that we asked for
    bool block_claimed_ = false;          // ...and write into the piece buffer
    bool block_spilled_ = false;          // ...or into a spare buffer, racing the claimant
    block_ref block_{};                   // the arriving block
    std::uint32_t block_begin_ = 0;       // its offset in the piece
    std::span<std::byte> block_dest_;     // where its bytes go (claimed)
    std::int64_t block_sent_ns_ = 0;      // when we asked for it
    peer_id our_id_{};                    // ours
    peer_id remote_id_{};                 // theirs
    std::string client_;                  // BEP 10 "v"
    std::uint32_t remote_reqq_ = 0;       // BEP 10 reqq
    std::uint16_t remote_port_ = 0;       // BEP 10 p
    bitfield remote_has_;                 // the remote's pieces (empty until announced)
    std::vector<std::uint32_t> allowed_fast_;  // pieces we may request while choked (BEP 6)
    std::vector<outstanding> requests_;   // ours, in request order; the last requests_unsent_ not yet written
    std::size_t requests_unsent_ = 0;     // requests made, still to be written (no message list entry each)
    std::vector<pending> out_;            // to send, from out_head_
    std::size_t out_head_ = 0;            // first unsent entry of out_
    std::vector<serve_entry> serve_;      // requests we serve, from serve_head_
    std::size_t serve_head_ = 0;          // first unserved entry of serve_
    std::size_t committed_end_ = 0;       // entries before this are committed
    std::size_t committed_bytes_ = 0;     // message bytes of committed entries
    std::uint32_t reads_ = 0;             // block reads in flight
    std::uint64_t rate_ = 0;              // upload limit, bytes/s (0: none)
    double tokens_ = 0;                   // bytes it may send now
    std::int64_t last_refill_ns_ = 0;     // token bucket
    std::int64_t stalled_until_ = 0;      // stall fault (0: none)
    std::int64_t last_output_ns_ = 0;     // keep-alives
    std::int64_t last_block_in_ns_ = 0;   // last block received (stalls)
    bool unsent_ = false;                 // write_output wrote bytes not yet reported sent
    std::string close_reason_;            // why it closed
    std::string close_when_sent_;         // close with this once output drains ("": no)
    session_stats stats_;                 // counters
    std::unique_ptr<compact_histogram> latency_;        // requests we made
    std::unique_ptr<compact_histogram> serve_latency_;  // requests we served
    std::vector<std::pair<const char*, std::uint64_t>> notes_;  // bends
};

}  // namespace swarmbench::bt
