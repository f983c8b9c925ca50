#!/usr/bin/env bats
# The cgroup v2 backend on a real pure v2 kernel: run by tests/vm/lane.sh
# inside the VM (cgroup_no_v1=all), as root, from /ci.slice/run.scope as on
# a systemd host. Each test reads the container's cgroup files from the
# guest's side and checks the limit acting from inside; nothing is left.

load v2_helpers

CGCTL=${CGCTL:-$TOP/build/tests/cgctl}

count_is_not() {
  [ -s "$SHARED/count" ] && [ "$(cat "$SHARED/count")" != "$1" ]
}

@test "v2: memory.max 20 MiB: 64 MiB is OOM-killed, 8 MiB survives, memory.events counts it" {
  lt_bundle sh -c 'dd if=/dev/zero of=/dev/null bs=8M count=1 2>/dev/null && echo SMALL=ok
    dd if=/dev/zero of=/dev/null bs=64M count=1 2>/dev/null; echo BIG=$?'
  config_edit '.linux.resources.memory = {"limit": 20971520, "swap": 20971520}'
  rt_run m1 --keep
  [ "$status" -eq 0 ]
  dir=$(v2_dir)
  [ "$(cat "$dir/memory.max")" = 20971520 ]
  [ "$(cat "$dir/memory.swap.max")" = 0 ]   # memory+swap equal to memory: no swap
  [ "$(out_value m1 SMALL)" = ok ]
  [ "$(out_value m1 BIG)" = 137 ]
  grep -Eq '^oom_kill [1-9]' "$dir/memory.events"
  grep -Eq '^memory.events.oom_kill=[1-9]' <("$CGCTL" stats "$dir")
  rt delete m1
  assert_nothing_left m1
}

@test "v2: pids.max stops a fork bomb" {
  lt_bundle sh -c 'i=0; while [ $i -lt 20 ]; do sleep 100 & i=$((i+1)); done; echo ALL=forked'
  config_edit '.linux.resources.pids = {"limit": 5}'
  rt_run p1 --keep
  dir=$(v2_dir)
  [ "$(cat "$dir/pids.max")" = 5 ]
  [[ "$output" == *"can't fork"* ]]
  [ -z "$(out_value p1 ALL)" ]
  grep -Eq '^max [1-9]' "$dir/pids.events"
  rt delete p1
  assert_nothing_left p1
}

@test "v2: cpu quota and shares become cpu.max and cpu.weight; a busy loop is throttled" {
  lt_bundle sh -c 'timeout 1 sh -c "while :; do :; done"; echo END'
  config_edit '.linux.resources.cpu = {"quota": 10000, "period": 100000, "shares": 512}'
  rt_run c1 --keep
  dir=$(v2_dir)
  [ "$(cat "$dir/cpu.max")" = "10000 100000" ]
  [ "$(cat "$dir/cpu.weight")" = 20 ]   # runc's conversion of 512 shares
  grep -Eq '^nr_throttled [1-9]' "$dir/cpu.stat"
  rt delete c1
  assert_nothing_left c1
}

@test "v2: cpuset pins the container to cpu 0" {
  lt_bundle sh -c 'grep -E "^Cpus_allowed_list" /proc/self/status | tr -d "\t" | tr : =; echo END'
  config_edit '.linux.resources.cpu = {"cpus": "0", "mems": "0"}'
  rt_run s1 --keep
  [ "$(cat "$(v2_dir)/cpuset.cpus")" = 0 ]
  [ "$(out_value s1 Cpus_allowed_list)" = 0 ]
  rt delete s1
  assert_nothing_left s1
}

@test "v2: blockIO throttles land in io.max on a loop device" {
  img=$BATS_TEST_TMPDIR/disk.img
  truncate -s 8M "$img"
  loop=$(losetup --find --show "$img")
  majmin=$(lsblk -dno MAJ:MIN "$loop" | tr -d ' ')
  major=${majmin%:*} minor=${majmin#*:}
  lt_bundle true
  config_edit --argjson ma "$major" --argjson mi "$minor" '.linux.resources.blockIO = {
    "throttleReadBpsDevice": [{"major": $ma, "minor": $mi, "rate": 1048576}],
    "throttleWriteIOPSDevice": [{"major": $ma, "minor": $mi, "rate": 100}]}'
  rt_run b1 --keep
  line=$(cat "$(v2_dir)/io.max")
  rt delete b1
  losetup -d "$loop"
  [ "$line" = "$majmin rbps=1048576 wbps=max riops=max wiops=100" ]
  assert_nothing_left b1
}

