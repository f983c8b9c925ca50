#!/usr/bin/env bats
# exec (runtime.md "exec", runc's command line): a new process in a running
# container, in its namespaces and cgroups, under the init's confinement;
# then the attacks that aim at a runtime process joining a container
# (CVE-2024-21626, CVE-2016-9962, CVE-2019-5736), and ps.

load helpers

RECVTTY=${RECVTTY:-$TOP/build/tests/recvtty}
PTRACE_PROBE=${PTRACE_PROBE:-$TOP/build/tests/ptrace-attach}

setup() { lt_setup; }
teardown() {
  [ -n "${RECV_PID:-}" ] && kill "$RECV_PID" 2>/dev/null
  lt_teardown
}

# exec_bundle: a container whose init waits; seccomp refuses mknod with
# EPERM, so that the filter shows in /proc/PID/status; capabilities as the
# default spec's; noNewPrivileges.
exec_bundle() {
  lt_bundle sh -c 'echo END; exec sleep 1000'
  ns_remove network
  config_edit '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["mknod", "mknodat"], action: "SCMP_ACT_ERRNO"}]}
    | .process.noNewPrivileges = true'
}

create_start() {
  rt_create "$1"
  echo "$output"
  [ "$status" -eq 0 ]
  rt start "$1"
  wait_output "$1"
}

# An error's status: 1, as the CLI contract says (runc's exec gives 255,
# which is accepted when the suite checks itself against runc).
failed_status() {
  [ "$status" -eq 1 ] || { [[ "$OCIRUN" == */runc ]] && [ "$status" -eq 255 ]; }
}

# ex ARG...: `rt exec ARG...` with stdin /dev/null and no
# fd 3; sets status and output (stdout then stderr).
ex() {
  status=0
  rt exec "$@" </dev/null >"$BATS_TEST_TMPDIR/ex.out" 2>"$BATS_TEST_TMPDIR/ex.err" 3>&- || status=$?
  output=$(cat "$BATS_TEST_TMPDIR/ex.out" "$BATS_TEST_TMPDIR/ex.err")
  echo "exec $*: status $status: $output"
}

@test "exec: the process is in every namespace and cgroup of the init, with its confinement" {
  require_root
  exec_bundle
  create_start c1
  ex c1 sh -c 'for n in cgroup ipc mnt net pid time uts user; do
      [ "$(readlink /proc/self/ns/$n)" = "$(readlink /proc/1/ns/$n)" ] || echo "ns $n differs"; done
    [ "$(cat /proc/self/cgroup)" = "$(cat /proc/1/cgroup)" ] || echo "cgroup differs"
    mine=$(grep -E "^(Cap|NoNewPrivs|Seccomp)" /proc/self/status)
    init=$(grep -E "^(Cap|NoNewPrivs|Seccomp)" /proc/1/status)
    [ "$mine" = "$init" ] || { echo status differs; echo "$mine"; echo "$init"; }
    grep -q "^Seccomp:.*2" /proc/self/status && echo filtered
    echo pid=$$'
  [ "$status" -eq 0 ]
  [[ "$output" != *differs* ]]
  [[ "$output" == *filtered* ]]
  # In the container's pid namespace: not the host's pid of it.
  [ "$(sed -n 's/^pid=//p' "$BATS_TEST_TMPDIR/ex.out")" -lt 100 ]
  kill_and_delete c1
  assert_nothing_left c1
}

@test "exec --detach --pid-file: the pid file names the process, in the init's host cgroups; ps lists both" {
  require_root
  exec_bundle
  create_start c1
  ex --detach --pid-file "$BATS_TEST_TMPDIR/e.pid" c1 sleep 1000
  [ "$status" -eq 0 ]
  local epid
  epid=$(cat "$BATS_TEST_TMPDIR/e.pid")
  track_pid "$epid"
  [ "$(cat /proc/$epid/cgroup)" = "$(cat /proc/$PID/cgroup)" ]
  for n in mnt pid ipc uts cgroup user; do
    [ "$(readlink /proc/$epid/ns/$n)" = "$(readlink /proc/$PID/ns/$n)" ]
  done
  [ "$(pid_status "$epid" NoNewPrivs)" = 1 ]
  [ "$(pid_status "$epid" CapBnd)" = "$(pid_status "$PID" CapBnd)" ]
  run rt ps --format json c1
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$(jq -c 'sort' <<<"$output")" = "$(jq -cn --argjson a "$PID" --argjson b "$epid" '[$a, $b] | sort')" ]
  run rt ps c1 -o pid,comm
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$(head -n1 <<<"$output" | tr -s ' ' | sed 's/^ //')" = "PID COMMAND" ]
  [ "$(grep -c sleep <<<"$output")" -eq 2 ]
  kill_and_delete c1
  assert_nothing_left c1
}

