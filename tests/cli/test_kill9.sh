#!/usr/bin/env bash
# kill -9 mid-run: test_kill9.sh BACKEND SWARMBENCH_BINARY [PYTHON_BUILD_DIR]
#
# A timed `swarmbench run` is killed with SIGKILL once its timeseries.csv has
# at least $want rows. No handler runs, so what is on disk is what the run
# had flushed: results.json as written at the start (status "running") and
# every time-series row up to the last sample. The folder must still parse:
# every complete CSV row well formed, `swarmbench plot` reading it, and (when
# the Python module is built) swarmbench.load_results returning those rows.
# Exit 77 (skip) when BACKEND cannot run here. Waits are bounded deadlines.
set -euo pipefail
backend="$1"
bin="$2"
pydir="${3:-}"
py=/usr/bin/python3
want=20  # rows (2 s at the 100 ms interval) before the kill
work="$(mktemp -d "${TMPDIR:-/tmp}/swarmbench-kill9.XXXXXX")"
spid=""
cleanup() {
  if [ -n "$spid" ]; then kill -9 "$spid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

"$bin" backends --json > "$work/backends.json"
"$py" - "$work/backends.json" "$backend" <<'EOF' || { echo "SKIP: backend $backend unavailable here"; exit 77; }
import json, sys
doc = json.load(open(sys.argv[1]))
sys.exit(0 if any(b["name"] == sys.argv[2] and b["available"] for b in doc["backends"]) else 1)
EOF

csv="$work/res/timeseries.csv"
rows() {  # complete data rows (newline-terminated lines after the header)
  local n=0
  [ -f "$csv" ] && n=$(wc -l < "$csv")
  echo $(( n > 0 ? n - 1 : 0 ))
}

"$bin" run --backend "$backend" --duration 30 --storage discard --size 64MiB --leechers 2 --connections 8 \
  -o "$work/res" --no-progress > /dev/null 2> "$work/err.txt" &
spid=$!
for _ in $(seq 1 300); do
  [ "$(rows)" -ge "$want" ] && break
  kill -0 "$spid" 2>/dev/null || fail "the run ended before the kill: $(cat "$work/err.txt")"
  sleep 0.1
done
[ "$(rows)" -ge "$want" ] || fail "fewer than $want rows in timeseries.csv after 30 s: $(cat "$work/err.txt")"
before=$(rows)
kill -9 "$spid"
set +e
wait "$spid"; rc=$?
set -e
spid=""
[ "$rc" = 137 ] || fail "expected death by SIGKILL (137), got $rc"
after=$(rows)
[ "$after" -ge "$before" ] || fail "rows went missing: $before before the kill, $after after"
echo "killed with $before rows streamed; $after complete rows on disk"

# The files as they are: results.json parses (the start-of-run document),
# every complete row has every column and numbers only, t_s rises, and a
# torn last line (if the kill came mid-write) is the only irregularity.
"$py" - "$work/res" "$after" <<'EOF'
import json, math, sys
folder, rows = sys.argv[1], int(sys.argv[2])
doc = json.load(open(f"{folder}/results.json"))
assert doc["summary"]["status"] == "running", doc["summary"]["status"]
assert doc["config"]["mode"] == "swarm"
text = open(f"{folder}/timeseries.csv").read()
lines = text.split("\n")
torn = lines.pop()  # "" when the file ends with a newline
header = lines[0].split(",")
assert header[0] == "t_s" and "goodput_bps" in header, header
data = [[float(v) for v in l.split(",")] for l in lines[1:]]
assert len(data) == rows, (len(data), rows)
assert all(len(r) == len(header) for r in data), "a complete row lacks columns"
assert all(math.isfinite(v) for r in data for v in r), "a row holds a non-number"
t = [r[0] for r in data]
assert all(b > a for a, b in zip(t, t[1:])), "t_s does not rise"
assert t[-1] < 30, "the run was not killed mid-way"
payload = data[-1][header.index("payload_total")]
assert payload > 0, "no data moved before the kill"
print(f"csv: {len(data)} rows x {len(header)} columns, t_s {t[0]:.1f}..{t[-1]:.1f} s, "
      f"{payload / 2**20:.0f} MiB moved, torn tail {len(torn)} bytes")
EOF

# swarmbench's own reader: plot the killed run's folder.
set +e
"$bin" plot "$work/res" -o "$work/plots" > "$work/plot.txt" 2> "$work/plot_err.txt"; rc=$?
set -e
if grep -q "built without cairo" "$work/plot_err.txt"; then
  echo "plot skipped: built without cairo"
else
  [ "$rc" = 0 ] || fail "plot of the killed run exited $rc: $(cat "$work/plot_err.txt")"
  [ -s "$work/plots/throughput.png" ] || fail "plot wrote no throughput.png: $(cat "$work/plot.txt")"
fi

# The Python reader, when the module is built.
if [ -n "$pydir" ] && [ -d "$pydir/swarmbench" ]; then
  PYTHONPATH="$pydir" PYTHONDONTWRITEBYTECODE=1 "$py" - "$work/res" "$after" <<'EOF'
import sys
import swarmbench
r = swarmbench.load_results(sys.argv[1])
assert r.status == "running", r.status
assert r.rows == int(sys.argv[2]), (r.rows, sys.argv[2])
assert r["payload_total"][-1] > 0
print(f"swarmbench.load_results: {r.rows} rows, status {r.status}")
EOF
else
  echo "Python module not built here: its reader not checked"
fi
echo "ok"
