"""Controls, Fault and Timeline (bindings/src/bind_control.cpp): steering a
running swarm and injecting faults, visible in the results (events, hash
failures, disconnects).
"""
import pytest

import swarmbench

SMALL = dict(torrent_size="4MiB", piece_size="64KiB", seeders=2, leechers=2, connections_per_leecher=4,
             storage="discard", threads=2, interval_ms=20)


def timed(seconds, **more):
    return swarmbench.Scenario(**{**SMALL, "duration_s": seconds, **more})


def whats(result):
    return [e.what for e in result.events]


def test_controls_values():
    c = swarmbench.Controls(pipeline=32, rate_limit="10MiB")
    assert c.pipeline == 32 and c.rate_limit == 10 << 20
    assert c.connections_per_leecher is None and c.churn_per_s is None and c.slow_rate is None
    c.rate_limit = 0  # unlimited, as in a Scenario
    assert c.rate_limit == 0
    c.churn_per_s = 2
    assert c.churn_per_s == 2.0
    assert c.to_dict() == {"connections_per_leecher": None, "pipeline": 32, "rate_limit": 0, "slow_rate": None,
                           "churn_per_s": 2.0}
    assert repr(c) == "Controls(pipeline=32, rate_limit=0, churn_per_s=2.0)"
    c.reset()
    assert all(v is None for v in c.to_dict().values())
    assert swarmbench.Controls.names() == list(c.to_dict())


def test_controls_refuse_what_the_scenario_refuses():
    c = swarmbench.Controls()
    with pytest.raises(ValueError, match=r"^pipeline: must be 1\.\.2048, got 0$"):
        c.pipeline = 0
    with pytest.raises(ValueError, match="rate_limit: must be 0 or 1 KiB..100 GiB"):
        c.rate_limit = 10
    with pytest.raises(ValueError, match="churn_per_s"):
        c.churn_per_s = -1.0
    with pytest.raises(TypeError, match="pipeline: expected an int or None, got str"):
        c.pipeline = "8"
    with pytest.raises(TypeError, match="pipelin: not a control"):
        swarmbench.Controls(pipelin=3)
    assert c.pipeline is None


def test_fault_values():
    f = swarmbench.Fault("stall", count=3, seconds=0.5)
    assert (f.kind, f.count, f.seconds) == ("stall", 3, 0.5)
    assert repr(f) == "Fault('stall', count=3, seconds=0.5)"
    assert swarmbench.Fault("drop") == swarmbench.Fault("drop", count=1)
    with pytest.raises(ValueError, match='kind: must be "drop", "corrupt" or "stall", got "melt"'):
        swarmbench.Fault("melt")
    with pytest.raises(ValueError, match="count: must be 1..100000, got 0"):
        swarmbench.Fault("drop", count=0)
    with pytest.raises(ValueError, match="seconds: must be 0.01..3600 s for a stall"):
        swarmbench.Fault("stall", count=1)


def test_timeline_plan():
    tl = (swarmbench.Timeline()
          .set(2, "pipeline", 32)
          .ramp("connections_per_leecher", 0, 1, 1, 9, steps=4)
          .fault(0.5, swarmbench.Fault("drop", count=2))
          .phase(1.5, "throttled", rate_limit="1MiB", pipeline=4))
    assert len(tl) == 1 + 5 + 1 + 1 and tl.end_s == 2
    times = [t for t, _ in tl.actions]
    assert times == sorted(times)
    assert [w for t, w in tl.actions if "ramp" in w] == [
        f"connections_per_leecher = {v} (ramp {k}/4)" for k, v in enumerate([1, 3, 5, 7, 9])]
    assert (0.5, "fault drop 2") in tl.actions
    assert (1.5, "phase throttled: rate_limit = 1 MiB/s, pipeline = 4") in tl.actions
    assert tl.clear() is tl and len(tl) == 0
    with pytest.raises(ValueError, match="t: must be 0 or more seconds"):
        tl.set(-1, "pipeline", 3)
    with pytest.raises(ValueError, match="not a control"):
        tl.set(1, "speed", 3)
    with pytest.raises(ValueError, match="pipeline: must be 1..2048"):
        tl.ramp("pipeline", 0, 1, 1, 5000)
    with pytest.raises(ValueError, match="t1: must be at least t0"):
        tl.ramp("pipeline", 2, 1, 1, 8)
    with pytest.raises(ValueError, match="steps: must be 1..10000"):
        tl.ramp("pipeline", 0, 1, 1, 8, steps=0)
    assert len(tl) == 0


