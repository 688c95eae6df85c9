#!/usr/bin/env bash
# cppcheck and clang-tidy on src/, backends/, sbi/, keydb/ and h2/ with the checked-in configuration
# (.clang-tidy, tests/hardening/cppcheck-suppressions.txt, clang-tidy-known.txt).
# build-analysis is configured only (compile_commands.json), never built.
source "$(dirname "$0")/../hardening/common.sh"
cmake -S . -B build-analysis -DCMAKE_EXPORT_COMPILE_COMMANDS=ON -DAIOTSEC_BUILD_TESTS=OFF >/dev/null
/usr/bin/python3 tests/hardening/static_analysis.py build-analysis
