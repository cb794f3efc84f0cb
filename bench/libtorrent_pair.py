#!/usr/bin/python3
"""libtorrent seeding to libtorrent over loopback: the reference for the swarm benchmark.

    /usr/bin/python3 bench/libtorrent_pair.py create CONTENT OUT.torrent [--piece-size 262144]
    /usr/bin/python3 bench/libtorrent_pair.py transfer OUT.torrent SEED_DIR DOWNLOAD_DIR [--timeout 600]

`create` writes a v1-only torrent over one content file (libtorrent hashes it).
`transfer` starts two sessions in this process, a seeder in seed_mode over SEED_DIR
and a leecher into DOWNLOAD_DIR, dials the seeder from the leecher and waits until
the leecher is seeding (libtorrent has hash-checked every piece it received). It
prints one JSON object: goodput from add to done, steady state between 10% and 90%,
and this process's CPU seconds (both sessions) over the transfer.

Runs under Debian's /usr/bin/python3 (python3-libtorrent); bench/run.py calls it.
Session settings follow shared/notes/real-clients.md: TCP only on 127.0.0.1, no DHT,
LSD, UPnP, NAT-PMP or encryption, several connections per IP allowed, no rate limits;
`--preset high_performance_seed` starts from libtorrent's own preset for fast seeding.
"""
from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

try:
    import libtorrent as lt
except ImportError:
    sys.exit("libtorrent not importable: install python3-libtorrent and run this with /usr/bin/python3")


def cpu_seconds() -> float:
    """CPU of this process, every thread (libtorrent's network, disk and hashing threads)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def make_session(preset: str) -> lt.session:
    pack = lt.high_performance_seed() if preset == "high_performance_seed" else lt.default_settings()
    pack.update({
        "listen_interfaces": "127.0.0.1:0",
        "enable_dht": False, "enable_lsd": False, "enable_upnp": False, "enable_natpmp": False,
        "enable_incoming_utp": False, "enable_outgoing_utp": False,
        "allow_multiple_connections_per_ip": True,
        "out_enc_policy": int(lt.enc_policy.disabled), "in_enc_policy": int(lt.enc_policy.enabled),
        "upload_rate_limit": 0, "download_rate_limit": 0,
        # the notes: a seeder that accepts a deep request queue keeps fast leechers busy
        "max_allowed_in_request_queue": 30000,
        "alert_mask": int(lt.alert.category_t.error_notification),
    })
    return lt.session(pack)


def add(session: lt.session, info: lt.torrent_info, save_path: Path, seed: bool) -> lt.torrent_handle:
    atp = lt.add_torrent_params()
    atp.ti = info
    atp.save_path = str(save_path)
    flags = atp.flags & ~lt.torrent_flags.paused & ~lt.torrent_flags.auto_managed
    flags |= lt.torrent_flags.disable_dht | lt.torrent_flags.disable_lsd | lt.torrent_flags.disable_pex
    if seed:
        flags |= lt.torrent_flags.seed_mode  # files known good: no initial hash check
    atp.flags = flags
    return session.add_torrent(atp)


def errors(session: lt.session) -> list[str]:
    return [a.message() for a in session.pop_alerts()]


def create(args) -> int:
    content = Path(args.content).resolve()
    fs = lt.file_storage()
    lt.add_files(fs, str(content))
    torrent = lt.create_torrent(fs, args.piece_size, flags=lt.create_torrent.v1_only)
    lt.set_piece_hashes(torrent, str(content.parent))
    Path(args.torrent).write_bytes(lt.bencode(torrent.generate()))
    return 0


def transfer(args) -> int:
    info = lt.torrent_info(args.torrent)
    total = info.total_size()
    deadline = time.monotonic() + args.timeout
    seeder, leecher = make_session(args.preset), make_session(args.preset)
    seed = add(seeder, info, Path(args.seed_dir), seed=True)
    while not seed.status().is_seeding:  # seed_mode: immediate, once the torrent is loaded
        if time.monotonic() > deadline:
            sys.exit(f"seeder never started seeding: {errors(seeder)}")
        time.sleep(0.02)
    port = seeder.listen_port()

    cpu0, t0 = cpu_seconds(), time.monotonic()
    handle = add(leecher, info, Path(args.download_dir), seed=False)
    handle.connect_peer(("127.0.0.1", port))
    samples = []  # (seconds since add, bytes verified)
    while True:
        status = handle.status()
        now = time.monotonic()
        samples.append((now - t0, status.total_wanted_done))
        if status.is_seeding:
            break
        if status.errc.value() != 0:
            sys.exit(f"leecher failed: {status.errc.message()} {errors(leecher)}")
        if now > deadline:
            sys.exit(f"libtorrent pair timed out after {args.timeout} s at {status.progress:.1%}: "
                     f"{errors(leecher) + errors(seeder)}")
        time.sleep(0.05)
    seconds, cpu = time.monotonic() - t0, cpu_seconds() - cpu0

    def crossing(share: float) -> tuple[float, int]:
        return next(s for s in samples if s[1] >= share * total)
    (ta, ba), (tb, bb) = crossing(0.1), crossing(0.9)
    steady = (bb - ba) / (tb - ta) if tb > ta else None
    print(json.dumps({"bytes": total, "pieces": info.num_pieces(), "piece_size": info.piece_length(),
                      "seconds": seconds, "goodput_bytes_per_s": total / seconds,
                      "steady_bytes_per_s": steady, "cpu_seconds": cpu,
                      "cpu_seconds_per_gib": cpu / (total / 2**30), "preset": args.preset,
                      "libtorrent": lt.__version__}))
    # a clean stop, so the leecher's files are closed before the caller removes them
    leecher.remove_torrent(handle)
    seeder.remove_torrent(seed)
    return 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("create", help="write a v1-only torrent over one content file")
    c.add_argument("content")
    c.add_argument("torrent")
    c.add_argument("--piece-size", type=int, default=256 * 1024)
    t = sub.add_parser("transfer", help="seed TORRENT from SEED_DIR to a leecher in DOWNLOAD_DIR")
    t.add_argument("torrent")
    t.add_argument("seed_dir")
    t.add_argument("download_dir")
    t.add_argument("--timeout", type=float, default=600)
    t.add_argument("--preset", choices=["plain", "high_performance_seed"], default="plain")
    args = p.parse_args()
    return create(args) if args.command == "create" else transfer(args)


if __name__ == "__main__":
    sys.exit(main())
