#!/usr/bin/env bash
# bench/run.sh: ocirun against runc and crun, side by side, on this machine.
#
#   sudo bench/run.sh [-n N] [-w W] [-s S] [-o DIR] [--quick]
#                     [--only PARTS] [--runtimes LIST] [--ocirun PATH]
#
#   -n N     samples per single-container measurement (default 15)
#   -w W     warm-up rounds before them, not recorded (default 2)
#   -s S     samples of the batches: 100 runs in sequence, 10 and 50
#            lifecycles in parallel, peak RSS, the memory limit search
#            (default 3)
#   -o DIR   where the results go (default build/bench)
#   --quick  -n 5 -w 1 -s 1: a look in about a minute on a quiet machine
#   --only PARTS     only these parts, a comma list of: single (run, create,
#            start, exec, kill, delete and the floors), batch (100 in
#            sequence, 10 and 50 in parallel), rss (peak RSS), mem (smallest
#            memory limit), trace (ocirun --debug); default all
#   --runtimes LIST  a comma list of runc, crun (default both; ocirun always)
#   --ocirun PATH    time this ocirun binary instead of building the tree's
#            (to compare builds: another build dir's src/ocirun)
#
# As root: installs Debian's runc, crun, time and gnuplot if missing
# (bench/deps.sh), builds ocirun (scripts/build.sh) and the floor helpers
# (bench/tools/*.c), makes a busybox bundle (scripts/make-bundle.sh), then
# runs the three runtimes interleaved, A B C A B C ..., on that one rootfs,
# so that the noise of a shared machine falls on all three alike. Reports
# medians and each runtime's ratio to ocirun, with the project's targets:
#
#   run         `run` of /bin/true; 100 runs in sequence
#   lifecycle   create, start, exec /bin/true, kill, delete, each on its own
#   memory      peak RSS (/usr/bin/time), and the smallest memory limit
#               under which a /bin/true container still runs (binary search)
#   parallel    10 and 50 containers created, started and deleted at once
#   floors      fork+exec of the container's /bin/true; and floor-ns: clone
#               into five new namespaces, v1 cgroups, /proc, pivot_root, exec
#
# Then runs ocirun with --debug to show where its time goes, phase by phase.
# Writes DIR/results.txt (the table), DIR/bench.png (the chart), the raw
# samples, and removes everything else it made: containers, state, cgroups,
# the mount namespace it made for crun.
#
# A hybrid cgroup host (v1 controllers, cgroup2 at /sys/fs/cgroup/unified):
# crun 1.8 refuses it, so crun runs in a private mount namespace with a
# tmpfs over /sys/fs/cgroup/unified, where it sees a v1 host. The
# namespace is made once and held by a sleeping process; the timer joins it
# before its clock starts. Every container gets an absolute cgroupsPath
# under /ocirun-bench-PID/ (made here in every hierarchy, then removed), so
# the three runtimes make the same cgroups in the same places.
set -euo pipefail

n=15 warmup=2 batches=3 out= only=single,batch,rss,mem,trace others=runc,crun ocirun=
while [ $# -gt 0 ]; do
  case $1 in
    -n) n=$2; shift 2 ;;
    -w) warmup=$2; shift 2 ;;
    -s) batches=$2; shift 2 ;;
    -o) out=$2; shift 2 ;;
    --quick) n=5 warmup=1 batches=1; shift ;;
    --only) only=$2; shift 2 ;;
    --runtimes) others=$2; shift 2 ;;
    --ocirun) ocirun=$(realpath "$2"); shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench: unknown argument $1 (try --help)" >&2; exit 2 ;;
  esac
done
if [ "$(id -u)" -ne 0 ]; then
  echo "bench: run as root (it creates containers)" >&2
  exit 1
fi

repo=$(cd "$(dirname "$0")/.." && pwd)
out=${out:-$repo/build/bench}
runtimes=(ocirun)
for rt in ${others//,/ }; do
  case $rt in
    runc|crun) runtimes+=("$rt") ;;
    ocirun) ;;
    *) echo "bench: unknown runtime $rt (runc, crun)" >&2; exit 2 ;;
  esac
