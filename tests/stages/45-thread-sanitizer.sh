#!/usr/bin/env bash
# ThreadSanitizer (own build directory build-tsan): many threads share one context,
# one key store and one ADM, deriving and verifying, while batch calls run their own
# worker threads (tests/hardening/thread_check.c), plus the batch and roles
# Criterion tests. Any data race report fails the stage (halt_on_error).
source "$(dirname "$0")/../hardening/common.sh"
B=build-tsan
cmake -S . -B "$B" -DCMAKE_BUILD_TYPE=RelWithDebInfo "${HARD_CMAKE_VECTORS[@]}" -DAIOTSEC_SANITIZE=thread >/dev/null
cmake --build "$B" -j"$HARD_JOBS" --target hardening_thread_check perf_pool_stress >/dev/null
export TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1"
"$B"/tests/hardening/hardening_thread_check # every built-in backend
# The batch worker pool: two caller threads on one pool, many sizes and pool widths.
"$B"/tests/perf/perf_pool_stress native
"$B"/tests/perf/perf_pool_stress sodium
