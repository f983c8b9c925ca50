#!/usr/bin/env bash
# Installs, from Debian's packages, what the benchmark needs beyond the
# build's own dependencies (scripts/deps.sh): the two runtimes it compares
# against, GNU time for peak RSS and gnuplot (without X) for the chart.
# Idempotent: with everything present it asks apt nothing.
set -euo pipefail

packages=(runc crun time gnuplot-nox)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "bench: missing packages (${missing[*]}); run as root to install them" >&2
  exit 1
fi
echo "bench: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 update -q >&2
apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}" >&2
