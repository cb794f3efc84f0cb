"""Result, load_results and plot (bindings/src/bind_results.cpp): the time
series as numpy arrays, and results folders identical in form to the CLI's.
"""
import csv
import json

import numpy
import pytest

import swarmbench

GRAPHS = ["throughput", "latency", "connections"]


@pytest.fixture(scope="module")
def swarm():
    """One small swarm run to completion (2 leechers x 4 MiB over loopback)."""
    return swarmbench.run(torrent_size="4MiB", piece_size="64KiB", seeders=2, leechers=2, connections_per_leecher=4,
                          storage="discard", threads=2, interval_ms=20)


def test_summary_and_document(swarm):
    assert swarm.ok and swarm.status == "ok" and swarm.mode == "swarm" and swarm.errors == []
    w = swarm.summary["swarm"]
    assert w["piece_count"] == 64 and w["leechers_complete"] == 2
    # discard of synthetic content: every piece complete, none hashed, nothing written
    assert w["pieces_complete"] == 2 * 64 and w["pieces_hashed"] is False and w["pieces_verified"] == 0
    assert w["disk_bytes_written"] == 0 and w["disk_write_us_p99"] == 0
    assert swarm.bytes == 2 * (4 << 20)
    assert swarm.goodput > 0 and swarm.seconds > 0
    assert swarm.config["leechers"] == 2 and swarm.config["mode"] == "swarm"
    assert swarm.backend in swarmbench.available_backends()
    assert swarm.environment["backend"] == swarm.backend
    doc = swarm.to_dict()
    assert set(doc) >= {"schema", "config", "environment", "summary", "timeseries", "peers", "events"}
    assert json.loads(swarm.to_json()) == doc
    assert len(swarm.peers) == 2 * 4 and {p["leecher"] for p in swarm.peers} == {"leecher-01", "leecher-02"}
    assert sum(p["blocks"] for p in swarm.peers) >= 2 * (4 << 20) // 16384
    assert swarm.events == []
    assert "swarm ok" in repr(swarm)


def test_time_series_is_numpy_with_names(swarm):
    ts = swarm.timeseries
    assert isinstance(ts, numpy.ndarray) and ts.dtype == numpy.float64
    assert ts.shape == (swarm.rows, len(swarm.columns)) and swarm.rows >= 1 and len(swarm) == swarm.rows
    assert swarm.columns[0] == "t_s" and "goodput_bps" in swarm.columns and "request_ms_p99" in swarm.columns
    assert swarm.units["goodput_bps"] == "B/s" and swarm.units["t_s"] == "s"
    j = swarm.columns.index("payload_total")
    assert numpy.array_equal(swarm["payload_total"], ts[:, j])
    assert numpy.array_equal(swarm.column("payload_total"), ts[:, j])
    assert swarm["payload_total"][-1] == 2 * (4 << 20)
    assert numpy.all(numpy.diff(swarm["t_s"]) > 0)
    assert "t_s" in swarm and "nope" not in swarm
    assert set(swarm.series()) == set(swarm.columns)
    with pytest.raises(ValueError):
        ts[0, 0] = 1.0  # read-only view of the Result's table
    with pytest.raises(KeyError, match="no_such: no such column"):
        swarm["no_such"]


def test_a_run_too_short_to_graph_says_so(swarm):
    short = swarmbench.run(torrent_size="1MiB", piece_size="64KiB", seeders=1, leechers=1, connections_per_leecher=1,
                           storage="discard", threads=1, interval_ms=5000)
    assert short.ok and short.rows < 10
    assert len(short.warnings) == 1 and "too few to graph" in short.warnings[0], short.warnings
    assert swarm.warnings == [] or swarm.rows < 10


