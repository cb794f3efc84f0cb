#!/usr/bin/env bash
# The desktop app end to end under a virtual X server:
#   gui_e2e.sh GUI SOURCE_DIR WORK_DIR [PYTHON3]
# Starts Xvfb on a free display (-displayfd), runs
#   swarmbench-gui --scenario assets/scenarios/small.json --run --export DIR
#                  --screenshot shot.png --exit-when-done
# with a timeout, then checks DIR (results.json status ok, timeseries.csv,
# throughput.png) and the screenshot (check_screenshot.py). Exit 77 (skip)
# only when Xvfb is not installed.
set -euo pipefail
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

rm -rf "$work"
mkdir -p "$work"
cd "$work"

# Xvfb picks a free display and writes its number to fd 3 once it is ready.
Xvfb -displayfd 3 -screen 0 1600x1000x24 -nolisten tcp 3>"$work/display" 2>"$work/xvfb.log" &
xvfb_pid=$!
trap 'kill "$xvfb_pid" 2>/dev/null || true; wait "$xvfb_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do  # up to 10 s
  [[ -s "$work/display" ]] && break
  kill -0 "$xvfb_pid" 2>/dev/null || { echo "FAIL: Xvfb exited:"; cat "$work/xvfb.log"; exit 1; }
  sleep 0.1
done
[[ -s "$work/display" ]] || { echo "FAIL: Xvfb did not report a display"; cat "$work/xvfb.log"; exit 1; }
export DISPLAY=":$(head -n1 "$work/display")"
echo "Xvfb on $DISPLAY"

status=0
LIBGL_ALWAYS_SOFTWARE=1 timeout --kill-after=10 180 "$gui" \
  --scenario "$src/assets/scenarios/small.json" --run \
  --export "$work/export" --screenshot "$work/shot.png" --exit-when-done \
  --size "${width}x${height}" >"$work/gui.log" 2>&1 || status=$?
if [[ $status -ne 0 ]]; then
  echo "FAIL: swarmbench-gui exited $status"
  tail -n 40 "$work/gui.log"
  exit 1
fi

fail() { echo "FAIL: $*"; tail -n 20 "$work/gui.log"; exit 1; }
[[ -f export/results.json ]] || fail "export/results.json missing"
[[ -f export/timeseries.csv ]] || fail "export/timeseries.csv missing"
[[ -f export/throughput.png ]] || fail "export/throughput.png missing"
[[ $(wc -l <export/timeseries.csv) -ge 2 ]] || fail "timeseries.csv has no rows"
"$python" - "$work/export/results.json" <<'PY' || fail "results.json status is not ok"
import json, sys
doc = json.load(open(sys.argv[1]))
status = doc["summary"]["status"]
mode = doc.get("config", {}).get("mode")
print("results.json: mode", mode, "status", status)
sys.exit(0 if status == "ok" and mode == "swarm" else 1)
PY
ls swarmbench-results/*/results.json >/dev/null 2>&1 || fail "no run folder under swarmbench-results/"
[[ -f shot.png ]] || fail "shot.png missing"
"$python" "$here/check_screenshot.py" "$work/shot.png" "$width" "$height" || fail "screenshot check"
echo "PASS"
