#!/usr/bin/env bats
# A first pass through the lifecycle: run, create/start/state/kill/delete,
# and a failed create that leaves nothing behind. The full suite is in
# lifecycle.bats, namespaces.bats and process.bats.

load helpers

setup() { common_setup; }
teardown() { common_teardown; }

@test "run: the container's output and exit status reach the caller" {
  require_root
  make_bundle sh -c 'echo "inside $(hostname) as pid $$"; exit 3'
  run oci run --bundle "$BUNDLE" t1
  [ "$status" -eq 3 ]
  [[ "$output" == *"inside ocirun as pid 1"* ]]
}

@test "create, start, state, kill, delete" {
  require_root
  make_bundle sleep 100
  oci create --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/pid" t2
  pid=$(cat "$BATS_TEST_TMPDIR/pid")
  [ "$(oci state t2 | jq -r .status)" = created ]
  [ "$(oci state t2 | jq -r .pid)" = "$pid" ]
  # Not yet the user's program: the init waits for start.
  [[ "$(tr '\0' ' ' < /proc/$pid/cmdline)" != "sleep 100 " ]]
  oci start t2
  [ "$(oci state t2 | jq -r .status)" = running ]
  [ "$(tr '\0' ' ' < /proc/$pid/cmdline)" = "sleep 100 " ]
  run oci delete t2
  [ "$status" -eq 1 ]
  [[ "$output" == *"not stopped"* ]]
  oci kill t2 KILL
  for _ in $(seq 50); do [ "$(oci state t2 | jq -r .status)" = stopped ] && break; sleep 0.1; done
  [ "$(oci state t2 | jq -r .pid)" = 0 ]
  run oci kill t2
  [ "$status" -eq 1 ]
  [[ "$output" == *"container not running"* ]]
  oci delete t2
  run oci state t2
  [[ "$output" == *"does not exist"* ]]
  ! kill -0 "$pid" 2>/dev/null || [ "$(awk '{print $3}' /proc/$pid/stat)" = Z ]
}

@test "a missing executable fails create and leaves nothing" {
  require_root
  make_bundle no-such-program
  run oci create --bundle "$BUNDLE" t3
  [ "$status" -eq 1 ]
  [[ "$output" == *'executable file not found in $PATH'* ]]
  run oci state t3
  [[ "$output" == *"does not exist"* ]]
}

@test "delete --force of a missing container succeeds" {
  run oci delete --force nosuch
  [ "$status" -eq 0 ]
}
