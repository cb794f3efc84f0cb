"""Checks what the app's window says, from the text beside its screenshot
(swarmbench-gui --screenshot FILE writes FILE.txt: every text that frame drew,
table cells joined by " | ").

    check_frame_text.py final SHOT.txt RESULTS.json SCENARIO_PATH
        the frame after a run, with the Peers tab open: the path box and the
        "Start runs" line show the loaded file; the peers table counts every
        connection results.json has, and each row shown is one of them, with
        its id, local address and final state; the status bar says what ran.
    check_frame_text.py live SHOT.txt
        a frame taken while a swarm runs (--screenshot-at): the run bar has
        the rate, the share done and the ETA; the steering labels are there;
        the status bar is the user's, with no frame times."""
import json
import re
import sys


def fail(why, text):
    print(f"FAIL: {why}")
    print("--- frame text ---")
    print(text)
    return 1


def check_final(text, results_path, scenario_path):
    lines = text.splitlines()
    if "{ " + scenario_path + " }" not in text:
        return fail(f"the path box does not show {scenario_path}", text)
    if f"Start runs {scenario_path}" not in lines:
        return fail(f"no line 'Start runs {scenario_path}'", text)
    doc = json.load(open(results_path))
    peers = {(p["leecher"], p["id"]): p for p in doc["peers"]}
    counts = re.findall(r"(\d+) of (\d+) connections", text)
    if not counts:
        return fail("no 'N of M connections' over the peers table", text)
    shown, total = map(int, counts[0])
    if shown != total or total != len(peers):
        return fail(f"the table counts {shown} of {total} connections; results.json has {len(peers)}", text)
    rows = 0
    for line in lines:
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        if len(cells) < 5 or not cells[0].startswith("leecher-") or not cells[1].isdigit():
            continue
        key = (cells[0], int(cells[1]))
        if key not in peers:
            return fail(f"a row {key} that results.json does not have", text)
        want = peers[key]
        if cells[2] != want["local"] or cells[3] != want["remote"] or cells[4] != want["state"]:
            return fail(f"row {key} says local {cells[2]}, remote {cells[3]}, state {cells[4]}; results.json "
                        f"{want['local']}, {want['remote']}, {want['state']}", text)
        if cells[4] in ("connecting", "handshaking", "active", "closing"):  # a live state: the final rows hold why it closed
            return fail(f"row {key} is still '{cells[4]}' after the run", text)
        rows += 1
    if rows < min(5, len(peers)):
        return fail(f"only {rows} peer rows in the frame", text)
    status = lines[-1] if lines else ""
    if not status.startswith("swarm finished | ") or "ms/frame" in status:
        return fail(f"status bar '{status}'", text)
    print(f"frame text: path box and 'Start runs' show {scenario_path}; the table counts {total} connections as "
          f"results.json does, the {rows} rows read match it; status '{status}'")
    return 0


def check_live(text):
    lines = text.splitlines()
    bar = [l for l in lines if re.match(r"^\[ *\d+\.\d s\] running ", l)]
    if not bar:
        return fail("no run bar line '[ t s] running ...'", text)
    if not re.search(r"\d B/s|iB/s", bar[0]) or not re.search(r"\d+\.\d%", bar[0]) or "ETA" not in bar[0]:
        return fail(f"the run bar '{bar[0]}' lacks the rate, the share done or the ETA", text)
    for label in ("connections/leecher", "pipeline", "rate/conn"):
        if not any(l.endswith(label) for l in lines):
            return fail(f"no steering label '{label}'", text)
    status = lines[-1] if lines else ""
    if not status.startswith("swarm running | ") or "ms/frame" in status or "  |" in status:
        return fail(f"status bar '{status}'", text)
    print(f"frame text: run bar '{bar[0]}'; status '{status}'")
    return 0


def main():
    kind, path = sys.argv[1], sys.argv[2]
    text = open(path, encoding="utf-8").read()
    if kind == "final":
        return check_final(text, sys.argv[3], sys.argv[4])
    if kind == "live":
        return check_live(text)
    print(f"unknown check {kind}")
    return 2


if __name__ == "__main__":
    sys.exit(main())
