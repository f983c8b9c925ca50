#!/usr/bin/env bash
# build-initramfs.sh CACHE: the guest of the VM lane, in CACHE:
#   vmlinux (or vmlinuz)  Debian's own kernel, fetched with `apt-get download`
#                         (never installed); uncompressed when possible, since
#                         decompressing xz under TCG costs seconds per boot
#   initramfs.cpio        busybox-static, the modules the guest needs, /init
# Reuses what is there: the kernel once, the initramfs when guest-init.sh is
# older than it. Env: VM_KERNEL_META (default linux-image-amd64).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=$1
mkdir -p "$cache"
cd "$cache"

if [ ! -f kver ]; then
  pkg=$(apt-cache depends "${VM_KERNEL_META:-linux-image-amd64}" | awk '/Depends: linux-image-/ {print $2; exit}')
  [ -n "$pkg" ] || { echo "build-initramfs: no kernel package found (apt-get update?)" >&2; exit 1; }
  rm -rf kdeb kx kmods vmlinux vmlinuz
  mkdir kdeb kx
  (cd kdeb && apt-get download "$pkg" >/dev/null)
  dpkg-deb -x kdeb/*.deb kx
  kver=$(ls kx/lib/modules | head -n1)
  mkdir kmods
  mv "kx/lib/modules/$kver" "kmods/$kver"
  # The ELF kernel inside the bzImage: qemu boots it through its PVH note.
  for m in 'fd377a585a00:xz -dc' '28b52ffd:zstd -dcq'; do
    magic=$(sed 's/../\\x&/g' <<<"${m%%:*}")
    off=$(LC_ALL=C grep -obUaP "$magic" "kx/boot/vmlinuz-$kver" | head -n1 | cut -d: -f1 || true)
    [ -n "$off" ] || continue
    tail -c +$((off + 1)) "kx/boot/vmlinuz-$kver" | ${m#*:} > vmlinux.tmp 2>/dev/null || true
    if [ "$(head -c4 vmlinux.tmp | tail -c3)" = ELF ]; then mv vmlinux.tmp vmlinux; break; fi
  done
  rm -f vmlinux.tmp
  mv "kx/boot/vmlinuz-$kver" vmlinuz
  rm -rf kx kdeb
  echo "$kver" > kver
fi
kver=$(cat kver)
[ -f initramfs.cpio ] && [ initramfs.cpio -nt "$here/guest-init.sh" ] && exit 0

# The modules, each after those it depends on.
md=$cache/kmods/$kver
root=$(mktemp -d "$cache/root.XXXXXX")
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,dev,proc,sys,tmp,newroot,lib/modules/$kver}
cp /bin/busybox "$root/bin/busybox"
[ -f modpaths ] || (cd "$md" && find kernel -name '*.ko*') > modpaths
unpack() { case $1 in *.xz) xz -dc "$1" ;; *.zst) zstd -dcq "$1" ;; *) cat "$1" ;; esac; }
declare -A seen
order=()
add() {
  local m=${1//-/_} p d
  [ -z "${seen[$m]:-}" ] || return 0
  seen[$m]=1
  p=$(grep -E "/${m//_/[-_]}\.ko(\.[a-z]+)?$" modpaths | head -n1 || true)
  [ -n "$p" ] || return 0   # built into the kernel
  for d in $(unpack "$md/$p" | tr '\0' '\n' | sed -n 's/^depends=//p' | tr ',' ' '); do add "$d"; done
  mkdir -p "$root/lib/modules/$kver/$(dirname "$p")"
  unpack "$md/$p" > "$root/lib/modules/$kver/${p%.ko*}.ko"
  order+=("${p%.ko*}.ko")
}
for m in virtio_mmio virtio_console virtio_rng 9pnet_virtio 9p overlay loop; do add "$m"; done
printf '%s\n' "${order[@]}" > "$root/lib/modules/$kver/load-order"
cp "$here/guest-init.sh" "$root/init"
chmod 755 "$root/init"
(cd "$root" && find . | LC_ALL=C sort | busybox cpio -o -H newc 2>/dev/null) > initramfs.cpio.tmp
mv initramfs.cpio.tmp initramfs.cpio
echo "build-initramfs: kernel $kver, ${#order[@]} modules" >&2
