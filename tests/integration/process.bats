#!/usr/bin/env bats
# The container process (config.md "Process"), seen from inside (the
# program's output) and from the host (/proc/PID of the pid file's pid):
# user, umask, env, PATH lookup, cwd, rlimits, oomScoreAdj,
# noNewPrivileges, the fds it gets.

load helpers

setup() { lt_setup; }
teardown() { lt_teardown; }

# proc_bundle SCRIPT: a bundle running `sh -c 'SCRIPT; echo END; exec sleep
# 1000'`: the script's output, then the process stays for the host to look
# at. No network namespace (not needed here).
proc_bundle() {
  lt_bundle sh -c "$1; echo END; exec sleep 1000"
  ns_remove network
}

# create_start ID: create, start, wait for END in the output.
create_start() {
  rt_create "$1"
  echo "$output"
  [ "$status" -eq 0 ]
  rt start "$1"
  wait_output "$1"
  cat "$BATS_TEST_TMPDIR/$1.out"
}

sorted_words() { tr ' ' '\n' | grep . | sort -n | tr '\n' ' '; }

@test "user: uid, gid and additionalGids" {
  require_root
  proc_bundle 'echo "uid=$(id -u)"; echo "gid=$(id -g)"; echo "groups=$(id -G)"'
  config_edit '.process.user = {uid: 1000, gid: 1001, additionalGids: [5, 2000]}'
  create_start c1
  [ "$(out_value c1 uid)" = 1000 ]
  [ "$(out_value c1 gid)" = 1001 ]
  [ "$(out_value c1 groups | sorted_words)" = "5 1001 2000 " ]
  # from the host
  [ "$(pid_status "$PID" Uid)" = "1000 1000 1000 1000" ]
  [ "$(pid_status "$PID" Gid)" = "1001 1001 1001 1001" ]
  [ "$(pid_status "$PID" Groups | sorted_words)" = "5 2000 " ]
  kill_and_delete c1
  assert_nothing_left c1
}

@test "user: no additionalGids means no supplementary groups" {
  require_root
  proc_bundle 'echo "groups=$(id -G)"'
  config_edit '.process.user = {uid: 0, gid: 0}'
  create_start c1
  [ "$(out_value c1 groups)" = 0 ]
  [ -z "$(pid_status "$PID" Groups)" ]
  kill_and_delete c1
  assert_nothing_left c1
}

@test "umask" {
  require_root
  proc_bundle 'echo "umask=$(umask)"; touch /shared/f; mkdir /shared/d'
  config_edit '.process.user.umask = 23'   # 0027
  create_start c1
  [ "$(out_value c1 umask)" = 0027 ]
  [ "$(stat -c %a "$SHARED/f")" = 640 ]
  [ "$(stat -c %a "$SHARED/d")" = 750 ]
  [ "$(pid_status "$PID" Umask)" = 0027 ]
  kill_and_delete c1
  assert_nothing_left c1
}

# env_except_home FILE: the lines of FILE but HOME=... (runc adds HOME when
# the config has none; the spec neither asks nor forbids it), sorted.
env_except_home() {
  grep -v '^HOME=' "$1" | sort
}

@test "env: exactly the config's environment, not the caller's" {
  require_root
  lt_bundle env
  ns_remove network
  config_edit --arg mark "LT_MARK=$MARK" '.process.env = ["PATH=/usr/bin:/bin", "FOO=bar baz", "EMPTY=", $mark]'
  printf '%s\n' "PATH=/usr/bin:/bin" "FOO=bar baz" "EMPTY=" "LT_MARK=$MARK" | sort > "$BATS_TEST_TMPDIR/want"
  # inside: env is the program, it prints what it was exec'd with
  LT_LEAK=from-the-caller rt_run c1
  [ "$status" -eq 0 ]
  cat "$BATS_TEST_TMPDIR/c1.out"
  [ "$(env_except_home "$BATS_TEST_TMPDIR/c1.out")" = "$(cat "$BATS_TEST_TMPDIR/want")" ]
  assert_nothing_left c1
  # from the host: the environment the program was exec'd with
  config_edit '.process.args = ["sleep", "1000"]'
  LT_LEAK=from-the-caller rt_create c1
  [ "$status" -eq 0 ]
  rt start c1
  wait_for eval '[ "$(pid_cmdline "$PID")" = "sleep 1000 " ]'
  tr '\0' '\n' < "/proc/$PID/environ" > "$BATS_TEST_TMPDIR/host-env"
  cat "$BATS_TEST_TMPDIR/host-env"
  [ "$(env_except_home "$BATS_TEST_TMPDIR/host-env")" = "$(cat "$BATS_TEST_TMPDIR/want")" ]
  kill_and_delete c1
  assert_nothing_left c1
}