def test_timeline_file_round_trip(tmp_path):
    tl = (swarmbench.Timeline()
          .phase(0, "warm-up", pipeline=8)
          .set(1, "rate_limit", "4MiB")
          .fault(2, swarmbench.Fault("stall", count=2, seconds=0.5)))
    path = tmp_path / "plan.json"
    tl.save(path)
    back = swarmbench.Timeline.load(path)
    assert back.actions == tl.actions and back.to_json() == tl.to_json()
    assert '"rate_limit": 4194304' in tl.to_json()
    assert swarmbench.Timeline.from_json(tl.to_json()).actions == tl.actions
    path.write_text('[{"t": 1, "set": {"pipeline": 0}}]')
    with pytest.raises(ValueError, match=r"plan.json: entry 1 \(t = 1 s\): pipeline: must be 1\.\.2048, got 0"):
        swarmbench.Timeline.load(path)
    with pytest.raises(ValueError, match="cannot read the timeline file"):
        swarmbench.Timeline.load(tmp_path / "missing.json")


def test_timeline_shapes_the_run():
    tl = (swarmbench.Timeline()
          .set(0.1, "pipeline", 4)
          .phase(0.3, "narrow", connections_per_leecher=1)
          .ramp("pipeline", 0.4, 0.6, 8, 32, steps=2))
    r = swarmbench.run(timed(1.0), timeline=tl)
    w = whats(r)
    assert "pipeline 16 -> 4" in w
    assert "phase narrow" in w and "connections_per_leecher 4 -> 1" in w
    assert w.index("phase narrow") < w.index("connections_per_leecher 4 -> 1")
    assert "pipeline 8 -> 20" in w and "pipeline 20 -> 32" in w
    assert [e.t_s for e in r.events] == sorted(e.t_s for e in r.events)
    # Fewer connections: the active count follows the phase.
    assert r["connections_active"][-1] == 2 * 1
    assert any(e["what"] == "phase narrow" for e in r.to_dict()["events"])


def test_controls_steer_a_running_swarm():
    c = swarmbench.Controls()
    run = swarmbench.start(timed(1.0), controls=c)
    assert run.controls is c
    next(iter(run.samples()))
    c.pipeline = 2
    c.rate_limit = "64MiB"
    r = run.result()
    assert "pipeline 16 -> 2" in whats(r)
    assert "rate_limit unlimited -> 64 MiB/s" in whats(r)


def test_churn_control_drops_connections():
    r = swarmbench.run(timed(1.0), controls=swarmbench.Controls(churn_per_s=40))
    assert r.summary["swarm"]["disconnects"] > 0
    assert "churn_per_s 0 -> 40" in whats(r)


def test_drop_fault_counts_disconnects():
    tl = swarmbench.Timeline().fault(0.2, swarmbench.Fault("drop", count=3))
    r = swarmbench.run(timed(1.0), timeline=tl)
    assert "drop 3 connections" in whats(r)
    assert r.summary["swarm"]["disconnects"] >= 3
    assert r["disconnects_total"][-1] >= 3


def test_corrupt_fault_makes_hash_failures():
    # Files storage: the leechers hash every piece (discard hashes nothing).
    # Stops as soon as a failure shows rather than after a fixed window, which
    # a loaded machine can outlast; the run ends by itself after 20 s at most.
    c = swarmbench.Controls()
    # 32 MiB: a timed run downloads in rounds, and a 4 MiB round lasts ~10 ms,
    # so corrupted blocks could all arrive as stale answers to the last
    # round's requests, which are dropped unhashed.
    run = swarmbench.start(timed(20.0, storage="files", torrent_size="32MiB"), controls=c)
    col = run.columns.index("hash_failures_total")
    samples = iter(run.samples())
    next(samples)
    # Eight blocks: a corrupted block that reaches a piece another connection
    # already completed (endgame duplicates) is dropped unhashed, legitimately.
    c.inject(swarmbench.Fault("corrupt", count=8))
    for row in samples:
        if row[col] >= 1:
            run.stop()
            break
    r = run.result()
    assert any(w.startswith("corrupt 8 block") for w in whats(r))
    assert r.summary["swarm"]["hash_failures"] >= 1
    assert r["hash_failures_total"][-1] >= 1


def test_stall_fault_is_recorded():
    tl = swarmbench.Timeline().fault(0.1, swarmbench.Fault("stall", count=2, seconds=0.3))
    r = swarmbench.run(timed(1.0), timeline=tl)
    assert any(w.startswith("stall 2 connections") for w in whats(r))


def test_custom_piece_order_runs():
    s = swarmbench.Scenario(**{**SMALL, "pick": "custom", "piece_order": [63, 62, 0, 31]})
    r = swarmbench.run(s)
    assert r.ok and r.summary["swarm"]["pieces_complete"] == 2 * 64
    assert r.config["pick"] == "custom" and r.config["piece_order"] == [63, 62, 0, 31]
