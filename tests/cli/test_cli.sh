#!/usr/bin/env bash
# CLI smoke tests: test_cli.sh CASE BACKEND SWARMBENCH_BINARY
#   stream | disk | listen_target   on BACKEND (exit 77 = skip if it cannot run here)
#   bad_flags | version_backends | interrupt | plot
#   run (on BACKEND) | run_flags | run_timeline | run_interrupt | run_disk_full | exit_codes | summary_modes
# Loopback and temp directories only; waits are bounded deadlines.
set -euo pipefail
case_name="$1"
backend="$2"
bin="$3"
py=/usr/bin/python3
work="$(mktemp -d "${TMPDIR:-/tmp}/swarmbench-cli-test.XXXXXX")"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

require_backend() {
  "$bin" backends --json > "$work/backends.json"
  if ! "$py" - "$work/backends.json" "$backend" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
ok = any(b["name"] == sys.argv[2] and b["available"] for b in doc["backends"])
sys.exit(0 if ok else 1)
EOF
  then
    echo "SKIP: backend $backend unavailable here"
    exit 77
  fi
}

# check_json FILE PYTHON-EXPRESSIONS...: each expression, with `d` the document, must be true.
check_json() {
  local file="$1"; shift
  "$py" - "$file" "$@" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
s = d["summary"]
ts = d["timeseries"]
lengths = {k: len(v) for k, v in ts.items()}
assert len(set(lengths.values())) == 1, f"timeseries columns differ in length: {lengths}"
for key in ("config", "environment", "summary", "timeseries"):
    assert key in d, f"missing {key}"
for key in ("goodput_bytes_per_s", "bytes", "seconds", "cpu_seconds", "errors"):
    assert key in s, f"summary lacks {key}"
for expr in sys.argv[2:]:
    if not eval(expr):
        sys.exit(f"check failed: {expr}\nsummary: {json.dumps(s, indent=1)}")
EOF
}

# check_folder DIR MODE [STATUS]: a complete results folder of a MODE run, as plot and the app open it.
check_folder() {
  [ -s "$1/results.json" ] || fail "$1: no results.json"
  [ "$(wc -l < "$1/timeseries.csv")" -ge 2 ] || fail "$1: timeseries.csv has no rows"
  check_json "$1/results.json" "d['config']['mode'] == '$2'" "s['status'] == '${3:-ok}'"
  if [ ! -s "$1/throughput.png" ]; then
    "$bin" plot "$1" -o "$work/plot-check" 2>&1 | grep -q "built without cairo" || fail "$1: no graphs"
  fi
}

case "$case_name" in
stream)
  require_backend
  "$bin" stream --connections 4 --seconds 1 --json --backend "$backend" -o "$work/res" > "$work/out.json" \
    2> "$work/err.txt" || { cat "$work/err.txt" >&2; fail "stream exited $?"; }
  check_json "$work/out.json" "s['goodput_bytes_per_s'] > 0" "s['connections_established'] == 4" \
    "s['connections_accepted'] == 4" "s['errors'] == 0" "d['environment']['backend'] == '$backend'" \
    "d['config']['mode'] == 'stream'" "len(d['timeseries']['t_s']) >= 5" "s['status'] == 'ok'"
  check_folder "$work/res" stream
  grep -q "results      $work/res" "$work/err.txt" || fail "the summary does not name the folder: $(cat "$work/err.txt")"
  ;;
disk)
  require_backend
  "$bin" disk --size 8MiB --json --backend "$backend" --dir "$work" -o "$work/res" > "$work/out.json" \
    2> "$work/err.txt" || { cat "$work/err.txt" >&2; fail "disk exited $?"; }
  check_json "$work/out.json" "s['goodput_bytes_per_s'] > 0" "s['ops'] == 512" "s['errors'] == 0" \
    "s['latency_us_p99'] >= s['latency_us_p50'] > 0" "d['config']['mode'] == 'disk'"
  check_folder "$work/res" disk
  [ -z "$(find "$work" -name 'swarmbench-disk-*')" ] || fail "the temp file was not removed"
  # O_DIRECT with --fsync and --keep, into a named file.
  "$bin" disk --size 4MiB --queue-depth 8 --direct --fsync --keep --json --backend "$backend" \
    --file "$work/direct.dat" -o "$work/res-direct" > "$work/direct.json" 2> "$work/err.txt" \
    || { cat "$work/err.txt" >&2; fail "disk --direct exited $?"; }
  check_json "$work/direct.json" "s['ops'] == 256" "s['errors'] == 0" "d['config']['direct'] is True"
  [ "$(stat -c %s "$work/direct.dat")" = 4194304 ] || fail "--keep: file missing or wrong size"
  ;;
