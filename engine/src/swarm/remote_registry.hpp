// remote_registry: the outside clients our seeders serve (upload_to targets
// and clients that connect in), by address, and the pieces each has
// announced. A client announces a piece (HAVE, bitfield, have-all) only
// after its own hash check, so "every piece announced" is the client's own
// proof that it downloaded everything intact; the run ends on it.
//
// One client usually holds several connections (one per fake seeder), each
// on its own shard, and each receives the same HAVEs: the registry counts a
// piece once per client, so pieces_verified is not multiplied by the
// connection count. A client is known by its address — the HOST:PORT we
// dialled, or the IP it connected in from — not by its peer id, which
// libtorrent 2 draws anew for every connection.
//
// Thread rules: every member function may be called from any thread (one
// mutex; called a few times per piece, never per block).
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "swarmbench/bt/geometry.hpp"

namespace swarmbench::detail {

class remote_registry {
public:
    /// What an announcement changed.
    struct update {
        std::uint32_t new_pieces = 0;  // pieces this client had not announced before
        bool completed = false;        // this call made the client complete
    };

    /// A client handshook (again); `key` is its address ("127.0.0.1:6881" or "127.0.0.1").
    void seen(const std::string& key, std::uint32_t pieces);
    /// The client announced `piece` (HAVE).
    update have(const std::string& key, std::uint32_t piece);
    /// The client announced a whole bitfield (BITFIELD, HAVE_ALL).
    update have_bits(const std::string& key, const bt::bitfield& bits);
    /// Whether the client has announced every piece.
    bool complete(const std::string& key) const;

    std::uint32_t clients() const;           // clients seen
    std::uint32_t complete_clients() const;  // ...that announced every piece

private:
    struct client {
        std::string key;       // its address
        bt::bitfield has;      // pieces announced
    };
    client* find(const std::string& key);           // mutex held
    const client* find(const std::string& key) const;  // mutex held

    mutable std::mutex mutex_;     // guards clients_
    std::vector<client> clients_;  // few: one per outside client
};

}  // namespace swarmbench::detail
