#!/usr/bin/env bash
# abidw of a libaiotsec.so, public types only (the headers in include/aiotsec), without
# paths or source locations so that the stored baseline does not depend on the machine.
# usage: abi_dump.sh LIBRARY OUT.abi
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
abidw --headers-dir "$ROOT/include/aiotsec" --drop-private-types --no-corpus-path \
      --no-comp-dir-path --no-show-locs --out-file "$2" "$1"
