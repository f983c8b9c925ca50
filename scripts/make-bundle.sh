#!/usr/bin/env bash
# make-bundle.sh DIR [ARG...]: makes an OCI bundle in DIR from Debian's
# busybox-static: rootfs/ with busybox, its applet links, /etc/passwd and
# /etc/group, and config.json from `ocirun spec`, with process.args set to
# ARG... (default: sh) and no terminal. OCIRUN names the binary to use.
set -euo pipefail
dir=$1
shift
ocirun=${OCIRUN:-$(cd "$(dirname "$0")/.." && pwd)/build/src/ocirun}
busybox=/bin/busybox

mkdir -p "$dir/rootfs"
root=$dir/rootfs
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,root,home}
chmod 1777 "$root/tmp"
cp "$busybox" "$root/bin/busybox"
# One link per applet, at the path busybox installs it (bin/sh, usr/bin/env...):
# as root, busybox itself makes them all in one process, inside the rootfs;
# otherwise, one ln per applet.
if [ "$(id -u)" -eq 0 ]; then
  chroot "$root" /bin/busybox --install -s
else
  "$busybox" --list-full | while read -r applet; do
    [ "$applet" = bin/busybox ] && continue
    mkdir -p "$root/$(dirname "$applet")"
    ln -sf /bin/busybox "$root/$applet"
  done
fi
cat > "$root/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat > "$root/etc/group" <<'GROUP'
root:x:0:
tty:x:5:
nogroup:x:65534:
GROUP

rm -f "$dir/config.json"
"$ocirun" spec --bundle "$dir"
if [ $# -eq 0 ]; then set -- sh; fi
args=$(printf '%s\n' "$@" | jq -R . | jq -s .)
jq --argjson args "$args" '.process.args = $args | .process.terminal = false' \
  "$dir/config.json" > "$dir/config.json.new"
mv "$dir/config.json.new" "$dir/config.json"
