#!/usr/bin/env bats
# Namespaces (config-linux.md "Namespaces"), seen from inside the container
# and from the host: new ones for each type asked for, joined ones by path,
# refused paths of the wrong type, hostname and domainname, pid 1.

load helpers

setup() { lt_setup; }
teardown() { lt_teardown; }

NSNAMES="pid net mnt ipc uts cgroup user time"

# Prints NAME=NSLINK for each namespace, then END, then sleeps (so the host
# can look at it).
NSPROG='for n in '$NSNAMES'; do echo "$n=$(readlink /proc/self/ns/$n)"; done; echo END; exec sleep 1000'

host_ns() { readlink "/proc/self/ns/$1"; }
pid_ns() { readlink "/proc/$1/ns/$2"; }

@test "each namespace asked for is new: pid, network, mount, ipc, uts, cgroup; the others are the host's" {
  require_root
  lt_bundle sh -c "$NSPROG"
  # the default config asks for pid network ipc uts mount cgroup
  [ "$(jq -c '[.linux.namespaces[].type] | sort' "$BUNDLE/config.json")" = '["cgroup","ipc","mount","network","pid","uts"]' ]
  rt_create c1
  echo "$output"
  [ "$status" -eq 0 ]
  # from the host, once created: the init is already in its namespaces
  for n in pid net mnt ipc uts cgroup; do
    [ "$(pid_ns "$PID" $n)" != "$(host_ns $n)" ]
  done
  for n in user time; do
    [ "$(pid_ns "$PID" $n)" = "$(host_ns $n)" ]
  done
  rt start c1
  wait_output c1
  cat "$BATS_TEST_TMPDIR/c1.out"
  for n in pid net mnt ipc uts cgroup; do
    inside=$(out_value c1 $n)
    [[ "$inside" == "$n:["*"]" ]]
    [ "$inside" != "$(host_ns $n)" ]
    [ "$inside" = "$(pid_ns "$PID" $n)" ]
  done
  for n in user time; do
    [ "$(out_value c1 $n)" = "$(host_ns $n)" ]
  done
  kill_and_delete c1
  assert_nothing_left c1
}

@test "cgroup namespace: the container sees its cgroup as the root" {
  require_root
  lt_bundle sh -c 'cat /proc/self/cgroup; echo END'
  ns_remove network
  rt_create c1
  [ "$status" -eq 0 ]
  # from the host: in the test's cgroup
  grep "/$CGNAME\$" "/proc/$PID/cgroup"
  rt start c1
  wait_output c1
  cat "$BATS_TEST_TMPDIR/c1.out"
  [ "$(grep -v '^END$' "$BATS_TEST_TMPDIR/c1.out" | grep -cv ':/$')" -eq 0 ]
  wait_state c1 stopped
  rt delete c1
  assert_nothing_left c1
}

@test "user namespace with uid and gid mappings" {
  require_root
  lt_bundle sh -c 'echo "uid_map=$(cat /proc/self/uid_map | tr -s " " | sed "s/^ //")"; echo "gid_map=$(cat /proc/self/gid_map | tr -s " " | sed "s/^ //")"; echo "id=$(id -u):$(id -g)"; echo "user=$(readlink /proc/self/ns/user)"; echo END; exec sleep 1000'
  config_edit '.linux.namespaces += [{type: "user"}]
    | .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
    | .linux.gidMappings = [{containerID: 0, hostID: 200000, size: 65536}]'
  # the mapped root must reach the bundle: bats' temp dirs are 0700
  d=$BUNDLE
  while [ "$d" != "$(dirname "$BATS_RUN_TMPDIR")" ]; do
    chmod o+x "$d"
    d=$(dirname "$d")
  done
  rt_create c1
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$(pid_ns "$PID" user)" != "$(host_ns user)" ]
  rt start c1
  wait_output c1
  cat "$BATS_TEST_TMPDIR/c1.out"
  [ "$(out_value c1 uid_map)" = "0 100000 65536" ]
  [ "$(out_value c1 gid_map)" = "0 200000 65536" ]
  [ "$(out_value c1 id)" = "0:0" ]
  [ "$(out_value c1 user)" != "$(host_ns user)" ]
  [ "$(out_value c1 user)" = "$(pid_ns "$PID" user)" ]
  # from the host: the maps, and the process runs as the mapped ids
  [ "$(tr -s ' ' < "/proc/$PID/uid_map" | sed 's/^ //')" = "0 100000 65536" ]
  [ "$(tr -s ' ' < "/proc/$PID/gid_map" | sed 's/^ //')" = "0 200000 65536" ]
  [ "$(pid_status "$PID" Uid)" = "100000 100000 100000 100000" ]
  [ "$(pid_status "$PID" Gid)" = "200000 200000 200000 200000" ]
  kill_and_delete c1
  assert_nothing_left c1
}

