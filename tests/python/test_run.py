"""run(), start() and Run (bindings/src/bind_run.cpp): the GIL is released
while a workload runs, callbacks, polling, stopping, bad arguments, failed
runs, Ctrl-C, and dropping a running Run at any time (also at interpreter
exit, checked in a subprocess).
"""
import os
import socket
import subprocess
import sys
import textwrap
import threading
import time

import numpy
import pytest

import swarmbench

SMALL = dict(torrent_size="4MiB", piece_size="64KiB", seeders=2, leechers=2, connections_per_leecher=4,
             storage="discard", threads=2, interval_ms=20)


def timed(seconds, **more):
    """A timed run: leechers download again and again until `seconds` pass."""
    return swarmbench.Scenario(**{**SMALL, "duration_s": seconds, **more})


def run_python(code, timeout=120):
    env = dict(os.environ)
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=timeout, env=env)


def test_run_releases_the_gil():
    # The counter thread gives the GIL back every iteration (sleep), so it can
    # only count while nobody else holds the GIL: if run() held it, the
    # counter would stand still between two samples.
    counter = [0]
    stop = threading.Event()

    def count():
        while not stop.is_set():
            counter[0] += 1
            time.sleep(0.001)

    seen = []
    t = threading.Thread(target=count)
    t.start()
    try:
        r = swarmbench.run(timed(0.6), on_sample=lambda s: seen.append(counter[0]))
    finally:
        stop.set()
        t.join(timeout=10)
    assert r.ok and len(seen) == r.rows >= 10
    assert seen[-1] - seen[0] >= 10


def test_on_sample_gets_every_sample_as_a_dict():
    got = []
    r = swarmbench.run(timed(0.3), on_sample=got.append)
    assert len(got) == r.rows
    assert list(got[0]) == r.columns
    assert [g["t_s"] for g in got] == list(r["t_s"])
    assert got[-1]["payload_total"] == r["payload_total"][-1]


def test_exception_in_callback_stops_the_run_and_is_raised():
    calls = []

    def boom(sample):
        calls.append(sample["t_s"])
        if len(calls) == 3:
            raise ZeroDivisionError("from the callback")

    with pytest.raises(ZeroDivisionError, match="from the callback"):
        swarmbench.run(timed(60), on_sample=boom)
    assert len(calls) == 3  # never called again once it raised


def test_start_poll_samples_result():
    run = swarmbench.start(timed(0.5))
    assert run.mode == "swarm" and run.columns[0] == "t_s" and isinstance(run.controls, swarmbench.Controls)
    polled = run.poll()
    assert polled.shape[1] == len(run.columns) and polled.dtype == numpy.float64
    iterated = [row for row in run.samples()]
    assert all(row.shape == (len(run.columns),) for row in iterated)
    assert not run.running and run.wait_ended(0)
    r = run.result()
    assert r.ok and r.rows == polled.shape[0] + len(iterated) == run.rows
    assert numpy.array_equal(numpy.vstack([polled] + iterated) if iterated else polled, r.timeseries)
    assert run.poll().shape == (0, len(run.columns))
    assert run.progress["phase"] in ("running", "stopping")
    assert run.result() is not r and run.result().rows == r.rows  # may be asked again


def test_wait_stop_and_timeout():
    run = swarmbench.start(timed(60))
    assert run.wait_ended(0.05) is False and run.running
    with pytest.raises(TimeoutError):
        run.result(timeout=0)
    run.stop()
    assert run.wait_ended(60) is True
    r = run.result()
    assert r.status == "interrupted" and not run.running
    assert "ended" in repr(run)


def test_context_manager_stops_the_run():
    with swarmbench.start(timed(60)) as run:
        assert next(iter(run.samples())).shape == (len(run.columns),)
    assert not run.running and run.result().status == "interrupted"


def test_callback_on_a_started_run():
    got = []
    run = swarmbench.start(timed(0.3), on_sample=got.append)
    r = run.result()
    assert len(got) == r.rows


def test_callback_error_on_a_started_run():
    def bad(sample):
        raise KeyError("nope")

    run = swarmbench.start(timed(60), on_sample=bad)
    assert run.wait_ended(60)
    with pytest.raises(KeyError, match="nope"):
        run.result()
    with pytest.raises(KeyError):
        run.result()  # raised again, not lost


def test_drop_a_running_run():
    run = swarmbench.start(timed(60))
    next(iter(run.samples()))
    del run  # stops and joins; returns
    run2 = swarmbench.start(timed(60), on_sample=lambda s: None)
    run2 = None  # with a callback waiting for the GIL
    assert run2 is None