listen_target)
  require_backend
  port="$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  "$bin" stream --listen "127.0.0.1:$port" --connections 2 --seconds 60 --json --backend "$backend" \
    -o "$work/res-listen" > "$work/listen.json" 2> "$work/listen.err" &
  lpid=$!
  pids+=("$lpid")
  # Wait (bounded) for the listener to appear in /proc/net/tcp without connecting to it.
  hex="$(printf ':%04X' "$port")"
  for _ in $(seq 1 100); do
    if awk -v h="$hex" 'NR>1 && $4=="0A" && $2 ~ h"$" {found=1} END {exit !found}' /proc/net/tcp; then break; fi
    sleep 0.1
  done
  "$bin" stream --target "127.0.0.1:$port" --connections 2 --seconds 1 --json --backend "$backend" \
    -o "$work/res-target" > "$work/target.json" 2> "$work/target.err" || { cat "$work/target.err" >&2; fail "target exited $?"; }
  for _ in $(seq 1 100); do kill -0 "$lpid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$lpid" 2>/dev/null; then fail "listener did not finish after its 2 connections closed"; fi
  wait "$lpid" || { cat "$work/listen.err" >&2; fail "listener exited non-zero"; }
  check_json "$work/target.json" "s['goodput_bytes_per_s'] > 0" "s['connections_established'] == 2" \
    "s['counted_at'] == 'sender'"
  check_json "$work/listen.json" "s['goodput_bytes_per_s'] > 0" "s['connections_accepted'] == 2" \
    "s['counted_at'] == 'receiver'"
  ;;
bad_flags)
  # args | text the one-line error must contain
  while IFS='|' read -r args want; do
    set +e
    # shellcheck disable=SC2086
    "$bin" $args > "$work/out.txt" 2> "$work/err.txt"
    rc=$?
    set -e
    [ "$rc" = 2 ] || fail "'$args' exited $rc, want 2"
    grep -q -- "$want" "$work/err.txt" || fail "'$args' error lacks '$want': $(cat "$work/err.txt")"
    [ "$(wc -l < "$work/err.txt")" = 1 ] || fail "'$args' error is not one line: $(cat "$work/err.txt")"
    [ ! -s "$work/out.txt" ] || fail "'$args' wrote to stdout"
  done <<'EOF'
stream --connections 0|--connections (connections): must be 1..100000
stream --connections 100001|--connections
stream --connections abc|--connections
stream --seconds 0|--seconds
stream --seconds -1|--seconds
stream --bytes-per-op 0|--bytes-per-op
stream --bytes-per-op 1X|--bytes-per-op
stream --backend nope|--backend (backend): must be "auto", "io_uring", "epoll"
stream --target 127.0.0.1|--target (target): must be HOST:PORT
stream --target 300.1.1.1:80|--target
stream --target 127.0.0.1:0|--target
stream --listen nohost|--listen
stream --threads 5000|--threads
stream --interval-ms 1|--interval-ms
disk --size 0|--size
disk --size 20000|--size (size): must be a positive multiple of block (16 KiB)
disk --block 1000|--block
disk --block 6KiB --direct|--block
disk --queue-depth 0|--queue-depth (queue_depth): must be 1..4096
disk --backend x|--backend
stream --bogus|--bogus
--log-level loud stream|--log-level
run --pipelin 3|--pipelin: unknown flag (did you mean --pipeline?)
stream --conections=3|--conections: unknown flag (did you mean --connections?)
stream --pipeline 4|--pipeline: not a flag of `swarmbench stream`; see `swarmbench stream --help`
rn|"rn": unknown command (did you mean "run"?); the commands: run, plot, stream
EOF
  ;;