@test "namespaces joined by path are the same namespaces, and outlive the container" {
  require_root
  start_holder --net --ipc
  nsenter --net="/proc/$HOLDER/ns/net" ip addr add 10.123.45.67/32 dev lo
  holder_net=$(pid_ns "$HOLDER" net)
  holder_ipc=$(pid_ns "$HOLDER" ipc)
  lt_bundle sh -c 'echo "net=$(readlink /proc/self/ns/net)"; echo "ipc=$(readlink /proc/self/ns/ipc)"; echo "addr=$(grep -c 10.123.45.67 /proc/net/fib_trie)"; echo END; exec sleep 1000'
  config_edit --arg net "/proc/$HOLDER/ns/net" --arg ipc "/proc/$HOLDER/ns/ipc" '
    .linux.namespaces |= map(
      if .type == "network" then .path = $net
      elif .type == "ipc" then .path = $ipc else . end)'
  rt_create c1
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$(pid_ns "$PID" net)" = "$holder_net" ]
  [ "$(pid_ns "$PID" ipc)" = "$holder_ipc" ]
  rt start c1
  wait_output c1
  cat "$BATS_TEST_TMPDIR/c1.out"
  [ "$(out_value c1 net)" = "$holder_net" ]
  [ "$(out_value c1 ipc)" = "$holder_ipc" ]
  # the holder's address is seen inside
  [ "$(out_value c1 addr)" -gt 0 ]
  # the ones not joined are new
  [ "$(pid_ns "$PID" uts)" != "$(host_ns uts)" ]
  kill_and_delete c1
  assert_nothing_left c1
  # the joined namespaces were not the container's to destroy
  pid_alive "$HOLDER"
  [ "$(pid_ns "$HOLDER" net)" = "$holder_net" ]
  nsenter --net="/proc/$HOLDER/ns/net" ip -4 addr show dev lo | grep -q 10.123.45.67
  stop_holders
}

@test "a namespace path of the wrong type is refused and leaves nothing" {
  require_root
  start_holder --net --ipc
  lt_bundle sh -c 'echo ran > /shared/ran'
  # the control: the holder's network namespace is joined
  config_edit --arg p "/proc/$HOLDER/ns/net" '
    .linux.namespaces |= map(if .type == "network" then .path = $p else . end)'
  rt_create c1
  [ "$status" -eq 0 ]
  [ "$(pid_ns "$PID" net)" = "$(pid_ns "$HOLDER" net)" ]
  rt delete --force c1
  assert_nothing_left c1
  # its ipc namespace as the network one: refused
  config_edit --arg p "/proc/$HOLDER/ns/ipc" '
    .linux.namespaces |= map(if .type == "network" then .path = $p else . end)'
  rt_create c1
  echo "$output"
  [ "$status" -eq 1 ]
  [ -n "$output" ]
  [ -z "$PID" ] || pid_dead "$PID"
  [ ! -e "$SHARED/ran" ]
  run rt state c1
  [[ "$output" == *"does not exist"* ]]
  assert_nothing_left c1
  pid_alive "$HOLDER"
  stop_holders
}

