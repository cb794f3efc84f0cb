"""Fixtures of the interop tests: the swarmbench binary, libtorrent sessions
and a transmission daemon, each under the test's tmp_path and shut down when
the test ends, pass or fail (see clients.py for the harness itself).

A missing client skips the tests that need it, naming the Debian package; a
missing swarmbench binary skips the tests that run it. Both clients are in
scripts/debian-packages.txt, so in CI nothing skips.
"""
from __future__ import annotations

import contextlib
import shutil
from pathlib import Path
from typing import Any, Callable, Generator, Iterator

import pytest

import clients

BULK_BYTES = 1 << 20  # files above this are test data, not logs


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    """Keeps each phase's report on the test item (for _drop_bulk_data)."""
    outcome: Any = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(autouse=True)
def _drop_bulk_data(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[None]:
    """After a test passed (and its clients are shut down: this fixture is
    set up first, so torn down last), deletes its content and downloads,
    keeping logs, results.json and .torrent files. A failed test keeps
    everything for inspection."""
    yield
    report = getattr(request.node, "report_call", None)
    if report is None or not report.passed:
        return
    for path in tmp_path.rglob("*"):
        if path.is_file() and path.stat().st_size > BULK_BYTES and path.suffix not in (".log", ".json", ".torrent"):
            path.unlink()


@pytest.fixture
def cli() -> str:
    """Path of the swarmbench binary under test ($SWARMBENCH_CLI, set by
    CTest to the one just built)."""
    path = clients.find_cli()
    if path is None:
        pytest.skip("no swarmbench binary: set SWARMBENCH_CLI, build build/release, or put swarmbench on PATH")
    return path


@pytest.fixture
def libtorrent() -> Any:
    """The libtorrent module (Debian's python3-libtorrent, for /usr/bin/python3)."""
    return pytest.importorskip("libtorrent", reason="needs python3-libtorrent (run with Debian's /usr/bin/python3)")


@pytest.fixture
def lt_peers(libtorrent: Any, tmp_path: Path) -> Iterator[Callable[[str], clients.LibtorrentPeer]]:
    """Factory of libtorrent sessions: lt_peers("seeder") starts one on
    127.0.0.1 (at `port`, else one the OS picks); all are shut down at the end
    of the test."""
    with contextlib.ExitStack() as stack:
        def start(name: str = "libtorrent", port: int = 0) -> clients.LibtorrentPeer:
            return stack.enter_context(clients.LibtorrentPeer(tmp_path, name, port))
        yield start


@pytest.fixture
def transmission(tmp_path: Path) -> Iterator[clients.TransmissionDaemon]:
    """A running transmission-daemon with RPC answering; stopped at the end."""
    for tool in ("transmission-daemon", "transmission-remote"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} not installed (Debian packages transmission-daemon, transmission-cli)")
    with clients.TransmissionDaemon(tmp_path) as daemon:
        yield daemon
