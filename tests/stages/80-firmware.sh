#!/usr/bin/env bash
# Tag firmware: the device-only build, cross-compiled for Cortex-M0+ and Cortex-M3
# (gcc-arm-none-eabi, newlib-nano) and run under qemu-system-arm: every device
# vector on both cores, the tag image's answers byte for byte, and the budgets of
# the Cortex-M0+ tag image (6 KiB of flash; 2 KiB of RAM with the stack peak).
# Sizes are deterministic; instruction counts are printed and kept in
# build-fw/size.json, not asserted. Everything in build-fw/ (scripts/firmware.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/firmware.sh
