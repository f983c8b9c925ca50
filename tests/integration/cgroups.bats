#!/usr/bin/env bats
# linux.resources on this host's cgroups. Here that is a hybrid host: the v1
# controllers, read from the host side in the container's own directories,
# and the limits seen acting from inside. The pure v2 backend is tested in
# the VM lane (tests/vm/). Each test checks that nothing is left.

load helpers

setup() {
  lt_setup
}

teardown() {
  lt_teardown
}

# The mount point of the v1 hierarchy holding CONTROLLER, empty if none.
v1_mount() {
  awk -v c="$1" '/ - cgroup / { n = split($NF, o, ","); for (i = 1; i <= n; i++) if (o[i] == c) { print $5; exit } }' \
    /proc/self/mountinfo
}

require_v1() {
  local c
  for c in "$@"; do
    [ -n "$(v1_mount "$c")" ] || skip "no cgroup v1 $c controller on this host (the VM lane tests v2)"
  done
}

# The container's directory in CONTROLLER's v1 hierarchy: a relative
# cgroupsPath goes under the test's own cgroup there.
v1_dir() {
  local own
  own=$(awk -F: -v c="$1" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' /proc/self/cgroup)
  own=${own%/}
  echo "$(v1_mount "$1")$own/$CGNAME"
}

# The capabilities mknod needs, whatever the default set is: the device
# rules must be what refuses, not the lack of CAP_MKNOD.
# (CAP_SYSLOG: reading /dev/kmsg takes it when kernel.dmesg_restrict is 1.)
with_mknod_caps() {
  config_edit '.process.capabilities = ({} | .bounding = ["CAP_MKNOD", "CAP_DAC_OVERRIDE", "CAP_SYSLOG"] | .effective = .bounding
    | .permitted = .bounding)'
}

@test "cgroups v1: memory.limit 20 MiB: set in the memory controller; 64 MiB OOM-killed, 8 MiB survives" {
  require_root
  require_v1 memory
  lt_bundle sh -c 'dd if=/dev/zero of=/dev/null bs=8M count=1 2>/dev/null && echo SMALL=ok
    dd if=/dev/zero of=/dev/null bs=64M count=1 2>/dev/null; echo BIG=$?'
  config_edit '.linux.resources.memory = {"limit": 20971520}'
  rt_run m1 --keep
  [ "$status" -eq 0 ]
  dir=$(v1_dir memory)
  [ "$(cat "$dir/memory.limit_in_bytes")" = 20971520 ]
  [ "$(out_value m1 SMALL)" = ok ]
  [ "$(out_value m1 BIG)" = 137 ]   # SIGKILL from the OOM killer
  grep -Eq '^oom_kill [1-9]' "$dir/memory.oom_control"
  rt delete m1
  assert_nothing_left m1
}

@test "cgroups v1: pids.limit stops a fork bomb" {
  require_root
  require_v1 pids
  lt_bundle sh -c 'i=0; while [ $i -lt 20 ]; do sleep 100 & i=$((i+1)); done; echo ALL=forked'
  config_edit '.linux.resources.pids = {"limit": 5}'
  rt_run p1 --keep
  dir=$(v1_dir pids)
  [ "$(cat "$dir/pids.max")" = 5 ]
  [[ "$output" == *"can't fork"* ]]
  [ -z "$(out_value p1 ALL)" ]
  grep -Eq '^max [1-9]' "$dir/pids.events"
  rt delete p1
  assert_nothing_left p1
}

@test "cgroups v1: cpu quota, period and shares; a busy loop is throttled" {
  require_root
  require_v1 cpu
  lt_bundle sh -c 'timeout 1 sh -c "while :; do :; done"; echo END'
  config_edit '.linux.resources.cpu = {"quota": 10000, "period": 100000, "shares": 512}'
  rt_run c1 --keep
  dir=$(v1_dir cpu)
  [ "$(cat "$dir/cpu.cfs_quota_us")" = 10000 ]
  [ "$(cat "$dir/cpu.cfs_period_us")" = 100000 ]
  [ "$(cat "$dir/cpu.shares")" = 512 ]
  grep -Eq '^nr_throttled [1-9]' "$dir/cpu.stat"
  rt delete c1
  assert_nothing_left c1
}

@test "cgroups v1: cpuset pins the container to the cpus and mems given" {
  require_root
  require_v1 cpuset
  lt_bundle sh -c 'grep -E "^(Cpus|Mems)_allowed_list" /proc/self/status | tr -d "\t" | tr : =; echo END'
  config_edit '.linux.resources.cpu = {"cpus": "0", "mems": "0"}'
  rt_run s1 --keep
  [ "$(cat "$(v1_dir cpuset)/cpuset.cpus")" = 0 ]
  [ "$(out_value s1 Cpus_allowed_list)" = 0 ]
  [ "$(out_value s1 Mems_allowed_list)" = 0 ]
  rt delete s1
  assert_nothing_left s1
}

