#!/usr/bin/env bash
# The first command of the README: installs what is missing, builds ocirun,
# makes a busybox bundle in a temp dir (rootfs from Debian's busybox-static,
# config.json from `ocirun spec`) and runs it, printing what it ran.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh

ocirun=$PWD/build/src/ocirun
work=$(mktemp -d /tmp/ocirun-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT
bundle=$work/bundle

OCIRUN=$ocirun ./scripts/make-bundle.sh "$bundle" \
  sh -c 'echo "hello from $(hostname), pid $$ in its own pid namespace"; id; ls /'
echo "bundle: $bundle (busybox $(/bin/busybox | head -n1 | cut -d' ' -f2), $(ls "$bundle/rootfs/bin" | wc -l) entries in /bin)"
echo "process.args: $(jq -c .process.args "$bundle/config.json")"
echo "+ ocirun --root $work/state run --bundle $bundle demo"
status=0
"$ocirun" --root "$work/state" run --bundle "$bundle" demo || status=$?
echo "exit status: $status"
exit "$status"
