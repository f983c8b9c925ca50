#!/usr/bin/env bash
# Installs, from Debian's packages, the real clients the client suite drives
# (containerd + its runc shim v2, Podman + conmon, Docker's docker.io), the
# tools that build the busybox image without a registry (busybox-static,
# umoci, skopeo) and the rest the checks use (util-linux's script, jq).
# Idempotent: with everything present it asks apt nothing. Daemons are never
# started by the install: a policy-rc.d that refuses is put in place for the
# duration when the machine has none.
set -euo pipefail

packages=(
  containerd podman conmon docker.io
  umoci skopeo busybox-static
  bsdutils util-linux jq iproute2 iptables runc
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "clients deps: missing packages (${missing[*]}); run as root to install them" >&2
  exit 1
fi

policy=/usr/sbin/policy-rc.d
made_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\n# ocirun tests/clients/deps.sh: no daemon starts during the install\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  made_policy=1
fi
trap '[ "$made_policy" = 1 ] && rm -f "$policy"' EXIT

echo "clients deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 update -q >&2
apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}" >&2
