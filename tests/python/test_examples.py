"""The runnable examples in bindings/examples/ run to the end with small
arguments and print what they promise.
"""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(os.environ.get("SWARMBENCH_SOURCE_DIR", Path(__file__).resolve().parents[2])) / "bindings" / "examples"


def example(name, *args, timeout=180):
    out = subprocess.run([sys.executable, str(EXAMPLES / name), *args], capture_output=True, text=True,
                         timeout=timeout, env=dict(os.environ))
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout


@pytest.mark.parametrize("name", ["connection_ramp.py", "slow_peer_mix.py", "backends_overlay.py"])
def test_example_says_how_to_run_it(name):
    text = (EXAMPLES / name).read_text()
    doc = text.split('"""')[1]
    assert "Run" in doc and f"bindings/examples/{name}" in doc


def test_connection_ramp(tmp_path):
    out = example("connection_ramp.py", "--max", "8", "--step-s", "0.6", "--size", "32MiB", "--rate-limit", "4MiB",
                  "--out", str(tmp_path / "ramp"))
    rows = re.findall(r"^\s+(\d+)\s+\d+\s+([\d.]+)", out, re.M)
    assert [int(n) for n, _ in rows] == [1, 2, 4, 8]
    knee = int(re.search(r"^knee: (\d+) connections per leecher", out, re.M).group(1))
    assert knee in (1, 2, 4, 8)
    assert (tmp_path / "ramp" / "throughput.png").exists()
    assert "phase 8 connections" in (tmp_path / "ramp" / "results.json").read_text()


def test_slow_peer_mix(tmp_path):
    out = example("slow_peer_mix.py", "--size", "8MiB", "--stall-at", "0.05", "--stall-s", "0.2",
                  "--out", str(tmp_path / "mix"))
    assert "all fast" in out and "25% slow + stall" in out
    assert re.search(r"stall 4 connections for 0.2 s", out)
    assert (tmp_path / "mix" / "overlay" / "latency.svg").exists()


def test_backends_overlay(tmp_path):
    out = example("backends_overlay.py", "--size", "16MiB", "--seconds", "0.5", "--out", str(tmp_path))
    assert "overlay:" in out
    assert (tmp_path / "overlay" / "throughput.png").exists()
    ran = re.findall(r"^(\w+)\s+[\d.]+ MiB/s goodput", out, re.M)
    assert ran and all((tmp_path / name / "results.json").exists() for name in ran)
