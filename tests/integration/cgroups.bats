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

@test "cgroups v1: memory limit and memsw lowered then raised in place: the writes are ordered by the current limit" {
  require_root
  require_v1 memory
  [ -e "$(v1_mount memory)/memory.memsw.limit_in_bytes" ] || skip "no swap accounting (memory.memsw) on this host"
  lt_bundle sleep 100
  config_edit '.linux.resources.memory = {"limit": 67108864, "swap": 134217728}'
  rt_create u1
  [ "$status" -eq 0 ]
  dir=$(v1_dir memory)
  [ "$(cat "$dir/memory.limit_in_bytes")" = 67108864 ]
  [ "$(cat "$dir/memory.memsw.limit_in_bytes")" = 134217728 ]
  # Lowering both: memsw 48 MiB is below the current 64 MiB limit, so the
  # limit must go first.
  "$CGCTL" apply "$dir" <<<'{"memory": {"limit": 33554432, "swap": 50331648}}'
  [ "$(cat "$dir/memory.limit_in_bytes")" = 33554432 ]
  [ "$(cat "$dir/memory.memsw.limit_in_bytes")" = 50331648 ]
  # Raising both: the limit 256 MiB is above the current memsw 48 MiB, so
  # memsw must go first.
  "$CGCTL" apply "$dir" <<<'{"memory": {"limit": 268435456, "swap": 536870912}}'
  [ "$(cat "$dir/memory.limit_in_bytes")" = 268435456 ]
  [ "$(cat "$dir/memory.memsw.limit_in_bytes")" = 536870912 ]
  # A limit above memsw is refused by the plan, before any write.
  run "$CGCTL" apply "$dir" <<<'{"memory": {"limit": 268435456, "swap": 1048576}}'
  [ "$status" -ne 0 ]
  [[ "$output" == *"linux.resources.memory.swap: memory+swap must be no smaller than the memory limit"* ]]
  [ "$(cat "$dir/memory.limit_in_bytes")" = 268435456 ]
  rt delete --force u1
  assert_nothing_left u1
}

@test "cgroups: an existing cgroup with processes, or frozen, is refused at create naming linux.cgroupsPath; an empty one is used and kept" {
  require_root
  require_v1 memory freezer
  lt_bundle sh -c 'echo RAN=yes'
  mem=$(v1_dir memory)
  frz=$(v1_dir freezer)
  mkdir "$mem" "$frz"
  # Not empty: a process of the test's in the memory cgroup.
  sleep 100 &
  holder=$!
  echo "$holder" > "$mem/cgroup.procs"
  rt_create e1
  [ "$status" -ne 0 ]
  [[ "$output" == *"linux.cgroupsPath: cgroup \`$mem\` is not empty: 1 process(es) in it or below it"* ]]
  kill "$holder"
  wait "$holder" || true
  # Frozen (v1 freezer).
  echo FROZEN > "$frz/freezer.state"
  rt_create e2
  [ "$status" -ne 0 ]
  [[ "$output" == *"linux.cgroupsPath: cgroup \`$frz\` is frozen"* ]]
  echo THAWED > "$frz/freezer.state"
  # Empty and thawed: used, as runc does; delete leaves the dirs it did not make.
  rt_run e3 --keep
  [ "$status" -eq 0 ]
  [ "$(out_value e3 RAN)" = yes ]
  rt delete e3
  [ -d "$mem" ] && [ -d "$frz" ]
  rmdir "$mem" "$frz"
  assert_nothing_left e1 e2 e3
}

@test "cgroups: invalid cgroupsPath values are refused at create, naming the field, and leave nothing" {
  require_root
  lt_bundle true
  local i=0 path want
  while IFS='|' read -r path want; do
    i=$((i + 1))
    config_edit --arg p "$path" '.linux.cgroupsPath = $p'
    rt_create "bad$i"
    [ "$status" -ne 0 ]
    [[ "$output" == *"$want"* ]] || { echo "cgroupsPath $path: $output"; false; }
    assert_nothing_left "bad$i"
  done <<'END'
machine.slice:libpod:abc|linux.cgroupsPath: invalid value "machine.slice:libpod:abc": the "slice:prefix:name" form needs the systemd cgroup driver
ocirun-x//y|linux.cgroupsPath: invalid value "ocirun-x//y": empty path component
ocirun-x/cgroup.procs|`cgroup.procs` is a cgroup interface file, not a cgroup
/|the root cgroup belongs to the host
END
  # A controller's interface file in the way (the test's own cgroup's file
  # in the memory hierarchy): found at create, before anything is made.
  if [ -n "$(v1_mount memory)" ]; then
    config_edit '.linux.cgroupsPath = "memory.limit_in_bytes"'
    rt_create bad9
    [ "$status" -ne 0 ]
    [[ "$output" == *"linux.cgroupsPath: \`"*"/memory.limit_in_bytes\` is a file, not a cgroup"* ]]
    assert_nothing_left bad9
  fi
}

@test "cgroups: a hugepageLimits page size the host lacks is refused, naming pageSize, and leaves nothing" {
  require_root
  local size=
  for s in 1GB 32MB 64KB 16GB; do
    case $s in
      *GB) kb=$(( ${s%GB} * 1048576 )) ;;
      *MB) kb=$(( ${s%MB} * 1024 )) ;;
      *KB) kb=${s%KB} ;;
    esac
    [ -d "/sys/kernel/mm/hugepages/hugepages-${kb}kB" ] || { size=$s; break; }
  done
  [ -n "$size" ] || skip "this host has every candidate huge page size"
  lt_bundle true
  config_edit --arg s "$size" '.linux.resources.hugepageLimits = [{"pageSize": $s, "limit": 0}]'
  rt_create hp1
  [ "$status" -ne 0 ]
  [[ "$output" == *"linux.resources.hugepageLimits[0].pageSize: this host has no $size huge pages"* ]]
  assert_nothing_left hp1
}

@test "cgroups v1: ownership is never given on v1, even with a cgroup namespace and a read-write cgroup mount" {
  require_root
  require_v1 memory
  lt_bundle true
  config_edit '.process.user = {"uid": 1000, "gid": 1000}
    | .linux.namespaces = ([.linux.namespaces[] | select(.type != "cgroup")] + [{"type": "cgroup"}])
    | .mounts = [.mounts[] | select(.destination != "/sys/fs/cgroup")]
    | .mounts += [{"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["nosuid", "noexec", "nodev", "rw"]}]'
  rt_create o1
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  dir=$(v1_dir memory)
  [ "$(stat -c %u "$dir")" = 0 ]
  [ "$(stat -c %u "$dir/cgroup.procs")" = 0 ]
  rt delete --force o1
  assert_nothing_left o1
}
