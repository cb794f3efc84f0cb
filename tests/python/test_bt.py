"""swarmbench.bt: synthetic torrents (the same ones a native swarm serves),
their content, .torrent round trips and the peer wire codec."""
from __future__ import annotations

import hashlib
import json
import subprocess

import numpy as np
import pytest

from swarmbench import bt
from port_support import cli_binary


def test_synthetic_torrent_geometry_and_hashes():
    t = bt.synthetic_torrent(1_000_000, piece_size=64 * 1024, seed=7)
    assert t.total_length == 1_000_000 and t.piece_length == 65536
    assert t.piece_count == 16 and t.piece_size(15) == 1_000_000 - 15 * 65536
    assert t.name == "swarmbench-synthetic" and not t.multi_file
    assert len(t.info_hash) == 20 and t.info_hash.hex() == t.info_hash_hex
    assert t.blocks_in_piece(0) == 4 and t.blocks_in_piece(15) == 2
    for i in (0, 7, 15):
        data = bt.synthetic_bytes(7, t.piece_offset(i), t.piece_size(i))
        assert hashlib.sha1(data).digest() == t.piece_hash(i)
    assert t.files == [("swarmbench-synthetic", 1_000_000, 0)]
    assert "16 pieces" in repr(t)
    with pytest.raises(IndexError, match="out of range"):
        t.piece_hash(16)


def test_same_spec_same_torrent_other_seed_other_hash():
    a = bt.synthetic_torrent(256 * 1024, piece_size=16 * 1024, seed=1)
    b = bt.synthetic_torrent(256 * 1024, piece_size=16 * 1024, seed=1, hash_threads=2)
    c = bt.synthetic_torrent(256 * 1024, piece_size=16 * 1024, seed=2)
    assert a.info_hash == b.info_hash != c.info_hash


def test_multi_file_and_round_trip():
    t = bt.synthetic_torrent(100_003, piece_size=16 * 1024, files=3)
    assert t.multi_file
    files = t.files
    assert [f[1] for f in files] == [33_335, 33_334, 33_334]
    assert [f[2] for f in files] == [0, 33_335, 66_669]
    again = bt.Torrent.parse(t.encode())
    assert again.info_hash == t.info_hash and again.files == files
    assert bt.Torrent.parse(bytearray(t.encode())).piece_count == t.piece_count


def test_bad_torrents_say_why():
    with pytest.raises(ValueError, match="piece"):
        bt.synthetic_torrent(1 << 20, piece_size=3000)
    with pytest.raises(ValueError, match="Torrent.parse: "):
        bt.Torrent.parse(b"d4:spam4:eggse")
    with pytest.raises(TypeError):
        bt.Torrent.parse("not bytes")


def test_content_fill_and_match():
    arr = np.zeros(10_000, dtype=np.uint8)
    bt.synthetic_fill(3, 12345, arr)
    assert arr.tobytes() == bt.synthetic_bytes(3, 12345, 10_000)
    assert bt.synthetic_matches(3, 12345, arr)
    arr[5000] ^= 1
    assert not bt.synthetic_matches(3, 12345, arr)
    with pytest.raises(TypeError):
        bt.synthetic_fill(3, 0, b"read-only")


