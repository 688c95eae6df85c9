#!/usr/bin/env bash
# The whole test suite once more under AddressSanitizer + UndefinedBehaviorSanitizer
# (own build directory build-asan; -fno-sanitize-recover: any report fails the test).
#  - Every sanitizer report also goes to a log file (log_path), and any log file fails
#    the stage: Criterion runs each test in a worker process whose exit status (e.g.
#    LeakSanitizer's at exit) does not reach the runner, so a leak in a test would
#    otherwise be printed and ignored.
#  - "native" tests (every process holding the library is ours and instrumented):
#    leak detection on. libaiotsec-sbi is built instrumented too: its Criterion tests
#    and `aiotsec adm` (tests/sbi, full size) are native; jansson is not instrumented
#    but allocates through the intercepted malloc, so a JSON tree leaked counts too.
#  - "hosted" tests (the library inside Python ctypes, or inside programs the test
#    compiles without sanitizer flags): libasan is preloaded into the host; invalid
#    accesses and undefined behaviour still abort, leak detection is off because the
#    hosts (CPython, gcc) leak by design. Library leaks are covered by the native
#    tests and by valgrind (stage 35).
#  - Not run here, by design (both run in stage 10): consumer_install links the static
#    library into a consumer built without sanitizers (cannot link an instrumented
#    archive); perf_noalloc interposes malloc itself, which ASan's allocator forbids.
#  - Reduced size (each CLI process costs ~5x under ASan): cli_crosscheck runs
#    100 + 30 random inputs per backend instead of 1000 + 300.
source "$(dirname "$0")/../hardening/common.sh"
B=build-asan
hard_build "$B" -DAIOTSEC_SANITIZE=address,undefined
T="/usr/bin/python3 tests/hardening/ctest_tests.py"
native=$($T groups "$B" | sed -n 's/^native //p')
hosted=$($T groups "$B" | sed -n 's/^hosted //p')
not_here='^(consumer_install|perf_noalloc|cli_crosscheck)$'
LOGS="$HARD_ROOT/$B/sanitizer-logs"
rm -rf "$LOGS"
mkdir -p "$LOGS"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$LOGS/ubsan"
ASAN_COMMON="strict_string_checks=1:check_initialization_order=1:log_path=$LOGS/asan"
export ASAN_OPTIONS="detect_leaks=1:$ASAN_COMMON"
status=0

# check_logs WHAT: fails the stage if any sanitizer wrote a report.
check_logs() {
  if [ -n "$(ls -A "$LOGS")" ]; then
    echo "--- sanitizer reports ($1):"
    for f in "$LOGS"/*; do
      echo "$f:"
      head -40 "$f"
    done
    status=1
    rm -f "$LOGS"/*
  fi
}

if [ -n "${AIOTSEC_HARD_ONLY:-}" ]; then # plant-faults.sh: a subset of the native tests only
  ctest --test-dir "$B" --output-on-failure -j"$HARD_JOBS" -R "$AIOTSEC_HARD_ONLY" || status=1
  check_logs "$AIOTSEC_HARD_ONLY"
  exit $status
fi
echo "--- native tests (ASan+UBSan, leak detection on)"
ctest --test-dir "$B" --output-on-failure -j"$HARD_JOBS" -R "$native" -E "$not_here" || status=1
check_logs "native tests"
echo "--- reduced: cli_crosscheck"
$T run "$B" cli_crosscheck --count 100 --kdf-count 30 || status=1
check_logs cli_crosscheck
echo "--- hosted tests (libasan preloaded, leak detection off)"
ASAN_OPTIONS="detect_leaks=0:verify_asan_link_order=0:$ASAN_COMMON" \
  LD_PRELOAD="$(gcc -print-file-name=libasan.so)" \
  ctest --test-dir "$B" --output-on-failure -j"$HARD_JOBS" -R "$hosted" -E "$not_here" || status=1
check_logs "hosted tests"
[ $status -eq 0 ] && echo "asan-ubsan: clean"
exit $status
