#!/usr/bin/env bash
# Constant-time check (ctgrind style): secrets are marked undefined to valgrind
# memcheck, so any branch or memory index that depends on K_AIOT_root, K_AIOTF, an
# algorithm key, RES_AIOT or XRES_AIOT is reported as a use of an uninitialised value
# and fails the stage. tests/hardening/ct_check.c: derive, verify (raw, prepared,
# batch), algorithm keys, NAS protect/unprotect; tests/hardening/ct_roles.c: the ADM,
# AIOTF and device end to end. Every backend of the build; see
# tests/hardening/README.md for what cannot be checked this way.
source "$(dirname "$0")/../hardening/common.sh"
hard_build build
for t in hardening_ct_check hardening_ct_roles; do
  valgrind --tool=memcheck --error-exitcode=42 --leak-check=full \
    --errors-for-leak-kinds=definite,indirect --track-origins=yes --num-callers=30 \
    "build/tests/hardening/$t"
done