def test_export_writes_the_cli_folder(swarm, tmp_path):
    out = tmp_path / "run1"
    files = swarm.export(out)
    names = {f.name for f in files}
    assert {"results.json", "timeseries.csv"} <= names
    for g in GRAPHS:
        assert (out / f"{g}.png").stat().st_size > 1000
        assert (out / f"{g}.svg").read_text().lstrip().startswith("<?xml")
    doc = json.loads((out / "results.json").read_text())
    assert doc["config"]["mode"] == "swarm" and doc["summary"]["status"] == "ok"
    assert doc["summary"]["swarm"]["pieces_complete"] == 128
    with open(out / "timeseries.csv", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == swarm.columns
    assert len(rows) == 1 + swarm.rows
    assert float(rows[-1][swarm.columns.index("payload_total")]) == 2 * (4 << 20)
    assert swarm.dir == out

    back = swarmbench.load_results(out)
    assert back.columns == swarm.columns and back.rows == swarm.rows
    assert numpy.allclose(back.timeseries, swarm.timeseries, rtol=1e-8, equal_nan=True)
    assert back.summary == swarm.summary and back.label == "run1" and back.dir == out


def test_export_without_graphs_and_errors(swarm, tmp_path):
    files = swarm.export(tmp_path / "plain", graphs=False)
    assert sorted(f.name for f in files) == ["results.json", "timeseries.csv"]
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(swarmbench.Error, match="cannot create results folder"):
        swarm.export(blocker)


def test_run_with_output_dir_streams_the_folder(tmp_path):
    out = tmp_path / "live"
    r = swarmbench.run(torrent_size="2MiB", piece_size="64KiB", seeders=1, leechers=1, connections_per_leecher=2,
                       storage="discard", threads=1, interval_ms=20, output_dir=out)
    assert r.ok
    for g in GRAPHS:
        assert (out / f"{g}.png").exists() and (out / f"{g}.svg").exists()
    back = swarmbench.load_results(out)
    assert back.status == "ok" and back.rows == r.rows


def test_load_results_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        swarmbench.load_results(tmp_path / "nothing")
    with pytest.raises(swarmbench.Error, match="no results.json or timeseries.csv"):
        swarmbench.load_results(tmp_path)


def test_plot_overlays_several_runs(swarm, tmp_path):
    other = swarmbench.run(torrent_size="4MiB", piece_size="64KiB", seeders=2, leechers=2, connections_per_leecher=1,
                           storage="discard", threads=2, interval_ms=20)
    other.label = "one connection"
    folder = tmp_path / "saved"
    swarm.export(folder, graphs=False)
    files = swarmbench.plot([swarm, other, folder], tmp_path / "overlay", title="overlay test")
    assert sorted(f.name for f in files) == sorted(f"{g}.{e}" for g in GRAPHS for e in ("png", "svg"))
    svg = (tmp_path / "overlay" / "throughput.svg").read_text()
    assert len(svg) > len((folder / "results.json").read_text()) // 100  # drawn, not empty
    with pytest.raises(ValueError, match="nothing to plot"):
        swarmbench.plot([], tmp_path / "none")
    with pytest.raises(ValueError, match="width"):
        swarmbench.plot([swarm], tmp_path / "w", width=10)


def test_stream_result(tmp_path):
    r = swarmbench.run_stream(connections=2, seconds=0.3, interval_ms=50)
    assert r.ok and r.mode == "stream"
    assert r.columns[0] == "t_s" and "goodput_bytes_per_s" in r.columns
    assert r.summary["connections_established"] == 2
    assert r.bytes > 0 and r["bytes"][-1] > 0
    files = r.export(tmp_path / "stream")
    assert (tmp_path / "stream" / "throughput.png").exists() and len(files) >= 4
    assert swarmbench.load_results(tmp_path / "stream").mode == "stream"


def test_disk_result(tmp_path):
    cfg = swarmbench.DiskConfig(size="4MiB", queue_depth=8, dir=str(tmp_path))
    r = swarmbench.run_disk(cfg, output_dir=tmp_path / "out")
    assert r.ok and r.mode == "disk"
    assert r.summary["ops"] == 256 and r.bytes == 4 << 20
    assert r["ops"][-1] == 256
    assert json.loads((tmp_path / "out" / "results.json").read_text())["summary"]["ops"] == 256
    assert (tmp_path / "out" / "throughput.svg").exists()
    assert list(tmp_path.glob("swarmbench-disk*")) == []  # its temporary file is gone
