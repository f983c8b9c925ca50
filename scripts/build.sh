#!/usr/bin/env bash
# Configures (once) and builds ocirun in build/: the static release binary
# build/src/ocirun, the unit tests and the benchmarks.
set -euo pipefail
cd "$(dirname "$0")/.."
"$PWD/scripts/deps.sh"
if [ ! -f build/build.ninja ]; then
  meson setup build --buildtype=release >&2
fi
ninja -C build >&2
