#!/usr/bin/env bats
# Mounts (config.md "Mounts", config-linux.md "Mount Options"), masked and
# read-only paths, root.readonly, seen from inside the container through
# /proc/self/mountinfo and the filesystem; nothing is left on the host.

load helpers

setup() { lt_setup; }
teardown() { lt_teardown; }

# mnt_opts MOUNTPOINT: the per-mount options (field 6) of the last mount at
# MOUNTPOINT in the container's output of /proc/self/mountinfo.
mnt_opts() {
  awk -v mp="$2" '$5 == mp { o = $6 } END { print o }' "$BATS_TEST_TMPDIR/$1.out"
}
# mnt_super MOUNTPOINT: "fstype superoptions" of the last mount there.
mnt_super() {
  awk -v mp="$2" '$5 == mp { for (i = 7; $i != "-"; i++); o = $(i + 1) " " $(i + 3) } END { print o }' \
    "$BATS_TEST_TMPDIR/$1.out"
}
has_opt() { [[ ",$1," == *",$2,"* ]]; }
# rt_run_lines ID: rt_run, then `lines` from its output, as bats' run sets it.
rt_run_lines() {
  rt_run "$@"
  mapfile -t lines <<<"$output"
}

@test "mount options: tmpfs data, ro, nosuid, nodev, noexec, noatime, nosymfollow reach the mount" {
  require_root
  lt_bundle cat /proc/self/mountinfo
  config_edit '.mounts += [
      {destination: "/t1", type: "tmpfs", source: "tmpfs", options: ["ro", "nosuid", "nodev", "noexec", "noatime", "mode=700", "size=1m"]},
      {destination: "/t2", type: "tmpfs", source: "tmpfs", options: ["rw", "strictatime", "nosymfollow", "exec", "nr_inodes=77"]},
      {destination: "/t3", type: "tmpfs", source: "tmpfs", options: ["ro", "rw", "sync"]}]'
  rt_run m1
  echo "$output"
  [ "$status" -eq 0 ]
  o=$(mnt_opts m1 /t1); echo "t1: $o"
  for f in ro nosuid nodev noexec noatime; do has_opt "$o" $f; done
  s=$(mnt_super m1 /t1); echo "t1 super: $s"
  [[ "$s" == tmpfs* ]]
  has_opt "${s#* }" size=1024k
  has_opt "${s#* }" mode=700
  o=$(mnt_opts m1 /t2); echo "t2: $o"
  has_opt "$o" rw
  has_opt "$o" nosymfollow
  ! has_opt "$o" noexec
  ! has_opt "$o" relatime
  ! has_opt "$o" noatime
  has_opt "$(mnt_super m1 /t2 | cut -d' ' -f2)" nr_inodes=77
  o=$(mnt_opts m1 /t3); echo "t3: $o"
  has_opt "$o" rw
  has_opt "$(mnt_super m1 /t3 | cut -d' ' -f2)" sync
  assert_nothing_left m1
}

@test "bind mounts: a file source makes a file destination, a directory a directory, relative sources from the bundle" {
  require_root
  lt_bundle sh -c 'cat /etc/bound-file; ls /deep/er/dir; [ -f /etc/bound-file ] && echo file; [ -d /deep/er/dir ] && echo dir; echo x > /etc/bound-file 2>/dev/null || echo rofile'
  echo content > "$BATS_TEST_TMPDIR/afile"
  mkdir -p "$BUNDLE/reldir"; touch "$BUNDLE/reldir/inside"
  config_edit --arg f "$BATS_TEST_TMPDIR/afile" '.mounts += [
      {destination: "/etc/bound-file", type: "bind", source: $f, options: ["bind", "ro"]},
      {destination: "/deep/er/dir", type: "none", source: "reldir", options: ["rbind"]}]'
  rt_run_lines b1
  echo "$output"
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = content ]
  [ "${lines[1]}" = inside ]
  [ "${lines[2]}" = file ]
  [ "${lines[3]}" = dir ]
  [ "${lines[4]}" = rofile ]
  [ "$(cat "$BATS_TEST_TMPDIR/afile")" = content ]
  assert_nothing_left b1
}

