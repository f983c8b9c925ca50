#!/usr/bin/env bats
# Operations on a running container: pause and resume (the cgroup freezer),
# update (new resource limits, merged and saved), events (runc's stats JSON
# and the event stream), and the features document checked against what
# create accepts. Each can be checked against runc:
#   OCIRUN=/usr/sbin/runc bats tests/integration/operations.bats

load helpers

setup() { lt_setup; }
teardown() {
  [ -n "${EVENTS_PID:-}" ] && kill "$EVENTS_PID" 2>/dev/null
  lt_teardown
}

# An error's status: 1, as the CLI contract says (runc may give 255).
failed_status() {
  [ "$status" -eq 1 ] || { [[ "$OCIRUN" == */runc ]] && [ "$status" -eq 255 ]; }
}

# r ARG...: `rt ARG...` with stdin /dev/null and no fd 3; sets status and
# output (stdout then stderr).
r() {
  status=0
  rt "$@" </dev/null >"$BATS_TEST_TMPDIR/r.out" 2>"$BATS_TEST_TMPDIR/r.err" 3>&- || status=$?
  output=$(cat "$BATS_TEST_TMPDIR/r.out" "$BATS_TEST_TMPDIR/r.err")
  echo "$*: status $status: $output"
}

create_start() {
  rt_create "$1"
  echo "$output"
  [ "$status" -eq 0 ]
  rt start "$1"
  wait_output "$1"
}

# A container whose init counts, writing the count to /shared/count.
counter_bundle() {
  lt_bundle sh -c 'echo END; i=0; while true; do i=$((i + 1)); echo $i > /shared/count.new; mv /shared/count.new /shared/count; sleep 0.02; done'
}

sleeper_bundle() {
  lt_bundle sh -c 'echo END; exec sleep 1000'
}

# cg_file NAME: the first of the container's cgroup dirs that has NAME.
cg_file() {
  local d
  for d in $LT_CGDIRS; do
    if [ -f "$d/$1" ]; then echo "$d/$1"; return 0; fi
  done
  return 1
}

# The memory limit file of this host (v1 or v2) and its value for "$1" bytes.
mem_limit_file() { cg_file memory.limit_in_bytes || cg_file memory.max; }
pids_limit_file() { cg_file pids.max; }

count() { cat "$SHARED/count" 2>/dev/null || echo 0; }
count_above() { [ "$(count)" -gt "$1" ]; }

frozen() {
  local f
  if f=$(cg_file freezer.state); then [ "$(cat "$f")" = FROZEN ]; return; fi
  f=$(cg_file cgroup.freeze) && [ "$(cat "$f")" = 1 ]
}

@test "pause freezes the container's processes; resume lets them go on" {
  require_root
  counter_bundle
  create_start c1
  wait_for count_above 2
  r pause c1
  [ "$status" -eq 0 ]
  [ "$(state_field c1 status)" = paused ]
  frozen
  local before after
  before=$(count)
  sleep 0.5
  after=$(count)
  [ "$before" = "$after" ]
  # Twice is an error; resume of a running container too (runc's words).
  r resume c1
  [ "$status" -eq 0 ]
  [ "$(state_field c1 status)" = running ]
  run frozen
  [ "$status" -ne 0 ]
  wait_for count_above "$after"
  r resume c1
  failed_status
  [[ "$output" == *"container not paused"* ]]
  kill_and_delete c1
  assert_nothing_left c1
}

@test "a container frozen outside ocirun is paused for state and list; resume thaws it, kill KILL ends it" {
  require_root
  counter_bundle
  create_start c1
  wait_for count_above 2
  # As another tool would: the freezer written directly.
  local f
  if f=$(cg_file freezer.state); then echo FROZEN > "$f"; else f=$(cg_file cgroup.freeze); echo 1 > "$f"; fi
  wait_for frozen
  [ "$(state_field c1 status)" = paused ]
  r list --format json
  [ "$(jq -r '.[] | select(.id == "c1") | .status' "$BATS_TEST_TMPDIR/r.out")" = paused ]
  r pause c1
  failed_status
  [[ "$output" == *"already paused"* ]]
  r resume c1
  [ "$status" -eq 0 ]
  [ "$(state_field c1 status)" = running ]
  local after
  after=$(count)
  wait_for count_above "$after"
  # Frozen again behind ocirun's back: KILL still ends it (v1 holds a
  # frozen process until it thaws).
  if [[ "$f" == */freezer.state ]]; then echo FROZEN > "$f"; else echo 1 > "$f"; fi
  wait_for frozen
  r kill c1 KILL
  [ "$status" -eq 0 ]
  wait_for pid_dead "$PID"
  r delete c1
  [ "$status" -eq 0 ]
  assert_nothing_left c1
}

