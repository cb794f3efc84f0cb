"""swarmbench: torrent-style I/O load on the same C++ engine as the CLI and app.

High level (this package):

* ``Scenario`` -- a swarm's scenario, every field a keyword argument and a
  property, validated by the engine (the same messages as the CLI);
  ``StreamConfig`` and ``DiskConfig`` for the two baseline modes.
* ``run(scenario)`` -- runs a swarm (GIL released) and returns a ``Result``:
  the results document, the time series as numpy arrays with column names,
  ``export(dir)`` for the CLI's results folder and graphs.
  ``run_stream()`` and ``run_disk()`` run the baselines; ``start()``,
  ``start_stream()`` and ``start_disk()`` return a background ``Run`` to
  poll; ``load_results(dir)`` reads a results folder back; ``plot()``
  overlays several runs in one set of graphs.
* ``Controls``, ``Fault`` and ``Timeline`` -- steering a running swarm at
  tick granularity, and injecting faults.
* ``upload_scenario()``, ``download_scenario()`` and ``seed_scenario()`` --
  fake peers against a real BitTorrent client: the scenarios
  ``swarmbench upload``, ``download`` and ``seed`` run, to pass to
  ``run()`` (``swarmbench.bt`` makes the torrent and its content).

Low level: the completion port in ``swarmbench.port`` and synthetic torrents
in ``swarmbench.bt`` (import them explicitly).

Example::

    import swarmbench
    result = swarmbench.run(torrent_size="64MiB", storage="discard", leechers=2, duration_s=3)  # a timed run: 30 samples
    print(result.goodput, result.columns)
    result.export("results/")

    # a client on 127.0.0.1:6881 has T.torrent (from bt.synthetic_torrent(...).save())
    # added with no data: 8 fake seeders serve it
    swarmbench.run(swarmbench.upload_scenario("T.torrent", "127.0.0.1:6881", connections=8))
"""
import os as _os
from typing import Any as _Any

from ._swarmbench import (
    Controls,
    DiskConfig,
    Error,
    Event,
    Fault,
    Result,
    Run,
    SampleIterator,
    Scenario,
    StreamConfig,
    Timeline,
    __version__,
    backends,
    load_results,
    plot,
    run,
    run_disk,
    run_stream,
    set_log_level,
    start,
    start_disk,
    start_stream,
)
from ._swarmbench import _client_link, _client_listen, _client_role
from .port import available_backends  # one binding serves both names
from . import bt as _bt

# ---- Fake peers against a real client. Each function fills the scenario
# `swarmbench upload|download|seed` builds: the role's fixed fields and
# defaults are the engine's (swarm/client_roles.hpp), so
# run(download_scenario(...)) behaves as `swarmbench download`. (Module
# functions, not Scenario classmethods: Scenario.seed is a field.)


def _client_scenario(role: str, torrent: _Any, data: _Any, given: dict[str, _Any], fields: dict[str, _Any],
                     link: dict[str, _Any] | None = None) -> Scenario:
    spec = _client_role(role)
    if link is not None:
        given.update(_client_link(role, link))
    count = given.pop("count")
    if count is not None:
        given[spec["count"]] = count
    set_here = sorted((spec["fixed"].keys() | given.keys() | {spec["count"], "torrent_file", "content_dir"})
                      & fields.keys())
    if set_here:
        raise TypeError(f"{role}_scenario: {', '.join(set_here)} is set by {role}_scenario() itself (change it "
                        f"on the result with .copy() if you mean it)")
    path = _os.fspath(torrent)
    t = _bt.Torrent.load(path)  # ValueError naming the file and the reason
    if role != "download" and t.content_seed is None and data is None:
        raise ValueError(f"data: {path} was not made by swarmbench (make-torrent, bt.synthetic_torrent), so its "
                         f"content cannot be generated: give data=DIR, the folder that holds {t.name}")
    mine = {"torrent_file": path, "content_dir": "" if data is None else _os.fspath(data)}
    return Scenario(**{**spec["defaults"], **fields, **given, **spec["fixed"], **mine})


def upload_scenario(torrent: _Any, target: str, connections: int | None = None, data: _Any = None,
                    link: dict[str, _Any] | None = None, **fields: _Any) -> Scenario:
    """The scenario of `swarmbench upload`: `connections` fake seeders (default 8, one connection each) dial
    the client at target ("HOST:PORT"), which has the torrent (a .torrent path) added with no data, and serve
    it; the run ends "ok" when the client has announced every piece. The content is generated from the
    torrent's content seed (bt.synthetic_torrent, make-torrent), or read from data (the folder holding
    <name>/...). link: the fake peers' access-link class ({"up": "1Mbit", "rtt_ms": 40}, docs/links.md), as
    --link. fields: any other Scenario field (timeout_s, rate_limit, spread_sources=False, ...).
    ValueError if the torrent cannot be read, or has no content seed and no data is given."""
    return _client_scenario("upload", torrent, data, {"count": connections, "upload_to": [target]}, fields, link)


def download_scenario(torrent: _Any, target: str, connections: int | None = None, storage: str = "files",
                      link: dict[str, _Any] | None = None, **fields: _Any) -> Scenario:
    """The scenario of `swarmbench download`: `connections` fake leechers (default 8, one connection each)
    dial the seeding client at target ("HOST:PORT") and each download the whole torrent (a .torrent path),
    SHA-1 checking every piece; storage "files" (written under data_dir, default a temporary directory) or
    "discard" (checked, not written). link: the fake peers' access-link class, as upload_scenario().
    fields: any other Scenario field (pipeline, default 500: at most the client's request queue; timeout_s,
    data_dir, spread_sources=False, ...)."""
    return _client_scenario("download", torrent, None,
                            {"count": connections, "connect_to": [target], "storage": storage}, fields, link)


def seed_scenario(torrent: _Any, listen: str = "127.0.0.1:0", peers: int | None = None, data: _Any = None,
                  link: dict[str, _Any] | None = None, **fields: _Any) -> Scenario:
    """The scenario of `swarmbench seed`: `peers` fake seeders (default 1) listen on listen ("ADDR:PORT";
    seeder i on PORT + i, port 0: any free ports) for clients that connect in and serve them the torrent (a
    .torrent path); the run ends "ok" when a client has every piece. Content, link and errors as
    upload_scenario(). fields: any other Scenario field."""
    return _client_scenario("seed", torrent, data, {"count": peers, **_client_listen(listen)}, fields, link)

__all__ = [
    "Controls",
    "DiskConfig",
    "Error",
    "Event",
    "Fault",
    "Result",
    "Run",
    "SampleIterator",
    "Scenario",
    "StreamConfig",
    "Timeline",
    "__version__",
    "available_backends",
    "backends",
    "download_scenario",
    "load_results",
    "plot",
    "run",
    "run_disk",
    "run_stream",
    "seed_scenario",
    "set_log_level",
    "start",
    "start_disk",
    "start_stream",
    "upload_scenario",
]
