# containerd 1.6 through ctr and the runc shim v2, with the runtime under
# test given as --runc-binary (the wrapper). Sourced by run.sh.
# shellcheck shell=bash

CD=$T/containerd
ctr_() { timeout 120 ctr -a "$CD/containerd.sock" "$@"; }
# ctr_run [ctr run flags...] -- ID CMD...: every container is in the suite's
# own cgroup parent, runs the wrapper and uses the imported image.
ctr_run() {
  local flags=()
  while [ "$1" != -- ]; do flags+=("$1"); shift; done
  shift
  local id=$1
  shift
  ctr_ run --runc-binary "$CD_WRAP" --runc-root "$CD/runc" --fifo-dir "$CD/fifo" --cgroup "/$CG_PARENT/$id" "${flags[@]}" "$IMAGE" "$id" "$@"
}

containerd_start() {
  containerd_setup || return 1
  CD_WRAP=$(make_wrapper "$CD/bin" "$CD/argv.log")
}

# containerd_setup: the daemon, its config and state in $CD, and the image
# imported; shared with bench/clients.sh (ctr picks the runtime per run).
containerd_setup() {
  mkdir -p "$CD"
  [ -e /run/containerd ] && CD_HAD_RUN=1 || CD_HAD_RUN=0
  cat >"$CD/config.toml" <<EOF
version = 2
root = "$CD/root"
state = "$CD/state"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]
[grpc]
  address = "$CD/containerd.sock"
[ttrpc]
  address = "$CD/containerd.sock.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$CD/opt"
EOF
  containerd --config "$CD/config.toml" >"$CD/daemon.log" 2>&1 &
  CD_PID=$!
  local i
  for i in $(seq 300); do
    ctr -a "$CD/containerd.sock" version >/dev/null 2>&1 && break
    kill -0 "$CD_PID" 2>/dev/null || break
    sleep 0.1
  done
  ctr -a "$CD/containerd.sock" version >/dev/null 2>&1 || {
    echo "containerd did not start:"
    tail -n 20 "$CD/daemon.log"
    return 1
  }
  ctr_ images import "$IMG/busybox.tar" >"$CD/import.log" 2>&1 || {
    cat "$CD/import.log"
    return 1
  }
}

containerd_stop() {
  [ -n "${CD_PID:-}" ] || return 0
  local c
  # containers the checks left (a failed check): their tasks, then them
  for c in $(ctr -a "$CD/containerd.sock" task ls -q 2>/dev/null); do
    ctr -a "$CD/containerd.sock" task kill -s SIGKILL "$c" >/dev/null 2>&1
    ctr -a "$CD/containerd.sock" task rm -f "$c" >/dev/null 2>&1
  done
  for c in $(ctr -a "$CD/containerd.sock" containers ls -q 2>/dev/null); do
    ctr -a "$CD/containerd.sock" containers rm "$c" >/dev/null 2>&1
  done
  ctr -a "$CD/containerd.sock" images rm "$IMAGE" >/dev/null 2>&1
  kill -TERM "$CD_PID" 2>/dev/null
  wait_pid_gone "$CD_PID"
  wait "$CD_PID" 2>/dev/null
  CD_PID=
  tidy_run_containerd "$CD_HAD_RUN"
}

cd_echo() {
  local out
  out=$(ctr_run --rm -- cd-echo echo hi) || fail "ctr run exited $?: $out"
  [ "$out" = hi ] || fail "expected 'hi', got '$out'"
}

cd_exit_code() {
  local rc=0
  ctr_run --rm -- cd-exit sh -c 'exit 42' || rc=$?
  [ $rc -eq 42 ] || fail "expected exit 42, got $rc"
}

cd_detached() {
  local id=cd-detached out rc=0
  # sleep as pid 1 without a handler: SIGTERM is ignored, SIGKILL is needed
  ctr_run -d -- $id sleep "$MARK" || fail "detached run failed"
  out=$(ctr_ task ls | awk -v id=$id '$1 == id {print $3}')
  [ "$out" = RUNNING ] || fail "task status '$out', expected RUNNING"
}

cd_exec() {
  local id=cd-detached out
  out=$(ctr_ task exec --fifo-dir "$CD/fifo" --exec-id e1 $id sh -c 'echo exec-ok $$; cat /proc/1/cmdline | tr "\0" " "') ||
    fail "exec failed: $out"
  expect_in "$out" "exec-ok" "sleep $MARK" || return 1
}

cd_exec_tty() {
  local id=cd-detached out
  # exec with a tty: ctr wants a terminal on its stdin; script gives one
  out=$(script -qec "ctr -a $CD/containerd.sock task exec --fifo-dir $CD/fifo -t --exec-id e2 $id tty" /dev/null) ||
    fail "exec -t failed: $out"
  expect_in "$out" "/dev/pts/" || return 1
}

