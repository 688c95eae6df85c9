#!/usr/bin/env bash
# The tag firmware (docs/notes/firmware.md): builds the device-only library and the
# firmware images for Cortex-M0+ and Cortex-M3, runs them under qemu-system-arm,
# writes build-fw/size.json and checks the Cortex-M0+ tag image against its budgets.
#
#  1. build-fw/host: the device-only library built for the host, its tests (tests/fw)
#  2. build-fw/{m0,m3}: the images without AES (the tag image is what the budget
#     measures); build-fw/{m0,m3}-aes: with AES compiled in (every vector runs)
#  3. under qemu (-M microbit for M0+, -M mps2-an385 for M3, semihosting): both
#     self-tests (every device-relevant vector of ../shared/vectors), `res` for each
#     row of aiot-profile0.tsv, the tag image against its radio script (every
#     answer byte for byte, fw/tools/tag_check.py), its stack peak (painted stack)
#  4. instruction counts from qemu execution traces (fw/tools/insns.py): a SHA-256
#     block, a paging, the first command of a procedure and a later one
#  5. no heap, stdio, getenv, getrandom or pthread in any image
# Writes build-fw/size.json; build-fw/aiotsec-fw-selftest-m0.elf / -m3.elf (with AES)
# and build-fw/aiotsec-fw-tag-m0.elf / -m3.elf.
# Environment: AIOTSEC_JOBS (2), AIOTSEC_VECTORS_DIR (../shared/vectors),
# AIOTSEC_FW_BUDGET_FLASH (6144), AIOTSEC_FW_BUDGET_RAM (2048, RAM + stack peak).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/build-fw
JOBS=${AIOTSEC_JOBS:-2}
VEC=${AIOTSEC_VECTORS_DIR:-$ROOT/../shared/vectors}
BUDGET_FLASH=${AIOTSEC_FW_BUDGET_FLASH:-6144}
BUDGET_RAM=${AIOTSEC_FW_BUDGET_RAM:-2048}
TOOLS=$ROOT/fw/tools
for t in arm-none-eabi-gcc arm-none-eabi-size arm-none-eabi-nm qemu-system-arm python3 cmake; do
  command -v "$t" >/dev/null || { echo "firmware: $t not found (bash scripts/install-deps.sh)"; exit 1; }
done
mkdir -p "$OUT"
SIZE_JSON=$OUT/size.json
rm -f "$SIZE_JSON"
fail=0

echo "== host: the device-only library, natively (tests/fw)"
cmake -S . -B "$OUT/host" -DAIOTSEC_DEVICE_ONLY=ON -DAIOTSEC_WITH_AES=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DAIOTSEC_VECTORS_DIR="$VEC" >/dev/null
cmake --build "$OUT/host" -j"$JOBS" >/dev/null
ctest --test-dir "$OUT/host" --output-on-failure | tail -n 3

cross() { # NAME CPU AES
  cmake -S . -B "$OUT/$1" -DCMAKE_TOOLCHAIN_FILE="$ROOT/cmake/arm-none-eabi.cmake" -DAIOTSEC_DEVICE_ONLY=ON \
        -DAIOTSEC_FW_CPU="$2" -DAIOTSEC_WITH_AES="$3" -DCMAKE_BUILD_TYPE=MinSizeRel \
        -DAIOTSEC_VECTORS_DIR="$VEC" >/dev/null
  cmake --build "$OUT/$1" -j"$JOBS" >/dev/null
}

# qemu MACHINE ELF DIR [SEMIHOSTING ARGS...] (extra qemu options in QEMU_EXTRA): the
# console (semihosting writes to stderr) on stdout, the image's exit status returned.
qemu() {
  local machine=$1 elf=$2 dir=$3 cfg="enable=on,target=native"
  shift 3
  for a in "$@"; do cfg="$cfg,arg=$a"; done
  # shellcheck disable=SC2086
  (cd "$dir" && timeout 300 qemu-system-arm -M "$machine" -display none -monitor none -serial none \
     -semihosting-config "$cfg" ${QEMU_EXTRA:-} -kernel "$elf" 2>&1)
}

forbidden='^(malloc|calloc|realloc|free|_malloc_r|_calloc_r|_free_r|_sbrk|_sbrk_r|printf|vfprintf|_vfprintf_r|puts|fopen|fwrite|getenv|getrandom|pthread_.*)$'

