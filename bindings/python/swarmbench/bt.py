"""swarmbench.bt: torrents and their content, and what a custom peer needs
to join a swarmbench swarm.

* :func:`synthetic_torrent` builds the torrent a swarm serves (the same
  info-hash and piece hashes as ``swarmbench run --size S --piece-size P
  --files F --content-seed N``, or ``swarmbench make-torrent``), as a
  :class:`Torrent` whose :attr:`Torrent.content_seed` says how to generate
  its content; :func:`torrent_from_path` makes one from existing files
  (``make-torrent --from``). :meth:`Torrent.load` / :meth:`Torrent.save`
  read and write .torrent files, :meth:`Torrent.parse` /
  :meth:`Torrent.encode` their bytes.
* :func:`write_content` writes a synthetic torrent's content as a client's
  download folder (``swarmbench gen-data``); :func:`verify_content` checks
  a folder against any torrent, piece by piece (a :class:`VerifyReport`).
  With those, a script prepares a real client for
  ``swarmbench.Scenario.upload``, ``download`` and ``seed``.
* :func:`synthetic_fill`, :func:`synthetic_bytes` and
  :func:`synthetic_matches` produce or check the content of any byte range.
* The peer wire protocol (BEP 3, with BEP 6 and BEP 10 negotiation): the
  ``encode_*`` functions return one message as bytes, and a
  :class:`WireDecoder` turns whatever a socket produced into
  :class:`Message` tuples, checking every length and index against the
  torrent; a violation raises :class:`ProtocolError`.

A leecher in a few lines (see bindings/examples/python_peer.py for a whole
one on swarmbench.port)::

    t = bt.synthetic_torrent(16 << 20, piece_size=256 << 10)
    hello = bt.encode_handshake(t.info_hash, b"-PY0001-" + bytes(12))
    decoder = bt.WireDecoder(t)
    for msg in decoder.feed(received_bytes):
        if msg.kind == "piece":
            ...  # msg.piece, msg.begin, msg.data
"""
from ._swarmbench import bt as _bt

Torrent = _bt.Torrent
VerifyReport = _bt.VerifyReport
Message = _bt.Message
WireDecoder = _bt.WireDecoder
ProtocolError = _bt.ProtocolError
BLOCK_SIZE: int = _bt.BLOCK_SIZE
HANDSHAKE_SIZE: int = _bt.HANDSHAKE_SIZE
synthetic_torrent = _bt.synthetic_torrent
torrent_from_path = _bt.torrent_from_path
write_content = _bt.write_content
verify_content = _bt.verify_content
synthetic_fill = _bt.synthetic_fill
synthetic_bytes = _bt.synthetic_bytes
synthetic_matches = _bt.synthetic_matches
encode_handshake = _bt.encode_handshake
encode_message = _bt.encode_message
encode_have = _bt.encode_have
encode_request = _bt.encode_request
encode_cancel = _bt.encode_cancel
encode_piece_header = _bt.encode_piece_header

__all__ = [
    "BLOCK_SIZE",
    "HANDSHAKE_SIZE",
    "Message",
    "ProtocolError",
    "Torrent",
    "VerifyReport",
    "WireDecoder",
    "encode_cancel",
    "encode_handshake",
    "encode_have",
    "encode_message",
    "encode_piece_header",
    "encode_request",
    "synthetic_bytes",
    "synthetic_fill",
    "synthetic_matches",
    "synthetic_torrent",
    "torrent_from_path",
    "verify_content",
    "write_content",
]
