#!/usr/bin/env bash
# Quick start: install what is missing, build, and run the main job (aiotsec demo).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"
./build/aiotsec demo "$@"
