#!/usr/bin/env bash
# boot.sh CACHE CMD_DIR: boots the VM lane's guest (build-initramfs.sh's
# kernel and initramfs in CACHE) under qemu TCG (no KVM here) as a pure
# cgroup v2 host, runs CMD_DIR/run.sh in it as root, CMD_DIR shared
# read-write at the same path, and exits with run.sh's status. Its output
# comes on stdout. Env: VM_TIMEOUT (seconds, default 900), VM_MEM (1G),
# VM_SMP (2), VM_ENV (names of variables to pass to run.sh).
#
# Lessons of the prototype (../shared/reference/vm/): microvm has neither
# HPET nor PM timer, so the TSC rate is given to the kernel (tsc_early_khz),
# else calibration hangs on a loaded host; qemu is killed from a trap, never
# wrapped in `timeout`, which would leak it.
set -euo pipefail
cache=$1
cmd=$(cd "$2" && pwd -P)
ctl=$(mktemp -d /var/tmp/ocirun-vmctl.XXXXXX)
qpid=
cleanup() {
  if [ -n "$qpid" ]; then kill "$qpid" 2>/dev/null; wait "$qpid" 2>/dev/null; fi
  rm -rf "$ctl"
}
trap cleanup EXIT
trap 'exit 143' TERM INT HUP
echo "$cmd" > "$ctl/cmddir"
: > "$ctl/env"
for v in ${VM_ENV:-}; do
  if [ -n "${!v+x}" ]; then printf 'export %s=%q\n' "$v" "${!v}" >> "$ctl/env"; fi
done
kernel=$cache/vmlinux
[ -f "$kernel" ] || kernel=$cache/vmlinuz
khz=$(awk '/^cpu MHz/ {printf "%d", $4 * 1000; exit}' /proc/cpuinfo)
klog=$ctl/kernel.log
args=(
  -M microvm -global virtio-mmio.force-legacy=false
  -accel tcg,thread=multi -cpu max -smp "${VM_SMP:-2}" -m "${VM_MEM:-1G}"
  -nodefaults -no-user-config -display none -no-reboot
  -kernel "$kernel" -initrd "$cache/initramfs.cpio"
  -append "console=ttyS0 panic=-1 oops=panic cgroup_no_v1=all quiet loglevel=4 mitigations=off tsc=reliable ${khz:+tsc_early_khz=$khz}"
  -serial "file:$klog"
  -device virtio-serial-device -chardev stdio,id=out,signal=off -device virtconsole,chardev=out
  -device virtio-rng-device
  -fsdev "local,id=f0,path=$ctl,security_model=none" -device virtio-9p-device,fsdev=f0,mount_tag=vmctl
  -fsdev "local,id=f1,path=$cmd,security_model=passthrough,multidevs=remap" -device virtio-9p-device,fsdev=f1,mount_tag=cmd
  -fsdev "local,id=f2,path=/,security_model=none,readonly=on,multidevs=remap" -device virtio-9p-device,fsdev=f2,mount_tag=hostroot
)
qemu-system-x86_64 "${args[@]}" </dev/null &
qpid=$!
# Polled, not `wait`ed, so that the timeout can kill qemu by its pid.
limit=$((${VM_TIMEOUT:-900} * 5))
t=0
while kill -0 "$qpid" 2>/dev/null; do
  if [ "$t" -ge "$limit" ]; then
    echo "boot.sh: the VM ran out of time (${VM_TIMEOUT:-900} s)" >&2
    kill "$qpid"
    break
  fi
  sleep 0.2
  t=$((t + 1))
done
wait "$qpid" 2>/dev/null || true
qpid=
if [ ! -f "$ctl/rc" ]; then
  echo "boot.sh: the guest reported no exit status; kernel log:" >&2
  tail -n 30 "$klog" >&2
  exit 125
fi
exit "$(cat "$ctl/rc")"
