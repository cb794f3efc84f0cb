"""Fake peers against a real client, from Python: swarmbench.bt's torrent
tools (Torrent.load / save, content_seed, torrent_from_path, write_content,
verify_content) and upload_scenario / download_scenario / seed_scenario run
with swarmbench.run() against a libtorrent session (Debian's
python3-libtorrent) living in this process, on loopback; and the example
bindings/examples/against_libtorrent.py, which does the same.

Every run is bounded (the scenario's timeout_s) and every wait has a
deadline; nothing asserts timings. The libtorrent set-up is the minimum
tests/interop/clients.py (LibtorrentPeer) explains.
"""
from __future__ import annotations

import hashlib
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any, Callable

import pytest

import swarmbench
from swarmbench import bt
from port_support import cli_binary, source_dir

MiB = 1 << 20
LOOPBACK = "127.0.0.1"
RUN_TIMEOUT_S = 60  # each scenario's timeout_s: a run ends by itself within this
WAIT_S = 60         # deadline of each wait on libtorrent
POLL_S = 0.05       # how often a wait looks again


def wait_until(predicate: Callable[[], Any], timeout: float, what: str) -> Any:
    """Polls predicate() until it returns something truthy (returned), or
    TimeoutError naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(POLL_S)


def write_random_files(root: Path, sizes: dict[str, int], seed: int) -> None:
    rng = random.Random(seed)
    for rel, size in sizes.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(rng.randbytes(size))


def sparse_file(path: Path, size: int) -> Path:
    """A file of `size` zero bytes that takes no disk space (a hole)."""
    with path.open("wb") as f:
        f.truncate(size)
    return path


def free_port() -> int:
    """A free TCP port on loopback in 20000..32000 (below Linux's ephemeral
    range, so the kernel does not hand it out as a source port meanwhile)."""
    for _ in range(200):
        port = random.randrange(20000, 32000)
        with socket.socket() as s:
            try:
                s.bind((LOOPBACK, port))
                return port
            except OSError:
                continue
    raise RuntimeError("no free port found in 20000..32000")


def listening(port: int) -> bool:
    """Whether something listens on 127.0.0.1:port, read from /proc/net/tcp
    (asking does not open a connection the listener would count)."""
    want = "0100007F:%04X" % port
    lines = Path("/proc/net/tcp").read_text().splitlines()[1:]
    return any(f[1] == want and f[3] == "0A" for f in (line.split() for line in lines) if len(f) > 3)


# ----------------------------------------------------------------------------
# Torrent tools
# ----------------------------------------------------------------------------


def test_save_load_round_trip_keeps_info_hash_and_content_seed(tmp_path: Path) -> None:
    t = bt.synthetic_torrent(3 * MiB + 5, piece_size=64 * 1024, files=3, seed=77, name="round-trip")
    assert t.content_seed == 77
    path = tmp_path / "t.torrent"
    t.save(path)
    assert path.read_bytes() == t.encode()
    again = bt.Torrent.load(str(path))
    assert again.info_hash == t.info_hash and again.content_seed == 77
    assert again.files == t.files and again.name == "round-trip"
    assert bt.Torrent.parse(path.read_bytes()).content_seed == 77

    with pytest.raises(FileExistsError):
        bt.synthetic_torrent(64 * 1024, piece_size=16 * 1024, seed=1).save(path)
    assert bt.Torrent.load(path).content_seed == 77  # untouched
    bt.synthetic_torrent(64 * 1024, piece_size=16 * 1024, seed=1).save(path, overwrite=True)
    assert bt.Torrent.load(path).content_seed == 1
    with pytest.raises(ValueError, match=r"Torrent.load: .*missing.torrent: cannot read"):
        bt.Torrent.load(tmp_path / "missing.torrent")
    (tmp_path / "junk.torrent").write_bytes(b"d4:spam4:eggse")
    with pytest.raises(ValueError, match=r"Torrent.load: .*junk.torrent: not a valid .torrent"):
        bt.Torrent.load(tmp_path / "junk.torrent")


def test_write_content_then_verify_then_corrupt_one_byte(tmp_path: Path) -> None:
    t = bt.synthetic_torrent(1 * MiB + 12345, piece_size=64 * 1024, files=3, seed=5, name="content")
    root = bt.write_content(t, tmp_path)
    assert root == tmp_path / "content" and root.is_dir()
    for rel, length, offset in t.files:
        data = (tmp_path / rel).read_bytes()
        assert len(data) == length and data == bt.synthetic_bytes(5, offset, length)
    assert bt.verify_content(t, tmp_path) == (t.piece_count, 0, None, [])

    with pytest.raises(ValueError, match="write_content: .*already exist"):
        bt.write_content(t, tmp_path)
    assert bt.write_content(t, tmp_path, overwrite=True) == root

    # One flipped byte in the middle file: exactly the piece holding it is bad.
    rel, length, offset = t.files[1]
    f = tmp_path / rel
    data = bytearray(f.read_bytes())
    data[length // 2] ^= 0x40
    f.write_bytes(data)
    piece = (offset + length // 2) // t.piece_length
    report = bt.verify_content(t, tmp_path, hash_threads=1)
    assert (report.pieces, report.bad_pieces, report.first_bad_piece) == (t.piece_count, 1, piece)
    assert rel in report.first_bad_files

    f.write_bytes(data[:-1])  # the wrong size is an error naming the file
    with pytest.raises(ValueError, match="verify_content: .*file-0001"):
        bt.verify_content(t, tmp_path)
    with pytest.raises(ValueError, match="write_content: .*no synthetic content seed"):
        bt.write_content(bt.torrent_from_path(tmp_path / "content", piece_size=16 * 1024), tmp_path / "other")


def test_torrent_from_path_verifies_and_libtorrent_agrees(tmp_path: Path) -> None:
    sizes = {"a.bin": 1, "b.bin": 16383, "c/d.bin": 16385, "c/e/f.bin": 100_000, ".hidden": 262_145, "empty": 0}
    write_random_files(tmp_path / "parent" / "odd", sizes, seed=3)
    t = bt.torrent_from_path(tmp_path / "parent" / "odd", piece_size=16 * 1024, announce="http://tracker.invalid/a")
    assert t.content_seed is None and t.name == "odd" and t.multi_file
    assert t.total_length == sum(sizes.values()) and t.announce == "http://tracker.invalid/a"
    assert sorted(rel for rel, _, _ in t.files) == sorted(f"odd/{rel}" for rel in sizes)
    assert bt.verify_content(t, tmp_path / "parent") == (t.piece_count, 0, None, [])
    path = tmp_path / "odd.torrent"
    t.save(path)

    single = bt.torrent_from_path(tmp_path / "parent" / "odd" / "c" / "e" / "f.bin", name="renamed.bin")
    assert not single.multi_file and single.name == "renamed.bin" and single.total_length == 100_000
    with pytest.raises(ValueError, match="torrent_from_path: .*nowhere"):
        bt.torrent_from_path(tmp_path / "nowhere")
    os.symlink(tmp_path / "odd.torrent", tmp_path / "parent" / "odd" / "link")
    with pytest.raises(ValueError, match="torrent_from_path: .*link"):
        bt.torrent_from_path(tmp_path / "parent" / "odd")

    try:
        import libtorrent as lt  # type: ignore[import]  # Debian ships no stubs
    except ImportError as e:
        pytest.skip(f"python3-libtorrent not importable ({e}): info-hash not compared with libtorrent's")
    info = lt.torrent_info(str(path))
    assert str(info.info_hash()) == t.info_hash_hex
    fs = info.files()
    assert [(fs.file_path(i), fs.file_size(i)) for i in range(fs.num_files())] == [
        (rel.replace("/", os.sep), length) for rel, length, _ in t.files]


def test_hashing_releases_the_gil(tmp_path: Path) -> None:
    # The counter thread gives the GIL back every iteration (sleep), so it
    # only counts while the hashing call does not hold the GIL.
    zeros = sparse_file(tmp_path / "zeros.bin", 512 * MiB)
    counter = [0]
    stop = threading.Event()

    def count() -> None:
        while not stop.is_set():
            counter[0] += 1
            time.sleep(0.001)

    th = threading.Thread(target=count)
    th.start()
    try:
        before = counter[0]
        t = bt.torrent_from_path(zeros, piece_size=4 * MiB, hash_threads=1)
        during = counter[0] - before
    finally:
        stop.set()
        th.join(timeout=10)
    assert t.piece_count == 128 and t.piece_hash(127) == hashlib.sha1(bytes(4 * MiB)).digest()
    assert during >= 10


@pytest.mark.skipif(not Path("/proc/self/io").exists(), reason="needs /proc/<pid>/io to see the hashing start")
def test_ctrl_c_stops_hashing(tmp_path: Path) -> None:
    # 512 GiB of holes: minutes of hashing, unless Ctrl-C stops it.
    zeros = sparse_file(tmp_path / "zeros.bin", 512 << 30)
    code = f"""
        from swarmbench import bt
        print("hashing", flush=True)
        bt.torrent_from_path({str(zeros)!r}, piece_size=16 << 20)
        print("finished", flush=True)
    """
    proc = subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=dict(os.environ))
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "hashing"

        def bytes_read() -> int:
            for line in Path(f"/proc/{proc.pid}/io").read_text().splitlines():
                if line.startswith("rchar:"):
                    return int(line.split()[1])
            return 0

        wait_until(lambda: bytes_read() >= 256 * MiB or proc.poll() is not None, 30, "the hashing to start")
        assert proc.poll() is None
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode != 0 and "finished" not in out
    assert "KeyboardInterrupt" in err, err


# ----------------------------------------------------------------------------
# The scenarios: what the command line builds, and what needs content
# ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["upload", "download", "seed"])
def test_scenarios_equal_the_command_lines(tmp_path: Path, role: str) -> None:
    cli = cli_binary()
    if cli is None:
        pytest.skip("the swarmbench command line is not built in this build tree")
    path = tmp_path / "t.torrent"
    bt.synthetic_torrent(MiB, piece_size=64 * 1024, seed=4).save(path)
    made, args = {
        "upload": (swarmbench.upload_scenario(path, "127.0.0.1:6881", connections=3, timeout_s=30,
                                              rate_limit="10MiB", link={"up": "1Mbit", "rtt_ms": 40}),
                   ["--target", "127.0.0.1:6881", "--connections", "3", "--rate-limit", "10MiB",
                    "--link", '{"up": "1Mbit", "rtt_ms": 40}']),
        "download": (swarmbench.download_scenario(path, "127.0.0.1:6881", connections=3, storage="discard",
                                                  timeout_s=30, link={"name": "dsl", "down": "16Mbit"}),
                     ["--target", "127.0.0.1:6881", "--connections", "3", "--storage", "discard",
                      "--link", '{"name": "dsl", "down": "16Mbit"}']),
        "seed": (swarmbench.seed_scenario(path, "127.0.0.1:7000", peers=3, timeout_s=30),
                 ["--listen", "127.0.0.1:7000", "--peers", "3"]),
    }[role]
    out = subprocess.run([str(cli), role, "--torrent", str(path), "--timeout", "30", *args, "--dump-scenario"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert made.to_dict() == json.loads(out.stdout)


def test_scenario_fields_and_bad_arguments(tmp_path: Path) -> None:
    path = tmp_path / "t.torrent"
    bt.synthetic_torrent(MiB, piece_size=64 * 1024, seed=4).save(path)
    up = swarmbench.upload_scenario(path, "127.0.0.1:6881", connections=5, spread_sources=False)
    assert (up.seeders, up.leechers, up.upload_to, up.storage) == (5, 0, ["127.0.0.1:6881"], "discard")
    assert up.torrent_file == str(path) and up.content_dir == "" and not up.spread_sources
    down = swarmbench.download_scenario(path, "127.0.0.1:6881", pipeline=64)
    assert (down.seeders, down.leechers, down.connections_per_leecher, down.connect_to) == (
        0, 8, 1, ["127.0.0.1:6881"])
    assert down.pipeline == 64 and down.storage == "files" and down.spread_sources
    seed = swarmbench.seed_scenario(path, "[::1]:7000", peers=2, seed=9)
    assert (seed.listen_host, seed.base_port, seed.seeders, seed.seed) == ("::1", 7000, 2, 9)

    with pytest.raises(TypeError, match="seeders is set by upload_scenario"):
        swarmbench.upload_scenario(path, "127.0.0.1:6881", seeders=3)
    with pytest.raises(ValueError, match="listen: expected"):
        swarmbench.seed_scenario(path, "7000")
    with pytest.raises(ValueError, match="upload_to"):
        swarmbench.upload_scenario(path, "no-port-here")
    with pytest.raises(ValueError, match="Torrent.load: .*missing.torrent"):
        swarmbench.download_scenario(tmp_path / "missing.torrent", "127.0.0.1:6881")

    # A link class for the fake peers: the seeding roles' seeders, download's leechers.
    linked = swarmbench.seed_scenario(path, peers=2, link={"name": "dsl", "up": "1Mbit", "rtt_ms": 40})
    assert [c["name"] for c in linked.links] == ["dsl"] and linked.seeder_link == "dsl"
    assert linked.links[0]["up"] == 125_000 and linked.links[0]["share"] == 1
    down_linked = swarmbench.download_scenario(path, "127.0.0.1:6881", link={"down": "16Mbit"})
    assert down_linked.links[0]["name"] == "link" and down_linked.seeder_link == ""
    with pytest.raises(ValueError, match="link: share: the fake peers are all of this one class"):
        swarmbench.upload_scenario(path, "127.0.0.1:6881", link={"share": 0.5})
    with pytest.raises(ValueError, match=r"link: rtt_ms: must be 0..10000 ms, got -1"):
        swarmbench.upload_scenario(path, "127.0.0.1:6881", link={"rtt_ms": -1})
    with pytest.raises(TypeError, match="link: expected a dict"):
        swarmbench.upload_scenario(path, "127.0.0.1:6881", link="dsl")


def test_a_torrent_without_content_seed_needs_data(tmp_path: Path) -> None:
    write_random_files(tmp_path / "content" / "files", {"x.bin": 70_000, "y.bin": 5}, seed=8)
    t = bt.torrent_from_path(tmp_path / "content" / "files", piece_size=16 * 1024)
    path = tmp_path / "files.torrent"
    t.save(path)
    for make in (lambda: swarmbench.upload_scenario(path, "127.0.0.1:6881"), lambda: swarmbench.seed_scenario(path)):
        with pytest.raises(ValueError, match=r"content cannot be generated: give data=DIR, .* files$"):
            make()
    served = swarmbench.upload_scenario(path, "127.0.0.1:6881", data=tmp_path / "content")
    assert served.content_dir == str(tmp_path / "content")
    assert swarmbench.download_scenario(path, "127.0.0.1:6881").torrent_file == str(path)  # leechers need none

    # A scenario made by hand gets the same advice from the engine at run time.
    raw = swarmbench.Scenario(torrent_file=str(path), seeders=1, leechers=0, storage="discard",
                              upload_to=[f"{LOOPBACK}:{free_port()}"], timeout_s=10)
    result = swarmbench.run(raw, check=False)
    assert result.status == "failed"
    assert any("give content_dir" in e for e in result.errors), result.errors


# ----------------------------------------------------------------------------
# Against libtorrent
# ----------------------------------------------------------------------------


class Libtorrent:
    """A libtorrent session on 127.0.0.1:<port>: TCP only (no DHT, LSD, UPnP,
    NAT-PMP or uTP), plain handshakes, several connections per IP (every
    fake peer is 127.0.0.x), no rate limits, a deep request queue."""

    def __init__(self, lt: Any) -> None:
        self.lt = lt
        self.session = lt.session({
            "listen_interfaces": f"{LOOPBACK}:0",
            "enable_dht": False, "enable_lsd": False, "enable_upnp": False, "enable_natpmp": False,
            "enable_incoming_utp": False, "enable_outgoing_utp": False,
            "allow_multiple_connections_per_ip": True,
            "out_enc_policy": int(lt.enc_policy.disabled), "in_enc_policy": int(lt.enc_policy.enabled),
            "upload_rate_limit": 0, "download_rate_limit": 0,
            "max_allowed_in_request_queue": 30000,
            "alert_mask": 0,  # nobody pops them
        })
        self.port: int = wait_until(self.session.listen_port, 10, "libtorrent to listen")

    def add(self, torrent: Path, save_path: Path, seed: bool = False) -> Any:
        """Adds a torrent, started at once (paused and auto_managed cleared);
        seed: the files in save_path are good (seed_mode: no check up front)."""
        lt = self.lt
        atp = lt.add_torrent_params()
        atp.ti = lt.torrent_info(str(torrent))
        atp.save_path = str(save_path)
        flags = atp.flags & ~lt.torrent_flags.paused & ~lt.torrent_flags.auto_managed
        flags |= lt.torrent_flags.disable_dht | lt.torrent_flags.disable_lsd | lt.torrent_flags.disable_pex
        if seed:
            flags |= lt.torrent_flags.seed_mode
        atp.flags = flags
        return self.session.add_torrent(atp)

    @staticmethod
    def describe(handle: Any) -> str:
        st = handle.status()
        return (f"libtorrent: state={st.state} progress={st.progress:.4f} peers={st.num_peers} "
                f"failed_bytes={st.total_failed_bytes} error={st.errc.message() if st.errc.value() else ''}")

    def wait_seeding(self, handle: Any, timeout: float) -> Any:
        def seeding() -> Any:
            st = handle.status()
            if st.errc.value():
                raise RuntimeError(self.describe(handle))
            return st if st.is_seeding else None
        try:
            return wait_until(seeding, timeout, "libtorrent to seed")
        except TimeoutError as e:
            raise TimeoutError(f"{e}: {self.describe(handle)}") from None

    @staticmethod
    def wait_files(t: bt.Torrent, save_path: Path, timeout: float) -> None:
        """Waits until the files under save_path hold t's content: libtorrent
        counts a piece as had once its hash check passed, which may be
        before its disk thread has written it to the file."""
        def written() -> bool:
            try:
                return bt.verify_content(t, save_path).bad_pieces == 0
            except ValueError:  # a file not created yet
                return False
        wait_until(written, timeout, f"libtorrent's files under {save_path} to hold every piece")

    def close(self) -> None:
        """Removes the torrents and drops the session (its destructor waits
        for libtorrent's threads)."""
        self.session.pause()
        for h in self.session.get_torrents():
            self.session.remove_torrent(h)
        self.session = None


@pytest.fixture
def libtorrent() -> Any:
    lt = pytest.importorskip("libtorrent", reason="python3-libtorrent is not installed")
    client = Libtorrent(lt)
    try:
        yield client
    finally:
        client.close()


def swarm_of(result: swarmbench.Result) -> dict[str, Any]:
    swarm: dict[str, Any] = result.summary["swarm"]
    return swarm


def test_libtorrent_downloads_from_upload_scenario(tmp_path: Path, libtorrent: Libtorrent) -> None:
    t = bt.synthetic_torrent(16 * MiB, piece_size=256 * 1024, files=3, seed=21, name="upload-16m")
    path = tmp_path / "upload.torrent"
    t.save(path)
    h = libtorrent.add(path, tmp_path / "lt")
    result = swarmbench.run(swarmbench.upload_scenario(path, f"{LOOPBACK}:{libtorrent.port}", connections=2,
                                                       timeout_s=RUN_TIMEOUT_S), check=False)
    swarm = swarm_of(result)
    why = f"{result.status} {result.errors} {swarm} {libtorrent.describe(h)}"
    assert result.status == "ok", why
    assert swarm["remote_peers_complete"] == 1 and swarm["protocol_errors"] == 0, why
    st = libtorrent.wait_seeding(h, WAIT_S)  # libtorrent checked every piece itself
    assert st.total_wanted_done == t.total_length
    # Its download folder holds exactly what write_content writes.
    libtorrent.wait_files(t, tmp_path / "lt", WAIT_S)
    bt.write_content(t, tmp_path / "reference")
    for rel, _, _ in t.files:
        assert (tmp_path / "lt" / rel).read_bytes() == (tmp_path / "reference" / rel).read_bytes(), rel


def test_download_scenario_from_seeding_libtorrent(tmp_path: Path, libtorrent: Libtorrent) -> None:
    t = bt.synthetic_torrent(16 * MiB, piece_size=256 * 1024, files=2, seed=22, name="download-16m")
    path = tmp_path / "download.torrent"
    t.save(path)
    bt.write_content(t, tmp_path / "seed")
    h = libtorrent.add(path, tmp_path / "seed", seed=True)
    libtorrent.wait_seeding(h, WAIT_S)
    result = swarmbench.run(swarmbench.download_scenario(path, f"{LOOPBACK}:{libtorrent.port}", connections=2,
                                                         storage="discard", timeout_s=RUN_TIMEOUT_S), check=False)
    swarm = swarm_of(result)
    why = f"{result.status} {result.errors} {swarm} {libtorrent.describe(h)}"
    assert result.status == "ok", why
    assert swarm["leechers_complete"] == 2, why
    assert swarm["pieces_verified"] == 2 * t.piece_count, why
    assert swarm["hash_failures"] == 0 and swarm["protocol_errors"] == 0, why


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs /proc/net/tcp to see the seeder listen")
def test_seed_scenario_serves_libtorrent_dialling_in(tmp_path: Path, libtorrent: Libtorrent) -> None:
    t = bt.synthetic_torrent(8 * MiB, piece_size=256 * 1024, files=2, seed=23, name="seed-8m")
    path = tmp_path / "seed.torrent"
    t.save(path)
    h = libtorrent.add(path, tmp_path / "lt")
    port = free_port()
    with swarmbench.start(swarmbench.seed_scenario(path, f"{LOOPBACK}:{port}", timeout_s=RUN_TIMEOUT_S)) as run:
        wait_until(lambda: listening(port) or not run.running, 20, f"the fake seeder to listen on port {port}")
        assert run.running, run.result(check=False).errors
        h.connect_peer((LOOPBACK, port))
        result = run.result(timeout=RUN_TIMEOUT_S + 30, check=False)
    swarm = swarm_of(result)
    why = f"{result.status} {result.errors} {swarm} {libtorrent.describe(h)}"
    assert result.status == "ok" and swarm["remote_peers_complete"] == 1, why
    libtorrent.wait_seeding(h, WAIT_S)
    libtorrent.wait_files(t, tmp_path / "lt", WAIT_S)


def test_example_against_libtorrent(tmp_path: Path) -> None:
    pytest.importorskip("libtorrent", reason="python3-libtorrent is not installed")
    example = source_dir() / "bindings" / "examples" / "against_libtorrent.py"
    doc = example.read_text().split('"""')[1]
    assert "Run" in doc and "bindings/examples/against_libtorrent.py" in doc
    out = subprocess.run([sys.executable, str(example), "--size", "16MiB", "--connections", "2", "--timeout",
                          str(RUN_TIMEOUT_S), "--out", str(tmp_path)],
                         capture_output=True, text=True, timeout=3 * RUN_TIMEOUT_S, env=dict(os.environ))
    assert out.returncode == 0, out.stdout + out.stderr
    assert re.search(r"^upload .*: [\d.]+ MiB at [\d.]+ MiB/s goodput, 0 protocol errors, ok$", out.stdout, re.M)
    assert re.search(r"^download .*, 0 protocol errors, ok$", out.stdout, re.M)
    assert "pieces verified: 128 of 2 x 64" in out.stdout
    assert (tmp_path / "upload" / "results.json").exists() and (tmp_path / "download" / "results.json").exists()
    assert (tmp_path / "overlay" / "throughput.png").exists()