@test "args[0] without a slash is found through the config's PATH" {
  require_root
  lt_bundle myprog arg1 "arg 2"
  ns_remove network
  mkdir -p "$BUNDLE/rootfs/opt/lt/bin"
  printf '#!/bin/sh\necho "myprog: $0 $1 $2"\necho END\nexec sleep 1000\n' > "$BUNDLE/rootfs/opt/lt/bin/myprog"
  chmod 755 "$BUNDLE/rootfs/opt/lt/bin/myprog"
  config_edit --arg mark "LT_MARK=$MARK" '.process.env = ["PATH=/nonexistent:/opt/lt/bin:/bin", $mark]'
  create_start c1
  grep -qxF 'myprog: /opt/lt/bin/myprog arg1 arg 2' "$BATS_TEST_TMPDIR/c1.out"
  kill_and_delete c1
  assert_nothing_left c1
}

@test "cwd is the config's" {
  require_root
  proc_bundle 'echo "pwd=$(pwd)"'
  config_edit '.process.cwd = "/usr/bin"'
  create_start c1
  [ "$(out_value c1 pwd)" = /usr/bin ]
  # from the host: the same directory
  [ "$(stat -Lc %d:%i "/proc/$PID/cwd")" = "$(stat -c %d:%i "$BUNDLE/rootfs/usr/bin")" ]
  kill_and_delete c1
  assert_nothing_left c1
}

@test "a missing cwd is created" {
  require_root
  proc_bundle 'echo "pwd=$(pwd)"'
  config_edit '.process.cwd = "/work/new/dir"'
  [ ! -e "$BUNDLE/rootfs/work" ]
  create_start c1
  [ "$(out_value c1 pwd)" = /work/new/dir ]
  [ -d "$BUNDLE/rootfs/work/new/dir" ]
  [ "$(stat -Lc %d:%i "/proc/$PID/cwd")" = "$(stat -c %d:%i "$BUNDLE/rootfs/work/new/dir")" ]
  kill_and_delete c1
  assert_nothing_left c1
}

# The soft and hard columns of a /proc/PID/limits line.
limit_of() {
  grep "^$2 " "$1" | sed "s/^$2 *//" | awk '{ print $1, $2 }'
}

@test "rlimits" {
  require_root
  proc_bundle 'cat /proc/self/limits > /shared/limits'
  # all under this host's hard limits (raising one needs CAP_SYS_RESOURCE)
  config_edit '.process.rlimits = [
    {type: "RLIMIT_NOFILE", soft: 512, hard: 768},
    {type: "RLIMIT_NPROC", soft: 1000, hard: 2000},
    {type: "RLIMIT_CORE", soft: 0, hard: 0},
    {type: "RLIMIT_MSGQUEUE", soft: 4096, hard: 8192}]'
  create_start c1
  cat "$SHARED/limits"
  for f in "$SHARED/limits" "/proc/$PID/limits"; do
    [ "$(limit_of "$f" 'Max open files')" = "512 768" ]
    [ "$(limit_of "$f" 'Max processes')" = "1000 2000" ]
    [ "$(limit_of "$f" 'Max core file size')" = "0 0" ]
    [ "$(limit_of "$f" 'Max msgqueue size')" = "4096 8192" ]
  done
  kill_and_delete c1
  assert_nothing_left c1
}

@test "oomScoreAdj" {
  require_root
  proc_bundle 'echo "adj=$(cat /proc/self/oom_score_adj)"'
  config_edit '.process.oomScoreAdj = 123'
  create_start c1
  [ "$(out_value c1 adj)" = 123 ]
  [ "$(cat "/proc/$PID/oom_score_adj")" = 123 ]
  kill_and_delete c1
  assert_nothing_left c1
}

