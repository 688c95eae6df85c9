#!/usr/bin/env bash
# Consumer test: installs the build into a temporary prefix, checks what was
# installed (SONAME, static library, headers, pkg-config and CMake files, the
# exported symbols), then builds tests/consumer/consumer.c OUTSIDE the tree
# three ways and runs each against the installed library:
#   1. CMake: find_package(aiotsec) + aiotsec::aiotsec (and aiotsec::aiotsec_static)
#   2. cc $(pkg-config --cflags --libs aiotsec)
#   3. cc with libaiotsec.a and $(pkg-config --static --libs aiotsec)
# CFLAGS (one string, split at spaces) go to every compile and link of a consumer: the
# build's own flags and sanitizers, without which an instrumented library cannot link.
# Usage: run.sh BUILD_DIR SOURCE_DIR VECTORS_DIR CMAKE C_COMPILER [CFLAGS]
set -euo pipefail
build=$1 src=$2 vectors=$3 cmake=$4 cc=$5
read -ra cflags <<<"${6:-}"
tsv=$vectors/aiot-profile0.tsv
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
fail() { echo "consumer: FAIL: $*" >&2; exit 1; }
step() { echo "consumer: $*"; }

step "consumers compiled and linked with: ${cflags[*]:-no extra flags}"
"$cmake" --install "$build" --prefix "$prefix" >"$tmp/install.log" || { cat "$tmp/install.log"; fail "cmake --install"; }

