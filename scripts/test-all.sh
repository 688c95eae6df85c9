#!/usr/bin/env bash
# The whole test suite: runs every stage in tests/stages/ in order, each a script
# that builds what it needs in its own build directory and exits non-zero on failure.
# Stops at the first failing stage. Prints "stages: N passed, N failed" last.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh || exit 1
export AIOTSEC_PYTHON=/usr/bin/python3
export AIOTSEC_WERROR=ON # every build of the suite treats warnings as errors (the default is off for users)
passed=0
failed=0
start=$(date +%s)
for stage in tests/stages/*.sh; do
  name=$(basename "$stage" .sh)
  t0=$(date +%s)
  echo "=== stage $name"
  if bash "$stage"; then
    passed=$((passed + 1))
    echo "=== stage $name: ok ($(( $(date +%s) - t0 )) s)"
  else
    failed=$((failed + 1))
    echo "=== stage $name: FAILED ($(( $(date +%s) - t0 )) s)"
    break
  fi
done
echo "total time: $(( $(date +%s) - start )) s"
echo "stages: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