for target in m0 m3; do
  if [ "$target" = m0 ]; then cpu=cortex-m0plus machine=microbit; else cpu=cortex-m3 machine=mps2-an385; fi
  echo "== $cpu ($machine)"
  cross "$target" "$cpu" OFF
  cross "$target-aes" "$cpu" ON
  fwd=$OUT/$target/fw
  awd=$OUT/$target-aes/fw
  cp "$awd/aiotsec-fw-selftest.elf" "$OUT/aiotsec-fw-selftest-$target.elf"
  cp "$fwd/aiotsec-fw-tag.elf" "$OUT/aiotsec-fw-tag-$target.elf"

  # No heap, stdio, getenv, getrandom or pthread anywhere in the images.
  for elf in "$fwd/aiotsec-fw-tag.elf" "$fwd/aiotsec-fw-selftest.elf" "$awd/aiotsec-fw-selftest.elf"; do
    bad=$(arm-none-eabi-nm "$elf" | awk '{print $NF}' | grep -E "$forbidden" || true)
    if [ -n "$bad" ]; then echo "firmware: FAIL: $(basename "$elf") links $bad"; fail=1; fi
  done

  # The self-tests: every device vector, without AES (AES rows must be refused) and with it.
  passed=0
  for d in "$fwd" "$awd"; do
    rc=0
    out=$(qemu "$machine" aiotsec-fw-selftest.elf "$d") || rc=$?
    last=$(printf '%s\n' "$out" | tail -n 1)
    echo "   selftest ($(printf '%s\n' "$out" | head -n 1 | sed 's/^selftest: //')): $last"
    if [ "$rc" -ne 0 ] || ! [[ "$last" =~ ^([1-9][0-9]*)\ passed,\ 0\ failed$ ]]; then
      printf '%s\n' "$out" | grep FAIL | head -n 20 || true
      echo "firmware: FAIL: self-test on $cpu (exit $rc)"
      fail=1
    elif [ "$d" = "$awd" ]; then
      passed=${BASH_REMATCH[1]}
    fi
  done

  # `res KROOT RAND_N RAND_D` for every row of aiot-profile0.tsv: RES_AIOT on its own line.
  res_ok=0
  res_rows=0
  while IFS=$'\t' read -r k rn rd res _; do
    res_rows=$((res_rows + 1))
    rc=0
    got=$(qemu "$machine" aiotsec-fw-selftest.elf "$awd" res "$k" "$rn" "$rd") || rc=$?
    if [ "$rc" -eq 0 ] && [ "$got" = "$res" ]; then res_ok=$((res_ok + 1)); else
      echo "firmware: FAIL: res on $cpu gave '$got' (exit $rc), expected $res"; fail=1
    fi
  done < <(grep -v '^#' "$VEC/aiot-profile0.tsv" | tail -n +2)
  echo "   res: $res_ok of $res_rows rows of aiot-profile0.tsv"

  # The tag image against its radio script, traced for the instruction counts.
  rc=0
  QEMU_EXTRA="-singlestep -d exec,nochain -D $fwd/tag.trace" qemu "$machine" aiotsec-fw-tag.elf "$fwd" \
    tag_frames.bin >"$fwd/tag.out" || rc=$?
  check=$(python3 "$TOOLS/tag_check.py" "$fwd/tag_expected.json" "$fwd/tag.out") || { echo "$check"; fail=1; }
  [ "$rc" -eq 0 ] || { echo "firmware: FAIL: tag image exit $rc"; fail=1; }
  python3 "$TOOLS/insns.py" "$fwd/tag.trace" >"$fwd/tag.insns"
  rm -f "$fwd/tag.trace"
  QEMU_EXTRA="-singlestep -d exec,nochain -D $fwd/bench.trace" qemu "$machine" aiotsec-fw-selftest.elf "$fwd" \
    bench >/dev/null || true
  python3 "$TOOLS/insns.py" "$fwd/bench.trace" >"$fwd/bench.insns"
  rm -f "$fwd/bench.trace"

  read -r peak paging first command ok < <(python3 - "$check" "$fwd/tag.insns" <<'EOF'
import json, sys
c = json.loads(sys.argv[1])
iv = [int(x) for x in open(sys.argv[2])]
m = c["marks"]
print(c["stack_peak"], iv[m["paging"]], iv[m["first_command"]], iv[m["command"]], int(c["ok"]))
EOF
)
  mapfile -t bench <"$fwd/bench.insns"
  one=${bench[0]}
  per_block=$(( (bench[1] + 4) / 8 ))
  echo "   tag: answers ok=$ok, stack peak $peak, paging $paging, first command $first, command $command instructions;" \
       "SHA-256 $per_block per block ($one for a one-block call)"
  sz=$(python3 "$TOOLS/fw_report.py" sizes "$fwd/aiotsec-fw-tag.elf" "$fwd/aiotsec-fw-tag.map")
  sz_aes=$(python3 "$TOOLS/fw_report.py" sizes "$awd/aiotsec-fw-tag.elf" "$awd/aiotsec-fw-tag.map")
  flash=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["flash"])' "$sz")
  ram=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["ram"])' "$sz")
  flash_aes=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["flash"])' "$sz_aes")
  by_origin=$(python3 -c 'import json,sys; print(json.dumps(json.loads(sys.argv[1])["flash_by_origin"]))' "$sz")
  python3 "$TOOLS/fw_report.py" set "$SIZE_JSON" "$cpu" machine="$machine" flash="$flash" ram="$ram" \
    stack_peak="$peak" insns_per_block="$per_block" insns_one_block_call="$one" insns_command="$command" \
    insns_first_command="$first" insns_paging="$paging" flash_with_aes="$flash_aes" \
    flash_by_origin="$by_origin" vectors_passed="$passed" res_rows_ok="$res_ok" tag_ok="$ok"
done

echo "== sizes (build-fw/size.json)"
python3 "$TOOLS/fw_report.py" check "$SIZE_JSON" cortex-m0plus "$BUDGET_FLASH" "$BUDGET_RAM" || fail=1
if [ "$fail" -ne 0 ]; then
  echo "firmware: FAILED"
  exit 1
fi
echo "firmware: ok"
