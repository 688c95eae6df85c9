# Shared by the hardening stages (tests/stages/30..70): sourced, not run.
# Each stage works from the repository root, in its own build directory, with at
# most 2 parallel jobs (the CI machine has 2 cores).
set -euo pipefail
HARD_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$HARD_ROOT"
HARD_JOBS=${AIOTSEC_JOBS:-2}
# Where the official vectors are: the default (../shared/vectors), unless
# AIOTSEC_VECTORS_DIR is set (throwaway copies of the tree, plant-faults.sh).
HARD_CMAKE_VECTORS=()
if [ -n "${AIOTSEC_VECTORS_DIR:-}" ]; then
  HARD_CMAKE_VECTORS=(-DAIOTSEC_VECTORS_DIR="$AIOTSEC_VECTORS_DIR")
fi

# hard_build DIR [cmake args...]: configure (if needed) and build everything in DIR.
hard_build() {
  local dir=$1
  shift
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "${HARD_CMAKE_VECTORS[@]}" "$@" >/dev/null
  cmake --build "$dir" -j"$HARD_JOBS" 2>&1 | grep -Ev '^\[ *[0-9]+%\]' || true
  # grep hides progress lines only; a failed build must still fail the stage.
  cmake --build "$dir" -j"$HARD_JOBS" >/dev/null
}
