# Shared set-up for the integration suite (bats). Each test runs the built
# binary as a user would, on a bundle made in its own temp dir, with its own
# state root, and checks afterwards that nothing was left on the host.

OCIRUN=${OCIRUN:-$BATS_TEST_DIRNAME/../../build/src/ocirun}
TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)

# Every test gets: $BUNDLE (busybox bundle, made on demand by make_bundle),
# $ROOT (the --root state dir), and a snapshot of the host's mounts.
common_setup() {
  ROOT=$BATS_TEST_TMPDIR/state
  BUNDLE=$BATS_TEST_TMPDIR/bundle
  mkdir -p "$ROOT"
  MOUNTS_BEFORE=$(cut -d' ' -f5 /proc/self/mountinfo | sort)
}

# Checks that the test left nothing behind: no mounts on the host, no
# container state dirs.
common_teardown() {
  local after
  after=$(cut -d' ' -f5 /proc/self/mountinfo | sort)
  if [ "$after" != "$MOUNTS_BEFORE" ]; then
    echo "mounts changed on the host:" >&2
    diff <(echo "$MOUNTS_BEFORE") <(echo "$after") >&2
    return 1
  fi
  if [ -d "$ROOT" ] && [ -n "$(ls -A "$ROOT")" ]; then
    echo "state left behind in $ROOT: $(ls -A "$ROOT")" >&2
    # Clean up all the same, so that a failing test leaves nothing on the
    # host (processes, cgroups) for the next one.
    local id
    for id in $(ls "$ROOT"); do "$OCIRUN" --root "$ROOT" delete --force "$id" >&2 || true; done
    return 1
  fi
}

# make_bundle [ARG...]: a busybox bundle in $BUNDLE running ARG... (default sh).
make_bundle() {
  OCIRUN=${OCIRUN_SPEC:-$TOP/build/src/ocirun} "$TOP/scripts/make-bundle.sh" "$BUNDLE" "$@"
}

# Edits $BUNDLE/config.json with a jq filter.
config_edit() {
  jq "$@" "$BUNDLE/config.json" > "$BUNDLE/config.json.new" && mv "$BUNDLE/config.json.new" "$BUNDLE/config.json"
}

# ocirun with the test's own state root.
oci() {
  "$OCIRUN" --root "$ROOT" "$@"
}

require_root() {
  [ "$(id -u)" -eq 0 ] || skip "needs root"
}

# ---- Container lifecycle helpers (lifecycle.bats, namespaces.bats, process.bats) ----
#
# These tests run containers, so they can run against any runc-compatible
# runtime: OCIRUN=/usr/sbin/runc bats tests/integration/lifecycle.bats.
# make_bundle always writes config.json with ocirun's own `spec`
# (OCIRUN_SPEC, default build/src/ocirun), whatever runtime is under test.
#
# Every test gets, from lt_setup:
#   CGNAME  a relative linux.cgroupsPath unique to the test (lt_bundle sets it)
#   MARK    a unique value put in the environment of the runtime (LT_MARK=) and
#           of the container process: any live process carrying it is one the
#           test started, found by scanning /proc/*/environ
#   SHARED  a host dir bind-mounted read-write at /shared in the container
# and every container test ends with assert_nothing_left.

OCIRUN_SPEC=${OCIRUN_SPEC:-$TOP/build/src/ocirun}

lt_setup() {
  common_setup
  CGNAME=ocirun-test-$(basename "$BATS_TEST_FILENAME" .bats)-$BATS_TEST_NUMBER-$$
  MARK=$CGNAME
  SHARED=$BATS_TEST_TMPDIR/shared
  mkdir -p "$SHARED"
  chmod 0777 "$SHARED"
  LT_TRACKED=()   # "pid:starttime" of every container process seen
  LT_HOLDERS=()   # pids of namespace holder processes the test started
  LT_T0=$(date +%s)
  LT_CGDIRS=$(cgroup_dirs)
}

