"""What a mix of slow peers does to a swarm: the same download three times,
first with every connection at full speed, then with a share of them slow
(slow_fraction / slow_rate), then slow peers plus a stall fault part-way
through (a Timeline injects Fault("stall") on some connections).

Prints, per run: completion time, goodput, request latency p50 / p99, and
how much the slow connections delivered beside the others (from the
per-connection table, Result.peers). With --out DIR it also writes the three
results folders and one overlay of their graphs (swarmbench.plot).

Run (from a build with the Python module, e.g. build/release):

    PYTHONPATH=build/release/python python3 bindings/examples/slow_peer_mix.py
    PYTHONPATH=build/release/python python3 bindings/examples/slow_peer_mix.py --slow-fraction 0.5 --out mix/

About 10 s with the defaults, over loopback; storage "discard" (no disk).
"""
import argparse
import sys

import swarmbench


def peer_split(result):
    """(mean bytes per slow connection, mean bytes per other connection)."""
    slow = [p["bytes_in"] for p in result.peers if p["slow"]]
    fast = [p["bytes_in"] for p in result.peers if not p["slow"]]
    mean = lambda xs: sum(xs) / len(xs) if xs else 0.0  # noqa: E731
    return mean(slow), mean(fast), len(slow), len(fast)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--size", default="48MiB", help="torrent size (default 48MiB)")
    p.add_argument("--seeders", type=int, default=2)
    p.add_argument("--leechers", type=int, default=2)
    p.add_argument("--connections", type=int, default=8, help="connections per leecher (default 8)")
    p.add_argument("--rate-limit", default="16MiB", help="every connection's limit (default 16MiB)")
    p.add_argument("--slow-fraction", type=float, default=0.25, help="share of slow connections (default 0.25)")
    p.add_argument("--slow-rate", default="1MiB", help="a slow connection's limit (default 1MiB)")
    p.add_argument("--stall-at", type=float, default=0.5, help="seconds into the run of the stall (default 0.5)")
    p.add_argument("--stall-s", type=float, default=1.0, help="how long the stall lasts (default 1)")
    p.add_argument("--stall-count", type=int, default=4, help="connections stalled (default 4)")
    p.add_argument("--backend", default="auto")
    p.add_argument("--out", help="write the results folders and an overlay of their graphs here")
    a = p.parse_args(argv)

    base = swarmbench.Scenario(torrent_size=a.size, piece_size="64KiB", seeders=a.seeders, leechers=a.leechers,
                               connections_per_leecher=a.connections, rate_limit=a.rate_limit, storage="discard",
                               backend=a.backend, timeout_s=120, interval_ms=50)
    stall = swarmbench.Timeline().fault(a.stall_at, swarmbench.Fault("stall", count=a.stall_count,
                                                                     seconds=a.stall_s))
    runs = [
        ("all fast", base, None),
        (f"{a.slow_fraction:.0%} slow", base.copy(slow_fraction=a.slow_fraction, slow_rate=a.slow_rate), None),
        (f"{a.slow_fraction:.0%} slow + stall", base.copy(slow_fraction=a.slow_fraction, slow_rate=a.slow_rate),
         stall),
    ]
    results = []
    print(f"{'run':<22} {'complete s':>10} {'MiB/s':>8} {'req p50 ms':>10} {'req p99 ms':>10} "
          f"{'slow/other bytes':>17}")
    for label, scenario, timeline in runs:
        r = swarmbench.run(scenario, timeline=timeline)
        r.label = label
        results.append(r)
        w = r.summary["swarm"]
        slow, fast, n_slow, n_fast = peer_split(r)
        share = f"{slow / fast:.2f} ({n_slow}/{n_slow + n_fast})" if n_slow and fast else "-"
        print(f"{label:<22} {w['completion_seconds']:>10.2f} {r.goodput / 2**20:>8.1f} "
              f"{w['request_ms_p50']:>10.2f} {w['request_ms_p99']:>10.2f} {share:>17}")
        for e in r.events:
            print(f"{'':<22}   at {e.t_s:.2f} s: {e.what}")
    if a.out:
        for r in results:
            r.export(f"{a.out}/{r.label.replace(' ', '_').replace('%', 'pct').replace('+', 'and')}")
        files = swarmbench.plot(results, f"{a.out}/overlay", title="slow peer mix")
        print(f"results and overlay: {a.out} ({len(files)} graph files)")
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
