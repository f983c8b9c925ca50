# The direct path: the project's own bundle builder (scripts/make-bundle.sh)
# and `RUNTIME run`, no client in between; the wrapper records the argv all
# the same. Sourced by run.sh.
# shellcheck shell=bash

DI=$T/direct
direct_start() {
  mkdir -p "$DI"
  DI_WRAP=$(make_wrapper "$DI/bin" "$DI/argv.log")
}
direct_stop() {
  local id
  for id in di-echo di-exit; do
    "$RUNTIME" --root "$DI/state" delete --force "$id" >/dev/null 2>&1
  done
  return 0
}

# di_bundle DIR ARGS...: make-bundle.sh, inside the suite's cgroup parent
di_bundle() {
  local dir=$1
  shift
  OCIRUN=$RUNTIME "$TOP/scripts/make-bundle.sh" "$dir" "$@" || fail "make-bundle.sh failed"
  jq --arg cg "/$CG_PARENT/$(basename "$dir")" '.linux.cgroupsPath = $cg' \
    "$dir/config.json" >"$dir/config.json.new" && mv "$dir/config.json.new" "$dir/config.json"
}

di_echo() {
  local out
  di_bundle "$DI/di-echo" echo hi || return 1
  out=$("$DI_WRAP" --root "$DI/state" run --bundle "$DI/di-echo" di-echo) || fail "run exited $?: $out"
  [ "$out" = hi ] || fail "expected 'hi', got '$out'"
  "$DI_WRAP" --root "$DI/state" delete di-echo 2>/dev/null
  return 0
}

di_exit_code() {
  local rc=0
  di_bundle "$DI/di-exit" sh -c 'exit 42' || return 1
  "$DI_WRAP" --root "$DI/state" run --bundle "$DI/di-exit" di-exit || rc=$?
  [ $rc -eq 42 ] || fail "expected exit 42, got $rc"
  "$DI_WRAP" --root "$DI/state" delete di-exit 2>/dev/null
  return 0
}

direct_checks() {
  check "direct: make-bundle.sh + run echo hi prints hi" di_echo
  check "direct: run propagates a non-zero exit code" di_exit_code
}
DIRECT_CHECKS=(echo exit-code contract nothing-left)
