#!/usr/bin/env python3
"""Soak: swarms back to back in one process for a set time, with heavy churn,
hostile peers and injected hash failures, then checks that nothing leaked and
nothing wrong was kept.

    PYTHONPATH=build/release/python /usr/bin/python3 bench/soak.py --seconds 150   # CI (ctest -L soak)
    PYTHONPATH=build/release/python /usr/bin/python3 bench/soak.py --minutes 60    # by hand
    ... soak.py --minutes 60 --backend epoll --out /tmp/soak --json

Each round is one swarm run to completion (files storage, every piece SHA-1
checked) of --size with --seeders seeders and --leechers x --connections
connections, while:
  - churn drops and re-makes --churn connections per second, and a "drop"
    fault cuts a few more every couple of seconds;
  - "corrupt" faults make seeders flip a byte in a few blocks (hash failures);
  - hostile clients connect to the seeders at --hostile-per-s: garbage instead
    of a handshake, a wrong info hash, a message length of 2 GiB, a request for
    a piece that does not exist, an oversized request, half a message then a
    close, a reset (SO_LINGER 0), and silence;
  - every leecher also dials three hostile listeners the soak owns: a liar
    (handshakes, has every piece, answers every request with wrong bytes), a
    mute one (accepts, never says a word) and one that resets on accept.

Checks, each round: the run completes with every leecher complete; every
leecher's files on disk match the torrent piece by piece (so no corrupt block
outlived its piece's hash check); the results folder (results.json,
timeseries.csv, graphs) is complete and reads back with the same summary;
every protocol-breaking hostile connection was closed by the seeder. Across
rounds: the open file descriptors after each round equal those after the first
round, the resident memory after the last round is within --rss-growth-mib of
the first round's, and the soak saw hash failures and protocol errors at all.
Round 1 is the warm-up (allocator and buffer pools reach their size).

Exits 0 when every check held, 1 when one failed (each failure printed), 2 on
bad arguments, 77 when the backend asked for is not available here. Writes <out>/soak.json with every figure. Every loop is bounded:
rounds stop starting once the time is up, each run has a timeout, every
hostile connection a deadline.
"""
from __future__ import annotations

import argparse
import ctypes
import json
import os
import random
import shutil
import socket
import struct
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import swarmbench
from ports import free_port_range
from swarmbench import bt

PEER_ID = b"-SK0001-" + b"soaksoaksoak"  # 20 bytes
PROTOCOL_BREAKING = ("garbage", "wrong_hash", "huge_length", "bad_index", "oversized_request")
HOSTILE_KINDS = PROTOCOL_BREAKING + ("half_message", "reset", "silent")


# ---------------------------------------------------------------------------
# process figures (Linux /proc)
# ---------------------------------------------------------------------------

def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def rss_bytes(trim: bool = True) -> int:
    """Resident memory; with `trim`, after handing free heap pages back
    (malloc_trim), so the figure follows live memory rather than what glibc
    keeps cached in its per-thread arenas."""
    if trim:
        try:
            ctypes.CDLL("libc.so.6").malloc_trim(0)
        except OSError:
            pass
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def parse_size(text: str) -> int:
    units = {"": 1, "B": 1, "KIB": 1 << 10, "MIB": 1 << 20, "GIB": 1 << 30}
    t = text.strip().upper()
    i = len(t)
    while i and not t[i - 1].isdigit():
        i -= 1
    if not t[:i].isdigit() or t[i:] not in units:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (e.g. 32MiB)")
    return int(t[:i]) * units[t[i:]]


# ---------------------------------------------------------------------------
# hostile peers
# ---------------------------------------------------------------------------

@dataclass
class HostileTally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    attempts: dict[str, int] = field(default_factory=dict)
    closed_by_seeder: dict[str, int] = field(default_factory=dict)
    connect_failed: int = 0
    listener_accepts: dict[str, int] = field(default_factory=dict)

    def add(self, table: dict[str, int], kind: str, n: int = 1) -> None:
        with self.lock:
            table[kind] = table.get(kind, 0) + n


def hostile_bytes(kind: str, info_hash: bytes, pieces: int, rng: random.Random) -> bytes:
    handshake = bt.encode_handshake(info_hash, PEER_ID)
    interested = bt.encode_message("interested")
    if kind == "garbage":
        return bytes(rng.randrange(256) for _ in range(rng.randrange(68, 400)))
    if kind == "wrong_hash":
        return bt.encode_handshake(bytes(rng.randrange(256) for _ in range(20)), PEER_ID)
    if kind == "huge_length":
        return handshake + struct.pack(">IB", 0x7FFFFFFF, 7)
    if kind == "bad_index":
        return handshake + interested + bt.encode_request(pieces + rng.randrange(1, 1000), 0)
    if kind == "oversized_request":
        return handshake + interested + bt.encode_request(0, 0, 1 << 20)
    if kind == "half_message":
        return handshake + struct.pack(">IB", 13, 6) + b"\0\0"
    return b""