@test "noNewPrivileges true and false" {
  require_root
  [ "$(pid_status $$ NoNewPrivs)" = 0 ]   # the caller's, for the false case
  proc_bundle 'echo "nnp=$(grep NoNewPrivs /proc/self/status | tr -d "\t " | cut -d: -f2)"'
  config_edit '.process.noNewPrivileges = true'
  create_start c1
  [ "$(out_value c1 nnp)" = 1 ]
  [ "$(pid_status "$PID" NoNewPrivs)" = 1 ]
  kill_and_delete c1
  assert_nothing_left c1

  config_edit '.process.noNewPrivileges = false'
  create_start c2
  [ "$(out_value c2 nnp)" = 0 ]
  [ "$(pid_status "$PID" NoNewPrivs)" = 0 ]
  kill_and_delete c2
  assert_nothing_left c2
}

# fds_of PID: the fd numbers of PID, sorted, on one line.
fds_of() {
  ls "/proc/$1/fd" | sort -n | tr '\n' ' '
}

@test "the container process gets exactly fds 0, 1 and 2" {
  require_root
  # ls lists its own fd on /proc/self/fd too: the lowest free one
  proc_bundle 'echo "fds=$(ls /proc/self/fd | sort -n | tr "\n" " ")"'
  echo a > "$BATS_TEST_TMPDIR/fa"
  # the caller has more fds open: none may reach the container
  status=0
  rt create --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/c1.pid" c1 </dev/null \
    >"$BATS_TEST_TMPDIR/c1.out" 2>"$BATS_TEST_TMPDIR/c1.err" \
    3<"$BATS_TEST_TMPDIR/fa" 4<"$BATS_TEST_TMPDIR/fa" 7<"$BATS_TEST_TMPDIR/fa" || status=$?
  cat "$BATS_TEST_TMPDIR/c1.err"
  [ "$status" -eq 0 ]
  PID=$(cat "$BATS_TEST_TMPDIR/c1.pid")
  track_pid "$PID"
  rt start c1
  wait_output c1
  cat "$BATS_TEST_TMPDIR/c1.out"
  [ "$(out_value c1 fds)" = "0 1 2 3 " ]
  # from the host: 0, 1, 2 and no other; they are the caller's stdio
  [ "$(fds_of "$PID")" = "0 1 2 " ]
  [ "$(readlink "/proc/$PID/fd/0")" = /dev/null ]
  [ "$(readlink "/proc/$PID/fd/1")" = "$BATS_TEST_TMPDIR/c1.out" ]
  [ "$(readlink "/proc/$PID/fd/2")" = "$BATS_TEST_TMPDIR/c1.err" ]
  kill_and_delete c1
  assert_nothing_left c1
}

@test "--preserve-fds 2: fds 3 and 4 reach the container, not 5" {
  require_root
  proc_bundle 'echo "fds=$(ls /proc/self/fd | sort -n | tr "\n" " ")"; echo "fd3=$(cat <&3)"; echo "fd4=$(cat <&4)"'
  echo three > "$BATS_TEST_TMPDIR/f3"
  echo four > "$BATS_TEST_TMPDIR/f4"
  echo five > "$BATS_TEST_TMPDIR/f5"
  status=0
  rt create --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/c1.pid" --preserve-fds 2 c1 </dev/null \
    >"$BATS_TEST_TMPDIR/c1.out" 2>"$BATS_TEST_TMPDIR/c1.err" \
    3<"$BATS_TEST_TMPDIR/f3" 4<"$BATS_TEST_TMPDIR/f4" 5<"$BATS_TEST_TMPDIR/f5" || status=$?
  cat "$BATS_TEST_TMPDIR/c1.err"
  [ "$status" -eq 0 ]
  PID=$(cat "$BATS_TEST_TMPDIR/c1.pid")
  track_pid "$PID"
  # from the host, before start: the init holds them already
  [ "$(readlink "/proc/$PID/fd/3")" = "$BATS_TEST_TMPDIR/f3" ]
  [ "$(readlink "/proc/$PID/fd/4")" = "$BATS_TEST_TMPDIR/f4" ]
  rt start c1
  wait_output c1
  cat "$BATS_TEST_TMPDIR/c1.out"
  [ "$(out_value c1 fds)" = "0 1 2 3 4 5 " ]   # 5 is ls's own
  [ "$(out_value c1 fd3)" = three ]
  [ "$(out_value c1 fd4)" = four ]
  # from the host: after `cat` read them, still open in the program
  [ "$(fds_of "$PID")" = "0 1 2 3 4 " ]
  [ "$(readlink "/proc/$PID/fd/3")" = "$BATS_TEST_TMPDIR/f3" ]
  [ "$(readlink "/proc/$PID/fd/4")" = "$BATS_TEST_TMPDIR/f4" ]
  kill_and_delete c1
  assert_nothing_left c1
}