@test "exec: exit status, 128+N for a signal, and signals forwarded" {
  require_root
  exec_bundle
  create_start c1
  ex c1 sh -c 'exit 7'
  [ "$status" -eq 7 ]
  ex c1 sh -c 'kill -9 $$'
  [ "$status" -eq 137 ]
  # A signal sent to exec reaches the process.
  LT_MARK=$MARK "$OCIRUN" --root "$ROOT" exec c1 sh -c 'trap "echo got-term; exit 5" TERM; echo ready; while :; do sleep 0.05; done' \
    </dev/null >"$BATS_TEST_TMPDIR/sig.out" 2>&1 3>&- &
  local xpid=$!
  wait_for grep -q ready "$BATS_TEST_TMPDIR/sig.out"
  kill -TERM "$xpid"
  status=0
  wait "$xpid" || status=$?
  cat "$BATS_TEST_TMPDIR/sig.out"
  [ "$status" -eq 5 ]
  grep -q got-term "$BATS_TEST_TMPDIR/sig.out"
  kill_and_delete c1
  assert_nothing_left c1
}

@test "exec: --env, --cwd, --user, --additional-gids, --cap" {
  require_root
  exec_bundle
  create_start c1
  ex -e FOO=bar -e LT_X=1 --cwd /tmp -u 1000:1001 -g 5 c1 sh -c 'echo "foo=$FOO x=$LT_X cwd=$(pwd) uid=$(id -u) gid=$(id -g) groups=$(id -G)"'
  [ "$status" -eq 0 ]
  [[ "$output" == *"foo=bar x=1 cwd=/tmp uid=1000 gid=1001 groups=1001 5"* ]]
  # The container's env is the base: PATH is there.
  ex c1 sh -c 'echo "path=$PATH"'
  [[ "$output" == *"path=/usr/local/sbin:"* ]]
  # --cap adds to the bounding, effective and permitted sets.
  ex --cap CAP_SYS_ADMIN c1 sh -c 'grep CapEff /proc/self/status'
  local eff
  eff=$(sed -n 's/^CapEff:\s*//p' "$BATS_TEST_TMPDIR/ex.out")
  [ $(( 0x$eff & (1 << 21) )) -ne 0 ]
  ex c1 sh -c 'grep CapEff /proc/self/status'
  eff=$(sed -n 's/^CapEff:\s*//p' "$BATS_TEST_TMPDIR/ex.out")
  [ $(( 0x$eff & (1 << 21) )) -eq 0 ]
  # ...never to the inheritable or ambient sets (CVE-2022-29162).
  ex --cap CAP_SYS_ADMIN c1 sh -c 'grep -E "^Cap(Inh|Amb)" /proc/self/status; grep -E "^Cap(Inh|Amb)" /proc/1/status'
  [ "$(head -n2 "$BATS_TEST_TMPDIR/ex.out")" = "$(tail -n2 "$BATS_TEST_TMPDIR/ex.out")" ]
  kill_and_delete c1
  assert_nothing_left c1
}

@test "exec: process.execCPUAffinity final is the process's affinity" {
  require_root
  exec_bundle
  create_start c1
  jq '.process | .args = ["sh", "-c", "grep Cpus_allowed_list /proc/self/status"] | .execCPUAffinity = {initial: "0", final: "0"}' \
    "$BUNDLE/config.json" > "$BATS_TEST_TMPDIR/p.json"
  ex --process "$BATS_TEST_TMPDIR/p.json" c1
  [ "$status" -eq 0 ]
  [[ "$output" == *"Cpus_allowed_list:"*"0" ]]
  kill_and_delete c1
  assert_nothing_left c1
}

@test "exec --process FILE; a bad process JSON names the field" {
  require_root
  exec_bundle
  create_start c1
  jq '.process | .args = ["sh", "-c", "echo from-file=$A; pwd"] | .env = ["A=1", "PATH=/bin"] | .cwd = "/dev"' \
    "$BUNDLE/config.json" > "$BATS_TEST_TMPDIR/p.json"
  ex --process "$BATS_TEST_TMPDIR/p.json" c1
  [ "$status" -eq 0 ]
  [[ "$output" == *"from-file=1"* ]]
  [[ "$output" == *"/dev"* ]]
  echo '{"args": ["true"], "cwd": "/", "user": {"uid": "x"}}' > "$BATS_TEST_TMPDIR/bad.json"
  ex --process "$BATS_TEST_TMPDIR/bad.json" c1
  [ "$status" -ne 0 ]
  [[ "$output" == *"user.uid"* ]]
  kill_and_delete c1
  assert_nothing_left c1
}

