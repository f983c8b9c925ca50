#!/usr/bin/env bats
# Devices (config-linux.md "Devices" and "Default Devices"): the default
# set, linux.devices with their type, numbers, mode and owner, and the
# user-namespace case where the host's nodes are bound instead.

load helpers

setup() { lt_setup; }
teardown() { lt_teardown; }

# Prints "path type major:minor mode uid:gid" for each path given, then END.
DEVPROG='for p in "$@"; do stat -c "%n %F %t:%T %a %u:%g" "$p"; done; echo END'

dev_line() { grep "^$2 " "$BATS_TEST_TMPDIR/$1.out"; }

@test "default devices: null, zero, full, random, urandom, tty with their numbers, mode 666; the /dev links; shm and pts" {
  require_root
  lt_bundle sh -c 'for p in /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty; do stat -c "%n %F %t:%T %a %u:%g" $p; done
    for l in fd stdin stdout stderr ptmx; do echo "link $l $(readlink /dev/$l)"; done
    echo "shm=$(stat -f -c %T /dev/shm) pts=$(stat -f -c %T /dev/pts)"
    echo hello > /dev/null && head -c 4 /dev/zero | wc -c; echo x > /dev/full 2>/dev/null || echo full-refused
    echo END'
  rt_run d1
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$(dev_line d1 /dev/null)" = "/dev/null character special file 1:3 666 0:0" ]
  [ "$(dev_line d1 /dev/zero)" = "/dev/zero character special file 1:5 666 0:0" ]
  [ "$(dev_line d1 /dev/full)" = "/dev/full character special file 1:7 666 0:0" ]
  [ "$(dev_line d1 /dev/random)" = "/dev/random character special file 1:8 666 0:0" ]
  [ "$(dev_line d1 /dev/urandom)" = "/dev/urandom character special file 1:9 666 0:0" ]
  [ "$(dev_line d1 /dev/tty)" = "/dev/tty character special file 5:0 666 0:0" ]
  grep -qx "link fd /proc/self/fd" "$BATS_TEST_TMPDIR/d1.out"
  grep -qx "link stdin /proc/self/fd/0" "$BATS_TEST_TMPDIR/d1.out"
  grep -qx "link stdout /proc/self/fd/1" "$BATS_TEST_TMPDIR/d1.out"
  grep -qx "link stderr /proc/self/fd/2" "$BATS_TEST_TMPDIR/d1.out"
  grep -qx "link ptmx pts/ptmx" "$BATS_TEST_TMPDIR/d1.out"
  grep -qx "shm=tmpfs pts=devpts" "$BATS_TEST_TMPDIR/d1.out"
  grep -qx "4" "$BATS_TEST_TMPDIR/d1.out"
  grep -qx "full-refused" "$BATS_TEST_TMPDIR/d1.out"
  assert_nothing_left d1
}

@test "linux.devices: char, block and fifo nodes with their numbers, fileMode, uid and gid; the same node in the image is remade" {
  require_root
  lt_bundle sh -c "$DEVPROG" sh /dev/mychar /dev/sub/dir/myblock /dev/myfifo /opt/fuse /dev/u
  mkdir -p "$BUNDLE/rootfs/opt"
  mknod -m 600 "$BUNDLE/rootfs/opt/fuse" c 10 229
  config_edit '.linux.devices = [
      {path: "/dev/mychar", type: "c", major: 1, minor: 9, fileMode: 432, uid: 1000, gid: 1001},
      {path: "/dev/sub/dir/myblock", type: "b", major: 7, minor: 200, fileMode: 384},
      {path: "/dev/myfifo", type: "p", fileMode: 420, uid: 5, gid: 6},
      {path: "/opt/fuse", type: "c", major: 10, minor: 229},
      {path: "/dev/u", type: "u", major: 1, minor: 8}]'
  rt_run v1
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$(dev_line v1 /dev/mychar)" = "/dev/mychar character special file 1:9 660 1000:1001" ]
  [ "$(dev_line v1 /dev/sub/dir/myblock)" = "/dev/sub/dir/myblock block special file 7:c8 600 0:0" ]
  [ "$(dev_line v1 /dev/myfifo)" = "/dev/myfifo fifo 0:0 644 5:6" ]
  [ "$(dev_line v1 /opt/fuse)" = "/opt/fuse character special file a:e5 666 0:0" ]
  [ "$(dev_line v1 /dev/u)" = "/dev/u character special file 1:8 666 0:0" ]
  assert_nothing_left v1
}

@test "linux.devices: a file in the image at the path that is not the device is an error, and stays" {
  require_root
  lt_bundle true
  mkdir -p "$BUNDLE/rootfs/opt"
  echo "image file" > "$BUNDLE/rootfs/opt/fuse"
  config_edit '.linux.devices = [{path: "/opt/fuse", type: "c", major: 10, minor: 229}]'
  rt_run e1
  echo "$output"
  [ "$status" -ne 0 ]
  [[ "$output" == *"linux.devices: /opt/fuse: \`/opt/fuse\` exists in the rootfs and is not the requested device"* ]]
  [ "$(cat "$BUNDLE/rootfs/opt/fuse")" = "image file" ]
  assert_nothing_left e1
}

@test "linux.devices in a user namespace: the host's nodes are bound, a fifo is made" {
  require_root
  lt_bundle sh -c "$DEVPROG" sh /dev/null /dev/zero /dev/full /dev/fifo
  config_edit '.linux.namespaces += [{type: "user"}]
    | .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
    | .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
    | .linux.devices = [{path: "/dev/kmsg-like", type: "c", major: 1, minor: 7}, {path: "/dev/fifo", type: "p"}]'
  # ... but /dev/kmsg-like does not exist on the host: refused, nothing left
  d=$BUNDLE
  while [ "$d" != "$(dirname "$BATS_RUN_TMPDIR")" ]; do chmod o+x "$d"; d=$(dirname "$d"); done
  chown -R 100000:100000 "$BUNDLE/rootfs"
  rt_run u1
  echo "$output"
  [ "$status" -ne 0 ]
  [[ "$output" == *"linux.devices"*"/dev/kmsg-like"* ]]
  assert_nothing_left u1
  config_edit '.linux.devices[0].path = "/dev/full"'
  rt_run u2
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$(dev_line u2 /dev/null)" == "/dev/null character special file 1:3 "* ]]
  [[ "$(dev_line u2 /dev/zero)" == "/dev/zero character special file 1:5 "* ]]
  [[ "$(dev_line u2 /dev/full)" == "/dev/full character special file 1:7 "* ]]
  [[ "$(dev_line u2 /dev/fifo)" == "/dev/fifo fifo "* ]]
  assert_nothing_left u2
}
