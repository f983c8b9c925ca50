#!/usr/bin/env bats
# What the container may do, seen from inside (/proc/self/status: CapInh,
# CapPrm, CapEff, CapBnd, CapAmb, NoNewPrivs, Seccomp, Seccomp_filters) and
# from the host (/proc/PID/status), for several configs: process.capabilities,
# process.noNewPrivileges, linux.seccomp (every action, errnos, the engines'
# default profiles, notify with a listener that answers), and the LSM labels.

load helpers

LISTENER=${LISTENER:-$TOP/build/tests/seccomp-listener}
FIXTURES=$TOP/tests/fixtures/seccomp

setup() { lt_setup; }
teardown() {
  [ -n "${AGENT_PID:-}" ] && kill "$AGENT_PID" 2>/dev/null
  lt_teardown
}

# sec_bundle SCRIPT: a bundle running `sh -c 'SCRIPT; echo END; exec sleep
# 1000'`, without a network namespace (not needed here).
sec_bundle() {
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

STATUS_SCRIPT='grep -E "^(Cap|NoNewPrivs|Seccomp)" /proc/self/status | tr -d "\t" | tr : ='

# The hex mask of capability numbers.
mask() {
  local m=0 c
  for c in "$@"; do m=$((m | (1 << c))); done
  printf '%016x' "$m"
}

@test "capabilities: a non-root user gets each set as configured" {
  require_root
  sec_bundle "$STATUS_SCRIPT"
  # CAP_CHOWN 0, CAP_KILL 5, CAP_NET_BIND_SERVICE 10, CAP_NET_RAW 13
  config_edit '.process.user = {uid: 1000, gid: 1000}
    | .process.capabilities = {
        bounding: ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW"],
        effective: ["CAP_KILL", "CAP_NET_RAW"],
        permitted: ["CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW"],
        inheritable: ["CAP_NET_RAW"],
        ambient: ["CAP_NET_RAW"]}'
  create_start c1
  # After the exec of a program without file capabilities, a non-root
  # process keeps its ambient set as permitted and effective (capabilities(7)).
  [ "$(out_value c1 CapBnd)" = "$(mask 0 5 10 13)" ]
  [ "$(out_value c1 CapInh)" = "$(mask 13)" ]
  [ "$(out_value c1 CapAmb)" = "$(mask 13)" ]
  [ "$(out_value c1 CapPrm)" = "$(mask 13)" ]
  [ "$(out_value c1 CapEff)" = "$(mask 13)" ]
  # The same from the host.
  [ "$(pid_status "$PID" CapAmb)" = "$(mask 13)" ]
  [ "$(pid_status "$PID" CapBnd)" = "$(mask 0 5 10 13)" ]
  kill_and_delete c1
  assert_nothing_left c1
}

@test "capabilities: root with Docker's default set and seccomp profile" {
  require_root
  sec_bundle "$STATUS_SCRIPT; unshare -U true; echo unshare=\$?; ls /proc/self/ns >/dev/null; echo ls=\$?"
  config_edit --slurpfile f "$FIXTURES/docker-default.json" \
    '.process.capabilities = $f[0].process.capabilities | .linux.seccomp = $f[0].linux.seccomp'
  create_start c1
  # CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP
  # NET_BIND_SERVICE NET_RAW SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP
  local docker
  docker=$(mask 0 1 3 4 5 6 7 8 10 13 18 27 29 31)
  for set in CapBnd CapPrm CapEff; do [ "$(out_value c1 $set)" = "$docker" ]; done
  [ "$(out_value c1 CapInh)" = 0000000000000000 ]
  [ "$(out_value c1 CapAmb)" = 0000000000000000 ]
  [ "$(out_value c1 Seccomp)" = 2 ]
  [ "$(out_value c1 Seccomp_filters)" = 1 ]
  # Docker's profile allows unshare only with CAP_SYS_ADMIN; the rest works.
  [ "$(out_value c1 unshare)" = 1 ]
  [ "$(out_value c1 ls)" = 0 ]
  [ "$(pid_status "$PID" Seccomp)" = 2 ]
  kill_and_delete c1
  assert_nothing_left c1
}

@test "capabilities: one the host's bounding set lacks is dropped with a warning" {
  require_root
  local bnd
  bnd=$(pid_status $$ CapBnd)
  # CAP_SYS_RESOURCE is 24.
  if (( (16#$bnd >> 24) & 1 )); then skip "this host has CAP_SYS_RESOURCE in its bounding set"; fi
  sec_bundle "$STATUS_SCRIPT"
  config_edit '.process.capabilities = {bounding: ["CAP_KILL", "CAP_SYS_RESOURCE"],
    effective: ["CAP_KILL", "CAP_SYS_RESOURCE"], permitted: ["CAP_KILL", "CAP_SYS_RESOURCE"]}'
  create_start c1
  [[ "$output" == *"process.capabilities: not in this host's bounding set, dropped: CAP_SYS_RESOURCE"* ]]
  [ "$(out_value c1 CapBnd)" = "$(mask 5)" ]
  [ "$(out_value c1 CapEff)" = "$(mask 5)" ]
  kill_and_delete c1
  assert_nothing_left c1
}

@test "capabilities: an unknown name is refused and nothing is made" {
  require_root
  sec_bundle true
  config_edit '.process.capabilities.bounding += ["CAP_NO_SUCH_THING"]'
  rt_create c1
  echo "$output"
  [ "$status" -ne 0 ]
  [[ "$output" == *"process.capabilities.bounding"*"CAP_NO_SUCH_THING"* ]]
  assert_nothing_left c1
}

@test "noNewPrivileges: set and not set, with a seccomp filter either way" {
  require_root
  for nnp in true false; do
    sec_bundle "$STATUS_SCRIPT"
    # A non-root user without CAP_SYS_ADMIN: without no_new_privs the
    # filter must load before the user switch, with it just before exec.
    config_edit --argjson nnp $nnp '.process.noNewPrivileges = $nnp | .process.user = {uid: 1000, gid: 1000}
      | .linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["sync"], action: "SCMP_ACT_ERRNO"}]}'
    create_start "c-$nnp"
    [ "$(out_value "c-$nnp" NoNewPrivs)" = "$([ $nnp = true ] && echo 1 || echo 0)" ]
    [ "$(out_value "c-$nnp" Seccomp)" = 2 ]
    [ "$(pid_status "$PID" NoNewPrivs)" = "$([ $nnp = true ] && echo 1 || echo 0)" ]
    kill_and_delete "c-$nnp"
  done
  assert_nothing_left c-true c-false
}

