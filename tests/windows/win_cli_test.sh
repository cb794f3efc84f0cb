#!/usr/bin/env bash
# swarmbench.exe under Wine: win_cli_test.sh CASE EXE WINE NATIVE_CLI PYTHON3
#   backends   iocp is compiled, available and the default
#   bad_flags  a bad flag exits 2 naming the flag
#   run        a small swarm on IOCP into --data-dir: status ok, every leecher
#              complete, and the files equal byte for byte those the native
#              build writes for the same scenario (skip 77 without it)
# Temp directories only; every wait is bounded by `timeout`.
set -euo pipefail
case_name="$1"
exe="$2"
wine="${3:-wine}"
native="${4:-}"
py="${5:-/usr/bin/python3}"
work="$(mktemp -d "${TMPDIR:-/tmp}/swarmbench-win-test.XXXXXX")"
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
win() { timeout --kill-after=10 240 "$wine" "$exe" "$@"; }

# check_json FILE EXPRESSIONS...: each, with d the document and s its summary, must hold.
check_json() {
  local file="$1"; shift
  "$py" - "$file" "$@" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
s = d.get("summary", {})
for expr in sys.argv[2:]:
    if not eval(expr):
        sys.exit(f"check failed: {expr}\n{json.dumps(s, indent=1)[:2000]}")
PYEOF
}

case "$case_name" in
backends)
  win backends --json > "$work/backends.json" 2> "$work/err.txt" || fail "backends: $(cat "$work/err.txt")"
  "$py" - "$work/backends.json" <<'PYEOF' || fail "backend report: $(cat "$work/backends.json")"
import json, sys
d = json.load(open(sys.argv[1]))
b = {x["name"]: x for x in d["backends"]}
assert b["iocp"]["compiled"] and b["iocp"]["available"] and b["iocp"]["default"], b["iocp"]
assert not b["io_uring"]["available"] and not b["epoll"]["available"], b
PYEOF
  ;;
bad_flags)
  set +e
  win run --pipeline 0 > /dev/null 2> "$work/err.txt"; rc=$?
  set -e
  [ "$rc" = 2 ] || fail "--pipeline 0 exited $rc: $(cat "$work/err.txt")"
  grep -q -- "--pipeline" "$work/err.txt" || fail "the error does not name the flag: $(cat "$work/err.txt")"
  ;;
run)
  [ -n "$native" ] && [ -x "$native" ] || { echo "SKIP: no native swarmbench to compare the files with"; exit 77; }
  flags=(--size 6MiB --piece-size 64KiB --files 3 --seeders 2 --leechers 2 --connections 2 --storage files --json --no-progress)
  win run "${flags[@]}" --data-dir "$work/data" -o "$work/res" > "$work/out.json" 2> "$work/err.txt" \
    || fail "swarmbench.exe run exited $?: $(tail -n 20 "$work/err.txt")"
  check_json "$work/out.json" "s['status'] == 'ok'" "s['swarm']['leechers_complete'] == 2" \
    "s['bytes'] == 2 * 6 * 2**20" "d['environment']['backend'] == 'iocp'" "s['swarm']['hash_failures'] == 0"
  "$native" run "${flags[@]}" --backend epoll --data-dir "$work/native" -o "$work/native-res" > "$work/native.json" 2>&1 \
    || fail "native run: $(tail -n 20 "$work/native.json")"
  (cd "$work/data" && find . -type f | sort) > "$work/win-files"
  (cd "$work/native" && find . -type f | sort) > "$work/native-files"
  [ "$(wc -l < "$work/win-files")" = 6 ] || fail "expected 3 files for each of 2 leechers: $(cat "$work/win-files")"
  diff "$work/win-files" "$work/native-files" || fail "the Win32 run wrote other file names than the native one"
  while read -r f; do
    cmp "$work/data/$f" "$work/native/$f" || fail "$f differs from the native build's"
  done < "$work/win-files"
  echo "6 files identical to the native build's ($(du -sb "$work/data" | cut -f1) bytes)"
  ;;
*) fail "unknown case $case_name" ;;
esac