@test "bind mounts: a file onto a directory of the image, or the reverse, fails create with \"not a directory\"" {
  require_root
  lt_bundle true
  echo content > "$BATS_TEST_TMPDIR/afile"
  # /etc is a directory in the image; /etc/passwd a file.
  config_edit --arg f "$BATS_TEST_TMPDIR/afile" '.mounts += [{destination: "/etc", type: "bind", source: $f, options: ["bind"]}]'
  rt_create f1
  echo "$output"
  [ "$status" -ne 0 ]
  [[ "$output" == *"not a directory"* ]]
  assert_nothing_left f1
  config_edit --arg d "$BATS_TEST_TMPDIR" '.mounts[-1] = {destination: "/etc/passwd", type: "bind", source: $d, options: ["bind"]}'
  rt_create f2
  echo "$output"
  [ "$status" -ne 0 ]
  [[ "$output" == *"not a directory"* ]]
  assert_nothing_left f2
}

@test "recursive options: rro, rnosuid, rnoexec on an rbind reach every submount; ro alone only the top" {
  require_root
  lt_bundle cat /proc/self/mountinfo
  src=$BATS_TEST_TMPDIR/src
  mkdir -p "$src/sub"
  config_edit --arg s "$src" '.mounts += [
      {destination: "/r", type: "bind", source: $s, options: ["rbind", "rro", "rnosuid", "rnoexec"]},
      {destination: "/n", type: "bind", source: $s, options: ["rbind", "ro"]}]'
  # The submount exists only in a private mount namespace made for this
  # run: the host's mount table is not touched.
  status=0
  LT_MARK=$MARK unshare -m --propagation private sh -c 'mount -t tmpfs sub "$1/sub" && exec "$2" --root "$3" run --bundle "$4" r1' \
    sh "$src" "$OCIRUN" "$ROOT" "$BUNDLE" </dev/null >"$BATS_TEST_TMPDIR/r1.out" 2>"$BATS_TEST_TMPDIR/r1.err" 3>&- || status=$?
  cat "$BATS_TEST_TMPDIR/r1.out" "$BATS_TEST_TMPDIR/r1.err"
  [ "$status" -eq 0 ]
  for mp in /r /r/sub; do
    o=$(mnt_opts r1 $mp); echo "$mp: $o"
    has_opt "$o" ro; has_opt "$o" nosuid; has_opt "$o" noexec
  done
  has_opt "$(mnt_opts r1 /n)" ro
  has_opt "$(mnt_opts r1 /n/sub)" rw
  assert_nothing_left r1
}

@test "tmpcopyup: the tmpfs starts with the image's files at the destination" {
  require_root
  lt_bundle sh -c 'cat /etc/copied/a /etc/copied/d/b; readlink /etc/copied/l; stat -c %a /etc/copied/d; grep " /etc/copied " /proc/self/mountinfo | grep -c tmpfs'
  mkdir -p "$BUNDLE/rootfs/etc/copied/d"
  echo one > "$BUNDLE/rootfs/etc/copied/a"
  echo two > "$BUNDLE/rootfs/etc/copied/d/b"
  chmod 0710 "$BUNDLE/rootfs/etc/copied/d"
  ln -s /etc/passwd "$BUNDLE/rootfs/etc/copied/l"
  config_edit '.mounts += [{destination: "/etc/copied", type: "tmpfs", source: "tmpfs", options: ["tmpcopyup", "mode=755"]}]'
  rt_run_lines c1
  echo "$output"
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = one ]
  [ "${lines[1]}" = two ]
  [ "${lines[2]}" = /etc/passwd ]
  [ "${lines[3]}" = 710 ]
  [ "${lines[4]}" = 1 ]
  assert_nothing_left c1
}