@test "sysctl (dotted and slashed keys), root.readonly, personality, timeOffsets" {
  require_root
  make_bundle sh -c 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/net/ipv4/conf/lo/forwarding; touch /x 2>&1 | grep -c "Read-only"; uname -m; cat /proc/uptime | cut -d. -f1'
  config_edit '.root.readonly = true
    | .linux.sysctl = {"net.ipv4.ip_forward": "1", "net/ipv4/conf/lo/forwarding": "1"}
    | .linux.personality = {"domain": "LINUX32"}
    | .linux.namespaces += [{"type": "time"}]
    | .linux.timeOffsets = {"boottime": {"secs": 86400000, "nanosecs": 0}}'
  host_forward=$(cat /proc/sys/net/ipv4/ip_forward)
  run oci run --bundle "$BUNDLE" s1
  [ "$status" -eq 0 ]
  echo "$output"
  [ "${lines[0]}" = 1 ]
  [ "${lines[1]}" = 1 ]
  [ "${lines[2]}" = 1 ]             # the rootfs is read-only
  [[ "${lines[3]}" == i686 ]]       # LINUX32 personality
  [ "${lines[4]}" -ge 86400000 ]    # boottime offset seen through /proc/uptime
  [ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$host_forward" ]   # the host's is its own
}

@test "LISTEN_FDS: the listening fds pass through, with LISTEN_PID=1 in the container" {
  require_root
  make_bundle sh -c 'echo "fds=$LISTEN_FDS pid=$LISTEN_PID"; cat <&3; ls /proc/self/fd | tr "\n" " "'
  echo "from fd 3" > "$BATS_TEST_TMPDIR/listen"
  run sh -c 'export LISTEN_FDS=1 LISTEN_PID=$$; exec "$0" --root "$1" run --bundle "$2" l1 3<"$3"' \
    "$OCIRUN" "$ROOT" "$BUNDLE" "$BATS_TEST_TMPDIR/listen"
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "fds=1 pid=1" ]
  [ "${lines[1]}" = "from fd 3" ]
  [ "${lines[2]}" = "0 1 2 3 4 " ]   # 4 is ls's own
  # LISTEN_FDS meant for another process is not ours to pass on.
  run sh -c 'LISTEN_FDS=1 LISTEN_PID=1 exec "$0" --root "$1" run --bundle "$2" l2 3<"$3"' \
    "$OCIRUN" "$ROOT" "$BUNDLE" "$BATS_TEST_TMPDIR/listen"
  [ "${lines[0]}" = "fds= pid=" ]
}

