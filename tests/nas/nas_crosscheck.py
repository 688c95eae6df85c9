#!/usr/bin/python3
"""Independent cross-check of `aiotsec nas` against a second implementation of
spec sections 3-5 written here from the spec text (not from the C code):
the KDF and algorithm keys, AIA-HS, 128-NIA2 (AES-CMAC) and 128-NEA2 (AES-CTR)
from the `cryptography` package, and the AIOT NAS codec and protection.

1. The Python implementation reproduces ../shared/vectors/aiot-nas-profile0.tsv,
   and so does the CLI (decode, encode, protect, unprotect of every row, read
   from the file), on every backend that has the row's algorithms.
2. Random valid messages: Python encode == CLI encode(JSON), CLI decode == the
   message, Python protect == CLI protect, CLI unprotect == the plain message,
   on every backend (AIA-HS) and on the AES backend (NIA2/NEA2).
3. Random malformed messages: the CLI and the Python decoder agree on accept or
   reject, and on the reason.
4. Exit codes: 2 for malformed input, 1 for a failed security check.
"""
import argparse
import csv
import hashlib
import hmac
import json
import os
import random
import subprocess
import sys

from cryptography.hazmat.primitives import cmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

# ---- spec section 3 and 4 ------------------------------------------------------
FC_ALG = 0xA2
DIST_ENC, DIST_INT = 0x01, 0x02
AIA_HS = 8
NIA2 = NEA2 = 2


def kdf(key, fc, *params):
    s = bytes([fc])
    for p in params:
        s += p + len(p).to_bytes(2, "big")
    return hmac.new(key, s, hashlib.sha256).digest()


def alg_key(kaiotf, dist, alg):
    out = kdf(kaiotf, FC_ALG, bytes([dist]), bytes([alg]))
    return out if (dist == DIST_INT and alg == AIA_HS) else out[16:]


def hdr8(count, bearer, direction):
    return count.to_bytes(4, "big") + bytes([(bearer << 3) | (direction << 2), 0, 0, 0])


def mac_of(alg, key, count, direction, msg):
    if alg == AIA_HS:
        return hmac.new(key, hdr8(count, 0, direction) + msg, hashlib.sha256).digest()[:4]
    c = cmac.CMAC(algorithms.AES(key))
    c.update(hdr8(count, 0, direction) + msg)
    return c.finalize()[:4]


def nea2(key, count, direction, data):
    iv = hdr8(count, 0, direction) + bytes(8)
    e = Cipher(algorithms.AES(key), modes.CTR(iv)).encryptor()
    return e.update(data) + e.finalize()


# ---- spec section 5 -------------------------------------------------------------
EPD = 0x7A
MT = {"AUTHENTICATION_RESPONSE": 0x41, "COMMAND_REQUEST": 0x42, "COMMAND_RESPONSE": 0x43}
CMD = {"READ": 1, "WRITE": 2, "PERMANENT_DISABLE": 3}  # TS 29.569 commandType names
# Status code points (spec 5.3, revision 2), named after the TS 29.569 AIoTDevFailCause values.
CAUSE = {0x01: "COMMAND_TYPE_SPECIFIC_PARAMETERS_INVALID", 0x02: "MESSAGE_TYPE_NON_EXISTENT_OR_NOT_IMPLEMENTED",
         0x03: "LOW_ENERGY", 0x04: "INVALID_MANDATORY_INFORMATION", 0xFF: "ERROR_UNSPECIFIED"}
STATUS = {0x00} | set(CAUSE)
RES_LEN = RAND_D_LEN = 16  # AUTHENTICATION RESPONSE: exactly these (profile 0)
KAIOTF_LEN = 16            # TS 29.369 Kaiotf
IEI_READ_DATA = 0x71
MAX_LEN, MAX_DATA = 2048, 1024


