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

# hard_fresh DIR KEY: empties DIR unless it was last configured with the same KEY
# (e.g. the compiler and CFLAGS). CMake reads CC and CFLAGS only into a new cache, and
# a compiler changed in an existing cache makes it drop the cache with every other
# setting (AIOTSEC_SANITIZE among them): a stale build directory would be silently
# built with other flags.
hard_fresh() {
  local dir=$1 key=$2
  if [ -e "$dir/CMakeCache.txt" ] && [ "$(cat "$dir/aiotsec-config-key" 2>/dev/null)" != "$key" ]; then
    echo "($dir was configured otherwise: starting it afresh)"
    rm -rf "$dir"
  fi
  mkdir -p "$dir"
  printf '%s\n' "$key" >"$dir/aiotsec-config-key"
}

# hard_build DIR [cmake args...]: configure (if needed) and build everything in DIR.
# With -DCMAKE_C_COMPILER=CC among the args, DIR is started afresh if it was
# configured with another compiler.
hard_build() {
  local dir=$1 a
  shift
  for a in "$@"; do
    case $a in
    -DCMAKE_C_COMPILER=*) hard_fresh "$dir" "$(readlink -f "$(command -v "${a#*=}")")" ;;
    esac
  done
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "${HARD_CMAKE_VECTORS[@]}" "$@" >/dev/null
  cmake --build "$dir" -j"$HARD_JOBS" 2>&1 | grep -Ev '^\[ *[0-9]+%\]' || true
  # grep hides progress lines only; a failed build must still fail the stage.
  cmake --build "$dir" -j"$HARD_JOBS" >/dev/null
}

# hard_fuzz_configure: the fuzz build (build-fuzz, stages 60 and 70), configured the way
# OSS-Fuzz builds a project: CC=clang and the sanitizers plus coverage instrumentation
# in CFLAGS (not through AIOTSEC_SANITIZE), libFuzzer named by LIB_FUZZING_ENGINE and
# linked into the fuzz targets only (tests/fuzz/CMakeLists.txt); no build type given
# (the project's default, RelWithDebInfo, adds -O2 -g). The tests are configured too:
# stage 60 runs some of them in this build, on the shared and the static library.
HARD_FUZZ_DIR=build-fuzz
hard_fuzz_configure() {
  export CC=clang
  export CFLAGS="-O1 -fno-omit-frame-pointer -gline-tables-only -fsanitize=address,undefined -fsanitize-address-use-after-scope -fno-sanitize-recover=all -fsanitize=fuzzer-no-link"
  export LIB_FUZZING_ENGINE=-fsanitize=fuzzer
  hard_fresh "$HARD_FUZZ_DIR" "CC=$CC CFLAGS=$CFLAGS LIB_FUZZING_ENGINE=$LIB_FUZZING_ENGINE"
  cmake -S . -B "$HARD_FUZZ_DIR" "${HARD_CMAKE_VECTORS[@]}" -DAIOTSEC_BUILD_FUZZ=ON >/dev/null
}
