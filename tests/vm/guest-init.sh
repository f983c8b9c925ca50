#!/bin/busybox sh
# /init of the VM lane's guest. Stage 1 (from the initramfs): load modules,
# mount the control share, build the root: the host's / read-only over 9p
# under a tmpfs overlay, so the host's bats, jq and the built binaries are
# there at their paths; then switch_root, since pivot_root (which the
# runtime uses) does not work from an initramfs root. Stage 2: a pure
# cgroup v2 host (cgroup_no_v1=all), controllers delegated from the root as
# systemd does, and CMD_DIR/run.sh run in /ci.slice/run.scope; its status
# goes to the control share, its output to the virtio console.
B=/bin/busybox
if [ "$1" != stage2 ]; then
  $B mount -t proc proc /proc
  $B --install -s /bin
  export PATH=/bin
  mount -t sysfs sysfs /sys
  mount -t devtmpfs devtmpfs /dev
  echo "vm-init: stage1" > /dev/ttyS0
  kver=$(uname -r)
  while read -r m; do insmod "/lib/modules/$kver/$m" 2>/dev/ttyS0; done < "/lib/modules/$kver/load-order"
  i=0
  while [ ! -e /dev/hvc0 ] && [ $i -lt 500 ]; do usleep 10000; i=$((i + 1)); done
  exec >/dev/hvc0 2>&1 </dev/null
  p9="trans=virtio,version=9p2000.L,msize=262144"
  mkdir -p /ctl /lower /rw
  mount -t 9p -o $p9,cache=none vmctl /ctl || { echo "vm-init: no control share"; poweroff -f; }
  mount -t 9p -o ro,$p9,cache=loose hostroot /lower || poweroff -f
  mount -t tmpfs -o mode=755 tmpfs /rw && mkdir -p /rw/upper /rw/work
  mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work overlay /newroot || poweroff -f
  N=/newroot
  mount -t tmpfs -o mode=755 tmpfs $N/run && mkdir -p $N/run/vm/ctl
  cp /bin/busybox /init $N/run/vm/
  mount --move /ctl $N/run/vm/ctl
  cmd=$(cat $N/run/vm/ctl/cmddir)
  mkdir -p "$N$cmd" && mount -t 9p -o $p9,cache=loose cmd "$N$cmd" || poweroff -f
  mount --move /dev $N/dev
  mount --move /sys $N/sys
  mount --move /proc $N/proc
  exec switch_root $N /run/vm/busybox sh /run/vm/init stage2
fi

B=/run/vm/busybox
CTL=/run/vm/ctl
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=dumb LANG=C.UTF-8
$B mkdir -p /dev/pts /dev/shm /tmp /root
$B mount -t devpts -o newinstance,ptmxmode=0666,mode=620,gid=5 devpts /dev/pts
$B ln -sf pts/ptmx /dev/ptmx
$B mount -t tmpfs -o mode=1777 tmpfs /dev/shm
$B mount -t tmpfs -o mode=1777 tmpfs /tmp
$B mount -t cgroup2 -o nsdelegate cgroup2 /sys/fs/cgroup
# AppArmor (on in Debian's kernel) needs securityfs for apparmor_parser (lsm.bats).
$B mount -t securityfs securityfs /sys/kernel/security
$B ln -sf /proc/self/fd /dev/fd
$B hostname vm
$B ip link set lo up
enable_all() { for c in $($B cat "$1/cgroup.controllers"); do echo "+$c" > "$1/cgroup.subtree_control"; done; }
enable_all /sys/fs/cgroup
$B mkdir -p /sys/fs/cgroup/ci.slice/run.scope
enable_all /sys/fs/cgroup/ci.slice
echo $$ > /sys/fs/cgroup/ci.slice/run.scope/cgroup.procs
[ -f $CTL/env ] && . $CTL/env
cd "$($B cat $CTL/cmddir)" && sh ./run.sh
rc=$?
$B sync
echo "$rc" > $CTL/rc
$B poweroff -f