# Cleans up whatever a failed test left, by pid and only what this test
# started, then runs common_teardown. Fails the test if, once its containers
# are deleted, a cgroup dir or a marked process of the test remained.
lt_teardown() {
  local id p bad=0
  if [ "$(id -u)" -eq 0 ]; then
    for id in $(ls -A "$ROOT" 2>/dev/null); do
      "$OCIRUN" --root "$ROOT" delete --force "$id" >/dev/null 2>&1 </dev/null 3>&- || true
    done
    for p in "${LT_TRACKED[@]}"; do
      if ! wait_for pid_dead "$p" 2>/dev/null; then
        echo "teardown: container process ${p%%:*} left: $(pid_cmdline "${p%%:*}")" >&2
        kill -KILL "${p%%:*}" 2>/dev/null; bad=1
      fi
    done
    for p in $(marked_pids); do
      echo "teardown: process $p left: $(pid_cmdline "$p")" >&2
      kill -KILL "$p" 2>/dev/null; bad=1
    done
    for p in "${LT_HOLDERS[@]}"; do kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    wait_for eval '[ -z "$(marked_pids)" ]' 2>/dev/null || true
    for id in $(ls -A "$ROOT" 2>/dev/null); do
      "$OCIRUN" --root "$ROOT" delete --force "$id" >/dev/null 2>&1 </dev/null 3>&- || true
    done
    for p in $LT_CGDIRS; do
      if [ -d "$p" ]; then
        echo "teardown: cgroup left: $p" >&2
        find "$p" -depth -type d -exec rmdir {} + 2>/dev/null; bad=1
      fi
    done
  fi
  common_teardown || bad=1
  [ "$bad" -eq 0 ]
}

# The runtime under test, with the test's state root and its mark.
rt() {
  LT_MARK=$MARK "$OCIRUN" --root "$ROOT" "$@"
}

# rt_io ID ARG...: `rt ARG...` with ID's stdio files: stdin /dev/null, stdout
# $BATS_TEST_TMPDIR/ID.out, stderr ID.err, no other fd of the test (bats' fd 3
# would make bats wait for the container). For commands whose stdio become the
# container's (create, run). Sets status, and output to stdout then stderr.
rt_io() {
  local id=$1; shift
  status=0
  rt "$@" </dev/null >"$BATS_TEST_TMPDIR/$id.out" 2>"$BATS_TEST_TMPDIR/$id.err" 3>&- || status=$?
  output=$(cat "$BATS_TEST_TMPDIR/$id.out" "$BATS_TEST_TMPDIR/$id.err")
}

# rt_create ID [FLAG...]: create ID from $BUNDLE with pid file ID.pid and
# stdio as rt_io. Sets status, output, and PID (empty if no pid file).
rt_create() {
  local id=$1; shift
  rm -f "$BATS_TEST_TMPDIR/$id.pid"
  rt_io "$id" create --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/$id.pid" "$@" "$id"
  PID=
  if [ -s "$BATS_TEST_TMPDIR/$id.pid" ]; then
    PID=$(cat "$BATS_TEST_TMPDIR/$id.pid")
    track_pid "$PID"
  fi
}

# rt_run ID [FLAG...]: run ID from $BUNDLE in the foreground (pid file ID.pid).
rt_run() {
  local id=$1; shift
  rm -f "$BATS_TEST_TMPDIR/$id.pid"
  rt_io "$id" run --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/$id.pid" "$@" "$id"
  if [ -s "$BATS_TEST_TMPDIR/$id.pid" ]; then track_pid "$(cat "$BATS_TEST_TMPDIR/$id.pid")"; fi
}