@test "exec -t: the pty goes to the console socket" {
  require_root
  exec_bundle
  create_start c1
  SOCK=$BATS_TEST_TMPDIR/console.sock
  "$RECVTTY" "$SOCK" > "$BATS_TEST_TMPDIR/tty.out" 2> "$BATS_TEST_TMPDIR/tty.err" &
  RECV_PID=$!
  wait_for test -S "$SOCK"
  ex -t --console-socket "$SOCK" --detach --pid-file "$BATS_TEST_TMPDIR/t.pid" c1 sh -c '[ -t 0 ] && [ -t 1 ] && echo "tty=$(tty)"'
  [ "$status" -eq 0 ]
  track_pid "$(cat "$BATS_TEST_TMPDIR/t.pid")"
  wait "$RECV_PID"
  RECV_PID=
  tr -d '\r' < "$BATS_TEST_TMPDIR/tty.out"
  grep -q '^tty=/dev/pts/' "$BATS_TEST_TMPDIR/tty.out"
  kill_and_delete c1
  assert_nothing_left c1
}

@test "exec -t without a console socket proxies the terminal; --tty --detach without one is refused" {
  require_root
  exec_bundle
  create_start c1
  status=0
  printf 'echo "got [$((6*7))]"\nexit 4\n' | rt exec -t c1 sh >"$BATS_TEST_TMPDIR/t.out" 2>&1 3>&- || status=$?
  cat "$BATS_TEST_TMPDIR/t.out"
  [ "$status" -eq 4 ]
  grep -q 'got \[42\]' "$BATS_TEST_TMPDIR/t.out"
  ex -t -d c1 sh
  failed_status
  [[ "$output" == *"needs --console-socket"* ]]
  kill_and_delete c1
  assert_nothing_left c1
}

@test "exec: a missing program, and a stopped container, fail with the contract's messages" {
  require_root
  exec_bundle
  create_start c1
  ex c1 no-such-program
  failed_status
  [[ "$output" == *"executable file not found in \$PATH"* ]]
  ex c1 /no/such/program
  failed_status
  [[ "$output" == *"no such file or directory"* || "$output" == *"No such file or directory"* ]]
  rt kill c1 KILL
  wait_state c1 stopped
  ex c1 true
  failed_status
  [[ "$output" == *"container not running"* || "$output" == *"cannot exec in a stopped container"* ]]
  rt delete c1
  ex c1 true
  failed_status
  [[ "$output" == *"does not exist"* || "$output" == *"not exist"* ]]
  assert_nothing_left c1
}

@test "exec into a paused (frozen) container is refused" {
  require_root
  exec_bundle
  create_start c1
  local d frozen=
  for d in $LT_CGDIRS; do
    if [ -f "$d/cgroup.freeze" ]; then echo 1 > "$d/cgroup.freeze"; frozen=$d/cgroup.freeze; break; fi
  done
  [ -n "$frozen" ] || skip "no cgroup v2 freezer for the container here"
  ex c1 true
  echo 0 > "$frozen"
  failed_status
  [[ "$output" == *"paused"* ]]
  kill_and_delete c1
  assert_nothing_left c1
}

@test "exec into a container with its own user namespace: same namespaces, mapped ids" {
  require_root
  lt_bundle sh -c 'echo END; exec sleep 1000'
  config_edit '.linux.namespaces += [{type: "user"}]
    | .linux.uidMappings = [{containerID: 0, hostID: 200000, size: 65536}]
    | .linux.gidMappings = [{containerID: 0, hostID: 200000, size: 65536}]'
  chown -R 200000:200000 "$BUNDLE/rootfs"
  local d=$BUNDLE
  while [ "$d" != "$(dirname "$BATS_RUN_TMPDIR")" ]; do
    chmod o+x "$d"
    d=$(dirname "$d")
  done
  create_start c1
  ex --detach --pid-file "$BATS_TEST_TMPDIR/e.pid" -u 1000 c1 sleep 1000
  [ "$status" -eq 0 ]
  local epid n
  epid=$(cat "$BATS_TEST_TMPDIR/e.pid")
  track_pid "$epid"
  for n in user mnt pid net ipc uts cgroup; do
    [ "$(readlink /proc/$epid/ns/$n)" = "$(readlink /proc/$PID/ns/$n)" ]
  done
  # uid 1000 in the container is 201000 on the host.
  [ "$(pid_status "$epid" Uid)" = "201000 201000 201000 201000" ]
  [ "$(cat /proc/$epid/cgroup)" = "$(cat /proc/$PID/cgroup)" ]
  kill_and_delete c1
  assert_nothing_left c1
}

# ---- the attacks, through exec ----