done
for part in ${only//,/ }; do
  case $part in
    single|batch|rss|mem|trace) ;;
    *) echo "bench: unknown part $part (single, batch, rss, mem, trace)" >&2; exit 2 ;;
  esac
done
want() { [[ ",$only," == *",$1,"* ]]; }
has_rt() { [[ " ${runtimes[*]} " == *" $1 "* ]]; }
seqn=${BENCH_SEQ:-100}        # runs in the sequence (fewer only to try the script)

say() { echo "bench: $*" >&2; }

# --- 1. What the benchmark needs -------------------------------------------
"$repo/bench/deps.sh"
if [ -z "$ocirun" ]; then
  "$repo/scripts/build.sh"
  ocirun=$repo/build/src/ocirun
fi
mkdir -p "$out"

work=$(mktemp -d /tmp/ocirun-bench.XXXXXX)
# The runtimes' state roots where their defaults are (/run/<name>).
state=/run/ocirun-bench.$$
cg=ocirun-bench-$$            # the cgroup every container is under
holder=                       # the process holding crun's mount namespace
cgroup_parents=()             # /sys/fs/cgroup/<hierarchy>/$cg, made here

# --- Cleanup: containers first, then cgroups, the namespace, files. ----------
cleanup() {
  local status=$? rt id
  trap - EXIT INT TERM
  for rt in "${runtimes[@]}"; do
    [ -d "$state/$rt" ] || continue
    for id in $(ls "$state/$rt" 2>/dev/null); do
      [ -d "$state/$rt/$id" ] && rt_quiet "$rt" delete --force "$id" >/dev/null 2>&1 || true
    done
  done
  local dir
  for dir in "${cgroup_parents[@]}"; do
    # Deepest first; a cgroup may stay busy for a moment after its last task.
    [ -d "$dir" ] || continue
    for _ in 1 2 3 4 5 6 7 8 9 10; do
      find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null || true
      [ -d "$dir" ] || break
      sleep 0.2
    done
    [ -d "$dir" ] && say "warning: could not remove cgroup $dir"
  done
  if [ -n "$holder" ]; then kill "$holder" 2>/dev/null || true; wait "$holder" 2>/dev/null || true; fi
  rm -rf "$work" "$state"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- 2. The floor helpers, the bundle, the cgroups, crun's namespace ---------
say "building the helpers"
for t in bench-time floor-ns; do
  gcc -O2 -Wall -Wextra -Werror -static -o "$work/$t" "$repo/bench/tools/$t.c"
done
timer=$work/bench-time
errlog=$work/errors.log
: > "$errlog"

say "making the busybox bundle"
OCIRUN=$ocirun "$repo/scripts/make-bundle.sh" "$work/bundle" true
rootfs=$work/bundle/rootfs

# The cgroup hierarchies: every cgroup mount of this host, v1 and v2.
hierarchies=()
v1_hierarchies=()
hybrid=0
while read -r _ point fstype _; do
  case $fstype in
    cgroup) hierarchies+=("$point"); v1_hierarchies+=("$point") ;;
    cgroup2) hierarchies+=("$point") ;;
  esac
