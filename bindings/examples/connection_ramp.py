"""Find the knee of a connection ramp: the connection count per leecher after
which swarm throughput stops rising.

One timed swarm over loopback whose connections per leecher go up step by
step (1, 2, 4, ... up to --max). The steps are a swarmbench.Timeline, so the
engine's controller thread applies them at the sample they are due, with no
Python in the loop. Each step's goodput is the mean of its samples once it
has settled (the first --settle share of the step is skipped); the knee is
the last count whose step raised goodput by more than --gain over the step
before. Storage "discard" (the default) measures the network path alone;
--storage files adds the disk.

Run (from a build with the Python module, e.g. build/release):

    PYTHONPATH=build/release/python python3 bindings/examples/connection_ramp.py
    PYTHONPATH=build/release/python python3 bindings/examples/connection_ramp.py --max 256 --step-s 3 --out ramp/

About 12 s with the defaults (7 steps of 1.5 s and set-up). --out DIR also
writes the results folder with its graphs (each step is a "phase" event).
"""
import argparse
import sys

import numpy

import swarmbench


def counts_up_to(start, top):
    counts = [start]
    while counts[-1] * 2 <= top:
        counts.append(counts[-1] * 2)
    if counts[-1] != top:
        counts.append(top)
    return counts


def step_means(result, counts, step_s, settle):
    """Mean goodput (bytes/s) of each step's settled samples."""
    t = result["t_s"]
    goodput = result["goodput_bps"]
    means = []
    for k in range(len(counts)):
        lo, hi = (k + settle) * step_s, (k + 1) * step_s
        window = goodput[(t > lo) & (t <= hi)]
        means.append(float(numpy.mean(window)) if window.size else float("nan"))
    return means


def find_knee(counts, means, gain):
    """The last count whose step gained more than `gain` over the previous step."""
    knee = counts[0]
    for k in range(1, len(counts)):
        if not means[k] > means[k - 1] * (1 + gain):
            break
        knee = counts[k]
    return knee


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--max", type=int, default=64, help="largest connection count per leecher (default 64)")
    p.add_argument("--start", type=int, default=1, help="first connection count (default 1)")
    p.add_argument("--step-s", type=float, default=1.5, help="seconds per step (default 1.5)")
    p.add_argument("--settle", type=float, default=0.3, help="share of each step skipped as settling (default 0.3)")
    p.add_argument("--gain", type=float, default=0.05, help="smallest gain that counts as rising (default 0.05)")
    p.add_argument("--seeders", type=int, default=2)
    p.add_argument("--leechers", type=int, default=2)
    p.add_argument("--size", default="256MiB", help="torrent size; leechers download it again and again")
    p.add_argument("--pipeline", type=int, default=4, help="requests in flight per connection (default 4)")
    p.add_argument("--rate-limit", default="8MiB",
                   help="per-connection upload limit, like a real peer's (default 8MiB; 0: none)")
    p.add_argument("--storage", default="discard", choices=["discard", "files"])
    p.add_argument("--backend", default="auto")
    p.add_argument("--out", help="also write the results folder and graphs here")
    a = p.parse_args(argv)

    counts = counts_up_to(a.start, a.max)
    timeline = swarmbench.Timeline()
    for k, n in enumerate(counts):
        timeline.phase(k * a.step_s, f"{n} connections", connections_per_leecher=n)
    rate = int(a.rate_limit) if a.rate_limit.isdigit() else a.rate_limit
    scenario = swarmbench.Scenario(torrent_size=a.size, seeders=a.seeders, leechers=a.leechers,
                                   connections_per_leecher=counts[0], pipeline=a.pipeline, rate_limit=rate,
                                   storage=a.storage, backend=a.backend, duration_s=len(counts) * a.step_s,
                                   interval_ms=100)
    print(f"ramp {counts} connections per leecher, {a.step_s:g} s each, {a.leechers} leechers, "
          f"{a.seeders} seeders, storage {a.storage}", flush=True)
    result = swarmbench.run(scenario, timeline=timeline, output_dir=a.out)

    means = step_means(result, counts, a.step_s, a.settle)
    print(f"{'connections':>12} {'total':>7} {'goodput MiB/s':>14} {'gain':>7}")
    for k, (n, m) in enumerate(zip(counts, means)):
        gain = "" if k == 0 else f"{(m / means[k - 1] - 1) * 100:+6.1f}%"
        print(f"{n:>12} {n * a.leechers:>7} {m / 2**20:>14.1f} {gain:>7}")
    knee = find_knee(counts, means, a.gain)
    print(f"knee: {knee} connections per leecher ({knee * a.leechers} in all); more connections raise goodput "
          f"by less than {a.gain:.0%} ({result.backend})")
    if a.out:
        print(f"results: {a.out}")
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