version_backends)
  "$bin" --version | grep -q '^swarmbench [0-9]' || fail "--version"
  "$bin" backends > "$work/b.txt" || fail "backends exited $?"
  grep -q '^io_uring' "$work/b.txt" && grep -q '^epoll' "$work/b.txt" || fail "backends listing: $(cat "$work/b.txt")"
  "$bin" backends --json | "$py" -c 'import json,sys; d=json.load(sys.stdin); assert any(b["available"] for b in d["backends"])' \
    || fail "backends --json"
  "$bin" --log-level debug backends > /dev/null || fail "--log-level before the subcommand"
  "$bin" backends --log-level warn > /dev/null || fail "--log-level after the subcommand"
  ;;
run)
  # A small swarm into a results folder: document, time series, graphs, files verified.
  require_backend
  "$bin" run --size 24MiB --files 3 --seeders 2 --leechers 2 --connections 6 --backend "$backend" \
    --data-dir "$work/data" -o "$work/res" --json --no-progress > "$work/out.json" 2> "$work/err.txt" \
    || { cat "$work/err.txt" >&2; fail "run exited $?"; }
  check_json "$work/res/results.json" "s['status'] == 'ok'" "s['swarm']['leechers_complete'] == 2" \
    "s['bytes'] == 2 * 24 * 2**20" "len(d['peers']) == 12" "d['environment']['backend'] == '$backend'"
  check_json "$work/out.json" "s['status'] == 'ok'" "len(d['peers']) == 12"
  "$py" - "$work/res/timeseries.csv" <<'PYEOF' || fail "timeseries.csv"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert rows, "no rows"
assert int(float(rows[-1]["payload_total"])) == 2 * 24 * 2**20, rows[-1]["payload_total"]
assert int(float(rows[-1]["leechers_done"])) == 2
PYEOF
  for f in throughput.png throughput.svg latency.png connections.png; do
    [ -s "$work/res/$f" ] || fail "run did not write $f"
  done
  [ "$(find "$work/data" -type f | wc -l)" = 6 ] || fail "expected 3 files for each of 2 leechers in --data-dir"
  grep -q "results      $work/res" "$work/err.txt" || fail "summary does not name the results folder: $(cat "$work/err.txt")"
  ;;
run_flags)
  # Bad values name the flag, the field and the range; --dump-scenario prints a usable scenario.
  # --help shows every scenario field's flag with its default and range (the schema's).
  "$bin" run --help > "$work/help.txt"
  grep -q -- '--pipeline COUNT=16 .*Range: 1\.\.2048\.' "$work/help.txt" || fail "--help: $(grep -- --pipeline "$work/help.txt")"
  grep -q -- '--size SIZE=1 GiB' "$work/help.txt" || fail "--help lacks the size default"
  grep -q -- '--no-end-game ' "$work/help.txt" && grep -q -- '--rechoke-interval-s SECONDS=10' "$work/help.txt" \
    || fail "--help lacks a schema field"
  "$bin" run --no-end-game --rate-limit 4MiB --dump-scenario > "$work/dump.json"
  "$py" -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['end_game'] is False and d['rate_limit'] == 4 << 20, d" \
    "$work/dump.json" || fail "flags did not reach the scenario"
  set +e
  "$bin" run --pipeline 0 > /dev/null 2> "$work/err.txt"; rc=$?
  set -e
  [ "$rc" = 2 ] || fail "--pipeline 0 exited $rc"
  grep -q -- "--pipeline (pipeline): must be 1..2048" "$work/err.txt" || fail "unclear error: $(cat "$work/err.txt")"
  echo '{"seedrs": 3}' > "$work/bad.json"
  set +e
  "$bin" run --scenario "$work/bad.json" > /dev/null 2> "$work/err.txt"; rc=$?
  set -e
  [ "$rc" = 2 ] || fail "bad scenario file exited $rc"
  grep -q 'seedrs' "$work/err.txt" && grep -q 'seeders' "$work/err.txt" || fail "no suggestion: $(cat "$work/err.txt")"
  "$bin" run --dump-scenario --leechers 5 > "$work/dump.json"
  "$py" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["leechers"] == 5 and d["torrent_size"] == 2**30, d' "$work/dump.json" \
    || fail "--dump-scenario"
  "$bin" run --scenario "$work/dump.json" --dump-scenario > "$work/dump2.json"
  cmp -s "$work/dump.json" "$work/dump2.json" || fail "a dumped scenario does not read back the same"
  ;;
