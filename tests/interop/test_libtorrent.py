"""swarmbench's fake peers against a real libtorrent session (Debian's
python3-libtorrent 2.0), on loopback, both directions, every byte checked.

- reference: libtorrent seeds libtorrent, no swarmbench involved: proves the
  harness (sessions, torrents, tree compare) before it judges swarmbench.
- upload: swarmbench's seeders dial libtorrent and serve it the torrent;
  libtorrent's own hash checks (is_seeding) and a compare of its files with
  `swarmbench gen-data` output.
- download: libtorrent seeds, swarmbench's leechers dial it; every leecher's
  files compared with the original (and a discard run counting pieces).
- seed: swarmbench's seeders listen, libtorrent dials them.
- from files: the same both ways with a `make-torrent --from` torrent of
  random bytes, served from the files (--data).

Each run is bounded (swarmbench --timeout, and the harness's deadlines);
nothing asserts timings.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from clients import (LOOPBACK, CliRun, LibtorrentPeer, assert_download_ok, assert_same_tree, assert_upload_ok,
                     cli_process, describe_torrent, free_ports, info_hash_hex, listening, make_random_torrent,
                     run_cli, swarmbench_synthetic_torrent, swarmbench_torrent_from, wait_until, write_random_files)

MiB = 1 << 20
RUN_TIMEOUT_S = 60     # swarmbench --timeout
WAIT_TIMEOUT_S = 90    # harness bound on a run (above --timeout: it ends itself first)
COMMON = ["--no-progress", "--no-graphs"]

LtPeers = Callable[..., LibtorrentPeer]


def report(what: str, run: CliRun | None = None, peer: LibtorrentPeer | None = None, handle: Any = None) -> None:
    """Prints what the client and swarmbench did (shown with pytest -rP)."""
    print(f"== {what}")
    if run is not None:
        print(f"  swarmbench exit {run.returncode} in {run.seconds:.1f} s, status {run.status}")
        print(f"  swarm: {run.swarm}")
        print(f"  peer states: {run.peer_states()}")
    if peer is not None and handle is not None:
        print(f"  libtorrent stats: {peer.stats(handle)}")
        print(f"  libtorrent disconnects: {peer.disconnects[:10]}")
        print(f"  libtorrent errors: {peer.errors[:10]}")


# ----------------------------------------------------------------------------
# The harness's own reference: libtorrent to libtorrent
# ----------------------------------------------------------------------------


def test_reference_libtorrent_seeds_libtorrent(tmp_path: Path, lt_peers: LtPeers, libtorrent: Any) -> None:
    torrent, content = make_random_torrent(tmp_path, "reference", 32 * MiB, 256 * 1024, files=4, seed=7)
    t = describe_torrent(torrent, content)
    assert t.infohash == str(libtorrent.torrent_info(str(torrent)).info_hash())  # our bencode walk is right
    seeder, leecher = lt_peers("lt-seeder"), lt_peers("lt-leecher")
    hs = seeder.add_torrent(torrent, content, seed=True)
    hl = leecher.add_torrent(torrent, tmp_path / "lt-download")
    leecher.connect_peer(hl, LOOPBACK, seeder.port)
    st = leecher.wait_until_seeding(hl, WAIT_TIMEOUT_S)
    report("reference libtorrent -> libtorrent", peer=leecher, handle=hl)
    assert st.total_wanted_done == t.total_size
    wait_until(lambda: seeder.stats(hs)["uploaded"] >= t.total_size, 10,
               "libtorrent's uploaded payload counter (updated on its stats tick)")
    assert_same_tree(t.content, tmp_path / "lt-download" / t.name)


# ----------------------------------------------------------------------------
# swarmbench upload: our seeders dial libtorrent
# ----------------------------------------------------------------------------


def test_upload_to_libtorrent(tmp_path: Path, cli: str, lt_peers: LtPeers) -> None:
    t = swarmbench_synthetic_torrent(cli, tmp_path, size="32MiB", files=4, seed=11)
    lt = lt_peers("lt-leecher")
    h = lt.add_torrent(t.torrent, tmp_path / "lt-download")
    run = run_cli(cli, ["upload", "--torrent", str(t.torrent), "--target", f"{LOOPBACK}:{lt.port}",
                        "--connections", "4", "--timeout", str(RUN_TIMEOUT_S), *COMMON],
                  out_dir=tmp_path / "upload", timeout=WAIT_TIMEOUT_S)
    report("upload -> libtorrent", run, lt, h)
    assert_upload_ok(run)
    st = lt.wait_until_seeding(h, 30)
    assert st.total_wanted_done == t.total_size
    wait_until(lambda: lt.stats(h)["downloaded"] >= t.total_size, 10,
               "libtorrent's downloaded payload counter (updated on its stats tick)")
    assert_same_tree(t.content, tmp_path / "lt-download" / t.name)


# ----------------------------------------------------------------------------
# swarmbench download: our leechers dial a seeding libtorrent
# ----------------------------------------------------------------------------


def _seeding_libtorrent(tmp_path: Path, cli: str, lt_peers: LtPeers, seed: int) -> tuple[Any, LibtorrentPeer, Any]:
    t = swarmbench_synthetic_torrent(cli, tmp_path, size="32MiB", files=4, seed=seed)
    lt = lt_peers("lt-seeder")
    h = lt.add_torrent(t.torrent, t.content_parent, seed=True)
    lt.wait_until_seeding(h, 10)
    return t, lt, h


def test_download_from_libtorrent_files(tmp_path: Path, cli: str, lt_peers: LtPeers) -> None:
    t, lt, h = _seeding_libtorrent(tmp_path, cli, lt_peers, seed=12)
    leechers = 4
    data = tmp_path / "leechers"
    run = run_cli(cli, ["download", "--torrent", str(t.torrent), "--target", f"{LOOPBACK}:{lt.port}",
                        "--connections", str(leechers), "--storage", "files", "--data-dir", str(data),
                        "--timeout", str(RUN_TIMEOUT_S), *COMMON],
                  out_dir=tmp_path / "download", timeout=WAIT_TIMEOUT_S)
    report("download <- libtorrent (files)", run, lt, h)
    assert_download_ok(run, leechers, t.piece_count)
    for k in range(1, leechers + 1):
        assert_same_tree(t.content, data / f"leecher-{k:02}" / t.name)
    wait_until(lambda: lt.stats(h)["uploaded"] >= leechers * t.total_size, 10,
               "libtorrent's uploaded payload counter (updated on its stats tick)")


def test_download_from_libtorrent_discard(tmp_path: Path, cli: str, lt_peers: LtPeers) -> None:
    t, lt, h = _seeding_libtorrent(tmp_path, cli, lt_peers, seed=13)
    leechers = 8
    run = run_cli(cli, ["download", "--torrent", str(t.torrent), "--target", f"{LOOPBACK}:{lt.port}",
                        "--connections", str(leechers), "--storage", "discard",
                        "--timeout", str(RUN_TIMEOUT_S), *COMMON],
                  out_dir=tmp_path / "download", timeout=WAIT_TIMEOUT_S)
    report("download <- libtorrent (discard)", run, lt, h)
    assert_download_ok(run, leechers, t.piece_count)
    wait_until(lambda: lt.stats(h)["uploaded"] >= leechers * t.total_size, 10,
               "libtorrent's uploaded payload counter (updated on its stats tick)")


# ----------------------------------------------------------------------------
# swarmbench seed: libtorrent dials our listening seeders
# ----------------------------------------------------------------------------


def test_seed_to_libtorrent(tmp_path: Path, cli: str, lt_peers: LtPeers) -> None:
    t = swarmbench_synthetic_torrent(cli, tmp_path, size="32MiB", files=4, seed=14)
    lt = lt_peers("lt-leecher")
    h = lt.add_torrent(t.torrent, tmp_path / "lt-download")
    seeders = 4
    base = free_ports(seeders)
    with cli_process(cli, ["seed", "--torrent", str(t.torrent), "--listen", f"{LOOPBACK}:{base}",
                           "--peers", str(seeders), "--timeout", str(RUN_TIMEOUT_S), *COMMON],
                     out_dir=tmp_path / "seed") as proc:
        for port in range(base, base + seeders):
            wait_until(lambda p=port: listening(LOOPBACK, p) or proc.proc.poll() is not None, 20,
                       f"swarmbench seed to listen on {LOOPBACK}:{port}")
            assert proc.proc.poll() is None, f"swarmbench seed exited early: {proc.stderr_tail()}"
            lt.connect_peer(h, LOOPBACK, port)
        run = proc.wait(WAIT_TIMEOUT_S)
    report("seed <- libtorrent dials", run, lt, h)
    assert_upload_ok(run)
    st = lt.wait_until_seeding(h, 30)
    assert st.total_wanted_done == t.total_size
    assert_same_tree(t.content, tmp_path / "lt-download" / t.name)


# ----------------------------------------------------------------------------
# A torrent of existing files (make-torrent --from), served from --data
# ----------------------------------------------------------------------------


def _random_content_torrent(tmp_path: Path, cli: str, seed: int) -> Any:
    content_parent = tmp_path / "random-content"
    write_random_files(content_parent / "random-files", 40 * MiB + 12345, files=3, seed=seed)
    t = swarmbench_torrent_from(cli, tmp_path, content_parent, "random-files")
    assert t.infohash == info_hash_hex(t.torrent)
    return t


def test_upload_from_files_to_libtorrent(tmp_path: Path, cli: str, lt_peers: LtPeers, libtorrent: Any) -> None:
    t = _random_content_torrent(tmp_path, cli, seed=21)
    assert t.infohash == str(libtorrent.torrent_info(str(t.torrent)).info_hash())
    lt = lt_peers("lt-leecher")
    h = lt.add_torrent(t.torrent, tmp_path / "lt-download")
    run = run_cli(cli, ["upload", "--torrent", str(t.torrent), "--data", str(t.content_parent),
                        "--target", f"{LOOPBACK}:{lt.port}", "--connections", "4",
                        "--timeout", str(RUN_TIMEOUT_S), *COMMON],
                  out_dir=tmp_path / "upload", timeout=WAIT_TIMEOUT_S)
    report("upload --data -> libtorrent", run, lt, h)
    assert_upload_ok(run)
    st = lt.wait_until_seeding(h, 30)
    assert st.total_wanted_done == t.total_size
    assert_same_tree(t.content, tmp_path / "lt-download" / t.name)


def test_download_from_files_from_libtorrent(tmp_path: Path, cli: str, lt_peers: LtPeers) -> None:
    t = _random_content_torrent(tmp_path, cli, seed=22)
    lt = lt_peers("lt-seeder")
    h = lt.add_torrent(t.torrent, t.content_parent, seed=True)
    leechers = 2
    data = tmp_path / "leechers"
    run = run_cli(cli, ["download", "--torrent", str(t.torrent), "--target", f"{LOOPBACK}:{lt.port}",
                        "--connections", str(leechers), "--storage", "files", "--data-dir", str(data),
                        "--timeout", str(RUN_TIMEOUT_S), *COMMON],
                  out_dir=tmp_path / "download", timeout=WAIT_TIMEOUT_S)
    report("download <- libtorrent (make-torrent --from)", run, lt, h)
    assert_download_ok(run, leechers, t.piece_count)
    for k in range(1, leechers + 1):
        assert_same_tree(t.content, data / f"leecher-{k:02}" / t.name)


# ----------------------------------------------------------------------------
# A client that goes away and comes back
# ----------------------------------------------------------------------------


def test_upload_redials_a_client_that_vanishes_and_comes_back(tmp_path: Path, cli: str, lt_peers: LtPeers) -> None:
    """libtorrent takes part of the torrent, its session is shut down (the
    client is gone: refused connects), then a new session on the same port
    and folder picks up where it left: swarmbench says it has no connection,
    redials with backoff, and completes; every byte checked."""
    t = swarmbench_synthetic_torrent(cli, tmp_path, size="64MiB", files=4, seed=17)
    port = free_ports()
    download = tmp_path / "lt-download"
    # 4 x 4 MiB/s: the first session cannot finish before it is shut down.
    args = ["upload", "--torrent", str(t.torrent), "--target", f"{LOOPBACK}:{port}", "--connections", "4",
            "--rate-limit", "4MiB", "--client-grace", "60", "--timeout", str(RUN_TIMEOUT_S), "--no-graphs"]
    with cli_process(cli, args, out_dir=tmp_path / "upload") as proc:
        first = lt_peers("lt-first", port)
        h1 = first.add_torrent(t.torrent, download)
        wait_until(lambda: h1.status().progress >= 0.1, 30, "the first session to take 10% of the torrent")
        assert not h1.status().is_seeding
        first.close()  # gone: its port refuses
        # Progress lines come once a second on a pipe; the warning after a second without the client.
        wait_until(lambda: "no connection to the client" in proc.stderr_path.read_text(errors="replace"), 20,
                   "swarmbench to say it has no connection to the client")
        second = lt_peers("lt-second", port)
        h2 = second.add_torrent(t.torrent, download)  # checks what the first one wrote, then resumes
        second.wait_until_seeding(h2, WAIT_TIMEOUT_S)
        run = proc.wait(WAIT_TIMEOUT_S)
    report("upload -> libtorrent that vanished and came back", run, second, h2)
    assert_upload_ok(run)
    assert run.swarm.get("client_redials", 0) >= 1, run.describe()
    assert run.swarm.get("client_down_s_max", 0) >= 1, run.describe()
    assert_same_tree(t.content, download / t.name)
