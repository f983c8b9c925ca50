#!/usr/bin/env bash
# Runs every test of ocirun: installs what is missing, builds, runs the unit
# suite (Catch2, no root), the conformance table's check (the tests and
# functions spec/conformance.md names exist), the integration suite (bats,
# as root: it runs the built binary on bundles it makes in temp dirs), the
# pure cgroup v2 lane (bats inside a qemu VM, tests/vm/lane.sh) and the
# client suite (containerd, Podman and Docker with ocirun as their runtime,
# tests/clients/run.sh), and ends with the line
#   N passed, N failed, N skipped
# summed over all suites. Exits non-zero when a test failed.
set -uo pipefail
cd "$(dirname "$0")/.."
top=$PWD

./scripts/build.sh || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }

passed=0 failed=0 skipped=0
add() { passed=$((passed + $1)); failed=$((failed + $2)); skipped=$((skipped + $3)); }

# ---- unit: Catch2's console summary gives the test-case counts ----
unit_log=$(mktemp)
# The whole report only when something failed; a summary otherwise.
./build/tests/unit-tests >"$unit_log" 2>&1 || cat "$unit_log"
if line=$(grep -E '^All tests passed' "$unit_log"); then
  n=$(sed -E 's/.* in ([0-9]+) test cases?\).*/\1/' <<<"$line")
  u_pass=$n u_fail=0
elif line=$(grep -E '^test cases:' "$unit_log"); then
  u_pass=$(grep -oE '[0-9]+ passed' <<<"$line" | grep -oE '[0-9]+' || echo 0)
  u_fail=$(grep -oE '[0-9]+ failed' <<<"$line" | grep -oE '[0-9]+' || echo 0)
else
  echo "unit: the test binary ended without a summary (crashed?)"
  u_pass=0 u_fail=1
fi
rm -f "$unit_log"
echo "unit: $u_pass passed, $u_fail failed"
add "$u_pass" "$u_fail" 0

# ---- docs: every test and function spec/conformance.md names exists (a
# renamed test must not leave a row pointing at nothing) ----
if python3 spec/check_conformance.py >/dev/null; then
  echo "docs (conformance table): 1 passed, 0 failed"
  add 1 0 0
else
  echo "docs (conformance table): 0 passed, 1 failed"
  add 0 1 0
fi

# Counts a TAP file into i_pass, i_fail, i_skip.
count_tap() {
  local planned i_ok missing
  planned=$(grep -E '^1\.\.[0-9]+' "$1" | head -n1 | cut -d. -f3)
  planned=${planned//[!0-9]/}
  i_skip=$(grep -cE '^ok [0-9]+ .*# skip' "$1")
  i_ok=$(grep -cE '^ok [0-9]+' "$1")
  i_pass=$((i_ok - i_skip))
  i_fail=$(grep -cE '^not ok [0-9]+' "$1")
  # Tests that never reported (bats itself died) count as failed.
  missing=$(( ${planned:-0} - i_ok - i_fail ))
  [ "$missing" -gt 0 ] && i_fail=$((i_fail + missing))
  return 0
}

# ---- integration: bats, TAP output ----
export OCIRUN="$top/build/src/ocirun"
if [ "$(id -u)" -eq 0 ]; then
  tap=$(mktemp)
  bats --tap tests/integration 2>&1 | tee "$tap"
  count_tap "$tap"
  rm -f "$tap"
else
  echo "integration: needs root; every test skipped"
  i_pass=0 i_fail=0 i_skip=$(bats --count tests/integration)
fi
echo "integration: $i_pass passed, $i_fail failed, $i_skip skipped"
add "$i_pass" "$i_fail" "$i_skip"

# ---- the pure cgroup v2 lane: bats in a VM booted with cgroup_no_v1=all;
# its tests are reported as skipped, with the reason, where no VM can run ----
tap=$(mktemp)
tests/vm/lane.sh | tee "$tap"
count_tap "$tap"
rm -f "$tap"
echo "vm (cgroup v2): $i_pass passed, $i_fail failed, $i_skip skipped"
add "$i_pass" "$i_fail" "$i_skip"

# ---- real clients: containerd, Podman and Docker drive the built ocirun
# (tests/clients/run.sh installs them, and reports skips without root) ----
tap=$(mktemp)
CLIENT_RUNTIME="$top/build/src/ocirun" tests/clients/run.sh | tee "$tap"
count_tap "$tap"
rm -f "$tap"
echo "clients: $i_pass passed, $i_fail failed, $i_skip skipped"
add "$i_pass" "$i_fail" "$i_skip"

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
