#!/usr/bin/env bash
# Fuzz smoke: the libFuzzer targets of tests/fuzz/ in their own clang build
# (build-fuzz), configured as OSS-Fuzz builds a project: CC=clang and
# CFLAGS="-fsanitize=address,undefined,fuzzer-no-link ..." from the environment, no
# AIOTSEC_SANITIZE (tests/hardening/common.sh, hard_fuzz_configure).
# 0. That build's libraries link and pass tests, shared and static: they carry the
#    sanitizer and coverage instrumentation, and test_core_vectors (libaiotsec.so:
#    the official vectors on every backend) and perf_native_diff (libaiotsec.a: the
#    native paths against libsodium and OpenSSL) pass without a sanitizer report.
# 1. Every seed and regression input is replayed once, then 2. each target fuzzes for
#    FUZZ_SECONDS (35) from its seed corpus, two targets at a time on the 2 cores. Any
#    crash, leak or sanitizer report fails the stage; the reproducer lands in
#    build-fuzz/artifacts/ and must then be added to tests/fuzz/regress/ (see
#    tests/nas/test_nas_regress.c).
source "$(dirname "$0")/../hardening/common.sh"
secs=${FUZZ_SECONDS:-35} # the whole suite must stay under 15 minutes on 2 cores
bdir=$HARD_FUZZ_DIR
hard_fuzz_configure
tests=(test_core_vectors perf_native_diff)
cmake --build "$bdir" -j"$HARD_JOBS" --target aiotsec_fuzz aiotsec "${tests[@]}" 2>&1 | grep -Ev '^\[ *[0-9]+%\]' || true
cmake --build "$bdir" -j"$HARD_JOBS" --target aiotsec_fuzz aiotsec "${tests[@]}" >/dev/null # (a failed build fails here)

# 0. the libraries of the OSS-Fuzz-style build, shared and static
for lib in "$bdir/libaiotsec.so" "$bdir/libaiotsec.a"; do
  undef=$(nm -u "$lib" 2>/dev/null | awk '{print $2}' | sort -u)
  for sym in __asan_report_load8 __ubsan_handle_ __sanitizer_cov_8bit_counters_init; do
    grep -q "^$sym" <<<"$undef" || { echo "fuzz: $lib lacks $sym: CFLAGS did not reach it"; exit 1; }
  done
done
deps=$(ldd "$bdir/tests/core/test_core_vectors")
grep -Eq "libaiotsec\.so\.[0-9]+ => $(cd "$bdir" && pwd)/" <<<"$deps" ||
  { echo "fuzz: test_core_vectors does not load the build's libaiotsec.so"; exit 1; }
logs="$bdir/sanitizer-logs"
rm -rf "$logs"
mkdir -p "$logs"
ASAN_OPTIONS="detect_leaks=1:log_path=$logs/asan" UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$logs/ubsan" \
  ctest --test-dir "$bdir" --output-on-failure -j"$HARD_JOBS" -R "^($(IFS='|'; echo "${tests[*]}"))\$" ||
  { echo "fuzz: a test fails in the OSS-Fuzz-style build"; exit 1; }
if [ -n "$(ls -A "$logs")" ]; then
  echo "fuzz: sanitizer reports from the tests:"
  head -40 "$logs"/*
  exit 1
fi
echo "fuzz: OSS-Fuzz-style build (CC=$CC CFLAGS=$CFLAGS): libaiotsec.so and libaiotsec.a instrumented;" \
  "${tests[*]} pass on them"

targets=(fuzz_nas_decode fuzz_nas_protected fuzz_nas_unprotect fuzz_nas_json)
art="$bdir/artifacts"
rm -rf "$art" "$bdir/fuzz-work"
mkdir -p "$art"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# 1. replay: seeds and regression inputs, once each
for t in "${targets[@]}"; do
  "$bdir/tests/fuzz/$t" -runs=0 tests/fuzz/corpus/"$t" >/dev/null 2>&1 ||
    { echo "$t: a seed input fails"; "$bdir/tests/fuzz/$t" -runs=0 tests/fuzz/corpus/"$t"; exit 1; }
  if [ "$t" != fuzz_nas_json ]; then
    "$bdir/tests/fuzz/$t" tests/fuzz/regress/* >/dev/null 2>&1 ||
      { echo "$t: a regression input fails"; "$bdir/tests/fuzz/$t" tests/fuzz/regress/*; exit 1; }
  fi
done
echo "fuzz: seeds and regressions replayed on ${#targets[@]} targets"

# 2. fuzz, two at a time; new inputs go to a scratch dir, the tree's corpus is read-only
run() {
  local t=$1 work="$bdir/fuzz-work/$1"
  mkdir -p "$work"
  "$bdir/tests/fuzz/$t" -max_total_time="$secs" -max_len=4096 -timeout=10 -rss_limit_mb=1024 \
    -print_final_stats=1 -artifact_prefix="$art/$t-" "$work" tests/fuzz/corpus/"$t" \
    >"$bdir/fuzz-work/$t.log" 2>&1
}
status=0
for ((i = 0; i < ${#targets[@]}; i += 2)); do
  pids=()
  for t in "${targets[@]:i:2}"; do
    run "$t" & pids+=($!)
  done
  for p in "${pids[@]}"; do
    wait "$p" || status=1
  done
done
for t in "${targets[@]}"; do
  execs=$(grep -m1 'stat::number_of_executed_units' "$bdir/fuzz-work/$t.log" | awk '{print $2}')
  echo "fuzz: $t ${execs:-?} executions in ${secs}s"
done
if [ "$status" -ne 0 ] || [ -n "$(ls -A "$art")" ]; then
  echo "fuzz: FOUND something; reproducers in $art:"; ls "$art"
  for t in "${targets[@]}"; do tail -30 "$bdir/fuzz-work/$t.log"; done
  exit 1
fi
echo "fuzz: nothing found"
