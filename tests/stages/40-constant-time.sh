#!/usr/bin/env bash
# Constant-time check (ctgrind style, tests/hardening/ct_check.c): secrets are marked
# undefined to valgrind memcheck, so any branch or memory index that depends on
# K_AIOT_root, K_AIOTF, an algorithm key, RES_AIOT or XRES_AIOT is reported as a use
# of an uninitialised value and fails the stage. Runs on every backend of the build
# (sodium, native, native-portable, openssl); see README for what cannot be checked.
source "$(dirname "$0")/../hardening/common.sh"
hard_build build
valgrind --tool=memcheck --error-exitcode=42 --leak-check=full --errors-for-leak-kinds=definite,indirect \
  --track-origins=yes --num-callers=30 build/tests/hardening/hardening_ct_check
