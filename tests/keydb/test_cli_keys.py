#!/usr/bin/env python3
"""aiotsec keys, end to end: init (a new KEK file of mode 0600), a KEK file of
another mode refused, import from a file and from stdin, add and rekey with the
key on stdin, revoke, list (with a filter), count, verify, rotate and
retire-kek, the KEK from a variable, the PKCS#11 custody on a SoftHSM2 token of
its own; live change: a process serving from --db sees `aiotsec keys revoke`
at its next request (unknown device: the SBI's 404) and `aiotsec keys add` (a new
device answers), with no restart. No output ever holds a key.

usage: test_cli_keys.py AIOTSEC_CLI KEYDB_HELPER"""
import os
import secrets
import shutil
import subprocess
import sys
import tempfile

CLI, HELPER = sys.argv[1], sys.argv[2]
MODULES = ["/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"]
passed, failed = 0, 0
seen_output = []


def run(args, stdin=None, env=None):
    p = subprocess.run([CLI, "keys"] + args, input=stdin, capture_output=True, text=True, env=env, timeout=120)
    seen_output.append(p.stdout + p.stderr)
    return p


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print(f"FAIL {name}: {detail}")


def key_file(path, devices):
    with open(path, "w") as f:
        f.write("# Permanent Identifier, K_AIOT_root\n")
        for perm, key in devices:
            f.write(f"{perm} {key}\n")


