#!/usr/bin/env python3
"""A BitTorrent leecher written in Python on swarmbench.port, downloading from
a native swarmbench seeder and checking every piece's SHA-1.

    PYTHONPATH=build/release/python python3 bindings/examples/python_peer.py
    ... python_peer.py --size 256MiB --piece-size 1MiB --pipeline 64 --backend epoll
    ... python_peer.py --connect 127.0.0.1:6881 --size 1GiB   # a seeder you started

Without --connect it starts `swarmbench run` as a subprocess (one seeder at a
free port, one native leecher, storage discard) serving the synthetic torrent
described by --size, --piece-size, --files and --content-seed, and stops it
when done. With --connect, start the seeder yourself with the same torrent
flags and --base-port, and long enough a --duration.

The peer: one connection; handshake (no extensions, so the seeder answers
with a bitfield, then unchoke), interested, then requests of 16 KiB blocks,
--pipeline of them in flight, pieces in order. Every received byte goes from
the socket into one receive buffer (a bytearray the engine writes directly),
through swarmbench.bt.WireDecoder (which checks lengths and indexes), into a
per-piece buffer, which is hashed with hashlib and compared with the
torrent's piece hash. It prints the goodput and exits 0 when every piece
verified, 1 otherwise.
"""
from __future__ import annotations

import argparse
import errno
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from swarmbench import bt, port

RECV_BUFFER = 256 * 1024
PEER_ID = b"-PY0001-" + os.urandom(6).hex().encode()  # 20 bytes; not swarmbench's "-SB0100-"


def parse_size(text: str) -> int:
    m = re.fullmatch(r"\s*(\d+)\s*([KMGT]i?B?|B)?\s*", text, re.I)
    if not m:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (e.g. 64MiB)")
    unit = (m.group(2) or "B").upper().rstrip("B").rstrip("I")
    return int(m.group(1)) * 1024 ** " KMGT".index(unit or " ")


def find_swarmbench(given: str | None) -> str:
    import swarmbench

    build_tree = Path(swarmbench.__file__).resolve().parents[2] / "app" / "cli" / "swarmbench"
    for candidate in (given, build_tree, shutil.which("swarmbench")):
        if candidate and Path(candidate).is_file():
            return str(candidate)
    sys.exit("swarmbench (the command line) not found: build it or pass --swarmbench PATH")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Leecher:
    """One connection to one seeder, driven by a swarmbench.port.Port."""

    def __init__(self, p: port.Port, torrent: bt.Torrent, pipeline: int) -> None:
        self.p = p
        self.t = torrent
        self.pipeline = pipeline
        self.decoder = bt.WireDecoder(torrent)
        self.sock: port.Socket | None = None
        self.recv_buf = bytearray(RECV_BUFFER)
        self.choked = True
        self.queue: list[tuple[int, int, int]] = []       # blocks not yet requested
        self.in_flight: set[tuple[int, int]] = set()      # (piece, begin) requested
        self.pieces: dict[int, bytearray] = {}            # piece -> its buffer while downloading
        self.missing: dict[int, int] = {}                 # piece -> blocks still to come
        self.next_piece = 0
        self.verified = 0
        self.hash_failures = 0
        self.payload = 0

    # ------------------------------------------------------------ connecting

    def connect(self, address: tuple[str, int], deadline: float) -> None:
        """Connects, retrying while the seeder is still starting."""
        while True:
            sock = self.p.tcp_socket()
            self.p.connect(sock, address, timeout=5, tag="connect")
            [c] = self.wait_for("connect", deadline)
            if c.error is None:
                self.sock = sock
                return
            sock.close()
            if c.error != errno.ECONNREFUSED or time.monotonic() > deadline:
                raise OSError(c.error, c.message)
            self.p.timer(0.05, tag="retry")
            self.wait_for("retry", deadline)

    def wait_for(self, tag: str, deadline: float) -> list[port.Completion]:
        while True:
            cs = self.p.wait(timeout=max(0.0, deadline - time.monotonic()))
            if cs:
                assert [c.tag for c in cs] == [tag], cs
                return cs
            if time.monotonic() > deadline:
                raise TimeoutError(f"no {tag} completion before the deadline")

    # ------------------------------------------------------------ the download

    def run(self, deadline: float) -> None:
        assert self.sock is not None
        self.send(bt.encode_handshake(self.t.info_hash, PEER_ID) + bt.encode_message("interested"))
        self.p.recv(self.sock, self.recv_buf, tag="recv")
        while self.verified < self.t.piece_count:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"{self.verified}/{self.t.piece_count} pieces verified before the deadline")
            for c in self.p.wait(timeout=min(left, 1.0)):
                if c.error is not None:
                    raise OSError(c.error, c.message)
                if c.tag == "recv":
                    if c.result == 0:
                        raise ConnectionError("the seeder closed the connection")
                    for msg in self.decoder.feed(memoryview(self.recv_buf)[:c.result]):
                        self.on_message(msg)
                    self.p.resubmit(c.op)  # the same buffer again: the decoder has copied what it needs
            self.request_more()

    def send(self, data: bytes) -> None:
        assert self.sock is not None
        self.p.send(self.sock, data, tag="send")  # the Port holds `data` until it is sent

    def on_message(self, msg: bt.Message) -> None:
        if msg.kind == "unchoke":
            self.choked = False
        elif msg.kind == "choke":
            # BEP 3: a choke discards our requests; ask again after the unchoke.
            self.choked = True
            self.queue[:0] = [(i, b, self.block_length(i, b)) for i, b in sorted(self.in_flight)]
            self.in_flight.clear()
        elif msg.kind == "piece":
            self.on_block(msg.piece, msg.begin, msg.data or b"")

    def on_block(self, index: int, begin: int, data: bytes) -> None:
        if (index, begin) not in self.in_flight:
            return  # not asked for (or asked again after a choke): ignore
        self.in_flight.discard((index, begin))
        self.pieces[index][begin:begin + len(data)] = data
        self.payload += len(data)
        self.missing[index] -= 1
        if self.missing[index] == 0:
            piece = self.pieces.pop(index)
            del self.missing[index]
            if hashlib.sha1(piece).digest() == self.t.piece_hash(index):
                self.verified += 1
            else:
                self.hash_failures += 1
                self.add_piece(index)  # download it again

    def block_length(self, index: int, begin: int) -> int:
        return min(bt.BLOCK_SIZE, self.t.piece_size(index) - begin)

    def add_piece(self, index: int) -> None:
        size = self.t.piece_size(index)
        self.pieces[index] = bytearray(size)
        self.missing[index] = self.t.blocks_in_piece(index)
        self.queue += [(index, b, self.block_length(index, b)) for b in range(0, size, bt.BLOCK_SIZE)]

    def request_more(self) -> None:
        if self.choked:
            return
        batch = []
        while len(self.in_flight) < self.pipeline:
            if not self.queue:
                if self.next_piece == self.t.piece_count:
                    break
                self.add_piece(self.next_piece)
                self.next_piece += 1
            index, begin, length = self.queue.pop(0)
            self.in_flight.add((index, begin))
            batch.append(bt.encode_request(index, begin, length))
        if batch:
            self.send(b"".join(batch))  # one send per round, however many requests


