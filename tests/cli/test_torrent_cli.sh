#!/usr/bin/env bash
# make-torrent and gen-data end to end: test_torrent_cli.sh CASE SWARMBENCH_BINARY
#   synthetic  make-torrent twice (byte-identical), another seed, --json, the
#              torrent read by libtorrent (info-hash, layout), gen-data --verify,
#              libtorrent checking the generated files, a flipped byte found
#              in the right piece, --force
#   from       make-torrent --from a directory of odd sizes and a single file:
#              libtorrent's info-hash and file list, --verify-only of the
#              source folder (ours and libtorrent's), gen-data refused
#   errors     bad flags exit 2, run-time errors exit 1, each naming the problem
#   clients    upload / download / seed: their flags are scenario fields
#              (--dump-scenario shows each command's defaults and the flags
#              applied); a bad value names the flag, the field and the range
# The libtorrent checks use Debian's python3-libtorrent; without it the rest
# still runs and the case then exits 77 (skip). Temp directories only; every
# wait is bounded.
set -euo pipefail
case_name="$1"
bin="$2"
py=/usr/bin/python3
work="$(mktemp -d "${TMPDIR:-/tmp}/swarmbench-torrent-test.XXXXXX")"
trap 'rm -rf "$work"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

have_lt=1
"$py" -c 'import libtorrent' 2>/dev/null || have_lt=0

# lt_info TORRENT: "<v1 info-hash> <total size> <piece length> <pieces>" then
# one line per file "<path>\t<size>", as libtorrent reads the file.
lt_info() {
  "$py" - "$1" <<'EOF'
import sys, libtorrent as lt
ti = lt.torrent_info(sys.argv[1])
h = ti.info_hashes().v1 if hasattr(ti, "info_hashes") else ti.info_hash()
print(str(h), ti.total_size(), ti.piece_length(), ti.num_pieces())
fs = ti.files()
for i in range(fs.num_files()):
    print(f"{fs.file_path(i)}\t{fs.file_size(i)}")
EOF
}

# lt_check TORRENT SAVE_PATH: libtorrent adds the torrent over SAVE_PATH (no
# network: no DHT, LSD, UPnP, NAT-PMP; listening on loopback only), checks
# the files and must find every piece; bounded by a 60 s deadline.
lt_check() {
  "$py" - "$1" "$2" <<'EOF'
import sys, time, libtorrent as lt
ti = lt.torrent_info(sys.argv[1])
s = lt.session({"listen_interfaces": "127.0.0.1:0", "enable_dht": False, "enable_lsd": False,
                "enable_upnp": False, "enable_natpmp": False})
h = s.add_torrent({"ti": ti, "save_path": sys.argv[2]})
deadline = time.monotonic() + 60
st = h.status()
while time.monotonic() < deadline:
    st = h.status()
    if st.errc.value() != 0:
        sys.exit(f"libtorrent: {st.errc.message()}")
    if st.state in (lt.torrent_status.seeding, lt.torrent_status.finished):
        break
    time.sleep(0.05)
if st.num_pieces != ti.num_pieces():
    sys.exit(f"libtorrent found {st.num_pieces} of {ti.num_pieces()} pieces (state {st.state})")
print("libtorrent: all", st.num_pieces, "pieces")
EOF
}

# expect_fail RC TEXT ARGS...: swarmbench ARGS must exit RC, print nothing
# on stdout and name TEXT on stderr.
expect_fail() {
  local want_rc="$1" want="$2"; shift 2
  set +e
  "$bin" "$@" > "$work/out.txt" 2> "$work/err.txt"
  local rc=$?
  set -e
  [ "$rc" = "$want_rc" ] || fail "'$*' exited $rc, want $want_rc: $(cat "$work/err.txt")"
  grep -qF -- "$want" "$work/err.txt" || fail "'$*' error lacks '$want': $(cat "$work/err.txt")"
  [ ! -s "$work/out.txt" ] || fail "'$*' wrote to stdout: $(cat "$work/out.txt")"
}