@test "a namespace path that does not exist is refused and leaves nothing" {
  require_root
  lt_bundle sh -c 'echo ran > /shared/ran'
  config_edit --arg p "$BATS_TEST_TMPDIR/no-such-ns" '
    .linux.namespaces |= map(if .type == "network" then .path = $p else . end)'
  rt_create c1
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"no such file or directory"* ]]
  [ ! -e "$SHARED/ran" ]
  assert_nothing_left c1
}

@test "hostname is set in the container's uts namespace, not on the host" {
  require_root
  host_before=$(hostname)
  lt_bundle sh -c 'echo "hostname=$(hostname)"; echo "kernel=$(cat /proc/sys/kernel/hostname)"; echo END; exec sleep 1000'
  ns_remove network
  config_edit '.hostname = "lt-host"'
  rt_create c1
  [ "$status" -eq 0 ]
  rt start c1
  wait_output c1
  cat "$BATS_TEST_TMPDIR/c1.out"
  [ "$(out_value c1 hostname)" = lt-host ]
  [ "$(out_value c1 kernel)" = lt-host ]
  # from the host: in the container's uts namespace, and not in the host's
  [ "$(nsenter --uts --target "$PID" hostname)" = lt-host ]
  [ "$(hostname)" = "$host_before" ]
  kill_and_delete c1
  assert_nothing_left c1
}

# runc 1.1.5 ignores domainname (it came with runtime-spec 1.1): this test
# fails under it.
@test "domainname is set in the container's uts namespace, not on the host" {
  require_root
  host_before=$(cat /proc/sys/kernel/domainname)
  lt_bundle sh -c 'echo "domainname=$(cat /proc/sys/kernel/domainname)"; echo END; exec sleep 1000'
  ns_remove network
  config_edit '.hostname = "lt-host" | .domainname = "lt.example.org"'
  rt_create c1
  [ "$status" -eq 0 ]
  rt start c1
  wait_output c1
  cat "$BATS_TEST_TMPDIR/c1.out"
  [ "$(cat /proc/sys/kernel/domainname)" = "$host_before" ]
  [ "$(nsenter --uts --target "$PID" cat /proc/sys/kernel/domainname)" = lt.example.org ]
  [ "$(out_value c1 domainname)" = lt.example.org ]
  kill_and_delete c1
  assert_nothing_left c1
}

@test "pid 1 in the container is the program" {
  require_root
  lt_bundle sh -c 'echo "pid=$$"; echo "ppid=$PPID"; echo "init=$(tr "\0" " " < /proc/1/cmdline)"; echo END; exec sleep 1000'
  ns_remove network
  rt_create c1
  [ "$status" -eq 0 ]
  rt start c1
  wait_output c1
  cat "$BATS_TEST_TMPDIR/c1.out"
  [ "$(out_value c1 pid)" = 1 ]
  [ "$(out_value c1 ppid)" = 0 ]
  [[ "$(out_value c1 init)" == "sh -c echo \"pid=\$\$\""* ]]
  # from the host: the pid file's pid is pid 1 of its namespace, and it is
  # the program (now exec'd into sleep)
  [ "$(pid_status "$PID" NSpid)" = "$PID 1" ]
  [ "$(pid_cmdline "$PID")" = "sleep 1000 " ]
  [ "$(state_field c1 pid)" = "$PID" ]
  kill_and_delete c1
  assert_nothing_left c1
}

# ---- no mount namespace ----
# (Not for runc: Debian's runc 1.1 fails this config after leaving a bind
# mount of the rootfs on the host, the leak runc#1907 describes.)

