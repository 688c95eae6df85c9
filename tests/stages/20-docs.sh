#!/usr/bin/env bash
# API reference of libaiotsec (include/aiotsec) and its companions libaiotsec-sbi (sbi.h),
# libaiotsec-keydb (keydb.h) and libaiotsec-h2client (h2_client.h):
# - Doxygen must finish with zero warnings (WARN_AS_ERROR; docs/Doxyfile.in);
# - every public header and every item it documents must be in a Doxygen group
#   (docs/groups.dox), and every program of examples/ an @example the main page
#   (docs/mainpage.md) links to: tests/docs/doc_groups.py over Doxygen's XML output.
set -euo pipefail
cmake --build build --target docs
python3 tests/docs/doc_groups.py --xml build/docs/xml --examples examples \
  --headers include/aiotsec/*.h sbi/include/aiotsec/sbi.h keydb/include/aiotsec/keydb.h \
            h2/include/aiotsec/h2_client.h
