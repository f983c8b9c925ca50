#!/usr/bin/env bash
# The client suite: containerd, Podman and Docker, from Debian, drive the
# runtime under test exactly as users run them; plus the direct path
# (scripts/make-bundle.sh and `RUNTIME run`).
#
#   tests/clients/run.sh            # the runtime is build/src/ocirun
#   CLIENT_RUNTIME=/usr/sbin/runc tests/clients/run.sh   # checks the checks
#   CLIENTS="podman docker" tests/clients/run.sh          # a subset
#   CLIENT_LOGS=DIR tests/clients/run.sh   # keeps argv and daemon logs in DIR
#
# Needs root. Installs what is missing (tests/clients/deps.sh), builds a
# busybox image without a registry, starts each daemon with its config, state
# and sockets in one temp dir, runs its checks against that one daemon, stops
# it by pid and removes everything; "nothing left on the host" compares a
# snapshot taken before and after each client. The runtime is placed behind
# a wrapper that records every argv, checked against contract.txt.
# Output is TAP; the last line is "N passed, N failed, N skipped"; the exit
# status is non-zero when a check failed.
set -uo pipefail
SUITE_DIR=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$SUITE_DIR/../.." && pwd)
RUNTIME=${CLIENT_RUNTIME:-$TOP/build/src/ocirun}
CLIENTS=${CLIENTS:-direct containerd podman docker}
# shellcheck source=lib.sh
. "$SUITE_DIR/lib.sh"

summary() {
  echo "1..$N_TEST"
  if [ ${#FAILED_NAMES[@]} -gt 0 ]; then
    echo "# failed:"
    printf '#   %s\n' "${FAILED_NAMES[@]}"
  fi
  echo "$N_PASS passed, $N_FAIL failed, $N_SKIP skipped"
}

if [ "$(id -u)" -ne 0 ]; then
  echo "# the client suite needs root"
  skip_all clients "needs root" $CLIENTS
  summary
  exit 0
fi
case "$RUNTIME" in /*) ;; *) RUNTIME=$PWD/$RUNTIME ;; esac
if [ ! -x "$RUNTIME" ]; then
  echo "# no runtime at $RUNTIME (build it with ./scripts/build.sh)"
  N_TEST=1 N_FAIL=1 FAILED_NAMES=("runtime present")
  echo "not ok 1 - runtime present"
  summary
  exit 1
fi
"$SUITE_DIR/deps.sh" || {
  echo "not ok 1 - install the clients (tests/clients/deps.sh)"
  N_TEST=1 N_FAIL=1 FAILED_NAMES=("deps")
  summary
  exit 1
}

T=$(mktemp -d /tmp/ocirun-clients.XXXXXX)
chmod 755 "$T"
case "${CLIENT_LOGS:-}" in "" | /*) ;; *) CLIENT_LOGS=$PWD/$CLIENT_LOGS ;; esac
# whatever a client writes to its working directory lands in the temp dir
cd "$T" || exit 1
# the number containers sleep for: finds a container's processes on the host
MARK=$((900000 + $$ % 99999))
CG_PARENT=ocirun-clients-$$
IMG=$T/image
STOPPERS=()

cleanup() {
  local s
  for s in "${STOPPERS[@]}"; do "$s" >/dev/null 2>&1; done
  STOPPERS=()
  remove_cgroup_parent
  if grep -qF " $T" /proc/self/mountinfo; then
    echo "# mounts are left under $T; not removing it:"
    grep -F " $T" /proc/self/mountinfo | awk '{print "#   " $5}'
  else
    rm -rf --one-file-system "$T"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "# runtime under test: $RUNTIME ($("$RUNTIME" --version 2>&1 | head -n1))"
mkdir -p "$IMG"
if ! build_image "$IMG" >"$T/image.log" 2>&1; then
  echo "not ok 1 - build the busybox image (umoci, skopeo)"
  sed 's/^/#   /' "$T/image.log"
  N_TEST=1 N_FAIL=1 FAILED_NAMES=("image")
  summary
  exit 1
fi

# nothing_left BEFORE: the host snapshot now equals BEFORE
nothing_left() {
  local before=$1 after
  after=$(host_snapshot | sort)
  local extra
  extra=$(comm -13 <(echo "$before") <(echo "$after"))
  [ -z "$extra" ] || fail "left on the host:
$extra"
}

# run_client NAME: snapshot, start its daemon, its checks, the contract
# check of its argv log, stop it, and nothing left.
run_client() {
  local c=$1 before
  # shellcheck disable=SC1090
  . "$SUITE_DIR/$c.sh"
  before=$(host_snapshot | sort)
  echo "# ---- $c"
  local start=${c}_start stop=${c}_stop
  local log=$T/$c-start.log
  mkdir -p "$T/$c"
  if ! "$start" >"$log" 2>&1; then
    echo "# $c did not start:"
    sed 's/^/#   /' "$log"
    "$stop" >/dev/null 2>&1
    local names=() n
    eval "names=(\"\${${c^^}_CHECKS[@]}\")"
    for n in "${names[@]}"; do
      N_TEST=$((N_TEST + 1)) N_FAIL=$((N_FAIL + 1))
      FAILED_NAMES+=("$c: $n")
      echo "not ok $N_TEST - $c: $n (the client did not start)"
    done
    return
  fi
  STOPPERS+=("$stop")
  "${c}_checks"
  check "$c: every runtime invocation is in the CLI contract" check_argv_log "$c" "$T/$c/argv.log"
  if [ -n "${CLIENT_LOGS:-}" ]; then
    # for CI artifacts and reports: the argv log and the daemon's log
    mkdir -p "$CLIENT_LOGS/$c"
    cp "$T/$c"/*.log "$CLIENT_LOGS/$c/" 2>/dev/null
  fi
  "$stop" >"$T/$c-stop.log" 2>&1
  STOPPERS=("${STOPPERS[@]/$stop/}")
  remove_cgroup_parent
  check "$c: nothing left on the host (containers, mounts, cgroups, daemons, sockets, netns, iptables)" \
    nothing_left "$before"
}

for c in $CLIENTS; do
  case $c in
    direct | containerd | podman | docker) run_client "$c" ;;
    *) echo "# unknown client $c" ;;
  esac
done

summary
[ "$N_FAIL" -eq 0 ]