@test "v2: the eBPF device filter: /dev/null works, a device not allowed cannot be made or opened, one allowed read-only opens only for reading" {
  lt_bundle sh -c '
    mknod /dev/mem2 c 1 1 2>/dev/null && echo MEM=made || echo MEM=denied
    mknod /dev/kmsg2 c 1 11 && echo KMSG=made
    (: < /dev/kmsg2) 2>/dev/null && echo KR=ok || echo KR=denied
    (: > /dev/kmsg2) 2>/dev/null && echo KW=ok || echo KW=denied
    echo ZERO=$(head -c 3 /dev/zero | wc -c)
    echo x > /dev/null && echo NULL=ok
    echo END'
  # (CAP_SYSLOG: reading /dev/kmsg takes it where kernel.dmesg_restrict is 1.)
  config_edit '.process.capabilities = ({} | .bounding = ["CAP_MKNOD", "CAP_DAC_OVERRIDE", "CAP_SYSLOG"] | .effective = .bounding
    | .permitted = .bounding)'
  config_edit '.linux.resources.devices = [{"allow": false, "access": "rwm"},
                                          {"allow": true, "type": "c", "major": 1, "minor": 11, "access": "rm"}]'
  rt_run d1
  [ "$status" -eq 0 ]
  [ "$(out_value d1 MEM)" = denied ]
  [ "$(out_value d1 KMSG)" = made ]
  [ "$(out_value d1 KR)" = ok ]
  [ "$(out_value d1 KW)" = denied ]
  [ "$(out_value d1 ZERO)" = 3 ]
  [ "$(out_value d1 NULL)" = ok ]
  assert_nothing_left d1
}

@test "v2: freeze stops a counting process and thaw resumes it (cgroup.freeze)" {
  lt_bundle sh -c 'i=0; while :; do i=$((i+1)); echo $i > /shared/c.tmp; mv /shared/c.tmp /shared/count; done'
  rt_create f1
  [ "$status" -eq 0 ]
  rt start f1
  wait_for count_is_not ""
  dir=$(v2_dir)
  "$CGCTL" freeze "$dir"
  [ "$("$CGCTL" state "$dir")" = paused ]
  grep -qx 'frozen 1' "$dir/cgroup.events"
  before=$(cat "$SHARED/count")
  sleep 0.3
  [ "$(cat "$SHARED/count")" = "$before" ]
  "$CGCTL" thaw "$dir"
  [ "$("$CGCTL" state "$dir")" = running ]
  wait_for count_is_not "$before"
  kill_and_delete f1
  assert_nothing_left f1
}

@test "v2: cgroup.kill kills a process tree without a pid namespace" {
  lt_bundle sh -c 'sleep 100 & (sleep 100 & wait) & echo END; wait'
  ns_remove pid
  rt_create k1
  [ "$status" -eq 0 ]
  rt start k1
  wait_output k1
  dir=$(v2_dir)
  [ "$("$CGCTL" pids "$dir" | wc -l)" -ge 4 ]
  "$CGCTL" kill "$dir"
  wait_for eval '[ -z "$("$CGCTL" pids "$dir")" ]'
  wait_state k1 stopped
  rt delete k1
  assert_nothing_left k1
}

@test "v2: unified keys are written verbatim; a controller the host lacks is refused, leaving nothing" {
  lt_bundle true
  config_edit '.linux.resources.unified = {"memory.high": "10485760"}'
  rt_run u1 --keep
  [ "$(cat "$(v2_dir)/memory.high")" = 10485760 ]
  rt delete u1
  assert_nothing_left u1

  lt_bundle true
  config_edit '.linux.resources.unified = {"nosuch.max": "1"}'
  rt_create u2
  [ "$status" -ne 0 ]
  [[ "$output" == *'the `nosuch` cgroup controller is not available on this host'* ]]
  assert_nothing_left u2

  lt_bundle true
  config_edit '.linux.resources.network = {"classID": 1}'
  rt_create u3
  [ "$status" -ne 0 ]
  [[ "$output" == *'linux.resources.network: net_cls and net_prio do not exist on cgroup v2'* ]]
  assert_nothing_left u3
}

@test "v2: the container runs in its own cgroup under the runtime's parent cgroup" {
  lt_bundle sh -c 'cat /proc/self/cgroup; echo END'
  ns_remove cgroup
  rt_run i1
  [ "$status" -eq 0 ]
  want=$(v2_dir)
  [[ "$output" == *"0::${want#/sys/fs/cgroup}"* ]]
  assert_nothing_left i1
}

@test "v2: a new device filter replaces the old one (as update does), not adds to it" {
  lt_bundle sh -c 'mknod /dev/mem2 c 1 1 2>/dev/null && echo MEM=made || echo MEM=denied; echo END'
  config_edit '.process.capabilities = ({} | .bounding = ["CAP_MKNOD"] | .effective = .bounding | .permitted = .bounding)'
  rt_create r1
  [ "$status" -eq 0 ]
  "$CGCTL" allow-all-devices "$(v2_dir)"
  rt start r1
  wait_output r1
  [ "$(out_value r1 MEM)" = made ]   # the create-time filter, which denies it, is gone
  wait_state r1 stopped
  rt delete r1
  assert_nothing_left r1
}