is_hash() { [[ "$1" =~ ^[0-9a-f]{40}$ ]]; }

case "$case_name" in
synthetic)
  cd "$work"
  "$bin" make-torrent --size 8MiB --piece-size 64KiB --files 4 --seed 7 -o a.torrent > a.hash 2> a.err \
    || fail "make-torrent exited $?: $(cat a.err)"
  hash="$(cat a.hash)"
  is_hash "$hash" || fail "stdout is not an info-hash: '$hash'"
  grep -q "info-hash  $hash" a.err && grep -q "synthetic, seed 7" a.err && grep -q "pieces     128 of 64 KiB" a.err \
    || fail "summary: $(cat a.err)"
  # Deterministic: the same flags give the same bytes; another seed another torrent.
  "$bin" make-torrent --size 8MiB --piece-size 64KiB --files 4 --seed 7 -o b.torrent > b.hash 2> /dev/null
  cmp a.torrent b.torrent || fail "the same seed gave different .torrent files"
  "$bin" make-torrent --size 8MiB --piece-size 64KiB --files 4 --seed 8 -o c.torrent > c.hash 2> /dev/null
  [ "$(cat c.hash)" != "$hash" ] && is_hash "$(cat c.hash)" || fail "seed 8 gave the same info-hash"
  "$bin" make-torrent --size 8MiB --piece-size 64KiB --files 4 --seed 7 -o d.torrent --json > d.json 2> /dev/null
  "$py" - d.json "$hash" <<'EOF' || fail "--json: $(cat d.json)"
import json, sys
d = json.load(open(sys.argv[1]))
want = {"info_hash": sys.argv[2], "name": "swarmbench-synthetic", "size": 8 << 20, "piece_size": 65536,
        "piece_count": 128, "files": 4, "content_seed": 7, "path": "d.torrent"}
