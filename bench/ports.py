"""Free loopback ports for the benchmarks' own listeners (bench/run.py, bench/soak.py)."""
from __future__ import annotations

import random
import socket


def free_port_range(count: int) -> int:
    """A base port with `count` free ports above it on 127.0.0.1 (checked, then
    released: a run that still finds one taken fails with "port in use" and the
    round is retried on another range). Drawn from the system's randomness, not
    the soak's seed, so two soaks started together do not pick the same ranges."""
    rng = random.SystemRandom()
    for _ in range(200):
        base = rng.randrange(20000, 32000 - count)  # below the ephemeral range (32768..)
        socks: list[socket.socket] = []
        try:
            for i in range(count):
                s = socket.socket()
                socks.append(s)
                s.bind(("127.0.0.1", base + i))
            return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no free port range found on 127.0.0.1")
