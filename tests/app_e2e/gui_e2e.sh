#!/usr/bin/env bash
# The desktop app end to end under a virtual X server:
#   gui_e2e.sh [--runner CMD] [--wineprefix DIR] [--scenario NAME] [--no-graphs]
#              [--timeline] GUI SOURCE_DIR WORK_DIR [PYTHON3]
# Starts Xvfb on a free display (-displayfd), runs
#   [CMD] swarmbench-gui --scenario assets/scenarios/NAME --run --export export
#                        --screenshot shot.png --exit-when-done --tab Peers
# with a timeout, then checks export/ (results.json status ok, timeseries.csv,
# throughput.png unless --no-graphs), the screenshot (check_screenshot.py)
# and what the window said in it (shot.txt, check_frame_text.py).
# Exit 77 (skip) only when Xvfb or the runner is not installed.
#
#   --runner CMD       run GUI through CMD (wine for the Win32 exe)
#   --wineprefix DIR   with wine: the test's own Wine prefix, started here with
#                      DISPLAY set to this Xvfb and stopped at the end. Not the
#                      prefix the other Windows tests share: a wineserver started
#                      without a display gives its desktop no graphics driver,
#                      and every window then fails ("Failed to create helper window").
#   --scenario NAME    a file in assets/scenarios (default small.json)
#   --no-graphs        a build without cairo: the export has no graphs (and the
#                      screenshot comes from app/gui/png_plain.cpp)
#   --timeline         also load a timeline (--timeline FILE) whose phase must
#                      reach results.json's events; then take a screenshot one
#                      second into a second run (--screenshot-at 1) and check
#                      its run bar and status bar; then check that a scripted
#                      run of a missing scenario file exits 2 and runs nothing
set -euo pipefail
runner=()
wineprefix=""
scenario=small.json
graphs=1
timeline=0
while [[ $# -gt 0 && $1 == --* ]]; do
  case "$1" in
    --runner) runner=("$2"); shift 2 ;;
    --wineprefix) wineprefix="$2"; shift 2 ;;
    --scenario) scenario="$2"; shift 2 ;;
    --no-graphs) graphs=0; shift ;;
    --timeline) timeline=1; shift ;;
    *) echo "gui_e2e.sh: unknown option $1"; exit 2 ;;
  esac
done
gui="$1"
src="$2"
work="$3"
python="${4:-/usr/bin/python3}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
width=1280
height=800

if ! command -v Xvfb >/dev/null; then
  echo "SKIP: Xvfb not installed (apt-get install xvfb xauth libgl1-mesa-dri)"
  exit 77
