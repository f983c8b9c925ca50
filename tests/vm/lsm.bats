#!/usr/bin/env bats
# AppArmor labels on a kernel that has AppArmor: run by tests/vm/lane.sh in
# the VM (Debian's kernel enables AppArmor by default; the guest mounts
# securityfs), as root. A test profile is loaded with the host's
# apparmor_parser (Debian package apparmor, scripts/deps.sh); each test
# checks the label from inside the container and from the guest's side, that
# the profile acts (it denies reading /lsm-denied), and that nothing is left.
# Outside the VM, or without apparmor_parser, every test skips with the reason.

load ../integration/helpers

PROFILE=ocirun-lsm-test

lsm_unavailable() {
  [ "$(id -u)" -eq 0 ] || { echo "needs root"; return; }
  [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ] ||
    { echo "AppArmor is not enabled on this kernel (these tests run in the VM lane)"; return; }
  [ -d /sys/kernel/security/apparmor ] || { echo "securityfs is not mounted at /sys/kernel/security"; return; }
  command -v apparmor_parser >/dev/null ||
    { echo "apparmor_parser is missing (Debian package apparmor, scripts/deps.sh installs it)"; return; }
}

setup_file() {
  [ -z "$(lsm_unavailable)" ] || return 0
  # Everything allowed but reading /lsm-denied: enough for the runtime's
  # and busybox's needs, and a denial the container can show.
  cat > "$BATS_FILE_TMPDIR/profile" <<EOF
profile $PROFILE flags=(attach_disconnected,mediate_deleted) {
  file,
  capability,
  network,
  mount,
  remount,
  umount,
  pivot_root,
  signal,
  ptrace,
  unix,
  deny /lsm-denied r,
}
EOF
  apparmor_parser -r -K "$BATS_FILE_TMPDIR/profile"
}

teardown_file() {
  if [ -z "$(lsm_unavailable)" ] && grep -q "^$PROFILE " /sys/kernel/security/apparmor/profiles; then
    apparmor_parser -R -K "$BATS_FILE_TMPDIR/profile"
  fi
}

setup() {
  local why
  why=$(lsm_unavailable)
  [ -z "$why" ] || skip "$why"
  grep -q "^$PROFILE (enforce)" /sys/kernel/security/apparmor/profiles
  lt_setup
}

teardown() { lt_teardown; }

# A container whose program (pid 1) reports its label and whether
# /lsm-denied could be read, then runs CMD (default: nothing more).
lsm_bundle() {
  lt_bundle sh -c 'echo "LABEL=$(cat /proc/1/attr/apparmor/current)"
    echo "LEGACY=$(cat /proc/1/attr/current)"
    cat /lsm-denied >/dev/null 2>&1 && echo READ=ok || echo READ=denied
    echo END; '"${1:-true}"
  echo secret > "$BUNDLE/rootfs/lsm-denied"
}

@test "apparmor: the container runs confined by process.apparmorProfile" {
  # Without the profile: unconfined, and the file reads.
  lsm_bundle
  rt_run u1
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$(out_value u1 LABEL)" = unconfined ]
  [ "$(out_value u1 READ)" = ok ]
  assert_nothing_left u1
  lsm_bundle 'exec sleep 1000'
  config_edit --arg p "$PROFILE" '.process.apparmorProfile = $p'
  rt_create c1
  echo "$output"
  [ "$status" -eq 0 ]
  rt start c1
  wait_output c1
  [ "$(out_value c1 LABEL)" = "$PROFILE (enforce)" ]
  [ "$(out_value c1 LEGACY)" = "$PROFILE (enforce)" ]
  [ "$(out_value c1 READ)" = denied ]
  # The guest's side sees the same label on the container's process.
  [ "$(cat "/proc/$PID/attr/apparmor/current")" = "$PROFILE (enforce)" ]
  kill_and_delete c1
  assert_nothing_left c1
}

@test "apparmor: exec --apparmor confines the exec'd process; without it, exec takes the container's profile" {
  lsm_bundle 'exec sleep 1000'
  rt_create c1
  [ "$status" -eq 0 ]
  rt start c1
  wait_output c1
  [ "$(out_value c1 LABEL)" = unconfined ]
  probe='echo "LABEL=$(cat /proc/self/attr/apparmor/current)"; cat /lsm-denied >/dev/null 2>&1 && echo READ=ok || echo READ=denied'
  run rt exec --apparmor "$PROFILE" c1 sh -c "$probe" </dev/null 3>&-
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"LABEL=$PROFILE (enforce)"* ]]
  [[ "$output" == *READ=denied* ]]
  # Also as a user without capabilities (the label is written before the
  # user switch).
  run rt exec --user 1000:1000 --apparmor "$PROFILE" c1 sh -c "$probe" </dev/null 3>&-
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"LABEL=$PROFILE (enforce)"* ]]
  run rt exec c1 sh -c "$probe" </dev/null 3>&-
  [[ "$output" == *"LABEL=unconfined"* ]]
  [[ "$output" == *READ=ok* ]]
  kill_and_delete c1
  assert_nothing_left c1
  # A container with the profile: exec without --apparmor gets it too (runc).
  config_edit --arg p "$PROFILE" '.process.apparmorProfile = $p'
  rt_create c2
  [ "$status" -eq 0 ]
  rt start c2
  wait_output c2
  run rt exec c2 sh -c "$probe" </dev/null 3>&-
  echo "$output"
  [[ "$output" == *"LABEL=$PROFILE (enforce)"* ]]
  [[ "$output" == *READ=denied* ]]
  kill_and_delete c2
  assert_nothing_left c2
}