run_timeline)
  # --timeline FILE: the plan's phases, sets and faults reach the run and its events; a bad entry
  # is refused before anything runs, naming the file, the entry, the field and its range.
  cat > "$work/plan.json" <<'JSON'
[
  {"t": 0, "set": {"pipeline": 4}},
  {"t": 0.3, "phase": "narrow", "set": {"connections_per_leecher": 2}},
  {"t": 0.5, "fault": {"kind": "drop", "count": 1}}
]
JSON
  "$bin" run --size 16MiB --piece-size 64KiB --seeders 2 --leechers 2 --connections 4 --storage discard \
    --duration 1.5 --interval-ms 50 --timeline "$work/plan.json" -o "$work/res" --no-progress > /dev/null \
    2> "$work/err.txt" || fail "run --timeline exited $?: $(cat "$work/err.txt")"
  check_json "$work/res/results.json" "s['status'] == 'ok'" \
    "[e['what'] for e in d['events']][:3] == ['pipeline 16 -> 4', 'phase narrow', 'connections_per_leecher 4 -> 2']" \
    "'drop 1 connection' in [e['what'] for e in d['events']]"
  echo '[{"t": 1, "set": {"pipeline": 0}}]' > "$work/bad-plan.json"
  set +e
  "$bin" run --timeline "$work/bad-plan.json" -o "$work/never" > /dev/null 2> "$work/err.txt"; rc=$?
  set -e
  [ "$rc" = 2 ] || fail "a bad timeline exited $rc"
  grep -qF -- "--timeline $work/bad-plan.json: entry 1 (t = 1 s): pipeline: must be 1..2048, got 0" "$work/err.txt" \
    || fail "unclear error: $(cat "$work/err.txt")"
  [ ! -e "$work/never" ] || fail "a refused run made its results folder"
  ;;
exit_codes)
  # The README's exit codes: 1 for a run-time failure, printed once with no summary of a run
  # that never ran; 2 for arguments, nothing run (a backend this OS lacks, -o under a file,
  # -o onto earlier results without --force). 130 (interrupted) is run_interrupt's.
  "$py" - "$bin" "$work" <<'EOF' || fail "a port in use"
import socket, subprocess, sys
binary, work = sys.argv[1], sys.argv[2]
taken = socket.socket()
taken.bind(("127.0.0.1", 0))
taken.listen()
port = taken.getsockname()[1]
p = subprocess.run([binary, "run", "--base-port", str(port), "--seeders", "1", "--size", "1MiB",
                    "-o", f"{work}/busy", "--no-graphs"], capture_output=True, text=True, timeout=120)
err = p.stderr
assert p.returncode == 1, (p.returncode, err)
assert err.count("cannot listen on 127.0.0.1:%d" % port) == 1, err
assert "swarm: failed before it started" in err and "goodput" not in err and "stopping" not in err, err
EOF
  expect_rc() {  # expect_rc RC TEXT ARGS...
    local want_rc="$1" want="$2"; shift 2
    set +e
    "$bin" "$@" > /dev/null 2> "$work/err.txt"; local rc=$?
    set -e
    [ "$rc" = "$want_rc" ] || fail "'$*' exited $rc, want $want_rc: $(cat "$work/err.txt")"
    grep -qF -- "$want" "$work/err.txt" || fail "'$*' error lacks '$want': $(cat "$work/err.txt")"
  }
  if [ "$(uname -s)" = Linux ]; then
    expect_rc 2 "backend: iocp requested but unavailable" run --backend iocp -o "$work/never"
  fi
  touch "$work/file"
  expect_rc 2 "-o $work/file/x: $work/file is a file" stream --seconds 0.2 -o "$work/file/x"
  [ ! -e "$work/never" ] || fail "a refused run made its results folder"
  "$bin" stream --connections 2 --seconds 0.2 --no-graphs -o "$work/res" > /dev/null 2>&1 || fail "stream exited $?"
  expect_rc 2 "-o $work/res: already holds a run's results (results.json)" stream --seconds 0.2 -o "$work/res"
  "$bin" stream --connections 2 --seconds 0.2 --no-graphs -o "$work/res" --force > /dev/null 2>&1 \
    || fail "--force did not let -o overwrite ($?)"
  ;;
