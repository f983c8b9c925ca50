# Docker 20.10 (Debian's docker.io): dockerd with the runtime registered in
# its config (runtimes.ocirun.path = the wrapper), cgroupfs, no iptables, no
# bridge; its data, exec root, pidfile and socket in the suite's temp dir.
# dockerd starts its own containerd (shim runc v2). Sourced by run.sh.
# shellcheck shell=bash

DK=$T/docker
dk() { DOCKER_CONFIG=$DK/client timeout 120 /usr/bin/docker -H "unix://$DK/docker.sock" "$@"; }
dk_run() { dk run --runtime ocirun "$@"; }

docker_start() {
  DK_WRAP=$(make_wrapper "$DK/bin" "$DK/argv.log")
  docker_setup "\"ocirun\": { \"path\": \"$DK_WRAP\" }"
}

# docker_setup RUNTIMES: dockerd with RUNTIMES (the members of daemon.json's
# "runtimes") registered, its state in $DK, and the image loaded; shared
# with bench/clients.sh.
docker_setup() {
  mkdir -p "$DK"/{data,exec,client}
  [ -e /run/containerd ] && DK_HAD_RUN=1 || DK_HAD_RUN=0
  # dockerd always makes /run/docker/plugins (the plugin sockets' place)
  [ -e /run/docker ] && DK_HAD_RUNDOCKER=1 || DK_HAD_RUNDOCKER=0
  cat >"$DK/daemon.json" <<EOF
{
  "runtimes": { $1 },
  "exec-opts": ["native.cgroupdriver=cgroupfs"],
  "cgroup-parent": "/$CG_PARENT",
  "iptables": false,
  "ip6tables": false,
  "ip-forward": false,
  "ip-masq": false,
  "bridge": "none",
  "storage-driver": "overlay2",
  "log-driver": "json-file",
  "deprecated-key-path": "$DK/key.json"
}
EOF
  dockerd --config-file "$DK/daemon.json" --data-root "$DK/data" --exec-root "$DK/exec" \
    --pidfile "$DK/docker.pid" -H "unix://$DK/docker.sock" >"$DK/daemon.log" 2>&1 &
  DK_PID=$!
  local i
  for i in $(seq 600); do
    dk version >/dev/null 2>&1 && break
    kill -0 "$DK_PID" 2>/dev/null || break
    sleep 0.1
  done
  dk version >/dev/null 2>&1 || {
    echo "dockerd did not start:"
    tail -n 20 "$DK/daemon.log"
    return 1
  }
  dk load -i "$IMG/busybox.tar"
}

docker_stop() {
  [ -n "${DK_PID:-}" ] || return 0
  local ids
  ids=$(dk ps -aq 2>/dev/null)
  [ -z "$ids" ] || dk rm -f $ids >/dev/null 2>&1
  dk rmi -f "$IMAGE" >/dev/null 2>&1
  kill -TERM "$DK_PID" 2>/dev/null
  wait_pid_gone "$DK_PID"
  wait "$DK_PID" 2>/dev/null
  DK_PID=
  tidy_run_containerd "$DK_HAD_RUN"
  [ "$DK_HAD_RUNDOCKER" = 1 ] || rmdir /run/docker/plugins /run/docker 2>/dev/null
  return 0
}

dk_echo() {
  local out
  out=$(dk_run --rm "$IMAGE" echo hi) || fail "docker run exited $?: $out"
  [ "$out" = hi ] || fail "expected 'hi', got '$out'"
}

dk_exit_code() {
  local rc=0
  dk_run --rm "$IMAGE" sh -c 'exit 42' || rc=$?
  [ $rc -eq 42 ] || fail "expected exit 42, got $rc"
}

dk_detached() {
  local id=dk-detached out
  # sleep as pid 1 without a handler: SIGTERM is ignored, SIGKILL is needed
  dk_run -d --name $id "$IMAGE" sleep "$MARK" || fail "detached run failed"
  out=$(dk inspect --format '{{.State.Status}}' $id)
  [ "$out" = running ] || fail "status '$out', expected running"
}

dk_exec() {
  local id=dk-detached out
  out=$(dk exec $id sh -c 'echo exec-ok; cat /proc/1/cmdline | tr "\0" " "') || fail "exec failed: $out"
  expect_in "$out" "exec-ok" "sleep $MARK" || return 1
}

