#!/usr/bin/env bash
# API reference: Doxygen must finish with zero warnings (WARN_AS_ERROR).
set -euo pipefail
cmake --build build --target docs