def encode(m):
    t = m["type"]
    out = bytes([EPD, 0, MT[t]])
    if t == "AUTHENTICATION_RESPONSE":
        res, rd = bytes.fromhex(m["res"]), bytes.fromhex(m["rand_d"])
        return out + bytes([len(res)]) + res + bytes([len(rd)]) + rd
    out += bytes([m["transaction_id"]])
    if t == "COMMAND_REQUEST":
        out += bytes([CMD[m["command"]]])
        if m["command"] == "READ":
            out += m["offset"].to_bytes(2, "big") + m["length"].to_bytes(2, "big")
        elif m["command"] == "WRITE":
            d = bytes.fromhex(m["data"])
            out += m["offset"].to_bytes(2, "big") + len(d).to_bytes(2, "big") + d
        return out
    out += bytes([m["status"]])
    if "data" in m:
        d = bytes.fromhex(m["data"])
        out += bytes([IEI_READ_DATA]) + len(d).to_bytes(2, "big") + d
    return out


class Reject(Exception):
    pass


def decode(b):
    """Returns the message dict, or raises Reject(<status name>)."""
    if len(b) > MAX_LEN:
        raise Reject("AIOTSEC_E_NAS_TOO_LONG")
    if len(b) < 1:
        raise Reject("AIOTSEC_E_NAS_TRUNCATED")
    if b[0] != EPD:
        raise Reject("AIOTSEC_E_NAS_BAD_EPD")
    if len(b) < 2:
        raise Reject("AIOTSEC_E_NAS_TRUNCATED")
    if b[1] & 0xF0:
        raise Reject("AIOTSEC_E_NAS_SPARE_BITS")
    if b[1] > 2:
        raise Reject("AIOTSEC_E_NAS_BAD_SHT")
    if b[1] != 0:
        raise Reject("AIOTSEC_E_NAS_PROTECTED")
    if len(b) < 3:
        raise Reject("AIOTSEC_E_NAS_TRUNCATED")
    names = {v: k for k, v in MT.items()}
    if b[2] not in names:
        raise Reject("AIOTSEC_E_NAS_BAD_TYPE")
    m = {"type": names[b[2]]}
    pos = 3

    def take(n):
        nonlocal pos
        if pos >= len(b):
            raise Reject("AIOTSEC_E_NAS_MISSING_IE")
        if len(b) - pos < n:
            raise Reject("AIOTSEC_E_NAS_TRUNCATED")
        v = b[pos:pos + n]
        pos += n
        return v

    def lv(lsize, lo, hi):
        nonlocal pos
        n = int.from_bytes(take(lsize), "big")
        if not lo <= n <= hi:
            raise Reject("AIOTSEC_E_NAS_BAD_IE_VALUE")
        if len(b) - pos < n:
            raise Reject("AIOTSEC_E_NAS_TRUNCATED")
        v = b[pos:pos + n]
        pos += n
        return v

    if m["type"] == "AUTHENTICATION_RESPONSE":
        m["res"] = lv(1, RES_LEN, RES_LEN).hex()
        m["rand_d"] = lv(1, RAND_D_LEN, RAND_D_LEN).hex()
    elif m["type"] == "COMMAND_REQUEST":
        m["transaction_id"] = take(1)[0]
        c = take(1)[0]
        cmds = {v: k for k, v in CMD.items()}
        if c not in cmds:
            raise Reject("AIOTSEC_E_NAS_BAD_COMMAND")
        m["command"] = cmds[c]
        if c != CMD["PERMANENT_DISABLE"]:
            m["offset"] = int.from_bytes(take(2), "big")
        if c == CMD["READ"]:
            n = int.from_bytes(take(2), "big")
            if not 1 <= n <= MAX_DATA:
                raise Reject("AIOTSEC_E_NAS_BAD_IE_VALUE")
            m["length"] = n
        if c == CMD["WRITE"]:
            m["data"] = lv(2, 1, MAX_DATA).hex()
    else:
        m["transaction_id"] = take(1)[0]
        s = take(1)[0]
        if s not in STATUS:
            raise Reject("AIOTSEC_E_NAS_BAD_IE_VALUE")
        m["status"] = s
        if s in CAUSE:
            m["cause"] = CAUSE[s]
    # optional IEs: 0x70..0x7F TLV-E, others TLV; unknown skipped; first occurrence kept
    while pos < len(b):
        iei = b[pos]
        h = 3 if 0x70 <= iei <= 0x7F else 2
        if len(b) - pos < h:
            raise Reject("AIOTSEC_E_NAS_TRUNCATED")
        n = int.from_bytes(b[pos + 1:pos + h], "big")
        known = m["type"] == "COMMAND_RESPONSE" and iei == IEI_READ_DATA and "data" not in m
        if known and not 1 <= n <= MAX_DATA:
            raise Reject("AIOTSEC_E_NAS_BAD_IE_VALUE")
        if len(b) - pos - h < n:
            raise Reject("AIOTSEC_E_NAS_TRUNCATED")
        if known:
            m["data"] = b[pos + h:pos + h + n].hex()
        pos += h + n
    return m


