#!/usr/bin/env bash
# bench/clients.sh: `run --rm IMAGE echo hi` through containerd, Podman and
# Docker, with ocirun, runc and crun as their runtime, interleaved, and the
# share of the end-to-end time spent inside the runtime.
#
#   sudo bench/clients.sh [-n N] [-w W] [-o DIR] [-c "CLIENT..."]
#
#   -n N     samples per client and runtime (default 10)
#   -w W     warm-up rounds before them, not recorded (default 2)
#   -o DIR   where the results go (default build/bench)
#   -c LIST  the clients, among containerd podman docker (default all three)
#   --ocirun PATH  that ocirun binary (default: build/src/ocirun, built first)
#
# As root: installs what is missing (tests/clients/deps.sh for the clients,
# bench/deps.sh for runc and crun), builds ocirun (scripts/build.sh), builds
# the busybox image without a registry and starts each client's daemon once
# with its config, state and sockets in a temp dir, all with the client
# suite's own setup (tests/clients/lib.sh and the per-client files). Each
# runtime is put behind rt-timer (bench/tools/rt-timer.c, static): the
# client runs it as the runtime binary, it runs the real one and logs the
# argv and the wall time of every invocation. Then, per client, W warm-up
# rounds and N rounds of ocirun, runc, crun, ocirun, ..., each a
# `run --rm IMAGE echo hi` that must print hi. Reported per client and
# runtime: the median end-to-end time, its ratio to ocirun's, the median
# time inside the runtime (the sum of the invocations made while the client
# ran), that share of the end-to-end time, and the invocations of one run.
#
# A hybrid cgroup host (v1 controllers, cgroup2 at /sys/fs/cgroup/unified):
# crun 1.8 refuses it, so crun's rt-timer makes a private mount namespace
# with a tmpfs over the cgroup2 mount, per invocation and before its clock
# starts, and runs crun there (bench/run.sh does the same with one namespace
# made once; a client mounts the container's rootfs just before calling the
# runtime, and this host's mounts do not propagate, so here it is made per
# invocation). Its cost is part of crun's end-to-end time and shown apart.
# A runtime that fails its warm-up through a client is reported n/a, with
# the client's error.
#
# Writes DIR/clients.txt (the table) and DIR/clients-samples.tsv; stops the
# daemons by pid and removes the containers, images, cgroups, mounts and the
# temp dir, then compares the host (mounts, cgroups, processes, sockets)
# with a snapshot taken before.
set -uo pipefail

n=10 warmup=2 out='' clients="containerd podman docker" ocirun=""
while [ $# -gt 0 ]; do
  case $1 in
    -n) n=$2; shift 2 ;;
    -w) warmup=$2; shift 2 ;;
    -o) out=$2; shift 2 ;;
    -c) clients=$2; shift 2 ;;
    --ocirun) ocirun=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "clients bench: unknown argument $1 (try --help)" >&2; exit 2 ;;
  esac
done
for c in $clients; do
  case $c in containerd | podman | docker) ;; *) echo "clients bench: unknown client $c" >&2; exit 2 ;; esac
done
if [ "$(id -u)" -ne 0 ]; then
  echo "clients bench: run as root (it starts daemons and containers)" >&2
  exit 1
fi