def main():
    tmp = tempfile.mkdtemp(prefix="aiotsec-keys-cli-")
    try:
        sealed(tmp)
        token(tmp)
        live(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


KEYS = []


def new_devices(prefix, n):
    out = []
    for i in range(n):
        k = secrets.token_hex(16 if i % 2 else 32)
        KEYS.append(k)
        out.append((f"{prefix}{i:06x}", k))
    return out


def sealed(tmp):
    db, kek = os.path.join(tmp, "db"), os.path.join(tmp, "kek")
    p = run(["init", "--db", db, "--kek-file", kek])
    check("init", p.returncode == 0, p.stderr)
    check("init: KEK file mode 0600", os.stat(kek).st_mode & 0o777 == 0o600, oct(os.stat(kek).st_mode))
    p = run(["init", "--db", db, "--kek-file", kek])
    check("init twice refused", p.returncode == 2 and "already exists" in p.stderr, p.stderr)
    os.chmod(kek, 0o644)
    p = run(["count", "--db", db, "--kek-file", kek])
    check("KEK file of mode 0644 refused", p.returncode == 2 and "0600" in p.stderr, p.stderr)
    os.chmod(kek, 0o600)
    devs = new_devices("a1", 300)
    kf = os.path.join(tmp, "keys.txt")
    key_file(kf, devs[:200])
    p = run(["import", "--db", db, "--kek-file", kek, kf, "--batch", "64"])
    check("import file", p.returncode == 0 and p.stdout.strip() == "200", p.stdout + p.stderr)
    text = "".join(f"{a} {b}\n" for a, b in devs[200:250])
    p = run(["import", "--db", db, "--kek-file", kek, "-"], stdin=text)
    check("import stdin", p.returncode == 0 and p.stdout.strip() == "50", p.stdout + p.stderr)
    p = run(["import", "--db", db, "--kek-file", kek, "-"], stdin=f"{devs[260][0]} {devs[260][1]}\n{devs[3][0]} {devs[3][1]}\n")
    check("import: a device already there, line 2", p.returncode == 2 and "-:2:" in p.stderr, p.stderr)
    p = run(["count", "--db", db])
    check("count without custody", p.returncode == 0 and p.stdout.strip() == "250", p.stdout + p.stderr)
    p = run(["add", "--db", db, "--kek-file", kek, devs[250][0]], stdin=devs[250][1] + "\n")
    check("add (key on stdin)", p.returncode == 0, p.stderr)
    p = run(["add", "--db", db, "--kek-file", kek, devs[250][0]], stdin=devs[250][1] + "\n")
    check("add twice refused", p.returncode == 2, p.stderr)
    p = run(["add", "--db", db, "--kek-file", kek, devs[251][0]], stdin="0011\n")
    check("add: a short key refused", p.returncode == 2 and "64 hex digits" in p.stderr, p.stderr)
    p = run(["list", "--db", db])
    ids = p.stdout.split()
    check("list in order", ids == sorted(d[0] for d in devs[:251]), f"{len(ids)} listed")
    p = run(["list", "--db", db, "--filter", "18a10000"])  # the 24-bit prefix a1 00 00
    check("list --filter", p.stdout.split() == [d[0] for d in devs[:251] if d[0].startswith("a10000")], p.stdout)
    p = run(["revoke", "--db", db, "--kek-file", kek, devs[7][0]])
    check("revoke", p.returncode == 0, p.stderr)
    p = run(["revoke", "--db", db, "--kek-file", kek, devs[7][0]])
    check("revoke unknown", p.returncode == 2 and "no such device" in p.stderr, p.stderr)
    newkey = secrets.token_hex(32)
    KEYS.append(newkey)
    p = run(["rekey", "--db", db, "--kek-file", kek, devs[8][0]], stdin=newkey)
    check("rekey", p.returncode == 0, p.stderr)
    p = run(["verify", "--db", db, "--kek-file", kek])
    check("verify", p.returncode == 0 and "250 records checked, 0 refused" in p.stderr, p.stderr)
    kek2 = os.path.join(tmp, "kek2")
    p = run(["rotate", "--db", db, "--kek-file", kek, "--new-kek-file", kek2, "--batch", "40"])
    check("rotate", p.returncode == 0 and p.stdout.strip() == "250", p.stdout + p.stderr)
    check("rotate: new KEK file mode 0600", os.stat(kek2).st_mode & 0o777 == 0o600)
    p = run(["verify", "--db", db, "--kek-file", kek])
    check("old KEK still reads until retired", p.returncode == 0, p.stderr)
    p = run(["retire-kek", "--db", db, "--kek-file", kek2])
    check("retire-kek", p.returncode == 0 and p.stdout.strip() == "1", p.stdout + p.stderr)
    p = run(["verify", "--db", db, "--kek-file", kek])
    check("old KEK refused after retire", p.returncode == 2 and "does not open" in p.stderr, p.stderr)
    env = dict(os.environ, AIOTSEC_TEST_KEK=open(kek2).read().strip())
    p = run(["verify", "--db", db, "--kek-env", "AIOTSEC_TEST_KEK"], env=env)
    check("KEK from a variable", p.returncode == 0, p.stderr)
    p = run(["verify", "--db", db, "--kek-env", "AIOTSEC_NOT_SET"])
    check("KEK variable not set", p.returncode == 2, p.stderr)
    p = run(["add", "--db", db, devs[251][0]], stdin=devs[251][1])
    check("add without custody refused", p.returncode == 2, p.stderr)
    p = run(["list", "--db", os.path.join(tmp, "nothing")])
    check("not a database", p.returncode == 2, p.stderr)


def token(tmp):
    module = next((m for m in MODULES if os.path.exists(m)), None)
    check("SoftHSM2 module installed (Debian softhsm2)", module is not None)
    if module is None:
        return
    tdir = os.path.join(tmp, "softhsm")
    os.makedirs(os.path.join(tdir, "tokens"))
    conf = os.path.join(tdir, "softhsm2.conf")
    with open(conf, "w") as f:
        f.write(f"directories.tokendir = {tdir}/tokens\nobjectstore.backend = file\nlog.level = ERROR\n")
    env = dict(os.environ, SOFTHSM2_CONF=conf, AIOTSEC_TEST_PIN="246810")
    subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", "cli-test", "--pin", "246810",
                    "--so-pin", "135790"], env=env, check=True, capture_output=True)
    db = os.path.join(tmp, "tokendb")
    custody = ["--pkcs11-module", module, "--pkcs11-token", "cli-test", "--pkcs11-pin-env", "AIOTSEC_TEST_PIN"]
    p = run(["init", "--db", db] + custody, env=env)
    check("token: init", p.returncode == 0, p.stderr)
    devs = new_devices("b2", 12)
    text = "".join(f"{a} {b}\n" for a, b in devs)
    p = run(["import", "--db", db, "-"] + custody, stdin=text, env=env)
    check("token: import", p.returncode == 0 and p.stdout.strip() == "12", p.stdout + p.stderr)
    p = run(["revoke", "--db", db, devs[0][0]] + custody, env=env)
    check("token: revoke", p.returncode == 0, p.stderr)
    p = run(["verify", "--db", db] + custody, env=env)
    check("token: verify", p.returncode == 0 and "11 records checked, 0 refused" in p.stderr, p.stderr)
    p = run(["verify", "--db", db, "--pkcs11-module", module, "--pkcs11-token", "cli-test",
             "--pkcs11-pin-env", "AIOTSEC_WRONG"], env=dict(env, AIOTSEC_WRONG="000000"))
    check("token: wrong PIN refused", p.returncode == 1 and "PKCS#11" in p.stderr, p.stderr)
    p = run(["rotate", "--db", db] + custody, env=env)
    check("token: no KEK to rotate", p.returncode == 2, p.stderr)


