"""Tests of the aiotsec CLI commands kdf, derive and version (run by ctest through pytest).

Environment: AIOTSEC_CLI (the executable), AIOTSEC_VECTORS_DIR (the shared .tsv files).
Expected values come from the vector files, read here, or from aiot_ref.py (the
independent implementation, itself checked against the vectors by crosscheck.py
and by test_reference_matches_vectors below).
"""
import os
import re
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import aiot_ref as ref  # noqa: E402

CLI = os.environ.get("AIOTSEC_CLI")
VECTORS = os.environ.get("AIOTSEC_VECTORS_DIR")
if not CLI or not VECTORS:
    raise RuntimeError("set AIOTSEC_CLI and AIOTSEC_VECTORS_DIR (ctest does)")


def run(*args):
    return subprocess.run([CLI] + list(args), capture_output=True, text=True)


def backends():
    lines = run("version").stdout.splitlines()
    assert lines[1].startswith("backends:")
    return lines[1].split()[1:]


BACKENDS = backends()
KDF_ROWS = ref.read_tsv(os.path.join(VECTORS, "kdf-ts33220.tsv"))
AIOT_ROWS = ref.read_tsv(os.path.join(VECTORS, "aiot-profile0.tsv"))
ROW0 = AIOT_ROWS[0]
K16 = "00" * 16
R16 = "11" * 16
KF = "22" * 16  # K_AIOTF: 16 octets (TS 29.369 Kaiotf)


def ok_value(p):
    """A success: exit 0, nothing on stderr, one line of lower-case hex on stdout."""
    assert p.returncode == 0, p.stderr
    assert p.stderr == ""
    assert re.fullmatch(r"[0-9a-f]+\n", p.stdout), p.stdout
    return p.stdout.strip()


# --- official and profile 0 vectors, on every backend -------------------------

def test_reference_matches_vectors():
    for row in KDF_ROWS:
        assert ref.kdf(bytes.fromhex(row["key"]), bytes.fromhex(row["fc"]),
                       [bytes.fromhex(row["p0"]), bytes.fromhex(row["p1"])]).hex() == row["output"]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("i", range(len(KDF_ROWS)))
def test_kdf_vectors(backend, i):
    row = KDF_ROWS[i]
    out = ok_value(run("kdf", "--key", row["key"], "--fc", row["fc"], "--param", row["p0"],
                       "--param", row["p1"], "--backend", backend))
    assert out == row["output"].lower()


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("i", range(len(AIOT_ROWS)))
def test_profile0_vectors(backend, i):
    row = AIOT_ROWS[i]
    rand = ["--key", row["k_root"], "--rand-n", row["rand_n"], "--rand-d", row["rand_d"],
            "--backend", backend]
    assert ok_value(run("derive", "res", *rand)) == row["res"].lower()
    assert ok_value(run("derive", "kaiotf", *rand)) == row["k_aiotf"].lower()
    for kind, alg, col in (("int", "8", "k_int_hs"), ("int", "2", "k_int_nia2"),
                           ("enc", "2", "k_enc_nea2")):
        out = ok_value(run("derive", "algkey", "--kaiotf", row["k_aiotf"], "--type", kind,
                           "--alg", alg, "--backend", backend))
        assert out == row[col].lower(), col


def test_default_backend_and_input_forms():
    """No --backend, --opt=value and upper-case hex give the same value."""
    want = ROW0["res"].lower()
    assert ok_value(run("derive", "res", "--key", ROW0["k_root"], "--rand-n", ROW0["rand_n"],
                        "--rand-d", ROW0["rand_d"])) == want
    assert ok_value(run("derive", "res", "--key=" + ROW0["k_root"].upper(),
                        "--rand-d=" + ROW0["rand_d"], "--rand-n=" + ROW0["rand_n"].upper())) == want
    assert ok_value(run("derive", "res", "--backend", "", "--key", ROW0["k_root"], "--rand-n",
                        ROW0["rand_n"], "--rand-d", ROW0["rand_d"])) == want  # "" = the default
    assert ok_value(run("derive", "algkey", "--alg", "0x8", "--type", "int",
                        "--kaiotf", ROW0["k_aiotf"])) == ROW0["k_int_hs"].lower()


# --- KDF parameters: empty, none, many, maximal -------------------------------

def kdf_expect(key, fc, params):
    return ref.kdf(bytes.fromhex(key), bytes.fromhex(fc), [bytes.fromhex(p) for p in params]).hex()


