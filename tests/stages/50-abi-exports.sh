#!/usr/bin/env bash
# ABI guard on the release build (the same build directory as stage 10):
#  1. the exported symbols of libaiotsec.so are exactly the functions declared
#     AIOTSEC_API in include/aiotsec/*.h, and those of libaiotsec-sbi.so exactly the
#     functions declared AIOTSEC_SBI_API in sbi/include/aiotsec/sbi.h, all prefixed
#     aiotsec_sbi_, and likewise libaiotsec-keydb.so (AIOTSEC_KEYDB_API, aiotsec_keydb_)
#     and libaiotsec-h2client.so (AIOTSEC_H2C_API, aiotsec_h2c_)
#     (tests/hardening/check_exports.py);
#  2. abidiff against the stored baseline abi/libaiotsec.abi: additions pass, a
#     removed or changed function or an incompatible type change fails unless the
#     SONAME was bumped (tests/hardening/abi_check.sh). Regenerate the baseline with
#     abi/update-baseline.sh when the API is meant to change.
source "$(dirname "$0")/../hardening/common.sh"
# Only the libraries are needed (stage 10 has built the rest of this directory already).
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo "${HARD_CMAKE_VECTORS[@]}" >/dev/null
cmake --build build -j"$HARD_JOBS" --target aiotsec aiotsec_sbi aiotsec_keydb aiotsec_h2client >/dev/null
/usr/bin/python3 tests/hardening/check_exports.py build/libaiotsec.so include/aiotsec
/usr/bin/python3 tests/hardening/check_exports.py build/libaiotsec-sbi.so sbi/include/aiotsec \
  --macro AIOTSEC_SBI_API --prefix aiotsec_sbi_
/usr/bin/python3 tests/hardening/check_exports.py build/libaiotsec-keydb.so keydb/include/aiotsec \
  --macro AIOTSEC_KEYDB_API --prefix aiotsec_keydb_
/usr/bin/python3 tests/hardening/check_exports.py build/libaiotsec-h2client.so h2/include/aiotsec \
  --macro AIOTSEC_H2C_API --prefix aiotsec_h2c_
bash tests/hardening/abi_check.sh build/libaiotsec.so