# A config whose cgroup is to be delegated: user 1000, its own cgroup
# namespace, the cgroup filesystem mounted read-write; $1 adds mount options.
delegated_bundle() {
  config_edit --arg extra "${1:-rw}" '.process.user = {"uid": 1000, "gid": 1000}
    | .linux.namespaces = ([.linux.namespaces[] | select(.type != "cgroup")] + [{"type": "cgroup"}])
    | .mounts = [.mounts[] | select(.destination != "/sys/fs/cgroup")]
    | .mounts += [{"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
                   "options": ["nosuid", "noexec", "nodev", $extra]}]'
}

@test "v2: cgroup ownership: with a new cgroupns and a rw cgroup mount, the dir and the delegate files go to process.user.uid, nothing else" {
  lt_bundle sh -c 'mkdir /sys/fs/cgroup/sub && echo MKDIR=ok && rmdir /sys/fs/cgroup/sub; echo END'
  delegated_bundle
  rt_create o1
  [ "$status" -eq 0 ]
  dir=$(v2_dir)
  [ "$(stat -c %u "$dir")" = 1000 ]
  [ "$(stat -c %g "$dir")" = 0 ]   # the group is left alone, as runc does
  local n=0 f
  while read -r f; do
    [ -e "$dir/$f" ] || continue   # listed but absent: skipped, not an error
    [ "$(stat -c %u "$dir/$f")" = 1000 ] || { echo "$f not delegated"; false; }
    n=$((n + 1))
  done < /sys/kernel/cgroup/delegate
  [ "$n" -ge 3 ]
  for f in cgroup.controllers cgroup.max.depth cgroup.events memory.max pids.max; do
    [ ! -e "$dir/$f" ] || [ "$(stat -c %u "$dir/$f")" = 0 ] || { echo "$f was given away"; false; }
  done
  rt start o1
  wait_output o1
  [ "$(out_value o1 MKDIR)" = ok ]   # the user manages its own subtree
  wait_state o1 stopped
  rt delete o1
  assert_nothing_left o1
}

@test "v2: cgroup ownership is not changed with a read-only cgroup mount or without a cgroup namespace" {
  lt_bundle true
  delegated_bundle ro
  rt_create o2
  [ "$status" -eq 0 ]
  [ "$(stat -c %u "$(v2_dir)")" = 0 ]
  [ "$(stat -c %u "$(v2_dir)/cgroup.procs")" = 0 ]
  rt delete --force o2
  assert_nothing_left o2

  lt_bundle true
  delegated_bundle
  ns_remove cgroup
  rt_create o3
  [ "$status" -eq 0 ]
  [ "$(stat -c %u "$(v2_dir)")" = 0 ]
  rt delete --force o3
  assert_nothing_left o3
}

@test "v2: the eBPF device filter: read and write allowed by two rules make an O_RDWR open; across wildcards they do not" {
  lt_bundle sh -c '
    mknod /dev/kmsg2 c 1 11 && echo KMSG=made
    (exec 3<>/dev/kmsg2) 2>/dev/null && echo KRW=ok || echo KRW=denied
    (: < /dev/kmsg2) 2>/dev/null && echo KR=ok || echo KR=denied
    echo END'
  config_edit '.process.capabilities = ({} | .bounding = ["CAP_MKNOD", "CAP_DAC_OVERRIDE", "CAP_SYSLOG"] | .effective = .bounding
    | .permitted = .bounding)'
  config_edit '.linux.resources.devices = [{"allow": false, "access": "rwm"},
                                          {"allow": true, "type": "c", "major": 1, "minor": 11, "access": "r"},
                                          {"allow": true, "type": "c", "major": 1, "minor": 11, "access": "wm"}]'
  rt_run t1
  [ "$status" -eq 0 ]
  [ "$(out_value t1 KMSG)" = made ]
  [ "$(out_value t1 KRW)" = ok ]
  assert_nothing_left t1

  config_edit '.linux.resources.devices = [{"allow": false, "access": "rwm"},
                                          {"allow": true, "type": "c", "major": 1, "access": "rm"},
                                          {"allow": true, "type": "c", "major": 1, "minor": 11, "access": "w"}]'
  rt_run t2
  [ "$status" -eq 0 ]
  [ "$(out_value t2 KMSG)" = made ]
  [ "$(out_value t2 KR)" = ok ]
  [ "$(out_value t2 KRW)" = denied ]   # as v1: no single rule grants both
  assert_nothing_left t2
}

@test "v2: an existing frozen or non-empty cgroup is refused at create, naming linux.cgroupsPath" {
  lt_bundle true
  dir=$(v2_dir)
  mkdir "$dir"
  echo 1 > "$dir/cgroup.freeze"
  rt_create x1
  [ "$status" -ne 0 ]
  [[ "$output" == *"linux.cgroupsPath: cgroup \`$dir\` is frozen"* ]]
  echo 0 > "$dir/cgroup.freeze"
  sleep 100 &
  holder=$!
  echo "$holder" > "$dir/cgroup.procs"
  rt_create x2
  [ "$status" -ne 0 ]
  [[ "$output" == *"linux.cgroupsPath: cgroup \`$dir\` is not empty: 1 process(es)"* ]]
  kill "$holder"
  wait "$holder" || true
  rmdir "$dir"
  assert_nothing_left x1 x2
}
