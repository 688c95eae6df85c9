#!/usr/bin/env bash
# The whole test suite once more under AddressSanitizer + UndefinedBehaviorSanitizer
# (own build directory build-asan; -fno-sanitize-recover: any report fails the test).
#  - "native" tests (every process holding the library is ours and instrumented):
#    leak detection on.
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
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export ASAN_OPTIONS=detect_leaks=1:strict_string_checks=1:check_initialization_order=1
echo "--- native tests (ASan+UBSan, leak detection on)"
ctest --test-dir "$B" --output-on-failure -j"$HARD_JOBS" -R "$native" -E "$not_here"
echo "--- reduced: cli_crosscheck"
$T run "$B" cli_crosscheck --count 100 --kdf-count 30
echo "--- hosted tests (libasan preloaded, leak detection off)"
ASAN_OPTIONS=detect_leaks=0:verify_asan_link_order=0 LD_PRELOAD="$(gcc -print-file-name=libasan.so)" \
  ctest --test-dir "$B" --output-on-failure -j"$HARD_JOBS" -R "$hosted" -E "$not_here"