fi
if ((${#runner[@]})) && ! command -v "${runner[0]}" >/dev/null; then
  echo "SKIP: ${runner[0]} not installed (scripts/windows-packages.txt)"
  exit 77
fi

rm -rf "$work"
mkdir -p "$work"
cd "$work"

xvfb_pid=""
cleanup() {
  # Wine first: its desktop process holds a connection to this Xvfb.
  if declare -F wine_stop >/dev/null; then wine_stop; fi
  if [[ -n $xvfb_pid ]]; then
    kill "$xvfb_pid" 2>/dev/null || true
    wait "$xvfb_pid" 2>/dev/null || true
  fi
}
trap cleanup EXIT

# Xvfb picks a free display and writes its number to fd 3 once it is ready.
Xvfb -displayfd 3 -screen 0 1600x1000x24 -nolisten tcp 3>"$work/display" 2>"$work/xvfb.log" </dev/null >/dev/null &
xvfb_pid=$!
for _ in $(seq 1 100); do  # up to 10 s
  [[ -s "$work/display" ]] && break
  kill -0 "$xvfb_pid" 2>/dev/null || { echo "FAIL: Xvfb exited:"; cat "$work/xvfb.log"; exit 1; }
  sleep 0.1
done
[[ -s "$work/display" ]] || { echo "FAIL: Xvfb did not report a display"; cat "$work/xvfb.log"; exit 1; }
DISPLAY=":$(head -n1 "$work/display")"
export DISPLAY
echo "Xvfb on $DISPLAY"

if [[ -n $wineprefix ]]; then
  # shellcheck disable=SC1091  # the project's scripts: step, die, wine_start, wine_stop
  source "$src/scripts/lib.sh"
  # shellcheck disable=SC1091
  source "$src/scripts/wine.sh"
  started=$SECONDS
  wine_start "$wineprefix"  # with DISPLAY set: the desktop it creates draws into this Xvfb
  echo "Wine prefix $wineprefix ready in $((SECONDS - started)) s"
fi

# A crash of the GUI (or of Wine under it) leaves a core in $work, read below:
# a rare exit 139 of the Wine process after a complete run is not yet explained.
ulimit -c unlimited 2>/dev/null || true
# The backtrace of every core the run left, when gdb is there to read it.
show_cores() {
  local core
  for core in "$work"/core*; do
    [[ -f $core ]] || continue
    echo "core file $core: $(file -b "$core" 2>/dev/null)"
    if command -v gdb >/dev/null; then
      timeout 60 gdb -q -batch -c "$core" -ex "info proc" -ex "thread apply all bt 20" 2>&1 | tail -n 80
    fi
  done
}
extra=()
if ((timeline)); then
  echo '[{"t": 0, "phase": "e2e", "set": {"pipeline": 8}}]' > "$work/plan.json"
  extra=(--timeline "$work/plan.json")
fi
status=0
started=$SECONDS
LIBGL_ALWAYS_SOFTWARE=1 timeout --kill-after=10 180 "${runner[@]}" "$gui" "${extra[@]}" \
  --scenario "$src/assets/scenarios/$scenario" --run \
  --export export --screenshot shot.png --exit-when-done --tab Peers \
  --size "${width}x${height}" >"$work/gui.log" 2>&1 || status=$?
echo "swarmbench-gui ran $scenario in $((SECONDS - started)) s, exit code $status"
if [[ $status -ne 0 ]]; then
  echo "FAIL: swarmbench-gui exited $status"
  tail -n 40 "$work/gui.log"
  show_cores
  exit 1
fi

fail() { echo "FAIL: $*"; tail -n 20 "$work/gui.log"; exit 1; }
[[ -f export/results.json ]] || fail "export/results.json missing"
[[ -f export/timeseries.csv ]] || fail "export/timeseries.csv missing"
if ((graphs)); then
  [[ -f export/throughput.png ]] || fail "export/throughput.png missing"
fi
[[ $(wc -l <export/timeseries.csv) -ge 2 ]] || fail "timeseries.csv has no rows"
"$python" - "$work/export/results.json" "$timeline" <<'PY' || fail "results.json status is not ok (or the timeline's phase is missing)"
import json, sys
doc = json.load(open(sys.argv[1]))
status = doc["summary"]["status"]
mode = doc.get("config", {}).get("mode")
backend = doc.get("environment", {}).get("backend")
events = [e["what"] for e in doc.get("events", [])]
print("results.json: mode", mode, "backend", backend, "status", status, "events", events)
sys.exit(0 if status == "ok" and mode == "swarm" and (sys.argv[2] == "0" or "phase e2e" in events) else 1)
PY
ls swarmbench-results/*/results.json >/dev/null 2>&1 || fail "no run folder under swarmbench-results/"
[[ -f shot.png ]] || fail "shot.png missing"
"$python" "$here/check_screenshot.py" "$work/shot.png" "$width" "$height" || fail "screenshot check"
# What the window says in that frame (shot.txt): the path box, the peers table, the status bar.
scenario_path="$src/assets/scenarios/$scenario"
"$python" "$here/check_frame_text.py" final "$work/shot.txt" "$work/export/results.json" "$scenario_path" ||
  fail "frame text check"

if ((timeline)); then
  # A frame taken while the swarm runs (--screenshot-at): the run bar, the steering, the status bar.
  mkdir -p "$work/live"
  status=0
  (cd "$work/live" && LIBGL_ALWAYS_SOFTWARE=1 timeout --kill-after=10 120 "${runner[@]}" "$gui" \
    --scenario "$src/assets/scenarios/$scenario" --run --screenshot live.png --screenshot-at 1 --exit-when-done \
    --size "${width}x${height}") >"$work/live.log" 2>&1 || status=$?
  [[ $status -eq 0 ]] || { cat "$work/live.log"; echo "FAIL: the live screenshot run exited $status"; exit 1; }
  "$python" "$here/check_screenshot.py" "$work/live/live.png" "$width" "$height" || fail "live screenshot check"
  "$python" "$here/check_frame_text.py" live "$work/live/live.txt" || fail "live frame text check"
fi

if ((timeline)); then
  # A scripted run of a file that cannot be read refuses (exit 2) and runs nothing instead.
  mkdir -p "$work/refusal"
  status=0
  (cd "$work/refusal" && LIBGL_ALWAYS_SOFTWARE=1 timeout --kill-after=10 60 "${runner[@]}" "$gui" \
    --scenario "$work/typo.json" --run --exit-when-done --size "${width}x${height}") >"$work/refusal.log" 2>&1 || status=$?
  [[ $status -eq 2 ]] || { cat "$work/refusal.log"; echo "FAIL: a missing --scenario exited $status, want 2"; exit 1; }
  grep -q "typo.json: cannot read the file" "$work/refusal.log" || { cat "$work/refusal.log"; echo "FAIL: no reason given"; exit 1; }
  [[ ! -e "$work/refusal/swarmbench-results" ]] || { echo "FAIL: a refused script ran anyway"; exit 1; }
fi
echo "PASS"