@test "without a mount namespace: the host's mount table, chrooted into the rootfs" {
  require_root
  lt_bundle sh -c 'echo "marker=$(cat /marker)"; echo "root=$(ls /)"; echo END; while [ ! -e /stop ]; do sleep 0.02; done'
  echo inside-the-rootfs > "$BUNDLE/rootfs/marker"
  ns_remove mount network
  config_edit '.mounts = [] | .root.readonly = false | .linux.maskedPaths = [] | .linux.readonlyPaths = []'
  rt_create c1
  echo "$output"
  [ "$status" -eq 0 ]
  # the host's mount namespace, and its root is the bundle's rootfs
  [ "$(pid_ns "$PID" mnt)" = "$(host_ns mnt)" ]
  [ "$(readlink "/proc/$PID/root")" = "$(realpath "$BUNDLE/rootfs")" ]
  rt start c1
  wait_output c1
  cat "$BATS_TEST_TMPDIR/c1.out"
  [ "$(out_value c1 marker)" = inside-the-rootfs ]
  touch "$BUNDLE/rootfs/stop"
  wait_state c1 stopped
  rt delete c1
  assert_nothing_left c1
}

@test "without a mount namespace: mounts and the other mount changes are refused, nothing left" {
  require_root
  lt_bundle sh -c 'echo ran > /ran'
  ns_remove mount
  # the bundle's mounts (/proc, /dev, /shared...) would be the host's
  rt_create c1
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"mounts: needs a mount namespace"* ]]
  assert_nothing_left c1
  config_edit '.mounts = [] | .root.readonly = true'
  rt_create c1
  [ "$status" -eq 1 ]
  [[ "$output" == *"root.readonly: needs a mount namespace"* ]]
  config_edit '.root.readonly = false | .linux.maskedPaths = ["/proc/kcore"]'
  rt_create c1
  [ "$status" -eq 1 ]
  [[ "$output" == *"linux.maskedPaths: needs a mount namespace"* ]]
  [ ! -e "$BUNDLE/rootfs/ran" ]
  assert_nothing_left c1
}

# ---- user namespaces with namespaces joined by path ----

# The mapped root must reach the bundle: bats' temp dirs are 0700.
open_bundle_path() {
  local d=$BUNDLE
  while [ "$d" != "$(dirname "$BATS_RUN_TMPDIR")" ]; do
    chmod o+x "$d"
    d=$(dirname "$d")
  done
}

@test "a new user namespace with network and uts namespaces joined by path (owned by the host's)" {
  require_root
  start_holder --net --uts
  nsenter --uts="/proc/$HOLDER/ns/uts" hostname holder-host
  lt_bundle sh -c 'echo "net=$(readlink /proc/self/ns/net)"; echo "uts=$(readlink /proc/self/ns/uts)"; echo "user=$(readlink /proc/self/ns/user)"; echo "host=$(hostname)"; echo "id=$(id -u)"; echo END; exec sleep 1000'
  # sysfs would need the network namespace to belong to the container's
  # user namespace; it belongs to the host's here
  config_edit --arg net "/proc/$HOLDER/ns/net" --arg uts "/proc/$HOLDER/ns/uts" '
    .linux.namespaces |= map(
      if .type == "network" then .path = $net
      elif .type == "uts" then .path = $uts else . end)
    | .linux.namespaces += [{type: "user"}]
    | .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
    | .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
    | del(.hostname)
    | .mounts |= map(select(.destination | startswith("/sys") | not))'
  open_bundle_path
  rt_create c1
  echo "$output"
  [ "$status" -eq 0 ]
  rt start c1
  wait_output c1
  cat "$BATS_TEST_TMPDIR/c1.out"
  [ "$(out_value c1 net)" = "$(pid_ns "$HOLDER" net)" ]
  [ "$(out_value c1 uts)" = "$(pid_ns "$HOLDER" uts)" ]
  [ "$(out_value c1 host)" = holder-host ]
  [ "$(out_value c1 user)" != "$(host_ns user)" ]
  [ "$(out_value c1 id)" = 0 ]
  [ "$(pid_status "$PID" Uid)" = "100000 100000 100000 100000" ]
  # the runtime went back to its own namespaces: its hooks and the host
  # are untouched
  [ "$(hostname)" != holder-host ]
  kill_and_delete c1
  assert_nothing_left c1
  pid_alive "$HOLDER"
  stop_holders
}

