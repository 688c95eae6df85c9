#!/usr/bin/env python3
"""The radio script of the tag image under qemu (fw/board_qemu.c): what the network
sends the tag and what the tag must answer, byte for byte.

usage: gen_tag_frames.py VECTORS_DIR OUT_DIR

Writes OUT_DIR/tag_frames.bin (the records the qemu board reads through
semihosting: kind, length, body), tag_expected.json (per frame, the answer the
tag must send, hex, or "" for none) and board_qemu_identity.h (K_AIOT_root and
the Permanent Identifier the board provisions).

The expected answers come from this file's own implementation of the spec
(../shared/spec/aiot-security-profile.md sections 2 to 5, profile 0) with Python's
hmac and hashlib, not from the library; it first checks itself against
aiot-profile0.tsv and aiot-nas-profile0.tsv and stops if it disagrees.

The script: a paging naming the tag; WRITE "hi tag" at 4; READ it back; the READ
replayed (no answer); a paging by filter (a new procedure, new keys); READ; a
WRITE into the write-protected range 0..3 (status 0x01); PERMANENT_DISABLE; a
paging (no answer: the tag is silent for good).
"""
import hashlib
import hmac
import json
import os
import sys

EPD = 0x7A
FC_RES, FC_KAIOTF, FC_ALG = 0xA0, 0xA1, 0xA2
AIA_HS = 8

K_ROOT = bytes.fromhex("2b7e151628aed2a6abf7158809cf4f3c")
PERM_ID = bytes.fromhex("a1b2c3d4e5f60708")
FILTER = bytes([12, 0xA1, 0xB0])           # the first 12 bits of PERM_ID (spec 6.2)
RAND_N = [bytes(range(0x10, 0x20)), bytes(range(0x40, 0x50)), bytes(range(0x70, 0x80))]
RAND_D = [bytes(range(0xC0, 0xD0)), bytes(range(0xE0, 0xF0))]


def kdf(key, fc, *params):
    s = bytes([fc]) + b"".join(p + len(p).to_bytes(2, "big") for p in params)
    return hmac.new(key, s, hashlib.sha256).digest()


def res_of(k, rn, rd):
    return kdf(k, FC_RES, rn, rd)[-16:]


def kaiotf_of(k, rn, rd):
    return kdf(k, FC_KAIOTF, rn, rd)[16:32]


def k_int_hs(kaiotf):
    return kdf(kaiotf, FC_ALG, b"\x02", bytes([AIA_HS]))


def protect(k_int, count, direction, plain):
    msg = bytes([count & 0xFF]) + plain
    hdr = count.to_bytes(4, "big") + bytes([direction << 2, 0, 0, 0])
    mac = hmac.new(k_int, hdr + msg, hashlib.sha256).digest()[:4]
    return bytes([EPD, 0x01]) + mac + msg


def auth_response(res, rd):
    return bytes([EPD, 0, 0x41, len(res)]) + res + bytes([len(rd)]) + rd


def read(tid, off, n):
    return bytes([EPD, 0, 0x42, tid, 0x01]) + off.to_bytes(2, "big") + n.to_bytes(2, "big")


def write(tid, off, data):
    return bytes([EPD, 0, 0x42, tid, 0x02]) + off.to_bytes(2, "big") + len(data).to_bytes(2, "big") + data


def disable(tid):
    return bytes([EPD, 0, 0x42, tid, 0x03])


def response(tid, status, data=b""):
    out = bytes([EPD, 0, 0x43, tid, status])
    if data:
        out += bytes([0x71]) + len(data).to_bytes(2, "big") + data
    return out


