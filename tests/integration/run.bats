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

@test "--pidfd-socket: the caller gets a pidfd of the container's process" {
  require_root
  make_bundle sleep 100
  sock=$BATS_TEST_TMPDIR/pidfd.sock
  "$TOP/build/tests/recvtty" "$sock" > "$BATS_TEST_TMPDIR/pidfd.out" 2>&1 &
  recv=$!
  for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.05; done
  oci create --pidfd-socket "$sock" --pid-file "$BATS_TEST_TMPDIR/pid" --bundle "$BUNDLE" p1
  wait "$recv"
  grep -qx "Pid:	$(cat "$BATS_TEST_TMPDIR/pid")" "$BATS_TEST_TMPDIR/pidfd.out"
  oci delete --force p1
}

@test "without a pid namespace: kill --all and delete reach every process, through the cgroup" {
  require_root
  make_bundle sh -c 'sleep 101 & sleep 102 & wait'
  config_edit '.linux.namespaces |= map(select(.type != "pid")) | .linux.cgroupsPath = "ocirun-test-nopidns-'$$'"'
  oci run -d --bundle "$BUNDLE" n1
  pid=$(oci state n1 | jq -r .pid)
  for _ in $(seq 50); do [ "$(pgrep -P "$pid" | wc -l)" -eq 2 ] && break; sleep 0.05; done
  kids=$(pgrep -P "$pid")
  [ "$(echo "$kids" | wc -l)" -eq 2 ]
  oci kill --all n1 KILL
  for _ in $(seq 100); do
    alive=0
    for k in $kids; do kill -0 "$k" 2>/dev/null && [ "$(awk '{print $3}' /proc/$k/stat)" != Z ] && alive=1; done
    [ "$alive" -eq 0 ] && break
    sleep 0.05
  done
  [ "$alive" -eq 0 ]
  oci delete --force n1
  ! ls -d /sys/fs/cgroup/*/ocirun-test-nopidns-$$ /sys/fs/cgroup/memory/*/*/ocirun-test-nopidns-$$ 2>/dev/null
}

# Kills `ocirun create` while it waits in a hook, then checks that delete
# --force leaves nothing: no process, cgroup or state dir.
killed_create() {
  local kind=$1
  make_bundle sleep 100
  local cg=ocirun-test-killed-$$-$BATS_TEST_NUMBER
  config_edit ".linux.cgroupsPath = \"$cg\" | .hooks.$kind = [{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"echo \$\$ > $BATS_TEST_TMPDIR/hook.pid; exec sleep 100\"]}]"
  # Not through oci(): $! would be the subshell running the function, and
  # the kill below would leave the runtime alive.
  "$OCIRUN" --root "$ROOT" create --bundle "$BUNDLE" k1 &
  local create=$!
  for _ in $(seq 100); do [ -s "$BATS_TEST_TMPDIR/hook.pid" ] && break; sleep 0.05; done
  [ -s "$BATS_TEST_TMPDIR/hook.pid" ]
  local init
  init=$(oci state k1 | jq -r .pid)
  [ "$(oci state k1 | jq -r .status)" = creating ]
  kill -KILL "$create"
  wait "$create" || true
  oci delete --force k1
  run oci state k1
  [[ "$output" == *"does not exist"* ]]
  # The init and the hook die with the runtime (parent-death signals). A
  # createContainer hook runs in the container's pid namespace (its pid file
  # holds a pid of that namespace), which dies with the init.
  local pids=$init
  [ "$kind" = createRuntime ] && pids="$pids $(cat "$BATS_TEST_TMPDIR/hook.pid")"
  for p in $pids; do
    for _ in $(seq 100); do { ! kill -0 "$p" 2>/dev/null || [ "$(awk '{print $3}' /proc/$p/stat 2>/dev/null)" = Z ]; } && break; sleep 0.05; done
    ! kill -0 "$p" 2>/dev/null || [ "$(awk '{print $3}' /proc/$p/stat)" = Z ]
  done
  ! ls -d /sys/fs/cgroup/*/$cg /sys/fs/cgroup/memory/*/*/$cg 2>/dev/null
}

@test "ocirun killed during create (in createRuntime): delete --force removes everything" {
  require_root
  killed_create createRuntime
}

@test "ocirun killed during create (in createContainer): delete --force removes everything" {
  require_root
  killed_create createContainer
}

@test "process.ioPriority reaches the container, not its caller's process group" {
  require_root
  make_bundle sh -c 'cat /proc/self/io 2>/dev/null >/dev/null; ionice -p $$'
  config_edit '.process.ioPriority = {"class": "IOPRIO_CLASS_IDLE", "priority": 0}'
  before=$(ionice -p $$)
  run oci run --bundle "$BUNDLE" io1
  [ "$status" -eq 0 ]
  [[ "$output" == *idle* ]]
  [ "$(ionice -p $$)" = "$before" ]
}

@test "the default cgroup ocirun/<id> and its shared parent are removed with the last container" {
  require_root
  make_bundle sleep 100
  config_edit 'del(.linux.cgroupsPath)'
  oci run -d --bundle "$BUNDLE" d1
  oci run -d --bundle "$BUNDLE" d2
  grep -q '^0::.*/ocirun/d1$' /proc/$(oci state d1 | jq -r .pid)/cgroup
  oci delete --force d1
  # d2's cgroup, under the same parent, is untouched.
  d2=$(oci state d2 | jq -r .pid)
  path=$(grep '^0::' /proc/$d2/cgroup | cut -d: -f3)
  mnt=$(awk '/ - cgroup2 / {print $5; exit}' /proc/self/mountinfo)
  [ -d "$mnt$path" ]
  oci delete --force d2
  [ ! -d "$mnt$path" ]
  [ ! -d "$(dirname "$mnt$path")" ]   # ocirun/, with its last container
  ! ls -d /sys/fs/cgroup/ocirun /sys/fs/cgroup/*/ocirun /sys/fs/cgroup/memory/*/*/ocirun 2>/dev/null
}