@test "maskedPaths read empty and cannot be unmasked; readonlyPaths reject writes" {
  require_root
  lt_bundle sh -c '
    echo "tlist=$(wc -c < /proc/timer_list)"
    echo "tlist_type=$(stat -c %F:%t:%T /proc/timer_list)"
    echo "acpi=$(ls -A /proc/acpi 2>/dev/null | wc -l)"
    echo "acpi_ro=$(touch /proc/acpi/x 2>&1 | grep -c Read-only)"
    echo "dir=$(ls -A /data/masked | wc -l)"
    echo "capeff=$(grep CapEff /proc/self/status | cut -f2)"
    umount /proc/timer_list 2>/dev/null; echo "unmask=$?"
    echo 1 > /proc/sys/net/ipv4/ip_forward 2>/dev/null; echo "sysro=$?"
    echo x > /data/ro/f 2>/dev/null; echo "dataro=$?"
    echo x > /data/ro/sub/f 2>/dev/null; echo "subro=$?"
    echo END'
  mkdir -p "$BUNDLE/rootfs/data/masked" "$BUNDLE/rootfs/data/ro/sub"
  touch "$BUNDLE/rootfs/data/masked/secret"
  config_edit '.linux.maskedPaths += ["/data/masked", "/does/not/exist"]
    | .linux.readonlyPaths += ["/data/ro", "/not/there/either"]
    | .mounts += [{destination: "/data/ro/sub", type: "tmpfs", source: "tmpfs", options: []}]'
  rt_run k1
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$(out_value k1 tlist)" = 0 ]
  [ "$(out_value k1 tlist_type)" = "character special file:1:3" ]
  [ "$(out_value k1 acpi)" = 0 ]
  [ "$(out_value k1 acpi_ro)" = 1 ]
  [ "$(out_value k1 dir)" = 0 ]
  # Without CAP_SYS_ADMIN (the default config's capabilities, once they
  # are applied) the mask cannot be removed.
  if (( (0x$(out_value k1 capeff) >> 21) & 1 == 0 )); then [ "$(out_value k1 unmask)" != 0 ]; fi
  [ "$(out_value k1 sysro)" != 0 ]
  [ "$(out_value k1 dataro)" != 0 ]
  [ "$(out_value k1 subro)" != 0 ]     # recursive: the submount is read-only too
  [ -f "$BUNDLE/rootfs/data/masked/secret" ]
  assert_nothing_left k1
}

@test "root.readonly: the rootfs is read-only, the mounts on it keep their own flags" {
  require_root
  lt_bundle sh -c 'touch /x 2>&1 | grep -c Read-only; touch /tmp/y && echo tmp-rw; cut -d" " -f5,6 /proc/self/mountinfo | grep "^/ " | cut -d" " -f2'
  config_edit '.root.readonly = true | .mounts += [{destination: "/tmp", type: "tmpfs", source: "tmpfs", options: ["nosuid"]}]'
  rt_run_lines ro1
  echo "$output"
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = 1 ]
  [ "${lines[1]}" = tmp-rw ]
  has_opt "${lines[2]}" ro
  assert_nothing_left ro1
}

@test "the default filesystems: /proc, /sys read-only, /dev tmpfs, /dev/pts, /dev/shm, /dev/mqueue, /sys/fs/cgroup" {
  require_root
  lt_bundle cat /proc/self/mountinfo
  rt_run d1
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$(mnt_super d1 /proc)" == "proc "* ]]
  [[ "$(mnt_super d1 /sys)" == "sysfs "* ]]
  has_opt "$(mnt_opts d1 /sys)" ro
  [[ "$(mnt_super d1 /dev)" == "tmpfs "* ]]
  [[ "$(mnt_super d1 /dev/pts)" == "devpts "* ]]
  has_opt "$(mnt_super d1 /dev/pts | cut -d' ' -f2)" ptmxmode=666
  [[ "$(mnt_super d1 /dev/shm)" == "tmpfs "* ]]
  [[ "$(mnt_super d1 /dev/mqueue)" == "mqueue "* ]]
  has_opt "$(mnt_opts d1 /sys/fs/cgroup)" ro
  assert_nothing_left d1
}

@test "cgroup mount: read-only by default, rw when asked, each hierarchy of the host, rooted at the container's cgroup" {
  require_root
  lt_bundle sh -c 'cat /proc/self/mountinfo; echo "cg=$(cat /proc/self/cgroup | grep -c ":/$")"; echo "n=$(cat /proc/self/cgroup | wc -l)"'
  config_edit '.mounts += [{destination: "/cgrw", type: "cgroup", source: "cgroup", options: ["rw", "nosuid"]}]'
  rt_run g1
  echo "$output"
  [ "$status" -eq 0 ]
  has_opt "$(mnt_opts g1 /sys/fs/cgroup)" ro
  if grep -q " /sys/fs/cgroup [^ ]* - cgroup2 " /proc/self/mountinfo; then
    [[ "$(mnt_super g1 /sys/fs/cgroup)" == "cgroup2 "* ]]
  else
    # hybrid or v1: one mount per hierarchy of the host, each read-only
    for h in $(awk '$5 ~ /^\/sys\/fs\/cgroup\/[^/]+$/ { n = split($5, p, "/"); print p[n] }' /proc/self/mountinfo); do
      echo "hierarchy $h: $(mnt_super g1 /sys/fs/cgroup/$h)"
      [[ "$(mnt_super g1 /sys/fs/cgroup/$h)" == cgroup* ]]
      has_opt "$(mnt_opts g1 /sys/fs/cgroup/$h)" ro
      has_opt "$(mnt_opts g1 /cgrw/$h)" rw
    done
    # rooted at the container's cgroup: its root (/) is "/" in every line
    awk '$5 ~ /^\/sys\/fs\/cgroup\/./ && $4 != "/" { bad = 1 } END { exit bad }' "$BATS_TEST_TMPDIR/g1.out"
  fi
  [ "$(out_value g1 cg)" = "$(out_value g1 n)" ]
  assert_nothing_left g1
}

