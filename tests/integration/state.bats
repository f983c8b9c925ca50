#!/usr/bin/env bats
# state and list on the state store, as callers see them.

load helpers

setup() { common_setup; }
teardown() { common_teardown; }

@test "state of a missing container: does not exist, exit 1" {
  run oci state nosuch
  [ "$status" -eq 1 ]
  [[ "$output" == *'container "nosuch" does not exist'* ]]
}

@test "state with an invalid id says why" {
  run oci state 'a/b'
  [ "$status" -eq 1 ]
  [[ "$output" == *'invalid container id "a/b"'* ]]
  run oci state ..
  [ "$status" -eq 1 ]
  [[ "$output" == *'invalid container id'* ]]
}

@test "list of an empty or missing root" {
  run oci list
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" =~ ^ID\ +PID\ +STATUS\ +BUNDLE\ +CREATED\ +OWNER$ ]]
  [ "${#lines[@]}" -eq 1 ]
  run oci list --format json
  [ "$status" -eq 0 ]
  [ "$output" = "[]" ]
  run "$OCIRUN" --root "$BATS_TEST_TMPDIR/none" list -q
  [ "$status" -eq 0 ]
  [ -z "$output" ]
  [ ! -e "$BATS_TEST_TMPDIR/none" ]   # readers never create the root
}

@test "list rejects an unknown format" {
  run oci list --format yaml
  [ "$status" -eq 1 ]
  [[ "$output" == *'invalid format "yaml"'* ]]
}

@test "a non-root caller without XDG_RUNTIME_DIR is told what to do" {
  require_root   # to switch to another user
  run env -u XDG_RUNTIME_DIR setpriv --reuid 65534 --regid 65534 --clear-groups "$OCIRUN" list
  [ "$status" -eq 1 ]
  [[ "$output" == *"XDG_RUNTIME_DIR"* ]]
  [[ "$output" == *"--root"* ]]
}
