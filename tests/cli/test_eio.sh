#!/usr/bin/env bash
# EIO on writes: test_eio.sh BACKEND SWARMBENCH_BINARY
#
# There is no device-mapper error target here, but a loop device gives real
# EIO: an ext4 image of 64 MiB is mounted through a loop device, which is
# then shrunk to 6 MiB under the mounted file system (truncate the image,
# `losetup -c`). O_DIRECT writes that land beyond 6 MiB reach the device and
# fail with EIO, as on a disk with bad sectors. `swarmbench run --direct`
# into that mount must end as `failed`, exit 1, name the error
# ("Input/output error"), the leecher, the file and the offset, and leave a
# results folder (elsewhere) that parses.
#
# Needs root, losetup, mkfs.ext4 and loop devices: otherwise exit 77 (skip)
# saying which is missing. The mount and the loop device are always torn
# down (trap), and the run is bounded by `timeout` so the trap gets to run.
# ENOSPC is covered by cli.run_disk_full and swarm.*.disk_full_* (RLIMIT_FSIZE).
set -euo pipefail
backend="$1"
bin="$2"
py=/usr/bin/python3
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || skip "needs root (loop devices and mount)"
for tool in losetup mkfs.ext4 mount umount truncate timeout; do
  command -v "$tool" > /dev/null || skip "$tool not installed"
done

work="$(mktemp -d "${TMPDIR:-/tmp}/swarmbench-eio.XXXXXX")"
img="$work/ext4.img"
mnt="$work/mnt"
loop=""
mounted=0
teardown() {
  if [ "$mounted" = 1 ]; then umount "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null || true; fi
  if [ -n "$loop" ]; then losetup -d "$loop" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap teardown EXIT
trap 'exit 130' INT TERM

"$bin" backends --json > "$work/backends.json"
"$py" - "$work/backends.json" "$backend" <<'EOF' || skip "backend $backend unavailable here"
import json, sys
doc = json.load(open(sys.argv[1]))
sys.exit(0 if any(b["name"] == sys.argv[2] and b["available"] for b in doc["backends"]) else 1)
EOF

mkdir -p "$mnt"
truncate -s 64M "$img"
mkfs.ext4 -q -F "$img" > /dev/null 2>&1 || skip "mkfs.ext4 failed on an image file"
loop="$(losetup -f --show "$img" 2>/dev/null)" || { loop=""; skip "losetup cannot attach a loop device"; }
mount -t ext4 "$loop" "$mnt" 2> "$work/mount.txt" || skip "cannot mount ext4 from $loop: $(cat "$work/mount.txt")"
mounted=1
mkdir -p "$mnt/data"
# Shrink the device under the mounted file system: blocks past 6 MiB are gone.
truncate -s 6M "$img"
losetup -c "$loop"

# 48 MiB in 3 files through one leecher: most of it lands past 6 MiB.
set +e
timeout -s KILL 60 "$bin" run --backend "$backend" --direct --data-dir "$mnt/data" --size 48MiB --files 3 \
  --seeders 2 --leechers 1 --connections 4 --timeout 40 -o "$work/res" --no-progress --no-graphs \
  > "$work/out.txt" 2> "$work/err.txt"
rc=$?
set -e
[ "$rc" != 137 ] || fail "swarmbench still running after 60 s: $(tail -5 "$work/err.txt")"
if [ "$rc" = 0 ]; then
  # The run wrote everything: does this kernel fail writes past a shrunk loop device at all?
  if dd if=/dev/zero of="$mnt/probe" bs=4096 count=1 seek=8192 oflag=direct 2> /dev/null; then
    skip "writes past the end of a shrunk loop device succeed on this kernel: no EIO to test"
  fi
  fail "the run succeeded although writes past 6 MiB fail: $(cat "$work/err.txt")"
fi
[ "$rc" = 1 ] || fail "expected exit 1 (run-time error), got $rc: $(tail -5 "$work/err.txt")"
grep -q "Input/output error" "$work/err.txt" || fail "the error does not say EIO: $(cat "$work/err.txt")"
grep -E -q "leecher-01: writing .+ at offset [0-9]+" "$work/err.txt" \
  || fail "the error does not name the leecher, the file and the offset: $(cat "$work/err.txt")"
"$py" - "$work/res" <<'EOF'
import csv, json, sys
folder = sys.argv[1]
d = json.load(open(f"{folder}/results.json"))
s = d["summary"]
assert s["status"] == "failed", s["status"]
msgs = "\n".join(s.get("error_messages", []))
assert "Input/output error" in msgs and "at offset" in msgs, msgs
assert s["swarm"]["leechers_complete"] == 0, s["swarm"]
assert d["config"]["direct"] is True, d["config"]
rows = list(csv.reader(open(f"{folder}/timeseries.csv")))
assert len(rows) >= 2 and all(len(r) == len(rows[0]) for r in rows), "timeseries.csv is ragged"
first = next(m for m in s["error_messages"] if "Input/output error" in m)
print(f"failed as expected after {s['swarm']['disk_bytes_written'] / 2**20:.1f} MiB written, "
      f"{len(rows) - 1} rows: {first}")
EOF
echo "ok"
