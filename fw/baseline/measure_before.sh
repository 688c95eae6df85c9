#!/usr/bin/env bash
# The "before" numbers of docs/notes/firmware.md: the device half as it was at
# COMMIT (default 22e355e, the tree issue 12 was measured on), built by hand the
# way the issue describes (-Os, newlib-nano, --gc-sections, a backend table
# outside the project over the native backend's portable SHA-256, a heap context),
# then run with the same board, radio script and measurements as scripts/firmware.sh
# (run that first: it makes the radio script). Not part of CI (it needs the git
# history). Writes build-fw/before.json.
# usage: fw/baseline/measure_before.sh [COMMIT]
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
COMMIT=${1:-22e355e}
OUT=$ROOT/build-fw/before
TOOLS=$ROOT/fw/tools
rm -rf "$OUT"
mkdir -p "$OUT/tree"
git archive "$COMMIT" src backends include | tar -x -C "$OUT/tree"
T=$OUT/tree
SRCS=()
for f in core/backend_calls core/backend_registry core/context core/ct core/derive core/filter core/kdf \
         core/profile core/profile0 nas/nas_aia_hs nas/nas_cmac nas/nas_decode nas/nas_encode nas/nas_map \
         nas/nas_nea2 nas/nas_security roles/device; do
  SRCS+=("$T/src/$f.c")
done
SRCS+=("$T/backends/native/native_hmac.c" "$T/backends/native/sha256_portable.c" "$ROOT/fw/baseline/baseline_backend.c")
echo "{" >"$OUT/../before.json"
sep=""
for target in m0 m3; do
  if [ "$target" = m0 ]; then cpu=cortex-m0plus machine=microbit; else cpu=cortex-m3 machine=mps2-an385; fi
  fwd=$ROOT/build-fw/$target/fw
  [ -f "$fwd/tag_frames.bin" ] || { echo "before: run scripts/firmware.sh first"; exit 1; }
  CF=(-mcpu=$cpu -mthumb -Os -std=c11 -ffunction-sections -fdata-sections -DAIOTSEC_BUILDING_LIBRARY
      -I"$T/include" -I"$T/src" -I"$T/backends" -I"$ROOT/fw" -I"$fwd")
  LF=(-specs=nano.specs -nostartfiles -Wl,--gc-sections -L"$ROOT/fw/ld" -T"$ROOT/fw/ld/$machine.ld")
  H=("$ROOT/fw/startup.c" "$ROOT/fw/semihost.c")
  # The old device size, from the old library itself.
  arm-none-eabi-gcc "${CF[@]}" -o "$OUT/probe-$target.elf" "$ROOT/fw/baseline/probe.c" "${H[@]}" "${SRCS[@]}" "${LF[@]}"
  size=$( (cd "$OUT" && timeout 60 qemu-system-arm -M "$machine" -display none -monitor none -serial none \
           -semihosting-config enable=on,target=native -kernel "probe-$target.elf" 2>&1) | head -n 1)
  arm-none-eabi-gcc "${CF[@]}" -DBEFORE_DEVICE_SIZE="$size" -o "$OUT/tag-$target.elf" "$ROOT/fw/baseline/tag_before.c" \
    "$ROOT/fw/board_qemu.c" "${H[@]}" "${SRCS[@]}" "${LF[@]}" -Wl,-Map="$OUT/tag-$target.map"
  rc=0
  (cd "$fwd" && timeout 300 qemu-system-arm -M "$machine" -display none -monitor none -serial none \
     -semihosting-config enable=on,target=native,arg=tag_frames.bin -singlestep -d exec,nochain \
     -D "$OUT/tag-$target.trace" -kernel "$OUT/tag-$target.elf" >"$OUT/tag-$target.out" 2>&1) || rc=$?
  check=$(python3 "$TOOLS/tag_check.py" "$fwd/tag_expected.json" "$OUT/tag-$target.out") || true
  python3 "$TOOLS/insns.py" "$OUT/tag-$target.trace" >"$OUT/tag-$target.insns"
  rm -f "$OUT/tag-$target.trace"
  # One SHA-256 block of the old portable compression, counted the same way.
  cat >"$OUT/bench.c" <<'C'
#include <stddef.h>
#include <stdint.h>
#include "fw.h"
#include "native/native.h"
static uint8_t blocks[8 * 64];
int main(void)
{
    uint32_t h[8] = {0};
    fw_mark(1);
    aiot_sha256_portable.compress(h, blocks, 1);
    fw_mark(2);
    aiot_sha256_portable.compress(h, blocks, 8);
    fw_mark(3);
    return h[0] == 0x12345678u;
}
C
  arm-none-eabi-gcc "${CF[@]}" -o "$OUT/bench-$target.elf" "$OUT/bench.c" "${H[@]}" "$T/backends/native/sha256_portable.c" "${LF[@]}"
  (cd "$OUT" && timeout 60 qemu-system-arm -M "$machine" -display none -monitor none -serial none \
     -semihosting-config enable=on,target=native -singlestep -d exec,nochain -D "bench-$target.trace" \
     -kernel "bench-$target.elf" >/dev/null 2>&1) || true
  python3 "$TOOLS/insns.py" "$OUT/bench-$target.trace" >"$OUT/bench-$target.insns"
  rm -f "$OUT/bench-$target.trace"
  sz=$(python3 "$TOOLS/fw_report.py" sizes "$OUT/tag-$target.elf" "$OUT/tag-$target.map")
  python3 - "$cpu" "$size" "$check" "$OUT/tag-$target.insns" "$OUT/bench-$target.insns" "$sz" "$sep" \
    >>"$OUT/../before.json" <<'PY'
import json, sys
cpu, size, check, tagi, benchi, sz, sep = sys.argv[1:]
c = json.loads(check)
iv = [int(x) for x in open(tagi)]
b = [int(x) for x in open(benchi)]
s = json.loads(sz)
m = c["marks"]
r = {"flash": s["flash"], "ram": s["ram"], "flash_by_origin": s["flash_by_origin"], "device_size": int(size),
     "stack_peak": c["stack_peak"], "tag_ok": c["ok"], "insns_paging": iv[m["paging"]],
     "insns_first_command": iv[m["first_command"]], "insns_command": iv[m["command"]],
     "insns_one_block_call": b[0], "insns_per_block": (b[1] + 4) // 8}
print(f'{sep}"{cpu}": {json.dumps(r)}')
PY
  sep=","
  echo "before ($cpu): $(tail -n 1 "$OUT/../before.json")"
done
echo "}" >>"$OUT/../before.json"
