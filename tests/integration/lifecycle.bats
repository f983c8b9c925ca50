#!/usr/bin/env bats
# The container lifecycle as runc's callers drive it: create, start, state,
# kill, delete, run; every wrong-state error; what is left afterwards.
# Written against the runtime-spec (runtime.md) and ../shared/CLI-CONTRACT.md;
# runs against any runc-compatible runtime (OCIRUN=/usr/sbin/runc).

load helpers

setup() { lt_setup; }
teardown() { lt_teardown; }

# A program that records each run in /shared/ran and runs until /shared/stop
# exists, then exits 0.
WAITER='echo run >> /shared/ran; while [ ! -e /shared/stop ]; do sleep 0.02; done'

# A bundle running WAITER, without a network namespace (not needed here).
waiter_bundle() {
  lt_bundle sh -c "$WAITER"
  ns_remove network
}

ran_count() {
  if [ -e "$SHARED/ran" ]; then wc -l < "$SHARED/ran"; else echo 0; fi
}

@test "create: state created with pid, bundle, created, ociVersion; the program has not run" {
  require_root
  waiter_bundle
  # a relative --bundle: state holds the absolute path
  cd "$BATS_TEST_TMPDIR"
  rt_io c1 create --bundle bundle --pid-file "$BATS_TEST_TMPDIR/c1.pid" c1
  echo "$output"
  [ "$status" -eq 0 ]
  PID=$(cat "$BATS_TEST_TMPDIR/c1.pid")
  track_pid "$PID"
  [[ "$PID" =~ ^[1-9][0-9]*$ ]]

  run rt state c1
  [ "$status" -eq 0 ]
  echo "$output"
  st=$output
  [ "$(jq -r .id <<<"$st")" = c1 ]
  [ "$(jq -r .status <<<"$st")" = created ]
  [ "$(jq -r .pid <<<"$st")" = "$PID" ]
  [ "$(jq -r .bundle <<<"$st")" = "$(realpath "$BATS_TEST_TMPDIR/bundle")" ]
  [[ "$(jq -r .ociVersion <<<"$st")" =~ ^1\.[0-9]+\.[0-9]+ ]]
  created=$(jq -r .created <<<"$st")
  [[ "$created" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$ ]]
  t=$(date -d "$created" +%s)
  [ "$t" -ge $((LT_T0 - 1)) ] && [ "$t" -le $(($(date +%s) + 1)) ]

  # From the host: the pid file's pid is alive, is the container's pid 1, and
  # has not exec'd the program (its command line is not the program's).
  pid_alive "$PID"
  [ "$(pid_status "$PID" NSpid | awk '{ print $NF }')" = 1 ]
  [ "$(pid_status "$PID" NSpid | awk '{ print $1 }')" = "$PID" ]
  [ "$(pid_cmdline "$PID")" != "sh -c $WAITER " ]
  # ...and the program has not run: give it time to, if it wrongly would
  sleep 0.2
  [ "$(ran_count)" -eq 0 ]
  state_is c1 created

  rt delete --force c1
  assert_nothing_left c1
}

@test "start: running, the program runs as the pid file's pid; on exit: stopped, pid 0; delete removes it" {
  require_root
  waiter_bundle
  rt_create c1
  [ "$status" -eq 0 ]
  run rt start c1
  echo "$output"
  [ "$status" -eq 0 ]
  wait_for test -e "$SHARED/ran"
  [ "$(ran_count)" -eq 1 ]
  run rt state c1
  [ "$(jq -r .status <<<"$output")" = running ]
  [ "$(jq -r .pid <<<"$output")" = "$PID" ]
  # from the host: the same pid now runs the program
  pid_alive "$PID"
  [ "$(pid_cmdline "$PID")" = "sh -c $WAITER " ]

  touch "$SHARED/stop"
  wait_state c1 stopped
  run rt state c1
  [ "$status" -eq 0 ]
  [ "$(jq -r .status <<<"$output")" = stopped ]
  [ "$(jq -r .pid <<<"$output")" = 0 ]
  pid_dead "$PID"

  run rt delete c1
  [ "$status" -eq 0 ]
  run rt state c1
  [ "$status" -eq 1 ]
  [[ "$output" == *"does not exist"* ]]
  [ "$(ran_count)" -eq 1 ]
  assert_nothing_left c1
}

