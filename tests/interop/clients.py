"""Real BitTorrent clients on loopback, for the interop tests (label interop).

What is here, each with a time bound and guaranteed clean-up:

- ``LibtorrentPeer``: a libtorrent session (Debian's python3-libtorrent 2.0)
  on 127.0.0.1, TCP only, nothing discovered, plain handshakes allowed.
- ``TransmissionDaemon``: transmission-daemon 3.00 in a fresh config dir,
  driven through transmission-remote.
- ``Aria2c``: aria2 1.36 downloading or seeding one torrent, on a fixed
  listen port, DHT, LPD and PEX off.
- ``run_cli`` / ``cli_process``: the swarmbench command line, in the
  foreground with a timeout or in the background, and its results.json.
- ``make_random_torrent``, ``info_hash_hex``, ``tree_differences``: test
  content, the v1 info-hash of a .torrent, and a byte-for-byte tree compare.

Every wait polls against a deadline (never a fixed sleep as
synchronisation); every process and session started here is stopped by its
context manager, on failure too, and everything is written under the
directory the caller passes (a pytest tmp_path). Ports: libtorrent binds
port 0 and reports what it got; the fixed ports transmission and
``swarmbench seed`` need are probed free below the kernel's ephemeral range,
so an outgoing connection cannot take them between the probe and the bind.

Facts about the clients these tests rely on (Debian 12's packages, seen here):
transmission never dials peers in 127.0.0.0/8 (our peers dial its
peer-port) and waits 10 to 13 s before moving data; libtorrent hash-checks
every piece it downloads, so ``is_seeding`` on a downloader means every byte
arrived intact; libtorrent accepts more than one connection per IP only when
told to.

Sections: Ports and waits; Torrents, content and tree compares;
libtorrent; transmission-daemon; aria2; The swarmbench command line; Test
torrents.

Thread rules: none of these objects is thread-safe; a test drives them from
its own thread. The libtorrent session runs its own threads inside, and
LibtorrentPeer one more that pops its alerts into the log.
"""
from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Sequence

LOOPBACK = "127.0.0.1"
POLL_S = 0.05  # how often waits look again

# ----------------------------------------------------------------------------
# [SECTION] Ports and waits
# ----------------------------------------------------------------------------

_rng = random.Random(os.getpid() ^ time.monotonic_ns())
_log_names = itertools.count(1)  # numbers the log files of runs without -o