def hostile_client(kind: str, port: int, data: bytes, deadline_s: float, tally: HostileTally) -> None:
    """One hostile connection to a seeder; counts whether the seeder closed it
    before the deadline (it must, for every protocol-breaking kind)."""
    s = socket.socket()
    s.settimeout(deadline_s)
    try:
        s.connect(("127.0.0.1", port))
    except OSError:
        tally.connect_failed += 1
        s.close()
        return
    tally.add(tally.attempts, kind)
    try:
        if kind == "reset":
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return
        if kind == "half_message":
            s.sendall(data)
            return  # and close with the message half sent
        if data:
            s.sendall(data)
        end = time.monotonic() + deadline_s
        while time.monotonic() < end:
            s.settimeout(max(0.01, end - time.monotonic()))
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            except OSError:  # reset by the seeder: closed too
                tally.add(tally.closed_by_seeder, kind)
                return
            if not chunk:
                tally.add(tally.closed_by_seeder, kind)
                return
            if kind == "silent":
                continue
    except OSError:
        tally.add(tally.closed_by_seeder, kind)
    finally:
        s.close()


class HostileListener:
    """A listener the leechers dial (connect_to). `liar` handshakes, claims
    every piece, unchokes and answers every request with wrong bytes; `mute`
    accepts and never answers; `resetter` resets on accept. Connections are
    served by one thread each, bounded by the stop flag and a deadline."""

    def __init__(self, kind: str, torrent: bt.Torrent, tally: HostileTally) -> None:
        self.kind, self.torrent, self.tally = kind, torrent, tally
        self.info_hash, self.pieces = torrent.info_hash, torrent.piece_count
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(256)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.stop = threading.Event()
        self.threads: list[threading.Thread] = []
        self.acceptor = threading.Thread(target=self._accept, daemon=True)
        self.acceptor.start()

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                c, _ = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            self.tally.add(self.tally.listener_accepts, self.kind)
            if self.kind == "resetter":
                c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                c.close()
                continue
            t = threading.Thread(target=self._serve, args=(c,), daemon=True)
            t.start()
            self.threads = [x for x in self.threads if x.is_alive()] + [t]

    def _serve(self, c: socket.socket) -> None:
        c.settimeout(0.2)
        try:
            if self.kind == "mute":
                while not self.stop.is_set():
                    try:
                        if not c.recv(65536):
                            return
                    except socket.timeout:
                        continue
                return
            # liar: a well-formed peer with the wrong bytes.
            c.sendall(bt.encode_handshake(self.info_hash, PEER_ID))
            nbytes = (self.pieces + 7) // 8
            bits = bytearray(b"\xff" * nbytes)
            if self.pieces % 8:
                bits[-1] = (0xFF << (8 - self.pieces % 8)) & 0xFF
            c.sendall(struct.pack(">IB", 1 + nbytes, 5) + bytes(bits) + bt.encode_message("unchoke"))
            decoder = bt.WireDecoder(self.torrent)
            while not self.stop.is_set():
                try:
                    data = c.recv(65536)
                except socket.timeout:
                    continue
                if not data:
                    return
                for m in decoder.feed(data):
                    if m.kind == "request":
                        c.sendall(bt.encode_piece_header(m.piece, m.begin, m.length) + b"\xa5" * m.length)
                if decoder.error:
                    return
        except OSError:
            return
        finally:
            c.close()

    def close(self) -> None:
        self.stop.set()
        self.acceptor.join(5)
        for t in self.threads:
            t.join(5)
        self.sock.close()