@test "start of a running container fails and leaves it running" {
  require_root
  waiter_bundle
  rt_create c1
  [ "$status" -eq 0 ]
  rt start c1
  wait_for test -e "$SHARED/ran"
  run rt start c1
  echo "$output"
  [ "$status" -eq 1 ]
  [ -n "$output" ]
  state_is c1 running
  pid_alive "$PID"
  [ "$(ran_count)" -eq 1 ]
  touch "$SHARED/stop"
  wait_state c1 stopped
  rt delete c1
  assert_nothing_left c1
}

@test "start of a stopped container fails and does not run the program again" {
  require_root
  waiter_bundle
  touch "$SHARED/stop"   # the program exits at once
  rt_create c1
  [ "$status" -eq 0 ]
  rt start c1
  wait_state c1 stopped
  [ "$(ran_count)" -eq 1 ]
  run rt start c1
  echo "$output"
  [ "$status" -eq 1 ]
  [ -n "$output" ]
  sleep 0.1
  state_is c1 stopped
  [ "$(ran_count)" -eq 1 ]
  rt delete c1
  assert_nothing_left c1
}

@test "start, state, kill, delete of a missing container: does not exist, exit 1" {
  require_root
  for cmd in start state kill delete; do
    run rt $cmd nosuch
    echo "$cmd: $output"
    [ "$status" -eq 1 ]
    [[ "$output" == *"does not exist"* ]]
  done
  run rt kill nosuch KILL
  [ "$status" -eq 1 ]
  [[ "$output" == *"does not exist"* ]]
  assert_nothing_left nosuch
}

@test "kill of a stopped container: container not running, exit 1" {
  require_root
  waiter_bundle
  touch "$SHARED/stop"
  rt_create c1
  [ "$status" -eq 0 ]
  rt start c1
  wait_state c1 stopped
  for sig in "" KILL 9; do
    run rt kill c1 $sig
    echo "$output"
    [ "$status" -eq 1 ]
    [[ "$output" == *"container not running"* ]]
  done
  state_is c1 stopped
  rt delete c1
  assert_nothing_left c1
}

@test "delete of a running container without --force fails and leaves it running" {
  require_root
  waiter_bundle
  rt_create c1
  [ "$status" -eq 0 ]
  rt start c1
  wait_for test -e "$SHARED/ran"
  run rt delete c1
  echo "$output"
  [ "$status" -eq 1 ]
  [ -n "$output" ]
  sleep 0.1
  state_is c1 running
  pid_alive "$PID"
  [ "$(state_field c1 pid)" = "$PID" ]
  touch "$SHARED/stop"
  wait_state c1 stopped
  rt delete c1
  assert_nothing_left c1
}

@test "delete --force of a running container kills it and removes it" {
  require_root
  lt_bundle sleep 1000
  ns_remove network
  rt_create c1
  [ "$status" -eq 0 ]
  rt start c1
  state_is c1 running
  run rt delete --force c1
  echo "$output"
  [ "$status" -eq 0 ]
  run rt state c1
  [ "$status" -eq 1 ]
  [[ "$output" == *"does not exist"* ]]
  assert_nothing_left c1
}

@test "delete --force of a missing container exits 0" {
  require_root
  run rt delete --force nosuch
  echo "$output"
  [ "$status" -eq 0 ]
  run rt delete -f nosuch
  [ "$status" -eq 0 ]
  assert_nothing_left nosuch
}

