# Podman 4.3 with conmon, `podman --runtime WRAPPER`, cgroupfs, no systemd,
# the events file, its config and storage in the suite's temp dir (facts in
# ../shared/ENVIRONMENT.md). Podman has no daemon: every podman command reads
# the same config. Sourced by run.sh.
# shellcheck shell=bash

PM=$T/podman
pm() {
  CONTAINERS_CONF=$PM/containers.conf CONTAINERS_STORAGE_CONF=$PM/storage.conf \
    CONTAINERS_REGISTRIES_CONF=$PM/registries.conf \
    timeout 120 podman --runtime "$PM_WRAP" "$@"
}
# pm_run ARGS...: podman run in the suite's cgroup parent
pm_run() { pm run --cgroup-parent "/$CG_PARENT" "$@"; }

podman_start() {
  PM_WRAP=$(make_wrapper "$PM/bin" "$PM/argv.log")
  podman_setup "$(basename "$RUNTIME")"
}

# podman_setup NAME...: the config and storage in $PM, the runtimes named
# NAME (basenames) in runtime_supports_json, and the image loaded (with
# --runtime $PM_WRAP); shared with bench/clients.sh.
podman_setup() {
  local json
  json=$(printf '"%s", ' "$@")
  mkdir -p "$PM"/{root,run,tmp,networks}
  # rootful Podman's SHM locks have a fixed name, made on first use
  [ -e /dev/shm/libpod_lock ] && PM_HAD_LOCK=1 || PM_HAD_LOCK=0
  cat >"$PM/containers.conf" <<EOF
[containers]
netns = "none"
# Podman's defaults raise rlimits, which needs CAP_SYS_RESOURCE (not here)
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$PM/events.log"
tmp_dir = "$PM/tmp"
static_dir = "$PM/root/libpod"
volume_path = "$PM/root/volumes"
# without its name here Podman reads the runtime's errors from stderr
runtime_supports_json = [${json%, }]

[network]
network_config_dir = "$PM/networks"
EOF
  cat >"$PM/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "$PM/root"
runroot = "$PM/run"
EOF
  echo 'unqualified-search-registries = []' >"$PM/registries.conf"
  CONTAINERS_CONF=$PM/containers.conf CONTAINERS_STORAGE_CONF=$PM/storage.conf \
    CONTAINERS_REGISTRIES_CONF=$PM/registries.conf \
    private_blob_cache podman --runtime "$PM_WRAP" load -i "$IMG/busybox.tar"
}

podman_stop() {
  [ -d "$PM" ] || return 0
  pm rm --all --force --time 0
  pm rmi --all --force
  # the storage's own mounts and state
  pm system reset --force
  # made by this suite's Podman (there was none before it): removed with it
  [ "${PM_HAD_LOCK:-1}" = 1 ] || rm -f /dev/shm/libpod_lock
  return 0
}

pm_echo() {
  local out
  out=$(pm_run --rm "$IMAGE" echo hi) || fail "podman run exited $?: $out"
  [ "$out" = hi ] || fail "expected 'hi', got '$out'"
}

pm_exit_code() {
  local rc=0
  pm_run --rm "$IMAGE" sh -c 'exit 42' || rc=$?
  [ $rc -eq 42 ] || fail "expected exit 42, got $rc"
}

pm_detached() {
  local id=pm-detached out rc=0
  # sleep as pid 1 without a handler: SIGTERM is ignored, SIGKILL is needed
  pm_run -d --name $id "$IMAGE" sleep "$MARK" || fail "detached run failed"
  out=$(pm inspect --format '{{.State.Status}}' $id)
  [ "$out" = running ] || fail "status '$out', expected running"
}

pm_exec() {
  local id=pm-detached out
  out=$(pm exec $id sh -c 'echo exec-ok; cat /proc/1/cmdline | tr "\0" " "') || fail "exec failed: $out"
  expect_in "$out" "exec-ok" "sleep $MARK" || return 1
}

pm_exec_tty() {
  local id=pm-detached out
  out=$(script -qec "CONTAINERS_CONF=$PM/containers.conf CONTAINERS_STORAGE_CONF=$PM/storage.conf CONTAINERS_REGISTRIES_CONF=$PM/registries.conf podman --runtime $PM_WRAP exec -t $id tty" /dev/null) ||
    fail "exec -t failed: $out"
  expect_in "$out" "/dev/pts/" || return 1
}

