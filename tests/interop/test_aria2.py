"""swarmbench's fake peers against aria2 1.36 (Debian's aria2c) on loopback,
both directions, every byte checked.

aria2 bends the protocol the way real clients do and libtorrent accepts:
once several pieces are done it sends a second BITFIELD in mid-connection
instead of a batch of HAVEs, and HAVE ALL when it completes. Fake seeders
that refused a late BITFIELD dropped it within seconds; these tests hold
the fix: no protocol error, each bend counted in the peers' notes.

- upload: swarmbench's seeders dial aria2, which downloads (and hash-checks
  every piece); its files compared with `swarmbench gen-data` output.
- download: aria2 seeds gen-data content (checked by aria2 first),
  swarmbench's leechers dial it; every leecher's files compared.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from clients import (LOOPBACK, Aria2c, CliRun, assert_download_ok, assert_same_tree, assert_upload_ok, run_cli,
                     swarmbench_synthetic_torrent, wait_until)

RUN_TIMEOUT_S = 60     # swarmbench --timeout
WAIT_TIMEOUT_S = 90    # harness bound on a run (above --timeout: it ends itself first)
COMMON = ["--no-progress", "--no-graphs"]

pytestmark = pytest.mark.skipif(shutil.which("aria2c") is None, reason="aria2c not installed (Debian package aria2)")


def notes_of(run: CliRun) -> dict[str, int]:
    """Every peer's notes (bends we accepted), summed."""
    total: dict[str, int] = {}
    for p in (run.results or {}).get("peers") or []:
        for what, count in (p.get("notes") or {}).items():
            total[what] = total.get(what, 0) + count
    return total


def report(what: str, run: CliRun, aria: Aria2c) -> None:
    """Prints what aria2 and swarmbench did (shown with pytest -rP)."""
    print(f"== {what}")
    print(f"  swarmbench exit {run.returncode} in {run.seconds:.1f} s, status {run.status}")
    print(f"  swarm: {run.swarm}")
    print(f"  peer states: {run.peer_states()}")
    print(f"  notes: {notes_of(run)}")
    print("  aria2: " + " | ".join(aria.log_text().strip().splitlines()[-3:]))


def test_upload_to_aria2(tmp_path: Path, cli: str) -> None:
    t = swarmbench_synthetic_torrent(cli, tmp_path, size="64MiB", piece_size="256KiB", files=4, seed=51)
    download = tmp_path / "aria2-download"
    with Aria2c(tmp_path, t.torrent, download) as aria:
        run = run_cli(cli, ["upload", "--torrent", str(t.torrent), "--target", f"{LOOPBACK}:{aria.port}",
                            "--connections", "8", "--timeout", str(RUN_TIMEOUT_S), *COMMON],
                      out_dir=tmp_path / "upload", timeout=WAIT_TIMEOUT_S)
        report("upload -> aria2", run, aria)
        assert_upload_ok(run)
        # It announced every piece after its own hash checks; its writes are
        # in the page cache by then, where the compare reads them.
        wait_until(lambda: (download / t.name).is_dir(), 10, "aria2's download folder")
        assert_same_tree(t.content, download / t.name)


def test_download_from_aria2(tmp_path: Path, cli: str) -> None:
    t = swarmbench_synthetic_torrent(cli, tmp_path, size="64MiB", piece_size="256KiB", files=4, seed=52)
    leechers = 4
    data = tmp_path / "leechers"
    with Aria2c(tmp_path, t.torrent, t.content_parent, seed=True) as aria:
        run = run_cli(cli, ["download", "--torrent", str(t.torrent), "--target", f"{LOOPBACK}:{aria.port}",
                            "--connections", str(leechers), "--storage", "files", "--data-dir", str(data),
                            "--timeout", str(RUN_TIMEOUT_S), *COMMON],
                      out_dir=tmp_path / "download", timeout=WAIT_TIMEOUT_S)
        report("download <- aria2", run, aria)
    assert_download_ok(run, leechers, t.piece_count)
    for k in range(1, leechers + 1):
        assert_same_tree(t.content, data / f"leecher-{k:02}" / t.name)