assert d == want, d
EOF
  "$bin" make-torrent --size 100000 --piece-size 16KiB -o single.torrent --name one.bin --json > single.json 2> /dev/null
  "$py" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["files"] == 1 and d["piece_count"] == 7 and d["name"] == "one.bin", d' \
    single.json || fail "single-file --json: $(cat single.json)"
  if [ "$have_lt" = 1 ]; then
    lt_info a.torrent > a.lt || fail "libtorrent cannot read a.torrent"
    [ "$(head -1 a.lt)" = "$hash 8388608 65536 128" ] || fail "libtorrent reads: $(head -1 a.lt), we printed $hash"
    printf 'swarmbench-synthetic/file-%04d.bin\t2097152\n' 0 1 2 3 > want.lt
    tail -n +2 a.lt | cmp - want.lt || fail "libtorrent's file list: $(cat a.lt)"
    "$bin" make-torrent --size 1MiB --announce http://127.0.0.1:6969/announce -o tracker.torrent > /dev/null 2>&1
    [ "$("$py" -c 'import sys, libtorrent as lt; print(next(iter(lt.torrent_info(sys.argv[1]).trackers())).url)' tracker.torrent)" \
      = http://127.0.0.1:6969/announce ] || fail "libtorrent does not see the --announce URL"
    [ "$(lt_info single.torrent | head -1)" = "$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["info_hash"])' single.json) 100000 16384 7" ] \
      || fail "libtorrent disagrees on single.torrent"
  fi

  # gen-data: the download folder, verified by us and by libtorrent.
  "$bin" gen-data --torrent a.torrent -o data --verify > gen.out 2> gen.err || fail "gen-data exited $?: $(cat gen.err)"
  [ "$(cat gen.out)" = "data/swarmbench-synthetic" ] || fail "gen-data stdout: $(cat gen.out)"
  grep -q "wrote 8 MiB (8388608 bytes) in 4 files" gen.err && grep -q "verified 128 pieces" gen.err \
    || fail "gen-data summary: $(cat gen.err)"
  for i in 0 1 2 3; do
    [ "$(stat -c %s "data/swarmbench-synthetic/file-000$i.bin")" = 2097152 ] || fail "file-000$i.bin size"
  done
  if [ "$have_lt" = 1 ]; then lt_check a.torrent data || fail "libtorrent rejects the generated data"; fi
  # The two ways agree: a torrent made --from the generated folder (same
  # name, files in the same order, same pieces) is the synthetic torrent.
  "$bin" make-torrent --from data/swarmbench-synthetic --piece-size 64KiB -o back.torrent > back.hash 2> back.err \
    || fail "make-torrent --from the generated folder: $(cat back.err)"
  [ "$(cat back.hash)" = "$hash" ] || fail "--from the generated folder gave $(cat back.hash), the synthetic torrent is $hash"
  # Another seed's torrent does not match this folder.
  expect_fail 1 "128 of 128 pieces differ; the first is piece 0 (in swarmbench-synthetic/file-0000.bin)" \
    gen-data --torrent c.torrent -o data --verify-only
  # Refused without --force; nothing changed.
  expect_fail 1 "data/swarmbench-synthetic/file-0000.bin already exists (and 3 more of the torrent's files): pass --force" \
    gen-data --torrent a.torrent -o data
  # A flipped byte at offset 12345 of file 2 is piece (2 * 2 MiB + 12345) / 64 KiB = 64.
  "$py" -c '
import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(12345); b = f.read(1); f.seek(12345); f.write(bytes([b[0] ^ 0xff]))' data/swarmbench-synthetic/file-0002.bin
  expect_fail 1 "1 of 128 pieces differ; the first is piece 64 (in swarmbench-synthetic/file-0002.bin)" \
    gen-data --torrent a.torrent -o data --verify-only
  "$bin" gen-data --torrent a.torrent -o data --force --verify > /dev/null 2> gen.err || fail "--force: $(cat gen.err)"
  "$bin" gen-data --torrent a.torrent -o data --verify-only > /dev/null 2> gen.err || fail "after --force: $(cat gen.err)"
  # A truncated file is named.
  truncate -s 1000 data/swarmbench-synthetic/file-0003.bin
  expect_fail 1 "file-0003.bin: has 1000 bytes, the torrent says 2097152" gen-data --torrent a.torrent -o data --verify-only
  ;;
from)
  cd "$work"
  mkdir -p src/tree/nested/deeper src/tree/empty-dir
  : > src/tree/zero
  printf 'x' > src/tree/one
  head -c 300001 /dev/urandom > src/tree/big
  head -c 5000 /dev/urandom > src/tree/nested/deeper/f
  head -c 70000 /dev/urandom > src/tree/nested/g
  "$bin" make-torrent --from src/tree --piece-size 16KiB -o tree.torrent > tree.hash 2> tree.err \
    || fail "make-torrent --from exited $?: $(cat tree.err)"
  hash="$(cat tree.hash)"
  is_hash "$hash" || fail "stdout is not an info-hash: '$hash'"
  grep -q "content    the files of src/tree" tree.err && grep -q "375002 bytes) in 5 files" tree.err \
    || fail "summary: $(cat tree.err)"
  "$bin" make-torrent --from src/tree/ --piece-size 16KiB -o tree2.torrent > /dev/null 2>&1
  cmp tree.torrent tree2.torrent || fail "a trailing slash changed the torrent"
  "$bin" make-torrent --from src/tree/big -o big.torrent --json > big.json 2> big.err || fail "single file: $(cat big.err)"
  "$py" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["content_seed"] is None and d["files"] == 1 and d["size"] == 300001 and d["name"] == "big" and d["piece_size"] == 262144, d' \
    big.json || fail "--from --json: $(cat big.json)"
  if [ "$have_lt" = 1 ]; then
    lt_info tree.torrent > tree.lt || fail "libtorrent cannot read tree.torrent"
    [ "$(head -1 tree.lt)" = "$hash 375002 16384 23" ] || fail "libtorrent reads: $(head -1 tree.lt), we printed $hash"
    printf 'tree/big\t300001\ntree/nested/deeper/f\t5000\ntree/nested/g\t70000\ntree/one\t1\ntree/zero\t0\n' > want.lt
    tail -n +2 tree.lt | cmp - want.lt || fail "libtorrent's file list: $(tail -n +2 tree.lt)"
    [ "$(lt_info big.torrent | head -1 | cut -d' ' -f1)" = "$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["info_hash"])' big.json)" ] \
      || fail "libtorrent disagrees on big.torrent"
    lt_check tree.torrent src || fail "libtorrent rejects the source folder"
    lt_check big.torrent src/tree || fail "libtorrent rejects the source file"
  fi
  # The folder it came from verifies; a --from torrent has no content to generate.
  "$bin" gen-data --torrent tree.torrent -o src --verify-only > v.out 2> v.err || fail "--verify-only: $(cat v.err)"
  [ "$(cat v.out)" = "src/tree" ] && grep -q "verified 23 pieces" v.err || fail "--verify-only output: $(cat v.out v.err)"
  expect_fail 1 "tree.torrent was not made by \`swarmbench make-torrent\` (no synthetic content seed): its content cannot be generated; seed it from the original files" \
    gen-data --torrent tree.torrent -o out
  [ ! -e out ] || fail "gen-data created its folder before refusing"
  # A symbolic link inside the tree is refused, naming it.
  ln -s big src/tree/link
  expect_fail 1 "src/tree/link: is a symbolic link" make-torrent --from src/tree -o link.torrent
  [ ! -e link.torrent ] || fail "a refused make-torrent left a file"
  ;;