@test "cgroup mount without a cgroup namespace: the container's own cgroup, bound from the host" {
  require_root
  lt_bundle sh -c 'ls /sys/fs/cgroup/pids/ | grep -c "^cgroup.procs$"; cat /sys/fs/cgroup/pids/cgroup.procs | wc -l'
  ns_remove cgroup
  if ! grep -q " /sys/fs/cgroup/pids [^ ]* - cgroup " /proc/self/mountinfo; then skip "no v1 pids hierarchy on this host"; fi
  rt_run_lines g2
  echo "$output"
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = 1 ]
  [ "${lines[1]}" -le 3 ]      # only the container's processes, not the host's
  assert_nothing_left g2
}

@test "propagation: an rslave bind sees a mount made on the host side after start, an rprivate one does not" {
  require_root
  lt_bundle sh -c 'while [ ! -e /shared/go ]; do sleep 0.05; done; cat /proc/self/mountinfo; echo END'
  src=$BATS_TEST_TMPDIR/src
  mkdir -p "$src/later"
  config_edit --arg s "$src" '.mounts += [
      {destination: "/slave", type: "bind", source: $s, options: ["rbind", "rslave"]},
      {destination: "/private", type: "bind", source: $s, options: ["rbind", "rprivate"]}]'
  # All in a private mount namespace of the test's own, where $src is made a
  # shared mount: the host's table is not touched.
  status=0
  LT_MARK=$MARK unshare -m --propagation private sh -c '
    mount --bind "$1" "$1" && mount --make-shared "$1" || exit 9
    "$2" --root "$3" run -d --bundle "$4" p1 || exit 8
    mount -t tmpfs later "$1/later" || exit 7
    touch "$5/go"
    while ! grep -qx END "$6" 2>/dev/null; do sleep 0.05; done' \
    sh "$src" "$OCIRUN" "$ROOT" "$BUNDLE" "$SHARED" "$BATS_TEST_TMPDIR/p1.out" \
    </dev/null >"$BATS_TEST_TMPDIR/p1.out" 2>"$BATS_TEST_TMPDIR/p1.err" 3>&- || status=$?
  cat "$BATS_TEST_TMPDIR/p1.out" "$BATS_TEST_TMPDIR/p1.err"
  [ "$status" -eq 0 ]
  grep -q " /slave/later " "$BATS_TEST_TMPDIR/p1.out"
  ! grep -q " /private/later " "$BATS_TEST_TMPDIR/p1.out"
  wait_state p1 stopped
  rt delete p1
  assert_nothing_left p1
}

@test "idmapped mounts: the mount's own mappings, idmap and ridmap" {
  require_root
  lt_bundle sh -c 'stat -c "%n %u:%g" /idm/f /idm2/f /rid/f; echo END'
  src=$BATS_TEST_TMPDIR/idsrc
  mkdir -p "$src"; touch "$src/f"; chown 0:0 "$src/f"
  config_edit --arg s "$src" '.mounts += [
      {destination: "/idm", type: "bind", source: $s, options: ["bind", "idmap"],
       uidMappings: [{containerID: 0, hostID: 1234, size: 1}], gidMappings: [{containerID: 0, hostID: 4321, size: 1}]},
      {destination: "/idm2", type: "bind", source: $s, options: ["rbind"],
       uidMappings: [{containerID: 0, hostID: 77, size: 10}], gidMappings: [{containerID: 0, hostID: 88, size: 10}]},
      {destination: "/rid", type: "bind", source: $s, options: ["rbind", "ridmap"],
       uidMappings: [{containerID: 0, hostID: 5, size: 1}], gidMappings: [{containerID: 0, hostID: 6, size: 1}]}]'
  rt_run i1
  echo "$output"
  [ "$status" -eq 0 ]
  grep -qx "/idm/f 1234:4321" "$BATS_TEST_TMPDIR/i1.out"
  grep -qx "/idm2/f 77:88" "$BATS_TEST_TMPDIR/i1.out"
  grep -qx "/rid/f 5:6" "$BATS_TEST_TMPDIR/i1.out"
  # the host's view of the source is unchanged
  [ "$(stat -c %u:%g "$src/f")" = 0:0 ]
  assert_nothing_left i1
}

