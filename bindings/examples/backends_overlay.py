"""The same swarm on every backend this machine can run (io_uring, epoll,
...), overlaid in one set of graphs.

Each backend runs the identical scenario (Scenario(backend=name)); the
results are labelled by backend and drawn together by swarmbench.plot(),
which overlays any number of runs as `swarmbench plot DIR... -o OUT` does.
Each run's own results folder is written beside the overlay.

Run (from a build with the Python module, e.g. build/release):

    PYTHONPATH=build/release/python python3 bindings/examples/backends_overlay.py
    PYTHONPATH=build/release/python python3 bindings/examples/backends_overlay.py --size 1GiB --storage files --out cmp/

About 5 s per backend with the defaults, over loopback; the graphs go to a
new temporary directory unless --out is given.
"""
import argparse
import sys
import tempfile
from pathlib import Path

import swarmbench


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--size", default="256MiB", help="torrent size (default 256MiB)")
    p.add_argument("--seeders", type=int, default=2)
    p.add_argument("--leechers", type=int, default=2)
    p.add_argument("--connections", type=int, default=16, help="connections per leecher (default 16)")
    p.add_argument("--storage", default="discard", choices=["discard", "files", "disk_only"])
    p.add_argument("--seconds", type=float, default=3, help="timed run length per backend (0: until complete)")
    p.add_argument("--out", help="where the overlay and the results folders go (default: a temporary directory)")
    a = p.parse_args(argv)

    out = Path(a.out) if a.out else Path(tempfile.mkdtemp(prefix="swarmbench-overlay-"))
    scenario = swarmbench.Scenario(torrent_size=a.size, seeders=a.seeders, leechers=a.leechers,
                                   connections_per_leecher=a.connections, storage=a.storage, duration_s=a.seconds)
    for b in swarmbench.backends():
        if not b["available"]:
            print(f"{b['name']:<9} skipped: {b['reason']}")
    results = []
    for name in swarmbench.available_backends():
        r = swarmbench.run(scenario.copy(backend=name))
        r.label = name
        r.export(out / name)
        results.append(r)
        w = r.summary["swarm"]
        print(f"{name:<9} {r.goodput / 2**20:8.1f} MiB/s goodput, request p99 {w['request_ms_p99']:.2f} ms, "
              f"{r.summary['cpu_seconds']:.2f} s CPU, {r.status}")
    files = swarmbench.plot(results, out / "overlay", title=f"{len(results)} backends")
    print(f"overlay: {', '.join(str(f) for f in files if f.suffix == '.png')}")
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