def live(tmp):
    """An ADM serving from --db (the helper); the CLI changes the database meanwhile."""
    db, kek = os.path.join(tmp, "livedb"), os.path.join(tmp, "livekek")
    run(["init", "--db", db, "--kek-file", kek])
    # The helper's devices: a1 || i (4 octets), keys derived from a seed it and we share.
    seed = str(secrets.randbits(63))
    imp = subprocess.run([HELPER, "import", db, kek, seed, "20", "7"], capture_output=True, text=True, timeout=120)
    check("live: helper import", imp.returncode == 0, imp.stderr)
    srv = subprocess.Popen([HELPER, "serve", db, seed, "20", "prepared", kek], stdin=subprocess.PIPE,
                           stdout=subprocess.PIPE, text=True)

    def ask(cmd):
        srv.stdin.write(cmd + "\n")
        srv.stdin.flush()
        return srv.stdout.readline().strip()

    try:
        check("live: serving", srv.stdout.readline().startswith("ready"))
        check("live: every device answers", ask("all 0") == "20 0")
        p = run(["revoke", "--db", db, "--kek-file", kek, "a10000000c"])
        check("live: keys revoke", p.returncode == 0, p.stderr)
        r = ask("check 12 0")
        check("live: next request after revoke is unknown (404)", r == "bad AIOTSEC_E_UNKNOWN_DEVICE", r)
        check("live: the others still answer", ask("all 0") == "19 1")
        # a new device 0x30 = 48: its key is the helper's for (seed, 48, version 0); we make a
        # different one and check the answer with a known XRES instead.
        key = secrets.token_hex(16)
        KEYS.append(key)
        p = run(["add", "--db", db, "--kek-file", kek, "a100000030"], stdin=key)
        check("live: keys add", p.returncode == 0, p.stderr)
        rn, rd = secrets.token_hex(16), secrets.token_hex(16)
        r = ask(f"auth a100000030 {rn} {rd}").split()
        want = subprocess.run([CLI, "derive", "res", "--key", key, "--rand-n", rn, "--rand-d", rd],
                              capture_output=True, text=True).stdout.strip()
        check("live: the new device answers with its key", r == ["AIOTSEC_OK", want], f"{r} {want}")
    finally:
        ask("quit")
        srv.wait(timeout=60)


main()
leaked = [k for k in KEYS for out in seen_output if k in out]
check("no output holds a key", not leaked, f"{len(leaked)} keys printed")
print(f"keys-cli: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
