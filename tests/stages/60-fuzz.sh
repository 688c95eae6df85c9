#!/usr/bin/env bash
# Fuzz smoke: the libFuzzer targets of tests/fuzz/ in their own clang build
# (build-fuzz) under ASan and UBSan. First every seed and regression input is
# replayed once, then each target fuzzes for FUZZ_SECONDS (40) from its seed
# corpus, two targets at a time on the 2 cores. Any crash, leak or sanitizer
# report fails the stage; the reproducer lands in build-fuzz/artifacts/ and
# must then be added to tests/fuzz/regress/ (see tests/nas/test_nas_regress.c).
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${FUZZ_SECONDS:-40} # the whole suite must stay under 15 minutes on 2 cores
bdir=build-fuzz
cmake -S . -B "$bdir" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DAIOTSEC_BUILD_FUZZ=ON -DAIOTSEC_BUILD_TESTS=OFF -DAIOTSEC_SANITIZE=address,undefined >/dev/null
cmake --build "$bdir" -j2 --target aiotsec_fuzz
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