cd_stop_rm() {
  local id=cd-detached out
  # stop: SIGTERM (ignored by a pid 1 without a handler), then SIGKILL
  ctr_ task kill -s SIGTERM $id || fail "kill SIGTERM failed"
  out=$(ctr_ task ls | awk -v id=$id '$1 == id {print $3}')
  [ "$out" = RUNNING ] || fail "after SIGTERM the task is '$out': sleep as pid 1 should ignore it"
  ctr_ task kill -s SIGKILL $id || fail "kill SIGKILL failed"
  out=$(ctr_ task wait $id 2>&1) || true
  ctr_ task rm $id || fail "task rm failed"
  ctr_ containers rm $id || fail "container rm failed"
  out=$(ctr_ containers ls -q)
  [[ "$out" != *$id* ]] || fail "container still listed"
  grep -qE "	kill	.*$id	15\$" "$CD/argv.log" || fail "no 'kill ID 15' recorded"
  grep -qE "	kill	.*$id	9\$" "$CD/argv.log" || fail "no 'kill ID 9' recorded"
}

cd_tty() {
  local out rc=0
  out=$(printf 'echo tty-$((40+2))\ntty\nexit 7\n' |
    script -qec "ctr -a $CD/containerd.sock run -t --rm --runc-binary $CD_WRAP --runc-root $CD/runc --fifo-dir $CD/fifo --cgroup /$CG_PARENT/cd-tty $IMAGE cd-tty sh" /dev/null) || rc=$?
  expect_in "$out" "tty-42" "/dev/pts/" || return 1
  [ $rc -eq 7 ] || fail "expected exit 7 through the pty, got $rc"
}

cd_memory() {
  local rc=0 out
  out=$(ctr_run --rm --memory-limit $((32 << 20)) -- cd-oom sh -c 'a=$(head -c 200000000 /dev/zero | tr "\0" x); echo survived' 2>&1) || rc=$?
  [ $rc -eq 137 ] || fail "expected 137 (OOM kill), got $rc: $out"
}

cd_pids() {
  # ctr has no pids flag: the spec ctr would make, with linux.resources.pids
  local spec=$CD/pids-spec.json rc=0 out
  ctr_ oci spec >"$spec.in" || fail "ctr oci spec failed"
  jq --arg root "$IMG/rootfs" --arg cg "/$CG_PARENT/cd-pids" \
    '.root = {path: $root, readonly: true} | .linux.cgroupsPath = $cg |
     .linux.resources.pids = {limit: 8} | .process.env = ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"] |
     .process.args = ["sh", "-c", "for i in 1 2 3 4 5 6 7 8 9 10 11 12; do sleep 30 & done; echo forked"]' \
    "$spec.in" >"$spec"
  out=$(ctr_ run --runc-binary "$CD_WRAP" --runc-root "$CD/runc" --fifo-dir "$CD/fifo" --rm --config "$spec" cd-pids 2>&1) || rc=$?
  expect_in "$out" "can't fork" || return 1
}

cd_missing_cmd() {
  local rc=0 out
  out=$(ctr_run --rm -- cd-missing /nonexistent-cmd 2>&1) || rc=$?
  [ $rc -ne 0 ] || fail "ctr run of a missing command succeeded"
  echo "ctr said: $out"
  # the runtime's own message, carried by the shim from --log (json)
  [[ "$out" == *"no such file or directory"* || "$out" == *"executable file not found"* ]] ||
    fail "the runtime's message is not in ctr's error"
  expect_in "$out" "/nonexistent-cmd" || return 1
  ctr_ containers rm cd-missing >/dev/null 2>&1
  return 0
}

cd_runtime_error() {
  # a cwd that is a file: only the runtime finds out, when it chdirs
  local rc=0 out
  out=$(ctr_run --rm --cwd /bin/busybox -- cd-cwd true 2>&1) || rc=$?
  ctr_ containers rm cd-cwd >/dev/null 2>&1
  [ $rc -ne 0 ] || fail "ctr run with a file as cwd succeeded"
  echo "ctr said: $out"
  expect_in "$out" "not a directory" || return 1
  grep -E $'\t--log-format(=|\t)json\t(.*\t)?create\t' "$CD/argv.log" >/dev/null ||
    fail "containerd did not call create with --log-format json"
}

containerd_checks() {
  check "containerd: run --rm echo hi prints hi" cd_echo
  check "containerd: a non-zero exit code propagates" cd_exit_code
  check "containerd: detached run" cd_detached
  check "containerd: exec into the running container" cd_exec
  check "containerd: exec with a tty" cd_exec_tty
  check "containerd: stop (SIGTERM ignored, SIGKILL after the timeout), remove" cd_stop_rm
  check "containerd: interactive run with a pty" cd_tty
  check "containerd: a memory limit OOM-kills (137)" cd_memory
  check "containerd: a pids limit stops a fork" cd_pids
  check "containerd: a missing command shows the runtime's message" cd_missing_cmd
  check "containerd: a runtime failure reaches the user (--log-format json)" cd_runtime_error
}
CONTAINERD_CHECKS=(echo exit-code detached exec exec-tty stop-rm tty memory pids missing-cmd runtime-error contract nothing-left)
