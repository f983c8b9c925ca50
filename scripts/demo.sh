#!/usr/bin/env bash
# The first command of the README: installs what is missing, builds ocirun,
# makes a busybox bundle in a temp dir (rootfs from Debian's busybox-static,
# config.json from `ocirun spec`) and runs it, printing what it ran.
#
# Until the container lifecycle lands (create/start/run), the demo stops at
# `ocirun spec` and the validation of the bundle's config.json.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh

ocirun=$PWD/build/src/ocirun
work=$(mktemp -d /tmp/ocirun-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT
bundle=$work/bundle

OCIRUN=$ocirun ./scripts/make-bundle.sh "$bundle" sh -c 'echo "hello from $(hostname), pid $$"; id'
echo "bundle: $bundle (busybox $(/bin/busybox | head -n1 | cut -d' ' -f2), $(ls "$bundle/rootfs/bin" | wc -l) entries in /bin)"
echo "process.args: $(jq -c .process.args "$bundle/config.json")"
echo "+ ocirun validate --bundle $bundle"
"$ocirun" validate --bundle "$bundle"
echo "(running the container comes with the lifecycle issue: create, start, run)"
