#!/usr/bin/env bash
# Fuzzing of the other untrusted inputs (stage 60 covers the NAS decoders and the
# CLI's JSON reader): the key-store file parser + in-memory store
# (tests/fuzz/fuzz_keyfile.c), the CLI's hex reader (tests/fuzz/fuzz_cli_hex.c),
# the Nadm_Sec JSON bodies of libaiotsec-sbi on both sides of the SBI
# (tests/fuzz/fuzz_sbi_bodies.c), the filter functions against a reference
# (tests/fuzz/fuzz_filter.c) and the HTTP/2 ADM server's request path, header fields
# to response (tests/fuzz/fuzz_h2_request.c), in the same OSS-Fuzz-style clang ASan+UBSan
# build as stage 60 (build-fuzz, tests/hardening/common.sh). Seeds are replayed, then each target fuzzes for
# FUZZ_INPUT_SECONDS (20), two at a time on the 2 cores (about 60 s in all).
# A crash, leak, sanitizer report or oracle failure (abort) fails the stage.
source "$(dirname "$0")/../hardening/common.sh"
secs=${FUZZ_INPUT_SECONDS:-20}
B=$HARD_FUZZ_DIR
hard_fuzz_configure
targets=(fuzz_keyfile fuzz_cli_hex fuzz_sbi_bodies fuzz_filter fuzz_h2_request)
cmake --build "$B" -j"$HARD_JOBS" --target "${targets[@]}" >/dev/null
art="$B/artifacts-inputs"
work="$B/fuzz-work-inputs"
rm -rf "$art" "$work"
mkdir -p "$art"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
for t in "${targets[@]}"; do
  "$B/tests/fuzz/$t" -runs=0 "tests/fuzz/corpus/$t" >"$art.$t.replay.log" 2>&1 ||
    { echo "$t: a seed input fails"; tail -40 "$art.$t.replay.log"; exit 1; }
done
echo "fuzz-inputs: seeds replayed on ${#targets[@]} targets"
status=0
for ((i = 0; i < ${#targets[@]}; i += 2)); do
  pids=()
  for t in "${targets[@]:i:2}"; do
    mkdir -p "$work/$t"
    "$B/tests/fuzz/$t" -max_total_time="$secs" -max_len=4096 -timeout=10 -rss_limit_mb=1024 \
      -print_final_stats=1 -artifact_prefix="$art/$t-" "$work/$t" "tests/fuzz/corpus/$t" \
      >"$work/$t.log" 2>&1 &
    pids+=($!)
  done
  for p in "${pids[@]}"; do
    wait "$p" || status=1
  done
done
for t in "${targets[@]}"; do
  execs=$(grep -m1 'stat::number_of_executed_units' "$work/$t.log" | awk '{print $2}')
  echo "fuzz-inputs: $t ${execs:-?} executions in ${secs}s"
done
if [ "$status" -ne 0 ] || [ -n "$(ls -A "$art")" ]; then
  echo "fuzz-inputs: FOUND something; reproducers in $art:"
  ls "$art"
  for t in "${targets[@]}"; do
    grep -m1 -A14 -E 'ERROR: |deadly signal|runtime error' "$work/$t.log" || true
    tail -4 "$work/$t.log"
  done
  exit 1
fi
echo "fuzz-inputs: nothing found"
