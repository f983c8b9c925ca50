#!/usr/bin/env bats
# Attacks on the rootfs set-up, each from a crafted image or config: every
# one is contained in the rootfs or refused, and the host is unchanged
# (its mount table, checked by assert_nothing_left, and a canary directory
# compared before and after).

load helpers

setup() {
  lt_setup
  CANARY=$BATS_TEST_TMPDIR/canary
  mkdir -p "$CANARY/dir"
  echo "canary" > "$CANARY/file"
  CANARY_BEFORE=$(canary_state)
}
teardown() { lt_teardown; }

# Everything about the canary dir that an attack could change.
canary_state() {
  find "$CANARY" -printf '%p %y %m %s %T@\n' | sort
  cat "$CANARY/file"
}

assert_canary_unchanged() {
  local now
  now=$(canary_state)
  if [ "$now" != "$CANARY_BEFORE" ]; then
    echo "the canary changed:" >&2
    diff <(echo "$CANARY_BEFORE") <(echo "$now") >&2
    return 1
  fi
}

# CVE-2021-30465: a mount destination that is a symlink in the image,
# absolute or climbing with "..", is followed inside the rootfs only.
@test "CVE-2021-30465: a mount destination symlinked to the host's paths lands inside the rootfs" {
  require_root
  lt_bundle sh -c 'cat /proc/self/mountinfo; echo END'
  ln -s "$CANARY/dir" "$BUNDLE/rootfs/abs"
  ln -s "../../../../../../../../../..$CANARY/dir" "$BUNDLE/rootfs/rel"
  ln -s / "$BUNDLE/rootfs/slash"
  mkdir -p "$BUNDLE/rootfs$CANARY/dir"
  config_edit --arg c "$CANARY/file" '.mounts += [
      {destination: "/abs", type: "tmpfs", source: "tmpfs", options: ["size=1m"]},
      {destination: "/rel/sub", type: "tmpfs", source: "tmpfs", options: ["size=2m"]},
      {destination: "/slash/opt", type: "tmpfs", source: "tmpfs", options: ["size=3m"]},
      {destination: "/abs/bound", type: "bind", source: $c, options: ["bind"]}]'
  rt_run a1
  echo "$output"
  [ "$status" -eq 0 ]
  # The mounts are where the links lead inside the rootfs.
  grep -q " $CANARY/dir rw.* - tmpfs tmpfs .*size=1024k" "$BATS_TEST_TMPDIR/a1.out"
  grep -q " $CANARY/dir/sub rw.* - tmpfs tmpfs .*size=2048k" "$BATS_TEST_TMPDIR/a1.out"
  grep -q " /opt rw.* - tmpfs tmpfs .*size=3072k" "$BATS_TEST_TMPDIR/a1.out"
  [ ! -e "$CANARY/dir/sub" ]
  [ ! -e "$CANARY/dir/bound" ]
  assert_canary_unchanged
  assert_nothing_left a1
}

# CVE-2021-30465, the race itself: while containers are created, another
# process keeps swapping the destination between a directory and a symlink
# to the host's canary. Wherever the swap falls, the mount lands in the
# rootfs (or the create fails), never on the host.
@test "CVE-2021-30465: a destination swapped with a symlink while mounting never leads out of the rootfs" {
  require_root
  lt_bundle true
  mkdir -p "$BUNDLE/rootfs/race" "$BUNDLE/rootfs$CANARY/dir"
  ln -s "$CANARY/dir" "$BUNDLE/rootfs/race-link"
  mkdir -p "$BUNDLE/rootfs/race-dir"
  config_edit --arg c "$CANARY/file" '.mounts += [
      {destination: "/race/tmp", type: "tmpfs", source: "tmpfs", options: ["size=1m"]},
      {destination: "/race/file", type: "bind", source: $c, options: ["bind"]}]'
  # The swapper: renames over /race, alternately a directory and the link.
  (
    cd "$BUNDLE/rootfs" || exit 1
    while [ ! -e "$BATS_TEST_TMPDIR/stop" ]; do
      rm -rf swap.d; mkdir swap.d; mv -T swap.d race 2>/dev/null || true
      ln -sfn "$CANARY/dir" swap.l; mv -T swap.l race 2>/dev/null || true
    done
  ) </dev/null >/dev/null 2>&1 3>&- &
  swapper=$!
  LT_HOLDERS+=("$swapper")
  for i in $(seq 8); do
    rt_run "race$i"
    echo "race$i: $status ${output:0:200}"
    if [ -d "$CANARY/dir/tmp" ] || [ -e "$CANARY/dir/file" ]; then echo "escaped at run $i" >&2; break; fi
  done
  touch "$BATS_TEST_TMPDIR/stop"
  wait "$swapper" || true
  [ ! -e "$CANARY/dir/tmp" ]
  [ ! -e "$CANARY/dir/file" ]
  assert_canary_unchanged
  assert_nothing_left
}