def hostile_load(ports: list[int], info_hash: bytes, pieces: int, per_s: float, tally: HostileTally,
                 stop: threading.Event, rng: random.Random) -> None:
    """Starts hostile clients at `per_s` against random seeders until `stop`,
    at most 16 at a time (each has a 5 s deadline)."""
    live: list[threading.Thread] = []
    i = 0
    next_t = time.monotonic()
    while not stop.is_set():
        now = time.monotonic()
        if now < next_t:
            stop.wait(min(0.05, next_t - now))
            continue
        next_t += 1.0 / per_s
        live = [t for t in live if t.is_alive()]
        if len(live) >= 16:
            continue
        kind = HOSTILE_KINDS[i % len(HOSTILE_KINDS)]
        i += 1
        deadline = 1.0 if kind == "silent" else 5.0
        t = threading.Thread(target=hostile_client,
                             args=(kind, rng.choice(ports), hostile_bytes(kind, info_hash, pieces, rng), deadline, tally),
                             daemon=True)
        t.start()
        live.append(t)
    for t in live:
        t.join(10)


# ---------------------------------------------------------------------------
# one round
# ---------------------------------------------------------------------------

@dataclass
class Round:
    index: int
    status: str = ""
    seconds: float = 0
    connections: int = 0
    disconnects: int = 0
    protocol_errors: int = 0
    hash_failures: int = 0
    pieces_verified: int = 0
    faults_injected: int = 0
    rss_peak: int = 0
    rss_after: int = 0
    fds_after: int = 0
    failures: list[str] = field(default_factory=list)


