#!/usr/bin/python3
"""One libtorrent session on loopback, driven line by line: the client of the `clients` group.

    /usr/bin/python3 bench/libtorrent_session.py [--log FILE] [--pieces]

bench/run.py starts it once and talks to it over stdin/stdout, one JSON object a line.
On start it prints {"port": P, "libtorrent": "2.0.8.0"}. Commands:

  {"cmd": "leech", "torrent": T, "save": DIR, "label": L, "timeout": S}
      adds T with no data into DIR and prints {"added": t}; then waits until libtorrent
      seeds it (every piece received and hash-checked) and prints {"done": t, "bytes": N,
      "t10": .., "t50": .., "t90": .., "cpu_s": C} (t are time.monotonic(), comparable with
      the caller's clock; cpu_s is this process's CPU between added and done). A timeout
      prints {"error": ...} instead. The torrent stays (seeding, so that a fake seeder can
      still read its bitfield) until "remove".
  {"cmd": "remove"}
      removes the torrent "leech" added, and its files; prints {"removed": t}.
  {"cmd": "seed", "torrent": T, "save": DIR}
      adds T over the data in DIR, lets libtorrent check it, and prints {"seeding": t}
      once it seeds; it stays until "quit".
  {"cmd": "settings", "settings": {...}}   applies a settings_pack; prints {"ok": true}.
  {"cmd": "cpu"}     prints {"cpu_s": C}, this process's CPU so far.
  {"cmd": "mark", "label": L}    writes L into the log.
  {"cmd": "quit"}

The session is bench/libtorrent_pair.py's (TCP on 127.0.0.1 only, no DHT, LSD, UPnP,
NAT-PMP or uTP, several connections per IP allowed, incoming request queue 30000) with
peer, connect, status and error alerts on (--pieces adds a line per finished piece),
written to --log with time.monotonic() stamps by a thread that pops them every 20 ms.
"""
from __future__ import annotations

import argparse
import json
import resource
import shutil
import sys
import threading
import time
from pathlib import Path

from libtorrent_pair import make_session

try:
    import libtorrent as lt
except ImportError:
    sys.exit("libtorrent not importable: install python3-libtorrent and run this with /usr/bin/python3")

POLL_S = 0.005  # status polls while a transfer runs: the done time is at most this late


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def say(**doc) -> None:
    print(json.dumps(doc), flush=True)


class alert_log:
    """Pops the session's alerts every 20 ms into a file (or drops them), stamped."""

    def __init__(self, session: lt.session, path: str | None) -> None:
        self.session, self.file = session, open(path, "w", encoding="utf-8") if path else None
        self.lock = threading.Lock()  # guards file and session.pop_alerts
        self.stop = threading.Event()
        self.deleted = threading.Event()  # a torrent_deleted_alert (or its failure) was popped
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def note(self, line: str) -> None:
        with self.lock:
            if self.file:
                self.file.write(f"{time.monotonic():.3f} {line}\n")

    def pump(self) -> None:
        with self.lock:
            alerts = self.session.pop_alerts()
            if any(type(a).__name__ in ("torrent_deleted_alert", "torrent_delete_failed_alert") for a in alerts):
                self.deleted.set()
            if self.file:
                now = time.monotonic()
                for a in alerts:
                    self.file.write(f"{now:.3f} {type(a).__name__}: {a.message()}\n")
                self.file.flush()

    def loop(self) -> None:
        while not self.stop.wait(0.02):
            self.pump()

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=5)
        self.pump()
        if self.file:
            self.file.close()


def add(session: lt.session, torrent: str, save: str, flags_on: int = 0) -> lt.torrent_handle:
    atp = lt.add_torrent_params()
    atp.ti = lt.torrent_info(torrent)
    atp.save_path = save
    flags = atp.flags & ~lt.torrent_flags.paused & ~lt.torrent_flags.auto_managed
    atp.flags = flags | lt.torrent_flags.disable_dht | lt.torrent_flags.disable_lsd | lt.torrent_flags.disable_pex \
        | flags_on
    return session.add_torrent(atp)