# CVE-2024-45310: directories made for a mount destination through a
# symlink to the host are made inside the rootfs, or refused if the link
# leads nowhere there.
@test "CVE-2024-45310: mkdir -p of a destination through a symlink never creates on the host" {
  require_root
  lt_bundle sh -c 'ls -d /made/here/deep && echo END'
  ln -s "$CANARY/dir" "$BUNDLE/rootfs/made"
  mkdir -p "$BUNDLE/rootfs$CANARY/dir"
  ln -s "../../../../../../../$CANARY" "$BUNDLE/rootfs/cwdlink"
  config_edit '.mounts += [{destination: "/made/here/deep", type: "tmpfs", source: "tmpfs", options: []}]
    | .process.cwd = "/cwdlink/newdir"'
  rt_run m1
  echo "$output"
  [ "$status" -eq 0 ]
  [ -d "$BUNDLE/rootfs$CANARY/dir/here/deep" ]
  [ -d "$BUNDLE/rootfs$CANARY/newdir" ]
  [ ! -e "$CANARY/dir/here" ]
  [ ! -e "$CANARY/newdir" ]
  assert_canary_unchanged
  assert_nothing_left m1
  # A link that dangles inside the rootfs: refused, nothing made anywhere.
  ln -s "$CANARY/nothing-here" "$BUNDLE/rootfs/dangling"
  config_edit '.mounts += [{destination: "/dangling/x", type: "tmpfs", source: "tmpfs", options: []}]'
  rt_run m2
  echo "$output"
  [ "$status" -ne 0 ]
  [[ "$output" == *"/dangling/x: mkdir"* ]]
  [ ! -e "$CANARY/nothing-here" ]
  [ ! -e "$BUNDLE/rootfs$CANARY/nothing-here" ]
  assert_canary_unchanged
  assert_nothing_left m2
}

# CVE-2019-16884, CVE-2023-27561, CVE-2023-28642: an image whose /proc is
# a symlink, or a config that puts something else than procfs at /proc.
@test "CVE-2023-28642: an image whose /proc is a symlink is refused" {
  require_root
  lt_bundle true
  rmdir "$BUNDLE/rootfs/proc"
  ln -s "../../../../../..$CANARY/dir" "$BUNDLE/rootfs/proc"
  rt_run p1
  echo "$output"
  [ "$status" -ne 0 ]
  [[ "$output" == *"mounts[0] /proc"*"too many levels of symbolic links"* ]]
  assert_canary_unchanged
  assert_nothing_left p1
  # /sys too
  rm "$BUNDLE/rootfs/proc"; mkdir "$BUNDLE/rootfs/proc"
  rmdir "$BUNDLE/rootfs/sys"
  ln -s /proc "$BUNDLE/rootfs/sys"
  rt_run p2
  echo "$output"
  [ "$status" -ne 0 ]
  [[ "$output" == *"/sys"*"too many levels of symbolic links"* ]]
  assert_canary_unchanged
  assert_nothing_left p2
}

@test "CVE-2019-16884: a bind mount over /proc, faking it, is refused" {
  require_root
  lt_bundle true
  mkdir -p "$CANARY/dir/self/attr"
  CANARY_BEFORE=$(canary_state)
  config_edit --arg d "$CANARY/dir" '.mounts += [{destination: "/proc", type: "bind", source: $d, options: ["rbind"]}]'
  rt_run f1
  echo "$output"
  [ "$status" -ne 0 ]
  [[ "$output" == *"the container's /proc is not on the expected filesystem"* ]]
  assert_canary_unchanged
  assert_nothing_left f1
}

