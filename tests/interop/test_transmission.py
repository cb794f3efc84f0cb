"""swarmbench's fake peers against transmission-daemon 3.00 on loopback, both
directions, every byte checked.

Transmission never dials peers in 127.0.0.0/8, so whoever talks to it dials
its peer-port; and it waits 10 to 13 s before moving data in either
direction, so these tests carry that slack (and there are few of them).

- reference: libtorrent seeds transmission (libtorrent dials in), and
  transmission seeds libtorrent: the harness proven without swarmbench.
- upload: swarmbench's seeders dial transmission and serve it the torrent;
  transmission's own checks ("Percent Done: 100%", "Corrupt DL: None") and a
  compare of its files with `swarmbench gen-data` output.
- download: transmission seeds gen-data content (verified by transmission
  first), swarmbench's leechers dial it; every leecher's files compared.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from clients import (LOOPBACK, CliRun, LibtorrentPeer, TransmissionDaemon, assert_download_ok, assert_same_tree,
                     assert_upload_ok, describe_torrent, make_random_torrent, run_cli, swarmbench_synthetic_torrent,
                     wait_until)

MiB = 1 << 20
RUN_TIMEOUT_S = 90     # swarmbench --timeout: transmission idles 10-13 s first
WAIT_TIMEOUT_S = 120   # harness bound on a run (above --timeout: it ends itself first)
COMMON = ["--no-progress", "--no-graphs"]

LtPeers = Callable[[str], LibtorrentPeer]


def report(what: str, tr: TransmissionDaemon, infohash: str, run: CliRun | None = None) -> None:
    """Prints what transmission and swarmbench did (shown with pytest -rP)."""
    print(f"== {what}")
    if run is not None:
        print(f"  swarmbench exit {run.returncode} in {run.seconds:.1f} s, status {run.status}")
        print(f"  swarm: {run.swarm}")
        print(f"  peer states: {run.peer_states()}")
    info = tr.info(infohash)
    print("  transmission: " + ", ".join(f"{k}: {info.get(k)}" for k in
                                          ("State", "Percent Done", "Have", "Downloaded", "Uploaded",
                                           "Corrupt DL", "Peers")))


def assert_transmission_has_all(tr: TransmissionDaemon, infohash: str, timeout: float) -> dict[str, str]:
    info = tr.wait_until_complete(infohash, timeout)
    assert info.get("Corrupt DL") == "None", info
    return info


# ----------------------------------------------------------------------------
# The harness's own reference: libtorrent and transmission
# ----------------------------------------------------------------------------


def test_reference_libtorrent_seeds_transmission(tmp_path: Path, transmission: TransmissionDaemon,
                                                 lt_peers: LtPeers) -> None:
    torrent, content = make_random_torrent(tmp_path, "reference", 32 * MiB, 256 * 1024, files=4, seed=31)
    t = describe_torrent(torrent, content)
    seeder = lt_peers("lt-seeder")
    hs = seeder.add_torrent(torrent, content, seed=True)
    h = transmission.add(torrent, tmp_path / "tr-download")
    assert h == t.infohash
    seeder.connect_peer(hs, LOOPBACK, transmission.peer_port)  # transmission never dials loopback
    assert_transmission_has_all(transmission, h, WAIT_TIMEOUT_S)
    report("reference libtorrent -> transmission", transmission, h)
    wait_until(lambda: seeder.stats(hs)["uploaded"] >= t.total_size, 10,
               "libtorrent's uploaded payload counter (updated on its stats tick)")
    assert_same_tree(t.content, tmp_path / "tr-download" / t.name)


def test_reference_transmission_seeds_libtorrent(tmp_path: Path, transmission: TransmissionDaemon,
                                                 lt_peers: LtPeers) -> None:
    torrent, content = make_random_torrent(tmp_path, "reference", 32 * MiB, 256 * 1024, files=4, seed=32)
    t = describe_torrent(torrent, content)
    h = transmission.add(torrent, content)
    assert_transmission_has_all(transmission, h, 60)  # it verifies the existing files first
    leecher = lt_peers("lt-leecher")
    hl = leecher.add_torrent(torrent, tmp_path / "lt-download")
    leecher.connect_peer(hl, LOOPBACK, transmission.peer_port)
    st = leecher.wait_until_seeding(hl, WAIT_TIMEOUT_S)
    report("reference transmission -> libtorrent", transmission, h)
    assert st.total_wanted_done == t.total_size
    assert_same_tree(t.content, tmp_path / "lt-download" / t.name)


# ----------------------------------------------------------------------------
# swarmbench against transmission
# ----------------------------------------------------------------------------


def test_upload_to_transmission(tmp_path: Path, cli: str, transmission: TransmissionDaemon) -> None:
    t = swarmbench_synthetic_torrent(cli, tmp_path, size="32MiB", files=4, seed=41)
    h = transmission.add(t.torrent, tmp_path / "tr-download")
    assert h == t.infohash
    run = run_cli(cli, ["upload", "--torrent", str(t.torrent), "--target", f"{LOOPBACK}:{transmission.peer_port}",
                        "--connections", "4", "--timeout", str(RUN_TIMEOUT_S), *COMMON],
                  out_dir=tmp_path / "upload", timeout=WAIT_TIMEOUT_S)
    report("upload -> transmission", transmission, h, run)
    assert_upload_ok(run)
    assert_transmission_has_all(transmission, h, 30)
    assert_same_tree(t.content, tmp_path / "tr-download" / t.name)


def test_download_from_transmission(tmp_path: Path, cli: str, transmission: TransmissionDaemon) -> None:
    t = swarmbench_synthetic_torrent(cli, tmp_path, size="32MiB", files=4, seed=42)
    h = transmission.add(t.torrent, t.content_parent)
    assert_transmission_has_all(transmission, h, 60)  # it verifies gen-data's files first
    leechers = 4
    data = tmp_path / "leechers"
    # Transmission answers a connection's requests in rounds about 500 ms
    # apart, so its rate is pipeline x 16 KiB per round: a pipeline of 16
    # took about 75 s here; download's default (500, within the 512 its reqq
    # allows) about 15 s, most of it transmission's start delay.
    run = run_cli(cli, ["download", "--torrent", str(t.torrent), "--target", f"{LOOPBACK}:{transmission.peer_port}",
                        "--connections", str(leechers), "--storage", "files",
                        "--data-dir", str(data), "--timeout", str(RUN_TIMEOUT_S), *COMMON],
                  out_dir=tmp_path / "download", timeout=WAIT_TIMEOUT_S)
    report("download <- transmission", transmission, h, run)
    assert_download_ok(run, leechers, t.piece_count)
    for k in range(1, leechers + 1):
        assert_same_tree(t.content, data / f"leecher-{k:02}" / t.name)