repo=$(cd "$(dirname "$0")/.." && pwd)
out=${out:-$repo/build/bench}
case $out in /*) ;; *) out=$PWD/$out ;; esac
runtimes=(ocirun runc crun)
case $ocirun in "" | /*) ;; *) ocirun=$PWD/$ocirun ;; esac
declare -A rt_path=([ocirun]=${ocirun:-$repo/build/src/ocirun} [runc]=/usr/sbin/runc [crun]=/usr/bin/crun)
# Docker reserves the name "runc" for its own
declare -A dk_name=([ocirun]=ocirun [runc]=runc-bench [crun]=crun)

say() { echo "clients bench: $*" >&2; }

# --- 1. What it needs ---------------------------------------------------------
"$repo/tests/clients/deps.sh" || exit 1
"$repo/bench/deps.sh" || exit 1
[ -n "$ocirun" ] || "$repo/scripts/build.sh" || exit 1
mkdir -p "$out"

# The client suite's setup reads these (tests/clients/run.sh sets the same).
SUITE_DIR=$repo/tests/clients
# shellcheck disable=SC2034
RUNTIME=${rt_path[ocirun]}
T=$(mktemp -d /tmp/ocirun-clientbench.XXXXXX)
chmod 755 "$T"
# shellcheck disable=SC2034
MARK=$((900000 + $$ % 99999))
CG_PARENT=ocirun-clientbench-$$
IMG=$T/image
# shellcheck source=tests/clients/lib.sh
. "$SUITE_DIR/lib.sh"
for c in containerd podman docker; do
  # shellcheck disable=SC1090
  . "$SUITE_DIR/$c.sh"
done
cd "$T" || exit 1

STOPPERS=()
# snapshot: the client suite's (mounts, processes, cgroups, sockets, netns)
# and the containers' state that Podman leaves in the runtimes' default roots
snapshot() {
  host_snapshot
  ls /run/ocirun /run/runc /run/crun 2>/dev/null | grep -E '^[0-9a-f]{64}$' | sed 's/^/state /'
  grep rt-timer-hide /proc/self/mountinfo
}
before=$(snapshot | sort)
mounts_before=$(grep -c . /proc/self/mountinfo)
cleanup() {
  local s
  trap - EXIT INT TERM
  for s in "${STOPPERS[@]}"; do [ -n "$s" ] && "$s" >/dev/null 2>&1; done
  STOPPERS=()
  remove_cgroup_parent
  if grep -qF " $T" /proc/self/mountinfo; then
    say "mounts are left under $T; not removing it"
  else
    rm -rf --one-file-system "$T"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- 2. The timing wrappers and the image ---------------------------------------
log=$T/runtime.log
: >"$log"
hide=
unified=$(awk '$3 == "cgroup2" {print $2; exit}' /proc/self/mounts)
if [ -n "$unified" ] && awk '$3 == "cgroup" {f = 1} END {exit !f}' /proc/self/mounts; then
  hide=$unified
  say "hybrid cgroups: crun runs where $hide is an empty tmpfs (a v1 host for it)"
fi
for rt in "${runtimes[@]}"; do
  defs=(-DRT_NAME="\"$rt\"" -DRT_PATH="\"${rt_path[$rt]}\"" -DRT_LOG="\"$log\"")
  [ "$rt" = crun ] && [ -n "$hide" ] && defs+=(-DRT_HIDE="\"$hide\"")
  mkdir -p "$T/rt/$rt"
  # named like the runtime: Podman matches runtime_supports_json on the basename
  gcc -O2 -Wall -Wextra -Werror -static "${defs[@]}" -o "$T/rt/$rt/$rt" "$repo/bench/tools/rt-timer.c" || exit 1
done
wrapper() { echo "$T/rt/$1/$1"; }

say "building the busybox image (umoci, skopeo)"
mkdir -p "$IMG"
build_image "$IMG" >"$T/image.log" 2>&1 || { cat "$T/image.log" >&2; exit 1; }

# --- 3. One run through a client ------------------------------------------------
# run_once CLIENT RUNTIME ID: `run --rm IMAGE echo hi`, the container in the
# bench's own cgroup parent; its output on stdout.
run_once() {
  local c=$1 rt=$2 id=$3
  case $c in
    containerd)
      ctr_ run --runc-binary "$(wrapper "$rt")" --runc-root "$CD/state-$rt" --fifo-dir "$CD/fifo" \
        --cgroup "/$CG_PARENT/$id" --rm "$IMAGE" "$id" echo hi ;;
    podman) PM_WRAP=$(wrapper "$rt") pm_run --rm "$IMAGE" echo hi ;;
    docker) dk run --runtime "${dk_name[$rt]}" --rm "$IMAGE" echo hi ;;
  esac
}

start_client() {
  local c=$1 rt json=
  case $c in
    containerd) containerd_setup ;;
    podman) PM_WRAP=$(wrapper ocirun); podman_setup "${runtimes[@]}" ;;
    docker)
      for rt in "${runtimes[@]}"; do json+="${json:+, }\"${dk_name[$rt]}\": { \"path\": \"$(wrapper "$rt")\" }"; done
      docker_setup "$json" ;;
  esac
}

# leftovers CLIENT: removes what a failed run left (a container, its task).
leftovers() {
  local id
  case $1 in
    containerd)
      for id in $(ctr_ task ls -q); do ctr_ task kill -s SIGKILL "$id"; ctr_ task rm -f "$id"; done
      for id in $(ctr_ containers ls -q); do ctr_ containers rm "$id"; done ;;
    podman) PM_WRAP=$(wrapper ocirun) pm rm --all --force --time 0 ;;
    docker) for id in $(dk ps -aq); do dk rm -f "$id"; done ;;
  esac
}

samples=$out/clients-samples.tsv
printf 'client\truntime\tsample\tstart_us\tend_us\tstatus\n' >"$samples"
errlog=$T/errors.log
: >"$errlog"
declare -A na=()   # client:runtime -> why it is n/a

# sample CLIENT RUNTIME ID: one timed run, recorded (warm-ups too: their
# runtime invocations are not "late"); 0 when it printed hi.
sample() {
  local c=$1 rt=$2 id=$3 t0 t1 o rc
  t0=$EPOCHREALTIME
  o=$(run_once "$c" "$rt" "$id" 2>"$T/err")
  rc=$?
  t1=$EPOCHREALTIME
  if [ $rc -eq 0 ] && [ "$o" != hi ]; then rc=1; echo "printed '$o', not hi" >>"$T/err"; fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$c" "$rt" "$id" "${t0/./}" "${t1/./}" "$rc" >>"$samples"
  if [ $rc -ne 0 ]; then
    { echo "$c $rt $id: exit $rc"; cat "$T/err"; } >>"$errlog"
    return 1
  fi
  # a client may call the runtime once more after it returned (a cleanup):
  # let that finish before the next sample starts
  sleep 0.2
}

for c in $clients; do
  say "$c: starting"
  mkdir -p "$T/$c"
  if ! start_client "$c" >"$T/$c-start.log" 2>&1; then
    say "$c did not start:"
    tail -n 20 "$T/$c-start.log" >&2
    "${c}_stop" >/dev/null 2>&1
    for rt in "${runtimes[@]}"; do na[$c:$rt]="$c did not start"; done
    continue
  fi
  STOPPERS+=("${c}_stop")
  # warm-ups: a runtime that cannot run through this client is n/a
  for w in $(seq "$warmup"); do
    for rt in "${runtimes[@]}"; do
      [ -n "${na[$c:$rt]:-}" ] && continue
      if ! sample "$c" "$rt" "cb-$rt-w$w"; then
        na[$c:$rt]=$(grep -v '^\s*$' "$T/err" | tail -n 1 | cut -c1-200)
        say "$c with $rt: n/a: ${na[$c:$rt]}"
        leftovers "$c" >/dev/null 2>&1
      fi
    done
  done
  say "$c: $n rounds of ${runtimes[*]}"
  for i in $(seq "$n"); do
    for rt in "${runtimes[@]}"; do
      [ -n "${na[$c:$rt]:-}" ] && continue
      sample "$c" "$rt" "cb-$rt-$i" || say "$c with $rt: sample $i failed: $(tail -n 1 "$T/err")"
    done
    printf '.' >&2
  done
  echo >&2
  "${c}_stop" >"$T/$c-stop.log" 2>&1
  STOPPERS=("${STOPPERS[@]/${c}_stop/}")
  remove_cgroup_parent
done

# --- 4. The report ------------------------------------------------------------
# Each sample with the runtime invocations that started inside its window:
# client runtime e2e_us runtime_us calls setup_us "sub sub ..." status
per_sample=$T/per-sample.tsv
awk -F'\t' '
  FNR == NR { if (FNR > 1) { k++; c[k] = $1; r[k] = $2; id[k] = $3; s[k] = $4; e[k] = $5; st[k] = $6 } next }
  {
    # runtime.log: name start took setup status argv...; the subcommand is
    # the first argument that is not a global flag (or its value)
    for (i = 1; i <= k; i++) if ($2 >= s[i] && $2 <= e[i] && $1 == r[i]) {
      took[i] += $3; setup[i] += $4; calls[i]++
      sub_ = ""
      for (j = 6; j <= NF; j++) {
        if ($j ~ /^--(root|log|log-format|criu|rootless|systemd-cgroup)$/) { j++; continue }
        if ($j ~ /^-/) continue
        sub_ = $j; break
      }
      list[i] = list[i] (list[i] == "" ? "" : " ") sub_
      break
    }
  }
  END { for (i = 1; i <= k; i++) if (id[i] !~ /-w[0-9]+$/) printf "%s\t%s\t%d\t%d\t%d\t%d\t%s\t%s\n", c[i], r[i], e[i] - s[i], took[i], calls[i], setup[i], list[i], st[i] }
' "$samples" "$log" >"$per_sample"
# Invocations that started while no sample ran (after a client returned)
late=$(awk -F'\t' '
  FNR == NR { if (FNR > 1) { k++; r[k] = $2; s[k] = $4; e[k] = $5 } next }
  { for (i = 1; i <= k; i++) if ($2 >= s[i] && $2 <= e[i] && $1 == r[i]) next; n++ }
  END { print n + 0 }' "$samples" "$log")
cp "$log" "$out/clients-runtime.log"

# median CLIENT RUNTIME FIELD [share]: the median over the samples that
# printed hi of a field of per-sample.tsv (3 e2e, 4 runtime, 5 calls, 6 setup),
# or of the share runtime / e2e in per cent
median() {
  awk -F'\t' -v c="$1" -v r="$2" -v f="$3" -v share="${4:-}" '
    $1 == c && $2 == r && $8 == 0 { v[++n] = share ? 100 * $4 / $3 : $f }
    END {
      if (n == 0) exit
      for (i = 2; i <= n; i++) { t = v[i]; for (j = i - 1; j >= 1 && v[j] > t; j--) v[j + 1] = v[j]; v[j + 1] = t }
      print (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
    }' "$per_sample"
}
ms() { [ -n "$1" ] && awk -v v="$1" 'BEGIN {printf (v >= 100000 ? "%.0f ms" : "%.1f ms"), v / 1000}' || echo -; }
ratio() { [ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2fx", a / b}' || echo -; }
count() { awk -F'\t' -v c="$1" -v r="$2" -v ok="$3" '$1 == c && $2 == r && (ok ? $8 == 0 : $8 != 0) {n++} END {print n + 0}' "$per_sample"; }

{
  echo "ocirun $("${rt_path[ocirun]}" --version | head -n 1 | sed 's/.*version //'), $(runc --version | head -n 1)," \
    "$(crun --version | head -n 1); $(containerd --version | awk '{print "containerd " $3}'), $(podman --version)," \
    "$(dockerd --version | sed 's/,.*//'); $(uname -r), $(nproc) CPUs"
  echo "run --rm IMAGE echo hi, medians of $n interleaved (after $warmup warm-up rounds); load average $(cut -d' ' -f1-3 /proc/loadavg)"
  [ -n "$hide" ] && echo "hybrid cgroups: crun runs where cgroup2 is hidden, in a mount namespace made per invocation"
  echo
  printf '%-11s %-7s %11s %9s %11s %8s %13s  %s\n' client runtime end-to-end "/ ocirun" "in runtime" share "outside it" "runtime calls in one run"
  for c in $clients; do
    o=$(median "$c" ocirun 3)
    for rt in "${runtimes[@]}"; do
      if [ -n "${na[$c:$rt]:-}" ] || [ "$(count "$c" "$rt" 1)" = 0 ]; then
        printf '%-11s %-7s %11s %9s %11s %8s %13s  %s\n' "$c" "$rt" n/a - - - - "${na[$c:$rt]:-every sample failed}"
        continue
      fi
      e=$(median "$c" "$rt" 3); r=$(median "$c" "$rt" 4); s=$(median "$c" "$rt" 0 share)
      rest=$(awk -F'\t' -v c="$c" -v r="$rt" '$1 == c && $2 == r && $8 == 0 {print $3 - $4}' "$per_sample" | sort -n |
        awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}')
      calls=$(awk -F'\t' -v c="$c" -v r="$rt" '$1 == c && $2 == r && $8 == 0 {print $7; exit}' "$per_sample")
      printf '%-11s %-7s %11s %9s %11s %7.0f%% %13s  %s\n' "$c" "$rt" "$(ms "$e")" "$(ratio "$e" "$o")" \
        "$(ms "$r")" "$s" "$(ms "$rest")" "$calls"
      failed=$(count "$c" "$rt" 0)
      [ "$failed" = 0 ] || printf '%-20s (%s of %s samples failed and are left out)\n' "" "$failed" "$n"
    done
  done
  echo
  echo "end-to-end: the client command, from its start to its exit; in runtime: the sum of the runtime"
  echo "invocations it caused (each from fork to exit, as rt-timer sees it), of which share; outside it:"
  echo "the client, its daemon, shim or conmon, and the kernel's work on the rootfs and cgroups."
  if [ -n "$hide" ]; then
    su=$(awk -F'\t' '$2 == "crun" && $8 == 0 && $5 > 0 {print $6 / $5}' "$per_sample" | sort -n |
      awk '{v[NR] = $1} END {if (NR) print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}')
    [ -n "$su" ] && printf 'crun: making its mount namespace costs %.0f us per invocation (median), not counted in runtime.\n' "$su"
  fi
  [ "$late" = 0 ] || echo "$late runtime invocation(s) started after a client had returned (not counted)."
} >"$out/clients.txt"

# --- 5. Nothing left -------------------------------------------------------------
for s in "${STOPPERS[@]}"; do [ -n "$s" ] && "$s" >/dev/null 2>&1; done
STOPPERS=()
remove_cgroup_parent
after=$(snapshot | sort)
extra=$(comm -13 <(echo "$before") <(echo "$after"))
mounts_after=$(grep -c . /proc/self/mountinfo)
if [ -n "$extra" ]; then
  printf '\nLEFT ON THE HOST after the run:\n%s\n' "$extra" >>"$out/clients.txt"
  status=1
else
  echo >>"$out/clients.txt"
  echo "cleanup: no container, mount, cgroup, daemon or socket left (/proc/self/mountinfo: $mounts_before mounts before, $mounts_after after)" >>"$out/clients.txt"
  status=0
fi
cat "$out/clients.txt"
if [ -s "$errlog" ]; then
  cp "$errlog" "$out/clients-errors.log"
  say "errors in $out/clients-errors.log"
fi
say "wrote $out/clients.txt, $out/clients-samples.tsv, $out/clients-runtime.log"
exit $status