@test "delete --force removes a record it cannot read; without --force it is an error" {
  require_root
  lt_bundle true
  ns_remove network
  rt_create c1
  [ "$status" -eq 0 ]
  # As a crash of the machine can leave it (state files are not fsynced),
  # with no process left: the init is killed here, by its pid.
  kill -KILL "$PID"
  wait_for pid_dead "$PID:$(pid_starttime "$PID")" || true
  : > "$ROOT/c1/state.json"
  run rt delete c1
  echo "$output"
  [ "$status" -eq 1 ]
  [ -d "$ROOT/c1" ]
  run rt delete --force c1
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"removing the unreadable record"* ]]
  [ ! -e "$ROOT/c1" ]
  # The record was all that named the container's cgroups: they stay, and
  # the test removes them (deepest first).
  local d
  for d in $LT_CGDIRS; do [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} +; done
  assert_nothing_left c1
}

@test "creates all succeed while delete --force sweeps the state root beside them" {
  require_root
  lt_bundle true
  ns_remove network
  # Each container in its default cgroup (ocirun/<id>), not the test's one.
  config_edit 'del(.linux.cgroupsPath)'
  ( for i in $(seq 1 150); do rt delete --force nosuch >/dev/null 2>&1 </dev/null; done ) 3>&- &
  local sweeper=$! i p fails=0 pids=()
  for i in $(seq 1 25); do
    rt create --bundle "$BUNDLE" "p$i" </dev/null >"$BATS_TEST_TMPDIR/p$i.log" 2>&1 3>&- &
    pids+=("$!")
  done
  for p in "${pids[@]}"; do wait "$p" || fails=$((fails + 1)); done
  wait "$sweeper"
  cat "$BATS_TEST_TMPDIR"/p*.log
  for i in $(seq 1 25); do rt delete --force "p$i"; done
  [ "$fails" -eq 0 ]
  assert_nothing_left
}

# A program that logs the signals it gets (TERM, USR1, HUP) to /shared/sig
# and runs until /shared/stop exists. As the pid namespace's init it gets
# only the signals it has a handler for, and SIGKILL.
TRAPPER='for s in TERM USR1 HUP; do trap "echo $s >> /shared/sig" $s; done; echo ready > /shared/ready; while [ ! -e /shared/stop ]; do sleep 0.02; done'

sig_lines() {
  [ "$(cat "$SHARED/sig" 2>/dev/null | wc -l)" -ge "$1" ]
}

@test "kill: default TERM; signals by name, SIG name and number reach the program" {
  require_root
  lt_bundle sh -c "$TRAPPER"
  ns_remove network
  rt_create c1
  [ "$status" -eq 0 ]
  rt start c1
  wait_for test -e "$SHARED/ready"
  n=0
  for sig in "" TERM SIGTERM 15 USR1 SIGUSR1 10 HUP 1; do
    run rt kill c1 $sig
    echo "kill $sig: $output"
    [ "$status" -eq 0 ]
    n=$((n + 1))
    wait_for sig_lines $n
  done
  cat "$SHARED/sig"
  [ "$(cat "$SHARED/sig" | tr '\n' ' ')" = "TERM TERM TERM TERM USR1 USR1 USR1 HUP HUP " ]
  state_is c1 running
  pid_alive "$PID"
  touch "$SHARED/stop"
  wait_state c1 stopped
  rt delete c1
  assert_nothing_left c1
}

@test "kill with KILL, SIGKILL and 9 stops the container" {
  require_root
  lt_bundle sh -c "$TRAPPER"
  ns_remove network
  for sig in KILL SIGKILL 9; do
    rm -f "$SHARED/ready"
    rt_create c1
    [ "$status" -eq 0 ]
    rt start c1
    wait_for test -e "$SHARED/ready"
    run rt kill c1 $sig
    echo "kill $sig: $output"
    [ "$status" -eq 0 ]
    wait_state c1 stopped
    wait_for pid_dead "$PID"
    [ ! -e "$SHARED/sig" ]
    rt delete c1
  done
  assert_nothing_left c1
}

