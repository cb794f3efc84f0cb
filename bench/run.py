#!/usr/bin/env python3
"""Side-by-side benchmarks: swarmbench against the reference tools, in one run.

    python3 bench/run.py                # full run (about 8 minutes)
    python3 bench/run.py --quick        # short durations, for a smoke check
    python3 bench/run.py --only stream  # one group: stream, disk, connections

Needs a release build (bash scripts/setup.sh) plus iperf3 and fio (both in
scripts/debian-packages.txt). Prints one table per group with ratios
(swarmbench / reference; io_uring / epoll) and writes bench/results/latest.json.
Targets (issue 2): stream >= 0.9x iperf3 at every N; disk >= 0.9x fio;
10,000 connections all established at <= 8 KiB per connection beyond socket buffers.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def find_swarmbench() -> str:
    for candidate in (ROOT / "build/release/app/cli/swarmbench", shutil.which("swarmbench")):
        if candidate and Path(candidate).exists():
            return str(candidate)
    sys.exit("swarmbench not built: run `bash scripts/setup.sh` first")


def need(tool: str) -> str:
    path = shutil.which(tool)
    if not path:
        sys.exit(f"{tool} not found: install it (it is listed in scripts/debian-packages.txt)")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port: int, seconds: float = 10) -> None:
    """Waits until something listens on 127.0.0.1:port, without connecting to it
    (a probe connection would count as iperf3's one `-1` client)."""
    deadline = time.monotonic() + seconds
    want = f":{port:04X}"
    while time.monotonic() < deadline:
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            try:
                for line in open(table).readlines()[1:]:
                    fields = line.split()
                    if fields[1].endswith(want) and fields[3] == "0A":
                        return
            except OSError:
                pass
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port} after {seconds} s")


def run_json(cmd: list[str], timeout: float) -> dict:
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.strip()[-400:]}")
    return json.loads(proc.stdout)


def swarmbench(args: list[str], backend: str, timeout: float) -> dict:
    return run_json([SWARMBENCH, *args, "--backend", backend, "--json"], timeout)


