"""The CLI's side of tests/bad_input/cases.json: every case refused with exit
code 2, one line on stderr carrying the engine's message, nothing run and no
results folder made.

    check_cli.py SWARMBENCH_BINARY

Scenario, stream and disk fields go in as their flags (`run --pipeline 0`);
controls, timeline entries and faults as a one-entry `run --timeline FILE`.
"""
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def text(value):
    return value if isinstance(value, str) else json.dumps(value)


def main():
    binary = sys.argv[1]
    cases = json.loads((HERE / "cases.json").read_text())["cases"]
    failures = []
    with tempfile.TemporaryDirectory(prefix="swarmbench-bad-input-") as tmp:
        work = Path(tmp)
        for i, case in enumerate(cases, 1):
            kind = case["kind"]
            out = work / f"results-{i}"
            if kind in ("scenario", "stream", "disk"):
                command = {"scenario": "run", "stream": "stream", "disk": "disk"}[kind]
                args = [command, f"{case['flag']}={text(case['value'])}", "-o", str(out)]
                field, message = case["error"].split(": ", 1)
                want = f"{case['flag']} ({field}): {message}"
            else:
                entry = {"control": lambda: {"t": 1, "set": {case["field"]: case["value"]}},
                         "timeline": lambda: case["entry"],
                         "fault": lambda: {"t": 1, "fault": case["fault"]}}[kind]()
                plan = work / f"plan-{i}.json"
                plan.write_text(json.dumps([entry]))
                args = ["run", "--timeline", str(plan), "-o", str(out)]
                want = case["error"]
            p = subprocess.run([binary, *args], capture_output=True, text=True, timeout=60)
            lines = p.stderr.strip().splitlines()
            problem = None
            if p.returncode != 2:
                problem = f"exit code {p.returncode}, want 2"
            elif len(lines) != 1 or want not in lines[0]:
                problem = f"stderr {p.stderr.strip()!r} lacks {want!r}"
            elif out.exists():
                problem = "made a results folder"
            if problem:
                failures.append(f"case {i} ({kind} {case.get('field', '')}): swarmbench {' '.join(args)}: {problem}")
    for f in failures:
        print("FAIL:", f)
    print(f"{len(cases) - len(failures)} of {len(cases)} cases refused as the table says")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