@test "pause of a stopped container says container not running" {
  require_root
  lt_bundle true
  rt_create c1
  [ "$status" -eq 0 ]
  rt start c1
  wait_state c1 stopped
  r pause c1
  failed_status
  [[ "$output" == *"container not running"* ]]
  r resume c1
  failed_status
  [[ "$output" == *"container not paused"* ]]
  r pause nosuch
  failed_status
  [[ "$output" == *"does not exist"* ]]
  rt delete c1
  assert_nothing_left c1
}

@test "kill KILL of a paused container kills it" {
  require_root
  sleeper_bundle
  create_start c1
  r pause c1
  [ "$status" -eq 0 ]
  r kill c1 KILL
  [ "$status" -eq 0 ]
  wait_state c1 stopped
  rt delete c1
  assert_nothing_left c1
}

@test "delete --force of a paused container removes everything" {
  require_root
  counter_bundle
  create_start c1
  r pause c1
  [ "$status" -eq 0 ]
  r delete c1
  failed_status
  r delete --force c1
  [ "$status" -eq 0 ]
  assert_nothing_left c1
}

@test "exec into a paused container is refused" {
  require_root
  sleeper_bundle
  create_start c1
  r pause c1
  [ "$status" -eq 0 ]
  r exec c1 true
  failed_status
  [[ "$output" == *"paused"* ]]
  r resume c1
  r exec c1 true
  [ "$status" -eq 0 ]
  kill_and_delete c1
  assert_nothing_left c1
}

@test "update --memory and --pids-limit change the cgroup files; later updates merge" {
  require_root
  sleeper_bundle
  config_edit '.linux.resources = {memory: {limit: 268435456}, pids: {limit: 100}}'
  create_start c1
  local mem pids
  mem=$(mem_limit_file)
  pids=$(pids_limit_file)
  [ "$(cat "$mem")" = 268435456 ]
  [ "$(cat "$pids")" = 100 ]
  r update --memory 64m --pids-limit 20 c1
  [ "$status" -eq 0 ]
  [ "$(cat "$mem")" = 67108864 ]
  [ "$(cat "$pids")" = 20 ]
  # A second update of one value keeps the other.
  r update --pids-limit 30 c1
  [ "$status" -eq 0 ]
  [ "$(cat "$mem")" = 67108864 ]
  [ "$(cat "$pids")" = 30 ]
  # -1 lifts the limit.
  r update --pids-limit=-1 c1
  [ "$status" -eq 0 ]
  [ "$(cat "$pids")" = max ]
  if [[ "$OCIRUN" != */runc ]]; then
    # The saved config follows (what later updates merge into).
    jq -e '.linux.resources.memory.limit == 67108864 and .linux.resources.pids.limit == -1' "$ROOT/c1/config.json"
  fi
  kill_and_delete c1
  assert_nothing_left c1
}

@test "update --resources from standard input and from a file" {
  require_root
  sleeper_bundle
  config_edit '.linux.resources = {memory: {limit: 268435456}, pids: {limit: 100}}'
  create_start c1
  local mem pids
  mem=$(mem_limit_file)
  pids=$(pids_limit_file)
  status=0
  echo '{"memory": {"limit": 33554432}, "pids": {"limit": 15}}' | rt update --resources - c1 3>&- || status=$?
  [ "$status" -eq 0 ]
  [ "$(cat "$mem")" = 33554432 ]
  [ "$(cat "$pids")" = 15 ]
  echo '{"memory": {"limit": 50331648}}' > "$BATS_TEST_TMPDIR/res.json"
  r update --resources="$BATS_TEST_TMPDIR/res.json" c1
  [ "$status" -eq 0 ]
  [ "$(cat "$mem")" = 50331648 ]
  [ "$(cat "$pids")" = 15 ]
  kill_and_delete c1
  assert_nothing_left c1
}

@test "update leaves the device rules as they are: the container never loses /dev/null meanwhile" {
  require_root
  # The init opens /dev/null again and again, and notes every failure.
  lt_bundle sh -c 'echo END; while :; do true < /dev/null || echo fail >> /shared/fails; done'
  create_start c1
  for i in $(seq 30); do
    r update --pids-limit $((100 + i)) c1
    [ "$status" -eq 0 ]
  done
  [ ! -e "$SHARED/fails" ] || { echo "$(wc -l < "$SHARED/fails") opens of /dev/null failed"; false; }
  # Device rules in an update are not applied (nor by runc), with a warning.
  echo '{"devices": [{"allow": false, "type": "c", "major": 1, "minor": 3, "access": "rwm"}]}' > "$BATS_TEST_TMPDIR/dev.json"
  r update --resources "$BATS_TEST_TMPDIR/dev.json" c1
  [ "$status" -eq 0 ]
  [[ "$output" == *"device rules are not changed by update"* ]]
  sleep 0.2
  [ ! -e "$SHARED/fails" ]
  kill_and_delete c1
  assert_nothing_left c1
}

