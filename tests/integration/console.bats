#!/usr/bin/env bats
# process.terminal with --console-socket: the master reaches the socket, the
# slave is the process's controlling terminal, stdio and /dev/console.

load helpers

RECVTTY=${RECVTTY:-$TOP/build/tests/recvtty}

setup() { common_setup; }
teardown() {
  [ -n "${RECV_PID:-}" ] && kill "$RECV_PID" 2>/dev/null
  common_teardown
}

# Starts the receiver in the background; it writes what the terminal shows
# to $BATS_TEST_TMPDIR/tty.out.
start_receiver() {
  SOCK=$BATS_TEST_TMPDIR/console.sock
  "$RECVTTY" "$SOCK" "$@" > "$BATS_TEST_TMPDIR/tty.out" 2> "$BATS_TEST_TMPDIR/tty.err" &
  RECV_PID=$!
  for _ in $(seq 50); do [ -S "$SOCK" ] && return 0; sleep 0.05; done
  return 1
}

@test "a console socket receiver gets a working pty master" {
  require_root
  make_bundle sh -c 'tty; stty size; [ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo stdio-is-tty; ls -l /dev/console | cut -c1; ps -o pid,tty | head -3'
  config_edit '.process.terminal = true | .process.consoleSize = {"height": 33, "width": 111}'
  start_receiver
  oci run --console-socket "$SOCK" --bundle "$BUNDLE" c1
  wait "$RECV_PID"
  RECV_PID=
  out=$(tr -d '\r' < "$BATS_TEST_TMPDIR/tty.out")
  echo "$out"
  [[ "$out" == *"/dev/pts/0"* ]]
  [[ "$out" == *"33 111"* ]]
  [[ "$out" == *"stdio-is-tty"* ]]
  [[ "$(grep -c . <<<"$out")" -ge 4 ]]
  grep -q '^c$' <<<"$out"   # /dev/console is the terminal (a character device)
  grep -q "got /dev/pts/0" "$BATS_TEST_TMPDIR/tty.err"
}

@test "input typed on the terminal reaches the process" {
  require_root
  make_bundle sh -c 'read -r line; echo "got [$line]"'
  config_edit '.process.terminal = true'
  start_receiver $'hello tty\n'
  oci run --console-socket "$SOCK" --bundle "$BUNDLE" c2
  wait "$RECV_PID"
  RECV_PID=
  grep -q 'got \[hello tty\]' "$BATS_TEST_TMPDIR/tty.out"
}

@test "terminal without a console socket, and the reverse, are refused" {
  require_root
  make_bundle true
  config_edit '.process.terminal = true'
  run oci create --bundle "$BUNDLE" c3
  [ "$status" -eq 1 ]
  [[ "$output" == *"process.terminal needs --console-socket"* ]]
  config_edit '.process.terminal = false'
  run oci create --console-socket "$BATS_TEST_TMPDIR/x.sock" --bundle "$BUNDLE" c3
  [ "$status" -eq 1 ]
  [[ "$output" == *"--console-socket needs process.terminal"* ]]
}

# ---- run in the foreground with process.terminal and no console socket:
# run proxies the pty to its own stdio, as runc does ----

@test "run without a console socket: the terminal is proxied to run's stdio (pipe)" {
  require_root
  make_bundle sh
  config_edit '.process.terminal = true'
  # sh is interactive on its terminal: it echoes and prompts; the computed
  # 42 shows the input was run, and the status comes back through run.
  status=0
  printf 'echo "got [$((6*7))] $(tty)"\nexit 3\n' |
    oci run --bundle "$BUNDLE" c4 >"$BATS_TEST_TMPDIR/run.out" 2>&1 3>&- || status=$?
  cat "$BATS_TEST_TMPDIR/run.out"
  [ "$status" -eq 3 ]
  grep -q 'got \[42\] /dev/pts/0' "$BATS_TEST_TMPDIR/run.out"
  run oci state c4
  [[ "$output" == *"does not exist"* ]]
}

@test "run without a console socket, on a terminal: raw mode, the caller's size, restored after" {
  require_root
  command -v script >/dev/null || skip "needs script (util-linux)"
  make_bundle sh -c 'stty size; [ -t 0 ] && echo stdin-is-tty; exit 7'
  config_edit '.process.terminal = true | .process.consoleSize = {"height": 5, "width": 5}'
  # script gives run a terminal as stdin; the caller's terminal settings
  # (canonical mode, icanon) must be back once run exits.
  script -qec "stty rows 21 cols 77; $OCIRUN --root $ROOT run --bundle $BUNDLE c5; echo rc=\$?; stty -a" \
    /dev/null </dev/null >"$BATS_TEST_TMPDIR/script.out" 2>&1 3>&-
  out=$(tr -d '\r' < "$BATS_TEST_TMPDIR/script.out")
  echo "$out"
  grep -q '^.*21 77$' <<<"$out"   # (after an echoed control char of script's)
  grep -q 'stdin-is-tty$' <<<"$out"
  grep -qx 'rc=7' <<<"$out"
  grep -qw -- 'icanon' <<<"$out"
  ! grep -qw -- '-icanon' <<<"$out"
}

@test "run --detach with a terminal still needs a console socket" {
  require_root
  make_bundle true
  config_edit '.process.terminal = true'
  run oci run -d --bundle "$BUNDLE" c6
  [ "$status" -eq 1 ]
  [[ "$output" == *"process.terminal needs --console-socket"* ]]
  run oci state c6
  [[ "$output" == *"does not exist"* ]]
}
