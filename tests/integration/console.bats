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
