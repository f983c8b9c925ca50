#!/usr/bin/env bash
# lane.sh: the pure cgroup v2 lane of the test suite. Boots Debian's kernel
# under qemu with cgroup_no_v1=all (boot.sh) and runs every tests/vm/*.bats
# suite there against the built, static ocirun; prints bats' TAP on stdout, for
# scripts/test.sh to count. Where the VM cannot run (not root, no qemu, no
# kernel package), every test is printed as skipped with the reason.
# Env: OCIRUN_VM_CACHE (default /var/tmp/ocirun-vm-cache), VM_TIMEOUT.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
suites=("$here"/*.bats)
cache=${OCIRUN_VM_CACHE:-/var/tmp/ocirun-vm-cache}

skip_all() {
  echo "vm lane: skipped: $1" >&2
  local i=0 name
  echo "1..$(cat "${suites[@]}" | grep -c '^@test ')"
  while IFS= read -r name; do
    i=$((i + 1))
    echo "ok $i $name # skip $1"
  done < <(sed -n 's/^@test "\(.*\)" {$/\1/p' "${suites[@]}")
  exit 0
}

[ "$(id -u)" -eq 0 ] || skip_all "the VM lane needs root"
command -v qemu-system-x86_64 >/dev/null || skip_all "qemu-system-x86_64 is missing (scripts/deps.sh installs it)"
[ -x /bin/busybox ] || skip_all "busybox-static is missing"
[ -x "$top/build/src/ocirun" ] && [ -x "$top/build/tests/cgctl" ] || skip_all "build first (scripts/build.sh)"
mkdir -p "$cache"
( flock 9; "$here/build-initramfs.sh" "$cache" ) 9>"$cache/.lock" >&2 ||
  skip_all "no guest kernel (apt-get download of Debian's linux-image failed)"

work=$(mktemp -d /var/tmp/ocirun-vm-work.XXXXXX)
trap 'rm -rf "$work"' EXIT
cat > "$work/run.sh" <<RUN
#!/bin/sh
export OCIRUN=$top/build/src/ocirun CGCTL=$top/build/tests/cgctl TMPDIR=/tmp
exec bats --tap ${suites[*]}
RUN
out=$work/tap
"$here/boot.sh" "$cache" "$work" > "$out"
rc=$?
if ! grep -qE '^1\.\.[0-9]+' "$out"; then
  cat "$out" >&2
  skip_all "the VM did not run the tests (boot.sh exit $rc)"
fi
tr -d '\r' < "$out"   # the virtio console ends lines with CRLF
[ "$rc" -eq 0 ]