def test_bad_arguments():
    with pytest.raises(ValueError, match="pipeline: must be 1..2048, got 0"):
        swarmbench.run(swarmbench.Scenario(**SMALL), pipeline=0)
    s = swarmbench.Scenario(**SMALL)
    s.seeders = 0
    with pytest.raises(ValueError, match="seeders: must be 1..10000 unless connect_to"):
        swarmbench.run(s)
    with pytest.raises(TypeError, match="scenario: expected a Scenario"):
        swarmbench.run("big")
    with pytest.raises(TypeError, match="on_sample: expected a callable"):
        swarmbench.run(swarmbench.Scenario(**SMALL), on_sample=5)
    with pytest.raises(TypeError, match="controls: expected a Controls"):
        swarmbench.start(swarmbench.Scenario(**SMALL), controls={"pipeline": 3})
    with pytest.raises(TypeError, match="timeline: expected a Timeline"):
        swarmbench.run(swarmbench.Scenario(**SMALL), timeline=[])
    with pytest.raises(TypeError, match="seedrs: unknown field"):
        swarmbench.run(seedrs=1)
    with pytest.raises(TypeError, match="config: expected a StreamConfig"):
        swarmbench.run_stream(swarmbench.DiskConfig())
    with pytest.raises(ValueError, match="connections: must be 1..100000, got 0"):
        swarmbench.run_stream(connections=0)
    with pytest.raises(ValueError, match="timeout: must be 0 or more"):
        swarmbench.start(timed(0.2)).wait_ended(-1)


def test_a_failed_run_raises_with_its_result():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(swarmbench.Error) as err:
            swarmbench.run(timed(1), seeders=1, base_port=port)
        assert err.value.result.status == "failed"
        assert str(port) in str(err.value)
        r = swarmbench.run(timed(1), seeders=1, base_port=port, check=False)
        assert r.status == "failed" and not r.ok and any(str(port) in e for e in r.errors)
        with pytest.raises(swarmbench.Error):
            r.check()


def test_stream_and_disk_runs(tmp_path):
    got = []
    r = swarmbench.run_stream(swarmbench.StreamConfig(connections=2, seconds=0.3, interval_ms=50), on_sample=got.append)
    assert r.ok and got and set(got[0]) == {"elapsed_s", "bytes", "rate_bytes_per_s", "done", "total", "errors",
                                            "fraction"}
    run = swarmbench.start_stream(connections=2, seconds=0.3, interval_ms=50)
    rows = [row for row in run.samples()]
    assert run.mode == "stream" and run.controls is None and rows
    assert run.result().ok
    d = swarmbench.run_disk(size="4MiB", dir=str(tmp_path))
    assert d.ok and d.summary["ops"] == 256
    run = swarmbench.start_disk(size="4MiB", dir=str(tmp_path))
    assert run.result().summary["ops"] == 256
    assert list(tmp_path.iterdir()) == []


def test_interpreter_exit_with_runs_in_progress():
    out = run_python("""
        import swarmbench
        sc = swarmbench.Scenario(torrent_size="4MiB", piece_size="64KiB", seeders=2, leechers=2,
                                 connections_per_leecher=4, storage="discard", threads=2, duration_s=60)
        a = swarmbench.start(sc)
        b = swarmbench.start(sc, on_sample=lambda s: None)
        next(iter(a.samples()))
        next(iter(b.samples()))
        print("exiting", a.running, b.running, flush=True)
    """)
    assert out.returncode == 0, out.stderr
    assert "exiting True True" in out.stdout


def test_interpreter_exit_from_a_daemon_thread_run():
    out = run_python("""
        import threading, swarmbench
        started = threading.Event()
        def go():
            swarmbench.run(torrent_size="4MiB", piece_size="64KiB", seeders=1, leechers=1,
                           connections_per_leecher=2, storage="discard", threads=1, duration_s=60,
                           on_sample=lambda s: started.set())
        threading.Thread(target=go, daemon=True).start()
        assert started.wait(60)
        print("exiting", flush=True)
    """)
    assert out.returncode == 0, out.stderr
    assert "exiting" in out.stdout


def test_ctrl_c_stops_run_cleanly():
    out = run_python("""
        import os, signal, threading, swarmbench
        first = threading.Event()
        def interrupt():
            first.wait(60)
            os.kill(os.getpid(), signal.SIGINT)
        threading.Thread(target=interrupt, daemon=True).start()
        sc = swarmbench.Scenario(torrent_size="4MiB", piece_size="64KiB", seeders=1, leechers=1,
                                 connections_per_leecher=2, storage="discard", threads=1, duration_s=60)
        run = swarmbench.start(sc)  # a second run, left running, must not matter
        try:
            swarmbench.run(sc, on_sample=lambda s: first.set())
        except KeyboardInterrupt:
            print("interrupted", flush=True)
        run.stop()
        print(run.result().status, flush=True)
    """)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["interrupted", "interrupted"]