# lt_bundle [ARG...]: a bundle as make_bundle's, then: the test's
# cgroupsPath, LT_MARK in the process env, /shared bind-mounted from $SHARED.
# make_bundle runs once per bats run (it takes seconds: a process per busybox
# applet); each test copies its bundle.
lt_bundle() {
  local cache=$BATS_RUN_TMPDIR/lt-bundle tmp args a
  if [ ! -d "$cache" ]; then
    tmp=$(mktemp -d "$BATS_RUN_TMPDIR/lt-bundle.XXXXXX")
    BUNDLE=$tmp/b make_bundle
    mv -T "$tmp/b" "$cache" 2>/dev/null || true   # another test may have won
    rm -rf "$tmp"
  fi
  rm -rf "$BUNDLE"
  cp -a "$cache" "$BUNDLE"
  if [ $# -eq 0 ]; then set -- sh; fi
  args='[]'
  for a in "$@"; do args=$(jq -c --arg a "$a" '. + [$a]' <<<"$args"); done
  mkdir -p "$BUNDLE/rootfs/shared"
  config_edit --argjson args "$args" --arg cg "$CGNAME" --arg mark "LT_MARK=$MARK" --arg shared "$SHARED" '
    .process.args = $args
    | .linux.cgroupsPath = $cg
    | .process.env += [$mark]
    | .mounts += [{destination: "/shared", type: "bind", source: $shared, options: ["rbind", "rw"]}]'
}

# ns_remove TYPE...: drops these namespaces from the config.
ns_remove() {
  local t
  for t in "$@"; do
    config_edit --arg t "$t" 'del(.linux.namespaces[] | select(.type == $t))'
  done
}

# The start time (clock ticks since boot) of PID, empty if there is none.
pid_starttime() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
  stat=${stat##*) }                 # fields from the 3rd (state) on
  set -- $stat
  echo "${20}"
}

# track_pid PID: remember a container process, to check it is gone at the end.
track_pid() {
  LT_TRACKED+=("$1:$(pid_starttime "$1")")
}

# pid_alive PID[:STARTTIME]: the process exists, is not a zombie, and (when
# given) has that start time (so a reused pid does not count).
pid_alive() {
  local pid=${1%%:*} start= stat
  [[ $1 == *:* ]] && start=${1#*:}
  stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  set -- $stat
  [ "$1" != Z ] && [ "$1" != X ] || return 1
  [ -z "$start" ] || [ "${20}" = "$start" ]
}

# pid_dead PID[:STARTTIME]: not pid_alive (usable where `!` would not fail a
# bats test).
pid_dead() {
  if pid_alive "$1"; then return 1; fi
}

# Live processes carrying this test's mark in their environment.
marked_pids() {
  local f p
  for f in $(grep -lsxzF "LT_MARK=$MARK" /proc/[0-9]*/environ 2>/dev/null); do
    p=${f#/proc/}; p=${p%/environ}
    pid_alive "$p" && echo "$p"
  done
  return 0
}

# Every cgroup dir the runtime may make for $CGNAME: in each cgroup hierarchy
# mounted here, under the test's own cgroup (where a relative cgroupsPath
# goes) and at the top.
cgroup_dirs() {
  awk -v name="$CGNAME" '
    FNR == NR {                       # /proc/self/cgroup: N:controllers:path
      split($0, f, ":")
      if (f[1] == 0) { v2 = f[3]; next }
      n = split(f[2], c, ",")
      for (i = 1; i <= n; i++) own[c[i]] = f[3]
      next
    }
    {                                 # mountinfo: cgroup and cgroup2 mounts
      for (i = 7; $i != "-"; i++);
      fstype = $(i + 1); mp = $5
      if (fstype == "cgroup2") p = v2
      else if (fstype == "cgroup") {
        p = ""
        n = split($(i + 3), o, ",")
        for (k = 1; k <= n; k++) if (o[k] in own) { p = own[o[k]]; break }
      } else next
      sub(/\/$/, "", p)
      print mp p "/" name
      if (p != "") print mp "/" name
    }' /proc/self/cgroup /proc/self/mountinfo
}

# wait_for CMD...: polls CMD (every 20 ms, for at most 10 s) until it succeeds.
wait_for() {
  local end=$((SECONDS + 10))
  while [ "$SECONDS" -le "$end" ]; do
    "$@" && return 0
    sleep 0.02
  done
  echo "timed out waiting for: $*" >&2
  return 1
}

state_is() {
  [ "$(rt state "$1" 2>/dev/null | jq -r .status)" = "$2" ]
}

# wait_state ID STATUS
wait_state() {
  wait_for state_is "$1" "$2"
}

# state_field ID FIELD: one field of `state ID`.
state_field() {
  rt state "$1" | jq -r ".$2"
}

out_has_line() {
  grep -qxF -- "$2" "$BATS_TEST_TMPDIR/$1.out" 2>/dev/null
}

# wait_output ID [LINE]: until the container's stdout (ID.out) has the line
# LINE (default END).
wait_output() {
  wait_for out_has_line "$1" "${2:-END}"
}

# out_value ID KEY: the value of the first "KEY=..." line of ID.out.
out_value() {
  sed -n "s/^$2=//p" "$BATS_TEST_TMPDIR/$1.out" | head -n1
}

# The command line of PID, NULs as spaces.
pid_cmdline() {
  tr '\0' ' ' < "/proc/$1/cmdline"
}

# A field of /proc/PID/status, tabs squeezed to single spaces.
pid_status() {
  sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status" | tr -s '\t ' ' '
}

# kill_and_delete ID: SIGKILL, wait for stopped, delete.
kill_and_delete() {
  rt kill "$1" KILL
  wait_state "$1" stopped
  rt delete "$1"
}

# start_holder NSFLAG...: a process in new namespaces (unshare NSFLAG...),
# whose /proc/PID/ns/* are paths a container can join; sets HOLDER.
start_holder() {
  unshare "$@" sleep 1000 </dev/null >/dev/null 2>&1 3>&- &
  HOLDER=$!
  LT_HOLDERS+=("$HOLDER")
  wait_for holder_ready "$HOLDER" "$@"
}
holder_ready() {
  # unshare has exec'd sleep once /proc/PID/exe is sleep's
  [ "$(readlink "/proc/$1/exe")" = "$(readlink -f "$(command -v sleep)")" ]
}

stop_holders() {
  local p
  for p in "${LT_HOLDERS[@]}"; do kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null || true; done
  LT_HOLDERS=()
}

# assert_nothing_left [ID...]: after a test's containers are gone: each ID is
# unknown to the runtime, the state root is empty, no container process seen
# (by pid and start time) or marked is alive, no cgroup dir of the test
# remains, the host's mounts are as before. Zombies count as gone: the host's
# pid 1 here reaps orphaned container inits late, if at all.
assert_nothing_left() {
  local id p d after bad=0
  for id in "$@"; do
    if rt state "$id" >/dev/null 2>&1; then
      echo "container $id still known to the runtime" >&2; bad=1
    fi
  done
  if [ -n "$(ls -A "$ROOT" 2>/dev/null)" ]; then
    echo "state left in $ROOT: $(ls -A "$ROOT")" >&2; bad=1
  fi
  for p in "${LT_TRACKED[@]}"; do
    if ! wait_for pid_dead "$p" 2>/dev/null; then
      echo "container process ${p%%:*} still alive: $(pid_cmdline "${p%%:*}")" >&2; bad=1
    fi
  done
  if ! wait_for eval '[ -z "$(marked_pids)" ]' 2>/dev/null; then
    for p in $(marked_pids); do echo "process $p left: $(pid_cmdline "$p")" >&2; done
    bad=1
  fi
  for d in $LT_CGDIRS; do
    if [ -e "$d" ]; then echo "cgroup left: $d" >&2; bad=1; fi
  done
  after=$(cut -d' ' -f5 /proc/self/mountinfo | sort)
  if [ "$after" != "$MOUNTS_BEFORE" ]; then
    echo "mounts changed on the host:" >&2
    diff <(echo "$MOUNTS_BEFORE") <(echo "$after") >&2
    bad=1
  fi
  [ "$bad" -eq 0 ]
}
