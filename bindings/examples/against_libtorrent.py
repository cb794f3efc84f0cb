"""Fake peers against a real client: libtorrent, in this process, downloads
a torrent from swarmbench's fake seeders, then seeds it to swarmbench's
fake leechers; how fast it takes and gives, both measured by swarmbench.

The torrent is synthetic (swarmbench.bt.synthetic_torrent, saved as a
.torrent that any client reads): swarmbench's seeders generate its content
and its leechers check every piece without any files of their own. The two
runs are swarmbench.upload_scenario() and download_scenario(), the
scenarios of `swarmbench upload` and `swarmbench download`; their results
folders and an overlay of both go to --out.

Run (from a build with the Python module, e.g. build/release; needs Debian's
python3-libtorrent):

    PYTHONPATH=build/release/python /usr/bin/python3 bindings/examples/against_libtorrent.py
    PYTHONPATH=build/release/python /usr/bin/python3 bindings/examples/against_libtorrent.py --size 1GiB --connections 8 --out lt/

A few seconds with the defaults, over loopback; libtorrent's download
folder (it writes real files) and the results go to a new temporary
directory unless --out is given.
"""
import argparse
import sys
import tempfile
import time
from pathlib import Path

import swarmbench
from swarmbench import bt


def libtorrent_session(lt):
    """A libtorrent session on 127.0.0.1 (any port): TCP only, no DHT, LSD,
    UPnP or NAT-PMP, plain handshakes, several connections per IP (the fake
    peers are all on 127.0.0.x), no rate limits, a deep request queue."""
    return lt.session({
        "listen_interfaces": "127.0.0.1:0",
        "enable_dht": False, "enable_lsd": False, "enable_upnp": False, "enable_natpmp": False,
        "enable_incoming_utp": False, "enable_outgoing_utp": False,
        "allow_multiple_connections_per_ip": True,
        "out_enc_policy": int(lt.enc_policy.disabled), "in_enc_policy": int(lt.enc_policy.enabled),
        "upload_rate_limit": 0, "download_rate_limit": 0,
        "max_allowed_in_request_queue": 30000,
        "alert_mask": 0,
    })


def add_torrent(lt, session, torrent, save_path):
    """Adds the torrent with no data, started at once (a torrent added
    paused or auto-managed may never start)."""
    atp = lt.add_torrent_params()
    atp.ti = lt.torrent_info(str(torrent))
    atp.save_path = str(save_path)
    atp.flags = (atp.flags & ~lt.torrent_flags.paused & ~lt.torrent_flags.auto_managed) | lt.torrent_flags.disable_pex
    return session.add_torrent(atp)


def report(what, r):
    w = r.summary["swarm"]
    print(f"{what}: {r.bytes / 2**20:.1f} MiB at {r.goodput / 2**20:.1f} MiB/s goodput, "
          f"{w.get('protocol_errors', 0)} protocol errors, {r.status}")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--size", default="256MiB", help="torrent size (default 256MiB)")
    p.add_argument("--piece-size", default="256KiB", help="piece size (default 256KiB)")
    p.add_argument("--connections", type=int, default=4, help="fake seeders, then fake leechers (default 4)")
    p.add_argument("--timeout", type=float, default=300, help="limit per run in seconds (default 300)")
    p.add_argument("--out", help="where everything goes (default: a temporary directory)")
    a = p.parse_args(argv)
    try:
        import libtorrent as lt
    except ImportError as e:
        print(f"needs python3-libtorrent (apt-get install python3-libtorrent): {e}", file=sys.stderr)
        return 2

    out = Path(a.out) if a.out else Path(tempfile.mkdtemp(prefix="swarmbench-libtorrent-"))
    out.mkdir(parents=True, exist_ok=True)
    sizes = swarmbench.Scenario(torrent_size=a.size, piece_size=a.piece_size)  # reads "256MiB" as the CLI does
    t = bt.synthetic_torrent(sizes.torrent_size, piece_size=sizes.piece_size, files=4, seed=1,
                             name="against-libtorrent")
    torrent = out / "against-libtorrent.torrent"
    t.save(torrent, overwrite=True)
    print(f"torrent: {torrent} ({t.total_length / 2**20:.1f} MiB, {t.piece_count} pieces, info-hash {t.info_hash_hex})")

    session = libtorrent_session(lt)
    try:
        deadline = time.monotonic() + 10
        while session.listen_port() == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        target = f"127.0.0.1:{session.listen_port()}"
        handle = add_torrent(lt, session, torrent, out / "libtorrent")

        # libtorrent has the torrent and no data: the fake seeders dial it and serve every piece.
        up = swarmbench.run(swarmbench.upload_scenario(torrent, target, connections=a.connections,
                                                       timeout_s=a.timeout), check=False)
        report(f"upload   (libtorrent takes from {a.connections} fake seeders)", up)
        deadline = time.monotonic() + 60
        while not handle.status().is_seeding and time.monotonic() < deadline:
            time.sleep(0.05)
        print(f"libtorrent seeding: {handle.status().is_seeding}")

        # Now it seeds: the fake leechers dial it and each download and check every piece.
        down = swarmbench.run(swarmbench.download_scenario(torrent, target, connections=a.connections,
                                                           storage="discard", timeout_s=a.timeout), check=False)
        report(f"download (libtorrent gives to {a.connections} fake leechers)", down)
        print(f"pieces verified: {down.summary['swarm'].get('pieces_verified', 0)} of "
              f"{a.connections} x {t.piece_count}")
    finally:
        session.pause()
        for h in session.get_torrents():
            session.remove_torrent(h)
        del session  # waits for libtorrent's threads

    up.label, down.label = "upload to libtorrent", "download from libtorrent"
    up.export(out / "upload")
    down.export(out / "download")
    files = swarmbench.plot([up, down], out / "overlay", title="swarmbench against libtorrent")
    print(f"overlay: {', '.join(str(f) for f in files if f.suffix == '.png')}")
    return 0 if up.ok and down.ok else 1


if __name__ == "__main__":
    sys.exit(main())