def protect(kaiotf, ia, ea, count, direction, plain):
    body = plain
    if ea == NEA2:
        body = nea2(alg_key(kaiotf, DIST_ENC, ea), count, direction, plain)
    msg = bytes([count & 0xFF]) + body
    mac = mac_of(ia, alg_key(kaiotf, DIST_INT, ia), count, direction, msg)
    return bytes([EPD, 2 if ea else 1]) + mac + msg


# ---- random messages ------------------------------------------------------------
def rhex(rng, n):
    return bytes(rng.getrandbits(8) for _ in range(n)).hex()


def random_msg(rng):
    t = rng.choice(list(MT))
    if t == "AUTHENTICATION_RESPONSE":
        return {"type": t, "res": rhex(rng, RES_LEN), "rand_d": rhex(rng, RAND_D_LEN)}
    dl = rng.choice([1, rng.randint(1, 64), rng.randint(1, MAX_DATA), MAX_DATA])
    m = {"type": t, "transaction_id": rng.randint(0, 255)}
    if t == "COMMAND_REQUEST":
        m["command"] = rng.choice(list(CMD))
        if m["command"] != "PERMANENT_DISABLE":
            m["offset"] = rng.randint(0, 65535)
        if m["command"] == "READ":
            m["length"] = rng.randint(1, MAX_DATA)
        if m["command"] == "WRITE":
            m["data"] = rhex(rng, dl)
    else:
        m["status"] = rng.choice(sorted(STATUS))
        if m["status"] in CAUSE:
            m["cause"] = CAUSE[m["status"]]
        if rng.random() < 0.5:
            m["data"] = rhex(rng, dl)
    return m


def mutate(rng, b):
    b = bytearray(b)
    op = rng.randrange(5)
    if op == 0 and b:
        return bytes(b[:rng.randrange(len(b))])
    if op == 1 and b:
        b[rng.randrange(len(b))] = rng.getrandbits(8)
    elif op == 2:
        b += bytes([rng.choice([0x10, 0x71, 0x7F, rng.getrandbits(8)])]) + bytes(rng.getrandbits(8) for _ in range(rng.randrange(4)))
    elif op == 3 and len(b) > 3:
        i = rng.randrange(3, len(b))
        b[i] = rng.choice([0x00, 0xFF, 0x04, 0x21, 0x20])
    elif op == 4 and len(b) > 2:
        b[rng.randrange(3)] ^= 1 << rng.randrange(8)
    return bytes(b)


# ---- the CLI --------------------------------------------------------------------
class Cli:
    def __init__(self, path):
        self.path = path
        self.calls = 0

    def run(self, args, stdin=None):
        self.calls += 1
        p = subprocess.run([self.path, "nas"] + args, input=stdin, capture_output=True, text=True)
        return p.returncode, p.stdout.strip(), p.stderr.strip()


failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        if len(failures) < 20:
            print("FAIL:", what, file=sys.stderr)


