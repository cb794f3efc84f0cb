"""bindings/examples/python_peer.py end to end: the Python leecher (on
swarmbench.port) downloads a small synthetic torrent from a native
`swarmbench run` seeder and verifies every piece, on every backend."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from port_support import backend, cli_binary, source_dir  # noqa: F401 (fixture)


def test_python_peer_downloads_from_a_native_seeder(backend):
    cli = cli_binary()
    if cli is None:
        pytest.skip("the swarmbench command line is not built in this build tree")
    example = source_dir() / "bindings" / "examples" / "python_peer.py"
    run = subprocess.run([sys.executable, str(example), "--size", "4MiB", "--piece-size", "64KiB",
                          "--content-seed", "5", "--pipeline", "16", "--backend", backend,
                          "--swarmbench", str(cli), "--timeout", "60"],
                         capture_output=True, text=True, timeout=150, env=os.environ.copy())
    assert run.returncode == 0, run.stdout + run.stderr
    assert "verified 64/64 pieces (4.0 MiB)" in run.stdout, run.stdout
    assert "0 hash failures" in run.stdout
    assert f"over {backend}" in run.stdout
    assert "native seeder: status interrupted" in run.stdout, run.stdout
