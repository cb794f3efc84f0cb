#!/usr/bin/env bash
# The progress line on a real terminal (tmux), at 60 and 200 columns:
# test_terminal.sh SWARMBENCH_BINARY
#   - mid-run, the live line fits the width (one column to spare) and shows
#     the run's time, phase and rate;
#   - log lines logged mid-run (a timeline's faults, at --log-level debug)
#     each start a line of their own: nothing glues onto the live line;
#   - after the run no "stopping" line is left, and the summary is last.
# Skips (77) without tmux. Every wait is a bounded poll.
set -euo pipefail
bin="$1"
command -v tmux > /dev/null || { echo "SKIP: tmux missing (Debian package tmux)"; exit 77; }
work="$(mktemp -d "${TMPDIR:-/tmp}/swarmbench-terminal-test.XXXXXX")"
sock="swarmbench-test-$$"
cleanup() { tmux -L "$sock" kill-server 2> /dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cat > "$work/plan.json" <<'JSON'
[{"t": 0.6, "fault": {"kind": "drop", "count": 1}},
 {"t": 1.2, "fault": {"kind": "drop", "count": 1}},
 {"t": 1.8, "fault": {"kind": "drop", "count": 1}}]
JSON

for width in 60 200; do
  pane="sb$width"
  rm -f "$work/rc"
  tmux -L "$sock" new-session -d -s "$pane" -x "$width" -y 60 \
    "'$bin' run --size 64MiB --piece-size 64KiB --seeders 2 --leechers 2 --connections 4 --storage discard \
       --rate-limit 2MiB --duration 2.5 --timeline '$work/plan.json' --log-level debug --no-graphs \
       -o '$work/res$width'; echo \$? > '$work/rc'; sleep 600"
  # Mid-run: the visible live line (the last non-empty row of the pane).
  live=""
  for _ in $(seq 1 100); do
    live="$(tmux -L "$sock" capture-pane -p -t "$pane" | grep -v '^$' | tail -n 1 || true)"
    [[ "$live" == *" running "* ]] && break
    sleep 0.1
  done
  [[ "$live" == *" running "* ]] || fail "$width columns: no live 'running' line: '$live'"
  [[ "$live" =~ ^\[\ *[0-9.]+/2\.5\ s\]\ running\ \ [0-9.]+\ [KMG]?i?B/s ]] \
    || fail "$width columns: the live line lacks its time, phase or rate: '$live'"
  (( ${#live} <= width - 1 )) || fail "$width columns: the live line is ${#live} wide: '$live'"
  for _ in $(seq 1 300); do [ -s "$work/rc" ] && break; sleep 0.1; done
  [ -s "$work/rc" ] || fail "$width columns: the run did not end within 30 s"
  [ "$(cat "$work/rc")" = 0 ] || fail "$width columns: exited $(cat "$work/rc")"
  # Everything the run printed, wrapped rows joined.
  tmux -L "$sock" capture-pane -p -J -t "$pane" -S - | grep -v '^$' > "$work/screen$width.txt"
  screen="$work/screen$width.txt"
  grep -q "fault: dropped 1 of" "$screen" || fail "$width columns: no mid-run log line: $(cat "$screen")"
  # A log line starts its own line with its timestamp; glued onto the live line it would follow text.
  if grep -E '.\[[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}\] \[' "$screen" > "$work/glued"; then
    fail "$width columns: a log line glued onto other text: $(cat "$work/glued")"
  fi
  ! grep -q "stopping" "$screen" || fail "$width columns: a 'stopping' line was left: $(cat "$screen")"
  [[ "$(tail -n 1 "$screen")" == "  results      $work/res$width" ]] \
    || fail "$width columns: the summary is not last: $(tail -n 5 "$screen")"
  tmux -L "$sock" kill-session -t "$pane"
done
echo "PASS: the live line fits 60 and 200 columns, log lines above it, the summary last"