def run_round(index: int, args: argparse.Namespace, out: Path, rng: random.Random, tally: HostileTally) -> Round:
    rnd = Round(index)
    torrent = bt.synthetic_torrent(args.size, piece_size=args.piece_size, files=args.files, seed=index)
    pieces = torrent.piece_count
    listeners = [HostileListener(k, torrent, tally) for k in ("liar", "mute", "resetter")]
    round_dir = out / f"round-{index:04}"
    data_dir = out / "data"
    shutil.rmtree(data_dir, ignore_errors=True)
    try:
        base = free_port_range(args.seeders)
        scenario = swarmbench.Scenario(
            torrent_size=args.size, piece_size=args.piece_size, file_count=args.files, content_seed=index,
            seeders=args.seeders, leechers=args.leechers, connections_per_leecher=args.connections,
            pipeline=32, churn_per_s=args.churn, rate_limit=args.rate_limit, storage="files", data_dir=str(data_dir), keep_data=True,
            backend=args.backend, base_port=base, seed=index, timeout_s=args.round_timeout,
            connect_to=[f"127.0.0.1:{ls.port}" for ls in listeners])
        controls = swarmbench.Controls()
        run = swarmbench.start(scenario, controls=controls, output_dir=str(round_dir))
        stop = threading.Event()
        loader = threading.Thread(target=hostile_load,
                                  args=([base + i for i in range(args.seeders)], torrent.info_hash, pieces,
                                        args.hostile_per_s, tally, stop, rng), daemon=True)
        loader.start()
        started = time.monotonic()
        next_fault = started + 0.5
        flip = 0
        try:
            while not run.wait_ended(0.1):
                rnd.rss_peak = max(rnd.rss_peak, rss_bytes(trim=False))
                if time.monotonic() >= next_fault:
                    next_fault += 2.0
                    flip += 1
                    controls.inject(swarmbench.Fault("corrupt", count=4) if flip % 2
                                    else swarmbench.Fault("drop", count=max(1, args.connections // 2)))
                    rnd.faults_injected += 1
        finally:
            stop.set()
            loader.join(30)
        r = run.result(check=False)
    finally:
        for ls in listeners:
            ls.close()
    rnd.seconds = time.monotonic() - started
    w = r.summary.get("swarm", {})
    rnd.status = r.status
    rnd.connections = len(r.peers)
    rnd.disconnects = int(w.get("disconnects", 0))
    rnd.protocol_errors = int(w.get("protocol_errors", 0))
    rnd.hash_failures = int(w.get("hash_failures", 0))
    rnd.pieces_verified = int(w.get("pieces_verified", 0))
    fail = rnd.failures.append
    if r.status == "failed" and any("in use" in e for e in r.errors):
        rnd.status = "port_in_use"  # another process took a port between the check and the run: retried
        return rnd
    if not r.ok:
        fail(f"round {index}: run {r.status}: {'; '.join(r.errors) or 'no error given'}")
    if w.get("leechers_complete") != args.leechers:
        fail(f"round {index}: {w.get('leechers_complete')} of {args.leechers} leechers complete")
    if rnd.pieces_verified < args.leechers * pieces:
        fail(f"round {index}: {rnd.pieces_verified} pieces verified, want >= {args.leechers * pieces}")
    # Every leecher's files, piece by piece: a corrupt block must never outlive its hash check.
    for i in range(1, args.leechers + 1):
        ldir = data_dir / f"leecher-{i:02}"
        try:
            rep = bt.verify_content(torrent, ldir)
        except Exception as e:  # noqa: BLE001 - named in the failure
            fail(f"round {index}: leecher-{i:02}: cannot verify {ldir}: {e}")
            continue
        if rep.bad_pieces:
            fail(f"round {index}: leecher-{i:02}: {rep.bad_pieces} bad pieces on disk "
                 f"(first {rep.first_bad_piece} in {rep.first_bad_files})")
    shutil.rmtree(data_dir, ignore_errors=True)
    # The results folder: complete and the same when read back.
    for name in ("results.json", "timeseries.csv"):
        if not (round_dir / name).is_file():
            fail(f"round {index}: {round_dir / name} missing")
    if not list(round_dir.glob("*.png")):
        fail(f"round {index}: no graphs in {round_dir}")
    try:
        back = swarmbench.load_results(round_dir)
        if back.summary.get("swarm", {}).get("pieces_verified") != rnd.pieces_verified:
            fail(f"round {index}: results.json read back with a different summary")
        if back.rows < 1:
            fail(f"round {index}: timeseries.csv read back with no rows")
    except Exception as e:  # noqa: BLE001
        fail(f"round {index}: results folder does not read back: {e}")
    if not args.keep_rounds and not rnd.failures:
        shutil.rmtree(round_dir, ignore_errors=True)
    return rnd


# ---------------------------------------------------------------------------
# the soak
# ---------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seconds", type=float, help="soak this long (default 150)")
    p.add_argument("--minutes", type=float, help="soak this long")
    p.add_argument("--backend", default="auto", help="auto | io_uring | epoll")
    p.add_argument("--size", type=parse_size, default=parse_size("64MiB"), help="torrent size per round")
    p.add_argument("--piece-size", type=parse_size, default=parse_size("64KiB"))
    p.add_argument("--files", type=int, default=3)
    p.add_argument("--seeders", type=int, default=4)
    p.add_argument("--leechers", type=int, default=4)
    p.add_argument("--connections", type=int, default=16, help="connections per leecher")
    p.add_argument("--rate-limit", type=parse_size, default=parse_size("512KiB"),
                   help="bytes per second a seeder sends on one connection (stretches a round to ~10 s)")
    p.add_argument("--churn", type=float, default=40, help="connections dropped and re-made per second")
    p.add_argument("--hostile-per-s", type=float, default=30, help="hostile connections per second to the seeders")
    p.add_argument("--rss-growth-mib", type=float, default=64,
                   help="allowed resident-memory growth from the end of round 1 to the end (MiB)")
    p.add_argument("--round-timeout", type=float, default=300, help="a round's run timeout (s)")
    p.add_argument("--out", type=Path, help="folder for soak.json and failed rounds (default: a temporary one)")
    p.add_argument("--keep-rounds", action="store_true", help="keep every round's results folder")
    p.add_argument("--json", action="store_true", help="also print soak.json to stdout")
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args(argv)
    thread_errors: list[str] = []
    threading.excepthook = lambda a: thread_errors.append(f"{a.thread.name if a.thread else '?'}: {a.exc_type.__name__}: {a.exc_value}")
    if args.seconds is not None and args.minutes is not None:
        p.error("give --seconds or --minutes, not both")
    total_s = args.seconds if args.seconds is not None else (args.minutes or 2.5) * 60
    if total_s <= 0:
        p.error("the soak time must be positive")

    if args.backend != "auto":
        known = {b["name"]: b for b in swarmbench.backends()}
        b = known.get(args.backend)
        if b is None:
            p.error(f"--backend: unknown backend {args.backend!r} (one of auto, {', '.join(known)})")
        if not b["available"]:
            print(f"soak: skipped: backend {args.backend} is not available here: {b['reason']}")
            return 77
    out = args.out or Path(tempfile.mkdtemp(prefix="swarmbench-soak-"))
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(args.seed)
    tally = HostileTally()
    rounds: list[Round] = []
    fds_before, rss_before = open_fds(), rss_bytes()
    started = time.monotonic()
    retries = 0
    print(f"soak: {total_s:.0f} s, rounds of {args.size >> 20} MiB x {args.leechers} leechers x "
          f"{args.connections} connections, churn {args.churn}/s, hostile {args.hostile_per_s}/s, "
          f"backend {args.backend}; out {out}", flush=True)
    while time.monotonic() - started < total_s and retries < 5:
        rnd = run_round(len(rounds) + 1, args, out, rng, tally)
        if rnd.status == "port_in_use":
            retries += 1
            continue
        rnd.rss_after, rnd.fds_after = rss_bytes(), open_fds()
        rounds.append(rnd)
        print(f"  round {rnd.index}: {rnd.status} in {rnd.seconds:.1f} s, {rnd.connections} connections, "
              f"{rnd.disconnects} drops, {rnd.protocol_errors} protocol errors, {rnd.hash_failures} hash failures, "
              f"fds {rnd.fds_after}, rss {rnd.rss_after / 2**20:.0f} MiB"
              + ("" if not rnd.failures else " -- FAILED"), flush=True)
        for f in rnd.failures:
            print(f"    {f}", flush=True)
    elapsed = time.monotonic() - started

    failures = [f for r in rounds for f in r.failures]
    failures += [f"soak thread failed: {e}" for e in thread_errors[:5]]
    if not rounds:
        failures.append("no round ran")
    else:
        first = rounds[0]
        for r in rounds[1:]:
            if r.fds_after != first.fds_after:
                failures.append(f"open file descriptors {first.fds_after} after round 1, {r.fds_after} after round {r.index}")
        growth = rounds[-1].rss_after - first.rss_after
        if growth > args.rss_growth_mib * 2**20:
            failures.append(f"resident memory grew {growth / 2**20:.1f} MiB from round 1 to round {rounds[-1].index} "
                            f"(bound {args.rss_growth_mib} MiB)")
        if sum(r.hash_failures for r in rounds) == 0:
            failures.append("no hash failure in the whole soak: the corrupt faults and the liar did not reach a hash check")
        if tally.listener_accepts.get("liar", 0) == 0:
            failures.append("the leechers never dialled the lying peer")
        if sum(r.protocol_errors for r in rounds) == 0:
            failures.append("no protocol error in the whole soak: the hostile peers were not seen")
    with tally.lock:
        for kind in PROTOCOL_BREAKING:
            tried, closed = tally.attempts.get(kind, 0), tally.closed_by_seeder.get(kind, 0)
            if tried and closed < tried:
                failures.append(f"hostile {kind}: the seeders closed {closed} of {tried} connections within 5 s")
        if rounds and sum(tally.attempts.values()) == 0:
            failures.append("no hostile connection was made")

    report: dict[str, Any] = {
        "seconds": round(elapsed, 1), "backend": args.backend, "rounds": len(rounds),
        "connections": sum(r.connections for r in rounds), "disconnects": sum(r.disconnects for r in rounds),
        "protocol_errors": sum(r.protocol_errors for r in rounds),
        "hash_failures": sum(r.hash_failures for r in rounds),
        "pieces_verified": sum(r.pieces_verified for r in rounds),
        "faults_injected": sum(r.faults_injected for r in rounds),
        "hostile_connections": dict(tally.attempts), "hostile_closed_by_seeder": dict(tally.closed_by_seeder),
        "hostile_listener_accepts": dict(tally.listener_accepts),
        "fds_before": fds_before, "fds_after_round_1": rounds[0].fds_after if rounds else None,
        "fds_end": open_fds(), "rss_before_mib": round(rss_before / 2**20, 1),
        "rss_after_round_1_mib": round(rounds[0].rss_after / 2**20, 1) if rounds else None,
        "rss_end_mib": round(rss_bytes() / 2**20, 1),
        "rss_peak_mib": round(max((r.rss_peak for r in rounds), default=0) / 2**20, 1),
        "rss_growth_bound_mib": args.rss_growth_mib,
        "failures": failures,
        "per_round": [{k: v for k, v in r.__dict__.items()} for r in rounds],
    }
    (out / "soak.json").write_text(json.dumps(report, indent=2))
    if args.json:
        print(json.dumps(report, indent=2))
    hostile = sum(tally.attempts.values()) + sum(tally.listener_accepts.values())
    print(f"soak: {len(rounds)} rounds in {elapsed:.0f} s; {report['connections']} connections, "
          f"{report['disconnects']} drops, {hostile} hostile connections, {report['protocol_errors']} protocol errors, "
          f"{report['hash_failures']} hash failures, {report['pieces_verified']} pieces verified; "
          f"fds {report['fds_after_round_1']} -> {report['fds_end']}, rss {report['rss_after_round_1_mib']} -> "
          f"{report['rss_end_mib']} MiB (peak {report['rss_peak_mib']}); {out / 'soak.json'}")
    for f in failures:
        print(f"FAIL: {f}", file=sys.stderr)
    print("soak: " + ("every check held" if not failures else f"{len(failures)} check(s) failed"))
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