def _bindable(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def free_ports(count: int = 1, host: str = LOOPBACK) -> int:
    """First of `count` consecutive TCP ports that are free on `host`, picked
    at random in 20000..32000 (below Linux's ephemeral range, so the kernel
    does not hand them out as source ports meanwhile)."""
    for _ in range(500):
        base = _rng.randrange(20000, 32000 - count)
        if all(_bindable(host, base + i) for i in range(count)):
            return base
    raise RuntimeError(f"no {count} consecutive free ports found on {host}")


def wait_until(predicate: Any, timeout: float, what: str) -> Any:
    """Polls `predicate()` until it returns something truthy (returned) or
    `timeout` seconds pass (TimeoutError naming `what`)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(POLL_S)


def listening(host: str, port: int) -> bool:
    """Whether some socket is listening on host:port (IPv4), read from
    /proc/net/tcp so that asking does not open a connection the listener
    would see; elsewhere a bind probe."""
    try:
        lines = Path("/proc/net/tcp").read_text().splitlines()[1:]
    except OSError:
        return not _bindable(host, port)
    want = "%08X:%04X" % (int.from_bytes(socket.inet_aton(host), "little"), port)
    return any(f[1] == want and f[3] == "0A" for f in (line.split() for line in lines) if len(f) > 3)


def _orphan_guard() -> list[str]:
    """A prefix that makes a child get SIGTERM when the test process dies
    (a crash, or CTest killing it at its timeout), so no daemon outlives
    its test: util-linux's setpriv --pdeathsig. Empty where it is missing."""
    exe = shutil.which("setpriv")
    return [exe, "--pdeathsig", "SIGTERM", "--"] if exe else []


def _wait_started(proc: subprocess.Popen[Any], ready: Any, timeout: float, what: str, log_text: Any) -> None:
    """Waits until ready() (a client process started: its RPC answers, its
    port listens); RuntimeError if the process exits first, TimeoutError
    after `timeout`, each with the tail of log_text()."""
    deadline = time.monotonic() + timeout
    while not ready():
        if proc.poll() is not None:
            raise RuntimeError(f"{what}: the process exited with {proc.returncode} at start; "
                               f"log:\n{log_text()[-2000:]}")
        if time.monotonic() >= deadline:
            raise TimeoutError(f"{what}: not after {timeout} s; log:\n{log_text()[-2000:]}")
        time.sleep(0.1)


def _stop_process(proc: subprocess.Popen[Any], first: signal.Signals, grace: float) -> None:
    """Sends `first`, waits `grace` seconds, then kills. Idempotent."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        proc.send_signal(first)
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        proc.wait(timeout=10)


# ----------------------------------------------------------------------------
# [SECTION] Torrents, content and tree compares
# ----------------------------------------------------------------------------


def _bdecode_span(data: bytes, i: int) -> int:
    """End index of the bencoded value starting at data[i] (no validation
    beyond what finding the end needs)."""
    c = data[i:i + 1]
    if c == b"i":
        return data.index(b"e", i) + 1
    if c in (b"l", b"d"):
        i += 1
        while data[i:i + 1] != b"e":
            i = _bdecode_span(data, i)
        return i + 1
    colon = data.index(b":", i)
    return colon + 1 + int(data[i:colon])


def bdecode(data: bytes) -> Any:
    """Decodes one bencoded value (dict keys as str, strings as bytes)."""
    def value(i: int) -> tuple[Any, int]:
        c = data[i:i + 1]
        if c == b"i":
            end = data.index(b"e", i)
            return int(data[i + 1:end]), end + 1
        if c == b"l":
            items, i = [], i + 1
            while data[i:i + 1] != b"e":
                item, i = value(i)
                items.append(item)
            return items, i + 1
        if c == b"d":
            d, i = {}, i + 1
            while data[i:i + 1] != b"e":
                key, i = value(i)
                d[key.decode()], i = value(i)
            return d, i + 1
        colon = data.index(b":", i)
        end = colon + 1 + int(data[i:colon])
        return data[colon + 1:end], end
    return value(0)[0]


def info_hash_hex(torrent: Path) -> str:
    """The v1 info-hash (SHA-1 of the bencoded info dictionary) of a
    .torrent file, as 40 lower-case hex digits."""
    data = Path(torrent).read_bytes()
    if data[:1] != b"d":
        raise ValueError(f"{torrent}: not a bencoded dictionary")
    i = 1
    while data[i:i + 1] != b"e":
        key_end = _bdecode_span(data, i)
        key = data[data.index(b":", i) + 1:key_end]
        value_end = _bdecode_span(data, key_end)
        if key == b"info":
            return hashlib.sha1(data[key_end:value_end]).hexdigest()
        i = value_end
    raise ValueError(f"{torrent}: no info dictionary")


def write_random_files(root: Path, total_size: int, files: int, seed: int) -> list[Path]:
    """Writes `files` files of random bytes (from `seed`) under `root`, their
    sizes summing to `total_size` and deliberately not piece-aligned, so
    pieces straddle file boundaries."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    base, rest = divmod(total_size, files)
    paths = []
    for k in range(files):
        size = base + (1 if k < rest else 0)
        path = root / f"part-{k:02}.dat"
        with path.open("wb") as f:
            left = size
            while left:
                n = min(left, 1 << 20)
                f.write(rng.randbytes(n))
                left -= n
        paths.append(path)
    return paths


def make_random_torrent(workdir: Path, name: str, total_size: int, piece_size: int,
                        files: int = 4, seed: int = 1) -> tuple[Path, Path]:
    """A v1-only multi-file torrent of random content made with libtorrent's
    create_torrent (independent of swarmbench). Returns (torrent path, the
    folder holding <name>/..., as a client's download dir would)."""
    import libtorrent as lt  # only the tests that use libtorrent get here

    content_parent = workdir / "content"
    write_random_files(content_parent / name, total_size, files, seed)
    fs = lt.file_storage()
    lt.add_files(fs, str(content_parent / name))
    ct = lt.create_torrent(fs, piece_size, flags=lt.create_torrent.v1_only)
    lt.set_piece_hashes(ct, str(content_parent))
    torrent = workdir / f"{name}.torrent"
    torrent.write_bytes(lt.bencode(ct.generate()))
    return torrent, content_parent


def _files_under(root: Path) -> dict[str, Path]:
    return {p.relative_to(root).as_posix(): p for p in root.rglob("*") if p.is_file()}


def _first_difference(a: Path, b: Path) -> int | None:
    """Offset of the first differing byte of two same-size files, or None."""
    with a.open("rb") as fa, b.open("rb") as fb:
        offset = 0
        while True:
            ca, cb = fa.read(1 << 20), fb.read(1 << 20)
            if ca != cb:
                for k, (x, y) in enumerate(zip(ca, cb)):
                    if x != y:
                        return offset + k
                return offset + min(len(ca), len(cb))
            if not ca:
                return None
            offset += len(ca)


def tree_differences(expected: Path, actual: Path) -> list[str]:
    """Every way the file tree under `actual` differs from `expected`:
    missing or extra files, sizes, and the first differing byte of each
    file. Empty when both hold the same files with the same bytes."""
    expected, actual = Path(expected), Path(actual)
    if not expected.exists():
        return [f"{expected} does not exist"]
    if not actual.exists():
        return [f"{actual} does not exist"]
    if expected.is_file() or actual.is_file():
        pairs = {expected.name: (expected, actual)}
    else:
        want, have = _files_under(expected), _files_under(actual)
        diffs = [f"missing {name}" for name in sorted(want.keys() - have.keys())]
        diffs += [f"unexpected {name}" for name in sorted(have.keys() - want.keys())]
        pairs = {name: (want[name], have[name]) for name in sorted(want.keys() & have.keys())}
        if diffs:
            return diffs
    diffs = []
    for name, (a, b) in pairs.items():
        if not b.is_file():
            diffs.append(f"{name}: {b} is not a file")
            continue
        sa, sb = a.stat().st_size, b.stat().st_size
        if sa != sb:
            diffs.append(f"{name}: size {sb}, expected {sa}")
            continue
        at = _first_difference(a, b)
        if at is not None:
            diffs.append(f"{name}: first differing byte at offset {at}")
    return diffs


def files_equal(dir_a: Path, dir_b: Path) -> bool:
    """Whether two trees (or two files) hold the same files with the same bytes."""
    return not tree_differences(dir_a, dir_b)


def assert_same_tree(expected: Path, actual: Path) -> None:
    """Fails naming every difference (at most 20) unless `actual` holds
    exactly the files and bytes of `expected`, which must hold some."""
    expected = Path(expected)
    assert expected.is_file() or _files_under(expected), f"{expected} holds no files"
    diffs = tree_differences(expected, actual)
    assert not diffs, f"{actual} differs from {expected}:\n  " + "\n  ".join(diffs[:20])


# ----------------------------------------------------------------------------
# [SECTION] libtorrent
# ----------------------------------------------------------------------------


class LibtorrentPeer:
    """A libtorrent session on 127.0.0.1:<port> (TCP only: no DHT, LSD, UPnP,
    NAT-PMP or uTP), accepting plain handshakes and several connections per
    IP, with no rate limits and a deep incoming request queue. Use as a
    context manager; the session and its torrents are shut down on exit.
    Alerts (errors, peers, connects, status) go to <workdir>/<name>.log,
    popped by a thread of its own as they come, so the log's times are true
    and a full alert queue never hides the end of a failing test."""

    def __init__(self, workdir: Path, name: str = "libtorrent", port: int = 0) -> None:
        self.workdir = Path(workdir)
        self.name = name
        self.log_path = self.workdir / f"{name}.log"
        self.port = port  # 0: one the OS picks
        self._lt: Any = None
        self._session: Any = None
        self._log: Any = None
        self._t0 = time.monotonic()
        self._log_lock = threading.Lock()  # guards _log, disconnects, errors
        self._stop_pump = threading.Event()
        self._pump: threading.Thread | None = None
        self.disconnects: list[str] = []  # peer_disconnected_alert messages
        self.errors: list[str] = []       # error-category alert messages

    def __enter__(self) -> LibtorrentPeer:
        import libtorrent as lt

        self._lt = lt
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("w", encoding="utf-8")
        cat = lt.alert.category_t
        settings = {
            "listen_interfaces": f"{LOOPBACK}:{self.port}",
            "outgoing_interfaces": "",
            "enable_dht": False,
            "enable_lsd": False,
            "enable_upnp": False,
            "enable_natpmp": False,
            "enable_incoming_utp": False,
            "enable_outgoing_utp": False,
            "enable_incoming_tcp": True,
            "enable_outgoing_tcp": True,
            "allow_multiple_connections_per_ip": True,
            "out_enc_policy": int(lt.enc_policy.disabled),
            "in_enc_policy": int(lt.enc_policy.enabled),
            "upload_rate_limit": 0,
            "download_rate_limit": 0,
            "max_allowed_in_request_queue": 30000,
            "connections_limit": 1000,
            "alert_mask": int(cat.error_notification | cat.peer_notification
                              | cat.connect_notification | cat.status_notification),
            "alert_queue_size": 100000,
        }
        self._session = lt.session(settings)
        try:
            self.port = wait_until(lambda: self._session.listen_port(), 10, f"{self.name} to listen")
        except BaseException:
            self.close()
            raise
        self._note(f"listening on {LOOPBACK}:{self.port}")
        self._pump = threading.Thread(target=self._pump_loop, name=f"{self.name}-alerts", daemon=True)
        self._pump.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Removes the torrents and drops the session (its destructor waits
        for libtorrent's threads). Idempotent."""
        self._stop_pump.set()
        if self._pump is not None:
            self._pump.join(timeout=10)
            self._pump = None
        if self._session is not None:
            with contextlib.suppress(Exception):
                self._session.pause()
                for h in self._session.get_torrents():
                    self._session.remove_torrent(h)
                self.pump_alerts()
            self._session = None
        with self._log_lock:
            if self._log is not None:
                self._log.close()
                self._log = None

    # ---- alerts

    def _note(self, line: str) -> None:
        with self._log_lock:
            if self._log is not None:
                self._log.write(f"{time.monotonic() - self._t0:8.3f} {line}\n")
                self._log.flush()

    def _pump_loop(self) -> None:
        # Polls rather than blocking in session.wait_for_alert(): the
        # binding wraps the alert that call returns after releasing the
        # lock, while libtorrent's threads may be growing (moving) the alert
        # queue it lies in, which crashed Python about one run in five.
        while not self._stop_pump.wait(POLL_S):
            self.pump_alerts()

    def pump_alerts(self) -> None:
        """Pops pending alerts into the log."""
        session = self._session
        if session is None:
            return
        for a in session.pop_alerts():
            kind = type(a).__name__
            msg = a.message()
            self._note(f"{kind}: {msg}")
            with self._log_lock:
                if kind == "peer_disconnected_alert":
                    self.disconnects.append(msg)
                if a.category() & self._lt.alert.category_t.error_notification:
                    self.errors.append(f"{kind}: {msg}")

    # ---- torrents

    def add_torrent(self, torrent_path: Path, save_path: Path, seed: bool = False) -> Any:
        """Adds a torrent, started at once (paused and auto_managed cleared),
        without DHT, LSD or PEX. seed=True: the files in save_path are known
        good (seed_mode: libtorrent checks each piece the first time it
        serves it instead of hashing everything up front)."""
        lt = self._lt
        Path(save_path).mkdir(parents=True, exist_ok=True)
        atp = lt.add_torrent_params()
        atp.ti = lt.torrent_info(str(torrent_path))
        atp.save_path = str(save_path)
        flags = atp.flags
        flags &= ~lt.torrent_flags.paused
        flags &= ~lt.torrent_flags.auto_managed
        flags |= lt.torrent_flags.disable_dht | lt.torrent_flags.disable_lsd | lt.torrent_flags.disable_pex
        if seed:
            flags |= lt.torrent_flags.seed_mode
        atp.flags = flags
        handle = self._session.add_torrent(atp)
        self._note(f"added {torrent_path} -> {save_path} (seed={seed})")
        return handle

    def connect_peer(self, handle: Any, host: str, port: int) -> None:
        """Makes libtorrent dial host:port for this torrent."""
        handle.connect_peer((host, port))
        self._note(f"connect_peer {host}:{port}")

    def _describe(self, st: Any) -> str:
        return (f"state={st.state} progress={st.progress:.4f} done={st.total_wanted_done}/{st.total_wanted} "
                f"peers={st.num_peers} failed_bytes={st.total_failed_bytes} "
                f"error={st.errc.message() if st.errc.value() else ''}; log: {self.log_path}")

    def wait_until_seeding(self, handle: Any, timeout: float) -> Any:
        """Waits until the torrent is seeding (every piece passed
        libtorrent's hash check) and returns its status; TimeoutError with
        the last status otherwise, or RuntimeError if the torrent errs."""
        deadline = time.monotonic() + timeout
        while True:
            st = handle.status()
            if st.errc.value():
                raise RuntimeError(f"{self.name}: torrent error: {self._describe(st)}")
            if st.is_seeding:
                return st
            if time.monotonic() >= deadline:
                raise TimeoutError(f"{self.name}: not seeding after {timeout:.0f} s: {self._describe(st)}")
            time.sleep(POLL_S)

    def wait_for_peers(self, handle: Any, count: int, timeout: float) -> Any:
        """Waits until the torrent has at least `count` connected peers."""
        deadline = time.monotonic() + timeout
        while True:
            st = handle.status()
            if st.num_peers >= count:
                return st
            if time.monotonic() >= deadline:
                raise TimeoutError(f"{self.name}: {st.num_peers} peers after {timeout:.0f} s, "
                                   f"wanted {count}: {self._describe(st)}")
            time.sleep(POLL_S)

    def stats(self, handle: Any) -> dict[str, int]:
        """Payload counters of the torrent (bytes)."""
        st = handle.status()
        return {
            "downloaded": st.total_payload_download,
            "uploaded": st.total_payload_upload,
            "failed": st.total_failed_bytes,
            "redundant": st.total_redundant_bytes,
            "peers": st.num_peers,
        }

    def peers(self, handle: Any) -> list[dict[str, Any]]:
        """The connected peers: address, client, payload counters."""
        return [{"ip": f"{p.ip[0]}:{p.ip[1]}", "client": p.client, "down": p.total_download,
                 "up": p.total_upload} for p in handle.get_peer_info()]


# ----------------------------------------------------------------------------
# [SECTION] transmission-daemon
# ----------------------------------------------------------------------------


class TransmissionDaemon:
    """transmission-daemon in a fresh config dir under `workdir`: peer-port
    and RPC on 127.0.0.1 (no authentication), every discovery off, plain
    handshakes allowed, no speed, ratio or idle limits, no queues. Use as a
    context manager: started and waited for on entry, stopped on exit
    (--exit, then SIGTERM, then SIGKILL). Its log is <workdir>/<name>.log."""

    START_TIMEOUT_S = 20  # until RPC answers
    STOP_GRACE_S = 10     # --exit until SIGTERM, and SIGTERM until SIGKILL

    def __init__(self, workdir: Path, name: str = "transmission") -> None:
        self.workdir = Path(workdir)
        self.name = name
        self.config_dir = self.workdir / f"{name}-config"
        self.download_dir = self.workdir / f"{name}-downloads"
        self.log_path = self.workdir / f"{name}.log"
        self.peer_port = 0
        self.rpc_port = 0
        self._proc: subprocess.Popen[Any] | None = None
        self._log: Any = None

    def settings(self) -> dict[str, Any]:
        return {
            "bind-address-ipv4": LOOPBACK,
            "bind-address-ipv6": "::1",
            "peer-port": self.peer_port,
            "peer-port-random-on-start": False,
            "port-forwarding-enabled": False,
            "dht-enabled": False,
            "lpd-enabled": False,
            "pex-enabled": False,
            "utp-enabled": False,
            "encryption": 0,
            "rpc-enabled": True,
            "rpc-bind-address": LOOPBACK,
            "rpc-port": self.rpc_port,
            "rpc-authentication-required": False,
            "rpc-whitelist-enabled": True,
            "rpc-whitelist": LOOPBACK,
            "rpc-host-whitelist-enabled": False,
            "speed-limit-down-enabled": False,
            "speed-limit-up-enabled": False,
            "alt-speed-enabled": False,
            "alt-speed-time-enabled": False,
            "ratio-limit-enabled": False,
            "idle-seeding-limit-enabled": False,
            "download-queue-enabled": False,
            "seed-queue-enabled": False,
            "queue-stalled-enabled": False,
            "start-added-torrents": True,
            "peer-limit-global": 2000,
            "peer-limit-per-torrent": 500,
            "download-dir": str(self.download_dir),
            "incomplete-dir-enabled": False,
            "rename-partial-files": False,
            "watch-dir-enabled": False,
            "blocklist-enabled": False,
            "scrape-paused-torrents-enabled": False,
            "message-level": 2,
        }

    def __enter__(self) -> TransmissionDaemon:
        exe = shutil.which("transmission-daemon")
        if exe is None:
            raise RuntimeError("transmission-daemon not found (Debian package transmission-daemon)")
        self.config_dir.mkdir(parents=True)
        self.download_dir.mkdir(parents=True, exist_ok=True)
        # Both ports fixed in settings.json; probed as one range of two.
        self.peer_port = free_ports(2)
        self.rpc_port = self.peer_port + 1
        (self.config_dir / "settings.json").write_text(json.dumps(self.settings(), indent=2))
        self._log = self.log_path.open("wb")
        self._proc = subprocess.Popen([*_orphan_guard(), exe, "-f", "-g", str(self.config_dir)],
                                      stdin=subprocess.DEVNULL,
                                      stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            _wait_started(self._proc, lambda: self.remote("-l", timeout=5, check=False).returncode == 0,
                          self.START_TIMEOUT_S, f"transmission RPC on {LOOPBACK}:{self.rpc_port} answering",
                          self.log_text)
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Asks the daemon to exit over RPC, then signals it. Idempotent."""
        if self._proc is not None and self._proc.poll() is None:
            with contextlib.suppress(Exception):
                self.remote("--exit", timeout=5, check=False)
            try:
                self._proc.wait(timeout=self.STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                _stop_process(self._proc, signal.SIGTERM, self.STOP_GRACE_S)
        if self._log is not None:
            self._log.close()
            self._log = None

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def remote(self, *args: str, timeout: float = 15, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Runs transmission-remote against this daemon."""
        cmd = ["transmission-remote", f"{LOOPBACK}:{self.rpc_port}", *args]
        try:
            cp = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired as e:
            if check:
                raise TimeoutError(f"{' '.join(cmd)} took over {timeout} s") from e
            return subprocess.CompletedProcess(cmd, 124, "", "timeout")
        if check and cp.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} exited {cp.returncode}: {cp.stdout}{cp.stderr}")
        return cp

    def add(self, torrent: Path, download_dir: Path | None = None) -> str:
        """Adds a torrent (started at once); its files go to, or are looked
        for in, `download_dir` (default: the daemon's). Returns its
        info-hash, which names it in the other calls."""
        target = Path(download_dir) if download_dir is not None else self.download_dir
        target.mkdir(parents=True, exist_ok=True)
        cp = self.remote("-a", str(torrent), "-w", str(target))
        if "success" not in cp.stdout:
            raise RuntimeError(f"transmission-remote -a {torrent}: {cp.stdout}{cp.stderr}")
        return info_hash_hex(torrent)

    def info(self, infohash: str) -> dict[str, str]:
        """`transmission-remote -t HASH -i` as {"Percent Done": "100%", ...}."""
        cp = self.remote("-t", infohash, "-i")
        fields: dict[str, str] = {}
        for line in cp.stdout.splitlines():
            key, sep, value = line.strip().partition(": ")
            if sep:
                fields[key] = value.strip()
        if fields.get("Hash", "").lower() != infohash.lower():
            raise RuntimeError(f"transmission does not know {infohash}: {cp.stdout}{cp.stderr}")
        return fields

    def peers_text(self, infohash: str) -> str:
        """`transmission-remote -t HASH -pi`: its peer table, for logs."""
        return self.remote("-t", infohash, "-pi", check=False).stdout

    def wait_until_complete(self, infohash: str, timeout: float) -> dict[str, str]:
        """Waits until the torrent is at "Percent Done: 100%" and no longer
        verifying (transmission hash-checks each piece it downloads, and
        existing files when a torrent is added); returns the info fields
        (the caller checks "Corrupt DL"). TimeoutError with the last fields
        and the log's tail otherwise; RuntimeError if the daemon died."""
        deadline = time.monotonic() + timeout
        while True:
            if self._proc is None or self._proc.poll() is not None:
                raise RuntimeError(f"transmission-daemon is not running; log:\n{self.log_text()[-2000:]}")
            fields = self.info(infohash)
            state = fields.get("State", "")
            if fields.get("Error"):
                raise RuntimeError(f"transmission reports an error for {infohash}: {fields}")
            if fields.get("Percent Done") == "100%" and state in ("Seeding", "Idle", "Finished"):
                return fields
            if time.monotonic() >= deadline:
                raise TimeoutError(f"transmission: {infohash} not complete after {timeout:.0f} s: {fields}; "
                                   f"peers:\n{self.peers_text(infohash)}\nlog tail:\n{self.log_text()[-2000:]}")
            time.sleep(0.2)


# ----------------------------------------------------------------------------
# [SECTION] aria2
# ----------------------------------------------------------------------------


class Aria2c:
    """aria2c 1.36 with one torrent: downloading it into `download_dir`
    (seed=False) or seeding the content under `download_dir` after checking
    it (seed=True), listening on a fixed 127.0.0.1 port with DHT, LPD and PEX
    off, plain handshakes allowed, no limits. It dials nobody (no tracker):
    our peers dial it. It hash-checks every piece it downloads. Use as a
    context manager: started and waited for (listening) on entry, stopped on
    exit (SIGTERM, then SIGKILL). Its console goes to <workdir>/<name>.log.

    Seen with it: once several pieces are done it sends a second BITFIELD
    instead of HAVEs, and HAVE ALL when it completes."""

    START_TIMEOUT_S = 60  # until it listens (a seeder checks its files first)

    def __init__(self, workdir: Path, torrent: Path, download_dir: Path, seed: bool = False,
                 name: str = "aria2") -> None:
        self.workdir = Path(workdir)
        self.torrent = Path(torrent)
        self.download_dir = Path(download_dir)
        self.seed = seed
        self.name = name
        self.log_path = self.workdir / f"{name}.log"
        self.port = 0
        self._proc: subprocess.Popen[Any] | None = None
        self._log: Any = None

    def command(self, exe: str) -> list[str]:
        cmd = [exe, f"--dir={self.download_dir}", f"--listen-port={self.port}", f"--dht-listen-port={self.port}",
               "--enable-dht=false", "--enable-dht6=false", "--bt-enable-lpd=false",
               "--enable-peer-exchange=false", "--disable-ipv6=true", "--bt-require-crypto=false",
               "--bt-min-crypto-level=plain", "--max-overall-download-limit=0", "--max-overall-upload-limit=0",
               "--bt-max-peers=0", "--file-allocation=falloc", "--summary-interval=1",
               "--console-log-level=warn", "--show-console-readout=true", "--bt-stop-timeout=300",
               "--auto-save-interval=0"]
        if self.seed:
            cmd += ["--check-integrity=true", "--bt-hash-check-seed=true", "--seed-ratio=0.0", "--seed-time=30"]
        else:
            cmd += ["--seed-time=30"]  # minutes: it stays (and keeps its connections) until stopped
        return cmd + [str(self.torrent)]

    def __enter__(self) -> Aria2c:
        exe = shutil.which("aria2c")
        if exe is None:
            raise RuntimeError("aria2c not found (Debian package aria2)")
        self.download_dir.mkdir(parents=True, exist_ok=True)
        self.port = free_ports()
        self._log = self.log_path.open("wb")
        self._proc = subprocess.Popen([*_orphan_guard(), *self.command(exe)], stdin=subprocess.DEVNULL,
                                      stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            # aria2 binds every address (0.0.0.0).
            _wait_started(self._proc, lambda: listening(LOOPBACK, self.port) or listening("0.0.0.0", self.port),
                          self.START_TIMEOUT_S, f"aria2c listening on {LOOPBACK}:{self.port}", self.log_text)
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """SIGTERM (aria2 saves and exits), then SIGKILL. Idempotent."""
        if self._proc is not None:
            _stop_process(self._proc, signal.SIGTERM, 10)
            _stop_process(self._proc, signal.SIGKILL, 10)
        if self._log is not None:
            self._log.close()
            self._log = None

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""


# ----------------------------------------------------------------------------
# [SECTION] The swarmbench command line
# ----------------------------------------------------------------------------


def find_cli() -> str | None:
    """The swarmbench binary: $SWARMBENCH_CLI, else the release build in this
    tree, else `swarmbench` on PATH; None if there is none."""
    env = os.environ.get("SWARMBENCH_CLI")
    if env:
        return env if os.access(env, os.X_OK) else None
    tree = Path(__file__).resolve().parents[2] / "build" / "release" / "app" / "cli" / "swarmbench"
    if os.access(tree, os.X_OK):
        return str(tree)
    return shutil.which("swarmbench")


@dataclass
class CliRun:
    """One finished swarmbench run: exit code, output, and the results.json
    of its -o folder (None when there is none)."""
    args: list[str]
    returncode: int
    stdout: str
    stderr: str
    out_dir: Path | None = None
    results: dict[str, Any] | None = None
    seconds: float = 0.0
    timed_out: bool = False

    @property
    def swarm(self) -> dict[str, Any]:
        """results["summary"]["swarm"] ({} when absent)."""
        return ((self.results or {}).get("summary") or {}).get("swarm") or {}

    @property
    def status(self) -> str | None:
        return ((self.results or {}).get("summary") or {}).get("status")

    def peer_states(self) -> dict[str, int]:
        """How many `peers` entries ended in each state."""
        counts: dict[str, int] = {}
        for p in (self.results or {}).get("peers") or []:
            counts[p.get("state", "?")] = counts.get(p.get("state", "?"), 0) + 1
        return counts

    def describe(self) -> str:
        """For assertion messages: the command, exit code, stderr's tail and
        the summary."""
        summary = (self.results or {}).get("summary")
        return (f"swarmbench {' '.join(self.args)}\n  exit {self.returncode}"
                f"{' (timed out, interrupted)' if self.timed_out else ''} after {self.seconds:.1f} s\n"
                f"  stderr tail: {self.stderr[-1500:]}\n  summary: {json.dumps(summary)[:3000]}\n"
                f"  peer states: {self.peer_states()}")


def assert_upload_ok(run: CliRun) -> None:
    """The upload/seed contract: exit 0, status ok, an outside client
    announced every piece, and it broke no protocol rule."""
    assert run.returncode == 0, run.describe()
    assert run.status == "ok", run.describe()
    assert run.swarm.get("remote_peers_complete", 0) >= 1, run.describe()
    assert run.swarm.get("protocol_errors") == 0, run.describe()


def assert_download_ok(run: CliRun, leechers: int, piece_count: int) -> None:
    """The download contract: exit 0, status ok, every leecher complete,
    every piece verified by every leecher, no hash failure, no protocol
    error."""
    assert run.returncode == 0, run.describe()
    assert run.status == "ok", run.describe()
    assert run.swarm.get("leechers_complete") == leechers, run.describe()
    assert run.swarm.get("pieces_verified") == leechers * piece_count, run.describe()
    assert run.swarm.get("hash_failures") == 0, run.describe()
    assert run.swarm.get("protocol_errors") == 0, run.describe()


def _load_results(out_dir: Path | None) -> dict[str, Any] | None:
    if out_dir is None:
        return None
    path = Path(out_dir) / "results.json"
    try:
        results: dict[str, Any] = json.loads(path.read_text())
        return results
    except (OSError, ValueError):
        return None


def _cli_command(cli: str, args: Sequence[str], out_dir: Path | None) -> list[str]:
    cmd = [cli, *args]
    if out_dir is not None:
        cmd += ["-o", str(out_dir)]
    return cmd


def run_cli(cli: str, args: Sequence[str], out_dir: Path | None = None, timeout: float = 120,
            log_dir: Path | None = None) -> CliRun:
    """Runs `swarmbench ARGS [-o OUT_DIR]` to completion. Past `timeout` it is
    interrupted (SIGINT: it still writes what it measured), then killed.
    stdout/stderr go to files in `log_dir` (default: out_dir's parent), not
    to pipes that could fill."""
    cmd = _cli_command(cli, args, out_dir)
    logs = Path(log_dir) if log_dir is not None else (Path(out_dir).parent if out_dir else Path.cwd())
    logs.mkdir(parents=True, exist_ok=True)
    stem = Path(out_dir).name if out_dir is not None else f"{args[0]}-{next(_log_names)}"
    out_path, err_path = logs / f"{stem}.stdout", logs / f"{stem}.stderr"
    t0 = time.monotonic()
    timed_out = False
    with out_path.open("wb") as out, err_path.open("wb") as err:
        proc = subprocess.Popen([*_orphan_guard(), *cmd], stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                start_new_session=True)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            _stop_process(proc, signal.SIGINT, 15)
        finally:
            _stop_process(proc, signal.SIGKILL, 10)
    return CliRun(args=list(cmd[1:]), returncode=proc.returncode, stdout=out_path.read_text(errors="replace"),
                  stderr=err_path.read_text(errors="replace"), out_dir=out_dir, results=_load_results(out_dir),
                  seconds=time.monotonic() - t0, timed_out=timed_out)


@dataclass
class CliProcess:
    """A swarmbench run in the background (see cli_process)."""
    proc: subprocess.Popen[Any]
    args: list[str]
    out_dir: Path | None
    stdout_path: Path
    stderr_path: Path
    t0: float = field(default_factory=time.monotonic)

    def wait(self, timeout: float) -> CliRun:
        """Waits for it to exit (interrupting, then killing it past
        `timeout`) and returns the run."""
        timed_out = False
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            _stop_process(self.proc, signal.SIGINT, 15)
        return CliRun(args=self.args, returncode=self.proc.returncode,
                      stdout=self.stdout_path.read_text(errors="replace"),
                      stderr=self.stderr_path.read_text(errors="replace"), out_dir=self.out_dir,
                      results=_load_results(self.out_dir), seconds=time.monotonic() - self.t0,
                      timed_out=timed_out)

    def stderr_tail(self) -> str:
        return self.stderr_path.read_text(errors="replace")[-1500:]


@contextlib.contextmanager
def cli_process(cli: str, args: Sequence[str], out_dir: Path | None = None,
                log_dir: Path | None = None) -> Iterator[CliProcess]:
    """Starts `swarmbench ARGS [-o OUT_DIR]` in the background; on leaving
    the block it is interrupted (SIGINT) if still running, then killed."""
    cmd = _cli_command(cli, args, out_dir)
    logs = Path(log_dir) if log_dir is not None else (Path(out_dir).parent if out_dir else Path.cwd())
    logs.mkdir(parents=True, exist_ok=True)
    stem = Path(out_dir).name if out_dir is not None else f"{args[0]}-{next(_log_names)}"
    out_path, err_path = logs / f"{stem}.stdout", logs / f"{stem}.stderr"
    with out_path.open("wb") as out, err_path.open("wb") as err:
        proc = subprocess.Popen([*_orphan_guard(), *cmd], stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                start_new_session=True)
    try:
        yield CliProcess(proc=proc, args=list(cmd[1:]), out_dir=out_dir, stdout_path=out_path, stderr_path=err_path)
    finally:
        _stop_process(proc, signal.SIGINT, 15)


# ----------------------------------------------------------------------------
# [SECTION] Test torrents
# ----------------------------------------------------------------------------


@dataclass
class TorrentContent:
    """A torrent for a test and a folder holding its content the way a
    client's download dir would (content_parent/<name>/...)."""
    torrent: Path
    content_parent: Path
    name: str
    infohash: str
    total_size: int
    piece_count: int

    @property
    def content(self) -> Path:
        """The torrent's own file or folder inside content_parent."""
        return self.content_parent / self.name


def describe_torrent(torrent: Path, content_parent: Path) -> TorrentContent:
    info = bdecode(Path(torrent).read_bytes())["info"]
    if "files" in info:
        total = sum(f["length"] for f in info["files"])
    else:
        total = info["length"]
    return TorrentContent(torrent=Path(torrent), content_parent=Path(content_parent), name=info["name"].decode(),
                       infohash=info_hash_hex(torrent), total_size=total,
                       piece_count=len(info["pieces"]) // 20)


def swarmbench_synthetic_torrent(cli: str, workdir: Path, size: str = "32MiB", piece_size: str = "256KiB",
                                 files: int = 4, seed: int = 1, timeout: float = 60) -> TorrentContent:
    """`swarmbench make-torrent` (synthetic content from `seed`), then
    `swarmbench gen-data` writes that content to workdir/content/<name>/...;
    checks both exit 0 and that make-torrent printed the info-hash."""
    torrent = Path(workdir) / f"synthetic-{seed}.torrent"
    made = run_cli(cli, ["make-torrent", "--size", size, "--piece-size", piece_size, "--files", str(files),
                         "--seed", str(seed), "--no-progress", "-o", str(torrent)], timeout=timeout, log_dir=workdir)
    assert made.returncode == 0, made.describe()
    content_parent = Path(workdir) / "content"
    gen = run_cli(cli, ["gen-data", "--torrent", str(torrent), "--no-progress", "-o", str(content_parent)],
                  timeout=timeout, log_dir=workdir)
    assert gen.returncode == 0, gen.describe()
    t = describe_torrent(torrent, content_parent)
    assert made.stdout.split()[:1] == [t.infohash], f"make-torrent printed {made.stdout!r}, info-hash {t.infohash}"
    return t


def swarmbench_torrent_from(cli: str, workdir: Path, content_parent: Path, name: str,
                            piece_size: str = "256KiB", timeout: float = 60) -> TorrentContent:
    """`swarmbench make-torrent --from content_parent/<name>`: a torrent of
    existing files; checks it exits 0 and prints the info-hash."""
    torrent = Path(workdir) / f"{name}.torrent"
    made = run_cli(cli, ["make-torrent", "--from", str(Path(content_parent) / name), "--piece-size", piece_size,
                         "--no-progress", "-o", str(torrent)], timeout=timeout, log_dir=workdir)
    assert made.returncode == 0, made.describe()
    t = describe_torrent(torrent, content_parent)
    assert made.stdout.split()[:1] == [t.infohash], f"make-torrent printed {made.stdout!r}, info-hash {t.infohash}"
    assert t.name == name, f"make-torrent --from {name} named the torrent {t.name}"
    return t