@pytest.mark.parametrize("fc,params", [
    ("a0", []),
    ("a0", [""]),
    ("a0", ["", ""]),
    ("00", ["01", "", "0203"]),
    ("fe", ["ff" * 300] * 5),
    ("ff00", ["aa"]),
    ("ff01", ["", "bb"]),
    ("ffff", ["cd" * 65535]),
])
def test_kdf_params(fc, params):
    key = "0f" * 32
    argv = ["kdf", "--key", key, "--fc", fc]
    for p in params:
        argv += ["--param", p]
    assert ok_value(run(*argv)) == kdf_expect(key, fc, params)


def test_kdf_empty_param_counts():
    """An empty Pi is a parameter (it adds L = 00 00): it changes the output."""
    key = "0f" * 32
    outs = {ok_value(run("kdf", "--key", key, "--fc", "a0", *(["--param", ""] * n))) for n in range(3)}
    assert len(outs) == 3


def test_kdf_output_is_64_hex_digits():
    assert len(ok_value(run("kdf", "--key", "01", "--fc", "20"))) == 64


def test_derive_lengths():
    """RES_AIOT 16 octets, K_AIOTF 16, 128-bit keys 16, the AIA-HS key 32; 32-octet roots work."""
    for key in (K16, "ab" * 32):
        rand = ["--key", key, "--rand-n", R16, "--rand-d", R16]
        assert len(ok_value(run("derive", "res", *rand))) == 32
        assert len(ok_value(run("derive", "kaiotf", *rand))) == 32
    for kind, alg, n in (("int", "2", 32), ("enc", "2", 32), ("int", "8", 64), ("int", "15", 32)):
        assert len(ok_value(run("derive", "algkey", "--kaiotf", KF, "--type", kind,
                                "--alg", alg))) == n


# --- version and help -----------------------------------------------------------

def test_version():
    p = run("version")
    assert p.returncode == 0 and p.stderr == ""
    lines = p.stdout.splitlines()
    assert re.fullmatch(r"\d+\.\d+\.\d+", lines[0])
    assert "sodium" in BACKENDS
    assert lines[2] in ("default: " + b for b in BACKENDS)
    for b in BACKENDS:
        assert any(ln.startswith(b + ":") and "hmac-sha256" in ln for ln in lines[3:])
    one = run("version", "--backend", BACKENDS[-1])
    assert one.returncode == 0 and one.stdout.splitlines()[3].startswith(BACKENDS[-1] + ":")
    assert len(one.stdout.splitlines()) == 4


def test_top_level_version_flag():
    assert run("--version").stdout == run("version").stdout


@pytest.mark.parametrize("argv", [
    ["kdf", "--help"], ["kdf", "-h"], ["derive", "--help"], ["derive", "res", "--help"],
    ["derive", "kaiotf", "--help"], ["derive", "algkey", "--help"], ["version", "--help"],
    ["kdf", "--key", "zz", "--help"],
])
def test_help(argv):
    p = run(*argv)
    assert p.returncode == 0, p.stderr
    assert p.stderr == ""
    assert p.stdout.startswith("usage: aiotsec " + argv[0])


# --- bad input: exit 2, one line on stderr, nothing on stdout -------------------

