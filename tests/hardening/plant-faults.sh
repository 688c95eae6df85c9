#!/usr/bin/env bash
# Shows that each hardening check fails when it should: every fault is planted in a
# throwaway COPY of the tree (never in the working tree, never on a git branch), the
# stage that must catch it runs there, and the stage must FAIL; then the stage must
# pass on the unmodified copy. Not part of the CI run (it takes several minutes).
#
# usage: tests/hardening/plant-faults.sh [FAULT...]
#   faults: memcmp memcmp-aiotf leak-valgrind leak-asan ubsan race export abi abi-soname-bump abi-added
#           tidy fuzz-hex   (default: all); the "clean" run is always done first.
# Output: per fault, the command, PASS/FAIL of the demonstration, and the lines of
# the stage's output that show the catch (also in /tmp/aiotsec-plant/<fault>.log).
set -uo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
VEC=${AIOTSEC_VECTORS_DIR:-$(cd "$SRC/../shared/vectors" && pwd)}
OUT=/tmp/aiotsec-plant
mkdir -p "$OUT"
export AIOTSEC_VECTORS_DIR=$VEC

copy() { # copy NAME -> prints the directory of a fresh copy of the tree
  local d="$OUT/tree-$1"
  rm -rf "$d"
  mkdir -p "$d"
  tar -C "$SRC" --exclude='./build*' --exclude=./.git -cf - . | tar -C "$d" -xf - ||
    { echo "plant-faults: cannot copy the tree" >&2; exit 1; }
  echo "$d"
}

# expect RESULT NAME DIR GREP CMD...: runs CMD in DIR, RESULT is fail or pass.
demos=0
bad=0
expect() {
  local want=$1 name=$2 dir=$3 pat=$4
  shift 4
  echo "=== $name: (cd $dir && $*)   [expected: $want]"
  (cd "$dir" && "$@") >"$OUT/$name.log" 2>&1
  local rc=$?
  local got=pass
  [ $rc -ne 0 ] && got=fail
  demos=$((demos + 1))
  if [ "$got" = "$want" ]; then
    echo "    ok: stage exit $rc, as expected"
  else
    echo "    WRONG: stage exit $rc, expected $want"
    bad=$((bad + 1))
  fi
  grep -E "$pat" "$OUT/$name.log" | head -8 | sed 's/^/    | /'
}

