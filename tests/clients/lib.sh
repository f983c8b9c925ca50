# Shared by the client suite (sourced by run.sh): TAP reporting, the argv
# recording wrapper, the busybox image, the host snapshot that proves nothing
# is left behind, and the check of recorded argv against the CLI contract.
# shellcheck shell=bash

# ---- TAP ------------------------------------------------------------------
N_PASS=0 N_FAIL=0 N_SKIP=0 N_TEST=0
FAILED_NAMES=()

# check NAME FUNCTION [ARGS...]: runs FUNCTION with its output in a log; ok
# when it returns 0, skip when it returns 77 (the last line of its output is
# the reason), not ok otherwise, with the log as TAP diagnostics.
check() {
  local name=$1
  shift
  local log rc
  log=$(mktemp "$T/check.XXXXXX")
  N_TEST=$((N_TEST + 1))
  ( set -uo pipefail; "$@" ) >"$log" 2>&1 </dev/null
  rc=$?
  if [ $rc -eq 0 ]; then
    N_PASS=$((N_PASS + 1))
    echo "ok $N_TEST - $name"
  elif [ $rc -eq 77 ]; then
    N_SKIP=$((N_SKIP + 1))
    echo "ok $N_TEST - $name # skip $(tail -n1 "$log")"
  else
    N_FAIL=$((N_FAIL + 1))
    FAILED_NAMES+=("$name")
    echo "not ok $N_TEST - $name"
    sed 's/^/#   /' "$log" | tail -n 60
  fi
  rm -f "$log"
}

# skip_all PREFIX REASON NAME...: reports every NAME as skipped.
skip_all() {
  local prefix=$1 reason=$2
  shift 2
  local n
  for n in "$@"; do
    N_TEST=$((N_TEST + 1)) N_SKIP=$((N_SKIP + 1))
    echo "ok $N_TEST - $prefix: $n # skip $reason"
  done
}

fail() { echo "FAIL: $*"; return 1; }

# expect_in HAYSTACK NEEDLE...: every NEEDLE is a substring of HAYSTACK.
expect_in() {
  local hay=$1 n
  shift
  for n in "$@"; do
    if [[ "$hay" != *"$n"* ]]; then
      echo "expected to find: $n"
      echo "in: $hay"
      return 1
    fi
  done
}

# ---- the runtime wrapper --------------------------------------------------
# make_wrapper DIR LOG: DIR/<basename of the runtime> records its argv, one
# invocation a line (tab-separated, in a single write), in LOG and then execs
# the runtime under test. Named like the runtime so that Podman's
# runtime_supports_json (matched on the basename) applies to it.
make_wrapper() {
  local dir=$1 log=$2
  mkdir -p "$dir"
  local w
  w="$dir/$(basename "$RUNTIME")"
  cat >"$w" <<EOF
#!/bin/sh
# Records the argv a client sent to its runtime, then execs the runtime.
line=runtime
for a in "\$@"; do line="\$line	\$a"; done
printf '%s\n' "\$line" >>'$log'
exec '$RUNTIME' "\$@"
EOF
  chmod 755 "$w"
  : >"$log"
  echo "$w"
}

# ---- the image ------------------------------------------------------------
# build_image DIR: DIR/rootfs (busybox-static, its applets, /etc/passwd and
# /etc/group), DIR/oci (an OCI layout made by umoci, tag "latest") and
# DIR/busybox.tar (a docker-archive made by skopeo, named $IMAGE), all
# without a registry.
IMAGE=localhost/ocirun-busybox:latest
build_image() {
  local dir=$1
  local root=$dir/rootfs
  mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,root,home}
  chmod 1777 "$root/tmp"
  cp /bin/busybox "$root/bin/busybox"
  chroot "$root" /bin/busybox --install -s
  cat >"$root/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
  cat >"$root/etc/group" <<'GROUP'
root:x:0:
tty:x:5:
nogroup:x:65534:
GROUP
  umoci init --layout "$dir/oci" &&
    umoci new --image "$dir/oci:latest" &&
    umoci insert --image "$dir/oci:latest" "$root" / &&
    umoci config --image "$dir/oci:latest" \
      --config.env PATH=/usr/sbin:/usr/bin:/sbin:/bin --config.cmd sh \
      --config.workingdir / --os linux --architecture amd64 &&
    skopeo_private copy --quiet "oci:$dir/oci:latest" \
      "docker-archive:$dir/busybox.tar:$IMAGE"
}

# skopeo_private ARGS...: skopeo, like `podman load`, as root keeps a
# blob-info cache in /var/lib/containers/cache, shared with the machine's
# other users of containers/image and with no option to move it; run it in a
# private mount namespace with a tmpfs there instead.
skopeo_private() { private_blob_cache skopeo "$@"; }
private_blob_cache() {
  local over=/var/lib/containers
  [ -d "$over" ] || over=/var/lib
  unshare -m --propagation private sh -c 'mount -t tmpfs -o size=64m ocirun-clients "$1" && shift && exec "$@"' \
    sh "$over" "$@"
}

