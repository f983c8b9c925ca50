#!/usr/bin/env bats
# The escapes that hit runc and crun, each tried from inside a container
# against this runtime: each must fail, and the host stay unchanged.
# spec/security.md lists them with their defences. The same attacks
# through `ocirun exec` are in exec.bats.

load helpers

PTRACE_PROBE=${PTRACE_PROBE:-$TOP/build/tests/ptrace-attach}
RECVTTY=${RECVTTY:-$TOP/build/tests/recvtty}

setup() { lt_setup; }
teardown() {
  [ -n "${RECV_PID:-}" ] && kill "$RECV_PID" 2>/dev/null
  lt_teardown
}

# atk_bundle SCRIPT: a bundle running `sh -c 'SCRIPT; echo END; exec sleep 1000'`.
atk_bundle() {
  lt_bundle sh -c "$1; echo END; exec sleep 1000"
  ns_remove network
}

create_start() {
  rt_create "$1"
  echo "$output"
  [ "$status" -eq 0 ]
  rt start "$1"
  wait_output "$1"
  cat "$BATS_TEST_TMPDIR/$1.out"
}

runtime_hash() { sha256sum "$(readlink -f "$OCIRUN")" | cut -d' ' -f1; }

@test "CVE-2019-5736: the runtime binary is never the container's program, by path or #! interpreter" {
  require_root
  local before
  before=$(runtime_hash)
  atk_bundle true
  printf '#!/proc/self/exe\n' > "$BUNDLE/rootfs/bin/evil"
  printf '#!/bin/evil\n' > "$BUNDLE/rootfs/bin/evil2"
  chmod +x "$BUNDLE/rootfs/bin/evil" "$BUNDLE/rootfs/bin/evil2"
  ln -s /proc/self/exe "$BUNDLE/rootfs/bin/self"
  local i=0 args
  for args in '["/proc/self/exe"]' '["/proc/1/exe", "--version"]' '["evil"]' '["/bin/evil2"]' '["self"]'; do
    i=$((i + 1))
    config_edit --argjson a "$args" '.process.args = $a'
    rt_create "c$i"
    echo "$args: $output"
    [ "$status" -ne 0 ]
    [[ "$output" == *"is the runtime's own binary: refused (CVE-2019-5736)"* ]]
  done
  [ "$(runtime_hash)" = "$before" ]
  assert_nothing_left c1 c2 c3 c4 c5
}

@test "CVE-2019-5736: the container's /proc/self/exe and /proc/1/exe are its own program" {
  require_root
  local before
  before=$(runtime_hash)
  atk_bundle 'echo "self=$(readlink /proc/self/exe)"; echo "one=$(readlink /proc/1/exe)"
    ( : >>/proc/1/exe ) 2>/dev/null; echo write=$?'
  create_start c1
  [ "$(out_value c1 self)" = /bin/busybox ]
  [ "$(out_value c1 one)" = /bin/busybox ]
  [ "$(out_value c1 write)" != 0 ]   # ETXTBSY: busybox, and running
  [ "$(runtime_hash)" = "$before" ]
  kill_and_delete c1
  assert_nothing_left c1
}

# A created (not started) container A, and a container B in A's pid
# namespace: B sees A's init as its pid 1, still the runtime's clone.
@test "CVE-2016-9962 and CVE-2019-5736: a container joining a created container's pid namespace cannot reach its init" {
  require_root
  local before pid_a
  before=$(runtime_hash)
  atk_bundle 'echo started'
  rt_create a
  [ "$status" -eq 0 ]
  pid_a=$PID

  local bundle_a=$BUNDLE
  BUNDLE=$BATS_TEST_TMPDIR/bundle-b
  local cg=$CGNAME
  CGNAME=$cg-b
  LT_CGDIRS="$LT_CGDIRS $(cgroup_dirs)"
  atk_bundle 'echo "comm=$(cat /proc/1/comm)"
    cat /proc/1/environ >/dev/null 2>&1; echo environ=$?
    opened=0; for f in $(ls /proc/1/fd 2>/dev/null) 0 1 2 3 4 5 6 7 8 9; do
      ( : </proc/1/fd/$f ) 2>/dev/null && opened=$((opened + 1)); done; echo opened=$opened
    readlink /proc/1/exe >/dev/null 2>&1; echo exe=$?
    ( : </proc/1/exe ) 2>/dev/null; echo exe_read=$?
    ( : >>/proc/1/exe ) 2>/dev/null; echo exe_write=$?
    cat /proc/1/mem >/dev/null 2>&1; echo mem=$?
    ptrace-attach 1; echo ptrace=$?'
  CGNAME=$cg
  cp "$PTRACE_PROBE" "$BUNDLE/rootfs/bin/ptrace-attach"
  config_edit --arg ns "/proc/$pid_a/ns/pid" '(.linux.namespaces[] | select(.type == "pid")) |= {type: "pid", path: $ns}'
  create_start b
  [ "$(out_value b comm)" = "$(cat /proc/$pid_a/comm)" ]   # it is A's init
  [ "$(out_value b environ)" != 0 ]
  [ "$(out_value b opened)" = 0 ]
  [ "$(out_value b exe)" != 0 ]
  [ "$(out_value b exe_read)" != 0 ]
  [ "$(out_value b exe_write)" != 0 ]
  [ "$(out_value b mem)" != 0 ]
  [ "$(out_value b ptrace)" != 0 ]
  grep -q "ptrace: Operation not permitted" "$BATS_TEST_TMPDIR/b.out"

  # A is unharmed: it starts and runs its program.
  rt start a
  wait_output a started
  [ "$(runtime_hash)" = "$before" ]
  kill_and_delete b
  kill_and_delete a
  BUNDLE=$bundle_a
  assert_nothing_left a b
}

