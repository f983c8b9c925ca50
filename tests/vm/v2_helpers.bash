# What the pure cgroup v2 suites of the VM lane share (cgroups-v2.bats,
# operations-v2.bats): the integration helpers, the container's v2 cgroup,
# and a setup that skips outside a pure v2 kernel.

load ../integration/helpers

# The container's cgroup: on v2 a relative cgroupsPath goes under the
# parent of the runtime's cgroup (which has processes, so no controllers
# could be enabled below it), as in runc.
v2_dir() {
  local own
  own=$(sed -n 's/^0:://p' /proc/self/cgroup)
  own=${own%/*}
  echo "/sys/fs/cgroup$own/$CGNAME"
}

setup() {
  [ -f /sys/fs/cgroup/cgroup.controllers ] && ! grep -q ' - cgroup ' /proc/self/mountinfo ||
    skip "not a pure cgroup v2 host (these tests run in the VM lane)"
  lt_setup
  LT_CGDIRS="$LT_CGDIRS $(v2_dir)"
  V2_SET_UP=1
}

# (A skipped test made nothing to check or remove.)
teardown() {
  [ -z "${V2_SET_UP:-}" ] || lt_teardown
}