def backends(cli):
    out = subprocess.run([cli.path, "version"], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        if line.startswith("backends:"):
            return line.split()[1:]
    raise SystemExit("no backend list from 'aiotsec version'")


def load_rows(vdir, name):
    with open(os.path.join(vdir, name)) as f:
        lines = [l for l in f if not l.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--vectors", required=True)
    ap.add_argument("--aes-backend", default=None)
    ap.add_argument("--cases", type=int, default=150)
    ap.add_argument("--seed", type=int, default=20261128)
    a = ap.parse_args()
    cli = Cli(a.cli)
    rng = random.Random(a.seed)
    print(f"seed {a.seed}")

    # 1. the second implementation reproduces the official examples
    n_vec = 0
    for r in load_rows(a.vectors, "aiot-profile0.tsv"):
        k = bytes.fromhex(r["k_aiotf"])
        check(alg_key(k, DIST_INT, AIA_HS).hex() == r["k_int_hs"], "k_int_hs")
        check(alg_key(k, DIST_INT, NIA2).hex() == r["k_int_nia2"], "k_int_nia2")
        check(alg_key(k, DIST_ENC, NEA2).hex() == r["k_enc_nea2"], "k_enc_nea2")
        n_vec += 1
    for r in load_rows(a.vectors, "aiot-nas-profile0.tsv"):
        plain = bytes.fromhex(r["plain"])
        m = decode(plain)
        check(encode(m) == plain, f"vector {r['name']}: python codec")
        if r["protected"] != "-":
            got = protect(bytes.fromhex(r["k_aiotf"]), int(r["int_alg"]), int(r["enc_alg"]),
                          int(r["count"]), int(r["direction"]), plain)
            check(got.hex() == r["protected"], f"vector {r['name']}: python protect")
        n_vec += 1
    print(f"python implementation matches {n_vec} official rows")

    all_be = backends(cli)
    combos = [(b, AIA_HS, 0) for b in all_be]
    if a.aes_backend:
        check(a.aes_backend in all_be, f"AES backend {a.aes_backend} not built")
        combos += [(a.aes_backend, NIA2, 0), (a.aes_backend, NIA2, NEA2), (a.aes_backend, AIA_HS, NEA2)]

    # 1b. the same rows through the CLI: decode, encode, protect and unprotect, on every
    # backend that has the row's algorithms (NIA2/NEA2 need AES: the --aes-backend)
    n_cli = 0
    for r in load_rows(a.vectors, "aiot-nas-profile0.tsv"):
        plain = bytes.fromhex(r["plain"])
        rc, out, err = cli.run(["decode", r["plain"]])
        check(rc == 0 and json.loads(out) == decode(plain), f"vector {r['name']}: CLI decode -> {out} {err}")
        rc, out, err = cli.run(["encode"], stdin=json.dumps(decode(plain)))
        check(rc == 0 and out == r["plain"], f"vector {r['name']}: CLI encode -> {out} {err}")
        n_cli += 1
        if r["protected"] == "-":
            continue
        ia, ea = int(r["int_alg"]), int(r["enc_alg"])
        d = "r2d" if r["direction"] == "1" else "d2r"
        for be in all_be if (ia, ea) == (AIA_HS, 0) else [b for b in [a.aes_backend] if b]:
            base = ["--backend", be, "--kaiotf", r["k_aiotf"], "--dir", d, "--int-alg", str(ia),
                    "--enc-alg", str(ea)]
            rc, out, err = cli.run(["protect"] + base + ["--count", str(int(r["count"])), r["plain"]])
            check(rc == 0 and out == r["protected"], f"vector {r['name']} on {be}: CLI protect -> {out} {err}")
            last = [] if int(r["count"]) == 0 else ["--last-count", str(int(r["count"]) - 1)]
            rc, out, err = cli.run(["unprotect"] + base + last + [r["protected"]])
            check(rc == 0 and out == r["plain"], f"vector {r['name']} on {be}: CLI unprotect -> {out} {err}")
            n_cli += 1
    print(f"the CLI reproduces the official rows ({n_cli} CLI checks)")

    # 2. random valid messages through encode, decode, protect, unprotect
    n_ok = 0
    for i in range(a.cases):
        m = random_msg(rng)
        plain = encode(m)
        given = dict(m)
        if "cause" in given and rng.random() < 0.5:
            del given["cause"]  # optional on input: the status alone says it
        if given.get("command") == "PERMANENT_DISABLE" and rng.random() < 0.5:
            given["command"] = "DISABLE"  # the name of version 0.1, still read
        rc, out, err = cli.run(["encode"], stdin=json.dumps(given))
        check(rc == 0 and out == plain.hex(), f"case {i}: encode {given} -> {rc} {out} {err}")
        rc, out, err = cli.run(["decode", plain.hex()])
        check(rc == 0 and json.loads(out) == m, f"case {i}: decode {plain.hex()} -> {out} {err}")
        be, ia, ea = combos[i % len(combos)]
        k = bytes(rng.getrandbits(8) for _ in range(KAIOTF_LEN))
        direction = 1 if m["type"] == "COMMAND_REQUEST" else 0
        if m["type"] == "AUTHENTICATION_RESPONSE":
            direction = 0
        d = "r2d" if direction else "d2r"
        count = rng.choice([0, 1, 255, 256, rng.randint(0, 0xFFFFFF), 0xFFFFFF])
        want = protect(k, ia, ea, count, direction, plain)
        base = ["--backend", be, "--kaiotf", k.hex(), "--dir", d, "--int-alg", str(ia), "--enc-alg", str(ea)]
        rc, out, err = cli.run(["protect"] + base + ["--count", str(count), plain.hex()])
        check(rc == 0 and out == want.hex(), f"case {i}: protect {be} {ia}/{ea} count {count} -> {rc} {err}")
        last = [] if count == 0 else ["--last-count", str(count - 1)]
        rc, out, err = cli.run(["unprotect"] + base + last + [want.hex()])
        check(rc == 0 and out == plain.hex(), f"case {i}: unprotect {be} {ia}/{ea} -> {rc} {err}")
        # the same message again is a replay; a flipped bit a MAC failure: both exit 1
        rc, out, err = cli.run(["unprotect"] + base + ["--last-count", str(count), want.hex()])
        check(rc == 1 and "AIOTSEC_E_REPLAY" in err, f"case {i}: replay -> {rc} {err}")
        bad = bytearray(want)
        bit = rng.randrange(16, len(bad) * 8)
        bad[bit // 8] ^= 0x80 >> (bit % 8)
        rc, out, err = cli.run(["unprotect"] + base + last + [bad.hex()])
        # a flipped SQN bit may also read as a replay or an exhausted COUNT (still exit 1)
        ok_reasons = ["AIOTSEC_E_MAC_MISMATCH"]
        if 48 <= bit < 56:
            ok_reasons += ["AIOTSEC_E_REPLAY", "AIOTSEC_E_COUNT_EXHAUSTED"]
        check(rc == 1 and any(x in err for x in ok_reasons), f"case {i}: flipped bit {bit} -> {rc} {err}")
        # the CLI decode of a protected message shows its header
        rc, out, err = cli.run(["decode", want.hex()])
        j = json.loads(out) if rc == 0 else {}
        check(j.get("mac") == want[2:6].hex() and j.get("sqn") == count & 0xFF
              and j.get("payload") == want[7:].hex(), f"case {i}: decode protected -> {out}")
        n_ok += 1
    print(f"{n_ok} random messages: encode/decode/protect/unprotect agree ({len(combos)} backend/algorithm combinations)")

    # 3. malformed messages: same verdict and same reason
    n_bad = agree = 0
    for i in range(a.cases * 2):
        b = mutate(rng, encode(random_msg(rng)))
        try:
            want = ("ok", decode(b))
        except Reject as e:
            want = ("reject", str(e))
        rc, out, err = cli.run(["decode", b.hex()])
        if want[0] == "ok":
            got_ok = rc == 0 and json.loads(out) == want[1]
        else:
            got_ok = rc == 2 and want[1] in err
            if want[1] == "AIOTSEC_E_NAS_PROTECTED":  # the CLI shows protected headers instead
                got_ok = True
            n_bad += 1
        check(got_ok, f"mutant {b.hex()}: python {want} cli {rc} {out} {err}")
        agree += got_ok
    print(f"{agree} mutated messages judged alike ({n_bad} rejected, with the same reason)")

    # 4. exit codes and strictness of the JSON reader
    for bad_json in ['{"type":"COMMAND_REQUEST"}', '{"type":"X"}', "[]", '{"type":"COMMAND_RESPONSE",'
                     '"transaction_id":1,"status":0,"status":1}', '{"type":"COMMAND_RESPONSE","transaction_id":1,'
                     '"status":0,"extra":1}', '{"type":"COMMAND_RESPONSE","transaction_id":256,"status":0}',
                     '{"type":"COMMAND_RESPONSE","transaction_id":1,"status":5}',
                     '{"type":"COMMAND_RESPONSE","transaction_id":1,"status":1,"cause":"LOW_ENERGY"}',
                     '{"type":"COMMAND_RESPONSE","transaction_id":1,"status":0,"cause":"ERROR_UNSPECIFIED"}',
                     '{"type":"COMMAND_RESPONSE","transaction_id":1,"status":3,"cause":3}',
                     '{"type":"COMMAND_REQUEST","transaction_id":1,"command":"STOP"}',
                     '{"type":"AUTHENTICATION_RESPONSE","res":"' + "ab" * 4 + '","rand_d":"' + "cd" * 16 + '"}',
                     '{"type":"AUTHENTICATION_RESPONSE","res":"' + "ab" * 17 + '","rand_d":"' + "cd" * 16 + '"}',
                     '{"type":"AUTHENTICATION_RESPONSE","res":"' + "ab" * 16 + '","rand_d":"' + "cd" * 15 + '"}',
                     '{"type":"COMMAND_RESPONSE","transaction_id":1,"status":0,"data":"ABCD"}',
                     '{"type":"COMMAND_REQUEST","transaction_id":1,"command":"READ","offset":0,"length":0}']:
        rc, out, err = cli.run(["encode"], stdin=bad_json)
        check(rc == 2 and out == "", f"encode {bad_json} -> {rc}")
    rc, _, err = cli.run(["decode", "7a00"])
    check(rc == 2 and "AIOTSEC_E_NAS_TRUNCATED" in err, "decode truncated exits 2")
    rc, _, err = cli.run(["unprotect", "--kaiotf", "00" * KAIOTF_LEN, "--dir", "r2d", "7a00420903"])
    check(rc == 1 and "AIOTSEC_E_NAS_PLAIN_FORBIDDEN" in err, "plain COMMAND REQUEST refused (exit 1)")
    for bad_len in (15, 17, 32):  # 32: the K_AIOTF of version 0.1
        rc, _, err = cli.run(["protect", "--kaiotf", "00" * bad_len, "--dir", "r2d", "--count", "0", "7a00420903"])
        check(rc == 2 and "16 octets" in err, f"a {bad_len}-octet K_AIOTF refused (exit 2) -> {rc} {err}")
    rc, _, err = cli.run(["protect", "--kaiotf", "00" * KAIOTF_LEN, "--dir", "r2d", "--count", "0",
                          "--int-alg", "0", "7a00420903"])
    check(rc == 2 and "AIOTSEC_E_NIA0_REJECTED" in err, "NIA0 refused")
    rc, _, err = cli.run(["protect", "--backend", "sodium", "--kaiotf", "00" * KAIOTF_LEN, "--dir", "r2d",
                          "--count", "0", "--int-alg", "2", "7a00420903"])
    check(rc == 2 and "AIOTSEC_E_UNSUPPORTED" in err, "NIA2 on sodium is unsupported")

    print(f"{cli.calls} CLI calls, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
