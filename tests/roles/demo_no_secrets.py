"""`aiotsec demo` never prints a secret.

Runs the demo, narrated step by step, on a key file of fresh random keys. Then,
for every pairing of a RAND_AIOT_n with a RAND_AIOT_d the demo printed (so the
real procedures' values are among them), derives for every key of the file
RES_AIOT = XRES_AIOT, K_AIOTF and the algorithm keys, and checks that no
K_AIOT_root, no derived value and no 8-octet piece of one appears anywhere in
stdout or stderr (any value printed whole contains such a piece).

The secrets come from an implementation independent of the library: the
project's reference tests/python/refimpl.py when it reproduces the shared
profile 0 vectors, and always this file's own few lines of hashlib/hmac written
from the spec (sections 2-3), which must reproduce them too.

usage: demo_no_secrets.py AIOTSEC_CLI TESTS_PYTHON_DIR TMPDIR VECTORS_DIR
"""
import hashlib
import hmac
import os
import re
import subprocess
import sys

# Profile 0 (spec section 3).
FC_RES, FC_KAIOTF, FC_ALG = 0xA0, 0xA1, 0xA2
DIST_ENC, DIST_INT, AIA_HS, ALG_128 = 0x01, 0x02, 8, 2


def kdf(key, fc, *params):
    s = bytes([fc]) + b"".join(p + len(p).to_bytes(2, "big") for p in params)
    return hmac.new(key, s, hashlib.sha256).digest()


class Spec:
    """Spec sections 2-3, written here."""
    name = "this script's hashlib/hmac"

    @staticmethod
    def res(k, n, d):
        return kdf(k, FC_RES, n, d)[-16:]

    @staticmethod
    def kaiotf(k, n, d):
        return kdf(k, FC_KAIOTF, n, d)[-16:]  # the 128 least significant bits

    @staticmethod
    def alg_key(ka, dist, alg):
        out = kdf(ka, FC_ALG, bytes([dist]), bytes([alg]))
        return out if (dist, alg) == (DIST_INT, AIA_HS) else out[-16:]


class Ref:
    """tests/python/refimpl.py, whatever its K_AIOTF length: the vectors decide."""
    name = "tests/python/refimpl.py"

    def __init__(self, mod):
        self.m = mod

    def res(self, k, n, d):
        return self.m.res(k, n, d)

    def kaiotf(self, k, n, d):
        return self.m.kaiotf(k, n, d)

    def alg_key(self, ka, dist, alg):
        return self.m.alg_key(ka, dist, alg)


def vector_rows(vectors):
    with open(os.path.join(vectors, "aiot-profile0.tsv"), encoding="utf-8") as f:
        lines = [ln.rstrip("\n").split("\t") for ln in f if ln.strip() and not ln.startswith("#")]
    return [dict(zip(lines[0], (bytes.fromhex(v) for v in row))) for row in lines[1:]]


def reproduces(impl, rows):
    try:
        for r in rows:
            ka = impl.kaiotf(r["k_root"], r["rand_n"], r["rand_d"])
            if (impl.res(r["k_root"], r["rand_n"], r["rand_d"]) != r["res"] or ka != r["k_aiotf"]
                    or impl.alg_key(ka, DIST_INT, AIA_HS) != r["k_int_hs"]
                    or impl.alg_key(ka, DIST_INT, ALG_128) != r["k_int_nia2"]
                    or impl.alg_key(ka, DIST_ENC, ALG_128) != r["k_enc_nea2"]):
                return False
    except Exception as e:  # an API being rewritten: not usable now
        print(f"demo_no_secrets: {impl.name} not usable: {e!r}")
        return False
    return bool(rows)


def pieces(value):
    """Every 8-octet piece of a value, as lower-case hex."""
    return {value[i:i + 8].hex() for i in range(len(value) - 7)}


def printed_pieces(text):
    """Every 16-hex-digit window of every run of hex digits in the output."""
    out = set()
    for run in re.findall(r"[0-9a-f]{16,}", text.lower()):
        out.update(run[i:i + 16] for i in range(len(run) - 15))
    return out


def main():
    cli, pydir, tmp, vectors = sys.argv[1:5]
    rows = vector_rows(vectors)
    impls = [Spec]
    assert reproduces(Spec, rows), "this script's own derivations disagree with aiot-profile0.tsv"
    sys.path.insert(0, pydir)
    try:
        import refimpl  # noqa: E402
        ref = Ref(refimpl)
        if reproduces(ref, rows):
            impls.append(ref)
        else:
            print("demo_no_secrets: refimpl.py does not reproduce the profile 0 vectors; using the spec lines only")
    except ImportError as e:
        print(f"demo_no_secrets: refimpl.py not importable ({e}); using the spec lines only")

    os.makedirs(tmp, exist_ok=True)
    path = os.path.join(tmp, "demo_secrets.keys")
    keys = []
    with open(path, "w") as f:
        for i in range(6):  # five share a prefix (one filter), one does not; both key lengths
            k = os.urandom(16 if i % 2 else 32)
            keys.append(k)
            perm = bytes([0xc0, 0x01, i]) if i < 5 else b"\xff\x00\x07"
            f.write(f"{perm.hex()} {k.hex()}\n")
    out = subprocess.run([cli, "demo", "--devices", path, "--group", "5"], capture_output=True, text=True)
    text = out.stdout + out.stderr
    assert out.returncode == 0, text
    shown = printed_pieces(text)

    rand_n = set(re.findall(r"RAND_AIOT_n = ([0-9a-f]{32})", text))
    rand_d = set(re.findall(r"RAND_AIOT_d = ([0-9a-f]{32})", text))
    assert len(rand_n) >= 10 and len(rand_d) >= 20, "the demo printed too few RAND values"
    assert re.search(r"filter c001[0-9a-f]*/\d+ +-> tags 1-5", text), "no group inventory of the five c001 tags"

    secrets = set()
    for k in keys:
        secrets |= pieces(k)
        for rn in rand_n:
            for rd in rand_d:
                n, d = bytes.fromhex(rn), bytes.fromhex(rd)
                for impl in impls:
                    ka = impl.kaiotf(k, n, d)
                    secrets |= pieces(impl.res(k, n, d)) | pieces(ka) | pieces(kdf(k, FC_KAIOTF, n, d))
                    for dist, alg in ((DIST_INT, AIA_HS), (DIST_INT, ALG_128), (DIST_ENC, ALG_128)):
                        secrets |= pieces(impl.alg_key(ka, dist, alg))
    leaked = [s for s in secrets if s in shown]
    assert not leaked, f"secret values printed: {leaked[:3]}"
    print(f"demo_no_secrets: {len(secrets)} secret values and pieces ({', '.join(i.name for i in impls)}; "
          f"{len(rand_n)} RAND_AIOT_n x {len(rand_d)} RAND_AIOT_d x {len(keys)} keys) checked against "
          f"{len(shown)} hex windows of {len(text)} characters of output: none printed")


if __name__ == "__main__":
    main()
