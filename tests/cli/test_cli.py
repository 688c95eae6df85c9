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
