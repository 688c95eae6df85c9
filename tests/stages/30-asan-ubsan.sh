#!/usr/bin/env bash
# The whole test suite once more under AddressSanitizer + UndefinedBehaviorSanitizer,
# built with clang (own build directory build-asan; -fno-sanitize-recover: any report
# fails the test). gcc builds everything else (stage 10, valgrind), so the suite covers
# both compilers with warnings as errors, and clang's sanitizer link model: clang links
# its runtime statically into each executable and none into shared libraries, whose
# __asan_*/__ubsan_* references the executable then provides.
#  - Every sanitizer report also goes to a log file (log_path), and any log file fails
#    the stage: Criterion runs each test in a worker process whose exit status (e.g.
#    LeakSanitizer's at exit) does not reach the runner, so a leak in a test would
#    otherwise be printed and ignored.
#  - "native" tests (every process holding the library is ours and instrumented):
#    leak detection on. libaiotsec-sbi is built instrumented too: its Criterion tests
#    and `aiotsec adm` (tests/sbi, full size) are native; jansson is not instrumented
#    but allocates through the intercepted malloc, so a JSON tree leaked counts too.
#    consumer_install and readme_c_examples compile their programs with the build's
#    sanitizer flags (tests/CMakeLists.txt), so they are native too: consumer_install
#    installs the instrumented build and links libaiotsec.so and libaiotsec.a into
#    instrumented consumers (CMake package, pkg-config, pkg-config --static).
#  - "hosted" tests (the library inside Python ctypes): clang's shared ASan runtime
#    (libclang_rt.asan-<arch>.so, which carries UBSan's handlers too) is preloaded
#    into the interpreter, as tests/python/CMakeLists.txt sets for those tests;
#    invalid accesses and undefined behaviour still abort, leak detection is off
#    because CPython leaks by design. Library leaks are covered by the native tests
#    and by valgrind (stage 35). Executables keep clang's default static runtime
#    (-shared-libsan is not needed: nothing else has to share the runtime).
#  - Not run here, by design (runs in stage 10): perf_noalloc interposes malloc
#    itself, which ASan's allocator forbids (not even built here).
#  - Reduced size (each CLI process costs ~5x under ASan): cli_crosscheck runs
#    100 + 30 random inputs per backend instead of 1000 + 300, beside the hosted tests.
source "$(dirname "$0")/../hardening/common.sh"
B=build-asan
hard_build "$B" -DCMAKE_C_COMPILER=clang -DAIOTSEC_SANITIZE=address,undefined
T="/usr/bin/python3 tests/hardening/ctest_tests.py"
native=$($T groups "$B" | sed -n 's/^native //p')
hosted=$($T groups "$B" | sed -n 's/^hosted //p')
not_here='^(cli_crosscheck)$' # run below at a reduced size
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
# cli_crosscheck is one process chain (Python driving the CLI) that keeps one core busy
# for a minute or two, so it runs beside the hosted tests, which get the other core.
# Its reports carry their own log name (a later log_path overrides the earlier one).
echo "--- reduced: cli_crosscheck, beside the hosted tests (one core each)"
cross_out="$HARD_ROOT/$B/cli_crosscheck.out"
ASAN_OPTIONS="$ASAN_OPTIONS:log_path=$LOGS/cli_crosscheck-asan" \
  UBSAN_OPTIONS="$UBSAN_OPTIONS:log_path=$LOGS/cli_crosscheck-ubsan" \
  $T run "$B" cli_crosscheck --count 100 --kdf-count 30 >"$cross_out" 2>&1 &
cross_pid=$!
echo "--- hosted tests (clang's ASan runtime preloaded, leak detection off)"
ASAN_OPTIONS="detect_leaks=0:verify_asan_link_order=0:$ASAN_COMMON" \
  LD_PRELOAD="$(clang -print-file-name=libclang_rt.asan-$(uname -m).so)" \
  ctest --test-dir "$B" --output-on-failure -j1 -R "$hosted" -E "$not_here" || status=1
cross_status=0
wait "$cross_pid" || cross_status=$?
echo "--- cli_crosscheck (exit $cross_status):"
cat "$cross_out"
[ "$cross_status" -eq 0 ] || status=1
check_logs "cli_crosscheck (cli_crosscheck-*) and hosted tests"
[ $status -eq 0 ] && echo "asan-ubsan: clean"
exit $status
