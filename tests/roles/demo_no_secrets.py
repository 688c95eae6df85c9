"""`aiotsec demo` never prints a secret.

Runs the demo on a key file of fresh random keys, then, for every
(RAND_AIOT_n, RAND_AIOT_d) pair the demo printed, derives RES_AIOT/XRES_AIOT,
K_AIOTF and the AIA-HS integrity key for every key in the file with the
independent Python implementation (tests/python/refimpl.py), and checks that
none of them, and no K_AIOT_root, appears anywhere in stdout or stderr.
Every pairing of a printed RAND_AIOT_n with a printed RAND_AIOT_d is tried, so
the real procedures' values are among those checked.

usage: demo_no_secrets.py AIOTSEC_CLI TESTS_PYTHON_DIR TMPDIR
"""
import os
import re
import subprocess
import sys


def main():
    cli, pydir, tmp = sys.argv[1], sys.argv[2], sys.argv[3]
    sys.path.insert(0, pydir)
    import refimpl  # noqa: E402

    os.makedirs(tmp, exist_ok=True)
    path = os.path.join(tmp, "demo_secrets.keys")
    keys = []
    with open(path, "w") as f:
        for i in range(4):
            k = os.urandom(16 if i % 2 else 32)
            keys.append(k)
            f.write(f"c0{i:02x} {('PEI-%d' % i).encode().hex()} {k.hex()}\n")
    out = subprocess.run([cli, "demo", "--devices", path], capture_output=True, text=True)
    text = out.stdout + out.stderr
    assert out.returncode == 0, text
    low = text.lower()

    rand_n = re.findall(r"RAND_AIOT_n = ([0-9a-f]{32})", text)
    rand_d = re.findall(r"RAND_AIOT_d = ([0-9a-f]{32})", text)
    assert len(rand_n) >= 8 and len(rand_d) >= 8, "the demo printed too few RAND values"

    secrets = set()
    for k in keys:
        secrets.add(k.hex())
        for rn in rand_n:
            for rd in rand_d:
                n, d = bytes.fromhex(rn), bytes.fromhex(rd)
                ka = refimpl.kaiotf(k, n, d)
                secrets.add(refimpl.res(k, n, d).hex())
                secrets.add(ka.hex())
                secrets.add(ka[16:].hex())  # any half of K_AIOTF
                secrets.add(ka[:16].hex())
                secrets.add(refimpl.alg_key(ka, refimpl.DIST_INT, refimpl.AIA_HS).hex())
    leaked = [s for s in secrets if s in low]
    assert not leaked, f"secret values printed: {leaked[:3]}"
    print(f"demo_no_secrets: {len(secrets)} secret values checked against "
          f"{len(text)} characters of output: none printed")


if __name__ == "__main__":
    main()
