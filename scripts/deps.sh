#!/usr/bin/env bash
# Installs, from Debian's packages, whatever ocirun's build and tests need and
# this machine lacks. Idempotent: with everything present it asks apt nothing.
set -euo pipefail

packages=(
  g++ meson ninja-build pkg-config git file jq
  rapidjson-dev libseccomp-dev libcap-ng-dev libfmt-dev catch2 libexpected-dev
  busybox-static bats
  # the pure cgroup v2 lane (tests/vm/): Debian's kernel under qemu; its
  # kernel package is fetched with apt-get download, never installed
  qemu-system-x86 xz-utils
  # AppArmor's profile loader, run in that lane's guest (tests/vm/lsm.bats)
  apparmor
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "deps: missing packages (${missing[*]}); run as root to install them" >&2
  exit 1
fi
echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 update -q >&2
apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}" >&2