errors)
  cd "$work"
  "$bin" make-torrent --size 1MiB -o exists.torrent > /dev/null 2>&1 || fail "make-torrent exited $?"
  printf 'd4:infod4:name1:xee' > malformed.torrent
  printf 'not bencode at all' > garbage.torrent
  mkdir -p src && printf 'abc' > src/f
  expect_fail 2 "-o/--output: required" make-torrent --size 1MiB
  expect_fail 2 "--size (torrent_size): unknown unit \"XB\"" make-torrent --size 12XB -o x.torrent
  expect_fail 2 "--size (torrent_size): must be 1 B..16 TiB, got 0 B" make-torrent --size 0 -o x.torrent
  expect_fail 2 "--piece-size (piece_size): must be a power of two, 16 KiB..64 MiB, got 48 KiB" make-torrent --piece-size 48KiB -o x.torrent
  expect_fail 2 "--piece-size (piece_size): must be a power of two, 16 KiB..64 MiB, got 128 MiB" make-torrent --piece-size 128MiB -o x.torrent
  expect_fail 2 "--files (file_count): must be 1..100000, got 0" make-torrent --files 0 -o x.torrent
  expect_fail 2 "--seed (content_seed): must be 0..18446744073709551615, got -1" make-torrent --seed -1 -o x.torrent
  expect_fail 2 "--name: path component \"..\" is not allowed" make-torrent --name .. -o x.torrent
  expect_fail 2 "--size: cannot be combined with --from" make-torrent --from src --size 1MiB -o x.torrent
  expect_fail 1 "missing-dir: no such file or directory" make-torrent --from missing-dir -o x.torrent
  expect_fail 1 "exists.torrent already exists: pass --force to overwrite it" make-torrent --size 1MiB -o exists.torrent
  "$bin" make-torrent --size 1MiB -o exists.torrent --force > /dev/null 2>&1 || fail "--force did not overwrite"
  expect_fail 2 "--torrent: required" gen-data -o out
  expect_fail 2 "-o/--output: required" gen-data --torrent exists.torrent
  expect_fail 1 "nope.torrent: no such file" gen-data --torrent nope.torrent -o out
  expect_fail 1 "garbage.torrent: not a valid .torrent file: bencode" gen-data --torrent garbage.torrent -o out
  expect_fail 1 "malformed.torrent: not a valid .torrent file: torrent: info has no 'piece length' integer" \
    gen-data --torrent malformed.torrent -o out
  expect_fail 1 "out/swarmbench-synthetic: missing" gen-data --torrent exists.torrent -o out --verify-only
  [ ! -e x.torrent ] && [ ! -e out ] || fail "a refused command left files behind"
  ;;