def test_info_hash_matches_the_native_swarm(tmp_path):
    cli = cli_binary()
    if cli is None:
        pytest.skip("the swarmbench command line is not built in this build tree")
    run = subprocess.run([str(cli), "run", "--size", "1MiB", "--piece-size", "64KiB", "--content-seed", "9",
                          "--seeders", "1", "--leechers", "1", "--connections", "1", "--storage", "discard",
                          "--threads", "1", "--no-progress", "--no-graphs", "-o", str(tmp_path / "out"), "--json"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout)
    t = bt.synthetic_torrent(1 << 20, piece_size=64 * 1024, seed=9)
    assert doc["config"]["info_hash"] == t.info_hash_hex


# ---------------------------------------------------------------- wire

def test_encoders():
    ih, pid = bytes(range(20)), b"-PY0001-" + b"x" * 12
    hs = bt.encode_handshake(ih, pid, extensions=True, fast=True)
    assert len(hs) == bt.HANDSHAKE_SIZE == 68
    assert hs[:20] == b"\x13BitTorrent protocol" and hs[28:48] == ih and hs[48:] == pid
    assert hs[25] & 0x10 and hs[27] & 0x04
    assert bt.encode_message("interested") == b"\x00\x00\x00\x01\x02"
    assert bt.encode_message("keep_alive") == b"\x00\x00\x00\x00"
    assert bt.encode_have(5) == b"\x00\x00\x00\x05\x04\x00\x00\x00\x05"
    assert bt.encode_request(1, 16384) == b"\x00\x00\x00\x0d\x06" + (1).to_bytes(4, "big") + \
        (16384).to_bytes(4, "big") + (16384).to_bytes(4, "big")
    assert bt.encode_cancel(1, 0, 100)[4] == 8
    assert bt.encode_piece_header(2, 0, 16384)[:5] == (16384 + 9).to_bytes(4, "big") + b"\x07"
    with pytest.raises(ValueError, match="kind must be"):
        bt.encode_message("piece")
    with pytest.raises(ValueError, match="20 bytes"):
        bt.encode_handshake(b"short", pid)


def test_decoder_round_trip_split_anywhere():
    t = bt.synthetic_torrent(128 * 1024, piece_size=32 * 1024)
    block = bt.synthetic_bytes(1, 32 * 1024 + 16384, 16384)
    stream = (bt.encode_handshake(t.info_hash, b"-SB0100-" + bytes(12)) + bt.encode_message("unchoke") +
              bt.encode_have(3) + bt.encode_request(1, 0) + bt.encode_piece_header(1, 16384, 16384) + block +
              bt.encode_message("keep_alive"))
    whole = bt.WireDecoder(t).feed(stream)
    bytewise = []
    d = bt.WireDecoder(t)
    for i in range(len(stream)):
        bytewise += d.feed(stream[i:i + 1])
    assert whole == bytewise
    kinds = [m.kind for m in whole]
    assert kinds == ["handshake", "unchoke", "have", "request", "piece", "keep_alive"]
    hs, _, have, req, piece, _ = whole
    assert hs.data == t.info_hash and hs.peer_id.startswith(b"-SB0100-")
    assert have.piece == 3
    assert (req.piece, req.begin, req.length) == (1, 0, 16384)
    assert (piece.piece, piece.begin, piece.length) == (1, 16384, 16384) and piece.data == block
    assert d.error is None and not d.fast_negotiated


def test_decoder_rejects_protocol_violations():
    t = bt.synthetic_torrent(64 * 1024, piece_size=16 * 1024)  # 4 pieces
    d = bt.WireDecoder(t, handshake=False)
    with pytest.raises(bt.ProtocolError, match="out of range") as info:
        d.feed(bt.encode_have(900))
    assert isinstance(info.value, ValueError)
    assert "out of range" in d.error
    with pytest.raises(bt.ProtocolError):
        d.feed(bt.encode_message("choke"))  # stays failed
    other = bt.synthetic_torrent(64 * 1024, piece_size=16 * 1024, seed=2)
    with pytest.raises(bt.ProtocolError, match="info-hash"):
        bt.WireDecoder(t).feed(bt.encode_handshake(other.info_hash, bytes(20)))
    assert bt.WireDecoder(t, check_info_hash=False).feed(bt.encode_handshake(other.info_hash, bytes(20)))


def test_every_public_name_has_a_docstring():
    import inspect
    for name in bt.__all__:
        obj = getattr(bt, name)
        if isinstance(obj, int):
            continue  # BLOCK_SIZE, HANDSHAKE_SIZE
        assert obj.__doc__ and obj.__doc__.strip(), name
        if inspect.isclass(obj):
            for attr, member in vars(obj).items():
                if not attr.startswith("_"):
                    assert getattr(member, "__doc__", None), f"bt.{name}.{attr}"