want_all() { [ $# -eq 0 ] && return 0; for f in "$@"; do [ "$f" = "$FAULT" ] && return 0; done; return 1; }

ALL=(memcmp memcmp-aiotf leak-valgrind leak-asan ubsan race export abi abi-soname-bump abi-added tidy fuzz-hex)
SEL=("$@")
[ ${#SEL[@]} -eq 0 ] && SEL=("${ALL[@]}")

# The unmodified tree: the fast checks pass (the full stages run in CI).
d=$(copy clean)
expect pass clean-ct "$d" 'ct_check:|ERROR SUMMARY' bash tests/stages/40-constant-time.sh
expect pass clean-abi "$d" 'exports:|abi:' bash tests/stages/50-abi-exports.sh
AIOTSEC_HARD_ONLY='^test_core_vectors$' expect pass clean-valgrind "$d" 'valgrind memcheck:' \
  bash tests/stages/35-valgrind-memcheck.sh

for FAULT in "${SEL[@]}"; do
  case $FAULT in
  memcmp) # a variable-time comparison in the RES_AIOT check
    d=$(copy memcmp)
    sed -i 's/!aiotsec_ct_equal(mac + sizeof mac - res_len, res, res_len)/memcmp(mac + sizeof mac - res_len, res, res_len) != 0/' \
      "$d/src/core/derive.c"
    grep -q 'memcmp(mac' "$d/src/core/derive.c" || { echo "memcmp: plant failed"; bad=$((bad + 1)); continue; }
    expect fail memcmp "$d" 'Conditional jump|uninitialised|at 0x.*(memcmp|bcmp)|by 0x.*verify_res|ERROR SUMMARY' \
      bash tests/stages/40-constant-time.sh ;;
  memcmp-aiotf) # a variable-time comparison in the AIOTF's candidate matching
    d=$(copy memcmp-aiotf)
    sed -i -E 's/\(uint32_t\)aiotsec_ct_equal\(xres, r->res, r->res_len\)/(uint32_t)(memcmp(xres, r->res, r->res_len) == 0)/' "$d/src/roles/aiotf.c"
    grep -q 'memcmp(xres' "$d/src/roles/aiotf.c" || { echo "memcmp-aiotf: plant failed"; bad=$((bad + 1)); continue; }
    expect fail memcmp-aiotf "$d" 'Conditional jump|bcmp|by 0x.*aiotf|ERROR SUMMARY: [1-9]' \
      bash tests/stages/40-constant-time.sh ;;
  leak-valgrind | leak-asan) # aiotsec_prepared_key_free forgets to free the key
    d=$(copy "$FAULT")
    sed -i '/^void aiotsec_prepared_key_free/,/^}/ s/^    free(key);/    \/* planted leak *\//' "$d/src/core/prepared.c"
    grep -q 'planted leak' "$d/src/core/prepared.c" || { echo "leak: plant failed"; bad=$((bad + 1)); continue; }
    if [ "$FAULT" = leak-valgrind ]; then
      AIOTSEC_HARD_ONLY='^test_core_vectors$' expect fail leak-valgrind "$d" \
        'definitely lost in|aiotsec_prepared_key_new|FAIL|valgrind memcheck:' bash tests/stages/35-valgrind-memcheck.sh
    else
      AIOTSEC_HARD_ONLY='^test_core_vectors$' expect fail leak-asan "$d" \
        'LeakSanitizer|Direct leak|aiotsec_prepared_key_new|tests passed' bash tests/stages/30-asan-ubsan.sh
    fi ;;
  ubsan) # signed overflow on a path every derivation takes
    d=$(copy ubsan)
    # (the read in "(void)planted" keeps clang's -Wunused-but-set-variable quiet: the plant
    # must compile under -Werror, or the stage would fail for the wrong reason)
    sed -i '/^int aiotsec_derive_res(/,/^{/ s/^{/{\n    volatile int planted = 0x7fffffff;\n    planted += (int)(res_cap | 1u);\n    (void)planted;/' \
      "$d/src/core/derive.c"
    grep -q 'planted +=' "$d/src/core/derive.c" || { echo "ubsan: plant failed"; bad=$((bad + 1)); continue; }
    AIOTSEC_HARD_ONLY='^test_core_vectors$' expect fail ubsan "$d" \
      'runtime error|signed integer overflow|tests passed|Crash' bash tests/stages/30-asan-ubsan.sh ;;
  race) # mutable global state on the hot path: an unsynchronised call counter
    d=$(copy race)
    sed -i 's/^int aiotsec_derive_res(const aiotsec_ctx \*ctx/static unsigned long planted_calls;\n&/' "$d/src/core/derive.c"
    sed -i '/^int aiotsec_verify_res(/,/^{/ s/^{/{\n    planted_calls++;/' "$d/src/core/derive.c"
    grep -q 'planted_calls++' "$d/src/core/derive.c" || { echo "race: plant failed"; bad=$((bad + 1)); continue; }
    expect fail race "$d" 'WARNING: ThreadSanitizer|data race|planted|#0 .*verify_res' \
      bash tests/stages/45-thread-sanitizer.sh ;;
  export) # an internal function exported by mistake (aiotsec_ prefix, default visibility)
    d=$(copy export)
    printf '\n__attribute__((visibility("default"))) int aiotsec_internal_probe(void);\nint aiotsec_internal_probe(void) { return 0; }\n' \
      >>"$d/src/core/ct.c"
    expect fail export "$d" 'exported but|exports:' bash tests/stages/50-abi-exports.sh ;;
  abi | abi-soname-bump) # a field inserted in a public struct passed by pointer
    d=$(copy "$FAULT")
    sed -i 's|^    const uint8_t \*rand_n;           /\*\*< RAND_AIOT_n. \*/|    uint32_t planted_flags;          /**< planted ABI break */\n&|' \
      "$d/include/aiotsec/batch.h"
    grep -q planted_flags "$d/include/aiotsec/batch.h" || { echo "abi: plant failed"; bad=$((bad + 1)); continue; }
    if [ "$FAULT" = abi ]; then
      expect fail abi "$d" 'abi:|Changed|planted_flags|size changed' bash tests/stages/50-abi-exports.sh
    else # the same break with a SONAME bump is accepted
      sed -i "s/^set(AIOTSEC_SOVERSION 1)/set(AIOTSEC_SOVERSION 2)/" "$d/CMakeLists.txt"
      expect pass abi-soname-bump "$d" 'abi:' bash tests/stages/50-abi-exports.sh
    fi ;;
  abi-added) # a new public function: allowed (the API is still growing)
    d=$(copy abi-added)
    sed -i 's|^AIOTSEC_API size_t aiotsec_derive_kaiotf_bytes(void);|&\n/** @brief Planted addition. @return 0. */\nAIOTSEC_API int aiotsec_planted_new_function(void);|' \
      "$d/include/aiotsec/derive.h"
    printf '\nint aiotsec_planted_new_function(void) { return 0; }\n' >>"$d/src/core/derive.c"
    expect pass abi-added "$d" 'abi:|exports:|Added' bash tests/stages/50-abi-exports.sh ;;
  tidy) # a NULL dereference and an out-of-bounds write on an error path
    d=$(copy tidy)
    cat >>"$d/src/core/ct.c" <<'EOF'

int aiot_planted_bug(int k);
int aiot_planted_bug(int k)
{
    int a[4];
    int *p = k > 3 ? 0 : a;
    a[4] = k;
    return *p;
}
EOF
    expect fail tidy "$d" 'ct.c:[0-9]+|cppcheck:|clang-tidy:' bash tests/stages/55-static-analysis.sh ;;
  fuzz-hex) # cli_parse_hex writes one octet past the caller's capacity
    d=$(copy fuzz-hex)
    sed -i 's|digits / 2 > cap)|digits / 2 > cap + 1)|' "$d/cli/cli_util.c"
    grep -q 'cap + 1)' "$d/cli/cli_util.c" || { echo "fuzz-hex: plant failed"; bad=$((bad + 1)); continue; }
    FUZZ_INPUT_SECONDS=20 expect fail fuzz-hex "$d" 'ERROR: AddressSanitizer|WRITE of size|cli_parse_hex|FOUND|deadly signal' \
      bash tests/stages/70-fuzz-inputs.sh ;;
  *) echo "unknown fault $FAULT"; bad=$((bad + 1)) ;;
  esac
done
echo "plant-faults: $demos demonstrations, $bad not as expected (logs in $OUT)"
[ "$bad" -eq 0 ]