@test "CVE-2024-21626: process.cwd through a leaked fd (/proc/self/fd/N) never leaves the root" {
  require_root
  atk_bundle 'echo "cwd=$(pwd)"; ls -a .. >/dev/null; echo "parent=$(ls -di .. | cut -d" " -f1)"'
  local n
  # Host directories open in the caller (fd 7, 8, not preserved), and the
  # runtime's own fds: none may become the container's cwd.
  for n in 3 4 5 6 7 8 9 10 11 12; do
    config_edit --arg cwd "/proc/self/fd/$n" '.process.cwd = $cwd'
    status=0
    rt create --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/c$n.pid" "c$n" \
      </dev/null >"$BATS_TEST_TMPDIR/c$n.out" 2>"$BATS_TEST_TMPDIR/c$n.err" 3>&- 7</ 8</sys/fs/cgroup || status=$?
    output=$(cat "$BATS_TEST_TMPDIR/c$n.err")
    echo "fd $n: status $status: $output"
    [ "$status" -ne 0 ]
    [[ "$output" == *"process.cwd"* ]]
  done
  # A host directory that does reach the init (a preserved fd): entering it
  # works, and the check after chdir refuses it.
  config_edit '.process.cwd = "/proc/self/fd/3"'
  status=0
  rt create --bundle "$BUNDLE" --preserve-fds 1 c13 </dev/null >"$BATS_TEST_TMPDIR/c13.out" \
    2>"$BATS_TEST_TMPDIR/c13.err" 3</sys/fs/cgroup || status=$?
  output=$(cat "$BATS_TEST_TMPDIR/c13.err")
  echo "preserved fd 3: status $status: $output"
  [ "$status" -ne 0 ]
  [[ "$output" == *"process.cwd: \`/proc/self/fd/3\` is outside the container's root (CVE-2024-21626)"* ]]
  assert_nothing_left c3 c4 c5 c6 c7 c8 c9 c10 c11 c12 c13
}

@test "CVE-2024-21626: no fd but stdio and the preserved ones reaches the program" {
  require_root
  atk_bundle 'echo "fds=$(ls /proc/self/fd | tr "\n" " ")"'
  rt_io c1 create --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/c1.pid" --preserve-fds 1 c1 4</ 7</ 3</dev/null
  [ "$status" -eq 0 ]
  track_pid "$(cat "$BATS_TEST_TMPDIR/c1.pid")"
  rt start c1
  wait_output c1
  # 0 1 2, the preserved 3, and 4: the directory ls itself opened.
  [ "$(out_value c1 fds)" = "0 1 2 3 4 " ]
  kill_and_delete c1
  assert_nothing_left c1
}