RAND = ["--rand-n", R16, "--rand-d", R16]
BAD = {
    # kdf
    "kdf bad hex key": ["kdf", "--key", "zz", "--fc", "a0"],
    "kdf odd key": ["kdf", "--key", "abc", "--fc", "a0"],
    "kdf empty key": ["kdf", "--key", "", "--fc", "a0"],
    "kdf missing key": ["kdf", "--fc", "a0"],
    "kdf missing fc": ["kdf", "--key", "00"],
    "kdf missing value": ["kdf", "--fc", "a0", "--key"],
    "kdf key twice": ["kdf", "--key", "00", "--key", "01", "--fc", "a0"],
    "kdf fc twice": ["kdf", "--key", "00", "--fc", "a0", "--fc", "a1"],
    "kdf fc ff alone": ["kdf", "--key", "00", "--fc", "ff"],
    "kdf fc empty": ["kdf", "--key", "00", "--fc", ""],
    "kdf fc two octets not ff": ["kdf", "--key", "00", "--fc", "a0a1"],
    "kdf fc three octets": ["kdf", "--key", "00", "--fc", "ff0102"],
    "kdf fc odd": ["kdf", "--key", "00", "--fc", "fff"],
    "kdf fc not hex": ["kdf", "--key", "00", "--fc", "g0"],
    "kdf param bad hex": ["kdf", "--key", "00", "--fc", "a0", "--param", "0g"],
    "kdf param odd": ["kdf", "--key", "00", "--fc", "a0", "--param", "", "--param", "123"],
    "kdf param 0x prefix": ["kdf", "--key", "00", "--fc", "a0", "--param", "0x12"],
    "kdf unknown option": ["kdf", "--key", "00", "--fc", "a0", "--foo", "1"],
    "kdf stray argument": ["kdf", "--key", "00", "--fc", "a0", "extra"],
    "kdf unknown backend": ["kdf", "--key", "00", "--fc", "a0", "--backend", "nope"],
    "kdf backend with a space": ["kdf", "--key", "00", "--fc", "a0", "--backend", "x y"],
    # derive res / kaiotf
    "res key 15": ["derive", "res", "--key", "00" * 15] + RAND,
    "res key 17": ["derive", "res", "--key", "00" * 17] + RAND,
    "res key 24": ["derive", "res", "--key", "00" * 24] + RAND,
    "res key 33": ["derive", "res", "--key", "00" * 33] + RAND,
    "res key empty": ["derive", "res", "--key", ""] + RAND,
    "res key bad hex": ["derive", "res", "--key", "x" * 32] + RAND,
    "res key odd": ["derive", "res", "--key", "0" * 31] + RAND,
    "res rand-n 15": ["derive", "res", "--key", K16, "--rand-n", "11" * 15, "--rand-d", R16],
    "res rand-n 17": ["derive", "res", "--key", K16, "--rand-n", "11" * 17, "--rand-d", R16],
    "res rand-n 33": ["derive", "res", "--key", K16, "--rand-n", "11" * 33, "--rand-d", R16],
    "res rand-d empty": ["derive", "res", "--key", K16, "--rand-n", R16, "--rand-d", ""],
    "res rand-d 32": ["derive", "res", "--key", K16, "--rand-n", R16, "--rand-d", "11" * 32],
    "res rand-d odd": ["derive", "res", "--key", K16, "--rand-n", R16, "--rand-d", "1" * 31],
    "res missing rand-d": ["derive", "res", "--key", K16, "--rand-n", R16],
    "res missing key": ["derive", "res"] + RAND,
    "res unknown option": ["derive", "res", "--key", K16, "--fc", "a0"] + RAND,
    "res unknown backend": ["derive", "res", "--key", K16, "--backend", "nope"] + RAND,
    "kaiotf key 31": ["derive", "kaiotf", "--key", "00" * 31] + RAND,
    "kaiotf rand-n 4": ["derive", "kaiotf", "--key", K16, "--rand-n", "11" * 4, "--rand-d", R16],
    "kaiotf bad hex rand-d": ["derive", "kaiotf", "--key", K16, "--rand-n", R16, "--rand-d", "1z" * 16],
    "kaiotf unknown backend": ["derive", "kaiotf", "--key", K16, "--backend", "SODIUM"] + RAND,
    # derive algkey
    "algkey alg 0": ["derive", "algkey", "--kaiotf", KF, "--type", "int", "--alg", "0"],
    "algkey alg 16": ["derive", "algkey", "--kaiotf", KF, "--type", "int", "--alg", "16"],
    "algkey alg -1": ["derive", "algkey", "--kaiotf", KF, "--type", "enc", "--alg", "-1"],
    "algkey alg word": ["derive", "algkey", "--kaiotf", KF, "--type", "enc", "--alg", "two"],
    "algkey alg empty": ["derive", "algkey", "--kaiotf", KF, "--type", "enc", "--alg", ""],
    "algkey alg octal-looking": ["derive", "algkey", "--kaiotf", KF, "--type", "int", "--alg", "010"],
    "algkey alg blank": ["derive", "algkey", "--kaiotf", KF, "--type", "int", "--alg", " 8"],
    "algkey alg 2x": ["derive", "algkey", "--kaiotf", KF, "--type", "enc", "--alg", "2x"],
    "algkey type foo": ["derive", "algkey", "--kaiotf", KF, "--type", "foo", "--alg", "2"],
    "algkey type INT": ["derive", "algkey", "--kaiotf", KF, "--type", "INT", "--alg", "2"],
    "algkey type empty": ["derive", "algkey", "--kaiotf", KF, "--type", "", "--alg", "2"],
    "algkey kaiotf 15": ["derive", "algkey", "--kaiotf", "22" * 15, "--type", "int", "--alg", "2"],
    "algkey kaiotf 17": ["derive", "algkey", "--kaiotf", "22" * 17, "--type", "int", "--alg", "2"],
    "algkey kaiotf 32 (version 0.1)": ["derive", "algkey", "--kaiotf", "22" * 32, "--type", "int", "--alg", "2"],
    "algkey kaiotf empty": ["derive", "algkey", "--kaiotf", "", "--type", "int", "--alg", "2"],
    "algkey kaiotf odd": ["derive", "algkey", "--kaiotf", "2" * 31, "--type", "int", "--alg", "2"],
    "algkey kaiotf bad hex": ["derive", "algkey", "--kaiotf", "g2" * 16, "--type", "int", "--alg", "2"],
    "algkey missing type": ["derive", "algkey", "--kaiotf", KF, "--alg", "2"],
    "algkey missing alg": ["derive", "algkey", "--kaiotf", KF, "--type", "int"],
    "algkey key option": ["derive", "algkey", "--key", KF, "--type", "int", "--alg", "2"],
    "algkey unknown backend": ["derive", "algkey", "--kaiotf", KF, "--type", "int", "--alg", "2",
                               "--backend", "nope"],
    # derive itself
    "derive nothing": ["derive"],
    "derive unknown": ["derive", "xres2"],
    "derive option first": ["derive", "--key", K16, "res"],
    # version
    "version unknown backend": ["version", "--backend", "nope"],
    "version unknown option": ["version", "--all"],
    "version stray argument": ["version", "now"],
    "version backend no value": ["version", "--backend"],
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input(name):
    p = run(*BAD[name])
    assert p.returncode == 2, (p.returncode, p.stdout, p.stderr)
    assert p.stdout == ""
    assert p.stderr.startswith("aiotsec: ")
    assert p.stderr.endswith("\n") and p.stderr.count("\n") == 1, p.stderr


def test_bad_input_reasons_are_specific():
    """The reason names what is wrong, so a user can fix it."""
    def err(*argv):
        return run(*argv).stderr
    assert "16 or 32" in err("derive", "res", "--key", "00" * 15, *RAND)
    assert "--rand-n" in err("derive", "res", "--key", K16, "--rand-n", "11", "--rand-d", R16)
    assert "odd" in err("kdf", "--key", "abc", "--fc", "a0")
    assert "--fc" in err("kdf", "--key", "00", "--fc", "ff")
    assert "--foo" in err("kdf", "--key", "00", "--fc", "a0", "--foo", "1")
    assert "nope" in err("kdf", "--key", "00", "--fc", "a0", "--backend", "nope")
    assert "--alg" in err("derive", "algkey", "--kaiotf", KF, "--type", "int", "--alg", "0")
    assert "16 octets, not 32" in err("derive", "algkey", "--kaiotf", "22" * 32, "--type", "int", "--alg", "2")
    assert "--type" in err("derive", "algkey", "--kaiotf", KF, "--type", "x", "--alg", "2")
    assert "missing option --key" in err("derive", "res", *RAND)
    # A key given without its option is not echoed whole to stderr.
    leaked = err("derive", "res", ROW0["k_root"], *RAND)
    assert "unexpected argument" in leaked and ROW0["k_root"] not in leaked


def test_write_error_is_not_success():
    """A value that cannot be written (full disk) exits 1, never 0."""
    with open("/dev/full", "w") as full:
        for argv in (["kdf", "--key", "00", "--fc", "a0"], ["version"],
                     ["derive", "algkey", "--kaiotf", KF, "--type", "int", "--alg", "2"]):
            p = subprocess.run([CLI] + argv, stdout=full, stderr=subprocess.PIPE, text=True)
            assert p.returncode == 1, argv
            assert p.stderr.count("\n") == 1


# --- the cross-check can fail ----------------------------------------------------

def test_crosscheck_catches_a_wrong_cli(tmp_path):
    """crosscheck.py against a CLI that gets only ciphering keys wrong (last digit flipped)
    must report mismatches and exit 1: the cross-check is not vacuous."""
    wrapper = tmp_path / "broken-aiotsec"
    wrapper.write_text(
        "#!/bin/sh\n"
        'out=$("$REAL_CLI" "$@") || exit $?\n'
        'case " $* " in *" enc "*) out=$(printf %s "$out" | tr 0123456789abcdef 123456789abcdef0) ;; esac\n'
        'printf "%s\\n" "$out"\n')
    wrapper.chmod(0o755)
    env = dict(os.environ, REAL_CLI=CLI)
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "crosscheck.py")
    p = subprocess.run([sys.executable, script, "--cli", str(wrapper), "--vectors", VECTORS,
                        "--count", "20", "--kdf-count", "2", "--seed", "1"],
                       capture_output=True, text=True, env=env)
    assert p.returncode == 1, p.stdout + p.stderr
    assert "MISMATCH" in p.stdout and "--type enc" in p.stdout
    # The same run through the real CLI passes.
    p = subprocess.run([sys.executable, script, "--cli", CLI, "--vectors", VECTORS,
                        "--count", "20", "--kdf-count", "2", "--seed", "1"],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr


# --- keys kept out of argv: --key-file, --key-env, "-" (issue 14) ---------------------

def run_in(args, stdin=None, env_add=None):
    env = dict(os.environ)
    env.update(env_add or {})
    return subprocess.run([CLI] + list(args), input=stdin, capture_output=True, text=True, env=env)


def key_sources(tmp_path, opt, key_hex):
    """(label, argv of the key, stdin, env) for every way to give one key; the file, the
    variable and stdin carry blanks and newlines around the hex, and upper case."""
    f = tmp_path / "key.hex"
    f.write_text("  \n" + key_hex.upper() + " \r\n\n")
    return [
        ("hex", [opt, key_hex], None, None),
        ("file", ["--key-file", str(f)], None, None),
        ("env", ["--key-env", "AIOTSEC_TEST_KEY"], None, {"AIOTSEC_TEST_KEY": "\t" + key_hex + "\n"}),
        ("stdin", [opt, "-"], "\n" + key_hex + "\n", None),
    ]


@pytest.mark.parametrize("i", range(len(AIOT_ROWS)))
def test_key_sources_agree_with_reference(tmp_path, i):
    """Every key source gives the reference implementation's RES_AIOT, K_AIOTF and keys."""
    row = AIOT_ROWS[i]
    h = {k: bytes.fromhex(v) for k, v in row.items()}
    rand = ["--rand-n", row["rand_n"], "--rand-d", row["rand_d"]]
    want_res = ref.res_aiot(h["k_root"], h["rand_n"], h["rand_d"]).hex()
    want_kf = ref.k_aiotf(h["k_root"], h["rand_n"], h["rand_d"]).hex()
    for label, key, stdin, env in key_sources(tmp_path, "--key", row["k_root"]):
        assert ok_value(run_in(["derive", "res", *key, *rand], stdin, env)) == want_res, label
        assert ok_value(run_in(["derive", "kaiotf", *key, *rand], stdin, env)) == want_kf, label
        fc, p0 = "a0", row["rand_n"]
        want = ref.kdf(h["k_root"], bytes.fromhex(fc), [bytes.fromhex(p0)]).hex()
        assert ok_value(run_in(["kdf", *key, "--fc", fc, "--param", p0], stdin, env)) == want, label
    for label, key, stdin, env in key_sources(tmp_path, "--kaiotf", want_kf):
        for kind, alg in (("int", 8), ("int", 2), ("enc", 2)):
            want = ref.alg_key(bytes.fromhex(want_kf), kind, alg).hex()
            out = ok_value(run_in(["derive", "algkey", *key, "--type", kind, "--alg", str(alg)], stdin, env))
            assert out == want, (label, kind, alg)


def test_key_file_32_octets_and_kdf_long_key(tmp_path):
    """A 32-octet K_AIOT_root and a 300-octet KDF key from files."""
    k32, rn, rd = bytes(range(100, 132)), bytes(range(16)), bytes(range(16, 32))
    f = tmp_path / "k32"
    f.write_text(k32.hex() + "\n")
    out = ok_value(run("derive", "res", "--key-file", str(f), "--rand-n", rn.hex(), "--rand-d", rd.hex()))
    assert out == ref.res_aiot(k32, rn, rd).hex()
    long_key = bytes(i * 7 % 256 for i in range(300))
    f.write_text(long_key.hex())
    assert ok_value(run("kdf", "--key-file", str(f), "--fc", "ff01")) == \
        ref.kdf(long_key, b"\xff\x01", []).hex()


def key_error(args, stdin=None, env_add=None):
    p = run_in(args, stdin, env_add)
    assert p.returncode == 2, (args, p.returncode, p.stdout, p.stderr)
    assert p.stdout == "" and p.stderr.startswith("aiotsec: ") and p.stderr.count("\n") == 1, p.stderr
    return p.stderr


def test_key_source_errors(tmp_path):
    secret = "5d" * 15 + "e1"  # a 16-octet key that must never be echoed
    rand = ["--rand-n", R16, "--rand-d", R16]
    f = tmp_path / "k"
    f.write_text(secret + "\n")
    # more than one source, or none
    assert "give only one of" in key_error(["derive", "res", "--key", K16, "--key-file", str(f), *rand])
    assert "give only one of" in key_error(["derive", "res", "--key-env", "X", "--key-file", str(f), *rand])
    assert "give only one of" in key_error(["derive", "algkey", "--kaiotf", "-", "--key-env", "X",
                                            "--type", "int", "--alg", "2"], stdin=KF)
    assert "missing option --key (or --key-file" in key_error(["derive", "res", *rand])
    assert "missing option --kaiotf (or --key-file" in key_error(["derive", "algkey", "--type", "int", "--alg", "2"])
    assert "missing option --key" in key_error(["kdf", "--fc", "a0"])
    # unreadable, unset, empty, too long, wrong length, not hex: the reason, never the key
    assert "cannot open" in key_error(["derive", "res", "--key-file", str(tmp_path / "none"), *rand])
    assert "cannot" in key_error(["derive", "res", "--key-file", str(tmp_path), *rand])  # a directory
    assert "not set" in key_error(["derive", "res", "--key-env", "AIOTSEC_TEST_UNSET_VARIABLE", *rand])
    (tmp_path / "empty").write_text("\n \n")
    assert "not 0" in key_error(["derive", "res", "--key-file", str(tmp_path / "empty"), *rand])
    (tmp_path / "huge").write_text("0" * 4096)
    assert "longer than any key" in key_error(["derive", "res", "--key-file", str(tmp_path / "huge"), *rand])
    f.write_text(secret + "00\n")
    err = key_error(["derive", "res", "--key-file", str(f), *rand])
    assert "16 or 32 octets, not 17" in err and "5d5d5d5d" not in err
    f.write_text(secret[:-1] + "g")
    err = key_error(["derive", "res", "--key-file", str(f), *rand])
    assert "not a hex string" in err and "5d5d5d5d" not in err
    f.write_text(secret[:-1])
    assert "odd number of hex digits" in key_error(["derive", "res", "--key-file", str(f), *rand])
    err = key_error(["derive", "res", "--key-env", "K", *rand], env_add={"K": secret + secret + "ab"})
    assert "not 33" in err and "5d5d5d5d" not in err
    err = key_error(["derive", "algkey", "--kaiotf", "-", "--type", "int", "--alg", "2"], stdin=secret * 2)
    assert "16 octets, not 32" in err and "5d5d5d5d" not in err
    assert "must be 1..65535 octets, not 0" in key_error(["kdf", "--key", "-", "--fc", "a0"], stdin="")
    # a key option a subcommand does not take
    assert "unknown option" in key_error(["version", "--key-file", str(f)])
    assert "not accepted" in key_error(["nas", "decode", "--key-env", "K", "7a00"])


def test_help_puts_the_safe_key_sources_first():
    for argv, opt in ((["derive", "res", "--help"], "--key"), (["derive", "algkey", "--help"], "--kaiotf"),
                      (["kdf", "--help"], "--key")):
        out = run(*argv).stdout
        assert out.index("--key-file PATH") < out.index("--key-env NAME") < out.index(opt + " -") \
            < out.index(opt + " HEX  ")
    assert "--key-file PATH" in run("nas", "--help").stdout


# --- derive --json ----------------------------------------------------------------------

@pytest.mark.parametrize("backend", BACKENDS)
def test_derive_json(backend):
    """--json: one JSON object on one line with the value the reference computes."""
    import json
    for row in AIOT_ROWS:
        h = {k: bytes.fromhex(v) for k, v in row.items()}
        rand = ["--rand-n", row["rand_n"], "--rand-d", row["rand_d"], "--backend", backend]
        for sub, name, want in (("res", "res", ref.res_aiot(h["k_root"], h["rand_n"], h["rand_d"])),
                                ("kaiotf", "kaiotf", ref.k_aiotf(h["k_root"], h["rand_n"], h["rand_d"]))):
            p = run("derive", sub, "--key", row["k_root"], "--json", *rand)
            assert p.returncode == 0 and p.stderr == "" and p.stdout.count("\n") == 1, p.stderr
            assert json.loads(p.stdout) == {name: want.hex()}
        for kind, alg in (("int", 8), ("int", 2), ("enc", 2), ("enc", 15)):
            p = run("derive", "algkey", "--json", "--kaiotf", row["k_aiotf"], "--type", kind,
                    "--alg", "0x%x" % alg if alg == 15 else str(alg), "--backend", backend)
            assert p.returncode == 0 and p.stderr == "", p.stderr
            assert json.loads(p.stdout) == {"type": kind, "alg": alg,
                                            "algkey": ref.alg_key(h["k_aiotf"], kind, alg).hex()}


def test_derive_json_flag_errors():
    assert "takes no value" in key_error(["derive", "res", "--json=yes", "--key", K16, *RAND])
    assert "more than once" in key_error(["derive", "res", "--json", "--json", "--key", K16, *RAND])
    assert "unknown option" in key_error(["kdf", "--json", "--key", "00", "--fc", "a0"])
    with open("/dev/full", "w") as full:
        p = subprocess.run([CLI, "derive", "res", "--json", "--key", K16, *RAND], stdout=full,
                           stderr=subprocess.PIPE, text=True)
    assert p.returncode == 1


# --- nas decode - (and the message from stdin for protect/unprotect) ---------------------

NAS_ROWS = ref.read_tsv(os.path.join(VECTORS, "aiot-nas-profile0.tsv"))
# A backend with AES (128-NIA2/NEA2), or None: `aiotsec version` lists the capabilities.
AES_BACKEND = next((ln.split(":")[0] for ln in run("version").stdout.splitlines()[3:]
                    if " aes128" in ln), None)


def random_nas_messages(n, seed=14):
    import random
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        t = rng.choice(list(ref.NAS_TYPES))
        if t == "AUTHENTICATION_RESPONSE":
            m = {"type": t, "res": rng.randbytes(ref.RES_LEN).hex(), "rand_d": rng.randbytes(ref.RAND_D_LEN).hex()}
        elif t == "COMMAND_REQUEST":
            c = rng.choice(list(ref.NAS_COMMANDS))
            m = {"type": t, "transaction_id": rng.randrange(256), "command": c}
            if c != "PERMANENT_DISABLE":
                m["offset"] = rng.randrange(65536)
            if c == "READ":
                m["length"] = rng.randrange(1, 1025)
            if c == "WRITE":
                m["data"] = rng.randbytes(rng.randrange(1, 300)).hex()
        else:
            status = rng.choice([0] + list(ref.NAS_CAUSES))
            m = {"type": t, "transaction_id": rng.randrange(256), "status": status}
            if status in ref.NAS_CAUSES:
                m["cause"] = ref.NAS_CAUSES[status]
            if rng.random() < 0.5:
                m["data"] = rng.randbytes(rng.randrange(1, 200)).hex()
        out.append(m)
    return out


def test_nas_decode_stdin_matches_reference():
    """The reference encoder's message, as hex on stdin (blanks around it), decodes to the message."""
    import json
    for m in random_nas_messages(60):
        wire = ref.nas_encode(m).hex()
        p = run_in(["nas", "decode", "-"], stdin="\n  " + wire + "\t\n")
        assert p.returncode == 0 and p.stderr == "", (m, p.stderr)
        assert json.loads(p.stdout) == m
        assert p.stdout == run("nas", "decode", wire).stdout  # the same as the argument form


def test_nas_encode_pipes_into_decode():
    """aiotsec nas encode | aiotsec nas decode -, through a real pipe."""
    import json
    for m in random_nas_messages(12, seed=41):
        enc = subprocess.Popen([CLI, "nas", "encode"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        dec = subprocess.Popen([CLI, "nas", "decode", "-"], stdin=enc.stdout, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
        enc.stdout.close()
        enc.stdin.write(json.dumps(m))
        enc.stdin.close()
        out, err = dec.communicate()
        assert enc.wait() == 0 and dec.returncode == 0, err
        assert json.loads(out) == m


def test_nas_vectors_through_stdin_and_key_file(tmp_path):
    """The profile 0 NAS vectors: decode - of plain and protected messages, protect with
    --key-file and the message on stdin, unprotect with --key-env and the message on stdin."""
    import json
    kf = tmp_path / "kaiotf"
    for r in NAS_ROWS:
        p = run_in(["nas", "decode", "-"], stdin=r["plain"] + "\n")
        assert p.returncode == 0 and p.stdout == run("nas", "decode", r["plain"]).stdout, p.stderr
        if r["k_aiotf"] == "-":
            continue
        d = "r2d" if r["direction"] == "1" else "d2r"
        algs = ["--int-alg", r["int_alg"], "--enc-alg", r["enc_alg"], "--dir", d]
        if "2" in (r["int_alg"], r["enc_alg"]):  # 128-NIA2 / 128-NEA2 need AES
            if not AES_BACKEND:
                continue
            algs += ["--backend", AES_BACKEND]
        kf.write_text(r["k_aiotf"] + "\n")
        out = ok_value(run_in(["nas", "protect", "--key-file", str(kf), "--count", r["count"], *algs, "-"],
                              stdin=r["plain"]))
        assert out == r["protected"], r["name"]
        p = run_in(["nas", "unprotect", "--key-env", "KF", *algs, "-"], stdin=r["protected"] + "\n",
                   env_add={"KF": r["k_aiotf"]})
        assert ok_value(p) == r["plain"], r["name"]
        j = json.loads(run_in(["nas", "decode", "-"], stdin=r["protected"]).stdout)
        assert j["payload"] == r["protected"][14:] and j["sqn"] == int(r["count"]) % 256


def test_nas_stdin_errors():
    assert "no message" in key_error(["nas", "decode", "-"], stdin=" \n")
    assert "not hex" in key_error(["nas", "decode", "-"], stdin="7a0")
    assert "not hex" in key_error(["nas", "decode", "-"], stdin="7a 00")
    # The CLI takes any profile's largest message (65,535 octets); profile 0's limit is the decoder's.
    assert "exceeds the maximum size" in key_error(["nas", "decode", "-"], stdin="00" * 4097)
    assert "longer than 65535 octets" in key_error(["nas", "decode", "-"], stdin="00" * 65536)
    assert "HEX argument missing" in key_error(["nas", "decode"])
    err = key_error(["nas", "protect", "--kaiotf", "-", "--count", "0", "--dir", "r2d", "-"], stdin=KF)
    assert "cannot carry both" in err
    assert "more than one argument" in key_error(["nas", "decode", "-", "-"])
    assert "16 octets" in key_error(["nas", "protect", "--key-env", "K", "--count", "0", "--dir", "r2d",
                                     "7a0042070100200010"], env_add={"K": "00" * 32})


# --- aiotsec keys add/rekey: --key-file and --key-env ---------------------------------

def test_keys_add_from_key_file_and_env(tmp_path):
    db, kek = str(tmp_path / "db"), str(tmp_path / "kek")
    keys = {"a10001": "11" * 16, "a10002": "22" * 32, "a10003": "33" * 16}
    assert run("keys", "init", "--db", db, "--kek-file", kek, "--map-size", "16777216").returncode == 0
    f = tmp_path / "k1"
    f.write_text(keys["a10001"] + "\n")
    assert run_in(["keys", "add", "--db", db, "--kek-file", kek, "--key-file", str(f), "a10001"]).returncode == 0
    assert run_in(["keys", "add", "--db", db, "--kek-file", kek, "--key-env", "K", "a10002"],
                  env_add={"K": keys["a10002"]}).returncode == 0
    assert run_in(["keys", "add", "--db", db, "--kek-file", kek, "a10003"], stdin=keys["a10003"]).returncode == 0
    p = run_in(["keys", "rekey", "--db", db, "--kek-file", kek, "--key-file", str(f), "a10003"])
    assert p.returncode == 0, p.stderr
    assert run("keys", "count", "--db", db).stdout == "3\n"
    assert run("keys", "verify", "--db", db, "--kek-file", kek).returncode == 0
    f.write_text("0011\n")
    err = key_error(["keys", "add", "--db", db, "--kek-file", kek, "--key-file", str(f), "a10004"])
    assert "64 hex digits" in err
    assert "give only one of" in key_error(["keys", "add", "--db", db, "--kek-file", kek, "--key-file",
                                            str(f), "--key-env", "K", "a10004"])
    assert "go with add and rekey" in key_error(["keys", "count", "--db", db, "--key-file", str(f)])


# --- one option syntax for every command ------------------------------------------

def test_every_command_takes_opt_equals_value():
    """demo, inventory and bench parse "--name=value" as the other commands do (issue 14:
    one option parser), and a flag given a value is refused."""
    p = run("demo", "--count=3", "--backend=native")
    assert p.returncode == 0 and "result:             OK" in p.stdout, (p.returncode, p.stderr)
    p = run("demo", "--json=1")
    assert p.returncode == 2 and "takes no value" in p.stderr, p.stderr
    # Parsed, then refused for what is missing (not as an unknown option).
    p = run("inventory", "--adm=http://127.0.0.1:9")
    assert p.returncode == 2 and "--devices KEYFILE are required" in p.stderr, p.stderr
    p = run("inventory", "--adm=http://127.0.0.1:9", "--devices=/nonexistent", "--count=0")
    assert p.returncode == 2 and "a positive number" in p.stderr, p.stderr
    p = run("bench", "--batch=1")
    assert p.returncode == 2 and "--batch wants" in p.stderr, p.stderr
    p = run("bench", "--json=1")                     # the shared parser's own message
    assert p.returncode == 2 and "takes no value" in p.stderr, p.stderr


def test_bench_is_its_own_program():
    """`aiotsec bench` runs aiotsec-bench, built beside aiotsec; the CLI itself links
    neither libsodium nor the bench (issue 14: the bench as its own program)."""
    exe = os.path.realpath(CLI)
    bench = os.path.join(os.path.dirname(exe), "aiotsec-bench")
    assert os.access(bench, os.X_OK), bench
    p = run("bench", "--help")
    assert p.returncode == 0 and p.stdout.startswith("usage: aiotsec bench"), (p.returncode, p.stderr)
    needed = subprocess.run(["readelf", "-d", exe], capture_output=True, text=True, check=True).stdout
    assert "libsodium" not in needed, needed
    syms = subprocess.run(["nm", exe], capture_output=True, text=True, check=True).stdout
    assert "bench_main" not in syms
