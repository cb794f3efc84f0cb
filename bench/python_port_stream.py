#!/usr/bin/env python3
"""The low-level Python API against native C++ on the same loopback stream.

    python3 bench/python_port_stream.py                      # N = 8 and 64, every backend, 5 s, median of 3
    python3 bench/python_port_stream.py --connections 64 --seconds 3 --backends epoll
    python3 bench/python_port_stream.py --one python --connections 8 --backend io_uring   # one run, JSON
    python3 bench/run.py --only python                       # the same figures inside the bench suite

Both sides run N one-way TCP streams over 127.0.0.1 in ONE engine context
(one thread), with 16 KiB operations (--bytes-per-op): each sender keeps one
send of the same unchanging block in flight, each receiver one recv into one
shared discard block, exactly what `swarmbench stream --threads 1
--bytes-per-op 16KiB --sends-in-flight 1` does in C++. The Python side drives
a swarmbench.port.Port: every completion comes back through Port.wait() in
batches (GIL released while waiting) and is restarted with Port.resubmit().
Goodput is payload bytes received per second over the measured window after
every connection is up; CPU is each process's own. Native and Python runs
are interleaved (drift on a shared machine hits both alike) and the median of
--repeat runs is shown, with python/native (target >= 0.5x).

Needs the release build with the Python module (bash scripts/setup.sh):
build/release/app/cli/swarmbench and build/release/python (or --build DIR).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEND, RECV, ACCEPT, CONNECT = 1, 2, 3, 4


def use_build(build: Path) -> None:
    """Puts the build tree's package first on sys.path (and PYTHONPATH for children)."""
    pkg = str(build / "python")
    if pkg not in sys.path:
        sys.path.insert(0, pkg)
    os.environ["PYTHONPATH"] = pkg + os.pathsep + os.environ.get("PYTHONPATH", "")


def self_cpu() -> float:
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


def python_stream(connections: int, seconds: float, backend: str, bytes_per_op: int) -> dict:
    """N streams through swarmbench.port in this process; returns goodput and CPU."""
    from swarmbench import port

    with port.Port(backend) as p:
        listener = p.listen(("127.0.0.1", 0), backlog=max(128, connections))
        accept = p.accept(listener, multishot=True, tag=ACCEPT)
        senders = [p.tcp_socket() for _ in range(connections)]
        for s in senders:
            p.connect(s, listener.local_address, timeout=10, tag=CONNECT)
        receivers: list[port.Socket] = []
        connected = 0
        deadline = time.monotonic() + 30
        while connected < connections or len(receivers) < connections:
            if time.monotonic() > deadline:
                raise RuntimeError(f"only {connected} connected, {len(receivers)} accepted in 30 s")
            for c in p.wait(timeout=1):
                if c.error is not None:
                    raise OSError(c.error, c.message)
                if c.tag == ACCEPT:
                    assert c.socket is not None
                    receivers.append(c.socket)
                else:
                    connected += 1
        p.cancel(accept)
        while accept.pending:
            p.wait(timeout=1)

        block = bytes(bytes_per_op)      # read by every send, never changed
        sink = bytearray(bytes_per_op)   # written by every recv, never read
        for r in receivers:
            p.recv(r, sink, tag=RECV)
        for s in senders:
            p.send(s, block, tag=SEND)

        wait, resubmit, clock = p.wait, p.resubmit, time.monotonic
        received, cpu0, start = 0, self_cpu(), clock()
        end = start + seconds
        now = start
        while now < end:
            for c in wait(1, end - now):
                if c.error is not None:
                    raise OSError(c.error, c.message)
                if c.tag == RECV:
                    if c.result == 0:
                        raise ConnectionError("a stream closed early")
                    received += c.result
                resubmit(c.op)
            now = clock()
        elapsed = now - start
        cpu = self_cpu() - cpu0
    return {"goodput": received / elapsed, "cpu_s": cpu, "bytes": received, "seconds": elapsed}


def native_stream(swarmbench: str, connections: int, seconds: float, backend: str, bytes_per_op: int) -> dict:
    """The same streams in C++: `swarmbench stream --threads 1`."""
    cmd = [swarmbench, "stream", "--connections", str(connections), "--seconds", str(seconds),
           "--bytes-per-op", str(bytes_per_op), "--sends-in-flight", "1", "--threads", "1",
           "--backend", backend, "--json", "--no-progress"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 120)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.strip()[-400:]}")
    s = json.loads(proc.stdout)["summary"]
    return {"goodput": s["goodput_bytes_per_s"], "cpu_s": s.get("cpu_seconds") or 0, "bytes": s.get("bytes") or 0}


def one_run(kind: str, connections: int, seconds: float, backend: str, bytes_per_op: int, build: Path) -> dict:
    """One run in a child process (so each side's CPU is its own); figures as a dict."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--one", kind, "--connections", str(connections),
           "--seconds", str(seconds), "--backend", backend, "--bytes-per-op", str(bytes_per_op),
           "--build", str(build)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 180)
    if proc.returncode != 0:
        raise RuntimeError(f"{kind} stream run failed ({proc.returncode}): {proc.stderr.strip()[-600:]}")
    return json.loads(proc.stdout)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--connections", type=int, nargs="+", default=[8, 64])
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--bytes-per-op", type=int, default=16 * 1024)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--backends", nargs="+", default=None, help="default: every backend that runs here")
    ap.add_argument("--backend", default="auto", help="with --one")
    ap.add_argument("--one", choices=["python", "native"], help="one run of one side, figures as JSON on stdout")
    ap.add_argument("--build", type=Path, default=ROOT / "build/release", help="build tree (default build/release)")
    args = ap.parse_args()
    use_build(args.build)
    swarmbench = str(args.build / "app/cli/swarmbench")

    if args.one:
        n = args.connections[0]
        if args.one == "python":
            fig = python_stream(n, args.seconds, args.backend, args.bytes_per_op)
        else:
            fig = native_stream(swarmbench, n, args.seconds, args.backend, args.bytes_per_op)
        print(json.dumps(fig))
        return 0

    from swarmbench import port

    backends = args.backends or port.available_backends()
    print(f"loopback stream, {args.bytes_per_op // 1024} KiB operations, one context per side, "
          f"{args.seconds} s, median of {args.repeat} interleaved runs (target python >= 0.5x native)")
    print(f"{'backend':>9} {'N':>4} {'native':>11} {'python':>11} {'python/native':>14} "
          f"{'CPU/GiB native':>15} {'CPU/GiB python':>15}")
    for b in backends:
        for n in args.connections:
            samples: dict[str, list[dict]] = {"native": [], "python": []}
            for _ in range(args.repeat):
                for kind in ("native", "python"):
                    samples[kind].append(one_run(kind, n, args.seconds, b, args.bytes_per_op, args.build))
            med = {k: statistics.median(s["goodput"] for s in v) for k, v in samples.items()}
            cpu = {k: statistics.median(s["cpu_s"] / (s["bytes"] / 2**30) for s in v if s["bytes"])
                   for k, v in samples.items()}
            print(f"{b:>9} {n:>4} {med['native'] / 1e9:>6.2f} GB/s {med['python'] / 1e9:>6.2f} GB/s "
                  f"{med['python'] / med['native']:>13.2f}x {cpu['native']:>13.2f} s {cpu['python']:>13.2f} s",
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
