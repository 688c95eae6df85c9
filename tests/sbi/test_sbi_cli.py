"""`aiotsec adm` (libaiotsec-sbi through the CLI), run by ctest through pytest.

Every body the command prints is validated against the normative OpenAPI schemas
(TS 29.369 responses, TS 29.571 ProblemDetails; see openapi_schema.py), strictly:
no member the schema does not name. Checked besides: the Nadm_Sec vectors on every
backend, the exit codes (0 success body, 1 ProblemDetails, 2 unusable input with
one line on stderr and nothing on stdout), the HTTP statuses and the member a 400
names.

Environment: AIOTSEC_CLI (the executable), AIOTSEC_VECTORS_DIR, AIOTSEC_OPENAPI_DIR.
"""
import base64
import json
import os
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import openapi_schema  # noqa: E402

CLI = os.environ.get("AIOTSEC_CLI")
VECTORS = os.environ.get("AIOTSEC_VECTORS_DIR")
OPENAPI = os.environ.get("AIOTSEC_OPENAPI_DIR") or (VECTORS and os.path.join(VECTORS, "..", "spec", "3gpp-openapi"))
if not CLI or not VECTORS:
    raise RuntimeError("set AIOTSEC_CLI and AIOTSEC_VECTORS_DIR (ctest does)")
# Under valgrind (stage 35) every CLI process is slow: the long inputs run at a reduced size.
REDUCED = os.environ.get("AIOTSEC_TEST_REDUCED") == "1"

with open(os.path.join(VECTORS, "nadm-sec-profile0.json"), encoding="utf-8") as _f:
    VEC = json.load(_f)

API = openapi_schema.OpenApi(OPENAPI)
SEC = "TS29369_Nadm_Sec.yaml"
RESPONSE = {
    "get-rand": openapi_schema.validator(API, SEC, "GetRandResponse", strict=True),
    "get-authentication": openapi_schema.validator(API, SEC, "GetAuthenticationResponse", strict=True),
    "get-session-key": openapi_schema.validator(API, SEC, "GetSessionKeyResponse", strict=True),
    "get-tid": openapi_schema.validator(API, SEC, "GetTidResponse", strict=True),
}
# ProblemDetails refers to TS29510 (accessTokenError, accessTokenRequest, noProfileMatchInfo),
# which is not among the files we have: those three properties are pruned (never emitted here).
PROBLEM = openapi_schema.validator(API, "TS29571_CommonData.yaml", "ProblemDetails", strict=True,
                                   prune_missing=True)
PRUNED = list(API.pruned)

RN = VEC["getAuthentication"][0]["request"]["randN"]
RD = VEC["getAuthentication"][0]["request"]["randDlist"][0]
DEV1 = VEC["devices"][0]["aiotDevPermId"]


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    """The vectors' key store as a key file (hex Permanent Identifier, hex K_AIOT_root)."""
    path = tmp_path_factory.mktemp("keys") / "keys.txt"
    lines = ["# the six devices of nadm-sec-profile0.json"]
    for d in VEC["devices"]:
        lines.append(f"{base64.b64decode(d['aiotDevPermId']).hex()}  {d['kAiotRoot']}")
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def adm(op, body, keys, *extra):
    """Runs `aiotsec adm OP --keys KEYS ...` with body (a dict, str or bytes) on stdin."""
    if isinstance(body, dict):
        body = json.dumps(body)
    if isinstance(body, str):
        body = body.encode()
    return subprocess.run([CLI, "adm", op, "--keys", keys, *extra], input=body, capture_output=True)


def success(op, p):
    """Exit 0, one line: a body valid against the operation's response schema."""
    assert p.returncode == 0, p.stderr.decode() + p.stdout.decode()[:500]
    assert p.stderr == b""
    text = p.stdout.decode()
    assert text.endswith("\n") and text.count("\n") == 1
    body = json.loads(text)
    errors = [e.message for e in RESPONSE[op].iter_errors(body)]
    assert not errors, errors[:5]
    return body


def problem(p, status, cause, param=None):
    """Exit 1, one line: a ProblemDetails valid against TS 29.571, with this status and cause."""
    assert p.returncode == 1, (p.returncode, p.stderr, p.stdout[:300])
    assert p.stderr == b""
    body = json.loads(p.stdout.decode())
    errors = [e.message for e in PROBLEM.iter_errors(body)]
    assert not errors, errors[:5]
    assert body["status"] == status, body
    assert body["cause"] == cause, body
    if status == 400:
        assert body["invalidParams"][0]["param"] == param, body
    else:
        assert "invalidParams" not in body or param is not None
    return body


