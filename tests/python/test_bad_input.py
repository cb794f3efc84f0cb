"""Python's side of tests/bad_input/cases.json: each bad setting, control,
timeline entry and fault is refused with the engine's message, the one the
CLI and the app give (tests/bad_input/check_cli.py, tests/app_gui)."""
import json
import os
from pathlib import Path

import pytest

import swarmbench

SOURCE = Path(os.environ.get("SWARMBENCH_SOURCE_DIR", Path(__file__).resolve().parents[2]))
CASES = json.loads((SOURCE / "tests" / "bad_input" / "cases.json").read_text())["cases"]
SETTINGS = {"scenario": swarmbench.Scenario, "stream": swarmbench.StreamConfig, "disk": swarmbench.DiskConfig}


def case_id(case):
    return f"{case['kind']}-{case.get('field') or case.get('entry', case.get('fault'))}"


@pytest.mark.parametrize("case", CASES, ids=[f"{i}-{case_id(c)}" for i, c in enumerate(CASES, 1)])
def test_refused_with_the_engines_message(case):
    kind, error = case["kind"], case["error"]
    if kind in SETTINGS:
        with pytest.raises(ValueError) as e:
            SETTINGS[kind](**{case["field"]: case["value"]})
        assert str(e.value) == error
        # The property refuses it the same way, and keeps the value it had.
        obj = SETTINGS[kind]()
        before = getattr(obj, case["field"])
        with pytest.raises(ValueError) as e:
            setattr(obj, case["field"], case["value"])
        assert str(e.value) == error and getattr(obj, case["field"]) == before
    elif kind == "control":
        with pytest.raises((ValueError, TypeError)) as e:
            swarmbench.Controls(**{case["field"]: case["value"]})
        assert str(e.value) == error
        with pytest.raises(ValueError) as e:
            swarmbench.Timeline().set(1, case["field"], case["value"])
        assert str(e.value) == error
    elif kind == "timeline":
        with pytest.raises(ValueError) as e:
            swarmbench.Timeline.from_json(json.dumps([case["entry"]]))
        assert error in str(e.value)
    elif kind == "fault":
        with pytest.raises(ValueError) as e:
            swarmbench.Fault(**case["fault"])
        assert str(e.value) == error
        with pytest.raises(ValueError) as e:
            swarmbench.Timeline.from_json(json.dumps([{"t": 1, "fault": case["fault"]}]))
        assert error in str(e.value)
    else:
        pytest.fail(f"unknown kind {kind}")
