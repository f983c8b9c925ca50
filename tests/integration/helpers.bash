# Shared set-up for the integration suite (bats). Each test runs the built
# binary as a user would, on a bundle made in its own temp dir, with its own
# state root, and checks afterwards that nothing was left on the host.

OCIRUN=${OCIRUN:-$BATS_TEST_DIRNAME/../../build/src/ocirun}
TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)

# Every test gets: $BUNDLE (busybox bundle, made on demand by make_bundle),
# $ROOT (the --root state dir), and a snapshot of the host's mounts.
common_setup() {
  ROOT=$BATS_TEST_TMPDIR/state
  BUNDLE=$BATS_TEST_TMPDIR/bundle
  mkdir -p "$ROOT"
  MOUNTS_BEFORE=$(cut -d' ' -f5 /proc/self/mountinfo | sort)
}

# Checks that the test left nothing behind: no mounts on the host, no
# container state dirs.
common_teardown() {
  local after
  after=$(cut -d' ' -f5 /proc/self/mountinfo | sort)
  if [ "$after" != "$MOUNTS_BEFORE" ]; then
    echo "mounts changed on the host:" >&2
    diff <(echo "$MOUNTS_BEFORE") <(echo "$after") >&2
    return 1
  fi
  if [ -d "$ROOT" ] && [ -n "$(ls -A "$ROOT")" ]; then
    echo "state left behind in $ROOT: $(ls -A "$ROOT")" >&2
    return 1
  fi
}

# make_bundle [ARG...]: a busybox bundle in $BUNDLE running ARG... (default sh).
make_bundle() {
  OCIRUN=$OCIRUN "$TOP/scripts/make-bundle.sh" "$BUNDLE" "$@"
}

# Edits $BUNDLE/config.json with a jq filter.
config_edit() {
  jq "$@" "$BUNDLE/config.json" > "$BUNDLE/config.json.new" && mv "$BUNDLE/config.json.new" "$BUNDLE/config.json"
}

# ocirun with the test's own state root.
oci() {
  "$OCIRUN" --root "$ROOT" "$@"
}

require_root() {
  [ "$(id -u)" -eq 0 ] || skip "needs root"
}