@test "update with bad JSON names the field and changes nothing" {
  require_root
  sleeper_bundle
  config_edit '.linux.resources = {pids: {limit: 100}}'
  create_start c1
  local pids
  pids=$(pids_limit_file)
  echo '{"pids": {"limit": 5}, "memory": {"limit": "lots"}}' > "$BATS_TEST_TMPDIR/bad.json"
  r update --resources "$BATS_TEST_TMPDIR/bad.json" c1
  failed_status
  [[ "$OCIRUN" == */runc ]] || [[ "$output" == *"memory.limit: expected"* ]]
  [ "$(cat "$pids")" = 100 ]
  r update --memory lots c1
  failed_status
  [[ "$output" == *"memory"* ]]
  status=0
  echo '{"memory": ' | rt update -r - c1 3>&- 2>"$BATS_TEST_TMPDIR/err" || status=$?
  failed_status
  [ "$(cat "$pids")" = 100 ]
  kill_and_delete c1
  assert_nothing_left c1
}

@test "update: memory.checkBeforeUpdate refuses a limit below the usage" {
  require_root
  [[ "$OCIRUN" != */runc ]] || skip "runc checks on cgroup v2 only"
  sleeper_bundle
  config_edit '.linux.resources = {memory: {limit: 268435456}}'
  create_start c1
  local mem
  mem=$(mem_limit_file)
  echo '{"memory": {"limit": 4096, "checkBeforeUpdate": true}}' > "$BATS_TEST_TMPDIR/res.json"
  r update -r "$BATS_TEST_TMPDIR/res.json" c1
  failed_status
  [[ "$output" == *"below the current usage"* ]]
  [ "$(cat "$mem")" = 268435456 ]
  kill_and_delete c1
  assert_nothing_left c1
}

@test "update of a stopped or missing container fails" {
  require_root
  lt_bundle true
  rt_create c1
  rt start c1
  wait_state c1 stopped
  r update --pids-limit 10 c1
  failed_status
  [[ "$output" == *"not running"* ]]
  r update --pids-limit 10 nosuch
  failed_status
  [[ "$output" == *"does not exist"* ]]
  rt delete c1
  assert_nothing_left c1
}

@test "events --stats prints one stats object with a plausible memory usage" {
  require_root
  sleeper_bundle
  config_edit '.linux.resources = {memory: {limit: 268435456}, pids: {limit: 100}}'
  create_start c1
  r events --stats c1
  [ "$status" -eq 0 ]
  [ "$(wc -l < "$BATS_TEST_TMPDIR/r.out")" -eq 1 ]
  jq -e '.type == "stats" and .id == "c1"' "$BATS_TEST_TMPDIR/r.out"
  # A shell and a sleep: more than 16 KiB, less than the 256 MiB limit.
  jq -e '.data.memory.usage.usage > 16384 and .data.memory.usage.usage < 268435456' "$BATS_TEST_TMPDIR/r.out"
  jq -e '.data.memory.usage.limit == 268435456' "$BATS_TEST_TMPDIR/r.out"
  jq -e '.data.pids.current >= 1 and .data.pids.limit == 100' "$BATS_TEST_TMPDIR/r.out"
  jq -e '(.data.cpu.usage | type) == "object" and (.data.blkio | type) == "object" and (.data.hugetlb | type) == "object"' \
    "$BATS_TEST_TMPDIR/r.out"
  kill_and_delete c1
  r events --stats c1
  failed_status
  assert_nothing_left c1
}

@test "events streams stats at --interval and exits when the container stops" {
  require_root
  sleeper_bundle
  create_start c1
  rt events --interval 100ms c1 </dev/null >"$BATS_TEST_TMPDIR/events.out" 2>"$BATS_TEST_TMPDIR/events.err" 3>&- &
  EVENTS_PID=$!
  wait_for eval '[ "$(grep -c "\"type\":\"stats\"" "$BATS_TEST_TMPDIR/events.out")" -ge 2 ]'
  rt kill c1 KILL
  # runc's stream goes on after the container stopped; ocirun's ends, with 0.
  [[ "$OCIRUN" != */runc ]] || { kill "$EVENTS_PID"; wait "$EVENTS_PID" || true; EVENTS_PID=; }
  if [ -n "$EVENTS_PID" ]; then
    wait_for pid_dead "$EVENTS_PID"
    local st=0
    wait "$EVENTS_PID" || st=$?
    EVENTS_PID=
    [ "$st" -eq 0 ]
  fi
  # Every line is one JSON event.
  jq -e -s 'length >= 2 and all(.[]; .id == "c1" and (.type == "stats" or .type == "oom"))' "$BATS_TEST_TMPDIR/events.out"
  wait_state c1 stopped
  rt delete c1
  assert_nothing_left c1
}