def start_seeder(args: argparse.Namespace, out_dir: str) -> tuple[subprocess.Popen[str], tuple[str, int]]:
    base_port = free_port()
    cmd = [find_swarmbench(args.swarmbench), "run", "--seeders", "1", "--leechers", "1", "--connections", "1",
           "--size", str(args.size), "--piece-size", str(args.piece_size), "--files", str(args.files),
           "--content-seed", str(args.content_seed), "--storage", "discard", "--threads", "1",
           # The run needs one native leecher; make it a slow one (1 KiB/s) so
           # that the seeder serves us at full speed.
           "--slow-fraction", "1", "--slow-rate", "1KiB",
           "--duration", str(args.timeout + 30), "--base-port", str(base_port), "--backend", args.backend,
           "--no-progress", "--no-graphs", "-o", out_dir, "--json"]
    seeder = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return seeder, ("127.0.0.1", base_port)


def stop_seeder(seeder: subprocess.Popen[str]) -> dict | None:
    """Ends the run (SIGINT: status interrupted, full report) and returns its results document."""
    if seeder.poll() is None:
        seeder.send_signal(signal.SIGINT)
    try:
        out, err = seeder.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        seeder.kill()
        out, err = seeder.communicate()
    try:
        return json.loads(out)
    except ValueError:
        print(f"seeder said: {err.strip()}", file=sys.stderr)
        return None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", type=parse_size, default=64 << 20, help="torrent size (default 64MiB)")
    ap.add_argument("--piece-size", type=parse_size, default=256 << 10, help="piece size (default 256KiB)")
    ap.add_argument("--files", type=int, default=1, help="files in the torrent (default 1)")
    ap.add_argument("--content-seed", type=int, default=1, help="synthetic content seed (default 1)")
    ap.add_argument("--pipeline", type=int, default=32, help="16 KiB requests in flight (default 32)")
    ap.add_argument("--backend", default="auto", help="auto | io_uring | epoll, for both peers")
    ap.add_argument("--connect", help="HOST:PORT of a seeder already running (default: start one)")
    ap.add_argument("--swarmbench", help="the swarmbench command line (default: the build tree's, then PATH)")
    ap.add_argument("--timeout", type=float, default=120, help="give up after this many seconds (default 120)")
    args = ap.parse_args()

    torrent = bt.synthetic_torrent(args.size, piece_size=args.piece_size, files=args.files, seed=args.content_seed)
    print(f"torrent {torrent.info_hash_hex}: {torrent.total_length} bytes in {torrent.piece_count} pieces")
    deadline = time.monotonic() + args.timeout
    seeder = None
    with tempfile.TemporaryDirectory(prefix="python-peer-") as out_dir:
        if args.connect:
            host, _, port_text = args.connect.rpartition(":")
            address = (host.strip("[]"), int(port_text))
        else:
            seeder, address = start_seeder(args, out_dir)
        try:
            with port.Port(args.backend) as p:
                peer = Leecher(p, torrent, args.pipeline)
                peer.connect(address, deadline)
                backend = p.backend
                print(f"connected to {address[0]}:{address[1]} over {backend}")
                start = time.monotonic()
                peer.run(deadline)
                elapsed = time.monotonic() - start
        except (OSError, TimeoutError, bt.ProtocolError) as e:
            print(f"python_peer: {e}", file=sys.stderr)
            if seeder is not None:
                stop_seeder(seeder)
            return 1
        report = stop_seeder(seeder) if seeder is not None else None
    rate = peer.payload / elapsed / 1e6 if elapsed > 0 else 0.0
    print(f"verified {peer.verified}/{torrent.piece_count} pieces ({peer.payload / 2**20:.1f} MiB) in "
          f"{elapsed:.2f} s: {rate:.1f} MB/s over {backend}; {peer.hash_failures} hash failures")
    if report is not None:
        swarm = report.get("summary", {}).get("swarm", {})
        print(f"native seeder: status {report['summary'].get('status')}, "
              f"{swarm.get('net_bytes_out', 0) / 2**20:.1f} MiB sent in all")
    return 0 if peer.verified == torrent.piece_count and peer.hash_failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
