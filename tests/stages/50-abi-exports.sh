#!/usr/bin/env bash
# ABI guard on the release build (the same build directory as stage 10):
#  1. the exported symbols of libaiotsec.so are exactly the functions declared
#     AIOTSEC_API in include/aiotsec/*.h (tests/hardening/check_exports.py);
#  2. abidiff against the stored baseline abi/libaiotsec.abi: additions pass, a
#     removed or changed function or an incompatible type change fails unless the
#     SONAME was bumped (tests/hardening/abi_check.sh). Regenerate the baseline with
#     abi/update-baseline.sh when the API is meant to change.
source "$(dirname "$0")/../hardening/common.sh"
# Only the library is needed (stage 10 has built the rest of this directory already).
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo "${HARD_CMAKE_VECTORS[@]}" >/dev/null
cmake --build build -j"$HARD_JOBS" --target aiotsec >/dev/null
/usr/bin/python3 tests/hardening/check_exports.py build/libaiotsec.so include/aiotsec
bash tests/hardening/abi_check.sh build/libaiotsec.so