dk_exec_tty() {
  local id=dk-detached out
  out=$(script -qec "DOCKER_CONFIG=$DK/client /usr/bin/docker -H unix://$DK/docker.sock exec -t $id tty" /dev/null) ||
    fail "exec -t failed: $out"
  expect_in "$out" "/dev/pts/" || return 1
}

dk_stop_rm() {
  local id=dk-detached out
  # stop: SIGTERM, ignored; SIGKILL after the 2 s timeout
  dk stop --time 2 $id || fail "stop failed"
  out=$(dk inspect --format '{{.State.ExitCode}}' $id)
  [ "$out" = 137 ] || fail "exit code after stop '$out', expected 137 (SIGKILL)"
  dk rm $id || fail "rm failed"
  out=$(dk ps -a --format '{{.Names}}')
  [[ "$out" != *$id* ]] || fail "container still listed"
  grep -qE $'\tkill\t(.*\t)?[0-9a-f]{64}\t(15|TERM|SIGTERM)$' "$DK/argv.log" || fail "no 'kill ID 15' recorded"
  grep -qE $'\tkill\t(.*\t)?[0-9a-f]{64}\t(9|KILL|SIGKILL)$' "$DK/argv.log" || fail "no 'kill ID 9' recorded"
}

dk_tty() {
  local out rc=0
  out=$(printf 'echo tty-$((40+2))\ntty\nexit 7\n' |
    script -qec "DOCKER_CONFIG=$DK/client /usr/bin/docker -H unix://$DK/docker.sock run -it --rm --runtime ocirun $IMAGE sh" /dev/null) || rc=$?
  expect_in "$out" "tty-42" "/dev/pts/" || return 1
  [ $rc -eq 7 ] || fail "expected exit 7 through the pty, got $rc"
}

dk_memory() {
  local rc=0 out
  out=$(dk_run --rm --memory 32m "$IMAGE" sh -c 'a=$(head -c 200000000 /dev/zero | tr "\0" x); echo survived' 2>&1) || rc=$?
  [ $rc -eq 137 ] || fail "expected 137 (OOM kill), got $rc: $out"
}

dk_pids() {
  local rc=0 out
  out=$(dk_run --rm --pids-limit 8 "$IMAGE" sh -c 'for i in 1 2 3 4 5 6 7 8 9 10 11 12; do sleep 30 & done; echo forked' 2>&1) || rc=$?
  expect_in "$out" "can't fork" || return 1
}

dk_missing_cmd() {
  local rc=0 out
  out=$(dk_run --rm "$IMAGE" /nonexistent-cmd 2>&1) || rc=$?
  echo "docker said: $out"
  [ $rc -eq 127 ] || fail "expected exit 127, got $rc"
  expect_in "$out" "/nonexistent-cmd" || return 1
  [[ "$out" == *"no such file or directory"* || "$out" == *"executable file not found"* ]] ||
    fail "the runtime's message is not in docker's error"
}

dk_runtime_error() {
  # a file bind-mounted over a directory: only the runtime finds out
  local rc=0 out
  out=$(dk_run --rm --mount "type=bind,src=$IMG/rootfs/etc/passwd,dst=/tmp" "$IMAGE" true 2>&1) || rc=$?
  echo "docker said: $out"
  [ $rc -ne 0 ] || fail "docker run with a file over a directory succeeded"
  expect_in "$out" "OCI runtime create failed" "not a directory" || return 1
  grep -E $'\t--log-format(=|\t)json\t(.*\t)?create\t' "$DK/argv.log" >/dev/null ||
    fail "the shim did not call create with --log-format json"
}

docker_checks() {
  check "docker: run --rm echo hi prints hi" dk_echo
  check "docker: a non-zero exit code propagates" dk_exit_code
  check "docker: detached run" dk_detached
  check "docker: exec into the running container" dk_exec
  check "docker: exec with a tty" dk_exec_tty
  check "docker: stop (SIGTERM ignored, SIGKILL after the timeout), remove" dk_stop_rm
  check "docker: interactive run with a pty" dk_tty
  check "docker: a memory limit OOM-kills (137)" dk_memory
  check "docker: a pids limit stops a fork" dk_pids
  check "docker: a missing command exits 127 with the runtime's message" dk_missing_cmd
  check "docker: a runtime failure reaches the user (--log-format json)" dk_runtime_error
}
DOCKER_CHECKS=(echo exit-code detached exec exec-tty stop-rm tty memory pids missing-cmd runtime-error contract nothing-left)