@test "a user namespace joined by path, with its pid namespace; the other namespaces new and owned by it" {
  require_root
  # A holder in a user namespace with a pid namespace: unshare forks
  # sleep as pid 1 there, and stays its parent; root there is mapped to
  # 100000 by the test (unshare's --map-users needs newuidmap).
  # --kill-child: sleep, the pid namespace's init, dies with unshare, which
  # teardown kills (it would otherwise outlive the test).
  unshare --user --pid --fork --kill-child sleep 1000 </dev/null >/dev/null 2>&1 3>&- &
  HOLDER=$!
  LT_HOLDERS+=("$HOLDER")
  wait_for eval '[ "$(pid_ns "$HOLDER" pid_for_children)" != "$(host_ns pid)" ]'
  echo "0 100000 65536" > "/proc/$HOLDER/uid_map"
  echo "0 100000 65536" > "/proc/$HOLDER/gid_map"
  holder_user=$(pid_ns "$HOLDER" user)
  holder_pid=$(pid_ns "$HOLDER" pid_for_children)
  lt_bundle sh -c 'echo "user=$(readlink /proc/self/ns/user)"; echo "pid=$(readlink /proc/self/ns/pid)"; echo "mnt=$(readlink /proc/self/ns/mnt)"; echo "id=$(id -u):$(id -g)"; echo "uid_map=$(tr -s " " < /proc/self/uid_map | sed "s/^ //")"; echo "procs=$(ls /proc | grep -c "^[0-9]")"; echo END; exec sleep 1000'
  config_edit --arg user "/proc/$HOLDER/ns/user" --arg pid "/proc/$HOLDER/ns/pid_for_children" '
    .linux.namespaces |= map(if .type == "pid" then .path = $pid else . end)
    | .linux.namespaces += [{type: "user", path: $user}]
    | .mounts |= map(select(.destination | startswith("/sys") | not))'
  open_bundle_path
  rt_create c1
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$(pid_ns "$PID" user)" = "$holder_user" ]
  [ "$(pid_ns "$PID" pid)" = "$holder_pid" ]
  # new namespaces, owned by the joined user namespace (so the init could
  # mount /proc and the rest in its own mount namespace)
  [ "$(pid_ns "$PID" mnt)" != "$(host_ns mnt)" ]
  [ "$(pid_ns "$PID" net)" != "$(host_ns net)" ]
  rt start c1
  wait_output c1
  cat "$BATS_TEST_TMPDIR/c1.out"
  [ "$(out_value c1 user)" = "$holder_user" ]
  [ "$(out_value c1 pid)" = "$holder_pid" ]
  [ "$(out_value c1 id)" = 0:0 ]
  [ "$(out_value c1 uid_map)" = "0 100000 65536" ]
  # its /proc is the holder's pid namespace: sleep (1), and itself
  [ "$(out_value c1 procs)" -ge 2 ]
  [ "$(pid_status "$PID" Uid)" = "100000 100000 100000 100000" ]
  kill_and_delete c1
  assert_nothing_left c1
  pid_alive "$HOLDER"
  stop_holders
}

@test "a user namespace joined by path with a new pid namespace is refused, nothing left" {
  require_root
  start_holder --user
  lt_bundle true
  config_edit --arg user "/proc/$HOLDER/ns/user" '.linux.namespaces += [{type: "user", path: $user}]'
  rt_create c1
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"new pid namespace together with a user namespace joined by path"* ]]
  assert_nothing_left c1
  stop_holders
}