def unusable(p, *words):
    """Exit 2: nothing on stdout, one line on stderr mentioning the words."""
    assert p.returncode == 2, (p.returncode, p.stdout[:300])
    assert p.stdout == b""
    err = p.stderr.decode()
    assert err.count("\n") == 1, err
    for w in words:
        assert w in err, err
    return err


def same_candidates(want, got):
    """Sets in order, candidates in any order."""
    assert len(got["authDataSets"]) == len(want["authDataSets"])
    for w, g in zip(want["authDataSets"], got["authDataSets"]):
        assert g["randD"] == w["randD"]
        key = lambda e: (e["xres"], e.get("aiotDevPermId", ""))  # noqa: E731
        assert sorted(map(key, g["authDataSet"])) == sorted(map(key, w["authDataSet"]))
        assert all(set(e) <= {"xres", "aiotDevPermId"} for e in g["authDataSet"])


def backends():
    out = subprocess.run([CLI, "version"], capture_output=True, text=True).stdout.splitlines()
    line = next(x for x in out if x.startswith("backends:"))
    return line.split()[1:]


# --- the validator itself ------------------------------------------------------------------

def test_resolver_prunes_exactly_the_missing_references():
    assert sorted(PRUNED) == ["accessTokenError", "accessTokenRequest", "noProfileMatchInfo"]
    with pytest.raises(openapi_schema.MissingFile):
        API.schema("TS29571_CommonData.yaml", "ProblemDetails")


def test_the_schemas_reject_what_they_should():
    """The validators are live: each of these breaks the schema in one way."""
    bad = [
        ("get-rand", {"randN": RN[:-1]}),
        ("get-rand", {"randN": RN, "extra": 1}),
        ("get-session-key", {"kAiotf": RN + "00"}),
        ("get-authentication", {"authDataSets": []}),
        ("get-authentication", {"authDataSets": [{"randD": RD, "authDataSet": [{"xres": "abc"}]}]}),
        ("get-authentication", {"authDataSets": [{"randD": RD, "authDataSet": [{"xres": RD, "aiotDevPermId": "oQ"}]}]}),
        ("get-tid", {"tid": RN}),
    ]
    for op, body in bad:
        assert list(RESPONSE[op].iter_errors(body)), (op, body)
    assert list(PROBLEM.iter_errors({"status": "400"}))
    assert list(PROBLEM.iter_errors({"status": 400, "invalidParams": []}))


# --- the vectors, on every backend -----------------------------------------------------------

@pytest.mark.parametrize("backend", backends())
def test_vectors(keys, backend):
    for case in VEC["getAuthentication"]:
        got = success("get-authentication", adm("get-authentication", case["request"], keys, "--backend", backend))
        same_candidates(case["response"], got)
    for case in VEC["getSessionKey"]:
        got = success("get-session-key", adm("get-session-key", case["request"], keys, "--backend", backend))
        assert got == case["response"]


def test_get_rand_and_get_tid(keys):
    a = success("get-rand", adm("get-rand", b"", keys))
    b = success("get-rand", adm("get-rand", b"", keys))
    assert a["randN"] != b["randN"]
    assert a["randN"] == a["randN"].lower()
    for body in ({"aiotDevPermId": DEV1}, {"aiotDevPermId": DEV1, "resyncInd": True},
                 {"aiotDevPermId": DEV1, "resyncInd": False}):
        t = success("get-tid", adm("get-tid", body, keys))
        assert t["tidHandInfo"] == {"tidType": "STORED"}


def test_option_forms_and_old_key_files(keys, tmp_path):
    case = VEC["getSessionKey"][0]
    got = success("get-session-key", adm("get-session-key", case["request"], keys, "--max-derivations=16"))
    assert got == case["response"]
    old = tmp_path / "old.txt"  # version 0.1's three columns: the first is ignored
    old.write_text("".join(f"{i:02x} {base64.b64decode(d['aiotDevPermId']).hex()}\t{d['kAiotRoot']}  # dev\n"
                           for i, d in enumerate(VEC["devices"])))
    p = subprocess.run([CLI, "adm", "get-session-key", f"--keys={old}"], input=json.dumps(case["request"]).encode(),
                       capture_output=True)
    assert success("get-session-key", p) == case["response"]


