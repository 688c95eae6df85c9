#!/usr/bin/env python3
"""The portable backend's HMAC-SHA-256 against Python's hmac module (an
implementation of its own): `test_fw_device --hmac-list` prints "key msg mac" hex
lines for key lengths 0..140 and message lengths 0..200 (every SHA-256 padding
boundary); every line must agree.

usage: check_hmac.py TEST_FW_DEVICE
"""
import hashlib
import hmac
import subprocess
import sys

out = subprocess.run([sys.argv[1], "--hmac-list"], check=True, capture_output=True, text=True).stdout
n = bad = 0
for line in out.splitlines():
    parts = line.split(" ")
    if len(parts) != 3 or len(parts[2]) != 64:
        continue
    key, msg, mac = (bytes.fromhex(p) for p in parts)
    n += 1
    if hmac.new(key, msg, hashlib.sha256).digest() != mac:
        bad += 1
        print(f"differs: key {len(key)} octets, message {len(msg)} octets")
print(f"{n - bad} passed, {bad} failed")
sys.exit(1 if bad or n < 1000 else 0)
