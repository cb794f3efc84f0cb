"""Shared helpers of the swarmbench.port tests (test_port_*.py, test_bt.py,
test_examples_port.py): the backend fixture, bounded waits and socket pairs.

Every test that takes the `backend` fixture runs once per backend compiled
into this build and skips, naming the reason, where one cannot run here.
"""
from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Callable, Iterator

import pytest

from swarmbench import port

DEADLINE_S = 20.0  # no single wait in these tests may take longer


@pytest.fixture(params=port.compiled_backends())
def backend(request: pytest.FixtureRequest) -> str:
    why = port.unavailable_reason(request.param)
    if why is not None:
        pytest.skip(f"{request.param} unavailable here: {why}")
    return request.param


@pytest.fixture
def p(backend: str) -> Iterator[port.Port]:
    with port.Port(backend) as the_port:
        assert the_port.backend == backend
        yield the_port


def collect(p: port.Port, done: Callable[[list[port.Completion]], bool],
            seconds: float = DEADLINE_S) -> list[port.Completion]:
    """wait()s until done(all completions so far) or the deadline; fails on the deadline."""
    out: list[port.Completion] = []
    deadline = time.monotonic() + seconds
    while not done(out):
        left = deadline - time.monotonic()
        if left <= 0:
            pytest.fail(f"deadline: {len(out)} completions after {seconds} s: {out!r}")
        out.extend(p.wait(timeout=min(left, 1.0)))
    return out


def collect_n(p: port.Port, n: int, seconds: float = DEADLINE_S) -> list[port.Completion]:
    """Exactly the next n completions (fails if more or fewer arrive)."""
    out = collect(p, lambda cs: len(cs) >= n, seconds)
    assert len(out) == n, out
    return out


def ok(c: port.Completion) -> port.Completion:
    """c, asserting it succeeded (with the engine's message when not)."""
    assert c.error is None, c.message
    return c


def socket_pair(p: port.Port) -> tuple[port.Socket, port.Socket]:
    """(client, server): a connected loopback pair owned by p."""
    with p.listen(("127.0.0.1", 0)) as listener:
        p.accept(listener, tag="accept")
        client = p.tcp_socket()
        p.connect(client, listener.local_address, timeout=10, tag="connect")
        cs = {c.tag: ok(c) for c in collect_n(p, 2)}
    server = cs["accept"].socket
    assert isinstance(server, port.Socket)
    return client, server


def cli_binary() -> Path | None:
    """The swarmbench command line of the build tree the package came from."""
    import swarmbench

    build = Path(swarmbench.__file__).resolve().parent.parent.parent
    candidate = build / "app" / "cli" / "swarmbench"
    return candidate if candidate.exists() and os.access(candidate, os.X_OK) else None


def source_dir() -> Path:
    return Path(os.environ.get("SWARMBENCH_SOURCE_DIR", Path(__file__).resolve().parent.parent.parent))