def test_vectors_from_the_key_database(keys, tmp_path):
    # --db: the same answers as --keys, from sealed records (libaiotsec-keydb)
    db, kek = tmp_path / "db", tmp_path / "kek"
    custody = ["--db", str(db), "--kek-file", str(kek)]
    for cmd in (["init"], ["import", keys]):
        p = subprocess.run([CLI, "keys", *cmd, *custody], capture_output=True)
        assert p.returncode == 0, p.stderr.decode()
    for case in VEC["getAuthentication"]:
        p = subprocess.run([CLI, "adm", "get-authentication", *custody], input=json.dumps(case["request"]).encode(),
                           capture_output=True)
        same_candidates(case["response"], success("get-authentication", p))
    for case in VEC["getSessionKey"]:
        p = subprocess.run([CLI, "adm", "get-session-key", *custody], input=json.dumps(case["request"]).encode(),
                           capture_output=True)
        assert success("get-session-key", p) == case["response"]


# --- refusals: ProblemDetails, exit 1 --------------------------------------------------------

AUTH = {"aiotDevPermId": DEV1, "randN": RN, "randDlist": [RD]}
BAD = [
    ("get-authentication", {**AUTH, "randN": "zz" + RN[2:]}, "MANDATORY_IE_INCORRECT", "/randN"),
    ("get-authentication", {**AUTH, "randDlist": [RD, RD[:-1]]}, "MANDATORY_IE_INCORRECT", "/randDlist/1"),
    ("get-authentication", {**AUTH, "aiotDevPermId": "oQAAAAE"}, "MANDATORY_IE_INCORRECT", "/aiotDevPermId"),
    ("get-authentication", {**AUTH, "aiotDevPermId": "oQAAAAF="}, "MANDATORY_IE_INCORRECT", "/aiotDevPermId"),
    ("get-authentication", {**AUTH, "filteringInfo": "DKEA"}, "MANDATORY_IE_INCORRECT", "/aiotDevPermId"),
    ("get-authentication", {"randN": RN, "randDlist": [RD]}, "MANDATORY_IE_MISSING", "/aiotDevPermId"),
    ("get-authentication", {**AUTH, "randDlist": []}, "MANDATORY_IE_INCORRECT", "/randDlist"),
    ("get-authentication", {**AUTH, "randDlist": RD}, "MANDATORY_IE_INCORRECT", "/randDlist"),
    ("get-authentication", {**AUTH, "randN": 1}, "MANDATORY_IE_INCORRECT", "/randN"),
    ("get-authentication", {**AUTH, "x~y": 1}, "INVALID_MSG_FORMAT", "/x~0y"),
    ("get-authentication", {"aiotDevPermId": DEV1, "randDlist": [RD]}, "MANDATORY_IE_MISSING", "/randN"),
    ("get-authentication", {"filteringInfo": "AKE=", "randN": RN, "randDlist": [RD]}, "MANDATORY_IE_INCORRECT",
     "/filteringInfo"),
    ("get-authentication", [AUTH], "INVALID_MSG_FORMAT", ""),
    ("get-session-key", {"aiotDevPermId": DEV1, "randN": RN}, "MANDATORY_IE_MISSING", "/randD"),
    ("get-tid", {"aiotDevPermId": DEV1, "resyncInd": 1}, "OPTIONAL_IE_INCORRECT", "/resyncInd"),
    ("get-tid", {}, "MANDATORY_IE_MISSING", "/aiotDevPermId"),
]


@pytest.mark.parametrize("op,body,cause,param", BAD)
def test_malformed_is_400(keys, op, body, cause, param):
    problem(adm(op, json.dumps(body), keys), 400, cause, param)


def test_one_megabyte_string_is_400(keys):
    n = 1 << 16 if REDUCED else 1 << 20
    problem(adm("get-authentication", {**AUTH, "randN": "a" * n}, keys), 400, "MANDATORY_IE_INCORRECT", "/randN")


def test_not_found_is_404(keys):
    problem(adm("get-authentication", {**AUTH, "aiotDevPermId": "AQID"}, keys), 404, "AIOT_DEVICE_NOT_FOUND")
    problem(adm("get-authentication", {"filteringInfo": "CMM=", "randN": RN, "randDlist": [RD]}, keys), 404,
            "AIOT_DEVICE_NOT_FOUND")
    problem(adm("get-session-key", {"aiotDevPermId": "AQID", "randN": RN, "randD": RD}, keys), 404,
            "AIOT_DEVICE_NOT_FOUND")
    problem(adm("get-tid", {"aiotDevPermId": "AQID"}, keys), 404, "AIOT_DEVICE_NOT_FOUND")