@test "apparmor: a profile that is not loaded fails create (and exec) clearly and leaves nothing behind" {
  lsm_bundle 'exec sleep 1000'
  config_edit '.process.apparmorProfile = "ocirun-not-loaded"'
  rt_create c1
  echo "$output"
  [ "$status" -ne 0 ]
  [[ "$output" == *"process.apparmorProfile: AppArmor profile \`ocirun-not-loaded\` is not loaded"* ]]
  assert_nothing_left c1
  # exec: the same error; the container runs on, and no process is left.
  config_edit 'del(.process.apparmorProfile)'
  rt_create c2
  [ "$status" -eq 0 ]
  rt start c2
  wait_output c2
  run rt exec --apparmor ocirun-not-loaded c2 sh -c 'echo SHOULD-NOT-RUN' </dev/null 3>&-
  echo "$output"
  [ "$status" -ne 0 ]
  [[ "$output" == *"AppArmor profile \`ocirun-not-loaded\` is not loaded"* ]]
  [[ "$output" != *SHOULD-NOT-RUN* ]]
  [ "$(state_field c2 status)" = running ]
  [ "$(rt ps --format json c2 | jq length)" -eq 1 ]
  kill_and_delete c2
  assert_nothing_left c2
}

@test "apparmor: with AppArmor enabled, a selinuxLabel is refused clearly" {
  [ "$(stat -f -c %T /sys/fs/selinux 2>/dev/null)" != selinuxfs ] || skip "SELinux is enabled here"
  lsm_bundle
  config_edit '.process.selinuxLabel = "system_u:system_r:container_t:s0"'
  rt_create c1
  echo "$output"
  [ "$status" -ne 0 ]
  [[ "$output" == *"process.selinuxLabel: \`system_u:system_r:container_t:s0\` asked for, but SELinux is not enabled on this host"* ]]
  assert_nothing_left c1
  lsm_bundle 'exec sleep 1000'
  rt_create c2
  [ "$status" -eq 0 ]
  rt start c2
  wait_output c2
  run rt exec --process-label system_u:system_r:container_t:s0 c2 true </dev/null 3>&-
  echo "$output"
  [ "$status" -ne 0 ]
  [[ "$output" == *"SELinux is not enabled on this host"* ]]
  kill_and_delete c2
  assert_nothing_left c2
}

# CVE-2019-16884 and CVE-2025-52881: the config binds a directory of fake
# attribute files over the init's /proc/<pid>/attr (pid 1 in its pid
# namespace, and its thread's). Written through the
# container's /proc, the label would land in those files and the container
# would run unconfined; the runtime writes through a procfs of its own.
@test "CVE-2025-52881: a mount over the container's /proc/self/attr does not redirect the AppArmor label" {
  lsm_bundle
  fake=$BATS_TEST_TMPDIR/fake-attr
  mkdir -p "$fake/apparmor"
  for f in current exec apparmor/current apparmor/exec; do echo canary > "$fake/$f"; done
  config_edit --arg p "$PROFILE" --arg f "$fake" '.process.apparmorProfile = $p
    | .mounts += [{destination: "/proc/1/attr", type: "bind", source: $f, options: ["bind", "rw"]},
                  {destination: "/proc/1/task/1/attr", type: "bind", source: $f, options: ["bind", "rw"]}]'
  rt_run a1
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$(out_value a1 LABEL)" = canary ]   # the container sees the fake files...
  [ "$(out_value a1 READ)" = denied ]    # ...and runs confined all the same
  for f in current exec apparmor/current apparmor/exec; do [ "$(cat "$fake/$f")" = canary ]; done
  assert_nothing_left a1
}

# The same through exec: the container (with CAP_SYS_ADMIN) hides its /proc
# under a tmpfs of fake attribute files for every pid exec's process could
# get; exec --apparmor still confines the process and writes none of them.
@test "CVE-2025-52881: a fake /proc in the container does not redirect exec's AppArmor label" {
  lsm_bundle 'mount -t tmpfs fake /proc
    for i in $(seq 1 64); do
      for d in /proc/$i/attr /proc/$i/task/$i/attr; do
        mkdir -p $d/apparmor; for f in current exec apparmor/current apparmor/exec; do echo canary > $d/$f; done
      done
    done
    ln -s 1 /proc/self; ln -s 1/task/1 /proc/thread-self
    echo FAKE=ready; exec sleep 1000'
  config_edit '.process.capabilities.bounding += ["CAP_SYS_ADMIN"] | .process.capabilities.effective += ["CAP_SYS_ADMIN"]
    | .process.capabilities.permitted += ["CAP_SYS_ADMIN"]'
  rt_create c1
  [ "$status" -eq 0 ]
  rt start c1
  wait_output c1 FAKE=ready
  run rt exec --apparmor "$PROFILE" c1 sh -c 'cat /lsm-denied >/dev/null 2>&1 && echo READ=ok || echo READ=denied' </dev/null 3>&-
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *READ=denied* ]]
  run rt exec c1 sh -c 'grep -rLx canary /proc; echo CHECKED' </dev/null 3>&-
  echo "$output"
  [ "$output" = CHECKED ]   # every fake file still says canary
  kill_and_delete c1
  assert_nothing_left c1
}
