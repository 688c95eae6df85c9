#!/usr/bin/env bash
# Regenerates the stored ABI baseline abi/libaiotsec.abi from a build of the current
# tree (RelWithDebInfo: abidw reads the DWARF). Run it when the public API is meant
# to change (and bump AIOTSEC_SOVERSION in CMakeLists.txt if the change breaks the ABI).
# usage: abi/update-baseline.sh [BUILD_DIR]   (default: build-abi)
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-build-abi}
cmake -S . -B "$B" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAIOTSEC_BUILD_TESTS=OFF >/dev/null
cmake --build "$B" -j2 --target aiotsec >/dev/null
bash tests/hardening/abi_dump.sh "$B/libaiotsec.so" abi/libaiotsec.abi
echo "abi/libaiotsec.abi: $(grep -c '<elf-symbol ' abi/libaiotsec.abi) symbols," \
     "SONAME $(sed -n "s/.*soname='\([^']*\)'.*/\1/p" abi/libaiotsec.abi | head -1)"