summary_modes)
  # The summary has only the lines that apply to the storage mode, and says "verified" only of hashed pieces.
  small=(--size 4MiB --piece-size 64KiB --seeders 1 --leechers 1 --connections 2 --no-graphs --no-progress)
  "$bin" run "${small[@]}" --storage discard -o "$work/discard" > /dev/null 2> "$work/discard.txt" \
    || fail "discard run exited $?: $(cat "$work/discard.txt")"
  grep -q "pieces       64 complete, not hashed (storage discard" "$work/discard.txt" \
    && ! grep -q "verified" "$work/discard.txt" && ! grep -q "^  disk " "$work/discard.txt" \
    || fail "discard summary: $(cat "$work/discard.txt")"
  grep -q "^  note         only [0-9] samples\? over .* too few to graph; run longer" "$work/discard.txt" \
    || fail "no note of too few samples: $(cat "$work/discard.txt")"
  check_json "$work/discard/results.json" "s['swarm']['pieces_verified'] == 0" "s['swarm']['pieces_complete'] == 64" \
    "s['swarm']['disk_bytes_written'] == 0"
  "$bin" run "${small[@]}" --storage disk_only -o "$work/disk_only" > /dev/null 2> "$work/disk_only.txt" \
    || fail "disk_only run exited $?: $(cat "$work/disk_only.txt")"
  grep -q "pieces       64 complete, not hashed (generated locally)" "$work/disk_only.txt" \
    && ! grep -Eq "seeders|^  (network|latency|peers) " "$work/disk_only.txt" \
    && grep -q "^  disk         4 MiB written" "$work/disk_only.txt" || fail "disk_only summary: $(cat "$work/disk_only.txt")"
  "$bin" run "${small[@]}" --storage files -o "$work/files" > /dev/null 2> "$work/files.txt" \
    || fail "files run exited $?: $(cat "$work/files.txt")"
  grep -q "pieces       64 verified (SHA-1), 0 hash failures" "$work/files.txt" && grep -q "^  network " "$work/files.txt" \
    && grep -q "^  disk         4 MiB written" "$work/files.txt" || fail "files summary: $(cat "$work/files.txt")"
  ;;
run_interrupt)
  # SIGINT mid-run: status interrupted, and the streamed time series already on disk parses.
  "$bin" run --size 256MiB --rate-limit 1MiB -o "$work/res" > /dev/null 2> "$work/err.txt" &
  spid=$!
  pids+=("$spid")
  for _ in $(seq 1 300); do [ "$(cat "$work/res/timeseries.csv" 2>/dev/null | wc -l)" -ge 4 ] && break; sleep 0.1; done
  [ "$(cat "$work/res/timeseries.csv" 2>/dev/null | wc -l)" -ge 4 ] || fail "no rows streamed to timeseries.csv: $(cat "$work/err.txt")"
  kill -INT "$spid"
  for _ in $(seq 1 200); do kill -0 "$spid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$spid" 2>/dev/null && fail "still running 20 s after SIGINT"
  rc=0; wait "$spid" || rc=$?
  [ "$rc" = 130 ] || fail "exited $rc after SIGINT, want 130 (interrupted): $(cat "$work/err.txt")"
  check_json "$work/res/results.json" "s['status'] == 'interrupted'" "s['bytes'] > 0" "len(ts['t_s']) >= 3"
  [ -s "$work/res/throughput.png" ] || fail "no graphs after an interrupted run"
  ;;
run_disk_full)
  # A file-size limit (as a full disk would) ends the run with a clear message and partial results.
  set +e
  ( ulimit -f 8192; exec "$bin" run --size 64MiB --leechers 2 --no-preallocate --data-dir "$work/data" \
      -o "$work/res" --no-progress ) > /dev/null 2> "$work/err.txt"; rc=$?
  set -e
  [ "$rc" = 1 ] || fail "disk full exited $rc: $(cat "$work/err.txt")"
  grep -q "File too large" "$work/err.txt" && grep -q "leecher-0" "$work/err.txt" || fail "unclear error: $(cat "$work/err.txt")"
  check_json "$work/res/results.json" "s['status'] == 'failed'" "s['swarm']['disk_bytes_written'] > 0" "len(ts['t_s']) >= 1"
  ;;
