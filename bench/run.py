#!/usr/bin/env python3
"""Side-by-side benchmarks: swarmbench against the reference tools, in one run.

    python3 bench/run.py                # full run (about 8 minutes, plus about 6 for swarm, 3 for memory)
    python3 bench/run.py --quick        # short durations, for a smoke check
    python3 bench/run.py --only stream  # one group: stream, disk, connections, swarm, memory, app, python, clients, links
    python3 bench/run.py --only clients --clients-size 128MiB   # a quick look at the clients group
    python3 bench/run.py --only swarm --baseline OLD   # new vs an older swarmbench binary (below)

Needs a release build (bash scripts/setup.sh) plus iperf3, fio and, for the swarm
group, python3-libtorrent (all in scripts/debian-packages.txt); the clients group sets
up its own reference tool (scripts/bench-deps-clients.sh). Every figure is the
median of --repeat runs (default 3), the tools interleaved so that drift on a shared
machine hits them alike. Prints one table per group with ratios (swarmbench /
reference; io_uring / epoll) and writes bench/results/latest.json (a run with --only
replaces that group's entry and keeps the others; --results names another file).
--swarmbench PATH measures that binary instead of the release build; binaries are
copied at the start, so a rebuild during the run neither breaks nor changes it.

Old against new (--baseline PATH, groups swarm and memory): every swarmbench run is also
made with the baseline binary, right after the new one in the same repeat loop, and a
second table shows new vs old per row and backend with new/old ratios (swarm: goodput and
CPU-s/GiB, median of 5 unless --repeat; target: goodput >= 0.95x old and CPU-s/GiB
<= 1.05x old, "within 5%, or better"). latest.json holds both, the old under
`<backend>_baseline`. Without --baseline the output is as before.

Targets (issue 2): stream >= 0.9x iperf3 at every N; disk >= 0.9x fio;
10,000 connections all established at <= 8 KiB per connection beyond socket buffers.
Targets (issue 3, group swarm; each swarm figure on io_uring and on epoll):
  discard    the swarm without disks, 2 leechers x 64 connections = 128, for --seconds,
             >= 0.9x one `iperf3 -P 128` pair (iperf3's cap) for as long;
  disk_only  the swarm's write pattern without sockets (4 leechers x 1 GiB, 16 KiB
             blocks, 1024 in flight per leecher, buffered, preallocated) >= 0.9x fio
             with --numjobs=4 --size=1G --bs=16k --rw=randwrite --iodepth=1024;
  files      the default `swarmbench run` (4 seeders, 4 leechers x 64 connections, files
             and SHA-1; it moves 4 x 1 GiB) >= 3x the goodput of libtorrent seeding the
             same 1 GiB (256 KiB pieces) to libtorrent over loopback (bench/libtorrent_pair.py).
CPU seconds per GiB of payload are shown for every tool (all its processes: iperf3
client and server, fio and its workers, both libtorrent sessions).
Targets (issue 4, group app; needs swarmbench-gui and Xvfb): the default swarm with
  4 leechers x 250 connections = 1,000, run by the desktop app under Xvfb (software GL)
  with the peers table open: frame build time p99 < 16 ms (`ui`: CPU work of a frame;
  `ui+gl` adds software rendering, glFinish), and the app's goodput within 5% of the
  same scenario run by `swarmbench run` (median of --repeat, interleaved).
Target (issue 5, group python; needs the Python module in the build): a loopback stream
  driven through the low-level Python API (swarmbench.port, bench/python_port_stream.py)
  >= 0.5x the same stream in C++ (`swarmbench stream --threads 1`), 16 KiB operations,
  N = 8 and 64, one engine context on each side.
Targets (group memory): resident memory per swarm connection. `swarmbench run --storage
  discard --pipeline 16`, 4 seeders, 4 leechers sharing 64 / 1,000 / 2,000 / 10,000
  connections (--memory-connections). RSS slope (RSS at 10,000 - RSS at 64) / (10,000 -
  64) <= 8 KiB per connection; goodput at 2,000 >= 0.8x goodput at 64. Each run is
  stopped (SIGINT) --memory-seconds (5) after its samples show every connection up (or
  the last before none came up for as long; the table shows how many). Peak RSS is the
  process's high-water mark (VmHWM via wait4, every buffer counted); goodput and CPU-s/GiB
  are those of the measured seconds. If the largest row's RSS still rises by more than 1
  KiB per connection per second at the end, the slope target is not met (a longer
  --memory-seconds comes closer to the steady state). A table per row and binary/backend,
  and a graph of peak RSS against connections, bench/results/memory.svg. Both ends of a
  row in one process need 2N + 64 descriptors: the group raises RLIMIT_NOFILE, and where
  the hard limit cannot rise (no CAP_SYS_RESOURCE) runs every row as two processes of one
  swarm (seeders_at, swarm_id: the seeders in one, the leechers in the other, one engine
  context each, peaks summed; --memory-processes forces either form). The --baseline
  binary predates the split: its rows that do not fit one process are skipped, and say so.
Group clients (issue 17; no target yet, a comparison): libtorrent as the client, against
  libtorrent's own fake-peer tool examples/connection_tester (built from Debian's
  libtorrent-rasterbar source package by scripts/bench-deps-clients.sh, which run.py calls
  when build/bench-deps/connection_tester is missing; it also installs
  libtorrent-rasterbar-dev). One libtorrent session (bench/libtorrent_session.py, the
  settings of bench/libtorrent_pair.py) on loopback; the torrent and its files come from
  connection_tester (gen-torrent, gen-data: --clients-size, 1 MiB pieces, 4 files).
  upload    `connection_tester upload -c N` vs `swarmbench upload --connections N --data DIR`:
            libtorrent downloads into a fresh folder each run; rate = bytes / (tool started
            -> libtorrent seeding);
  download  libtorrent seeds the files; `connection_tester download -c N` vs `swarmbench
            download --connections N --storage discard`, each of the N peers taking it all;
            rate = N x bytes / (tool started -> tool exited).
  N = --clients-connections (8); median of 5 unless --repeat; CPU seconds per GiB of the
  fake peers' process (its rusage) and of the libtorrent session.
Targets (issue 21, group links; docs/links.md): (a) one connection through a link of round
  trip R with P requests in flight, goodput against the window bound P x 16 KiB / R for R in
  --links-rtts and P in --links-pipelines, a table and bench/results/links.svg; (b) 1,000
  connections moving data through links of 20 ms: delivered-minus-due of every held chunk,
  p99 <= 1 ms; (c) CPU-s/GiB of that swarm with links (1 ms) against without, <= 1.2x.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ports import free_port_range
from svg_chart import line_chart

ROOT = Path(__file__).resolve().parent.parent
BINARIES = tempfile.TemporaryDirectory(prefix="swarmbench-bench-bin-")  # copies of the binaries under test


def find_swarmbench(path: str | None = None) -> str:
    """A copy of the swarmbench binary to run (`path`, else the release build, else PATH's),
    so that a rebuild during the benchmark neither breaks nor changes it. A binary that is
    missing or does not run yet (being linked) is retried for a minute."""
    candidates = [Path(p) for p in ([path] if path else [ROOT / "build/release/app/cli/swarmbench",
                                                           shutil.which("swarmbench")]) if p]
    deadline = time.monotonic() + 60
    while True:
        for candidate in (c for c in candidates if c.is_file()):
            copy = Path(BINARIES.name) / str(len(os.listdir(BINARIES.name))) / candidate.name
            copy.parent.mkdir()
            shutil.copy2(candidate, copy)
            if subprocess.run([copy, "--version"], capture_output=True).returncode == 0:
                return str(copy)
        if time.monotonic() > deadline:
            sys.exit(f"{path} does not run" if path else "swarmbench not built: run `bash scripts/setup.sh` first")
        if deadline - time.monotonic() > 55:  # the first miss
            print(f"waiting up to a minute for {' or '.join(map(str, candidates))} (being rebuilt?)", flush=True)
        time.sleep(5)


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


EXIT_INTERRUPTED = 130  # swarmbench's exit code for a run stopped by SIGINT / SIGTERM (README)


def run_json(cmd: list[str], timeout: float) -> dict:
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.strip()[-400:]}")
    return json.loads(proc.stdout)


GIB = 2**30


def children_cpu() -> float:
    """CPU seconds of every child process reaped so far, and of their reaped children
    (fio's job processes, io_uring workers, iperf3's server): deltas around one tool's
    run give that tool's whole CPU."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def figures(goodput: float, cpu_s: float, payload_bytes: float, **more) -> dict:
    """One run's figures as interleave() collects them; `goodput` in bytes/s of payload."""
    return {"goodput": goodput, "cpu_s": cpu_s, "cpu_s_per_gib": cpu_s / (payload_bytes / GIB) if payload_bytes else None,
            **more}


def swarmbench(args: list[str], backend: str, timeout: float, binary: str = "") -> dict:
    return run_json([binary or SWARMBENCH, *args, "--backend", backend, "--json"], timeout)


def swarmbench_figures(args: list[str], backend: str, timeout: float) -> dict:
    """Figures of one swarmbench run; CPU is the process's own figure from its summary."""
    s = swarmbench(args, backend, timeout)["summary"]
    return figures(s["goodput_bytes_per_s"], s.get("cpu_seconds") or 0, s.get("bytes") or 0)


def iperf3(streams: int, seconds: float) -> dict:
    """One iperf3 client/server pair on loopback; CPU is both processes'."""
    port = free_port()
    cpu0 = children_cpu()
    server = subprocess.Popen([need("iperf3"), "-s", "-1", "-B", "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_listening(port)
        doc = run_json([need("iperf3"), "-c", "127.0.0.1", "-p", str(port), "-P", str(streams),
                        "-t", str(seconds), "-J"], timeout=seconds + 30)
        server.wait(timeout=10)  # `-1`: it exits after its one client
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    received = doc["end"]["sum_received"]
    return figures(received["bits_per_second"] / 8, children_cpu() - cpu0, received["bytes"])


def fio(size: str, block: str, depth: int, direct: bool, workdir: Path, jobs: int = 1) -> dict:
    """fio random writes into fresh files under workdir (removed after): `jobs` jobs of
    `size` each, summed (--group_reporting); CPU is fio's and all its workers'."""
    cmd = [need("fio"), "--name=swarm", "--ioengine=io_uring", "--rw=randwrite", f"--bs={block}",
           f"--iodepth={depth}", f"--size={size}", f"--directory={workdir}", f"--numjobs={jobs}",
           "--group_reporting", "--output-format=json", f"--direct={1 if direct else 0}"]
    cpu0 = children_cpu()
    try:
        doc = run_json(cmd, timeout=600)
    finally:
        for f in workdir.glob("swarm.*"):
            f.unlink()
    write = doc["jobs"][0]["write"]
    return figures(write["bw_bytes"], children_cpu() - cpu0, write["io_bytes"])


def interleave(repeat: int, runs: dict, before=None) -> dict:
    """Runs every function of `runs` (name -> function returning figures()) once per
    round, for `repeat` rounds, so that drift on a shared machine hits every tool alike;
    `before` runs ahead of each run. Returns the median of each figure, keyed by the
    name for goodput and name_figure otherwise (e.g. fio, fio_cpu_s), and the samples."""
    samples: dict[str, list[float]] = {}
    for _ in range(repeat):
        for name, run in runs.items():
            if before:
                before()
            for key, value in run().items():
                if value is not None:
                    samples.setdefault(name if key == "goodput" else f"{name}_{key}", []).append(value)
    return {**{k: statistics.median(v) for k, v in samples.items()}, "samples": samples}


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b else "n/a"


def gbps(v: float) -> str:
    return f"{v / 1e9:.2f} GB/s"


def bench_stream(args, backends, results):
    rows = []
    for n in args.streams:
        runs = {"iperf3": lambda: iperf3(n, args.seconds)}
        for b in backends:
            runs[b] = lambda b=b: swarmbench_figures(["stream", "--connections", str(n), "--seconds",
                                                      str(args.seconds)], b, timeout=args.seconds + 60)
        rows.append({"connections": n, **interleave(args.repeat, runs)})
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
            runs = {"fio": lambda: fio(args.disk_size, "16k", args.queue_depth, direct, Path(tmp))}
            cmd = ["disk", "--size", args.disk_size, "--block", "16KiB", "--queue-depth", str(args.queue_depth),
                   "--dir", tmp, *(["--direct"] if direct else [])]
            for b in backends:
                runs[b] = lambda b=b: swarmbench_figures(cmd, b, timeout=600)
            # each run starts with no dirty pages
            rows.append({"direct": direct, **interleave(args.repeat, runs, before=os.sync)})
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


def size_bytes(text: str) -> int:
    """'1GiB', '256MiB', '4096' -> bytes (binary units, as swarmbench reads them)."""
    units = {"KIB": 2**10, "MIB": 2**20, "GIB": 2**30, "K": 2**10, "M": 2**20, "G": 2**30}
    t = text.strip().upper()
    for suffix, factor in sorted(units.items(), key=lambda u: -len(u[0])):
        if t.endswith(suffix):
            return int(float(t[: -len(suffix)]) * factor)
    return int(t)


def swarm_run(extra: list[str], backend: str, tmp: Path, timeout: float, binary: str = "") -> dict:
    """One `swarmbench run` with its data and results folders in tmp, both removed after."""
    data, out = Path(tempfile.mkdtemp(dir=tmp, prefix="data-")), Path(tempfile.mkdtemp(dir=tmp, prefix="out-"))
    try:
        cmd = ["run", *extra, "--data-dir", str(data), "-o", str(out), "--no-graphs", "--no-progress",
               "--timeout", str(int(timeout))]
        s = swarmbench(cmd, backend, timeout=timeout + 60, binary=binary)["summary"]
    finally:
        shutil.rmtree(data, ignore_errors=True)
        shutil.rmtree(out, ignore_errors=True)
    if s.get("status") != "ok" or s.get("swarm", {}).get("hash_failures"):
        raise RuntimeError(f"swarmbench run {' '.join(extra)} on {backend}: status {s.get('status')}, "
                           f"{s.get('error_messages')}")
    sw = s["swarm"]
    return figures(s["goodput_bytes_per_s"], s.get("cpu_seconds") or 0, s.get("bytes") or 0,
                   completion_s=sw.get("completion_seconds") or None, leechers=sw.get("leechers"))


def libtorrent_python() -> str:
    """Debian's python3, which sees python3-libtorrent (a pyenv python3 first on PATH does not)."""
    for python in ("/usr/bin/python3", shutil.which("python3")):
        if python and subprocess.run([python, "-c", "import libtorrent"], capture_output=True).returncode == 0:
            return python
    sys.exit("libtorrent not importable: `apt-get install python3-libtorrent` (listed in scripts/debian-packages.txt)")


def libtorrent_pair(python: str, torrent: Path, seed_dir: Path, tmp: Path, timeout: float) -> dict:
    """libtorrent seeding the torrent from seed_dir to a second libtorrent session that
    downloads into a fresh folder (removed after); CPU is both sessions'."""
    download = Path(tempfile.mkdtemp(dir=tmp, prefix="libtorrent-"))
    try:
        doc = run_json([python, str(ROOT / "bench/libtorrent_pair.py"), "transfer", str(torrent), str(seed_dir),
                        str(download), "--timeout", str(timeout)], timeout=timeout + 60)
    finally:
        shutil.rmtree(download, ignore_errors=True)
    return figures(doc["goodput_bytes_per_s"], doc["cpu_seconds"], doc["bytes"],
                   steady=doc["steady_bytes_per_s"], completion_s=doc["seconds"])


def with_baseline(runs: dict, backends: list[str], baseline: str | None, run) -> dict:
    """`runs` (interleave()'s) plus run(backend, binary) on every backend, each followed
    with --baseline by the same on the baseline binary, named `<backend>_baseline`."""
    for b in backends:
        runs[b] = lambda b=b: run(b, SWARMBENCH)
        if baseline:
            runs[b + "_baseline"] = lambda b=b: run(b, baseline)
    return runs


def bench_swarm(args, backends, results):
    """Three rows, each the swarm on every backend beside one reference tool (and beside the
    --baseline binary); see the module docstring for the targets. Data goes to a temporary
    folder under --workdir (the same filesystem for every tool), removed at the end."""
    started, load = time.monotonic(), os.getloadavg()[0]
    repeat = 5 if args.baseline and args.repeat_default else args.repeat
    size = size_bytes(args.swarm_size)
    leechers, connections, pipeline = 4, 64, 16  # `swarmbench run` defaults, checked below
    for binary in filter(None, (SWARMBENCH, args.baseline_binary)):
        default = json.loads(subprocess.run([binary, "run", "--dump-scenario"], capture_output=True, text=True,
                                            check=True).stdout)
        if (default["leechers"], default["connections_per_leecher"], default["pipeline"]) != (leechers, connections,
                                                                                              pipeline):
            sys.exit(f"bench/run.py expects the default swarm of {leechers} leechers x {connections} connections, "
                     f"pipeline {pipeline}; `{binary} run --dump-scenario` shows otherwise: update bench_swarm")
    piece = default["piece_size"]
    need_bytes = (leechers + 2) * size + GIB // 2  # the files row beside the libtorrent seed, plus slack
    free = shutil.disk_usage(args.workdir).free
    if free < need_bytes:
        sys.exit(f"swarm benchmark needs {need_bytes / GIB:.1f} GiB free in {args.workdir} "
                 f"({free / GIB:.1f} GiB free): free some space or pass --workdir on a larger filesystem")
    python = libtorrent_python()
    timeout = 600.0
    size_flag = ["--size", args.swarm_size]
    rows = []
    with tempfile.TemporaryDirectory(dir=args.workdir, prefix="swarmbench-bench-") as tmp_name:
        tmp = Path(tmp_name)

        # 1. discard: network only, as long as iperf3 runs, same connection count
        streams = 2 * connections
        discard = ["--storage", "discard", "--leechers", "2", "--connections", str(connections), "--duration",
                   str(args.seconds)]
        runs = with_baseline({"iperf3": lambda: iperf3(streams, args.seconds)}, backends, args.baseline_binary,
                             lambda b, binary: swarm_run(discard, b, tmp, args.seconds + 120, binary))
        rows.append({"row": "discard", "reference": "iperf3", "target": 0.9,
                     "connections": streams, "seconds": args.seconds, **interleave(repeat, runs)})

        # 2. disk_only: the swarm's write pattern against fio's, one fio job per leecher
        depth = connections * pipeline
        fio_dir = tmp / "fio"
        fio_dir.mkdir()
        disk_only = ["--storage", "disk_only", *size_flag]
        runs = with_baseline({"fio": lambda: fio(str(size), "16k", depth, False, fio_dir, jobs=leechers)}, backends,
                             args.baseline_binary, lambda b, binary: swarm_run(disk_only, b, tmp, timeout, binary))
        rows.append({"row": "disk_only", "reference": "fio", "target": 0.9, "jobs": leechers,
                     "iodepth": depth, "bytes_per_job": size,
                     **interleave(repeat, runs, before=os.sync)})  # no dirty pages at the start

        # 3. files: the default swarm against libtorrent seeding the same content to libtorrent
        seed = tmp / "seed"
        swarmbench(["run", "--storage", "disk_only", "--leechers", "1", "--data-dir", str(seed), "--keep-data",
                    "--no-graphs", "--no-progress", "-o", str(tmp / "seed-results"), *size_flag], "auto", timeout)
        content = next((seed / "leecher-01").iterdir())
        torrent = tmp / "swarm.torrent"
        subprocess.run([python, str(ROOT / "bench/libtorrent_pair.py"), "create", str(content), str(torrent),
                        "--piece-size", str(piece)], check=True, timeout=timeout)
        runs = with_baseline({"libtorrent": lambda: libtorrent_pair(python, torrent, content.parent, tmp, timeout)},
                             backends, args.baseline_binary,
                             lambda b, binary: swarm_run(size_flag, b, tmp, timeout, binary))
        rows.append({"row": "files", "reference": "libtorrent", "target": 3.0, "leechers": leechers,
                     "bytes_per_leecher": size, "piece_size": piece,
                     **interleave(repeat, runs, before=os.sync)})
    elapsed = time.monotonic() - started
    results["swarm"] = {"rows": rows, "seconds": elapsed, "load_average_at_start": load,
                        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
                        **({"repeat": repeat, "swarmbench": args.swarmbench, "baseline": args.baseline}
                           if args.baseline else {})}
    print_swarm(args, backends, rows, size, elapsed, load, repeat)
    if args.baseline:
        print_swarm_baseline(args, backends, rows, repeat)


def print_swarm(args, backends, rows, size, elapsed, load, repeat):
    gib = f"{size / GIB:g} GiB" if size >= GIB else f"{size / 2**20:g} MiB"
    print(f"\n(d) swarm vs reference tools on loopback, median of {repeat}; one swarm line per backend; "
          "CPU = CPU seconds of all the tool's processes per GiB of payload")
    head = (f"{'row':<10} {'reference':<34} {'ref':>10} {'ref CPU':>8}  {'backend':<8} {'swarm':>10} "
            f"{'CPU':>8} {'ratio':>6} {'target':>7} {'met':>4}")
    print_head(head)
    describe = {
        "discard": lambda r: (f"iperf3 -P {r['connections']}, {r['seconds']:g} s",
                              f"swarm: 4 seeders, 2 leechers x 64 connections = {r['connections']}, "
                              f"storage discard, for {r['seconds']:g} s (--duration)"),
        "disk_only": lambda r: (f"fio {r['jobs']} jobs x {gib}, iodepth {r['iodepth']}",
                                f"swarm: disk_only, {r['jobs']} leechers x {gib}, 16 KiB writes, {r['iodepth']} "
                                "in flight per leecher, buffered, preallocated, no SHA-1; fio the same, "
                                "randwrite io_uring"),
        "files": lambda r: (f"libtorrent->libtorrent 1 x {gib}",
                            f"swarm: the default run, 4 seeders, {r['leechers']} leechers x 64 connections, "
                            f"files + SHA-1. It moves {r['leechers']} x {gib}; the libtorrent pair moves 1 x {gib}, "
                            "one connection"),
    }
    for r in rows:
        ref = r["reference"]
        ref_text, note = describe[r["row"]](r)
        for i, b in enumerate(backends):
            left = (f"{r['row']:<10} {ref_text:<34} {gbps(r[ref]):>10} {r[ref + '_cpu_s_per_gib']:>6.2f} s"
                    if i == 0 else " " * 65)
            met = "yes" if r[b] >= r["target"] * r[ref] else "no"
            print(f"{left}  {b:<8} {gbps(r[b]):>10} {r[b + '_cpu_s_per_gib']:>6.2f} s {ratio(r[b], r[ref]):>6} "
                  f"{'>= ' + format(r['target'], 'g') + 'x':>7} {met:>4}")
        print(f"{'':<10} {note}")
        figures_line = []
        if len(backends) == 2:
            figures_line.append(f"io_uring/epoll {ratio(r[backends[0]], r[backends[1]])}")
        if r["row"] == "files":
            figures_line.append(f"libtorrent steady state (10%..90%) {gbps(r['libtorrent_steady'])}")
            figures_line.append("per swarm leecher " + ", ".join(f"{b} {gbps(r[b] / r['leechers'])}"
                                                                 for b in backends))
        if figures_line:
            print(f"{'':<10} " + "; ".join(figures_line))
    print(f"swarm group took {elapsed / 60:.1f} min; load average {load:.2f} at its start on "
          f"{os.cpu_count()} cores (other work on the machine shares them)")


def print_head(head: str) -> None:
    """A table's column titles and a rule under them."""
    print(head)
    print("-" * len(head))


def print_swarm_baseline(args, backends, rows, repeat):
    """New against --baseline, row by row: the issue's 'within 5%, or better'."""
    print(f"\n(d2) swarm, this binary (new) vs --baseline {args.baseline} (old), each run beside the other, "
          f"median of {repeat}, interleaved (target: goodput >= 0.95x old and CPU/GiB <= 1.05x old)")
    head = (f"{'row':<10} {'backend':<8} {'new':>10} {'old':>10} {'new/old':>8}   {'CPU new':>8} {'CPU old':>8} "
            f"{'new/old':>8} {'met':>4}")
    print_head(head)
    for r in rows:
        for b in backends:
            new, old = r[b], r[b + "_baseline"]
            cpu_new, cpu_old = r[b + "_cpu_s_per_gib"], r[b + "_baseline_cpu_s_per_gib"]
            met = "yes" if new >= 0.95 * old and cpu_new <= 1.05 * cpu_old else "no"
            print(f"{r['row']:<10} {b:<8} {gbps(new):>10} {gbps(old):>10} {ratio(new, old):>8}   {cpu_new:>6.2f} s "
                  f"{cpu_old:>6.2f} s {ratio(cpu_new, cpu_old):>8} {met:>4}")


MEMORY_LEECHERS = 4  # the memory group's leechers; they share the row's connections


def samples_csv(path: Path) -> list[dict[str, float]]:
    """The complete lines of a results folder's timeseries.csv (it grows during the run)."""
    try:
        text = path.read_text()
    except OSError:
        return []
    lines = text[: text.rfind("\n") + 1].splitlines()
    return [{k: float(v) for k, v in row.items()} for row in csv.DictReader(lines)]


def watch_and_stop(procs: list, out: Path, total: int, window: float, setup_limit: float) -> list:
    """Waits for `total` connections in `out`'s samples (or the last before none came up
    for max(window, 5) s; setup_limit if none ever does), then `window` seconds more, then
    stops every process in `procs` with SIGINT (each run ends and writes its results; killed
    a minute later). Returns each process's rusage (wait4: ru_maxrss is its VmHWM). Signals go
    by os.kill: Popen.send_signal would poll(), reaping the process and its rusage with it."""
    usages = [None] * len(procs)
    up, active, changed_at = False, 0, time.monotonic()
    stop_at, killed_at = changed_at + setup_limit, None
    while any(u is None for u in usages):
        for i, proc in enumerate(procs):
            if usages[i] is None:
                usages[i] = try_reap(proc)
                if usages[i] is not None and killed_at is None:
                    stop_at = 0  # one ended by itself: stop the others
        now = time.monotonic()
        if not up:
            last = (samples_csv(out / "timeseries.csv") or [{}])[-1].get("connections_active", 0)
            if last != active:
                active, changed_at = last, now
            if active >= total or (active and now - changed_at >= max(window, 5)):
                up, stop_at = True, changed_at + window  # measure `window` seconds from the last one
        if now >= stop_at and killed_at is None:
            # The last process first (a split swarm's leechers), each earlier
            # one once the later has ended: a run ends on its own terms, not
            # with the other side of its connections vanishing under it.
            # (Only those not reaped yet: a reaped pid may belong to another
            # process by now, and one may have ended by itself.)
            for i in reversed(range(len(procs))):
                if usages[i] is None:
                    os.kill(procs[i].pid, signal.SIGINT)
                    if i > 0:
                        usages[i] = reap(procs[i], 60)
            killed_at = now
        elif killed_at is not None and now > killed_at + 60:
            for i, proc in enumerate(procs):
                if usages[i] is None:
                    os.kill(proc.pid, signal.SIGKILL)
        time.sleep(0.1)
    return usages


def try_reap(proc):
    """Reaps `proc` if it has ended, its rusage with it (wait4); returns that, or None."""
    pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
    if not pid:
        return None
    proc.returncode = os.waitstatus_to_exitcode(status)
    return usage


def reap(proc, seconds: float):
    """Waits up to `seconds` for `proc` to end (killed after that); returns its rusage."""
    deadline = time.monotonic() + seconds
    while True:
        usage = try_reap(proc)
        if usage is not None:
            return usage
        if time.monotonic() > deadline:
            os.kill(proc.pid, signal.SIGKILL)
            deadline = float("inf")
        time.sleep(0.05)


def window_cpu(rows: list[dict], seconds: float) -> float:
    """CPU seconds over the last `seconds` of a run's samples."""
    rows = [r for r in rows if r["t_s"] >= rows[-1]["t_s"] - seconds - 1e-9] if rows else []
    return sum(b["cpu_percent"] / 100 * (b["t_s"] - a["t_s"]) for a, b in zip(rows, rows[1:]))


def memory_run(binary: str, backend: str, total: int, window: float, tmp: Path, split: bool,
               setup_limit: float = 120) -> dict:
    """One `swarmbench run --storage discard --pipeline 16` of `total` connections, stopped
    with SIGINT `window` seconds after its samples show the last connection up (see
    watch_and_stop). One process holds both ends of every connection; `split`: two
    processes of one swarm (seeders_at, swarm_id), the seeders in one and the leechers in
    the other, one engine context each (as many as one process has on 2 cores), for rows
    whose both ends do not fit one process's descriptor limit. Peak RSS is the sum of the
    processes' high-water marks (VmHWM, so no peak between two samples is missed);
    goodput and CPU are those of the samples since the last connection came up."""
    out = Path(tempfile.mkdtemp(dir=tmp, prefix="memory-"))
    common = ["--storage", "discard", "--pipeline", "16", "--duration", str(setup_limit + window + 60),
              "--backend", backend, "--no-graphs", "--no-progress"]
    leechers = ["--leechers", str(MEMORY_LEECHERS), "--connections", str(total // MEMORY_LEECHERS)]
    procs, cmds, errs = [], [], []
    try:
        if split:
            port, swarm_id = free_port_range(4), str(random.randint(1, 2**32 - 1))
            cmds.append([binary, "run", *common, "--leechers", "0", "--seeders", "4", "--base-port", str(port),
                         "--swarm-id", swarm_id, "--threads", "1", "-o", str(out / "seeders")])
            cmds.append([binary, "run", *common, *leechers, "--seeders", "0", "--swarm-id", swarm_id,
                         "--seeders-at", ",".join(f"127.0.0.1:{port + i}" for i in range(4)), "--threads", "1",
                         "-o", str(out / "leechers")])
            samples = out / "leechers"
        else:
            cmds.append([binary, "run", *common, *leechers, "-o", str(out / "run")])
            samples = out / "run"
        for i, cmd in enumerate(cmds):
            errs.append(open(out / f"stderr-{i}.txt", "w+"))
            procs.append(subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=errs[-1]))
            if split and i == 0:
                for k in range(4):  # the seeders listen (seen in /proc/net/tcp, no probe connection)
                    wait_listening(port + k, 60)
        usages = watch_and_stop(procs, samples, total, window, setup_limit)
        for cmd, proc, err in zip(cmds, procs, errs):
            err.seek(0)
            if proc.returncode not in (0, EXIT_INTERRUPTED):  # each was stopped with SIGINT, or ended
                raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {err.read().strip()[-400:]}")
        docs = [json.loads((Path(c[-1]) / "results.json").read_text())["summary"] for c in cmds]
        rows = samples_csv(samples / "timeseries.csv")
        other = [samples_csv(Path(c[-1]) / "timeseries.csv") for c in cmds if Path(c[-1]) != samples]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
        for err in errs:
            err.close()
        shutil.rmtree(out, ignore_errors=True)
    for cmd, s in zip(cmds, docs):
        if s.get("status") not in ("ok", "interrupted") or s.get("swarm", {}).get("hash_failures"):
            raise RuntimeError(f"{' '.join(cmd)}: status {s.get('status')}, {s.get('error_messages')}")
    established = max(r["connections_active"] for r in rows)
    first = next(i for i, r in enumerate(rows) if r["connections_active"] >= min(total, established))
    window_rows = rows[first:]
    seconds = window_rows[-1]["t_s"] - window_rows[0]["t_s"]
    payload = window_rows[-1]["payload_total"] - window_rows[0]["payload_total"]
    cpu = window_cpu(window_rows, seconds) + sum(window_cpu(o, seconds) for o in other)
    last = window_rows[-1]
    second_ago = next(r for r in reversed(window_rows) if r["t_s"] <= last["t_s"] - 1 or r is window_rows[0])
    # the other process's rise too: it holds the other end of every connection
    rise = sum((o[-1]["rss_bytes"] - next(r for r in reversed(o) if r["t_s"] <= o[-1]["t_s"] - 1 or r is o[0])
                ["rss_bytes"]) for o in other if o)
    rise += (last["rss_bytes"] - second_ago["rss_bytes"])
    rise /= max(last["t_s"] - second_ago["t_s"], 1e-9)
    return figures(payload / seconds if seconds > 0 else 0, cpu, payload,
                   rss=sum(u.ru_maxrss for u in usages) * 1024, rss_rise_per_s=rise, established=established,
                   setup_s=rows[first]["t_s"], window_s=seconds, processes=len(cmds))


def bench_memory(args, backends, results):
    """Resident memory per swarm connection: peak RSS against the number of connections,
    on every backend (and the --baseline binary), a table and an SVG graph; see the module
    docstring for the targets. One process holding both ends of a row's connections needs
    twice as many descriptors; where the largest row does not fit (the hard limit rises
    only with CAP_SYS_RESOURCE) every row of swarmbench runs as two processes of one swarm
    (seeders in one, leechers in the other), so the slope compares like with like. The
    --baseline binary predates that split: its rows run in one process, and the ones that
    do not fit are skipped, and say so."""
    started, load = time.monotonic(), os.getloadavg()[0]
    sizes = sorted(args.memory_connections)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 2 * sizes[-1] + 64  # both ends, listeners, rings, wake-ups, stdio, the samples file
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, want), max(hard, want)))
    except (ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    limit = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    split = args.memory_processes == 2 or (args.memory_processes is None and want > limit)
    too_many = (f"needs about {{}} descriptors (both ends of every connection in one process) but RLIMIT_NOFILE is "
                f"{limit:,}, and raising its hard limit needs CAP_SYS_RESOURCE, which this process lacks (e.g. "
                "start the container with --ulimit nofile=32768)")
    rows = []
    with tempfile.TemporaryDirectory(dir=args.workdir, prefix="swarmbench-bench-") as tmp_name:
        for n in sizes:
            row = {"connections": n}
            need = (n if split else 2 * n) + 64
            if need > limit:
                rows.append({**row, "skipped": too_many.format(f"{need:,}")})
                continue
            runs = {}
            for b in backends:
                runs[b] = lambda b=b, n=n: memory_run(SWARMBENCH, b, n, args.memory_seconds, Path(tmp_name), split)
                if args.baseline and 2 * n + 64 <= limit:
                    runs[b + "_baseline"] = lambda b=b, n=n: memory_run(args.baseline_binary, b, n,
                                                                        args.memory_seconds, Path(tmp_name), False)
                elif args.baseline:
                    row["baseline_skipped"] = too_many.format(f"{2 * n + 64:,}") + " (the baseline cannot split)"
            rows.append({**row, **interleave(args.repeat, runs)})
    series = [b + suffix for b in backends for suffix in ("", "_baseline") if args.baseline or not suffix]
    summary, svg = {}, Path(args.results).parent / "memory.svg"
    lines = {}
    for k in series:  # between the smallest and the largest row measured for this series
        measured = [r for r in rows if k in r]
        if len(measured) < 2:
            continue
        low, high = measured[0], measured[-1]
        by_n = {r["connections"]: r for r in measured}
        slope = (high[k + "_rss"] - low[k + "_rss"]) / 1024 / (high["connections"] - low["connections"])
        short = [f"{r[k + '_established']:,.0f} of {r['connections']:,}" for r in measured
                 if r[k + "_established"] < r["connections"]]
        # the largest row still growing by more than 1 KiB per connection per second: not its steady state
        rising = high[k + "_rss_rise_per_s"] > 1024 * high["connections"]
        goodput = by_n[2000][k] / by_n[64][k] if 64 in by_n and 2000 in by_n else None
        summary[k] = {"slope_kib_per_connection": slope, "from": low["connections"], "to": high["connections"],
                      "processes": 2 if split and not k.endswith("_baseline") else 1,
                      "not_established": short, "still_rising": rising, "slope_met": slope <= 8 and not short
                      and not rising, "goodput_2000_over_64": goodput,
                      "goodput_met": goodput >= 0.8 if goodput is not None else None}
        lines[name(k)] = [(r["connections"], r[k + "_rss"] / 2**20) for r in measured]
    if lines:
        k0 = next(iter(summary))
        low = next(r for r in rows if k0 in r)
        start, n0, n1 = low[k0 + "_rss"] / 2**20, summary[k0]["from"], summary[k0]["to"]
        target = "target: 8 KiB per connection"
        lines[target] = [(n0, start), (n1, start + 8 * (n1 - n0) / 1024)]
        svg.parent.mkdir(parents=True, exist_ok=True)
        svg.write_text(line_chart(lines, "swarmbench: peak RSS against connections (discard storage, pipeline 16)",
                                  "connections (both ends" + (": seeders' and leechers' processes summed)" if split
                                                              else " in one process)"), "peak RSS (MiB)",
                                  dashed=(target,)))
    elapsed = time.monotonic() - started
    results["memory"] = {"rows": rows, "summary": summary, "repeat": args.repeat, "window_s": args.memory_seconds,
                         "leechers": MEMORY_LEECHERS, "nofile_limit": limit, "processes": 2 if split else 1,
                         "graph": str(svg), "swarmbench": args.swarmbench, "baseline": args.baseline,
                         "seconds": elapsed, "load_average_at_start": load, "date": time.strftime("%Y-%m-%d %H:%M:%S")}
    print_memory(args, series, rows, summary, svg, elapsed, load, split)


def name(key: str) -> str:
    """A series key of the memory group as a label: io_uring, io_uring baseline."""
    return key.replace("_baseline", " baseline")


def print_memory(args, series, rows, summary, svg, elapsed, load, split):
    where = ("two processes of one swarm (4 seeders in one, the leechers in the other, one engine context each; "
             "peak RSS summed; the baseline in one process)" if split else "both ends in one process")
    print(f"\n(h) resident memory per swarm connection: `swarmbench run --storage discard --pipeline 16`, 4 seeders, "
          f"{MEMORY_LEECHERS} leechers sharing N connections, {where}; each run stopped "
          f"{args.memory_seconds:g} s after its last connection came up (all of them, or none more for "
          f"{max(args.memory_seconds, 5):g} s: see established); peak RSS = the process's VmHWM (every buffer "
          "counted); RSS rise: in the last second (still growing?); goodput and CPU over the seconds after the "
          f"last connection; median of {args.repeat}, interleaved")
    head = (f"{'connections':>11}  {'swarmbench':<18} {'established':>11} {'set-up':>7} {'peak RSS':>11} "
            f"{'RSS rise':>12} {'goodput':>10} {'CPU/GiB':>8}")
    print_head(head)
    for r in rows:
        if "skipped" in r:
            print(f"{r['connections']:>11,}  skipped: {r['skipped']}")
            continue
        if "baseline_skipped" in r:
            print(f"{r['connections']:>11,}  baseline skipped: {r['baseline_skipped']}")
        for k in (k for k in series if k in r):
            print(f"{r['connections']:>11,}  {name(k):<18} {r[k + '_established']:>11,.0f} "
                  f"{r[k + '_setup_s']:>5.1f} s {r[k + '_rss'] / 2**20:>7.1f} MiB "
                  f"{r[k + '_rss_rise_per_s'] / 2**20:>6.1f} MiB/s {gbps(r[k]):>10} "
                  f"{r.get(k + '_cpu_s_per_gib', float('nan')):>6.2f} s")
    if not summary:
        print(f"memory group took {elapsed / 60:.1f} min; no slope: fewer than two rows measured")
        return
    for k, m in summary.items():
        high = next(r for r in rows if r["connections"] == m["to"])
        skipped = f" (the {rows[-1]['connections']:,} row is skipped)" if m["to"] != rows[-1]["connections"] else ""
        notes = ["met" if m["slope_met"] else "not met"]
        if m["not_established"]:
            notes.append("established only " + ", ".join(m["not_established"]))
        if m["still_rising"]:
            notes.append(f"RSS still rising at {m['to']:,}: +{high[k + '_rss_rise_per_s'] / 2**20:.0f} MiB/s")
        line = (f"{name(k) + ':':<19} RSS slope {m['from']:,} -> {m['to']:,}{skipped}: "
                f"{m['slope_kib_per_connection']:.1f} KiB per connection (target <= 8 KiB: {'; '.join(notes)})")
        if m["goodput_2000_over_64"] is not None:
            line += (f"; goodput 2,000 / 64: {m['goodput_2000_over_64']:.2f}x (target >= 0.8x: "
                     f"{'met' if m['goodput_met'] else 'not met'})")
        print(line)
    for b in (k for k in series if k + "_baseline" in summary):
        new, old = summary[b], summary[b + "_baseline"]
        line = f"{b} new/old: RSS slope {ratio(new['slope_kib_per_connection'], old['slope_kib_per_connection'])}"
        if new["goodput_2000_over_64"] is not None:
            line += f", goodput 2,000 / 64 {ratio(new['goodput_2000_over_64'], old['goodput_2000_over_64'])}"
        print(line)
    print(f"graph of peak RSS against connections: {svg.relative_to(ROOT) if svg.is_relative_to(ROOT) else svg}")
    print(f"memory group took {elapsed / 60:.1f} min; load average {load:.2f} at its start")


def find_gui() -> str:
    for candidate in (ROOT / "build/release/app/gui/swarmbench-gui", shutil.which("swarmbench-gui")):
        if candidate and Path(candidate).exists():
            return str(candidate)
    sys.exit("swarmbench-gui not built: run `bash scripts/setup.sh` first (needs libimgui-dev, libglfw3-dev)")


class virtual_display:
    """An Xvfb server on a free display for the duration of a `with` block."""

    def __enter__(self) -> str:
        need("Xvfb")
        read_fd, write_fd = os.pipe()
        self.proc = subprocess.Popen([need("Xvfb"), "-displayfd", str(write_fd), "-screen", "0", "1600x1000x24",
                                      "-nolisten", "tcp"], pass_fds=(write_fd,), stderr=subprocess.DEVNULL)
        os.close(write_fd)
        with os.fdopen(read_fd) as f:
            number = f.readline().strip()
        if not number:
            self.proc.kill()
            raise RuntimeError("Xvfb did not report a display")
        return f":{number}"

    def __exit__(self, *exc) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


def gui_run(scenario: Path, display: str, tmp: Path, timeout: float) -> dict:
    """One scripted desktop-app run of `scenario` (--run --export --exit-when-done) with
    the peers table shown; figures from the exported results.json and --frame-stats."""
    out, stats = Path(tempfile.mkdtemp(dir=tmp, prefix="gui-")), tmp / "frames.json"
    try:
        proc = subprocess.run([find_gui(), "--scenario", str(scenario), "--run", "--export", str(out),
                               "--exit-when-done", "--frame-stats", str(stats), "--tab", "Peers",
                               "--size", "1440x900"], cwd=tmp, env={**os.environ, "DISPLAY": display},
                              capture_output=True, text=True, timeout=timeout)
        if proc.returncode != 0:
            raise RuntimeError(f"swarmbench-gui failed ({proc.returncode}): {proc.stderr.strip()[-400:]}")
        s = json.loads((out / "results.json").read_text())["summary"]
        frames = json.loads(stats.read_text())
    finally:
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(tmp / "swarmbench-results", ignore_errors=True)
    return figures(s["goodput_bytes_per_s"], s.get("cpu_seconds") or 0, s.get("bytes") or 0,
                   ui_p50=frames["ui_ms"].get("p50"), ui_p99=frames["ui_ms"].get("p99"),
                   work_p50=frames["work_ms"].get("p50"), work_p99=frames["work_ms"].get("p99"),
                   frames=frames["frames"], connections=frames["connections_median"])


def bench_app(args, backends, results):
    """The desktop app against the CLI on one scenario of 1,000 connections: the app's
    frame times and its goodput beside `swarmbench run`'s. io_uring only (the first
    backend): the question is the app's cost, not the backend's."""
    started, load = time.monotonic(), os.getloadavg()[0]
    backend = backends[0]
    leechers, connections = 4, 250
    with tempfile.TemporaryDirectory(dir=args.workdir, prefix="swarmbench-bench-") as tmp_name, \
            virtual_display() as display:
        tmp = Path(tmp_name)
        data = tmp / "data"
        scenario = {"leechers": leechers, "connections_per_leecher": connections, "torrent_size": args.swarm_size,
                    "backend": backend, "data_dir": str(data), "timeout_s": 600}
        scenario_file = tmp / "scenario.json"
        scenario_file.write_text(json.dumps(scenario))

        def cli() -> dict:
            out = tmp / "cli"
            try:
                s = swarmbench(["run", "--scenario", str(scenario_file), "-o", str(out), "--no-graphs",
                                "--no-progress"], backend, timeout=660)["summary"]
            finally:
                shutil.rmtree(out, ignore_errors=True)
            return figures(s["goodput_bytes_per_s"], s.get("cpu_seconds") or 0, s.get("bytes") or 0)

        def clean() -> None:
            shutil.rmtree(data, ignore_errors=True)
            os.sync()

        row = interleave(args.repeat, {"cli": cli, "app": lambda: gui_run(scenario_file, display, tmp, 660)},
                         before=clean)
    elapsed = time.monotonic() - started
    results["app"] = {"backend": backend, "leechers": leechers, "connections": leechers * connections,
                      "torrent_size": args.swarm_size, **row, "seconds": elapsed, "load_average_at_start": load,
                      "date": time.strftime("%Y-%m-%d %H:%M:%S")}
    print(f"\n(e) desktop app vs CLI, default swarm with {leechers} x {connections} = {leechers * connections} "
          f"connections, {args.swarm_size}, {backend}, median of {args.repeat}; app under Xvfb, software GL, "
          "peers table shown")
    print(f"{'':<22} {'goodput':>10} {'CPU/GiB':>8}")
    print(f"{'swarmbench run':<22} {gbps(row['cli']):>10} {row['cli_cpu_s_per_gib']:>6.2f} s")
    print(f"{'swarmbench-gui':<22} {gbps(row['app']):>10} {row['app_cpu_s_per_gib']:>6.2f} s   "
          f"app/cli {ratio(row['app'], row['cli'])} (target >= 0.95x: "
          f"{'met' if row['app'] >= 0.95 * row['cli'] else 'not met'})")
    print(f"frame build (ui) p50 {row['app_ui_p50']:.2f} ms, p99 {row['app_ui_p99']:.2f} ms (target p99 < 16 ms: "
          f"{'met' if row['app_ui_p99'] < 16 else 'not met'}); with software GL rendering (ui+gl) p50 "
          f"{row['app_work_p50']:.2f} ms, p99 {row['app_work_p99']:.2f} ms; "
          f"{row['app_frames']:.0f} frames at {row['app_connections']:.0f} connections (median)")
    print(f"app group took {elapsed / 60:.1f} min; load average {load:.2f} at its start")


def links_run(extra: list[str], links: list[dict] | None, backend: str, tmp: Path, timeout: float) -> dict:
    """One `swarmbench run --storage discard` with `links` (None: none): its summary."""
    out = Path(tempfile.mkdtemp(dir=tmp, prefix="out-"))
    try:
        cmd = ["run", *extra, "--storage", "discard", "-o", str(out), "--no-graphs", "--no-progress",
               "--timeout", str(int(timeout))]
        if links is not None:
            cmd += ["--links", json.dumps(links)]
        s = swarmbench(cmd, backend, timeout=timeout + 60)["summary"]
    finally:
        shutil.rmtree(out, ignore_errors=True)
    if s.get("status") != "ok":
        raise RuntimeError(f"swarmbench run {' '.join(extra)} on {backend}: status {s.get('status')}, "
                           f"{s.get('error_messages')}")
    return s


def bench_links(args, backends, results):
    """Group links (issue 21): user-space link emulation.
    (a) window: one connection, P requests of 16 KiB in flight over a round trip R cannot beat
        P x 16 KiB / R; goodput against that bound for R in --links-rtts and P in
        --links-pipelines (a table, and bench/results/links.svg);
    (b) accuracy: 1,000 connections moving data through links of 20 ms: how much later than
        due held chunks were delivered, p50 and p99 (target p99 <= 1 ms);
    (c) cpu: CPU-s/GiB of that swarm with links of 1 ms against the same swarm without
        (target <= 1.2x), interleaved."""
    tmp = Path(tempfile.mkdtemp(dir=args.workdir, prefix="swarmbench-links-"))
    started = time.time()
    window_s = 1.0 if args.quick else 4.0
    out = {"window": {}, "accuracy": {}, "cpu": {}}
    try:
        backend = backends[0]
        print_head(f"links (a): one connection's goodput against P x 16 KiB / RTT ({backend}, ~{window_s:.0f} s each)")
        print(f"{'rtt':>7} {'pipeline':>8} {'bound':>12} {'goodput':>12} {'ratio':>7}")
        curves: dict[str, list[tuple[float, float]]] = {}
        for p in args.links_pipelines:
            for rtt in args.links_rtts:
                bound = p * 16384 / (rtt / 1000)
                size = min(max(int(bound * window_s) >> 20, 1), 1024)  # MiB: about window_s at the bound
                s = links_run(["--size", f"{size}MiB", "--piece-size", "256KiB", "--seeders", "1", "--leechers", "1",
                               "--connections", "1", "--pipeline", str(p)],
                              # a queue past the window, so the window is the bound
                              [{"name": "path", "share": 1, "rtt_ms": rtt, "queue": "64MiB"}], backend, tmp,
                              timeout=120)
                g = s["goodput_bytes_per_s"]
                out["window"][f"p{p}_rtt{rtt}"] = {"rtt_ms": rtt, "pipeline": p, "bound": bound, "goodput": g,
                                                   "size_mib": size}
                print(f"{rtt:>5} ms {p:>8} {bound / 2**20:>8.1f} MiB/s {g / 2**20:>8.1f} MiB/s {g / bound:>6.2f}x")
                curves.setdefault(f"P = {p}", []).append((rtt, g / 2**20))
                curves.setdefault(f"bound P = {p}", []).append((rtt, min(bound, 2**31) / 2**20))
        svg = Path(args.results).parent / "links.svg"
        svg.parent.mkdir(parents=True, exist_ok=True)
        svg.write_text(line_chart(curves, f"swarmbench: one connection through a link ({backend})", "round trip (ms)",
                                  "goodput (MiB/s, log scale)", dashed=tuple(k for k in curves if k.startswith("bound")),
                                  log_y=True))
        print(f"graph: {svg.relative_to(ROOT) if svg.is_relative_to(ROOT) else svg}")

        # (b) and (c): 1,000 connections, 10 leechers x 100, 4 seeders, each connection held to 256 KiB/s
        # so the machine is not the bottleneck and the links' timers are what is measured.
        crowd = ["--size", "256MiB" if not args.quick else "64MiB", "--seeders", "4", "--leechers", "10",
                 "--connections", "100", "--pipeline", "16", "--rate-limit", "256KiB",
                 "--duration", str(max(args.seconds, 3))]
        print_head("links (b, c): 1,000 connections moving data, 256 KiB/s each")
        print(f"{'backend':<9} {'late p50':>9} {'late p99':>9} {'chunks':>10} {'cpu/GiB links':>14} "
              f"{'cpu/GiB none':>13} {'ratio':>7}")
        for b in backends:
            def with_links(b=b, rtt=20):
                s = links_run(crowd, [{"name": "path", "share": 1, "rtt_ms": rtt}], b, tmp, timeout=180)
                w = s["swarm"]
                return figures(s["goodput_bytes_per_s"], s.get("cpu_seconds") or 0, s.get("bytes") or 0,
                               late_p50=w.get("link_late_ms_p50"), late_p99=w.get("link_late_ms_p99"),
                               chunks=w.get("link_chunks"))
            def without(b=b):
                s = links_run(crowd, None, b, tmp, timeout=180)
                return figures(s["goodput_bytes_per_s"], s.get("cpu_seconds") or 0, s.get("bytes") or 0)
            accuracy = interleave(args.repeat, {"links": with_links})
            cpu = interleave(args.repeat, {"links": lambda b=b: with_links(b, 1), "none": without})
            out["accuracy"][b] = {k: v for k, v in accuracy.items() if k != "samples"}
            out["cpu"][b] = {k: v for k, v in cpu.items() if k != "samples"}
            print(f"{b:<9} {accuracy['links_late_p50']:>6.3f} ms {accuracy['links_late_p99']:>6.3f} ms "
                  f"{int(accuracy['links_chunks']):>10} {cpu['links_cpu_s_per_gib']:>12.2f} s "
                  f"{cpu['none_cpu_s_per_gib']:>11.2f} s "
                  f"{ratio(cpu['links_cpu_s_per_gib'], cpu['none_cpu_s_per_gib']):>7}")
        print("targets: late p99 <= 1 ms; cpu/GiB with links <= 1.2x without")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    out["elapsed_s"] = time.time() - started
    results["links"] = out


def bench_python(args, backends, results):
    """swarmbench.port (Python) against C++ on the same stream; each side runs in its own
    process through bench/python_port_stream.py --one, so each side's CPU is its own."""
    script, build = ROOT / "bench/python_port_stream.py", ROOT / "build/release"
    if not (build / "python/swarmbench").is_dir():
        print("\n(f) python: skipped, build/release has no Python module (pybind11-dev, python3-dev)")
        return

    def side(kind: str, n: int, backend: str) -> dict:
        d = run_json([sys.executable, str(script), "--one", kind, "--connections", str(n), "--seconds",
                      str(args.seconds), "--backend", backend, "--build", str(build)], timeout=args.seconds + 180)
        return figures(d["goodput"], d["cpu_s"], d["bytes"])

    rows = []
    for b in backends:
        for n in (8, 64):
            runs = {k: lambda k=k, n=n, b=b: side(k, n, b) for k in ("native", "python")}
            rows.append({"backend": b, "connections": n, **interleave(args.repeat, runs)})
    results["python"] = rows
    print(f"\n(f) loopback stream through swarmbench.port (Python) vs C++, 16 KiB ops, one context per side, "
          f"{args.seconds} s, median of {args.repeat} (target >= 0.5x)")
    print(f"{'backend':>9} {'N':>4} {'C++':>11} {'Python':>11} {'Python/C++':>11} {'CPU/GiB C++':>12} "
          f"{'CPU/GiB Py':>11}")
    for r in rows:
        print(f"{r['backend']:>9} {r['connections']:>4} {gbps(r['native']):>11} {gbps(r['python']):>11} "
              f"{ratio(r['python'], r['native']):>11} {r['native_cpu_s_per_gib']:>10.2f} s "
              f"{r['python_cpu_s_per_gib']:>9.2f} s")


class libtorrent_session:
    """bench/libtorrent_session.py in a child process (Debian's python3): one libtorrent
    session on loopback, driven one JSON line at a time. A `with` block; quits it after."""

    def __init__(self, python: str, log: Path) -> None:
        self.proc = subprocess.Popen([python, str(ROOT / "bench/libtorrent_session.py"), "--log", str(log)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        hello = self.read()
        self.port, self.version = hello["port"], hello["libtorrent"]

    def __enter__(self) -> "libtorrent_session":
        return self

    def __exit__(self, *exc) -> None:
        if self.proc.poll() is None:
            try:
                self.send(cmd="quit")
                self.proc.wait(timeout=30)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()

    def send(self, **cmd) -> None:
        self.proc.stdin.write(json.dumps(cmd) + "\n")
        self.proc.stdin.flush()

    def read(self, check: bool = True) -> dict:
        """The next line; with `check`, an {"error": ...} line raises."""
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"bench/libtorrent_session.py ended (exit {self.proc.wait()})")
        doc = json.loads(line)
        if check and "error" in doc:
            raise RuntimeError(doc["error"])
        return doc

    def ask(self, **cmd) -> dict:
        self.send(**cmd)
        return self.read()


def connection_tester() -> str:
    """libtorrent's examples/connection_tester, built by scripts/bench-deps-clients.sh
    (the bench's own set-up: Debian's source package, never the test command)."""
    tool = ROOT / "build/bench-deps/connection_tester"
    if not tool.exists():
        print("building connection_tester: bash scripts/bench-deps-clients.sh", flush=True)
        subprocess.run(["bash", str(ROOT / "scripts/bench-deps-clients.sh")], check=True, stdout=subprocess.DEVNULL)
    return str(tool)


def own_rate(text: str, word: str) -> float | None:
    """connection_tester's closing line 'rate sent: X MB/s received: Y MB/s' (sums of
    per-connection rates, MB = 10^6 bytes); `word` is 'sent' or 'received'."""
    for line in text.splitlines():
        if line.startswith("rate sent:"):
            parts = line.replace(":", "").split()  # rate sent X MB/s received Y MB/s
            return float(parts[parts.index(word) + 1]) * 1e6
    return None


def bench_clients(args, backends, results):
    """libtorrent as the client, on both ends of one transfer: a libtorrent session takes a
    torrent from 8 fake seeders (upload) and serves it to 8 fake leechers (download), the
    fake peers being libtorrent's own connection_tester or swarmbench; see the docstring."""
    started, load = time.monotonic(), os.getloadavg()[0]
    repeat = 5 if args.repeat_default else args.repeat
    size, n = size_bytes(args.clients_size), args.clients_connections
    if size % 2**20 or size <= 0:
        sys.exit(f"--clients-size must be a whole number of MiB (connection_tester makes 1 MiB pieces), got "
                 f"{args.clients_size}")
    ct, python = connection_tester(), libtorrent_python()
    timeout = 300.0
    with tempfile.TemporaryDirectory(dir=args.workdir, prefix="swarmbench-bench-") as tmp_name:
        tmp = Path(tmp_name)
        torrent, data = tmp / "clients.torrent", tmp / "data"
        # connection_tester's own content (each 16 KiB block filled with its piece and block
        # number), which it can serve without files; swarmbench serves the same from --data.
        subprocess.run([ct, "gen-torrent", "-s", str(size // 2**20), "-n", "4", "-t", str(torrent)], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=timeout)
        subprocess.run([ct, "gen-data", "-t", str(torrent), "-P", str(data)], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=timeout)
        log = Path(args.clients_log).resolve() if args.clients_log else tmp / "libtorrent.log"
        with libtorrent_session(python, log) as lt:
            target = f"127.0.0.1:{lt.port}"
            counter = iter(range(10**6))

            def upload(name: str, cmd: list[str]) -> dict:
                """One transfer into a fresh libtorrent download: rate from the tool's start
                to libtorrent seeding (every piece hash-checked). Not seeding within
                --clients-timeout counts as not completed."""
                i = next(counter)
                lt.ask(cmd="leech", torrent=str(torrent), save=str(tmp / f"leech-{i}"), label=f"upload {i} {name}",
                       timeout=args.clients_timeout)
                t0, cpu0 = time.monotonic(), children_cpu()
                tool = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                out = err = ""
                done: dict = {}
                try:
                    done = lt.read(check=False)
                    if "done" in done:  # both tools end once libtorrent has announced every piece
                        out, err = tool.communicate(timeout=60)
                except subprocess.TimeoutExpired:
                    print(f"  {name} upload {i}: libtorrent seeds, but the tool did not end within 60 s", flush=True)
                finally:
                    if tool.poll() is None:
                        tool.kill()
                        tool.communicate()
                    lt.ask(cmd="remove")  # after the tool: swarmbench may dial back for the bitfield
                cpu = children_cpu() - cpu0
                if "done" not in done:
                    print(f"  {name} upload {i} did not complete: {done.get('error')}", flush=True)
                    return {"goodput": None, "incomplete": 1}
                if tool.returncode not in (0, -9):
                    raise RuntimeError(f"{name} upload failed ({tool.returncode}): {err.strip()[-400:]}")
                seconds = done["done"] - t0
                if tool.returncode != 0:
                    own = None
                elif name == "connection_tester":
                    own = own_rate(out, "sent")
                else:
                    own = json.loads(out)["summary"]["goodput_bytes_per_s"]
                return figures(size / seconds, cpu, size, own=own, lt_cpu_s_per_gib=done["cpu_s"] / (size / GIB),
                               last10_s=done["done"] - done["t90"], incomplete=0)

            def download(name: str, cmd: list[str]) -> dict:
                """n fake leechers, each taking the whole torrent from libtorrent: rate from
                the tool's start to its exit."""
                lt_cpu0 = lt.ask(cmd="cpu")["cpu_s"]
                t0, cpu0 = time.monotonic(), children_cpu()
                tool = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                try:
                    out, err = tool.communicate(timeout=args.clients_timeout)
                except subprocess.TimeoutExpired:
                    tool.kill()
                    tool.communicate()
                    print(f"  {name} download did not complete in {args.clients_timeout:g} s", flush=True)
                    return {"goodput": None, "incomplete": 1}
                seconds, cpu = time.monotonic() - t0, children_cpu() - cpu0
                lt_cpu = lt.ask(cmd="cpu")["cpu_s"] - lt_cpu0
                if tool.returncode != 0:
                    raise RuntimeError(f"{name} download failed ({tool.returncode}): {err.strip()[-400:]}")
                if name == "connection_tester":
                    own = own_rate(out, "received")
                else:
                    own = json.loads(out)["summary"]["goodput_bytes_per_s"]
                return figures(n * size / seconds, cpu, n * size, own=own, lt_cpu_s_per_gib=lt_cpu / (n * size / GIB),
                               incomplete=0)

            def swarmbench_cmd(verb: str, backend: str, extra: list[str]) -> list[str]:
                out = tmp / f"out-{next(counter)}"
                return [SWARMBENCH, verb, "--torrent", str(torrent), "--target", target, "--connections", str(n),
                        *extra, "--backend", backend, "-o", str(out), "--no-graphs", "--no-progress", "--json",
                        "--timeout", str(int(timeout))]

            ct_args = ["-c", str(n), "-d", "127.0.0.1", "-p", str(lt.port), "-t", str(torrent)]
            runs = {"connection_tester": lambda: upload("connection_tester", [ct, "upload", *ct_args])}
            for b in backends:
                runs[b] = lambda b=b: upload(b, swarmbench_cmd("upload", b, ["--data", str(data)]))
            up = interleave(repeat, runs, before=os.sync)

            # libtorrent seeds the same files (checked first). It offers each peer 5
            # allowed-fast pieces, which connection_tester's download mode never requests
            # while unchoked (see print_clients): 0 here, for both tools alike.
            lt.ask(cmd="settings", settings={"allowed_fast_set_size": 0})
            lt.ask(cmd="seed", torrent=str(torrent), save=str(data), timeout=timeout)
            runs = {"connection_tester": lambda: download("connection_tester", [ct, "download", *ct_args])}
            for b in backends:
                runs[b] = lambda b=b: download(b, swarmbench_cmd("download", b, ["--storage", "discard"]))
            down = interleave(repeat, runs)
            version = lt.version
    elapsed = time.monotonic() - started
    results["clients"] = {"libtorrent": version, "bytes": size, "connections": n, "repeat": repeat,
                          "upload": up, "download": down, "seconds": elapsed, "load_average_at_start": load,
                          "date": time.strftime("%Y-%m-%d %H:%M:%S")}
    print_clients(results["clients"], backends, elapsed, load)


def print_clients(r: dict, backends: list[str], elapsed: float, load: float) -> None:
    size, n = r["bytes"], r["connections"]
    print(f"\n(g) libtorrent {r['libtorrent']} as the client (one session, loopback), against libtorrent's "
          f"connection_tester: {size / 2**20:g} MiB torrent in 1 MiB pieces, {n} connections, median of "
          f"{r['repeat']}, interleaved; CPU/GiB: the fake peers' process (its rusage), lt CPU/GiB: the libtorrent "
          "session's, per GiB moved")
    head = (f"{'direction':<10} {'tool':<20} {'rate':>10} {'CPU/GiB':>8} {'own figure':>11} {'lt CPU/GiB':>11} "
            f"{'vs connection_tester':>21}")
    print_head(head)
    for direction in ("upload", "download"):
        d = r[direction]
        ref = d.get("connection_tester")
        for name in ["connection_tester", *backends]:
            tool = "connection_tester" if name == "connection_tester" else f"swarmbench {name}"
            stuck = int(sum(d["samples"].get(f"{name}_incomplete", [])))
            if name not in d:
                print(f"{direction:<10} {tool:<20} did not complete in any of its {stuck} runs")
                continue
            vs = ratio(d[name], ref) if ref and name != "connection_tester" else ""
            if stuck:
                vs += f" ({stuck} runs did not complete)"
            print(f"{direction:<10} {tool:<20} {gbps(d[name]):>10} {d[name + '_cpu_s_per_gib']:>6.2f} s "
                  f"{gbps(d[name + '_own']) if d.get(name + '_own') else 'n/a':>11} "
                  f"{d[name + '_lt_cpu_s_per_gib']:>9.2f} s {vs:>21}")
    up = r["upload"]
    print("upload: rate = torrent bytes / (tool started -> libtorrent seeding, every piece hash-checked); "
          "last 10% took " + ", ".join(f"{'connection_tester' if k == 'connection_tester' else k} "
                                       f"{up[k + '_last10_s']:.2f} s" for k in ["connection_tester", *backends]
                                       if k + "_last10_s" in up) + ". Own figure: connection_tester's "
          "'rate sent' (sum of its connections' rates); swarmbench's goodput, first block to last.")
    print(f"download: rate = {n} x torrent bytes / (tool started -> tool exited). swarmbench "
          "--storage discard SHA-1-checks every piece; connection_tester checks nothing. libtorrent runs with "
          "allowed_fast_set_size 0: with its default of 5, connection_tester's download never completes (it sets "
          "allowed-fast pieces aside and requests them only while choked; libtorrent never chokes it, so each "
          "connection stops 5 pieces short and waits forever).")
    print(f"clients group took {elapsed / 60:.1f} min; load average {load:.2f} at its start")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true",
                   help="short runs, once each (2 s streams, 256 MiB disk and swarm, 2,000 connections)")
    p.add_argument("--only", choices=GROUPS, action="append")
    p.add_argument("--seconds", type=float, default=5.0)
    p.add_argument("--repeat", type=int, help="runs per figure, interleaved; the median is shown (default 3; "
                   "5 for the clients group)")
    p.add_argument("--streams", type=int, nargs="+", default=[1, 8, 64, 128])
    p.add_argument("--disk-size", default="1GiB")
    p.add_argument("--queue-depth", type=int, default=32)
    p.add_argument("--connections", type=int, default=10000)
    p.add_argument("--swarm-size", default="1GiB", help="torrent size of the swarm group (per leecher and fio job)")
    p.add_argument("--clients-size", default="512MiB", help="torrent size of the clients group (whole MiB)")
    p.add_argument("--clients-connections", type=int, default=8, help="fake peers of the clients group")
    p.add_argument("--clients-timeout", type=float, default=60,
                   help="clients group: seconds a transfer may take before it counts as not completed")
    p.add_argument("--clients-log", help="clients group: keep the libtorrent session's alert log here")
    p.add_argument("--workdir", default=os.environ.get("TMPDIR", "/var/tmp"))
    p.add_argument("--links-rtts", type=float, nargs="+", default=[5, 20, 50, 100, 200],
                   help="links group: round trips (ms) of the window table")
    p.add_argument("--links-pipelines", type=int, nargs="+", default=[4, 16, 64, 256],
                   help="links group: requests in flight of the window table")
    p.add_argument("--backends", nargs="+", default=["io_uring", "epoll"])
    p.add_argument("--memory-connections", type=int, nargs="+", default=[64, 1000, 2000, 10000],
                   help="memory group: total connections of each row (4 leechers share them)")
    p.add_argument("--memory-processes", type=int, choices=(1, 2),
                   help="memory group: run each row as 1 process, or as 2 (seeders and leechers apart); default: "
                   "2 when the largest row's both ends do not fit RLIMIT_NOFILE")
    p.add_argument("--memory-seconds", type=float, default=5.0,
                   help="memory group: seconds each run goes on once every connection is up (default 5)")
    p.add_argument("--swarmbench", metavar="PATH", help="the swarmbench binary to measure (default: the release "
                   "build, else swarmbench on PATH); copied at the start, so a rebuild meanwhile changes nothing")
    p.add_argument("--baseline", metavar="PATH", help="groups swarm and memory: also run this swarmbench binary "
                   "(e.g. an older build), interleaved with the other, and show new/old (swarm: median of 5 "
                   "unless --repeat)")
    p.add_argument("--results", default=str(ROOT / "bench/results/latest.json"),
                   help="results file (a run with --only replaces those groups and keeps the others); "
                   "the memory graph goes beside it")
    args = p.parse_args()
    args.repeat_default = args.repeat is None
    if args.repeat_default:
        args.repeat = 3
    if args.quick:
        args.seconds, args.disk_size, args.connections, args.repeat = 2.0, "256MiB", 2000, 1
        args.swarm_size, args.clients_size, args.repeat_default = "256MiB", "128MiB", False
        args.memory_seconds = 2.0
    global SWARMBENCH
    SWARMBENCH = find_swarmbench(args.swarmbench)
    args.swarmbench = str(Path(args.swarmbench).resolve()) if args.swarmbench else "build/release/app/cli/swarmbench"
    args.baseline = args.baseline and str(Path(args.baseline).resolve())
    args.baseline_binary = args.baseline and find_swarmbench(args.baseline)  # the copy that runs
    groups = args.only or GROUPS
    out = Path(args.results)
    try:  # a run of some groups keeps the others' latest figures
        results = json.loads(out.read_text())
    except (OSError, ValueError):
        results = {}
    results["machine"] = {"kernel": platform.release(), "cores": os.cpu_count(),
                          "cpu": next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
                                       if l.startswith("model name")), "unknown")}
    if not args.only:
        results["args"] = vars(args)
    failed = []
    for g in groups:
        results.setdefault("args_by_group", {})[g] = vars(args)
        try:
            {"stream": bench_stream, "disk": bench_disk, "connections": bench_connections,
             "swarm": bench_swarm, "memory": bench_memory, "app": bench_app, "python": bench_python,
             "clients": bench_clients, "links": bench_links}[g](args, args.backends, results)
        except (RuntimeError, OSError, subprocess.SubprocessError) as e:
            # One failed run costs its group, not the others' figures.
            print(f"\ngroup {g} failed: {e}", file=sys.stderr)
            results[g] = {"error": str(e)}
            failed.append(g)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(f"\nwrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    if failed:
        print(f"failed: {', '.join(failed)} (their entries in the results hold the error)", file=sys.stderr)
    return 1 if failed else 0


SWARMBENCH = ""
GROUPS = ["stream", "disk", "connections", "swarm", "memory", "app", "python", "clients", "links"]
if __name__ == "__main__":
    sys.exit(main())
