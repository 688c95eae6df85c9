#!/usr/bin/env bash
# API reference of libaiotsec (include/aiotsec) and its companions libaiotsec-sbi (sbi.h),
# libaiotsec-keydb (keydb.h) and libaiotsec-h2client (h2_client.h):
# Doxygen must finish with zero warnings (WARN_AS_ERROR; docs/Doxyfile.in).
set -euo pipefail
cmake --build build --target docs