def self_check(vdir):
    """This implementation against the shared vectors, before it is trusted."""
    def rows(name):
        lines = [l.rstrip("\n") for l in open(os.path.join(vdir, name), encoding="utf-8") if l.strip()]
        head = lines[1].split("\t")
        return [dict(zip(head, l.split("\t"))) for l in lines[2:]]
    for r in rows("aiot-profile0.tsv"):
        k, rn, rd = (bytes.fromhex(r[c]) for c in ("k_root", "rand_n", "rand_d"))
        assert res_of(k, rn, rd).hex() == r["res"], "RES_AIOT"
        kf = kaiotf_of(k, rn, rd)
        assert kf.hex() == r["k_aiotf"], "K_AIOTF"
        assert k_int_hs(kf).hex() == r["k_int_hs"], "K_int"
    n = 0
    for r in rows("aiot-nas-profile0.tsv"):
        if r["int_alg"] == "8" and r["enc_alg"] == "0":
            ki = k_int_hs(bytes.fromhex(r["k_aiotf"]))
            got = protect(ki, int(r["count"]), int(r["direction"]), bytes.fromhex(r["plain"]))
            assert got.hex() == r["protected"], r["name"]
            n += 1
    assert n >= 3, "too few AIA-HS rows to check against"


def record(kind, body):
    assert len(body) < 256
    return bytes([kind, len(body)]) + body


def main():
    vdir, outdir = sys.argv[1], sys.argv[2]
    self_check(vdir)
    frames = []  # (record, expected answer or b"", label)

    def paging(rn, ident, filt, trng, expect, label):
        idkind, idv = (2, filt) if filt else (1, ident)
        assert len(rn) == 16 and len(trng) == 16
        body = rn + bytes([idkind, len(idv)]) + idv + trng
        frames.append((record(1, body), expect, label))

    def nas(msg, expect, label):
        frames.append((record(2, msg), expect, label))

    # Procedure 1: paging by Permanent Identifier.
    rn, rd = RAND_N[0], RAND_D[0]
    paging(rn, PERM_ID, None, rd, auth_response(res_of(K_ROOT, rn, rd), rd), "paging")
    ki = k_int_hs(kaiotf_of(K_ROOT, rn, rd))
    nas(protect(ki, 0, 1, write(1, 4, b"hi tag")), protect(ki, 0, 0, response(1, 0)), "first_command")
    rd_read = protect(ki, 1, 1, read(2, 4, 6))
    nas(rd_read, protect(ki, 1, 0, response(2, 0, b"hi tag")), "command")
    nas(rd_read, b"", "replay")
    # Procedure 2: paging by filter.
    rn, rd = RAND_N[1], RAND_D[1]
    paging(rn, None, FILTER, rd, auth_response(res_of(K_ROOT, rn, rd), rd), "paging_filter")
    ki = k_int_hs(kaiotf_of(K_ROOT, rn, rd))
    nas(protect(ki, 0, 1, read(3, 4, 6)), protect(ki, 0, 0, response(3, 0, b"hi tag")), "read_new_keys")
    nas(protect(ki, 1, 1, write(4, 0, b"x")), protect(ki, 1, 0, response(4, 0x01)), "write_protected")
    nas(protect(ki, 2, 1, disable(5)), protect(ki, 2, 0, response(5, 0)), "permanent_disable")
    paging(RAND_N[2], PERM_ID, None, RAND_D[0], b"", "paging_disabled")

    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, "tag_frames.bin"), "wb") as f:
        f.write(b"".join(r for r, _, _ in frames) + bytes([0, 0]))
    with open(os.path.join(outdir, "tag_expected.json"), "w", encoding="utf-8") as f:
        json.dump([{"label": l, "answer": e.hex()} for _, e, l in frames], f, indent=1)
    def arr(name, data):
        return f"static const uint8_t {name}[{len(data)}] = {{" + ",".join(f"0x{b:02x}" for b in data) + "};"
    with open(os.path.join(outdir, "board_qemu_identity.h"), "w", encoding="utf-8") as f:
        f.write("/* Generated by fw/tools/gen_tag_frames.py: the identity provisioned in the qemu tag. */\n")
        f.write(arr("qemu_k_root", K_ROOT) + "\n" + arr("qemu_perm_id", PERM_ID) + "\n")


if __name__ == "__main__":
    main()