clients)
  cd "$work"
  "$bin" make-torrent --size 1MiB -o t.torrent > /dev/null 2>&1 || fail "make-torrent exited $?"
  # check_dump WHAT ARGS...: the scenario ARGS dump must hold the fields of $WANT (JSON).
  check_dump() {
    local what="$1"; shift
    "$bin" "$@" --dump-scenario > dump.json 2> err.txt || fail "$what: exited $?: $(cat err.txt)"
    "$py" - dump.json "$what" <<'EOF' || fail "$what"
import json, os, sys
d = json.load(open(sys.argv[1]))
want = json.loads(os.environ["WANT"])
bad = {k: (d.get(k), v) for k, v in want.items() if d.get(k) != v}
if bad:
    sys.exit(f"{sys.argv[2]}: (got, want) {bad}")
EOF
  }
  WANT='{"leechers": 8, "seeders": 0, "pipeline": 500, "spread_sources": true, "connections_per_leecher": 1,
         "connect_to": ["127.0.0.1:6881"], "storage": "files", "torrent_file": "t.torrent"}' \
    check_dump "download's defaults" download --torrent t.torrent --target 127.0.0.1:6881
  WANT='{"leechers": 3, "pipeline": 32, "spread_sources": false, "storage": "discard", "client_grace_s": 5.0}' \
    check_dump "download's flags" download --torrent t.torrent --target 127.0.0.1:6881 --connections 3 \
    --pipeline 32 --no-spread-sources --storage discard --client-grace 5
  WANT='{"leechers": 0, "seeders": 3, "upload_to": ["127.0.0.1:6881"], "storage": "discard", "rate_limit": 4194304}' \
    check_dump "upload" upload --torrent t.torrent --target 127.0.0.1:6881 --connections 3 --rate-limit 4MiB
  WANT='{"leechers": 0, "seeders": 2, "listen_host": "127.0.0.1", "base_port": 7000}' \
    check_dump "seed" seed --torrent t.torrent --listen 127.0.0.1:7000 --peers 2
  expect_fail 2 "--connections (leechers): must be 1..10000, got 0" \
    download --torrent t.torrent --target 127.0.0.1:6881 --connections 0
  expect_fail 2 "--storage (storage): must be \"files\" or \"discard\", got disk_only" \
    download --torrent t.torrent --target 127.0.0.1:6881 --storage disk_only
  expect_fail 2 "--pipeline (pipeline): must be 1..2048, got 0" \
    download --torrent t.torrent --target 127.0.0.1:6881 --pipeline 0
  expect_fail 2 "--target (upload_to): entry 1 must have a port in 1..65535, got \"127.0.0.1:0\"" \
    upload --torrent t.torrent --target 127.0.0.1:0
  expect_fail 2 "--rate-limit (rate_limit): ambiguous unit \"M\"" seed --torrent t.torrent --rate-limit 4M
  expect_fail 2 "--pipeline: not a flag of \`swarmbench upload\`; see \`swarmbench upload --help\`" \
    upload --torrent t.torrent --target 127.0.0.1:6881 --pipeline 4
  expect_fail 2 "--target is required" download --torrent t.torrent
  ;;
*)
  fail "unknown case $case_name"
  ;;
esac
if [ "$have_lt" = 0 ] && [ "$case_name" != errors ] && [ "$case_name" != clients ]; then
  echo "SKIP: python3-libtorrent missing (Debian package); everything else in $case_name passed"
  exit 77
fi
echo "PASS: $case_name"
