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

Low level: the completion port in ``swarmbench.port`` and synthetic torrents
in ``swarmbench.bt`` (import them explicitly).

Example::

    import swarmbench
    result = swarmbench.run(torrent_size="64MiB", storage="discard", leechers=2)
    print(result.goodput, result.columns)
    result.export("results/")
"""
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
from .port import available_backends  # one binding serves both names

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
    "load_results",
    "plot",
    "run",
    "run_disk",
    "run_stream",
    "set_log_level",
    "start",
    "start_disk",
    "start_stream",
]