@test "remount: a later entry with remount changes the mount at its destination (bind,ro and a tmpfs's data)" {
  require_root
  lt_bundle sh -c 'cat /proc/self/mountinfo
    if touch /b/x 2>/dev/null; then echo B-WRITABLE; fi
    if touch /t/x 2>/dev/null; then echo T-WRITABLE; fi; echo END'
  src=$BATS_TEST_TMPDIR/rsrc
  mkdir -p "$src"
  config_edit --arg s "$src" '.mounts += [
      {destination: "/b", type: "bind", source: $s, options: ["rbind", "rw", "nosuid"]},
      {destination: "/b", type: "bind", source: $s, options: ["remount", "bind", "ro", "nosuid"]},
      {destination: "/t", type: "tmpfs", source: "tmpfs", options: ["nosuid", "size=1m"]},
      {destination: "/t", type: "tmpfs", source: "tmpfs", options: ["remount", "ro", "nosuid", "size=2m"]}]'
  rt_run r1
  echo "$output"
  [ "$status" -eq 0 ]
  has_opt "$(mnt_opts r1 /b)" ro
  has_opt "$(mnt_opts r1 /b)" nosuid
  has_opt "$(mnt_opts r1 /t)" ro
  [[ "$(mnt_super r1 /t)" == "tmpfs ro,"*"size=2048k"* ]]
  [ -z "$(grep -e B-WRITABLE -e T-WRITABLE "$BATS_TEST_TMPDIR/r1.out")" ]
  grep -qx END "$BATS_TEST_TMPDIR/r1.out"
  # only the container's mount turned read-only, not the host's directory
  touch "$src/host-write"
  # one mount at each destination: remount changed it, made none
  [ "$(awk '$5 == "/b"' "$BATS_TEST_TMPDIR/r1.out" | wc -l)" -eq 1 ]
  [ "$(awk '$5 == "/t"' "$BATS_TEST_TMPDIR/r1.out" | wc -l)" -eq 1 ]
  assert_nothing_left r1
}

@test "remount: a destination with nothing mounted, or missing, fails create with the mount's context" {
  require_root
  lt_bundle true
  config_edit '.mounts += [{destination: "/nowhere", type: "tmpfs", source: "tmpfs", options: ["remount", "ro"]}]'
  rt_run r2
  echo "$output"
  [ "$status" -ne 0 ]
  [[ "$output" == *"mounts["*"] /nowhere: open \`/nowhere\` in the rootfs: no such file or directory"* ]]
  assert_nothing_left r2
}

@test "mountLabel without SELinux: ignored with a debug line, as runc does; no context= on the mounts" {
  require_root
  if [ "$(stat -f -c %T /sys/fs/selinux 2>/dev/null)" = selinux ]; then skip "SELinux is enabled here: the label would apply"; fi
  lt_bundle cat /proc/self/mountinfo
  config_edit '.linux.mountLabel = "system_u:object_r:container_file_t:s0:c1,c2"'
  rt_io l1 --debug --log "$BATS_TEST_TMPDIR/l1.log" run --bundle "$BUNDLE" l1
  echo "$output"
  [ "$status" -eq 0 ]
  grep -q "linux.mountLabel: SELinux is not enabled on this host; ignored" "$BATS_TEST_TMPDIR/l1.log"
  grep -q " /dev/shm " "$BATS_TEST_TMPDIR/l1.out"
  [ -z "$(grep "context=" "$BATS_TEST_TMPDIR/l1.out")" ]
  assert_nothing_left l1
}

@test "rootfsPropagation: shared, private and unbindable are the propagation of the container's /" {
  require_root
  for p in shared private unbindable; do
    lt_bundle sh -c 'awk "{ if (\$5 == \"/\") print }" /proc/self/mountinfo'
    config_edit --arg p "$p" '.linux.rootfsPropagation = $p'
    rt_run_lines "rp-$p"
    echo "$p: $output"
    [ "$status" -eq 0 ]
    # the optional fields, between field 6 and the "-"
    opt=$(echo "${lines[0]}" | awk '{ for (i = 7; $i != "-"; i++) printf "%s ", $i }')
    case $p in
      shared) [[ "$opt" == *shared:* ]] ;;
      private) [ -z "$opt" ] ;;
      unbindable) [[ "$opt" == *unbindable* ]] ;;
    esac
    assert_nothing_left "rp-$p"
  done
}
