# Wine for the Win32 tests (sourced, not run): a private prefix inside the
# build tree and a persistent wineserver started with its output detached.
#
# Why the care: Wine's background services inherit the output pipe of ninja
# or ctest; unprepared, every test pays ~2.5 s and a cold `wineserver -p`
# makes ctest hang waiting for the pipe to close. So: create the prefix,
# wait for it to settle, then start the persistent server and wineboot with
# all output sent to /dev/null, and kill the server at the end.

# wine_start PREFIX_DIR: exports WINEPREFIX, WINEDEBUG, WINEDLLOVERRIDES.
wine_start() {
  mkdir -p "$1"
  WINEPREFIX="$(cd "$1" && pwd)"  # wine insists on an absolute path
  export WINEPREFIX
  export WINEDEBUG="-all,err+module"
  export WINEDLLOVERRIDES="mscoree=;mshtml="  # never offer to install Mono or Gecko
  command -v wine >/dev/null || die "wine not installed (scripts/windows-packages.txt)"
  mkdir -p "$WINEPREFIX"
  if [[ ! -f "$WINEPREFIX/system.reg" ]]; then
    step "wine: new prefix $WINEPREFIX"
    wine wineboot --init </dev/null >/dev/null 2>&1 || true
    wineserver -w </dev/null >/dev/null 2>&1 || true
  fi
  wineserver -p </dev/null >/dev/null 2>&1 &
  disown 2>/dev/null || true
  wine wineboot </dev/null >/dev/null 2>&1 || true
}

# wine_stop: ends the persistent server (and every Wine process of the prefix).
wine_stop() {
  [[ -n "${WINEPREFIX:-}" ]] && wineserver -k </dev/null >/dev/null 2>&1 || true
}
