#!/usr/bin/env bats
# The command line as callers use it: version, help, spec, features, validate,
# errors in the contract's formats.

load helpers

setup() { common_setup; }
teardown() { common_teardown; }

@test "the binary is statically linked" {
  run file -L "$OCIRUN"
  [[ "$output" == *"statically linked"* ]]
}

@test "--version: name, commit, spec and library versions" {
  run "$OCIRUN" --version
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" =~ ^ocirun\ version\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
  [[ "${lines[1]}" == "commit: "* ]]
  [ "${lines[2]}" = "spec: 1.3.0" ]
  [[ "$output" == *"libseccomp: "* ]]
  [[ "$output" == *"libcap-ng: "* ]]
}

@test "--version as runc: go-runc parses the first line" {
  ln -s "$OCIRUN" "$BATS_TEST_TMPDIR/runc"
  run "$BATS_TEST_TMPDIR/runc" --version
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" == "runc version "* ]]
}

@test "--help lists every command; each command has --help" {
  run "$OCIRUN" --help
  [ "$status" -eq 0 ]
  top=$output
  for c in create run start state kill delete list ps exec pause resume update events checkpoint restore spec features; do
    [[ "$top" == *"   $c "* ]] || { echo "missing $c"; false; }
    run "$OCIRUN" "$c" --help
    [ "$status" -eq 0 ]
    [[ "${lines[0]}" == "usage: ocirun $c"* ]]
  done
}

@test "spec writes a valid config.json and refuses to overwrite it" {
  mkdir -p "$BUNDLE"
  run "$OCIRUN" spec --bundle "$BUNDLE"
  [ "$status" -eq 0 ]
  jq -e '.ociVersion and .process.args == ["sh"] and .root.path == "rootfs"' "$BUNDLE/config.json"
  before=$(sha256sum "$BUNDLE/config.json")
  run "$OCIRUN" spec --bundle "$BUNDLE"
  [ "$status" -eq 1 ]
  [[ "$output" == *"already exists"* ]]
  [ "$(sha256sum "$BUNDLE/config.json")" = "$before" ]
}

@test "spec --rootless maps the caller's ids in a user namespace" {
  mkdir -p "$BUNDLE"
  "$OCIRUN" spec --rootless --bundle "$BUNDLE"
  jq -e '[.linux.namespaces[].type] | index("user") != null' "$BUNDLE/config.json"
  jq -e --argjson u "$(id -u)" '.linux.uidMappings[0].hostID == $u' "$BUNDLE/config.json"
}

@test "features prints the features document" {
  run "$OCIRUN" features
  [ "$status" -eq 0 ]
  echo "$output" | jq -e '.ociVersionMin == "1.0.0" and .ociVersionMax == "1.3.0"'
}

@test "a busybox bundle validates" {
  make_bundle sh -c 'echo hi'
  run "$OCIRUN" validate --bundle "$BUNDLE"
  [ "$status" -eq 0 ]
  [ -x "$BUNDLE/rootfs/bin/busybox" ]
  [ -L "$BUNDLE/rootfs/bin/sh" ]
}

@test "a wrong type anywhere in config.json names its JSON path" {
  make_bundle
  config_edit '.linux.namespaces[2].type = 7'
  run "$OCIRUN" validate --bundle "$BUNDLE"
  [ "$status" -eq 1 ]
  [[ "$output" == *"config.json: linux.namespaces[2].type: expected string, got number"* ]]

  make_bundle
  config_edit '.process.args = "sh"'
  run "$OCIRUN" validate --bundle "$BUNDLE"
  [ "$status" -eq 1 ]
  [[ "$output" == *"config.json: process.args: expected array, got string"* ]]
}

@test "malformed JSON gives line and column" {
  mkdir -p "$BUNDLE"
  printf '{\n  "ociVersion": "1.0.2",\n  "process": \n' > "$BUNDLE/config.json"
  run "$OCIRUN" validate --bundle "$BUNDLE"
  [ "$status" -eq 1 ]
  [[ "$output" == *"config.json: invalid JSON at line 4 column 1"* ]]
}

@test "--log-format json writes one error object per line, and stderr has it too" {
  run "$OCIRUN" --log "$BATS_TEST_TMPDIR/log.json" --log-format json frobnicate
  [ "$status" -eq 1 ]
  [[ "$output" == *"unknown command"* ]]
  [ "$(wc -l < "$BATS_TEST_TMPDIR/log.json")" -eq 1 ]
  jq -e '.level == "error" and (.msg | contains("unknown command")) and (.time | test("^[0-9]{4}-"))' \
    "$BATS_TEST_TMPDIR/log.json"
}

@test "commands not implemented yet say so and exit 1" {
  for c in "checkpoint x" "restore x"; do
    run oci $c
    [ "$status" -eq 1 ]
    [[ "$output" == *"not implemented yet"* ]] || { echo "$c: $output"; false; }
  done
}

@test "unknown flags and missing ids are errors, exit 1" {
  run oci create --nope x
  [ "$status" -eq 1 ]
  [[ "$output" == *"flag provided but not defined"* ]]
  for c in start state create kill delete pause resume ps exec update events run; do
    run oci $c
    [ "$status" -eq 1 ]
    [[ "$output" == *"$c: container id cannot be empty"* ]] || { echo "$c: $output"; false; }
  done
}
