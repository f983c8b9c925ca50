#!/usr/bin/env bats
# Mounts of a container with a user namespace: bind sources the container's
# root cannot reach (the runtime opens them and hands the init the detached
# trees), NOTIFY_SOCKET through such a bind, idmapped mounts with the
# container's or the mount's own mappings, and sysfs without a network
# namespace of the container's own. Seen from inside the container; nothing
# is left on the host.

load helpers

setup() { lt_setup; }
teardown() { lt_teardown; }

# userns_bundle ARG...: lt_bundle ARG... with a new user namespace mapping
# the container's 0..65535 to the host's 100000..165535; the rootfs belongs
# to the container's root, and the dirs down to the bundle are searchable by
# others (the init, root only in its namespace, opens the rootfs itself).
userns_bundle() {
  lt_bundle "$@"
  config_edit '.linux.namespaces += [{type: "user"}]
    | .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
    | .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]'
  local d=$BUNDLE
  while [ "$d" != "$(dirname "$BATS_RUN_TMPDIR")" ]; do chmod o+x "$d"; d=$(dirname "$d"); done
  chown -R 100000:100000 "$BUNDLE/rootfs"
}

@test "userns bind sources: a file and a directory under a 0700 dir of the host's root are bound and read" {
  require_root
  userns_bundle sh -c 'cat /f; cat /d/inner; ls /d; echo END'
  closed=$BATS_TEST_TMPDIR/closed
  mkdir -p "$closed/dir"
  echo "file content" >"$closed/file"
  echo "inner content" >"$closed/dir/inner"
  chown -R 0:0 "$closed"
  chmod 0700 "$closed"
  config_edit --arg c "$closed" '.mounts += [
      {destination: "/f", type: "bind", source: ($c + "/file"), options: ["bind", "ro"]},
      {destination: "/d", type: "bind", source: ($c + "/dir"), options: ["rbind", "ro"]}]'
  # the container's root could not open these itself
  run setpriv --reuid=100000 --regid=100000 --clear-groups cat "$closed/file"
  [ "$status" -ne 0 ]
  rt_run b1
  echo "$output"
  [ "$status" -eq 0 ]
  mapfile -t lines <"$BATS_TEST_TMPDIR/b1.out"
  [ "${lines[0]}" = "file content" ]
  [ "${lines[1]}" = "inner content" ]
  [ "${lines[2]}" = "inner" ]
  [ "${lines[3]}" = "END" ]
  # the host's files are as they were
  [ "$(cat "$closed/file")" = "file content" ]
  [ "$(stat -c %a "$closed")" = 700 ]
  assert_nothing_left b1
}

@test "userns bind sources: a missing source fails create with the mount's context, leaving nothing" {
  require_root
  userns_bundle true
  config_edit --arg s "$BATS_TEST_TMPDIR/nothing-here" \
    '.mounts += [{destination: "/x", type: "bind", source: $s, options: ["bind"]}]'
  rt_run b2
  echo "$output"
  [ "$status" -ne 0 ]
  [[ "$output" == *"mounts["*"] /x: open source \`$BATS_TEST_TMPDIR/nothing-here\`: no such file or directory"* ]]
  assert_nothing_left b2
}

SDNOTIFY=${SDNOTIFY:-$TOP/build/tests/sdnotify}

@test "NOTIFY_SOCKET in a user-namespaced container: start waits for READY=1, which reaches the host" {
  require_root
  userns_bundle sh -c 'echo "NS=$NOTIFY_SOCKET"; echo WAITING
    while [ ! -e /shared/go ]; do sleep 0.02; done
    /sdnotify send "READY=1"; echo END; sleep 1000'
  ns_remove network
  cp "$SDNOTIFY" "$BUNDLE/rootfs/sdnotify"
  NSOCK=$BATS_TEST_TMPDIR/host-notify.sock
  "$SDNOTIFY" listen "$NSOCK" >"$BATS_TEST_TMPDIR/notify.out" 2>&1 </dev/null 3>&- &
  LISTENER=$!
  LT_HOLDERS+=("$LISTENER")
  wait_for test -S "$NSOCK"
  # the proxy's socket lives in the state dir, closed to the container's root
  chmod 0700 "$ROOT"
  NOTIFY_SOCKET=$NSOCK rt_create n1
  echo "$output"
  [ "$status" -eq 0 ]
  ( NOTIFY_SOCKET=$NSOCK rt start n1 </dev/null >"$BATS_TEST_TMPDIR/start.out" 2>&1 3>&- ) &
  starter=$!
  wait_state n1 running
  wait_output n1 WAITING
  # not READY=1 yet: start still waits
  kill -0 "$starter"
  touch "$SHARED/go"
  rc=0
  wait "$starter" || rc=$?
  cat "$BATS_TEST_TMPDIR/start.out"
  [ "$rc" -eq 0 ]
  wait_for pid_dead "$LISTENER"
  cat "$BATS_TEST_TMPDIR/notify.out"
  grep -qx "MAINPID=$PID" "$BATS_TEST_TMPDIR/notify.out"
  grep -qx "READY=1" "$BATS_TEST_TMPDIR/notify.out"
  wait_output n1 END
  [ "$(out_value n1 NS)" = /run/notify/notify.sock ]
  kill_and_delete n1
  assert_nothing_left n1
}

