#!/usr/bin/env bash
# ABI guard: compares a built libaiotsec.so with the stored baseline abi/libaiotsec.abi.
# Added functions are fine (the API is still growing); a removed or changed function
# or variable, or an incompatible change (abidiff exit bit 8), fails unless the SONAME
# differs from the baseline's (an intended break: AIOTSEC_SOVERSION bumped).
# usage: abi_check.sh LIBRARY
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LIB=$1
BASE="$ROOT/abi/libaiotsec.abi"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
bash "$ROOT/tests/hardening/abi_dump.sh" "$LIB" "$TMP/current.abi" || exit 1
abidiff "$BASE" "$TMP/current.abi" >"$TMP/report"
rc=$?
cat "$TMP/report"
if [ $((rc & 3)) -ne 0 ]; then
  echo "abi: abidiff failed to run (exit $rc)"
  exit 1
fi
base_soname=$(sed -n "s/.*soname='\([^']*\)'.*/\1/p" "$BASE" | head -1)
cur_soname=$(sed -n "s/.*soname='\([^']*\)'.*/\1/p" "$TMP/current.abi" | head -1)
# "N Removed, M Changed" in the function and variable summaries.
removed_changed=$(grep -Eo '[0-9]+ Removed(, [0-9]+ Changed)?' "$TMP/report" |
                  grep -Eo '[0-9]+' | awk '{s += $1} END {print s + 0}')
incompatible=$(( rc & 8 ))
if [ "$incompatible" -eq 0 ] && [ "$removed_changed" -eq 0 ]; then
  echo "abi: compatible with the baseline (SONAME $cur_soname; abidiff exit $rc: additions only or no change)"
  exit 0
fi
if [ "$base_soname" != "$cur_soname" ]; then
  echo "abi: ABI break with SONAME bump $base_soname -> $cur_soname: accepted (regenerate the baseline)"
  exit 0
fi
echo "abi: FAIL: ABI break without SONAME bump ($cur_soname): abidiff exit $rc," \
     "$removed_changed removed/changed functions or variables"
exit 1