@test "seccomp: every action, errnoRet and defaultErrnoRet" {
  require_root
  sec_bundle 'sync; echo kill_process=$?; rmdir /tmp; echo kill_thread=$?; hostname x; echo kill=$?
    ln -s a /tmp/b; echo trap=$?; ln /bin/sh /tmp/c 2>/shared/ln.err; echo errno=$?
    chroot / true 2>/shared/chroot.err; echo trace=$?; uname >/dev/null; echo log=$?
    mkdir /shared/d; echo allow=$?; touch /shared/f 2>/shared/touch.err; echo default=$?'
  config_edit '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", syscalls: [
      {names: ["sync"], action: "SCMP_ACT_KILL_PROCESS"},
      {names: ["rmdir"], action: "SCMP_ACT_KILL_THREAD"},
      {names: ["sethostname"], action: "SCMP_ACT_KILL"},
      {names: ["symlink", "symlinkat"], action: "SCMP_ACT_TRAP"},
      {names: ["link", "linkat"], action: "SCMP_ACT_ERRNO", errnoRet: 18},
      {names: ["chroot"], action: "SCMP_ACT_TRACE"},
      {names: ["uname"], action: "SCMP_ACT_LOG"}]}'
  create_start c1
  # SIGSYS (31) ends the process: status 128 + 31.
  [ "$(out_value c1 kill_process)" = 159 ]
  [ "$(out_value c1 kill_thread)" = 159 ]
  [ "$(out_value c1 kill)" = 159 ]
  [ "$(out_value c1 trap)" = 159 ]
  [ "$(out_value c1 errno)" = 1 ]
  grep -q "Invalid cross-device link" "$SHARED/ln.err"
  # SCMP_ACT_TRACE without a tracer: the syscall fails with ENOSYS.
  [ "$(out_value c1 trace)" != 0 ]
  grep -q "Function not implemented" "$SHARED/chroot.err"
  [ "$(out_value c1 log)" = 0 ]
  [ "$(out_value c1 allow)" = 0 ]
  [ -d "$SHARED/d" ]
  [ "$(out_value c1 default)" = 0 ]
  kill_and_delete c1

  # A denying default with its errno, and the allowed calls working.
  rm -rf "$SHARED"/*
  sec_bundle 'echo hello; mkdir /shared/d 2>/shared/mkdir.err; echo mkdir=$?'
  config_edit --slurpfile f "$FIXTURES/docker-default.json" '.linux.seccomp = $f[0].linux.seccomp
    | .linux.seccomp.defaultErrnoRet = 38
    | .linux.seccomp.syscalls |= map(.names -= ["mkdir", "mkdirat"])'
  create_start c2
  grep -qx hello "$BATS_TEST_TMPDIR/c2.out"
  [ "$(out_value c2 mkdir)" = 1 ]
  grep -q "Function not implemented" "$SHARED/mkdir.err"
  [ ! -e "$SHARED/d" ]
  kill_and_delete c2
  assert_nothing_left c1 c2
}

@test "seccomp: flags load, unknown syscall names are skipped with a debug line" {
  require_root
  sec_bundle "$STATUS_SCRIPT"
  config_edit '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
    flags: ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_TSYNC"],
    syscalls: [{names: ["sync", "no_such_syscall_in_any_kernel"], action: "SCMP_ACT_ERRNO"}]}'
  rt_io c1 --debug create --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/c1.pid" c1
  [ "$status" -eq 0 ]
  PID=$(cat "$BATS_TEST_TMPDIR/c1.pid"); track_pid "$PID"
  [[ "$output" == *"syscall \`no_such_syscall_in_any_kernel\` unknown to libseccomp"*"skipped"* ]]
  rt start c1
  wait_output c1
  [ "$(out_value c1 Seccomp)" = 2 ]
  kill_and_delete c1
  assert_nothing_left c1
}

@test "seccomp: Podman's profile from /usr/share/containers/seccomp.json loads and behaves" {
  require_root
  [ -f /usr/share/containers/seccomp.json ] || skip "no /usr/share/containers/seccomp.json on this host"
  python3 "$FIXTURES/make_fixture.py" --engine podman /usr/share/containers/seccomp.json "$BATS_TEST_TMPDIR/podman.json"
  sec_bundle "$STATUS_SCRIPT; echo hi >/shared/f; echo write=\$?; keyctl 2>/dev/null; swapoff /bin/busybox 2>/shared/swapoff.err; echo swapoff=\$?"
  config_edit --slurpfile f "$BATS_TEST_TMPDIR/podman.json" \
    '.process.capabilities = $f[0].process.capabilities | .linux.seccomp = $f[0].linux.seccomp'
  create_start c1
  [ "$(out_value c1 Seccomp)" = 2 ]
  [ "$(out_value c1 write)" = 0 ]
  # swapoff is not in the profile: the default errno (EPERM).
  [ "$(out_value c1 swapoff)" != 0 ]
  grep -q "Operation not permitted" "$SHARED/swapoff.err"
  kill_and_delete c1
  assert_nothing_left c1
}

# start_agent: the seccomp agent on $BATS_TEST_TMPDIR/agent.sock, writing
# the process state it receives to $BATS_TEST_TMPDIR/agent.json.
start_agent() {
  AGENT_SOCK=$BATS_TEST_TMPDIR/agent.sock
  "$LISTENER" "$AGENT_SOCK" "$BATS_TEST_TMPDIR/agent.json" </dev/null >/dev/null 2>"$BATS_TEST_TMPDIR/agent.err" 3>&- &
  AGENT_PID=$!
  wait_for test -S "$AGENT_SOCK"
}

notify_config() {
  config_edit --arg sock "$AGENT_SOCK" --argjson nnp "$1" '.process.noNewPrivileges = $nnp
    | .linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", listenerPath: $sock, listenerMetadata: "meta-123",
        flags: ["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"],
        syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_NOTIFY"}]}'
}

@test "seccomp notify: the listener gets the fd and the state, and answers the container's syscall" {
  require_root
  for nnp in true false; do
    rm -f "$BATS_TEST_TMPDIR"/agent.*
    start_agent
    sec_bundle 'mkdir /shared/d 2>/shared/mkdir.err; echo mkdir=$?'
    notify_config $nnp
    create_start "c-$nnp"
    # The agent answered EXDEV; the directory was never made.
    [ "$(out_value "c-$nnp" mkdir)" = 1 ]
    grep -q "Invalid cross-device link" "$SHARED/mkdir.err"
    [ ! -e "$SHARED/d" ]
    grep -qE '^(83|258)$' "$BATS_TEST_TMPDIR/agent.json.calls"   # mkdir or mkdirat
    # The container process state of config-linux.md.
    local st=$BATS_TEST_TMPDIR/agent.json
    cat "$st"
    [ "$(jq -c .fds "$st")" = '["seccompFd"]' ]
    [ "$(cat "$st.fds")" = 1 ]
    [ "$(jq -r .metadata "$st")" = meta-123 ]
    [ "$(jq -r .pid "$st")" = "$PID" ]
    [ "$(jq -r .state.pid "$st")" = "$PID" ]
    [ "$(jq -r .state.id "$st")" = "c-$nnp" ]
    [ "$(jq -r .state.bundle "$st")" = "$BUNDLE" ]
    # Without no_new_privs the filter loads during create, with it at start.
    [ "$(jq -r .state.status "$st")" = "$([ $nnp = true ] && echo created || echo creating)" ]
    [ -n "$(jq -r .ociVersion "$st")" ]
    kill_and_delete "c-$nnp"
    wait "$AGENT_PID" || true
    AGENT_PID=
  done
  assert_nothing_left c-true c-false
}

@test "seccomp notify: no listener at listenerPath fails the container, nothing left" {
  require_root
  for nnp in true false; do
    AGENT_SOCK=$BATS_TEST_TMPDIR/nobody.sock
    sec_bundle 'echo should-not-run'
    notify_config $nnp
    rt_create "c-$nnp"
    if [ "$status" -eq 0 ]; then
      track_pid "$PID"
      # With no_new_privs, the filter loads at start: start fails.
      run rt start "c-$nnp"
      echo "$output"
      [ "$status" -ne 0 ]
      rt delete --force "c-$nnp"
    fi
    echo "$output"
    [[ "$output" == *"linux.seccomp.listenerPath"*"nobody.sock"* ]]
    ! grep -q should-not-run "$BATS_TEST_TMPDIR/c-$nnp.out"
  done
  assert_nothing_left c-true c-false
}

@test "LSM: an AppArmor profile or SELinux label on a host without that LSM is an error" {
  require_root
  sec_bundle true
  if [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ]; then
    skip "AppArmor is enabled here; the error path needs a host without it"
  fi
  config_edit '.process.apparmorProfile = "docker-default"'
  rt_create c1
  echo "$output"
  [ "$status" -ne 0 ]
  [[ "$output" == *"process.apparmorProfile: \`docker-default\` asked for, but AppArmor is not enabled on this host"* ]]
  assert_nothing_left c1
  if [ "$(stat -f -c %T /sys/fs/selinux 2>/dev/null)" = selinuxfs ]; then
    skip "SELinux is enabled here; the error path needs a host without it"
  fi
  config_edit 'del(.process.apparmorProfile) | .process.selinuxLabel = "system_u:system_r:container_t:s0"'
  rt_create c2
  echo "$output"
  [ "$status" -ne 0 ]
  [[ "$output" == *"process.selinuxLabel: \`system_u:system_r:container_t:s0\` asked for, but SELinux is not enabled on this host"* ]]
  assert_nothing_left c2
}

@test "LSM: a label is written to the exec attribute when the LSM is enabled" {
  require_root
  local field label
  if [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ]; then
    field=apparmorProfile; label=$(sed 's/ (.*//' /proc/self/attr/apparmor/current)
  elif [ "$(stat -f -c %T /sys/fs/selinux 2>/dev/null)" = selinuxfs ]; then
    field=selinuxLabel; label=$(tr -d '\0' < /proc/self/attr/current)
  else
    skip "neither AppArmor nor SELinux is enabled on this host: the label cannot be observed here"
  fi
  # Our own label: one the policy surely lets us take.
  sec_bundle 'echo "label=$(cat /proc/self/attr/current | tr -d "\0")"'
  config_edit --arg f "$field" --arg l "$label" '.process[$f] = $l'
  create_start c1
  [[ "$(out_value c1 label)" == "$label"* ]]
  kill_and_delete c1
  assert_nothing_left c1
}
