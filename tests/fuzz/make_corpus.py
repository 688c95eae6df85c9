#!/usr/bin/python3
"""Regenerates the seed corpora in tests/fuzz/corpus/<target>/ from the official
profile 0 NAS examples (read from the shared vectors, never retyped) plus a few
hand-made edge cases. The output is committed; run this only when the vectors or
the targets change:

    /usr/bin/python3 tests/fuzz/make_corpus.py [VECTORS_DIR]

A generated seed is named after the first 16 hex digits of its SHA-1; generated
seeds no longer produced (from vectors of an earlier profile revision) are
removed; seeds with any other name (added by hand) are kept.
"""
import csv
import hashlib
import os
import re
import sys

here = os.path.dirname(os.path.abspath(__file__))
vectors = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "../../../shared/vectors")
TARGETS = ("fuzz_nas_decode", "fuzz_nas_protected", "fuzz_nas_unprotect", "fuzz_nas_json")
made = {t: set() for t in TARGETS}


def rows(name):
    with open(os.path.join(vectors, name)) as f:
        lines = [l for l in f if not l.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def put(target, data):
    d = os.path.join(here, "corpus", target)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()[:16]
    made[target].add(name)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


plain, protected = [], []
for r in rows("aiot-nas-profile0.tsv"):
    plain.append(bytes.fromhex(r["plain"]))
    if r["protected"] != "-":
        # cfg octet of fuzz_nas_unprotect: bit0 receiver is the device, bit1 NIA2, bit2 NEA2
        cfg = (1 if r["direction"] == "1" else 0) | (2 if r["int_alg"] == "2" else 0) | \
              (4 if r["enc_alg"] == "2" else 0)
        protected.append((cfg, bytes.fromhex(r["protected"])))

# Profile 0, revision 2: RES_AIOT and RAND_AIOT_d exactly 16 octets, status code points 0x00-0x04 and 0xFF.
edge = [
    bytes.fromhex("7a00430700710400") + b"\x5a" * 1024,  # Read data at the 1024 limit
    bytes.fromhex("7a004208020040ffff"),                    # oversize LV-E
    bytes.fromhex("7a0043070010020102700001ff"),            # unknown TLV and TLV-E
    bytes.fromhex("7a0043070071000211227100033344"),        # duplicate Read data
    bytes.fromhex("7a00430704"),                            # status 0x04 INVALID_MANDATORY_INFORMATION
    bytes.fromhex("7a00430705"),                            # status 0x05: not a code point
    bytes.fromhex("7a00430703"),                            # status 0x03 LOW_ENERGY
    bytes.fromhex("7a004104ce2495b410") + bytes(16),        # RES_AIOT of 4 octets: refused now
    bytes.fromhex("7a004110") + bytes(16) + bytes.fromhex("0f") + bytes(15),  # RAND_AIOT_d of 15 octets
]
for p in plain + edge:
    put("fuzz_nas_decode", p)
for cfg, p in protected:
    put("fuzz_nas_protected", p)
    put("fuzz_nas_unprotect", bytes([cfg]) + p)
for p in plain:
    put("fuzz_nas_unprotect", bytes([1]) + p)
    put("fuzz_nas_unprotect", bytes([0]) + p)
auth = next(r for r in rows("aiot-nas-profile0.tsv") if r["name"] == "auth_response")["plain"]
res, rand_d = auth[8:40], auth[42:74]  # 7a 00 41 | 10 RES_AIOT | 10 RAND_AIOT_d
for j in [
    '{"type":"COMMAND_REQUEST","transaction_id":7,"command":"READ","offset":32,"length":16}',
    '{"type":"COMMAND_REQUEST","transaction_id":9,"command":"PERMANENT_DISABLE"}',
    '{"type":"COMMAND_RESPONSE","transaction_id":7,"status":0,"data":"6e052fd1"}',
    '{"type":"COMMAND_RESPONSE","transaction_id":8,"status":1,"cause":"COMMAND_TYPE_SPECIFIC_PARAMETERS_INVALID"}',
    '{ "type" : "AUTHENTICATION_RESPONSE", "res" : "%s", "rand_d" : "%s" }\n' % (res, rand_d),
    '{}',
]:
    put("fuzz_nas_json", j.encode())

for t in TARGETS:
    d = os.path.join(here, "corpus", t)
    for name in os.listdir(d):
        if re.fullmatch(r"[0-9a-f]{16}", name) and name not in made[t]:
            os.remove(os.path.join(d, name))
            print(f"{t}/{name}: removed (no longer generated)")
    print(f"{t}: {len(made[t])} generated seeds")
