#!/usr/bin/env bash
# The whole test suite once more under AddressSanitizer + UndefinedBehaviorSanitizer
# (own build directory build-asan; any report aborts the process, so the test fails).
#  - "native" tests (every process holding the library is ours and instrumented):
#    leak detection on.
#  - "hosted" tests (the library inside Python ctypes, or inside programs the test
#    compiles without sanitizer flags): libasan is preloaded into the host; invalid
#    accesses and undefined behaviour still abort, leak detection is off because the
#    hosts (CPython, gcc, cmake) leak by design. Library leaks are covered by the
#    native tests and by valgrind (stage 35).
source "$(dirname "$0")/../hardening/common.sh"
B=build-asan
hard_build "$B" -DAIOTSEC_SANITIZE=address,undefined
read -r _ native < <(/usr/bin/python3 tests/hardening/ctest_tests.py groups "$B" | grep '^native')
read -r _ hosted < <(/usr/bin/python3 tests/hardening/ctest_tests.py groups "$B" | grep '^hosted')
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:abort_on_error=1
export ASAN_OPTIONS=detect_leaks=1:strict_string_checks=1:check_initialization_order=1:detect_invalid_pointer_pairs=1
echo "--- native tests (ASan+UBSan, leak detection on)"
ctest --test-dir "$B" --output-on-failure -j"$HARD_JOBS" -R "$native"
echo "--- hosted tests (libasan preloaded, leak detection off)"
ASAN_OPTIONS=detect_leaks=0:verify_asan_link_order=0 LD_PRELOAD="$(gcc -print-file-name=libasan.so)" \
  ctest --test-dir "$B" --output-on-failure -j"$HARD_JOBS" -R "$hosted"