# stat_field FILE N: field N of a /proc/PID/stat file (1 = pid; the comm
# field, which may hold spaces, is cut off first).
stat_field() {
  local stat
  stat=$(cat "$1") || return 1
  stat=${stat##*) }                 # fields from the 3rd (state) on
  local -a f=($stat)
  echo "${f[$2 - 3]}"
}

# The container's shell prints its own policy (field 41) and nice (19).
SCHED_SCRIPT='s=$(cat /proc/$$/stat); set -- ${s##*) }; echo "nice=${17}"; echo "policy=${39}"'

@test "oomScoreAdj: unset, the process keeps the caller's; set, it gets the config's" {
  require_root
  proc_bundle 'echo "adj=$(cat /proc/self/oom_score_adj)"'
  config_edit 'del(.process.oomScoreAdj)'
  # The caller's oom_score_adj is 100 (raising it needs no privilege); in a
  # subshell, so this test's own stays as it is.
  (echo 100 > /proc/self/oom_score_adj && rt_create c1 && [ "$status" -eq 0 ]) || { cat "$BATS_TEST_TMPDIR/c1.err"; false; }
  PID=$(cat "$BATS_TEST_TMPDIR/c1.pid")
  track_pid "$PID"
  rt start c1
  wait_output c1
  cat "$BATS_TEST_TMPDIR/c1.out"
  [ "$(out_value c1 adj)" = 100 ]
  [ "$(cat "/proc/$PID/oom_score_adj")" = 100 ]
  kill_and_delete c1
  assert_nothing_left c1

  config_edit '.process.oomScoreAdj = 200'
  (echo 100 > /proc/self/oom_score_adj && rt_create c2 && [ "$status" -eq 0 ]) || { cat "$BATS_TEST_TMPDIR/c2.err"; false; }
  PID=$(cat "$BATS_TEST_TMPDIR/c2.pid")
  track_pid "$PID"
  rt start c2
  wait_output c2
  [ "$(out_value c2 adj)" = 200 ]
  [ "$(cat "/proc/$PID/oom_score_adj")" = 200 ]
  kill_and_delete c2
  assert_nothing_left c2
}

@test "umask: unset, the process keeps the caller's" {
  require_root
  proc_bundle 'echo "umask=$(umask)"; touch /shared/f'
  config_edit 'del(.process.user.umask)'
  # 0057: neither 0022 nor 0 nor any value a runtime would pick.
  (umask 0057 && rt_create c1 && [ "$status" -eq 0 ]) || { cat "$BATS_TEST_TMPDIR/c1.err"; false; }
  PID=$(cat "$BATS_TEST_TMPDIR/c1.pid")
  track_pid "$PID"
  rt start c1
  wait_output c1
  cat "$BATS_TEST_TMPDIR/c1.out"
  [ "$(out_value c1 umask)" = 0057 ]
  [ "$(stat -c %a "$SHARED/f")" = 620 ]
  [ "$(pid_status "$PID" Umask)" = 0057 ]
  kill_and_delete c1
  assert_nothing_left c1
}

@test "signals: none ignored, caught or blocked, whatever the caller ignored" {
  require_root
  proc_bundle 'grep -E "^Sig(Ign|Blk|Cgt):" /proc/self/status | tr -d "\t" | sed "s/:/=/"'
  # SIG_IGN survives execve, into ocirun and, unless reset, the container.
  (trap '' INT PIPE USR2 HUP && rt_create c1 && [ "$status" -eq 0 ]) || { cat "$BATS_TEST_TMPDIR/c1.err"; false; }
  PID=$(cat "$BATS_TEST_TMPDIR/c1.pid")
  track_pid "$PID"
  rt start c1
  wait_output c1
  cat "$BATS_TEST_TMPDIR/c1.out"
  [ "$(out_value c1 SigIgn)" = 0000000000000000 ]
  [ "$(out_value c1 SigBlk)" = 0000000000000000 ]
  [ "$(out_value c1 SigCgt)" = 0000000000000000 ]
  kill_and_delete c1
  assert_nothing_left c1
}

@test "scheduler: SCHED_BATCH with nice 5 is applied to the process" {
  require_root
  proc_bundle "$SCHED_SCRIPT"
  config_edit '.process.scheduler = {policy: "SCHED_BATCH", nice: 5}'
  create_start c1
  [ "$(out_value c1 policy)" = 3 ]    # SCHED_BATCH
  [ "$(out_value c1 nice)" = 5 ]
  # from the host
  chrt -p "$PID"
  chrt -p "$PID" | grep -q "policy: SCHED_BATCH$"
  [ "$(stat_field "/proc/$PID/stat" 19)" = 5 ]
  [ "$(stat_field "/proc/$PID/stat" 41)" = 3 ]
  kill_and_delete c1
  assert_nothing_left c1

  # SCHED_IDLE (nice means nothing to it)
  config_edit '.process.scheduler = {policy: "SCHED_IDLE"}'
  create_start c2
  [ "$(out_value c2 policy)" = 5 ]    # SCHED_IDLE
  chrt -p "$PID" | grep -q "policy: SCHED_IDLE$"
  kill_and_delete c2
  assert_nothing_left c2
}

@test "scheduler: nice and priority left out are 0, not the caller's" {
  require_root
  proc_bundle "$SCHED_SCRIPT"
  config_edit '.process.scheduler = {policy: "SCHED_BATCH"}'
  # The caller runs at nice 7: without a scheduler the process would have it.
  (renice -n 7 -p "$BASHPID" >/dev/null && rt_create c1 && [ "$status" -eq 0 ]) || { cat "$BATS_TEST_TMPDIR/c1.err"; false; }
  PID=$(cat "$BATS_TEST_TMPDIR/c1.pid")
  track_pid "$PID"
  rt start c1
  wait_output c1
  cat "$BATS_TEST_TMPDIR/c1.out"
  [ "$(out_value c1 policy)" = 3 ]
  [ "$(out_value c1 nice)" = 0 ]
  [ "$(stat_field "/proc/$PID/stat" 19)" = 0 ]
  chrt -p "$PID" | grep -q "priority: 0$"
  kill_and_delete c1
  assert_nothing_left c1
}
