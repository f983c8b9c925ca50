#!/usr/bin/env bats
# linux.memoryPolicy (config-linux.md "Memory policy"): the container's
# processes run under the configured NUMA policy, read from inside with
# get_mempolicy(2) by a static helper bound into the busybox rootfs.

load helpers

setup() { lt_setup; }
teardown() { lt_teardown; }

TOOL=$TOP/build/tests/mempolicy

# policy_bundle JQ-POLICY: a bundle that prints its policy (from a child of
# the shell, so inherited through fork and execve) and exits.
policy_bundle() {
  lt_bundle sh -c '/mempolicy; echo END'
  ns_remove network
  config_edit --arg tool "$TOOL" --argjson p "$1" '
    .mounts += [{destination: "/mempolicy", type: "bind", source: $tool, options: ["bind", "ro"]}]
    | .linux.memoryPolicy = $p'
}

@test "memoryPolicy: without one, the container has the default policy" {
  require_root
  policy_bundle null
  config_edit 'del(.linux.memoryPolicy)'
  rt_run c1
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$(head -n1 "$BATS_TEST_TMPDIR/c1.out")" = default ]
  assert_nothing_left c1
}

@test "memoryPolicy: interleave, bind with a flag, preferred and local reach the process" {
  require_root
  policy_bundle '{"mode": "MPOL_INTERLEAVE", "nodes": "0"}'
  rt_run c1
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$(head -n1 "$BATS_TEST_TMPDIR/c1.out")" = "interleave nodes=0" ]
  assert_nothing_left c1

  config_edit '.linux.memoryPolicy = {mode: "MPOL_BIND", nodes: "0", flags: ["MPOL_F_STATIC_NODES"]}'
  rt_run c2
  echo "$output"
  [ "$(head -n1 "$BATS_TEST_TMPDIR/c2.out")" = "bind static nodes=0" ]
  assert_nothing_left c2

  config_edit '.linux.memoryPolicy = {mode: "MPOL_PREFERRED", nodes: "0"}'
  rt_run c3
  echo "$output"
  [ "$(head -n1 "$BATS_TEST_TMPDIR/c3.out")" = "preferred nodes=0" ]
  assert_nothing_left c3

  config_edit '.linux.memoryPolicy = {mode: "MPOL_LOCAL"}'
  rt_run c4
  echo "$output"
  [ "$(head -n1 "$BATS_TEST_TMPDIR/c4.out")" = local ]
  assert_nothing_left c4
}

@test "memoryPolicy: a node the host does not have fails create, naming the field" {
  require_root
  # Node 1000 exists on no machine this suite runs on (the parser allows
  # up to 65535; the kernel refuses nodes it does not have).
  policy_bundle '{"mode": "MPOL_BIND", "nodes": "1000"}'
  rt_create c1
  echo "$output"
  [ "$status" -ne 0 ]
  [[ "$output" == *"linux.memoryPolicy: set_mempolicy: invalid argument"* ]]
  assert_nothing_left c1
}