pm_stop_rm() {
  local id=pm-detached out
  # stop: SIGTERM, ignored; SIGKILL after the 2 s timeout
  pm stop --time 2 $id || fail "stop failed"
  out=$(pm inspect --format '{{.State.ExitCode}}' $id)
  [ "$out" = 137 ] || fail "exit code after stop '$out', expected 137 (SIGKILL)"
  pm rm $id || fail "rm failed"
  out=$(pm ps -a --format '{{.Names}}')
  [[ "$out" != *$id* ]] || fail "container still listed"
  grep -qE $'\tkill\t(.*\t)?[0-9a-f]{64}\t(15|TERM|SIGTERM)$' "$PM/argv.log" || fail "no 'kill ID 15' recorded"
  grep -qE $'\tkill\t(.*\t)?[0-9a-f]{64}\t(9|KILL|SIGKILL)$' "$PM/argv.log" || fail "no 'kill ID 9' recorded"
}

pm_tty() {
  local out rc=0
  out=$(printf 'echo tty-$((40+2))\ntty\nexit 7\n' |
    script -qec "CONTAINERS_CONF=$PM/containers.conf CONTAINERS_STORAGE_CONF=$PM/storage.conf CONTAINERS_REGISTRIES_CONF=$PM/registries.conf podman --runtime $PM_WRAP run -it --rm --cgroup-parent /$CG_PARENT $IMAGE sh" /dev/null) || rc=$?
  expect_in "$out" "tty-42" "/dev/pts/" || return 1
  [ $rc -eq 7 ] || fail "expected exit 7 through the pty, got $rc"
}

pm_memory() {
  local rc=0 out
  out=$(pm_run --rm --memory 32m "$IMAGE" sh -c 'a=$(head -c 200000000 /dev/zero | tr "\0" x); echo survived' 2>&1) || rc=$?
  [ $rc -eq 137 ] || fail "expected 137 (OOM kill), got $rc: $out"
}

pm_pids() {
  local rc=0 out
  out=$(pm_run --rm --pids-limit 8 "$IMAGE" sh -c 'for i in 1 2 3 4 5 6 7 8 9 10 11 12; do sleep 30 & done; echo forked' 2>&1) || rc=$?
  expect_in "$out" "can't fork" || return 1
}

pm_missing_cmd() {
  local rc=0 out
  out=$(pm_run --rm "$IMAGE" /nonexistent-cmd 2>&1) || rc=$?
  echo "podman said: $out"
  [ $rc -eq 127 ] || fail "expected exit 127, got $rc"
  expect_in "$out" "/nonexistent-cmd" || return 1
  [[ "$out" == *"no such file or directory"* || "$out" == *"executable file not found"* ]] ||
    fail "no 'no such file or directory' / 'executable file not found' in podman's error"
}

pm_runtime_error() {
  # a file bind-mounted over a directory: Podman passes it on, only the
  # runtime finds out, when it mounts
  local rc=0 out
  out=$(pm_run --rm --mount "type=bind,src=$IMG/rootfs/etc/passwd,dst=/tmp" "$IMAGE" true 2>&1) || rc=$?
  echo "podman said: $out"
  [ $rc -eq 126 ] || fail "expected exit 126 (the runtime failed), got $rc"
  expect_in "$out" "OCI runtime error" "not a directory" || return 1
  grep -E $'\t--log-format(=|\t)json\t(.*\t)?create\t' "$PM/argv.log" >/dev/null ||
    fail "conmon did not call create with --log-format json"
}

podman_checks() {
  check "podman: run --rm echo hi prints hi" pm_echo
  check "podman: a non-zero exit code propagates" pm_exit_code
  check "podman: detached run" pm_detached
  check "podman: exec into the running container" pm_exec
  check "podman: exec with a tty" pm_exec_tty
  check "podman: stop (SIGTERM ignored, SIGKILL after the timeout), remove" pm_stop_rm
  check "podman: interactive run with a pty" pm_tty
  check "podman: a memory limit OOM-kills (137)" pm_memory
  check "podman: a pids limit stops a fork" pm_pids
  check "podman: a missing command exits 127 with the runtime's message" pm_missing_cmd
  check "podman: a runtime failure reaches the user (--log-format json)" pm_runtime_error
}
PODMAN_CHECKS=(echo exit-code detached exec exec-tty stop-rm tty memory pids missing-cmd runtime-error contract nothing-left)