# ---- the host snapshot ----------------------------------------------------
# host_snapshot: what a client could leave on the host, one item a line:
# mounts and processes naming the suite's temp dir or the clients' default
# places, nsfs mounts, cgroups named after the suite, shim sockets, network
# namespaces and iptables rules. Diffed before/after every client.
host_snapshot() {
  local m
  awk -v t="$T" '$5 ~ t || $5 ~ /^\/run\/(containerd|docker|netns|containers|libpod)/ ||
      $5 ~ /^\/var\/lib\/(docker|containerd|containers)/ || $0 ~ / - nsfs / {print "mount " $5}' \
    /proc/self/mountinfo
  local p cmd
  for p in /proc/[0-9]*; do
    cmd=$(tr '\0' ' ' 2>/dev/null <"$p/cmdline") || continue
    case "$cmd" in
      *"$T"* | *"$MARK"*)
        echo "process ${p#/proc/} $cmd" ;;
    esac
  done
  for m in /sys/fs/cgroup/*/; do
    find "$m" -maxdepth 2 -type d \( -name "$CG_PARENT*" -o -name 'libpod_parent' -o -name docker -o -name default \) 2>/dev/null |
      sed 's/^/cgroup /'
  done
  ls -d /var/lib/containers/cache/* /dev/shm/libpod_lock 2>/dev/null | sed 's/^/path /'
  ls /run/containerd/s 2>/dev/null | sed 's/^/shim-socket /'
  find /run/containerd /run/docker /etc/docker -maxdepth 3 2>/dev/null | sed 's/^/path /'
  ip netns list 2>/dev/null | sed 's/^/netns /'
  { iptables-save 2>/dev/null; ip6tables-save 2>/dev/null; } |
    grep -E '^(-A|:)' | sed -E 's/ \[[0-9]+:[0-9]+\]$//; s/^/iptables /'
}

# remove_cgroup_parent: removes the suite's own (now empty) parent cgroup in
# every hierarchy; a child left in it is a leak, reported by the snapshot.
remove_cgroup_parent() {
  local m
  for m in /sys/fs/cgroup/*/; do
    [ -d "$m$CG_PARENT" ] || continue
    # children first (podman leaves the conmon cgroup it made under the parent)
    find "$m$CG_PARENT" -mindepth 1 -depth -type d -name conmon -exec rmdir {} \; 2>/dev/null
    rmdir "$m$CG_PARENT" 2>/dev/null
  done
  return 0
}

# tidy_run_containerd HAD: the shims always put their sockets in
# /run/containerd/s; when /run/containerd did not exist before (HAD=0), the
# directories the shims made are removed (empty ones only: a socket left
# there is a leak the snapshot reports).
tidy_run_containerd() {
  [ "$1" = 0 ] || return 0
  rmdir /run/containerd/s /run/containerd 2>/dev/null
  return 0
}

# wait_pid_gone PID: waits for a process we started to end (no time limit
# is asserted; the suite's own timeout bounds it).
wait_pid_gone() {
  local pid=$1 i=0
  while kill -0 "$pid" 2>/dev/null; do
    sleep 0.1
    i=$((i + 1))
    if [ $i -eq 300 ]; then
      echo "pid $pid still alive after SIGTERM; SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null
    fi
  done
}

# ---- the CLI contract -----------------------------------------------------
# check_argv_log CLIENT LOG: every recorded invocation uses a subcommand and
# flags listed in contract.txt (built from ../shared/CLI-CONTRACT.md); an
# unknown one fails, so a new flag a client starts to send is noticed.
check_argv_log() {
  local client=$1 log=$2
  [ -s "$log" ] || fail "$client: no runtime invocation was recorded in $log"
  awk -F'\t' -v client="$client" '
    FNR == NR {
      n = split($0, f, /[ \t]+/)
      if ($0 ~ /^#/ || n < 2) next
      cmd = f[1]
      if (cmd == "command") { known[f[2]] = 1; next }
      # flag lines: CMD FLAG NARGS
      flag[f[1] SUBSEP f[2]] = f[3]
      next
    }
    {
      bad = ""; i = 2
      # global flags
      while (i <= NF && $i ~ /^-/) {
        a = $i; v = ""
        if (a ~ /=/) { v = substr(a, index(a, "=") + 1); a = substr(a, 1, index(a, "=") - 1) }
        if (a ~ /^-[^-]./) a = "-" a
        if (!(("global" SUBSEP a) in flag)) { bad = bad " unknown global flag " $i ";" ; i++; continue }
        if (flag["global" SUBSEP a] == 1 && v == "") i++
        if (a == "--version" || a == "-v") { seen["--version"]++ }
        i++
      }
      if (i > NF) { if (!("--version" in seen) && bad == "") bad = bad " no subcommand;"; report(); next }
      sub_ = $i; i++
      if (!(sub_ in known)) { bad = bad " unknown subcommand " sub_ ";"; report(); next }
      seen[sub_]++
      while (i <= NF && $i ~ /^-/) {
        if ($i == "--") { i++; break }
        a = $i; v = ""
        if (a ~ /=/) { v = substr(a, index(a, "=") + 1); a = substr(a, 1, index(a, "=") - 1) }
        if (a ~ /^-[^-]./) a = "-" a
        if (!((sub_ SUBSEP a) in flag)) { bad = bad " unknown flag " $i " for " sub_ ";" ; i++; continue }
        if (flag[sub_ SUBSEP a] == 1 && v == "") i++
        i++
      }
      if (sub_ != "features" && sub_ != "list" && i > NF) bad = bad " no container id;"
      report()
    }
    function report() {
      total++
      if (bad != "") { nbad++; line = $0; gsub(/\t/, " ", line); print client ": " substr(bad, 2) "  in: " line }
    }
    END {
      printf "%s: %d invocations;", client, total
      for (s in seen) printf " %s=%d", s, seen[s]
      printf "\n"
      exit nbad > 0
    }
  ' "$SUITE_DIR/contract.txt" "$log"
}
