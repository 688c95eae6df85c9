#!/usr/bin/env bash
# Every C test of the release build (the same build directory as stage 10) once more
# under valgrind memcheck: no invalid access, no use of uninitialised memory, no
# definite or indirect leak, in any process (Criterion workers included; the
# libaiotsec-sbi tests of tests/sbi among them); plus subsets of the CLI tests
# (tests/cli, and `aiotsec adm` of tests/sbi) with every CLI process under valgrind. See
# tests/hardening/valgrind_suite.py. Slow tests run at a reduced size
# (AIOTSEC_TEST_REDUCED=1); tests that cannot yet run at a reduced size are listed in
# SLOW below and run in stage 30 (ASan, full size) instead.
source "$(dirname "$0")/../hardening/common.sh"
hard_build build
SLOW='^(test_roles_million|perf_native_diff)$'
for t in test_roles_million:tests/roles/test_million.c perf_native_diff:tests/perf/test_native_diff.c; do
  if grep -q AIOTSEC_TEST_REDUCED "${t#*:}" 2>/dev/null; then
    SLOW=$(printf '%s' "$SLOW" | sed "s/${t%%:*}|\?//; s/|)/)/; s/(|/(/")
  else
    echo "note: ${t%%:*} has no reduced size yet: not run under valgrind (ASan covers it)"
  fi
done
[ "$SLOW" = '^()$' ] && SLOW='^$'
# demo_count_json is 10^8 derivations (about 10 minutes under memcheck): stage 30 runs
# it at full size under ASan; here the default demo (demo_default and the per-backend
# demos) covers the same code paths.
EXCLUDE="($SLOW)|^demo_count_json\$"
# AIOTSEC_HARD_ONLY (a test-name regex) restricts the run: for plant-faults.sh only.
/usr/bin/python3 tests/hardening/valgrind_suite.py build build/valgrind-logs --exclude "$EXCLUDE" \
  ${AIOTSEC_HARD_ONLY:+--only "$AIOTSEC_HARD_ONLY" --no-cli}