def leech(session: lt.session, log: alert_log, cmd: dict) -> lt.torrent_handle:
    Path(cmd["save"]).mkdir(parents=True, exist_ok=True)
    log.note(f"---- leech {cmd.get('label', '')}")
    handle = add(session, cmd["torrent"], cmd["save"])
    total = handle.torrent_file().total_size()
    t0, cpu0 = time.monotonic(), cpu_seconds()
    say(added=t0)
    deadline = t0 + float(cmd.get("timeout", 600))
    crossings: dict[str, float] = {}
    result: dict = {}
    while True:
        st, now = handle.status(), time.monotonic()
        for share in (10, 50, 90):
            if f"t{share}" not in crossings and st.total_wanted_done >= share * total // 100:
                crossings[f"t{share}"] = now
        if st.is_seeding:
            result = {"done": now, "bytes": total, **crossings, "cpu_s": cpu_seconds() - cpu0}
            break
        if st.errc.value() != 0:
            result = {"error": f"libtorrent: {st.errc.message()}"}
            break
        if now > deadline:
            result = {"error": f"libtorrent not seeding after {cmd.get('timeout', 600)} s: "
                               f"{st.total_wanted_done}/{total} bytes, {st.num_peers} peers"}
            break
        time.sleep(POLL_S)
    log.note(f"---- {'done' if 'done' in result else 'failed'} {cmd.get('label', '')}")
    say(**result)
    return handle


def remove(session: lt.session, log: alert_log, handle: lt.torrent_handle) -> None:
    save = handle.status().save_path
    log.deleted.clear()
    session.remove_torrent(handle, lt.session.delete_files)
    # the files go in the background: wait, so that they are not deleted under the next run
    log.deleted.wait(timeout=30)
    while session.get_torrents():  # gone before the same info-hash can be added again
        time.sleep(0.01)
    shutil.rmtree(save, ignore_errors=True)
    log.note("---- removed")
    say(removed=time.monotonic())


def seed(session: lt.session, cmd: dict) -> None:
    handle = add(session, cmd["torrent"], cmd["save"])
    deadline = time.monotonic() + float(cmd.get("timeout", 600))
    while not handle.status().is_seeding:
        st = handle.status()
        if st.errc.value() != 0 or time.monotonic() > deadline:
            say(error=f"libtorrent did not seed {cmd['save']}: state {st.state}, progress {st.progress:.1%}, "
                      f"{st.errc.message()}")
            return
        time.sleep(0.02)
    say(seeding=time.monotonic())


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--log", help="write the session's alerts here")
    p.add_argument("--pieces", action="store_true", help="log every finished piece too")
    args = p.parse_args()
    session = make_session("plain")
    cat = lt.alert.category_t
    mask = cat.error_notification | cat.peer_notification | cat.connect_notification | cat.status_notification
    if args.pieces:
        mask |= cat.piece_progress_notification
    session.apply_settings({"alert_mask": int(mask), "alert_queue_size": 100000, "connections_limit": 1000})
    deadline = time.monotonic() + 10
    while not session.listen_port() and time.monotonic() < deadline:
        time.sleep(0.01)
    log = alert_log(session, args.log)
    say(port=session.listen_port(), libtorrent=lt.__version__)
    leeching = None  # the torrent "leech" added, until "remove"
    try:
        for line in sys.stdin:
            cmd = json.loads(line)
            if cmd["cmd"] == "leech":
                leeching = leech(session, log, cmd)
            elif cmd["cmd"] == "remove":
                if leeching is None:
                    say(error="remove: no torrent added by leech")
                else:
                    remove(session, log, leeching)
                    leeching = None
            elif cmd["cmd"] == "seed":
                seed(session, cmd)
            elif cmd["cmd"] == "settings":
                session.apply_settings(cmd["settings"])
                log.note(f"---- settings {cmd['settings']}")
                say(ok=True)
            elif cmd["cmd"] == "cpu":
                say(cpu_s=cpu_seconds())
            elif cmd["cmd"] == "mark":
                log.note(f"---- {cmd.get('label', '')}")
                say(marked=time.monotonic())
            elif cmd["cmd"] == "quit":
                break
            else:
                say(error=f"unknown command {cmd['cmd']}")
    finally:
        log.close()
        session.pause()
        for h in session.get_torrents():
            session.remove_torrent(h)
    return 0


if __name__ == "__main__":
    sys.exit(main())