@test "CVE-2022-29162: inheritable and ambient capabilities are never more than the config's" {
  require_root
  command -v setpriv >/dev/null || skip "no setpriv"
  atk_bundle 'grep -E "^Cap(Inh|Amb)" /proc/self/status | tr -d "\t" | tr : ='
  config_edit '.process.user = {uid: 1000, gid: 1000}'
  # The runtime's caller has CAP_NET_RAW (13) inheritable; the config none.
  status=0
  LT_MARK=$MARK setpriv --inh-caps +net_raw "$OCIRUN" --root "$ROOT" create --bundle "$BUNDLE" \
    --pid-file "$BATS_TEST_TMPDIR/c1.pid" c1 </dev/null >"$BATS_TEST_TMPDIR/c1.out" 2>&1 3>&- || status=$?
  [ "$status" -eq 0 ]
  track_pid "$(cat "$BATS_TEST_TMPDIR/c1.pid")"
  rt start c1
  wait_output c1
  [ "$(out_value c1 CapInh)" = 0000000000000000 ]
  [ "$(out_value c1 CapAmb)" = 0000000000000000 ]
  kill_and_delete c1
  # And with no process.capabilities at all.
  config_edit 'del(.process.capabilities)'
  LT_MARK=$MARK setpriv --inh-caps +net_raw "$OCIRUN" --root "$ROOT" create --bundle "$BUNDLE" \
    --pid-file "$BATS_TEST_TMPDIR/c2.pid" c2 </dev/null >"$BATS_TEST_TMPDIR/c2.out" 2>&1 3>&- || status=$?
  [ "$status" -eq 0 ]
  track_pid "$(cat "$BATS_TEST_TMPDIR/c2.pid")"
  rt start c2
  wait_output c2
  [ "$(out_value c2 CapInh)" = 0000000000000000 ]
  [ "$(out_value c2 CapAmb)" = 0000000000000000 ]
  kill_and_delete c2
  assert_nothing_left c1 c2
}

@test "CVE-2023-25809: /sys/fs/cgroup is read-only in a user-namespaced container" {
  require_root
  # A network namespace of its own: sysfs in a user namespace needs one.
  lt_bundle sh -c 'grep " /sys/fs/cgroup " /proc/self/mountinfo | cut -d" " -f6 | head -1 | sed "s/^/opts=/"
    touch /sys/fs/cgroup/x 2>/dev/null; echo touch=$?; mkdir /sys/fs/cgroup/y 2>/dev/null; echo mkdir=$?
    echo END; exec sleep 1000'
  config_edit '.linux.namespaces += [{type: "user"}]
    | .linux.uidMappings = [{containerID: 0, hostID: 200000, size: 65536}]
    | .linux.gidMappings = [{containerID: 0, hostID: 200000, size: 65536}]'
  chown -R 200000:200000 "$BUNDLE/rootfs"
  # the mapped root must reach the bundle: bats' temp dirs are 0700
  local d=$BUNDLE
  while [ "$d" != "$(dirname "$BATS_RUN_TMPDIR")" ]; do
    chmod o+x "$d"
    d=$(dirname "$d")
  done
  create_start c1
  [[ "$(out_value c1 opts)" == ro,* ]]
  [ "$(out_value c1 touch)" != 0 ]
  [ "$(out_value c1 mkdir)" != 0 ]
  kill_and_delete c1
  assert_nothing_left c1
}

start_receiver() {
  SOCK=$BATS_TEST_TMPDIR/console.sock
  "$RECVTTY" "$SOCK" > "$BATS_TEST_TMPDIR/tty.out" 2> "$BATS_TEST_TMPDIR/tty.err" 3>&- &
  RECV_PID=$!
  wait_for test -S "$SOCK"
}

@test "CVE-2025-52565: /dev/console as a symlink in the rootfs is not mounted over" {
  require_root
  atk_bundle true
  # /dev from the rootfs itself (no tmpfs), with /dev/console a symlink to a
  # /proc file: binding the pty there would hide or expose a kernel knob.
  config_edit '.mounts |= map(select(.destination != "/dev" and .destination != "/dev/pts" and .destination != "/dev/shm" and .destination != "/dev/mqueue"))
    | .mounts += [{destination: "/dev/pts", type: "devpts", source: "devpts", options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]}]
    | .process.terminal = true'
  mkdir -p "$BUNDLE/rootfs/dev"
  ln -sf /proc/sys/kernel/core_pattern "$BUNDLE/rootfs/dev/console"
  start_receiver
  rt_io c1 create --bundle "$BUNDLE" --console-socket "$SOCK" c1
  echo "$output"
  [ "$status" -ne 0 ]
  [[ "$output" == *"/dev/console is neither a file nor a device: not mounting over it (CVE-2025-52565)"* ]]
  # The host's core_pattern is untouched (the container's is its own /proc).
  [ "$(readlink "$BUNDLE/rootfs/dev/console")" = /proc/sys/kernel/core_pattern ]
  assert_nothing_left c1
}