@test "idmapped mounts in a user-namespaced container: the container's mapping, the mount's own, and none" {
  require_root
  userns_bundle sh -c 'stat -c "%n %u:%g" /plain/f /own/f /mine/f /rown/sub/f; echo END'
  src=$BATS_TEST_TMPDIR/idsrc
  mkdir -p "$src/sub"
  touch "$src/f" "$src/sub/f"
  chown 7:8 "$src/f" "$src/sub/f"
  config_edit --arg s "$src" '.mounts += [
      {destination: "/plain", type: "bind", source: $s, options: ["bind"]},
      {destination: "/own", type: "bind", source: $s, options: ["bind", "idmap"]},
      {destination: "/mine", type: "bind", source: $s, options: ["bind", "idmap"],
       uidMappings: [{containerID: 0, hostID: 100005, size: 10}], gidMappings: [{containerID: 0, hostID: 100050, size: 10}]},
      {destination: "/rown", type: "bind", source: $s, options: ["rbind", "ridmap"]}]'
  rt_run i1
  echo "$output"
  [ "$status" -eq 0 ]
  # host 7:8 is unmapped in the container: the overflow ids
  grep -qx "/plain/f 65534:65534" "$BATS_TEST_TMPDIR/i1.out"
  # through the container's own mapping, the host's 7:8 is the container's 7:8
  grep -qx "/own/f 7:8" "$BATS_TEST_TMPDIR/i1.out"
  grep -qx "/rown/sub/f 7:8" "$BATS_TEST_TMPDIR/i1.out"
  # through the mount's: 7 -> host 100012 -> container 12; 8 -> 100058 -> 58
  grep -qx "/mine/f 12:58" "$BATS_TEST_TMPDIR/i1.out"
  [ "$(stat -c %u:%g "$src/f")" = 7:8 ]
  assert_nothing_left i1
}

@test "idmapped mounts in a user-namespaced container: written files land on the host as the unmapped ids" {
  require_root
  userns_bundle sh -c 'touch /own/new && stat -c "%u:%g" /own/new; echo END'
  src=$BATS_TEST_TMPDIR/idsrc
  mkdir -p "$src"
  config_edit --arg s "$src" '.mounts += [{destination: "/own", type: "bind", source: $s, options: ["bind", "idmap"]}]'
  rt_run i2
  echo "$output"
  [ "$status" -eq 0 ]
  grep -qx "0:0" "$BATS_TEST_TMPDIR/i2.out"
  # the container's root wrote as the host's 0 through the mapping
  [ "$(stat -c %u:%g "$src/new")" = 0:0 ]
  assert_nothing_left i2
}

@test "sysfs in a user namespace without a network namespace: the host's /sys, bound read-only" {
  require_root
  userns_bundle sh -c 'grep " /sys " /proc/self/mountinfo; ls /sys/kernel >/dev/null && echo LISTED
    if touch /sys/kernel/x 2>/dev/null; then echo WRITABLE; fi
    awk "\$5 ~ \"^/sys/\" { print \$6 }" /proc/self/mountinfo | sort -u; echo END'
  ns_remove network
  rt_run s1
  echo "$output"
  [ "$status" -eq 0 ]
  line=$(grep " /sys " "$BATS_TEST_TMPDIR/s1.out")
  [[ "$line" == *" - sysfs "* ]]
  [[ ",$(awk '{ print $6 }' <<<"$line")," == *",ro,"* ]]
  grep -qx LISTED "$BATS_TEST_TMPDIR/s1.out"
  [ -z "$(grep -x WRITABLE "$BATS_TEST_TMPDIR/s1.out")" ]
  # every mount below /sys is read-only too (the options of each, one a line)
  below=$(grep -v -e " /sys " -e LISTED -e END "$BATS_TEST_TMPDIR/s1.out")
  [ -n "$below" ]
  [ -z "$(grep -v '^ro,' <<<"$below")" ]
  assert_nothing_left s1
}

@test "idmapped mounts in a user-namespaced container: a new filesystem with idmap is refused, leaving nothing" {
  require_root
  userns_bundle sh -c 'echo ran > /shared/ran'
  config_edit '.mounts += [{destination: "/t", type: "tmpfs", source: "tmpfs", options: ["idmap"]}]'
  rt_create t1
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"idmapped mount of a new filesystem in a container with a user namespace is not supported"* ]]
  [ ! -e "$SHARED/ran" ]
  run rt state t1
  [[ "$output" == *"does not exist"* ]]
  assert_nothing_left t1
}

@test "features: linux.mountExtensions.idmap.enabled is true" {
  run "$OCIRUN" features
  [ "$status" -eq 0 ]
  [ "$(jq -r .linux.mountExtensions.idmap.enabled <<<"$output")" = true ]
}