interrupt)
  "$bin" stream --connections 2 --seconds 60 --json -o "$work/res" > "$work/out.json" 2> "$work/err.txt" &
  spid=$!
  pids+=("$spid")
  for _ in $(seq 1 100); do grep -q running "$work/err.txt" && break; sleep 0.1; done
  grep -q running "$work/err.txt" || fail "no 'running' progress line: $(cat "$work/err.txt")"
  kill -INT "$spid"
  for _ in $(seq 1 100); do kill -0 "$spid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$spid" 2>/dev/null && fail "still running 10 s after SIGINT"
  rc=0; wait "$spid" || rc=$?
  [ "$rc" = 130 ] || fail "exited $rc after SIGINT, want 130 (interrupted): $(cat "$work/err.txt")"
  check_json "$work/out.json" "s['status'] == 'interrupted'" "s['goodput_bytes_per_s'] > 0" "s['seconds'] < 30"
  check_folder "$work/res" stream interrupted
  ;;
plot)
  # A stream run's folder (-o, no graphs); plot it, then overlay two.
  for d in run-a run-b; do
    "$bin" stream --connections 2 --seconds 1 --no-progress --no-graphs -o "$work/$d" > /dev/null 2> "$work/err.txt" \
      || { cat "$work/err.txt" >&2; fail "stream for $d exited $?"; }
  done
  set +e
  "$bin" plot "$work/run-a" -o "$work/out" > "$work/plot.txt" 2> "$work/err.txt"; rc=$?
  set -e
  if grep -q "built without cairo" "$work/err.txt"; then echo "SKIP: built without cairo"; exit 77; fi
  [ "$rc" = 0 ] || { cat "$work/err.txt" >&2; fail "plot exited $rc"; }
  for f in throughput.png throughput.svg connections.png; do
    [ -s "$work/out/$f" ] || fail "plot did not write $f: $(cat "$work/plot.txt" "$work/err.txt")"
    grep -qx "$work/out/$f" "$work/plot.txt" || fail "plot did not list $f on stdout: $(cat "$work/plot.txt")"
  done
  [ "$(head -c 8 "$work/out/throughput.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "throughput.png is not a PNG"
  head -c 5 "$work/out/throughput.svg" | grep -q '<?xml' || fail "throughput.svg is not XML"
  # Without -o, one folder gets its graphs in place; a custom size is honoured.
  "$bin" plot "$work/run-a" --width 640 --height 360 > /dev/null 2> "$work/err.txt" || fail "plot in place: $(cat "$work/err.txt")"
  [ -s "$work/run-a/throughput.png" ] || fail "plot in place wrote no throughput.png"
  [ "$(od -An -tu1 -j16 -N8 "$work/run-a/throughput.png" | tr -s ' ' | sed 's/^ //')" = "0 0 2 128 0 0 1 104" ] \
    || fail "throughput.png is not 640x360"
  # Overlay; a missing folder among good ones is skipped with a warning.
  "$bin" plot "$work/run-a" "$work/run-b" "$work/missing" -o "$work/overlay" > /dev/null 2> "$work/err.txt" \
    || fail "overlay exited $?: $(cat "$work/err.txt")"
  grep -q "skipping: .*missing" "$work/err.txt" || fail "no warning for the missing folder: $(cat "$work/err.txt")"
  [ -s "$work/overlay/throughput.png" ] || fail "overlay wrote no throughput.png"
  # Errors: nothing loads (1), several folders without -o (2), bad size (2).
  set +e
  "$bin" plot "$work/missing" > /dev/null 2> "$work/err.txt"; rc=$?
  set -e
  [ "$rc" = 1 ] || fail "plot of a missing folder exited $rc, want 1"
  grep -q "missing" "$work/err.txt" || fail "error does not name the folder: $(cat "$work/err.txt")"
  set +e
  "$bin" plot "$work/run-a" "$work/run-b" > /dev/null 2> "$work/err.txt"; rc=$?
  set -e
  [ "$rc" = 2 ] && grep -q -- "--output" "$work/err.txt" || fail "two folders without -o: exit $rc, $(cat "$work/err.txt")"
  set +e
  "$bin" plot "$work/run-a" --width 10 > /dev/null 2> "$work/err.txt"; rc=$?
  set -e
  [ "$rc" = 2 ] && grep -q -- "--width: must be 320..16384" "$work/err.txt" || fail "--width 10: exit $rc, $(cat "$work/err.txt")"
  ;;
*)
  fail "unknown case $case_name"
  ;;
esac
echo "PASS: $case_name $backend"