@test "cgroups v1: device rules: a device not allowed cannot be made; one allowed read-only opens only for reading" {
  require_root
  require_v1 devices
  lt_bundle sh -c '
    mknod /dev/mem2 c 1 1 2>/dev/null && echo MEM=made || echo MEM=denied
    mknod /dev/kmsg2 c 1 11 && echo KMSG=made
    (: < /dev/kmsg2) 2>/dev/null && echo KR=ok || echo KR=denied
    (: > /dev/kmsg2) 2>/dev/null && echo KW=ok || echo KW=denied
    echo ZERO=$(head -c 3 /dev/zero | wc -c)
    echo x > /dev/null && echo NULL=ok
    echo END'
  with_mknod_caps
  config_edit '.linux.resources.devices = [{"allow": false, "access": "rwm"},
                                          {"allow": true, "type": "c", "major": 1, "minor": 11, "access": "rm"}]'
  rt_run d1 --keep
  [ "$status" -eq 0 ]
  [ "$(out_value d1 MEM)" = denied ]
  [ "$(out_value d1 KMSG)" = made ]
  [ "$(out_value d1 KR)" = ok ]
  [ "$(out_value d1 KW)" = denied ]
  [ "$(out_value d1 ZERO)" = 3 ]     # the default devices stay usable
  [ "$(out_value d1 NULL)" = ok ]
  list=$(cat "$(v1_dir devices)/devices.list")
  grep -qxF 'c 1:11 rm' <<<"$list"
  grep -qxF 'c 1:3 rwm' <<<"$list"
  ! grep -qxF 'a *:* rwm' <<<"$list"
  rt delete d1
  assert_nothing_left d1
}

@test "cgroups v1: without linux.resources the container still gets only the default devices" {
  require_root
  require_v1 devices
  lt_bundle sh -c 'mknod /dev/sda9 b 8 9 2>/dev/null && echo SDA=made || echo SDA=denied; echo END'
  with_mknod_caps
  config_edit 'del(.linux.resources)'
  rt_run d2
  [ "$status" -eq 0 ]
  [ "$(out_value d2 SDA)" = denied ]
  assert_nothing_left d2
}

@test "cgroups v1: a controller the config needs but the host lacks fails create, naming it, and leaves nothing" {
  require_root
  [ -z "$(v1_mount hugetlb)" ] || skip "this host has the v1 hugetlb controller"
  [ -z "$(v1_mount net_cls)" ] || skip "this host has the v1 net_cls controller"
  [ -n "$(v1_mount memory)" ] || skip "not a v1 host"
  lt_bundle true
  config_edit '.linux.resources.hugepageLimits = [{"pageSize": "2MB", "limit": 0}]'
  rt_create h1
  [ "$status" -ne 0 ]
  [[ "$output" == *'linux.resources.hugepageLimits[0]: the `hugetlb` cgroup controller is not mounted on this host'* ]]
  assert_nothing_left h1

  lt_bundle true
  config_edit '.linux.resources.network = {"classID": 1048577}'
  rt_create h2
  [ "$status" -ne 0 ]
  [[ "$output" == *'linux.resources.network.classID: the `net_cls` cgroup controller is not mounted'* ]]
  assert_nothing_left h2
}

@test "--systemd-cgroup is refused as not supported yet, and leaves nothing" {
  require_root
  lt_bundle true
  run rt --systemd-cgroup create --bundle "$BUNDLE" sd1
  [ "$status" -ne 0 ]
  [[ "$output" == *"--systemd-cgroup: not supported yet"* ]]
  assert_nothing_left sd1
}

CGCTL=${CGCTL:-$TOP/build/tests/cgctl}

count_is_not() {
  [ -s "$SHARED/count" ] && [ "$(cat "$SHARED/count")" != "$1" ]
}

@test "cgroups v1: freeze stops a counting process, thaw resumes it (freezer.state)" {
  require_root
  require_v1 freezer
  lt_bundle sh -c 'i=0; while :; do i=$((i+1)); echo $i > /shared/c.tmp; mv /shared/c.tmp /shared/count; done'
  rt_create f1
  [ "$status" -eq 0 ]
  rt start f1
  wait_for count_is_not ""
  dir=$(v1_dir freezer)
  "$CGCTL" freeze "$dir"
  [ "$("$CGCTL" state "$dir")" = paused ]
  [ "$(cat "$dir/freezer.state")" = FROZEN ]
  before=$(cat "$SHARED/count")
  sleep 0.3
  [ "$(cat "$SHARED/count")" = "$before" ]   # frozen: it cannot have moved
  "$CGCTL" thaw "$dir"
  [ "$("$CGCTL" state "$dir")" = running ]
  wait_for count_is_not "$before"
  kill_and_delete f1
  assert_nothing_left f1
}

@test "cgroups v1: kill all (freeze, signal each, thaw) kills a process tree without a pid namespace" {
  require_root
  require_v1 freezer memory
  lt_bundle sh -c 'sleep 100 & sleep 100 & echo END; wait'
  ns_remove pid
  rt_create k1
  [ "$status" -eq 0 ]
  rt start k1
  wait_output k1
  dirs="$(v1_dir freezer) $(v1_dir memory)"
  [ "$("$CGCTL" pids $dirs | wc -l)" -eq 3 ]
  "$CGCTL" kill $dirs
  wait_for eval '[ -z "$("$CGCTL" pids $dirs)" ]'
  wait_state k1 stopped
  grep -Eq '^memory.usage_in_bytes=' <("$CGCTL" stats $dirs)
  rt delete k1
  assert_nothing_left k1
}