# --- what was installed --------------------------------------------------------
so=$(find "$prefix" -name 'libaiotsec.so.2' | head -n1)
[ -n "$so" ] || fail "no libaiotsec.so.2 installed"
libdir=$(dirname "$so")
soname=$(readelf -d "$so" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
[ "$soname" = "libaiotsec.so.2" ] || fail "SONAME is '$soname', not libaiotsec.so.2"
[ -L "$libdir/libaiotsec.so" ] || fail "no libaiotsec.so development symlink"
[ "$(readlink -f "$libdir/libaiotsec.so")" = "$(readlink -f "$so")" ] || fail "libaiotsec.so points elsewhere"
[ -f "$libdir/libaiotsec.a" ] || fail "static library libaiotsec.a not installed"
[ -f "$libdir/pkgconfig/aiotsec.pc" ] || fail "aiotsec.pc not installed in $libdir/pkgconfig"
[ -f "$libdir/cmake/aiotsec/aiotsecConfig.cmake" ] || fail "aiotsecConfig.cmake not installed"
[ -f "$libdir/cmake/aiotsec/aiotsecConfigVersion.cmake" ] || fail "aiotsecConfigVersion.cmake not installed"
[ -f "$prefix/include/aiotsec/aiotsec.h" ] || fail "headers not installed in $prefix/include/aiotsec"
[ -x "$prefix/bin/aiotsec" ] || fail "CLI not installed in $prefix/bin"
[ -x "$prefix/bin/aiotsec-bench" ] || fail "aiotsec-bench (which \`aiotsec bench\` runs) not installed in $prefix/bin"
# (Outputs are captured before grep: with pipefail, `cmd | grep -q` fails at random when
# grep exits first and cmd dies of SIGPIPE.)
internal=$(find "$prefix/include" -name '*.h' -path '*internal*')
if [ -n "$internal" ]; then
  fail "an internal header was installed"
fi
# Only the public API is exported: every dynamic symbol is aiotsec_*.
leaked=$(nm -D --defined-only "$so" | awk '$2 ~ /^[TDBRW]$/ && $3 !~ /^aiotsec_/ {print $3}' | sed 's/@.*//' | grep -v '^AIOTSEC_2$' || true)
[ -z "$leaked" ] || fail "non-aiotsec_ symbols exported: $(echo $leaked)"
nexp=$(nm -D --defined-only "$so" | awk '$3 ~ /^aiotsec_/' | wc -l)
step "installed: SONAME $soname, libaiotsec.a, headers, aiotsec.pc, CMake package; $nexp exported aiotsec_* symbols, none other"

# Every public header compiles on its own (each includes what it needs).
for h in "$prefix"/include/aiotsec/*.h; do
  printf '#include <aiotsec/%s>\nint main(void) { return 0; }\n' "$(basename "$h")" >"$tmp/h.c"
  "$cc" -std=c11 -Wall -Wextra -Wpedantic -Werror "${cflags[@]}" -I"$prefix/include" -c "$tmp/h.c" -o "$tmp/h.o" \
    || fail "header $(basename "$h") does not compile on its own"
done

# The umbrella header keeps test-only calls out and the 0.3 names as deprecated aliases.
cc_snippet() { # cc_snippet EXTRA_FLAGS... <<< C body: compiles a main() around the body
  { echo '#include <aiotsec/aiotsec.h>'; cat; } >"$tmp/s.c"
  "$cc" -std=c11 -Wall -Wextra -Werror -I"$prefix/include" "$@" -c "$tmp/s.c" -o "$tmp/s.o" 2>"$tmp/s.log"
}
if cc_snippet <<<'int f(aiotsec_nas_sec *s); int f(aiotsec_nas_sec *s) { return aiotsec_nas_sec_set_tx_count(s, 1); }'; then
  fail "aiotsec.h declares the test-only aiotsec_nas_sec_set_tx_count (it belongs in aiotsec/testing.h)"
fi
cc_snippet -include aiotsec/testing.h <<<'int f(aiotsec_nas_sec *s); int f(aiotsec_nas_sec *s) { return aiotsec_nas_sec_set_tx_count(s, 1); }' ||
  fail "aiotsec/testing.h does not declare aiotsec_nas_sec_set_tx_count: $(cat "$tmp/s.log")"
if cc_snippet <<<'size_t f(void); size_t f(void) { return aiotsec_kaiotf_len(); }'; then
  fail "a deprecated 0.3 name compiles without a warning"
fi
grep -q "aiotsec_derive_kaiotf_bytes" "$tmp/s.log" || fail "the deprecation warning does not name the new function: $(cat "$tmp/s.log")"
cc_snippet -Wno-deprecated-declarations <<<'size_t f(void); size_t f(void) { return aiotsec_kaiotf_len(); }' ||
  fail "a deprecated 0.3 name no longer compiles: $(cat "$tmp/s.log")"
if cc_snippet -Wno-deprecated-declarations -DAIOTSEC_NO_DEPRECATED <<<'size_t f(void); size_t f(void) { return aiotsec_kaiotf_len(); }'; then
  fail "AIOTSEC_NO_DEPRECATED does not hide the 0.3 names"
fi
step "headers: testing.h apart from the umbrella; 0.3 names compile with a deprecation warning naming the new one"

# --- the installed CLI runs ----------------------------------------------------
LD_LIBRARY_PATH=$libdir "$prefix/bin/aiotsec" version >"$tmp/version.txt" || fail "installed CLI"
LD_LIBRARY_PATH=$libdir PATH=/usr/bin:/bin "$prefix/bin/aiotsec" bench --help >"$tmp/bench.txt" ||
  fail "installed \`aiotsec bench\` does not find aiotsec-bench beside it"
grep -q "^usage: aiotsec bench" "$tmp/bench.txt" || fail "aiotsec bench --help: $(head -c 200 "$tmp/bench.txt")"
step "installed CLI: $(head -n1 "$tmp/version.txt"), $(sed -n 2p "$tmp/version.txt"); aiotsec bench runs aiotsec-bench"

# --- 1. CMake find_package, outside the tree ----------------------------------
mkdir -p "$tmp/src"
cp "$src/tests/consumer/consumer.c" "$src/tests/consumer/app/CMakeLists.txt" "$tmp/src/"
"$cmake" -S "$tmp/src" -B "$tmp/cbuild" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_COMPILER="$cc" \
  -DCMAKE_C_FLAGS="${cflags[*]}" \
  >"$tmp/cmake.log" 2>&1 || { cat "$tmp/cmake.log"; fail "find_package(aiotsec) configure"; }
"$cmake" --build "$tmp/cbuild" >>"$tmp/cmake.log" 2>&1 || { cat "$tmp/cmake.log"; fail "CMake consumer build"; }
deps=$(ldd "$tmp/cbuild/consumer")
grep -q "libaiotsec.so.2 => $libdir/" <<<"$deps" \
  || fail "CMake consumer does not load the installed libaiotsec: $(grep aiotsec <<<"$deps")"
"$tmp/cbuild/consumer" "$tsv" || fail "CMake consumer (shared) run"
deps=$(ldd "$tmp/cbuild/consumer_static")
if grep -q libaiotsec <<<"$deps"; then fail "consumer_static loads libaiotsec.so"; fi
"$tmp/cbuild/consumer_static" "$tsv" || fail "CMake consumer (static) run"
step "CMake find_package: aiotsec::aiotsec and aiotsec::aiotsec_static build and pass"

# --- 2. pkg-config, shared -----------------------------------------------------
export PKG_CONFIG_PATH=$libdir/pkgconfig
inc=$(pkg-config --variable=includedir aiotsec)
[ "$(readlink -f "$inc")" = "$(readlink -f "$prefix/include")" ] \
  || fail "aiotsec.pc includedir is '$inc', not the install prefix's $prefix/include (prefix baked in at configure time?)"
pclib=$(pkg-config --variable=libdir aiotsec)
[ "$(readlink -f "$pclib")" = "$(readlink -f "$libdir")" ] || fail "aiotsec.pc libdir is '$pclib', not $libdir"
# shellcheck disable=SC2046
"$cc" -std=c11 -Wall -Wextra -Wpedantic -Werror "${cflags[@]}" "$tmp/src/consumer.c" -o "$tmp/consumer_pc" \
  $(pkg-config --cflags --libs aiotsec) || fail "cc \$(pkg-config --cflags --libs aiotsec)"
LD_LIBRARY_PATH=$libdir "$tmp/consumer_pc" "$tsv" || fail "pkg-config consumer run"
step "pkg-config (shared): builds and passes: $(pkg-config --cflags --libs aiotsec)"

# --- 3. pkg-config --static ----------------------------------------------------
static_libs=$(pkg-config --static --libs aiotsec | sed 's/-laiotsec\b//')
# shellcheck disable=SC2086
"$cc" -std=c11 -Wall -Wextra -Wpedantic -Werror "${cflags[@]}" "$tmp/src/consumer.c" -o "$tmp/consumer_pc_static" \
  $(pkg-config --cflags aiotsec) "$libdir/libaiotsec.a" $static_libs \
  || fail "static link with libaiotsec.a \$(pkg-config --static --libs aiotsec): missing Libs.private/Requires.private?"
"$tmp/consumer_pc_static" "$tsv" || fail "static pkg-config consumer run"
step "pkg-config --static: builds and passes: libaiotsec.a $static_libs"
step "all checks passed"