def iperf3(streams: int, seconds: float) -> dict:
    port = free_port()
    server = subprocess.Popen([need("iperf3"), "-s", "-1", "-B", "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_listening(port)
        doc = run_json([need("iperf3"), "-c", "127.0.0.1", "-p", str(port), "-P", str(streams),
                        "-t", str(seconds), "-J"], timeout=seconds + 30)
    finally:
        server.kill()
        server.wait()
    end = doc["end"]
    cpu = end.get("cpu_utilization_percent", {})
    return {"goodput_bytes_per_s": end["sum_received"]["bits_per_second"] / 8,
            "cpu_percent_client": cpu.get("host_total"), "cpu_percent_server": cpu.get("remote_total")}


def fio(size: str, block: str, depth: int, direct: bool, workdir: Path) -> dict:
    target = workdir / "fio.dat"
    cmd = [need("fio"), "--name=swarm", "--ioengine=io_uring", "--rw=randwrite", f"--bs={block}",
           f"--iodepth={depth}", f"--size={size}", f"--filename={target}", "--output-format=json",
           f"--direct={1 if direct else 0}"]
    doc = run_json(cmd, timeout=600)
    target.unlink(missing_ok=True)
    job = doc["jobs"][0]
    return {"goodput_bytes_per_s": job["write"]["bw_bytes"],
            "cpu_seconds": (job["usr_cpu"] + job["sys_cpu"]) / 100 * job["job_runtime"] / 1000}


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b else "n/a"


def gbps(v: float) -> str:
    return f"{v / 1e9:.2f} GB/s"


def bench_stream(args, backends, results):
    rows = []
    for n in args.streams:
        samples = {k: [] for k in ["iperf3", *backends, *(b + "_cpu_s" for b in backends)]}
        for _ in range(args.repeat):  # interleaved, so drift hits every tool alike
            samples["iperf3"].append(iperf3(n, args.seconds)["goodput_bytes_per_s"])
            for b in backends:
                doc = swarmbench(["stream", "--connections", str(n), "--seconds", str(args.seconds)], b,
                                 timeout=args.seconds + 60)
                samples[b].append(doc["summary"]["goodput_bytes_per_s"])
                samples[b + "_cpu_s"].append(doc["summary"].get("cpu_seconds") or 0)
        rows.append({"connections": n, **{k: statistics.median(v) for k, v in samples.items()},
                     "samples": samples})
    results["stream"] = rows
    print(f"\n(a) stream vs iperf3 -P N, loopback, {args.seconds} s each, median of {args.repeat} "
          "(target >= 0.9x iperf3)")
    head = f"{'N':>5} {'iperf3':>11}" + "".join(f" {b:>11} {b + '/iperf3':>15}" for b in backends)
    if len(backends) == 2:
        head += f" {'io_uring/epoll':>15}"
    print(head)
    for r in rows:
        line = f"{r['connections']:>5} {gbps(r['iperf3']):>11}"
        for b in backends:
            line += f" {gbps(r[b]):>11} {ratio(r[b], r['iperf3']):>15}"
        if len(backends) == 2:
            line += f" {ratio(r[backends[0]], r[backends[1]]):>15}"
        print(line)


def bench_disk(args, backends, results):
    rows = []
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        for direct in (False, True):
            samples = {k: [] for k in ["fio", "fio_cpu_s", *backends, *(b + "_cpu_s" for b in backends)]}
            for _ in range(args.repeat):  # interleaved; each run starts with no dirty pages
                os.sync()
                ref = fio(args.disk_size, "16k", args.queue_depth, direct, Path(tmp))
                samples["fio"].append(ref["goodput_bytes_per_s"])
                samples["fio_cpu_s"].append(ref["cpu_seconds"])
                for b in backends:
                    cmd = ["disk", "--size", args.disk_size, "--block", "16KiB", "--queue-depth",
                           str(args.queue_depth), "--dir", tmp]
                    if direct:
                        cmd.append("--direct")
                    os.sync()
                    doc = swarmbench(cmd, b, timeout=600)
                    samples[b].append(doc["summary"]["goodput_bytes_per_s"])
                    samples[b + "_cpu_s"].append(doc["summary"].get("cpu_seconds") or 0)
            rows.append({"direct": direct, **{k: statistics.median(v) for k, v in samples.items()},
                         "samples": samples})
    results["disk"] = rows
    print(f"\n(b) disk vs fio --ioengine=io_uring --rw=randwrite --bs=16k --iodepth={args.queue_depth} "
          f"--size={args.disk_size}, median of {args.repeat} (target >= 0.9x fio)")
    head = f"{'mode':>9} {'fio':>11}" + "".join(f" {b:>11} {b + '/fio':>13}" for b in backends)
    if len(backends) == 2:
        head += f" {'io_uring/epoll':>15}"
    print(head)
    for r in rows:
        line = f"{'direct' if r['direct'] else 'buffered':>9} {gbps(r['fio']):>11}"
        for b in backends:
            line += f" {gbps(r[b]):>11} {ratio(r[b], r['fio']):>13}"
        if len(backends) == 2:
            line += f" {ratio(r[backends[0]], r[backends[1]]):>15}"
        print(line)


def bench_connections(args, backends, results):
    """Two processes (a listener and a sender), so each needs only N descriptors:
    in one process N loopback connections cost 2N, past many default hard limits."""
    rows = []
    for b in backends:
        port = free_port()
        listener = subprocess.Popen([SWARMBENCH, "stream", "--listen", f"127.0.0.1:{port}", "--connections",
                                     str(args.connections), "--seconds", "120", "--backend", b, "--json",
                                     "--no-progress"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            wait_listening(port)
            doc = swarmbench(["stream", "--target", f"127.0.0.1:{port}", "--connections", str(args.connections),
                              "--seconds", "1", "--no-progress"], b, timeout=300)
            out, err = listener.communicate(timeout=120)
            if listener.returncode != 0:
                raise RuntimeError(f"listener failed ({listener.returncode}): {err.strip()[-400:]}")
            listen_doc = json.loads(out)
        finally:
            if listener.poll() is None:
                listener.kill()
                listener.wait()
        c, lc = doc["summary"], listen_doc["summary"]
        rows.append({"backend": b, "requested": args.connections, "established": c["connections_established"],
                     "accepted": lc["connections_accepted"], "connect_seconds": c["connect_seconds"],
                     "connect_rate_per_s": c["connect_rate_per_s"],
                     "rss_bytes_per_connection": c["rss_bytes_per_connection"],
                     "listener_rss_bytes_per_connection": lc.get("rss_bytes_per_connection")})
    results["connections"] = rows
    print(f"\n(c) {args.connections} concurrent loopback connections, sender and listener in two processes "
          "(target: all established, <= 8 KiB per connection beyond kernel socket buffers)")
    print(f"{'backend':>9} {'established':>12} {'accepted':>9} {'set-up s':>9} {'conn/s':>9} {'RSS/conn':>10}")
    for r in rows:
        print(f"{r['backend']:>9} {r['established']:>12} {r['accepted']:>9} {r['connect_seconds']:>9.3f} "
              f"{r['connect_rate_per_s']:>9.0f} {r['rss_bytes_per_connection'] / 1024:>8.2f}Ki")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="short runs (2 s streams, 256 MiB disk, 2,000 connections)")
    p.add_argument("--only", choices=["stream", "disk", "connections"], action="append")
    p.add_argument("--seconds", type=float, default=5.0)
    p.add_argument("--repeat", type=int, default=3, help="runs per figure, interleaved; the median is shown")
    p.add_argument("--streams", type=int, nargs="+", default=[1, 8, 64, 128])
    p.add_argument("--disk-size", default="1GiB")
    p.add_argument("--queue-depth", type=int, default=32)
    p.add_argument("--connections", type=int, default=10000)
    p.add_argument("--workdir", default=os.environ.get("TMPDIR", "/var/tmp"))
    p.add_argument("--backends", nargs="+", default=["io_uring", "epoll"])
    args = p.parse_args()
    if args.quick:
        args.seconds, args.disk_size, args.connections, args.repeat = 2.0, "256MiB", 2000, 1
    global SWARMBENCH
    SWARMBENCH = find_swarmbench()
    groups = args.only or ["stream", "disk", "connections"]
    results = {"machine": {"kernel": platform.release(), "cores": os.cpu_count(),
                           "cpu": next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
                                        if l.startswith("model name")), "unknown")},
               "args": vars(args)}
    for g in groups:
        {"stream": bench_stream, "disk": bench_disk, "connections": bench_connections}[g](args, args.backends, results)
    out = ROOT / "bench/results/latest.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(f"\nwrote {out.relative_to(ROOT)}")
    return 0


SWARMBENCH = ""
if __name__ == "__main__":
    sys.exit(main())