# Children of PID (host pids).
children_of() {
  cat /proc/"$1"/task/*/children 2>/dev/null | tr ' ' '\n' | grep . || true
}

@test "kill --all signals every process of the container" {
  require_root
  # init (sh, no handler: as the namespace's init it ignores TERM) and two
  # children (sleep: TERM kills them); init exits when both are gone.
  lt_bundle sh -c 'sleep 1000 & sleep 1000 & echo ready > /shared/ready; wait'
  ns_remove network
  rt_create c1
  [ "$status" -eq 0 ]
  rt start c1
  wait_for test -e "$SHARED/ready"
  wait_for eval '[ "$(children_of "$PID" | wc -l)" -eq 2 ]'
  kids=$(children_of "$PID")
  for k in $kids; do track_pid "$k"; done
  # without --all, only init gets it (and ignores it)
  rt kill c1 TERM
  sleep 0.1
  state_is c1 running
  for k in $kids; do pid_alive "$k"; done
  # with --all, every process of the container
  run rt kill --all c1 TERM
  echo "$output"
  [ "$status" -eq 0 ]
  for k in $kids; do wait_for pid_dead "$k"; done
  wait_state c1 stopped
  rt delete c1
  assert_nothing_left c1
}

@test "kill -a KILL of a running container stops every process" {
  require_root
  lt_bundle sh -c 'sleep 1000 & echo ready > /shared/ready; wait'
  ns_remove network
  rt_create c1
  [ "$status" -eq 0 ]
  rt start c1
  wait_for test -e "$SHARED/ready"
  wait_for eval '[ -n "$(children_of "$PID")" ]'
  for k in $(children_of "$PID"); do track_pid "$k"; done
  run rt kill -a c1 9
  [ "$status" -eq 0 ]
  wait_state c1 stopped
  rt delete c1
  assert_nothing_left c1
}

@test "two concurrent creates of one id: exactly one wins, the other fails cleanly" {
  require_root
  waiter_bundle
  for round in 1 2 3; do
    rm -f "$BATS_TEST_TMPDIR"/a.* "$BATS_TEST_TMPDIR"/b.*
    ( rt create --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/a.pid" c1 \
        </dev/null >"$BATS_TEST_TMPDIR/a.out" 2>&1 3>&- ) &
    pa=$!
    ( rt create --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/b.pid" c1 \
        </dev/null >"$BATS_TEST_TMPDIR/b.out" 2>&1 3>&- ) &
    pb=$!
    ra=0 rb=0
    wait "$pa" || ra=$?
    wait "$pb" || rb=$?
    echo "round $round: a=$ra b=$rb"
    cat "$BATS_TEST_TMPDIR/a.out" "$BATS_TEST_TMPDIR/b.out"
    for w in a b; do
      if [ -s "$BATS_TEST_TMPDIR/$w.pid" ]; then track_pid "$(cat "$BATS_TEST_TMPDIR/$w.pid")"; fi
    done
    if [ "$ra" -eq 0 ]; then win=a lose=b rl=$rb; else win=b lose=a rl=$ra; fi
    # exactly one wins; the other exits 1 with a message and no container
    [ "$(( (ra == 0) + (rb == 0) ))" -eq 1 ]
    [ "$rl" -eq 1 ]
    [ -n "$(cat "$BATS_TEST_TMPDIR/$lose.out")" ]
    if [ -s "$BATS_TEST_TMPDIR/$lose.pid" ]; then
      pid_dead "$(cat "$BATS_TEST_TMPDIR/$lose.pid")"
    fi
    # the winner is intact: state, process, cgroup; it starts and runs
    PID=$(cat "$BATS_TEST_TMPDIR/$win.pid")
    [ "$(state_field c1 status)" = created ]
    [ "$(state_field c1 pid)" = "$PID" ]
    pid_alive "$PID"
    grep -q "/$CGNAME\$" "/proc/$PID/cgroup"
    for d in $LT_CGDIRS; do
      if [ -d "$d" ]; then grep -qx "$PID" "$d/cgroup.procs"; fi
    done
    [ "$(marked_pids | wc -l)" -le 1 ]
    rm -f "$SHARED/ran" "$SHARED/stop"
    rt start c1
    wait_for test -e "$SHARED/ran"
    state_is c1 running
    touch "$SHARED/stop"
    wait_state c1 stopped
    rt delete c1
    assert_nothing_left c1
  done
}

@test "a failed create (missing executable) leaves nothing and says why" {
  require_root
  lt_bundle /bin/nosuch-program
  ns_remove network
  rt_create c1
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"no such file or directory"* || "$output" == *'executable file not found in $PATH'* ]]
  [ -z "$PID" ] || pid_dead "$PID"
  run rt state c1
  [[ "$output" == *"does not exist"* ]]
  assert_nothing_left c1

  # the same through a PATH lookup
  config_edit '.process.args = ["nosuch-program"]'
  rt_create c1
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"no such file or directory"* || "$output" == *'executable file not found in $PATH'* ]]
  assert_nothing_left c1
}

@test "a failed create (cwd is not a directory) leaves nothing and says why" {
  require_root
  lt_bundle sh -c 'echo ran > /shared/ran'
  ns_remove network
  config_edit '.process.cwd = "/etc/passwd"'
  rt_create c1
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"not a directory"* ]]
  [ -z "$PID" ] || pid_dead "$PID"
  [ ! -e "$SHARED/ran" ]
  run rt state c1
  [[ "$output" == *"does not exist"* ]]
  assert_nothing_left c1
}

@test "a config asking for what this build cannot apply (intelRdt) fails create, leaves nothing" {
  require_root
  lt_bundle sh -c 'echo ran > /shared/ran'
  ns_remove network
  config_edit '.linux.intelRdt = {"closID": "ocirun-test"}'
  rt_create c1
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"linux.intelRdt"* ]]
  [ -z "$PID" ] || pid_dead "$PID"
  [ ! -e "$SHARED/ran" ]
  run rt state c1
  [[ "$output" == *"does not exist"* ]]
  assert_nothing_left c1
}

@test "run: exits with the program's status and removes the container" {
  require_root
  lt_bundle sh -c 'exit 3'
  ns_remove network
  rt_run c1
  [ "$status" -eq 3 ]
  assert_nothing_left c1
  config_edit '.process.args = ["true"]'
  rt_run c1
  [ "$status" -eq 0 ]
  assert_nothing_left c1
}

# run_bg ID [FLAG...]: `run` in the background; RUNPID is its pid.
run_bg() {
  local id=$1; shift
  ( rt run --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/$id.pid" "$@" "$id" \
      </dev/null >"$BATS_TEST_TMPDIR/$id.out" 2>"$BATS_TEST_TMPDIR/$id.err" 3>&- ) &
  RUNPID=$!
}

@test "run: killed by SIGKILL exits 137" {
  require_root
  lt_bundle sleep 1000
  ns_remove network
  run_bg c1
  wait_state c1 running
  track_pid "$(cat "$BATS_TEST_TMPDIR/c1.pid")"
  rt kill c1 KILL
  rc=0
  wait "$RUNPID" || rc=$?
  cat "$BATS_TEST_TMPDIR/c1.err"
  [ "$rc" -eq 137 ]
  assert_nothing_left c1
}

@test "run: killed by SIGTERM exits 143" {
  require_root
  # without a pid namespace the program is not an init: TERM's default
  # action applies
  lt_bundle sleep 1000
  ns_remove network pid
  run_bg c1
  wait_state c1 running
  track_pid "$(cat "$BATS_TEST_TMPDIR/c1.pid")"
  rt kill c1          # TERM, the default
  rc=0
  wait "$RUNPID" || rc=$?
  cat "$BATS_TEST_TMPDIR/c1.err"
  [ "$rc" -eq 143 ]
  assert_nothing_left c1
}

@test "run --detach: returns at once with the container running" {
  require_root
  waiter_bundle
  rt_run c1 --detach
  echo "$output"
  [ "$status" -eq 0 ]
  PID=$(cat "$BATS_TEST_TMPDIR/c1.pid")
  run rt state c1
  [ "$(jq -r .status <<<"$output")" = running ]
  [ "$(jq -r .pid <<<"$output")" = "$PID" ]
  wait_for test -e "$SHARED/ran"
  pid_alive "$PID"
  touch "$SHARED/stop"
  wait_state c1 stopped
  rt delete c1
  assert_nothing_left c1

  rm -f "$SHARED/stop" "$SHARED/ran"
  rt_run c1 -d
  [ "$status" -eq 0 ]
  state_is c1 running
  rt delete --force c1
  assert_nothing_left c1
}

@test "run --keep: leaves a stopped container that delete removes" {
  require_root
  lt_bundle sh -c 'exit 5'
  ns_remove network
  rt_run c1 --keep
  [ "$status" -eq 5 ]
  run rt state c1
  [ "$status" -eq 0 ]
  [ "$(jq -r .status <<<"$output")" = stopped ]
  [ "$(jq -r .pid <<<"$output")" = 0 ]
  run rt delete c1
  [ "$status" -eq 0 ]
  assert_nothing_left c1
}

@test "the caller's stdio are the container's: run and create" {
  require_root
  lt_bundle sh -c 'echo "to stdout"; echo "to stderr" >&2; read line; echo "read: $line"'
  ns_remove network
  # run in the foreground: stdin, stdout and stderr
  status=0
  rt run --bundle "$BUNDLE" c1 <<<"hello" >"$BATS_TEST_TMPDIR/run.out" 2>"$BATS_TEST_TMPDIR/run.err" 3>&- || status=$?
  [ "$status" -eq 0 ]
  [ "$(cat "$BATS_TEST_TMPDIR/run.out")" = "to stdout
read: hello" ]
  [ "$(cat "$BATS_TEST_TMPDIR/run.err")" = "to stderr" ]
  assert_nothing_left c1

  # through bats' run: the program's output is the command's output
  config_edit '.process.args = ["echo", "hello from the container"]'
  run rt run --bundle "$BUNDLE" c1
  [ "$status" -eq 0 ]
  [ "$output" = "hello from the container" ]
  assert_nothing_left c1

  # create: the stdio given to create are the program's, after start
  config_edit '.process.args = ["sh", "-c", "echo \"to stdout\"; echo \"to stderr\" >&2; read line; echo \"read: $line\""]'
  echo "from stdin" > "$BATS_TEST_TMPDIR/in"
  status=0
  rt create --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/c1.pid" c1 <"$BATS_TEST_TMPDIR/in" \
    >"$BATS_TEST_TMPDIR/c1.out" 2>"$BATS_TEST_TMPDIR/c1.err" 3>&- || status=$?
  [ "$status" -eq 0 ]
  track_pid "$(cat "$BATS_TEST_TMPDIR/c1.pid")"
  rt start c1
  wait_state c1 stopped
  [ "$(cat "$BATS_TEST_TMPDIR/c1.out")" = "to stdout
read: from stdin" ]
  [ "$(cat "$BATS_TEST_TMPDIR/c1.err")" = "to stderr" ]
  rt delete c1
  assert_nothing_left c1
}

# ---- NOTIFY_SOCKET (the contract's Environment section) ----

SDNOTIFY=${SDNOTIFY:-$TOP/build/tests/sdnotify}

# notify_bundle SCRIPT: a bundle running SCRIPT with the static sdnotify at
# /sdnotify; and a listener on the host at $NSOCK, printing what it gets
# to $BATS_TEST_TMPDIR/notify.out until READY=1 (pid LISTENER).
notify_bundle() {
  lt_bundle sh -c "$1"
  ns_remove network
  cp "$SDNOTIFY" "$BUNDLE/rootfs/sdnotify"
  NSOCK=$BATS_TEST_TMPDIR/host-notify.sock
  "$SDNOTIFY" listen "$NSOCK" >"$BATS_TEST_TMPDIR/notify.out" 2>&1 </dev/null 3>&- &
  LISTENER=$!
  LT_HOLDERS+=("$LISTENER")
  wait_for test -S "$NSOCK"
}

@test "NOTIFY_SOCKET: READY=1 sent inside reaches the host's socket; start waits for it" {
  require_root
  notify_bundle 'echo "NS=$NOTIFY_SOCKET"; /sdnotify send "STATUS=starting"; echo WAITING
    while [ ! -e /shared/go ]; do sleep 0.02; done
    /sdnotify send "READY=1"; echo END; sleep 1000'
  NOTIFY_SOCKET=$NSOCK rt_create c1
  echo "$output"
  [ "$status" -eq 0 ]
  # start, in the background: it must not return before READY=1
  ( NOTIFY_SOCKET=$NSOCK rt start c1 </dev/null >"$BATS_TEST_TMPDIR/start.out" 2>&1 3>&- ) &
  starter=$!
  wait_state c1 running
  wait_output c1 WAITING
  # The container has not said READY=1: start is still waiting.
  kill -0 "$starter"
  touch "$SHARED/go"
  rc=0
  wait "$starter" || rc=$?
  cat "$BATS_TEST_TMPDIR/start.out"
  [ "$rc" -eq 0 ]
  wait_for pid_dead "$LISTENER"
  cat "$BATS_TEST_TMPDIR/notify.out"
  # READY=1 comes with the container's host pid as MAINPID, in the same
  # message, so that systemd takes both at once (runc 1.1 drops the
  # messages before READY=1 and does not send MAINPID with it)
  [ "$(tail -n 3 "$BATS_TEST_TMPDIR/notify.out")" = "MAINPID=$PID
READY=1
--" ]
  wait_output c1
  # inside: the proxy's socket, not the host's path
  [ "$(out_value c1 NS)" = /run/notify/notify.sock ]
  kill_and_delete c1
  assert_nothing_left c1
}

@test "NOTIFY_SOCKET: run --detach returns after READY=1; run in the foreground forwards it" {
  require_root
  notify_bundle 'while [ ! -e /shared/go ]; do sleep 0.02; done; /sdnotify send "READY=1"; sleep 1000'
  ( NOTIFY_SOCKET=$NSOCK rt run -d --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/c1.pid" c1 \
      </dev/null >"$BATS_TEST_TMPDIR/c1.out" 2>&1 3>&- ) &
  runner=$!
  wait_state c1 running
  track_pid "$(cat "$BATS_TEST_TMPDIR/c1.pid")"
  kill -0 "$runner"
  touch "$SHARED/go"
  rc=0
  wait "$runner" || rc=$?
  [ "$rc" -eq 0 ]
  wait_for pid_dead "$LISTENER"
  cat "$BATS_TEST_TMPDIR/notify.out"
  grep -qx "MAINPID=$(cat "$BATS_TEST_TMPDIR/c1.pid")" "$BATS_TEST_TMPDIR/notify.out"
  grep -qx READY=1 "$BATS_TEST_TMPDIR/notify.out"
  rt delete --force c1
  assert_nothing_left c1

  # In the foreground, run is the main pid: it exits with the container.
  "$SDNOTIFY" listen "$NSOCK" >"$BATS_TEST_TMPDIR/notify.out" 2>&1 </dev/null 3>&- &
  LISTENER=$!
  LT_HOLDERS+=("$LISTENER")
  wait_for test -S "$NSOCK"
  config_edit '.process.args = ["/sdnotify", "send", "STATUS=x\nREADY=1"]'
  NOTIFY_SOCKET=$NSOCK rt_run c2
  echo "$output"
  [ "$status" -eq 0 ]
  wait_for pid_dead "$LISTENER"
  cat "$BATS_TEST_TMPDIR/notify.out"
  grep -q '^MAINPID=[0-9]' "$BATS_TEST_TMPDIR/notify.out"
  grep -qx 'STATUS=x' "$BATS_TEST_TMPDIR/notify.out"
  assert_nothing_left c2
}

# ---- create killed half-way ----

@test "create killed with SIGKILL at many points: delete --force leaves nothing" {
  require_root
  waiter_bundle
  # Kills at increasing delays, 250 us apart, until three in a row came after
  # create had finished: whatever create had made by the time of the kill,
  # delete --force removes. Where each kill lands varies from run to run;
  # what is checked does not.
  # A sleep without a fork: read's timeout on a fifo nobody writes to.
  mkfifo "$BATS_TEST_TMPDIR/never"
  exec {never}<>"$BATS_TEST_TMPDIR/never"
  i=0 done_in_a_row=0
  while [ "$done_in_a_row" -lt 3 ] && [ "$i" -lt 150 ]; do
    delay=$(( i * 250 ))   # microseconds
    LT_MARK=$MARK "$OCIRUN" --root "$ROOT" create --bundle "$BUNDLE" c1 </dev/null >/dev/null 2>&1 3>&- &
    creator=$!
    if [ "$delay" -gt 0 ]; then read -r -t "$(printf '%d.%06d' $((delay / 1000000)) $((delay % 1000000)))" -u "$never" || true; fi
    kill -KILL "$creator" 2>/dev/null || true
    wait "$creator" 2>/dev/null || true
    left=$(rt state c1 2>/dev/null | jq -r .status) || true
    if [ "$left" = created ]; then done_in_a_row=$((done_in_a_row + 1)); else done_in_a_row=0; fi
    run rt delete --force c1
    echo "kill $i at ${delay}us: left ${left:-nothing}; delete --force: $status $output"
    [ "$status" -eq 0 ]
    # assert_nothing_left's checks but the host's mounts (other work on the
    # machine mounts things too, and a loop this long would see it); those
    # are checked once at the end.
    if rt state c1 >/dev/null 2>&1; then echo "c1 still known" >&2; false; fi
    [ -z "$(ls -A "$ROOT")" ] || { echo "state left: $(ls -A "$ROOT")" >&2; false; }
    wait_for eval '[ -z "$(marked_pids)" ]'
    for d in $LT_CGDIRS; do [ ! -e "$d" ] || { echo "cgroup left: $d" >&2; false; }; done
    i=$((i + 1))
  done
  exec {never}>&-
  assert_nothing_left c1
}

@test "config.json edited after create changes neither the program start runs nor the hooks of start and delete" {
  require_root
  lt_bundle sh -c 'echo created-config > /shared/ran'
  ns_remove network
  # a hook: /bin/sh -c 'echo WORD >> $SHARED/hooks'
  hook() { jq -nc --arg s "echo $1 >> $SHARED/hooks" '{path: "/bin/sh", args: ["sh", "-c", $s]}'; }
  config_edit ".hooks = {poststart: [$(hook poststart-created)], poststop: [$(hook poststop-created)]}"
  rt_create c1
  echo "$output"
  [ "$status" -eq 0 ]
  # After create: another program and other hooks.
  config_edit ".process.args = [\"sh\", \"-c\", \"echo edited-config > /shared/ran\"]
               | .hooks = {poststart: [$(hook poststart-edited)], poststop: [$(hook poststop-edited)]}"
  rt start c1
  wait_state c1 stopped
  rt delete c1
  cat "$SHARED/ran" "$SHARED/hooks"
  [ "$(cat "$SHARED/ran")" = created-config ]
  [ "$(cat "$SHARED/hooks")" = "poststart-created
poststop-created" ]
  assert_nothing_left c1
}

@test "a config without process: create fails, says why, and leaves nothing" {
  require_root
  lt_bundle sh -c 'echo ran > /shared/ran'
  ns_remove network
  config_edit 'del(.process)'
  rt_create c1
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *process* ]]
  [ -z "$PID" ] || pid_dead "$PID"
  [ ! -e "$SHARED/ran" ]
  run rt start c1
  [ "$status" -eq 1 ]
  [ ! -e "$SHARED/ran" ]
  run rt state c1
  [[ "$output" == *"does not exist"* ]]
  assert_nothing_left c1
}
