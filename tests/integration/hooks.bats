#!/usr/bin/env bats
# The six hook kinds: each fires once, in the order of runtime.md, in the
# right namespace, with a valid state on stdin; failures have the spec's
# effect (and leave nothing behind).

load helpers

setup() {
  common_setup
  LOG=$BATS_TEST_TMPDIR/hooks.log
  # A hook that logs its kind, the status and pid of the state it read, and
  # its own pid namespace.
  HOOK=$BATS_TEST_TMPDIR/hook.sh
  cat > "$HOOK" <<HOOK
#!/bin/sh
state=\$(cat)
echo "\$1 \$(echo "\$state" | jq -c '[.id, .status, .pid, .bundle]') \$(readlink /proc/self/ns/pid)" >> "$LOG"
HOOK
  chmod +x "$HOOK"
}
teardown() { common_teardown; }

hook() { echo "{\"path\":\"$HOOK\",\"args\":[\"hook\",\"$1\"]}"; }

@test "every hook kind fires once, in order, with the state on stdin" {
  require_root
  make_bundle sh -c 'echo ran >> /ran'
  config_edit '.root.readonly = false'
  # startContainer runs in the container: its path resolves there.
  cp "$HOOK" "$BUNDLE/rootfs/hook.sh"
  sed -i "s|>> \"*$LOG\"*|>> /hooks.log|; s|jq -c .*)|cat)|" "$BUNDLE/rootfs/hook.sh"
  config_edit ".hooks = {prestart: [$(hook prestart)], createRuntime: [$(hook createRuntime)],
                          createContainer: [$(hook createContainer)],
                          startContainer: [{path: \"/hook.sh\", args: [\"hook\", \"startContainer\"]}],
                          poststart: [$(hook poststart)], poststop: [$(hook poststop)]}"
  oci create --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/pid" h1
  pid=$(cat "$BATS_TEST_TMPDIR/pid")
  host_ns=$(readlink /proc/self/ns/pid)
  container_ns=$(readlink /proc/$pid/ns/pid)
  oci start h1
  for _ in $(seq 50); do [ "$(oci state h1 | jq -r .status)" = stopped ] && break; sleep 0.1; done
  oci delete h1
  cat "$LOG"
  run cut -d' ' -f1 "$LOG"
  [ "$output" = "prestart
createRuntime
createContainer
poststart
poststop" ]
  # Runtime-namespace hooks see the host pid; createContainer sees pid 1.
  grep -qxF "prestart [\"h1\",\"creating\",$pid,\"$BUNDLE\"] $host_ns" "$LOG"
  grep -qxF "createRuntime [\"h1\",\"creating\",$pid,\"$BUNDLE\"] $host_ns" "$LOG"
  grep -qxF "createContainer [\"h1\",\"creating\",1,\"$BUNDLE\"] $container_ns" "$LOG"
  grep -qxF "poststart [\"h1\",\"running\",$pid,\"$BUNDLE\"] $host_ns" "$LOG"
  grep -qxF "poststop [\"h1\",\"stopped\",0,\"$BUNDLE\"] $host_ns" "$LOG"
  # startContainer ran in the container, before the program.
  grep -q '^startContainer {"ociVersion":"[^"]*","id":"h1","pid":1,"status":"created"' "$BUNDLE/rootfs/hooks.log"
  [ "$(cat "$BUNDLE/rootfs/ran")" = ran ]
}

@test "a failing createRuntime hook fails create, says why, and leaves nothing" {
  require_root
  make_bundle true
  config_edit '.hooks.createRuntime = [{"path": "/bin/sh", "args": ["sh", "-c", "echo no network >&2; exit 4"]}]'
  run oci create --bundle "$BUNDLE" h2
  [ "$status" -eq 1 ]
  [[ "$output" == *"createRuntime hook 0 (/bin/sh): exit status 4: no network"* ]]
  run oci state h2
  [[ "$output" == *"does not exist"* ]]
}

@test "a hook that outlives its timeout is killed and fails create" {
  require_root
  make_bundle true
  config_edit '.hooks.createContainer = [{"path": "/bin/sleep", "args": ["sleep", "30"], "timeout": 1}]'
  run oci create --bundle "$BUNDLE" h3
  [ "$status" -eq 1 ]
  [[ "$output" == *"createContainer hook 0 (/bin/sleep): timed out after 1s"* ]]
  run oci state h3
  [[ "$output" == *"does not exist"* ]]
}

@test "a failing startContainer hook fails start and stops the container" {
  require_root
  make_bundle sh -c 'touch /ran'
  config_edit '.root.readonly = false | .hooks.startContainer = [{"path": "/bin/false"}]'
  oci create --bundle "$BUNDLE" h4
  run oci start h4
  [ "$status" -eq 1 ]
  [[ "$output" == *"startContainer hook 0 (/bin/false): exit status 1"* ]]
  for _ in $(seq 50); do [ "$(oci state h4 | jq -r .status)" = stopped ] && break; sleep 0.1; done
  [ "$(oci state h4 | jq -r .status)" = stopped ]
  [ ! -e "$BUNDLE/rootfs/ran" ]
  oci delete h4
}

@test "a failing poststop hook is a warning; delete goes on" {
  require_root
  make_bundle true
  config_edit ".hooks.poststop = [{\"path\": \"/bin/false\"}, $(hook poststop)]"
  run oci run --bundle "$BUNDLE" h5
  [ "$status" -eq 0 ]
  [[ "$output" == *"poststop hook 0 (/bin/false): exit status 1"* ]]
  grep -q '^poststop ' "$LOG"
  run oci state h5
  [[ "$output" == *"does not exist"* ]]
}

@test "a failing createRuntime hook still runs the poststop hooks" {
  require_root
  make_bundle true
  config_edit ".hooks.createRuntime = [{\"path\": \"/bin/false\"}] | .hooks.poststop = [$(hook poststop)]"
  run oci create --bundle "$BUNDLE" h6
  [ "$status" -eq 1 ]
  grep -q '^poststop \["h6","stopped",0,' "$LOG"
}

@test "runtime hooks run in the runtime's namespaces, even when the container joins a pid namespace and has a time namespace" {
  require_root
  # A pid namespace to join, held by a process of this test.
  unshare --pid --fork --kill-child --mount-proc sleep 100 &
  holder=$!
  for _ in $(seq 50); do inner=$(pgrep -P "$holder" sleep) && break; sleep 0.05; done
  make_bundle sleep 100
  config_edit ".linux.namespaces |= map(if .type == \"pid\" then .path = \"/proc/$inner/ns/pid\" else . end)
               | .linux.namespaces += [{\"type\": \"time\"}]
               | .hooks.prestart = [$(hook prestart)] | .hooks.createRuntime = [$(hook createRuntime)]
               | .hooks.poststart = [$(hook poststart)] | .hooks.poststop = [$(hook poststop)]"
  oci run -d --bundle "$BUNDLE" h7
  host_ns=$(readlink /proc/self/ns/pid)
  # The container itself is in the joined namespace.
  [ "$(readlink /proc/$(oci state h7 | jq -r .pid)/ns/pid)" = "$(readlink /proc/$inner/ns/pid)" ]
  oci delete --force h7
  for kind in prestart createRuntime poststart poststop; do
    grep "^$kind " "$LOG" | grep -qF " $host_ns" || { echo "$kind not in the host's pid namespace"; cat "$LOG"; false; }
  done
  kill "$holder"
  wait "$holder" || true
}

@test "a failing prestart hook fails create; a failing createContainer hook too, and poststop runs" {
  require_root
  make_bundle true
  config_edit ".hooks.prestart = [{\"path\": \"/bin/false\"}] | .hooks.poststop = [$(hook poststop)]"
  run oci create --bundle "$BUNDLE" h8
  [ "$status" -eq 1 ]
  [[ "$output" == *"prestart hook 0 (/bin/false): exit status 1"* ]]
  [ "$(grep -c '^poststop ' "$LOG")" -eq 1 ]
  config_edit "del(.hooks.prestart) | .hooks.createContainer = [{\"path\": \"/bin/false\"}]"
  run oci create --bundle "$BUNDLE" h8
  [ "$status" -eq 1 ]
  [[ "$output" == *"createContainer hook 0 (/bin/false): exit status 1"* ]]
  [ "$(grep -c '^poststop ' "$LOG")" -eq 2 ]
  run oci state h8
  [[ "$output" == *"does not exist"* ]]
}

@test "a hook's env is exactly its environment, not the caller's" {
  require_root
  make_bundle true
  # The shell's /proc/PID/environ: what it was exec'd with, before the shell
  # adds anything of its own.
  dump="/bin/cat /proc/\$\$/environ > $BATS_TEST_TMPDIR/env.\$0"
  config_edit --arg dump "$dump" '
    .hooks.createRuntime = [{path: "/bin/sh", args: ["createRuntime", "-c", $dump],
                             env: ["FOO=bar baz", "EMPTY=", "PATH=/nowhere"]}]
    | .hooks.poststop = [{path: "/bin/sh", args: ["poststop", "-c", $dump], env: ["ONLY=this"]}]'
  HOOK_LEAK=from-the-caller oci run --bundle "$BUNDLE" h9
  envs() { cat "$BATS_TEST_TMPDIR/env.$1" | tr '\0' '\n'; }
  envs createRuntime; envs poststop
  [ "$(envs createRuntime)" = "FOO=bar baz
EMPTY=
PATH=/nowhere" ]
  [ "$(envs poststop)" = "ONLY=this" ]
}

@test "hooks of one kind run in the listed order" {
  require_root
  make_bundle true
  three() { echo "[$(hook "$1-a"), $(hook "$1-b"), $(hook "$1-c")]"; }
  config_edit ".hooks = {prestart: $(three prestart), createRuntime: $(three createRuntime),
                          createContainer: $(three createContainer),
                          poststart: $(three poststart), poststop: $(three poststop)}"
  oci run --bundle "$BUNDLE" h10
  cat "$LOG"
  run cut -d' ' -f1 "$LOG"
  [ "$output" = "prestart-a
prestart-b
prestart-c
createRuntime-a
createRuntime-b
createRuntime-c
createContainer-a
createContainer-b
createContainer-c
poststart-a
poststart-b
poststart-c
poststop-a
poststop-b
poststop-c" ]
}

@test "a failing poststart hook fails start, kills the program; delete runs poststop" {
  require_root
  make_bundle sleep 1000
  config_edit ".hooks.poststart = [{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"echo poststart broke >&2; exit 3\"]}]
               | .hooks.poststop = [$(hook poststop)]"
  oci create --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/pid" h11
  pid=$(cat "$BATS_TEST_TMPDIR/pid")
  pid=$pid:$(pid_starttime "$pid")
  run oci start h11
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"poststart hook 0 (/bin/sh): exit status 3: poststart broke"* ]]
  # The program, started before poststart ran, is killed.
  for _ in $(seq 100); do [ "$(oci state h11 | jq -r .status)" = stopped ] && break; sleep 0.1; done
  [ "$(oci state h11 | jq -r .status)" = stopped ]
  pid_dead "$pid"
  run grep -qs '^poststop ' "$LOG"    # not yet: it comes with delete
  [ "$status" -ne 0 ]
  oci delete h11
  grep -q '^poststop \["h11","stopped",0,' "$LOG"
  run oci state h11
  [[ "$output" == *"does not exist"* ]]
}

# The init is made with CLONE_VM (container_create.cpp): it shares the
# runtime's memory, without a copy, until it execs the user's program.
# kcmp(KCMP_VM) says whether two processes share their memory: 0 when they do.
@test "the init shares the runtime's memory until its exec, not after; with a time namespace it is a copy" {
  require_root
  KCMP=$BATS_TEST_TMPDIR/kcmp.sh
  cat > "$KCMP" <<KCMP
#!/bin/sh
# \$PPID: the runtime, which runs the createRuntime and poststart hooks.
pid=\$(jq -r .pid)
echo "\$1 \$(python3 -c 'import ctypes, sys; print(ctypes.CDLL(None).syscall(312, int(sys.argv[1]), int(sys.argv[2]), 1, 0, 0))' \$PPID \$pid)" >> "$LOG"
echo "\$1 oom_score_adj \$(cat /proc/\$PPID/oom_score_adj) \$(cat /proc/\$pid/oom_score_adj)" >> "$LOG"
KCMP
  chmod +x "$KCMP"
  kcmp_hook() { echo "{\"path\":\"$KCMP\",\"args\":[\"kcmp\",\"$1\"]}"; }
  make_bundle true
  config_edit ".hooks.createRuntime = [$(kcmp_hook createRuntime)] | .hooks.poststart = [$(kcmp_hook poststart)]
               | .process.oomScoreAdj = 300"
  own=$(cat /proc/self/oom_score_adj)
  oci run --bundle "$BUNDLE" h8
  grep -qx 'createRuntime 0' "$LOG" || { cat "$LOG"; false; }
  # The kernel gives the oom_score_adj to every process of one memory...
  grep -qx 'createRuntime oom_score_adj 300 300' "$LOG" || { cat "$LOG"; false; }
  # ...and after the exec, another memory (1 or 2: kcmp orders them), run
  # has its own again (the caller's, which it inherited).
  grep -qE '^poststart [12]$' "$LOG" || { cat "$LOG"; false; }
  grep -qx "poststart oom_score_adj $own 300" "$LOG" || { cat "$LOG"; false; }

  # A time namespace: the runtime could not leave it while sharing its
  # memory, so the init is a fork; the container runs all the same.
  : > "$LOG"
  config_edit '.linux.namespaces += [{"type": "time"}]'
  oci run --bundle "$BUNDLE" h9
  grep -qE '^createRuntime [12]$' "$LOG" || { cat "$LOG"; false; }
  grep -qx "createRuntime oom_score_adj $own 300" "$LOG" || { cat "$LOG"; false; }
}
