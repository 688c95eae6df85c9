#!/usr/bin/python3
"""Cross-check of the aiotsec CLI against an independent Python implementation.

1. Checks the Python implementation (aiot_ref.py, written from the spec) against
   the shared vectors, so that a bug in the second implementation cannot hide.
2. Asks `aiotsec version` which backends are built in (and fails if one that
   the build promised, --expect NAME, is missing).
3. On every backend: RES_AIOT, K_AIOTF and algorithm keys for --count random
   inputs (K_AIOT_root of 16 and 32 octets), and the generic KDF for --kdf-count
   random inputs (FC of 1 and 2 octets, 0..5 parameters of 0..300 octets, plus
   edge cases), each compared with the CLI's output.

Exit status 0 when everything agrees, 1 on any disagreement or CLI error.
Inputs come from a seeded generator; the seed is printed for reproduction.
"""
import argparse
import os
import random
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import aiot_ref as ref  # noqa: E402

# (type, identity) pairs cycled through: 2 (128-NIA2/NEA2) and 8 (AIA-HS for
# integrity) are profile 0's; the others exercise the general rule.
ALG_CASES = [("int", 2), ("int", 8), ("enc", 2), ("enc", 8),
             ("int", 1), ("enc", 1), ("int", 3), ("enc", 5), ("int", 15), ("enc", 15)]


def self_check(vectors):
    """The reference implementation against the official and profile 0 vectors."""
    n = 0
    for row in ref.read_tsv(os.path.join(vectors, "kdf-ts33220.tsv")):
        got = ref.kdf(bytes.fromhex(row["key"]), bytes.fromhex(row["fc"]),
                      [bytes.fromhex(row["p0"]), bytes.fromhex(row["p1"])])
        if got.hex() != row["output"].lower():
            sys.exit("self-check: reference KDF disagrees with kdf-ts33220.tsv: %s" % row)
        n += 1
    for row in ref.read_tsv(os.path.join(vectors, "aiot-profile0.tsv")):
        h = {k: bytes.fromhex(v) for k, v in row.items()}
        kf = ref.k_aiotf(h["k_root"], h["rand_n"], h["rand_d"])
        checks = {
            "res": ref.res_aiot(h["k_root"], h["rand_n"], h["rand_d"]),
            "k_aiotf": kf,
            "k_int_hs": ref.alg_key(kf, "int", ref.AIA_HS_ID),
            "k_int_nia2": ref.alg_key(kf, "int", 2),
            "k_enc_nea2": ref.alg_key(kf, "enc", 2),
        }
        for col, got in checks.items():
            if got != h[col]:
                sys.exit("self-check: reference %s disagrees with aiot-profile0.tsv" % col)
            n += 1
    return n


def list_backends(cli):
    out = subprocess.run([cli, "version"], capture_output=True, text=True, check=True).stdout
    lines = out.splitlines()
    if len(lines) < 2 or not lines[1].startswith("backends:"):
        sys.exit("aiotsec version: no 'backends:' line in %r" % out)
    names = lines[1].split()[1:]
    if not names:
        sys.exit("aiotsec version lists no backend")
    return names


def make_cases(rng, count, kdf_count):
    """[(argv without the CLI and --backend, expected hex)]."""
    cases = []
    for i in range(count):
        k_root = rng.randbytes(16 if i % 2 == 0 else 32)
        rand_n = rng.randbytes(ref.RAND_N_LEN)
        rand_d = rng.randbytes(ref.RAND_D_LEN)
        common = ["--key", k_root.hex(), "--rand-n", rand_n.hex(), "--rand-d", rand_d.hex()]
        cases.append((["derive", "res"] + common, ref.res_aiot(k_root, rand_n, rand_d).hex()))
        kf = ref.k_aiotf(k_root, rand_n, rand_d)
        cases.append((["derive", "kaiotf"] + common, kf.hex()))
        kind, alg = ALG_CASES[i % len(ALG_CASES)]
        cases.append((["derive", "algkey", "--kaiotf", kf.hex(), "--type", kind,
                       "--alg", str(alg)], ref.alg_key(kf, kind, alg).hex()))

    def kdf_case(key, fc, params):
        argv = ["kdf", "--key", key.hex(), "--fc", fc.hex()]
        for p in params:
            argv += ["--param", p.hex()]
        return (argv, ref.kdf(key, fc, params).hex())

    for i in range(kdf_count):
        fc = bytes([rng.randrange(0xFF)]) if i % 2 == 0 else b"\xff" + rng.randbytes(1)
        key = rng.randbytes(rng.choice([16, 32, rng.randrange(1, 65)]))
        params = [rng.randbytes(rng.randrange(301)) for _ in range(rng.randrange(6))]
        cases.append(kdf_case(key, fc, params))
    # Edge cases: the extreme FCs, no parameter, empty parameters, a maximal one.
    key = rng.randbytes(32)
    cases.append(kdf_case(key, b"\x00", []))
    cases.append(kdf_case(key, b"\xfe", [b""]))
    cases.append(kdf_case(key, b"\xff\x00", [b"", b"", b""]))
    cases.append(kdf_case(key, b"\xff\xff", [rng.randbytes(0xFFFF)]))
    return cases


def run_case(cli, backend, case):
    argv, expected = case
    p = subprocess.run([cli] + argv + ["--backend", backend], capture_output=True, text=True)
    if p.returncode != 0 or p.stderr or p.stdout != expected + "\n":
        shown = [a if len(a) <= 80 else a[:40] + "...(%d chars)" % len(a) for a in argv]
        return "%s --backend %s: exit %d, stdout %r, stderr %r, expected %s" % (
            " ".join(shown), backend, p.returncode, p.stdout[:80], p.stderr.strip()[:200], expected)
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cli", required=True, help="path to the aiotsec executable")
    ap.add_argument("--vectors", required=True, help="directory of the shared .tsv vectors")
    ap.add_argument("--count", type=int, default=1000, help="random RES/K_AIOTF/key inputs per backend")
    ap.add_argument("--kdf-count", type=int, default=300, help="random KDF inputs per backend")
    ap.add_argument("--seed", type=int, default=None, help="seed (default: random, printed)")
    ap.add_argument("--jobs", type=int, default=2, help="CLI processes at a time")
    ap.add_argument("--expect", action="append", default=[],
                    help="a backend that must be listed by `aiotsec version` (repeatable)")
    args = ap.parse_args()

    n = self_check(args.vectors)
    print("reference implementation: %d vector checks passed" % n)

    backends = list_backends(args.cli)
    missing = [b for b in args.expect if b not in backends]
    if missing:
        sys.exit("aiotsec version lists %s, but the build has %s" % (backends, args.expect))
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)
    print("backends: %s; seed %d" % (" ".join(backends), seed))

    failures = 0
    for backend in backends:
        # The same inputs on every backend, so the backends are also compared with each other.
        cases = make_cases(random.Random(seed), args.count, args.kdf_count)
        t0 = time.monotonic()
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            errors = [e for e in pool.map(lambda c: run_case(args.cli, backend, c), cases) if e]
        print("backend %s: %d CLI outputs compared (%d random derive inputs x 3, %d KDF), "
              "%d mismatches, %.1f s" % (backend, len(cases), args.count, len(cases) - 3 * args.count,
                                        len(errors), time.monotonic() - t0))
        for e in errors[:5]:
            print("  MISMATCH " + e)
        failures += len(errors)
    if failures:
        print("FAILED: %d mismatches (seed %d)" % (failures, seed))
        return 1
    print("all backends agree with the reference implementation")
    return 0


if __name__ == "__main__":
    sys.exit(main())
