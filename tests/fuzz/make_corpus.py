#!/usr/bin/python3
"""Regenerates the seed corpora in tests/fuzz/corpus/<target>/ from the official
profile 0 NAS examples plus a few hand-made edge cases. The output is committed;
run this only when the vectors or the targets change."""
import csv
import hashlib
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
vectors = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "../../../shared/vectors")


def rows(name):
    with open(os.path.join(vectors, name)) as f:
        lines = [l for l in f if not l.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def put(target, data):
    d = os.path.join(here, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()[:16]), "wb") as f:
        f.write(data)


plain, protected = [], []
for r in rows("aiot-nas-profile0.tsv"):
    plain.append(bytes.fromhex(r["plain"]))
    if r["protected"] != "-":
        # cfg octet of fuzz_nas_unprotect: bit0 receiver is the device, bit1 NIA2, bit2 NEA2
        cfg = (1 if r["direction"] == "1" else 0) | (2 if r["int_alg"] == "2" else 0) | \
              (4 if r["enc_alg"] == "2" else 0)
        protected.append((cfg, bytes.fromhex(r["protected"])))

edge = [
    bytes.fromhex("7a00430700710400") + b"\x5a" * 1024,  # Read data at the 1024 limit
    bytes.fromhex("7a004208020040ffff"),                    # oversize LV-E
    bytes.fromhex("7a0043070010020102700001ff"),            # unknown TLV and TLV-E
    bytes.fromhex("7a0043070071000211227100033344"),        # duplicate Read data
]
for p in plain + edge:
    put("fuzz_nas_decode", p)
for cfg, p in protected:
    put("fuzz_nas_protected", p)
    put("fuzz_nas_unprotect", bytes([cfg]) + p)
for p in plain:
    put("fuzz_nas_unprotect", bytes([1]) + p)
    put("fuzz_nas_unprotect", bytes([0]) + p)
for j in [
    '{"type":"COMMAND_REQUEST","transaction_id":7,"command":"READ","offset":32,"length":16}',
    '{"type":"COMMAND_RESPONSE","transaction_id":7,"status":0,"data":"6e052fd1"}',
    '{ "type" : "AUTHENTICATION_RESPONSE", "res" : "ce2495b4", "rand_d" : "e494c495" }\n',
    '{}',
]:
    put("fuzz_nas_json", j.encode())