done < /proc/self/mounts
if [ ${#v1_hierarchies[@]} -gt 0 ] && grep -q ' cgroup2 ' /proc/self/mounts; then hybrid=1; fi
for h in "${hierarchies[@]}"; do
  mkdir "$h/$cg"
  cgroup_parents+=("$h/$cg")
  # A v1 cpuset cgroup refuses tasks until it has cpus and memory nodes.
  if [ -f "$h/cpuset.cpus" ]; then
    cat "$h/cpuset.cpus" > "$h/$cg/cpuset.cpus"
    cat "$h/cpuset.mems" > "$h/$cg/cpuset.mems"
  fi
done
memory_h=
for h in "${v1_hierarchies[@]}"; do [ -f "$h/memory.limit_in_bytes" ] && memory_h=$h; done
# A pure v2 host: the limit goes in memory.max, below a cgroup that delegates memory.
if [ -z "$memory_h" ] && [ -f "/sys/fs/cgroup/$cg/memory.max" ]; then
  memory_h=/sys/fs/cgroup
  echo +memory > "/sys/fs/cgroup/$cg/cgroup.subtree_control"
fi

declare -A ns_of=()           # the mount namespace a runtime runs in
if [ "$hybrid" = 1 ] && has_rt crun; then
  say "hybrid cgroups: crun runs in a mount namespace where cgroup2 is hidden"
  unified=$(awk '$3 == "cgroup2" {print $2; exit}' /proc/self/mounts)
  unshare -m --propagation private sh -c \
    "mount -t tmpfs -o mode=0755 bench-no-cgroup2 '$unified' && echo ready && exec sleep 1000000" \
    > "$work/holder.out" &
  holder=$!
  for _ in $(seq 100); do grep -q ready "$work/holder.out" && break; sleep 0.05; done
  grep -q ready "$work/holder.out" || { say "could not make crun's mount namespace"; exit 1; }
  ns_of[crun]=/proc/$holder/ns/mnt
fi

declare -A cmd_of=(
  [ocirun]="$ocirun --root $state/ocirun"
  [runc]="/usr/sbin/runc --root $state/runc"
  [crun]="/usr/bin/crun --root $state/crun"
)

# Runs a runtime untimed (state, cleanup), in its namespace.
rt_quiet() {
  local rt=$1; shift
  if [ -n "${ns_of[$rt]:-}" ]; then
    nsenter --mount="${ns_of[$rt]}" -- ${cmd_of[$rt]} "$@"
  else
    ${cmd_of[$rt]} "$@"
  fi
}

# One bundle per runtime and container slot: the same rootfs, each with its
# own absolute cgroupsPath. Containers are deleted before their slot is reused.
template=$(jq -c --arg root "$rootfs" '.root.path = $root | .linux.cgroupsPath = "@CG@" | .process.args = ["@ARGS@"]' \
  "$work/bundle/config.json")
make_slot() {  # runtime slot args-json
  local dir=$work/b/$1/$2 cfg
  mkdir -p "$dir"
  cfg=${template//\"@CG@\"/\"/$cg/$1-$2\"}
  cfg=${cfg//\[\"@ARGS@\"\]/$3}
  [ "$2" = mem ] && cfg=${cfg//\"\/$cg\/$1-mem\"/\"/$cg/mem-$1/c\"}
  printf '%s\n' "$cfg" > "$dir/config.json"
}
for rt in "${runtimes[@]}"; do
  mkdir -p "$state/$rt"
  for slot in run seq mem; do make_slot "$rt" "$slot" '["true"]'; done
  make_slot "$rt" life '["sleep", "1000"]'
  for i in $(seq 0 49); do make_slot "$rt" "p$i" '["true"]'; done
done

# --- 3. Measuring -------------------------------------------------------------
samples=$out/samples.tsv
: > "$samples"
record=1

# time_rt METRIC RUNTIME [TIMER-FLAGS] -- ARGS: times one runtime command and
# records its microseconds (when recording).
time_rt() {
  local metric=$1 rt=$2; shift 2
  local flags=()
  while [ "$1" != -- ]; do flags+=("$1"); shift; done
  shift
  local ns=() result
  [ -n "${ns_of[$rt]:-}" ] && ns=(-m "${ns_of[$rt]}")
  if ! result=$("$timer" "${ns[@]}" -e "$errlog" "${flags[@]}" -- ${cmd_of[$rt]} "$@"); then
    say "$rt $*: failed; last errors:"
    tail -n 5 "$errlog" >&2
    return 1
  fi
  if [ "$record" = 1 ]; then
    read -r us _ cpu <<< "$result"
    printf '%s\t%s\t%s\ncpu_%s\t%s\t%s\n' "$metric" "$rt" "$us" "$metric" "$rt" "$cpu" >> "$samples"
  fi
  return 0
}

# time_cmd METRIC NAME [TIMER-FLAGS] -- CMD...: the same for a floor.
time_cmd() {
  local metric=$1 name=$2; shift 2
  local flags=()
  while [ "$1" != -- ]; do flags+=("$1"); shift; done
  shift
  local result
  result=$("$timer" -e "$errlog" "${flags[@]}" -- "$@") || { say "$name: failed"; tail -n 5 "$errlog" >&2; return 1; }
  if [ "$record" = 1 ]; then
    read -r us _ cpu <<< "$result"
    printf '%s\t%s\t%s\ncpu_%s\t%s\t%s\n' "$metric" "$name" "$us" "$metric" "$name" "$cpu" >> "$samples"
  fi
  return 0
}

wait_stopped() {  # runtime id
  local s
  for _ in $(seq 1000); do
    s=$(rt_quiet "$1" state "$2" 2>/dev/null | jq -r .status) || true
    [ "$s" = stopped ] && return 0
    sleep 0.01
  done
  say "$1: container $2 did not stop"
  return 1
}

# The floor's cgroups: one leaf in every v1 hierarchy, as a runtime makes.
floor_cgroups() {  # suffix
  local h
  for h in "${v1_hierarchies[@]}"; do printf '%s\n' "$h/$cg/floor$1"; done
}
mapfile -t floor_cg < <(floor_cgroups "")
mapfile -t floor_cg_par < <(floor_cgroups "{}")

# Does this ocirun have exec yet? (It lands with its own issue.)
declare -A has_exec=([runc]=1 [crun]=1 [ocirun]=0)
rt_quiet ocirun create --bundle "$work/b/ocirun/life" life >/dev/null
rt_quiet ocirun start life >/dev/null
if rt_quiet ocirun exec life /bin/true >/dev/null 2>>"$errlog"; then has_exec[ocirun]=1; else
  say "ocirun exec: not available ($(tail -n 1 "$errlog")): reported as n/a"
fi
rt_quiet ocirun delete --force life 2>>"$errlog"

lifecycle() {  # runtime
  local rt=$1 b=$work/b/$1
  time_rt run "$rt" -- run --bundle "$b/run" run
  time_rt create "$rt" -- create --bundle "$b/life" life
  time_rt start "$rt" -- start life
  [ "${has_exec[$rt]}" = 1 ] && time_rt exec "$rt" -- exec life /bin/true
  time_rt kill "$rt" -- kill life KILL
  wait_stopped "$rt" life
  time_rt delete "$rt" -- delete life
}

if want single; then
total=$((warmup + n))
say "single containers: $warmup warm-up rounds, then $n, interleaved"
for i in $(seq "$total"); do
  record=$([ "$i" -gt "$warmup" ] && echo 1 || echo 0)
  for rt in "${runtimes[@]}"; do lifecycle "$rt"; done
  time_cmd exec floor-exec -- "$rootfs/bin/true"
  time_cmd run floor-ns -- "$work/floor-ns" "$rootfs" "${floor_cg[@]}"
  printf '.' >&2
done
echo >&2
record=1

fi

if want batch; then
say "batches: $batches rounds of 100 runs in sequence, 10 and 50 lifecycles in parallel"
par_script() {  # runtime: one lifecycle as a shell command, {} the index
  local c=${cmd_of[$1]} b=$work/b/$1
  echo "$c create --bundle $b/p{} p{} && $c start p{} && $c delete --force p{}"
}
for i in $(seq "$batches"); do
  for rt in "${runtimes[@]}"; do
    time_rt seq100 "$rt" -r "$seqn" -- run --bundle "$work/b/$rt/seq" seq
    ns=()
    [ -n "${ns_of[$rt]:-}" ] && ns=(-m "${ns_of[$rt]}")
    for p in 10 50; do
      r=$("$timer" "${ns[@]}" -e "$errlog" -p "$p" -- sh -c "$(par_script "$rt")") ||
        { say "$rt: $p parallel lifecycles failed"; tail -n 5 "$errlog" >&2; exit 1; }
      read -r us _ cpu <<< "$r"
      printf '%s\t%s\t%s\ncpu_%s\t%s\t%s\n' "par$p" "$rt" "$us" "par$p" "$rt" "$cpu" >> "$samples"
    done
  done
  time_cmd seq100 floor-ns -r "$seqn" -- "$work/floor-ns" "$rootfs" "${floor_cg[@]}"
  time_cmd par10 floor-ns -p 10 -- "$work/floor-ns" "$rootfs" "${floor_cg_par[@]}"
  time_cmd par50 floor-ns -p 50 -- "$work/floor-ns" "$rootfs" "${floor_cg_par[@]}"
  printf '.' >&2
done
echo >&2

fi

want rss && say "peak RSS (/usr/bin/time), $batches rounds"
rss() {  # metric runtime args...: /usr/bin/time's %M (KiB) of one command
  local metric=$1 rt=$2; shift 2
  local ns=()
  [ -n "${ns_of[$rt]:-}" ] && ns=(nsenter --mount="${ns_of[$rt]}" --)
  "${ns[@]}" /usr/bin/time -f %M -o "$work/rss" ${cmd_of[$rt]} "$@" > /dev/null 2>>"$errlog" ||
    { say "$rt $*: failed"; tail -n 5 "$errlog" >&2; return 1; }
  printf '%s\t%s\t%s\n' "$metric" "$rt" "$(tail -n 1 "$work/rss")" >> "$samples"
}
if want rss; then
for i in $(seq "$batches"); do
  for rt in "${runtimes[@]}"; do
    b=$work/b/$rt
    rss rss_run "$rt" run --bundle "$b/run" run
    rss rss_create "$rt" create --bundle "$b/life" life
    rss rss_start "$rt" start life
    rss rss_kill "$rt" kill life KILL
    wait_stopped "$rt" life
    rss rss_delete "$rt" delete life
  done
done

fi

want mem && say "smallest memory limit for a /bin/true container (binary search, 4 KiB steps)"
# The limit is set on a parent cgroup made here, and the container's cgroup
# is made by the runtime under it: the same limit for all three, whether or
# not a runtime applies linux.resources yet.
mem_probe() {  # runtime KiB: does a /bin/true container run under that limit?
  local rt=$1 kib=$2 dir=$memory_h/$cg/mem-$1 ok=0 h
  mkdir -p "$dir"
  if [ -f "$dir/memory.limit_in_bytes" ]; then echo $((kib * 1024)) > "$dir/memory.limit_in_bytes"
  else echo $((kib * 1024)) > "$dir/memory.max"; fi
  local ns=()
  [ -n "${ns_of[$rt]:-}" ] && ns=(-m "${ns_of[$rt]}")
  if [ "$rt" = floor-ns ]; then
    # The floor under the same limit: its memory cgroup below the limited one.
    local cgs=()
    for h in "${v1_hierarchies[@]}"; do
      if [ "$h" = "$memory_h" ]; then cgs+=("$dir/c"); else cgs+=("$h/$cg/floor-mem"); fi
    done
    "$timer" -e "$work/mem-errors.log" -- "$work/floor-ns" "$rootfs" "${cgs[@]}" > /dev/null 2>&1 && ok=1
  else
    "$timer" "${ns[@]}" -e "$work/mem-errors.log" -- ${cmd_of[$rt]} run --bundle "$work/b/$rt/mem" mem > /dev/null 2>&1 && ok=1
    rt_quiet "$rt" delete --force mem > /dev/null 2>&1 || true
  fi
  for h in "${hierarchies[@]}"; do
    for _ in $(seq 50); do
      [ -d "$h/$cg/mem-$rt" ] || break
      rmdir "$h/$cg/mem-$rt/c" 2>/dev/null || true
      rmdir "$h/$cg/mem-$rt" 2>/dev/null && break
      sleep 0.05
    done
  done
  [ "$ok" = 1 ]
}
mem_runtimes=("${runtimes[@]}")
[ -f "$memory_h/memory.limit_in_bytes" ] && mem_runtimes+=(floor-ns)
if want mem; then
if [ -n "$memory_h" ]; then
  # One search ends on whichever probe near the edge happened to fail (the
  # kernel's per-CPU charge caches move the edge by tens of KiB from run to
  # run): the median of one search per batch, the runtimes interleaved.
  for _ in $(seq "$batches"); do
    for rt in "${mem_runtimes[@]}"; do
      lo=0 hi=65536
      if mem_probe "$rt" "$hi"; then
        while [ $((hi - lo)) -gt 4 ]; do
          mid=$(( (lo + hi) / 2 / 4 * 4 ))
          if mem_probe "$rt" "$mid"; then hi=$mid; else lo=$mid; fi
        done
        printf 'memlimit\t%s\t%s\n' "$rt" "$hi" >> "$samples"
      else
        say "$rt: a /bin/true container does not run even under 64 MiB"
      fi
    done
  done
else
  say "no memory controller: the memory limit search is skipped"
fi

fi

trace_log=$work/trace.log
: > "$trace_log"
if want trace; then
say "ocirun --debug: where its time goes ($n rounds)"
cmd_of[ocirun-debug]="$ocirun --root $state/ocirun --debug --log $trace_log"
has_exec[ocirun-debug]=0
for i in $(seq "$n"); do
  b=$work/b/ocirun
  time_rt t_create ocirun-debug -- create --bundle "$b/life" life
  time_rt t_start ocirun-debug -- start life
  time_rt t_kill ocirun-debug -- kill life KILL
  wait_stopped ocirun life
  time_rt t_delete ocirun-debug -- delete life
done
# The last mark of each command: the time from ocirun's static initialisers
# to its last step, against the time measured from outside.
sed -n 's/.*msg="trace \(create: save created\|start: read hooks\|kill: signal\|delete: remove state\): [0-9]* us (at \([0-9]*\) us)".*/\1\t\2/p' \
  "$trace_log" | awk -F'\t' '{split($1, w, ":"); printf "in_%s\tocirun-debug\t%s\n", w[1], $2}' >> "$samples"

fi

# --- 4. The report --------------------------------------------------------------
# median METRIC NAME: the median of the samples, or nothing.
median() {
  awk -F'\t' -v m="$1" -v r="$2" '$1 == m && $2 == r {print $3}' "$samples" | sort -n |
    awk '{v[NR] = $1} END {if (NR == 0) exit; if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}
# The per-phase medians of the trace, in microseconds, in the order they came.
sed -n 's/.*msg="trace \(.*\): \([0-9]*\) us (at [0-9]* us)".*/\1\t\2/p' "$trace_log" |
  awk -F'\t' '!($1 in seen) {seen[$1] = ++k; name[k] = $1} {v[$1] = v[$1] " " $2}
    END {for (i = 1; i <= k; i++) {n = split(v[name[i]], a, " "); asort_num(a, n); print name[i] "\t" a[int((n + 1) / 2)]}}
    function asort_num(a, n,   i, j, t) {for (i = 2; i <= n; i++) {t = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > t + 0; j--) a[j + 1] = a[j]; a[j + 1] = t}}' \
  > "$out/trace.tsv"

fmt_value() {  # unit value
  [ -z "$2" ] && { echo "-"; return; }
  case $1 in
    ms) awk -v v="$2" 'BEGIN {f = v >= 100000 ? "%.0f ms" : "%.1f ms"; printf f, v / 1000}' ;;
    mib) awk -v v="$2" 'BEGIN {printf "%.1f MiB", v / 1024}' ;;
    kib) awk -v v="$2" 'BEGIN {printf "%d KiB", v}' ;;
  esac
}
ratio() { [ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2fx", a / b}' || echo "-"; }

# The targets (issue 9): kind "crun" F: ocirun <= F x crun's; "abs" X:
# ocirun's value <= X (in the row's unit).
declare -A target_kind=([run]=crun [create]=crun [exec]=crun [start]=crun [delete]=crun [par50]=crun
  [rss_max]=abs [memlimit]=abs)
declare -A target_value=([run]=0.5 [create]=0.5 [exec]=0.5 [start]=1 [delete]=1 [par50]=0.5
  [rss_max]=1536 [memlimit]=128)
verdict() {  # metric ocirun crun
  local kind=${target_kind[$1]:-} t=${target_value[$1]:-}
  [ -z "$kind" ] && { echo "-"; return; }
  [ -z "$2" ] && { echo "n/a"; return; }
  case $kind in
    crun) [ -z "$3" ] && { echo "-"; return; }
          awk -v o="$2" -v c="$3" -v t="$t" 'BEGIN {printf "%s (<= %sx crun)", (o <= t * c ? "met" : "MISSED"), t}' ;;
    abs) awk -v o="$2" -v t="$t" -v u="$4" 'BEGIN {printf "%s (<= %s %s)", (o <= t ? "met" : "MISSED"), (u == "mib" ? t / 1024 : t), (u == "mib" ? "MiB" : "KiB")}' ;;
  esac
}

# Peak RSS of the lifecycle commands: the largest of create/start/kill/delete.
for rt in "${runtimes[@]}"; do
  m=0
  for c in create start kill delete; do
    v=$(median "rss_$c" "$rt"); [ -n "$v" ] && [ "${v%.*}" -gt "$m" ] && m=${v%.*}
  done
  [ "$m" -gt 0 ] && printf 'rss_max\t%s\t%s\n' "$rt" "$m" >> "$samples"
done

# metric|label in the table|unit|floor compared with|label in the chart
rows=(
  "run|run /bin/true|ms|floor-ns|run"
  "seq100|$seqn x run, in sequence|ms|floor-ns|$seqn x run"
  "create|create|ms||create"
  "start|start|ms||start"
  "exec|exec /bin/true|ms|floor-exec|exec"
  "kill|kill|ms||kill"
  "delete|delete|ms||delete"
  "par10|10 lifecycles in parallel|ms|floor-ns|10 parallel"
  "par50|50 lifecycles in parallel|ms|floor-ns|50 parallel"
  "rss_max|peak RSS, create..delete|mib||create..delete"
  "rss_run|peak RSS, run (with its init)|mib||run"
  "memlimit|smallest memory limit|kib|floor-ns|/bin/true runs"
)
{
  echo "ocirun $("$ocirun" --version | head -n 1 | sed 's/.*version //'), $(/usr/sbin/runc --version | head -n 1),"\
    "$(/usr/bin/crun --version | head -n 1); $(uname -r), $(nproc) CPUs;" \
    "medians of $n (batches: $batches); load average $(cut -d' ' -f1-3 /proc/loadavg)"
  [ "$hybrid" = 1 ] && echo "hybrid cgroups: crun runs where cgroup2 is hidden (a v1 host for it)"
  echo
  printf '%-30s %10s %10s %10s %10s %10s %10s  %s\n' "" ocirun runc crun runc/oci crun/oci floor "target for ocirun"
  for row in "${rows[@]}"; do
    IFS='|' read -r metric label unit floor _ <<< "$row"
    o=$(median "$metric" ocirun); r=$(median "$metric" runc); c=$(median "$metric" crun)
    f=; [ -n "$floor" ] && f=$(median "$metric" "$floor")
    ov=$(fmt_value "$unit" "$o")
    [ "$metric" = exec ] && [ "${has_exec[ocirun]}" = 0 ] && ov=n/a
    printf '%-30s %10s %10s %10s %10s %10s %10s  %s\n' "$label" "$ov" "$(fmt_value "$unit" "$r")" \
      "$(fmt_value "$unit" "$c")" "$(ratio "$r" "$o")" "$(ratio "$c" "$o")" "$(fmt_value "$unit" "$f")" \
      "$(verdict "$metric" "$o" "$c" "$unit")"
  done
  echo
  echo "CPU time (user + system, of the command and what it waited for): the same work, without the waiting"
  echo "for a CPU that a busy machine adds to the times above"
  for row in "${rows[@]}"; do
    IFS='|' read -r metric label unit floor _ <<< "$row"
    [ "$unit" = ms ] || continue
    o=$(median "cpu_$metric" ocirun); r=$(median "cpu_$metric" runc); c=$(median "cpu_$metric" crun)
    f=; [ -n "$floor" ] && f=$(median "cpu_$metric" "$floor")
    ov=$(fmt_value ms "$o")
    [ "$metric" = exec ] && [ "${has_exec[ocirun]}" = 0 ] && ov=n/a
    printf '%-30s %10s %10s %10s %10s %10s %10s\n' "$label" "$ov" "$(fmt_value ms "$r")" \
      "$(fmt_value ms "$c")" "$(ratio "$r" "$o")" "$(ratio "$c" "$o")" "$(fmt_value ms "$f")"
  done
  echo
  echo "floors: fork+exec of the container's /bin/true (static busybox) $(fmt_value ms "$(median exec floor-exec)");" \
    "clone into 5 namespaces + v1 cgroups + /proc + pivot_root + exec $(fmt_value ms "$(median run floor-ns)")"
  echo
  echo "where ocirun's time goes (--debug trace, medians in microseconds):"
  awk -F'\t' '{printf "  %-28s %8d us\n", $1, $2}' "$out/trace.tsv"
  echo "of the whole command (measured from outside, with --debug):"
  for c in create start kill delete; do
    printf '  %-8s %10s measured, %10s in ocirun from its static initialisers to its last mark\n' "$c:" \
      "$(fmt_value ms "$(median "t_$c" ocirun-debug)")" "$(fmt_value ms "$(median "in_$c" ocirun-debug)")"
  done
} > "$out/results.txt"
cat "$out/results.txt"

# --- 5. The chart -------------------------------------------------------------
chart_data() {  # metrics... -> "label ocirun runc crun floor" lines, values scaled
  local scale=$1; shift
  local metric o r c f label floor
  for metric in "$@"; do
    for row in "${rows[@]}"; do
      IFS='|' read -r m _ _ floor label <<< "$row"
      [ "$m" = "$metric" ] || continue
      o=$(median "$m" ocirun); r=$(median "$m" runc); c=$(median "$m" crun)
      f=; [ -n "$floor" ] && f=$(median "$m" "$floor")
      [ "$m" = exec ] && [ "${has_exec[ocirun]}" = 0 ] && o=
      printf '"%s"' "$label"
      for v in "$o" "$r" "$c" "$f"; do
        if [ -z "$v" ]; then printf ' -'; else awk -v v="$v" -v s="$scale" 'BEGIN {printf " %.3f", v / s}'; fi
      done
      echo
    done
  done
}
chart_data 1000 run create start exec kill delete > "$work/single.dat"
chart_data 1000 seq100 par10 par50 > "$work/batch.dat"
chart_data 1024 rss_max rss_run > "$work/rss.dat"
chart_data 1 memlimit > "$work/mem.dat"
term="pngcairo size 1400,1000 font ',10'"
gnuplot -e 'set terminal' 2>&1 | grep -q pngcairo || term="png size 1400,1000"
# A partial run (--only, --runtimes) leaves panels empty: gnuplot's
# complaints about them go to a log, not to the screen.
gp_err=/dev/stderr
[ "$only" = single,batch,rss,mem,trace ] && [ ${#runtimes[@]} = 3 ] || gp_err=$work/gnuplot.log
gnuplot 2>"$gp_err" <<EOF
set terminal $term
set output '$out/bench.png'
set datafile missing '-'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics
set key horizontal bmargin center
set xtics nomirror scale 0
set yrange [0:*]
set multiplot layout 2,2 title "ocirun, runc and crun: medians on $(hostname) ($(date -u +%Y-%m-%d)); floor = the least possible"
set title 'one container (ms)'
plot '$work/single.dat' using 2:xtic(1) title 'ocirun' lc rgb '#1b9e77', '' using 3 title 'runc' lc rgb '#d95f02', \
     '' using 4 title 'crun' lc rgb '#7570b3', '' using 5 title 'floor' lc rgb '#999999'
set title 'batches (ms)'
plot '$work/batch.dat' using 2:xtic(1) title 'ocirun' lc rgb '#1b9e77', '' using 3 title 'runc' lc rgb '#d95f02', \
     '' using 4 title 'crun' lc rgb '#7570b3', '' using 5 title 'floor' lc rgb '#999999'
set title 'peak RSS (MiB); dashed: the target'
set arrow 1 from graph 0, first 1.5 to graph 1, first 1.5 nohead dt 2 lw 2
plot '$work/rss.dat' using 2:xtic(1) title 'ocirun' lc rgb '#1b9e77', '' using 3 title 'runc' lc rgb '#d95f02', \
     '' using 4 title 'crun' lc rgb '#7570b3'
set title 'smallest memory limit (KiB, log scale); dashed: the target'
set logscale y
set arrow 1 from graph 0, first 128 to graph 1, first 128 nohead dt 2 lw 2
set yrange [10:*]
plot '$work/mem.dat' using 2:xtic(1) title 'ocirun' lc rgb '#1b9e77', '' using 3 title 'runc' lc rgb '#d95f02', \
     '' using 4 title 'crun' lc rgb '#7570b3', '' using 5 title 'floor' lc rgb '#999999'
unset multiplot
EOF
say "wrote $out/results.txt, $out/bench.png, $out/samples.tsv, $out/trace.tsv"