@test "events reports an oom kill" {
  require_root
  [[ "$OCIRUN" != */runc ]] || skip "runc reports oom through its own notifier"
  lt_bundle sh -c 'echo END; read x < /shared/go; x=a; while true; do x=$x$x; done'
  config_edit '.linux.resources = {memory: {limit: 16777216, swap: 16777216}}'
  mkfifo "$SHARED/go"
  create_start c1
  rt events --interval 10s c1 </dev/null >"$BATS_TEST_TMPDIR/events.out" 2>"$BATS_TEST_TMPDIR/events.err" 3>&- &
  EVENTS_PID=$!
  # The first stats event says the stream is watching.
  wait_for grep -q '"type":"stats"' "$BATS_TEST_TMPDIR/events.out"
  echo go > "$SHARED/go"
  wait_for pid_dead "$EVENTS_PID"
  local st=0
  wait "$EVENTS_PID" || st=$?
  EVENTS_PID=
  [ "$st" -eq 0 ]
  grep -qxF '{"type":"oom","id":"c1"}' "$BATS_TEST_TMPDIR/events.out"
  wait_state c1 stopped
  rt delete c1
  assert_nothing_left c1
}

@test "features: every listed mount option is accepted by create" {
  require_root
  [[ "$OCIRUN" != */runc ]] || skip "checks ocirun's own features document"
  sleeper_bundle
  local opts mounts
  opts=$("$OCIRUN" features | jq -c '.mountOptions')
  # One tmpfs per option; bind and rbind get a bind mount of a host dir;
  # remount needs a mount already there (a tmpfs made just before); the
  # idmap options need mappings (rootfs.bats and mounts.bats test them).
  mkdir -p "$BATS_TEST_TMPDIR/src"
  mounts=$(jq -c --arg src "$BATS_TEST_TMPDIR/src" '[
      .[] | select(. != "idmap" and . != "ridmap") |
      if . == "bind" or . == "rbind" then {destination: ("/mnt/o-" + .), type: "bind", source: $src, options: [.]}
      elif . == "remount" then
        ({destination: "/mnt/o-remount", type: "tmpfs", source: "tmpfs", options: []},
         {destination: "/mnt/o-remount", type: "tmpfs", source: "tmpfs", options: ["remount", "ro"]})
      else {destination: ("/mnt/o-" + .), type: "tmpfs", source: "tmpfs", options: [.]} end]' <<<"$opts")
  config_edit --argjson m "$mounts" '.mounts += $m'
  rt_create c1
  echo "$output"
  [ "$status" -eq 0 ]
  # Every option made its mount.
  rt start c1
  wait_output c1
  r exec c1 sh -c 'grep " /mnt/o-" /proc/self/mountinfo | cut -d" " -f5 | sort -u | wc -l'
  [ "$status" -eq 0 ]
  [ "$output" -eq "$(jq '[.[].destination] | unique | length' <<<"$mounts")" ]
  kill_and_delete c1
  assert_nothing_left c1
}

@test "features: namespaces, hooks and cgroup flags match what this build does" {
  [[ "$OCIRUN" != */runc ]] || skip "checks ocirun's own features document"
  run "$OCIRUN" features
  [ "$status" -eq 0 ]
  echo "$output" | jq -e '.linux.namespaces | sort == ["cgroup","ipc","mount","network","pid","time","user","uts"]'
  echo "$output" | jq -e '.hooks == ["prestart","createRuntime","createContainer","startContainer","poststart","poststop"]'
  echo "$output" | jq -e '.linux.cgroup.v1 and .linux.cgroup.v2 and (.linux.cgroup.systemd | not)'
  echo "$output" | jq -e '.linux.intelRdt.enabled == false and .potentiallyUnsafeConfigAnnotations == []'
  # idmapped mounts (userns_mounts.bats tests them)
  echo "$output" | jq -e '.linux.mountExtensions.idmap.enabled == true'
  # seccomp: every supported flag is a known flag.
  echo "$output" | jq -e '.linux.seccomp.enabled and (.linux.seccomp.supportedFlags - .linux.seccomp.knownFlags == [])'
}