@test "CVE-2024-21626: exec --cwd through a leaked fd (/proc/self/fd/N) never leaves the root" {
  require_root
  exec_bundle
  create_start c1
  local n
  for n in 3 4 5 6 7 8 9 10 11 12; do
    status=0
    rt exec --cwd "/proc/self/fd/$n" c1 sh -c 'echo "escaped=$(ls -di .. )"' \
      </dev/null >"$BATS_TEST_TMPDIR/x.out" 2>"$BATS_TEST_TMPDIR/x.err" 3>&- 7</ 8</sys/fs/cgroup || status=$?
    echo "fd $n: status $status: $(cat "$BATS_TEST_TMPDIR/x.err")"
    [ "$status" -ne 0 ]
    ! grep -q escaped "$BATS_TEST_TMPDIR/x.out"
  done
  # A preserved host directory: entered, then refused by the check.
  status=0
  rt exec --preserve-fds 1 --cwd /proc/self/fd/3 c1 true </dev/null >/dev/null \
    2>"$BATS_TEST_TMPDIR/x.err" 3</sys/fs/cgroup || status=$?
  cat "$BATS_TEST_TMPDIR/x.err"
  [ "$status" -ne 0 ]
  # (runc says "outside of container mount namespace root")
  grep -qE "outside (the container's|of container mount namespace) root" "$BATS_TEST_TMPDIR/x.err"
  kill_and_delete c1
  assert_nothing_left c1
}

@test "CVE-2024-21626: no fd but stdio and the preserved ones reaches an exec'd program" {
  require_root
  exec_bundle
  create_start c1
  status=0
  rt exec --preserve-fds 1 c1 sh -c 'echo "fds=$(ls /proc/self/fd | tr "\n" " ")"' \
    </dev/null >"$BATS_TEST_TMPDIR/f.out" 2>&1 3</dev/null 4</ 7</ || status=$?
  cat "$BATS_TEST_TMPDIR/f.out"
  [ "$status" -eq 0 ]
  # 0 1 2, the preserved 3, and 4: the directory ls itself opened.
  [ "$(sed -n 's/^fds=//p' "$BATS_TEST_TMPDIR/f.out")" = "0 1 2 3 4 " ]
  kill_and_delete c1
  assert_nothing_left c1
}

runtime_hash() { sha256sum "$(readlink -f "$OCIRUN")" | cut -d' ' -f1; }

@test "CVE-2019-5736: exec never runs the runtime binary, by /proc/self/exe or a #! interpreter" {
  require_root
  local before
  before=$(runtime_hash)
  exec_bundle
  printf '#!/proc/self/exe\n' > "$BUNDLE/rootfs/bin/evil"
  chmod +x "$BUNDLE/rootfs/bin/evil"
  create_start c1
  local p
  for p in /proc/self/exe /bin/evil /proc/1/exe; do
    ex c1 "$p"
    [ "$status" -ne 0 ]
  done
  # The runtime, once the exec is done, cannot be opened for writing from
  # the container through the exec'd process's /proc/self/exe.
  ex c1 sh -c 'echo x >> /proc/self/exe; echo write=$?'
  [ "$(runtime_hash)" = "$before" ]
  kill_and_delete c1
  assert_nothing_left c1
}

@test "CVE-2016-9962: the container cannot read an exec'd process's environ or fds, nor ptrace it, before its execve" {
  require_root
  exec_bundle
  cp "$PTRACE_PROBE" "$BUNDLE/rootfs/bin/ptrace-attach"
  # A prober in the container watches for processes that are not yet the
  # exec'd program (their comm is still the runtime's) and tries them.
  config_edit '.process.args = ["sh", "-c", "echo END; while :; do for d in /proc/[0-9]*; do
      p=${d#/proc/}; [ \"$p\" = 1 ] && continue; c=$(cat $d/comm 2>/dev/null) || continue
      case $c in ocirun|runc*|exe) echo seen >> /shared/probe
        cat $d/environ >/dev/null 2>&1 && echo environ >> /shared/probe
        ls $d/fd >/dev/null 2>&1 && echo fds >> /shared/probe
        ptrace-attach $p >/dev/null 2>&1 && echo ptrace >> /shared/probe;; esac; done; done"]'
  config_edit '.process.noNewPrivileges = false | .process.capabilities.bounding += ["CAP_SYS_PTRACE"] | .process.capabilities.effective += ["CAP_SYS_PTRACE"] | .process.capabilities.permitted += ["CAP_SYS_PTRACE"]'
  create_start c1
  local i
  for i in $(seq 40); do ex c1 true >/dev/null; [ "$status" -eq 0 ]; done
  cat "$SHARED/probe" 2>/dev/null | sort | uniq -c || true
  ! grep -qE 'environ|fds|ptrace' "$SHARED/probe" 2>/dev/null
  kill_and_delete c1
  assert_nothing_left c1
  [ -s "$SHARED/probe" ] || skip "the prober never caught an exec'd process before its execve (a race it may lose)"
}
