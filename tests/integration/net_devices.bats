#!/usr/bin/env bats
# linux.netDevices (config-linux.md "Network Devices"). The runtime runs in
# a network namespace of the test's own (unshare -n), where the test makes a
# veth pair: nothing touches the host's network, and the pair dies with
# that namespace.

load helpers

setup() { lt_setup; }
teardown() { lt_teardown; }

# in_netns SCRIPT [ARG...]: runs SCRIPT (ARGs from $2 on) with sh in a new network namespace, where
# v0 (10.1.2.3/24, and 2001:db8::3/64) and v1 are a veth pair; $OCI is the
# runtime with the test's root and mark.
in_netns() {
  local script=$1
  shift
  LT_MARK=$MARK unshare -n sh -c '
    set -e
    ip link add v0 type veth peer name v1
    ip addr add 10.1.2.3/24 dev v0
    ip -6 addr add 2001:db8::3/64 dev v0 nodad
    OCI="$0 --root $1"
    '"$script" "$OCIRUN" "$ROOT" "$@"
}

net_bundle() {
  lt_bundle sh -c "ip -o addr show; ip -o link show; echo END"
  config_edit --argjson d "$1" '.linux.netDevices = $d'
}

@test "netDevices: the interface moves in, renamed, with its permanent addresses, and up" {
  require_root
  net_bundle '{"v0": {"name": "eth7"}}'
  run in_netns '$OCI run --bundle "$2" c1 </dev/null; echo "host: $(ip -o link show | grep -c "v0@" || true)"' "$BUNDLE"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"END"* ]]
  grep -E '^[0-9]+: eth7 +inet 10\.1\.2\.3/24 ' <<<"$output"
  grep -E '^[0-9]+: eth7 +inet6 2001:db8::3/64 ' <<<"$output"
  grep -E '^[0-9]+: eth7@[^:]*: <[^>]*\bUP\b' <<<"$output"
  # It left the runtime's namespace.
  grep -x "host: 0" <<<"$output"
  assert_nothing_left c1
}

@test "netDevices: without a name the interface keeps its own; a %d template is numbered by the kernel" {
  require_root
  net_bundle '{"v0": {}}'
  run in_netns '$OCI run --bundle "$2" c1 </dev/null' "$BUNDLE"
  echo "$output"
  [ "$status" -eq 0 ]
  grep -E '^[0-9]+: v0 +inet 10\.1\.2\.3/24 ' <<<"$output"
  assert_nothing_left c1

  config_edit '.linux.netDevices = {"v0": {"name": "net%d"}}'
  run in_netns '$OCI run --bundle "$2" c2 </dev/null' "$BUNDLE"
  echo "$output"
  [ "$status" -eq 0 ]
  grep -E '^[0-9]+: net0 +inet 10\.1\.2\.3/24 ' <<<"$output"
  assert_nothing_left c2
}

@test "netDevices: a missing host interface, or a name the container has, fails create and leaves nothing" {
  require_root
  net_bundle '{"nope0": {}}'
  run in_netns '$OCI create --bundle "$2" c1 </dev/null' "$BUNDLE"
  echo "$output"
  [ "$status" -ne 0 ]
  [[ "$output" == *'linux.netDevices["nope0"]: find `nope0` on the host: no such device'* ]]
  assert_nothing_left c1

  # "lo" exists in every network namespace: the spec says to fail.
  config_edit '.linux.netDevices = {"v0": {"name": "lo"}}'
  run in_netns '$OCI create --bundle "$2" c2 </dev/null || echo "create failed"; echo "host: $(ip -o link show | grep -c "v0@" || true)"' "$BUNDLE"
  echo "$output"
  [[ "$output" == *'linux.netDevices["v0"]: `lo` already exists in the container'"'"'s network namespace'* ]]
  # Found before the move: the interface is still the runtime's.
  grep -x "create failed" <<<"$output"
  grep -x "host: 1" <<<"$output"
  assert_nothing_left c2
}
