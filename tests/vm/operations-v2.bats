#!/usr/bin/env bats
# update, pause and events on a pure cgroup v2 kernel: run by
# tests/vm/lane.sh inside the VM (cgroup_no_v1=all). The host suite
# (tests/integration/operations.bats) covers the hybrid v1 layout.

load v2_helpers

start_sleeper() {
  lt_bundle sh -c 'echo END; i=0; while true; do i=$((i + 1)); echo $i > /shared/count.new; mv /shared/count.new /shared/count; sleep 0.02; done'
  config_edit '.linux.resources = {memory: {limit: 268435456}, pids: {limit: 100}, cpu: {quota: 50000, period: 100000}}'
  rt_create "$1"
  [ "$status" -eq 0 ]
  rt start "$1"
  wait_for out_has_line "$1" END
}

count() { cat "$SHARED/count" 2>/dev/null || echo 0; }
count_above() { [ "$(count)" -gt "$1" ]; }

@test "v2 update: memory.max, pids.max and cpu.max follow update, merged" {
  start_sleeper u1
  dir=$(v2_dir)
  [ "$(cat "$dir/memory.max")" = 268435456 ]
  [ "$(cat "$dir/pids.max")" = 100 ]
  [ "$(cat "$dir/cpu.max")" = "50000 100000" ]
  rt update --memory 64m --pids-limit 20 --cpu-quota 20000 u1
  [ "$(cat "$dir/memory.max")" = 67108864 ]
  [ "$(cat "$dir/pids.max")" = 20 ]
  [ "$(cat "$dir/cpu.max")" = "20000 100000" ]
  echo '{"memory": {"limit": -1}, "pids": {"limit": -1}}' | rt update --resources - u1 3>&-
  [ "$(cat "$dir/memory.max")" = max ]
  [ "$(cat "$dir/pids.max")" = max ]
  [ "$(cat "$dir/cpu.max")" = "20000 100000" ]
  rt kill u1 KILL
  wait_state u1 stopped
  rt delete u1
  assert_nothing_left u1
}

@test "v2 pause: cgroup.freeze stops the container, resume lets it go on; frozen by another, it is paused" {
  start_sleeper p1
  dir=$(v2_dir)
  wait_for count_above 2
  rt pause p1
  [ "$(cat "$dir/cgroup.freeze")" = 1 ]
  grep -qx 'frozen 1' "$dir/cgroup.events"
  [ "$(state_field p1 status)" = paused ]
  before=$(count)
  sleep 0.5
  [ "$(count)" = "$before" ]
  rt resume p1
  [ "$(cat "$dir/cgroup.freeze")" = 0 ]
  [ "$(state_field p1 status)" = running ]
  wait_for count_above "$before"
  # Frozen by someone else (cgroup.freeze written directly): paused for
  # state; resume thaws it.
  echo 1 > "$dir/cgroup.freeze"
  wait_for grep -qx 'frozen 1' "$dir/cgroup.events"
  [ "$(state_field p1 status)" = paused ]
  before=$(count)
  rt resume p1
  [ "$(state_field p1 status)" = running ]
  wait_for count_above "$before"
  # SIGKILL to a paused container kills it.
  rt pause p1
  rt kill p1 KILL
  wait_state p1 stopped
  rt delete p1
  assert_nothing_left p1
}

@test "v2 events --stats: memory and pids from the v2 files" {
  start_sleeper e1
  rt events --stats e1 > "$BATS_TEST_TMPDIR/stats.json"
  jq -e '.type == "stats" and .data.memory.usage.usage > 16384 and .data.memory.usage.limit == 268435456' \
    "$BATS_TEST_TMPDIR/stats.json"
  jq -e '.data.pids.current >= 1 and .data.pids.limit == 100 and .data.cpu.usage.total > 0' "$BATS_TEST_TMPDIR/stats.json"
  rt delete --force e1
  assert_nothing_left e1
}