def test_too_many_derivations_is_413(keys):
    group = VEC["getAuthentication"][0]["request"]  # 4 candidates x 3 RAND_AIOT_d
    problem(adm("get-authentication", group, keys, "--max-derivations", "11"), 413, "TOO_MANY_DERIVATIONS")
    got = success("get-authentication", adm("get-authentication", group, keys, "--max-derivations", "12"))
    same_candidates(VEC["getAuthentication"][0]["response"], got)


def long_list(n):
    return {**AUTH, "randDlist": [f"{i:032x}" for i in range(n)]}


def test_ten_thousand_rand_d(keys):
    n = 1000 if REDUCED else 10000
    got = success("get-authentication", adm("get-authentication", long_list(n), keys))
    assert [s["randD"] for s in got["authDataSets"]] == [f"{i:032x}" for i in range(n)]
    assert all(len(s["authDataSet"]) == 1 and "aiotDevPermId" not in s["authDataSet"][0] for s in got["authDataSets"])
    body = problem(adm("get-authentication", long_list(n), keys, "--max-derivations", str(n - 1)), 413,
                   "TOO_MANY_DERIVATIONS", "/randDlist")
    assert "invalidParams" in body


def test_body_over_the_limit_is_413(keys):
    # refused on its length, before any parsing: cheap even under valgrind
    body = json.dumps({**AUTH, "pad": " " * (4 << 20)})
    problem(adm("get-authentication", body, keys), 413, "PAYLOAD_TOO_LARGE")


# --- unusable input: exit 2 -----------------------------------------------------------------

@pytest.mark.parametrize("body", [b"", b"   \n", b"not json", b"{\"aiotDevPermId\":", b"{} {}", b"\xff\xfe"])
def test_not_json_exits_2(keys, body):
    unusable(adm("get-authentication", body, keys), "not JSON")


def test_key_file_problems_exit_2(tmp_path, keys):
    unusable(adm("get-rand", b"", str(tmp_path / "absent.txt")), "absent.txt", "could not be opened")
    bad = tmp_path / "bad.txt"
    bad.write_text("# ok\n0a01 " + "00" * 16 + "\n0a02 0011\n")
    unusable(adm("get-rand", b"", str(bad)), "bad.txt:3")
    dup = tmp_path / "dup.txt"
    dup.write_text("0a01 " + "00" * 16 + "\n0a01 " + "11" * 16 + "\n")
    unusable(adm("get-rand", b"", str(dup)), "dup.txt:2")


def test_usage_exits_2(keys):
    unusable(subprocess.run([CLI, "adm"], capture_output=True), "missing the operation")
    unusable(subprocess.run([CLI, "adm", "get-everything", "--keys", keys], capture_output=True), "unknown operation")
    unusable(subprocess.run([CLI, "adm", "get-rand"], capture_output=True), "--keys")
    unusable(subprocess.run([CLI, "adm", "get-rand", "--keys", "-"], capture_output=True), "stdin")
    unusable(subprocess.run([CLI, "adm", "get-rand", "--keys", keys, "--db", "x"], capture_output=True), "--db")
    unusable(subprocess.run([CLI, "adm", "get-rand", "--keys", keys, "--max-derivations", "0"], capture_output=True),
             "--max-derivations")
    unusable(subprocess.run([CLI, "adm", "get-rand", "--keys", keys, "--backend", "nope"], capture_output=True),
             "nope")
    h = subprocess.run([CLI, "adm", "--help"], capture_output=True, text=True)
    assert h.returncode == 0 and "get-authentication" in h.stdout


def test_no_secret_on_stderr_or_in_problems(keys):
    """K_AIOT_root never appears; XRES_AIOT and K_AIOTF only in the success bodies asked for."""
    secrets = [d["kAiotRoot"] for d in VEC["devices"]]
    secrets += [e["xres"] for c in VEC["getAuthentication"] for s in c["response"]["authDataSets"]
                for e in s["authDataSet"]]
    secrets += [c["response"]["kAiotf"] for c in VEC["getSessionKey"]]
    outputs = [adm("get-authentication", {**AUTH, "randN": "zz"}, keys),
               adm("get-session-key", {"aiotDevPermId": DEV1, "randN": RN}, keys),
               adm("get-authentication", VEC["getAuthentication"][0]["request"], keys, "--max-derivations", "1"),
               adm("get-authentication", b"{", keys)]
    for p in outputs:
        text = (p.stdout + p.stderr).decode().lower()
        assert not any(s in text for s in secrets)