# CVE-2025-31133: an image whose /dev/null is a symlink to another file (or
# a regular file) must not get that file bind-mounted over a masked path.
@test "CVE-2025-31133: the image's /dev/null, a symlink or a file, is never used to mask paths" {
  require_root
  lt_bundle sh -c 'stat -c "%F %t:%T" /proc/timer_list /data/secret; echo written > /data/secret; cat /data/secret | wc -c; echo END'
  # No /dev mount: the image's /dev stays, with its planted /dev/null.
  config_edit 'del(.mounts[] | select(.destination | startswith("/dev")))
    | .linux.maskedPaths += ["/data/secret"]'
  mkdir -p "$BUNDLE/rootfs/data"
  echo "the image's secret" > "$BUNDLE/rootfs/data/secret"
  ln -s "$CANARY/file" "$BUNDLE/rootfs/dev/null"
  rt_run n1
  echo "$output"
  [ "$status" -eq 0 ]
  [ "${#lines[@]}" -ge 0 ]
  grep -qx "character special file 1:3" <(sed -n 1p "$BATS_TEST_TMPDIR/n1.out")
  grep -qx "character special file 1:3" <(sed -n 2p "$BATS_TEST_TMPDIR/n1.out")
  [ "$(sed -n 3p "$BATS_TEST_TMPDIR/n1.out")" = 0 ]    # the write went to the real /dev/null
  [ "$(cat "$BUNDLE/rootfs/data/secret")" = "the image's secret" ]
  assert_canary_unchanged
  assert_nothing_left n1
  # A regular file at /dev/null: the same.
  rm "$BUNDLE/rootfs/dev/null"
  echo "not null" > "$BUNDLE/rootfs/dev/null"
  rt_run n2
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$(sed -n 1p "$BATS_TEST_TMPDIR/n2.out")" = "character special file 1:3" ]
  [ "$(cat "$BUNDLE/rootfs/dev/null")" = "not null" ]
  assert_nothing_left n2
}

# CVE-2025-52881: a sysctl write cannot be redirected by a mount over
# /proc/sys: it goes through a private procfs.
@test "CVE-2025-52881: a mount over a /proc/sys file does not redirect the sysctl write" {
  require_root
  lt_bundle sh -c 'cat /proc/sys/net/ipv4/ip_forward'
  config_edit --arg c "$CANARY/file" '.mounts += [{destination: "/proc/sys/net/ipv4/ip_forward", type: "bind", source: $c, options: ["bind"]}]
    | .linux.sysctl = {"net.ipv4.ip_forward": "1"}
    | .linux.readonlyPaths = []'
  host_forward=$(cat /proc/sys/net/ipv4/ip_forward)
  rt_run s1
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$(cat "$BATS_TEST_TMPDIR/s1.out")" = canary ]    # the container sees the bind, not a write to it
  [ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$host_forward" ]
  assert_canary_unchanged
  assert_nothing_left s1
}

@test "sysctl: keys that are not namespaced, or whose namespace is the host's, are refused before anything runs" {
  require_root
  lt_bundle true
  host_core=$(cat /proc/sys/kernel/core_pattern)
  config_edit '.linux.sysctl = {"kernel.core_pattern": "|/tmp/pwn"}'
  rt_run k1
  echo "$output"
  [ "$status" -ne 0 ]
  [[ "$output" == *'linux.sysctl "kernel.core_pattern": not a namespaced sysctl'* ]]
  [ "$(cat /proc/sys/kernel/core_pattern)" = "$host_core" ]
  assert_nothing_left k1
  ns_remove network
  config_edit '.linux.sysctl = {"net.ipv4.ip_forward": "1"}'
  host_forward=$(cat /proc/sys/net/ipv4/ip_forward)
  rt_run k2
  echo "$output"
  [ "$status" -ne 0 ]
  [[ "$output" == *'linux.sysctl "net.ipv4.ip_forward": needs a network namespace'* ]]
  [ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$host_forward" ]
  assert_nothing_left k2
  config_edit '.linux.sysctl = {"net/../kernel/core_pattern": "x"}'
  rt_run k3
  [ "$status" -ne 0 ]
  [ "$(cat /proc/sys/kernel/core_pattern)" = "$host_core" ]
  assert_nothing_left k3
}

@test "sysctl: ipc and uts keys are set in the container's own namespaces" {
  require_root
  lt_bundle sh -c 'cat /proc/sys/kernel/shmmni /proc/sys/fs/mqueue/msg_max /proc/sys/kernel/domainname'
  config_edit '.linux.sysctl = {"kernel.shmmni": "1234", "fs.mqueue.msg_max": "77", "kernel.domainname": "sysctl.example"}'
  host=$(cat /proc/sys/kernel/shmmni /proc/sys/fs/mqueue/msg_max /proc/sys/kernel/domainname)
  rt_run i1
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$(cat "$BATS_TEST_TMPDIR/i1.out")" = "$(printf '1234\n77\nsysctl.example')" ]
  [ "$(cat /proc/sys/kernel/shmmni /proc/sys/fs/mqueue/msg_max /proc/sys/kernel/domainname)" = "$host" ]
  assert_nothing_left i1
}

@test "root.path: a relative path climbing out of the bundle to the host's / is refused" {
  require_root
  lt_bundle true
  depth=$(echo "$BUNDLE" | tr -cd / | wc -c)
  up=$(for _ in $(seq "$depth"); do printf '../'; done)
  config_edit --arg p "$up" '.root.path = $p'
  rt_run r1
  echo "$output"
  [ "$status" -ne 0 ]
  [[ "$output" == *"is the host's root directory"* ]]
  assert_nothing_left r1
}
