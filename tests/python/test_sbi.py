"""aiotsec.sbi, the ctypes binding of libaiotsec-sbi: dicts in, dicts out.

The Nadm_Sec vectors as dicts through the handler; every body the library emits
here (responses, ProblemDetails, and the AIOTF's request bodies) validated
against the OpenAPI schemas (tests/sbi/openapi_schema.py); random group
inventories checked against XRES_AIOT and filter matching computed in Python
from the spec (sections 3 and 6.2); the AIOTF-side readers and mappings.

Environment: AIOTSEC_SBI_LIBRARY and AIOTSEC_LIBRARY (ctest sets both), AIOTSEC_VECTORS_DIR.
"""
import base64
import hashlib
import hmac
import json
import os
import pathlib
import random
import sys

import pytest

from aiotsec import sbi

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "sbi"))
import openapi_schema  # noqa: E402

VECTORS = pathlib.Path(os.environ.get("AIOTSEC_VECTORS_DIR") or REPO.parent / "shared" / "vectors")
VEC = json.loads((VECTORS / "nadm-sec-profile0.json").read_text())
API = openapi_schema.OpenApi(str(VECTORS.parent / "spec" / "3gpp-openapi"))
SEC = "TS29369_Nadm_Sec.yaml"
SCHEMA = {name: openapi_schema.validator(API, SEC, name, strict=True)
          for name in ("GetRandResponse", "GetAuthenticationRequest", "GetAuthenticationResponse",
                       "GetSessionKeyRequest", "GetSessionKeyResponse", "GetTidRequest", "GetTidResponse")}
# TS29510 (access tokens, NF discovery) is not among the files: those three properties are pruned.
SCHEMA["ProblemDetails"] = openapi_schema.validator(API, "TS29571_CommonData.yaml", "ProblemDetails", strict=True,
                                                    prune_missing=True)
RESPONSE = {1: "GetRandResponse", 2: "GetAuthenticationResponse", 3: "GetSessionKeyResponse", 4: "GetTidResponse"}


def valid(schema, body):
    errors = [e.message for e in SCHEMA[schema].iter_errors(body)]
    assert not errors, (schema, errors[:5], str(body)[:300])
    return body


def answered(adm, op, body):
    """handle() with every emitted body validated: the response schema on 200, ProblemDetails otherwise."""
    status, out = sbi.handle(adm, op, body)
    if status == 200:
        valid(RESPONSE[sbi.op_of(op)], out)
    else:
        valid("ProblemDetails", out)
        assert out["status"] == status
    return status, out


def vector_keys():
    return [(base64.b64decode(d["aiotDevPermId"]), bytes.fromhex(d["kAiotRoot"])) for d in VEC["devices"]]


@pytest.fixture
def adm():
    with sbi.Adm(vector_keys()) as a:
        yield a


def candidates(body):
    return [(s["randD"], sorted((e["xres"], e.get("aiotDevPermId")) for e in s["authDataSet"]))
            for s in body["authDataSets"]]


# --- the vectors --------------------------------------------------------------------------

def test_vectors_through_the_handler(adm):
    for case in VEC["getAuthentication"]:
        status, got = answered(adm, "getAuthentication", case["request"])
        assert status == 200
        assert candidates(got) == candidates(case["response"])
    for case in VEC["getSessionKey"]:
        assert answered(adm, "getSessionKey", case["request"]) == (200, case["response"])


def test_vectors_from_key_file_text_and_any_operation_name():
    text = "".join(f"{p.hex()} {k.hex()}\n" for p, k in vector_keys())
    case = VEC["getSessionKey"][0]
    with sbi.Adm(text, backend="native") as a:
        for op in ("getSessionKey", "/get-session-key", "get-session-key", 3, "/nadm-sec/v1/get-session-key"):
            assert answered(a, op, case["request"]) == (200, case["response"])


def test_vectors_read_back_on_the_aiotf_side():
    for case in VEC["getAuthentication"]:
        sets = sbi.parse_auth_response(case["response"])
        assert [s[0].hex() for s in sets] == [s["randD"] for s in case["response"]["authDataSets"]]
        again = sbi.auth_response_body(sets)
        assert candidates(valid("GetAuthenticationResponse", again)) == candidates(case["response"])
    k = sbi.parse_session_key_response(VEC["getSessionKey"][0]["response"])
    assert k.hex() == VEC["getSessionKey"][0]["response"]["kAiotf"]


# --- random group inventories against Python's own reading of the spec ----------------------

def xres_ref(k_root, rand_n, rand_d, res_len=16):
    s = b"\xa0" + rand_n + len(rand_n).to_bytes(2, "big") + rand_d + len(rand_d).to_bytes(2, "big")
    return hmac.new(k_root, s, hashlib.sha256).digest()[-res_len:]


def matches(filt, perm_id):
    bits = filt[0]
    if len(perm_id) * 8 < bits:
        return False
    want = int.from_bytes(filt[1:], "big") >> (8 * (len(filt) - 1) - bits)
    have = int.from_bytes(perm_id, "big") >> (8 * len(perm_id) - bits)
    return want == have


def make_filter(perm_id, bits):
    n = (bits + 7) // 8
    prefix = bytearray(perm_id[:n])
    if bits % 8:
        prefix[-1] &= (0xFF << (8 - bits % 8)) & 0xFF
    return bytes([bits]) + bytes(prefix)


def test_random_group_inventories():
    rng = random.Random(20261130)
    devices = {}
    while len(devices) < 40:
        perm = bytes([0xA1, rng.choice([0x00, 0x0F, 0x80])]) + rng.randbytes(rng.randint(1, 6))
        devices[perm] = rng.randbytes(rng.choice([16, 32]))
    with sbi.Adm(list(devices.items())) as a:
        for _ in range(25):
            some = rng.choice(list(devices))
            filt = make_filter(some, rng.randint(1, min(40, 8 * len(some))))
            rand_n = rng.randbytes(16)
            rand_d = [rng.randbytes(16) for _ in range(rng.randint(1, 5))]
            req = valid("GetAuthenticationRequest",
                        sbi.request_body("getAuthentication", filter=filt, rand_n=rand_n, rand_d=rand_d))
            status, got = answered(a, "getAuthentication", req)
            assert status == 200
            group = [p for p in devices if matches(filt, p)]
            assert some in group
            want = [(rd.hex(), sorted((xres_ref(devices[p], rand_n, rd).hex(), base64.b64encode(p).decode())
                                      for p in group)) for rd in rand_d]
            assert candidates(got) == want


# --- every body the library emits matches the schemas ----------------------------------------

def test_get_rand_and_get_tid_bodies(adm):
    a = answered(adm, "getRand", None)[1]
    assert a != answered(adm, "getRand", {})[1]
    dev = VEC["devices"][0]["aiotDevPermId"]
    first = answered(adm, "getTid", {"aiotDevPermId": dev})[1]
    assert "tidPrevious" not in first
    second = answered(adm, "getTid", {"aiotDevPermId": dev, "resyncInd": False})[1]
    assert second["tidPrevious"] == first["tid"]
    again = answered(adm, "getTid", {"aiotDevPermId": dev, "resyncInd": True})[1]
    assert again == second
    parsed = sbi.parse_tid_response(again)
    assert parsed["tid"].hex() == again["tid"] and parsed["tid_previous"].hex() == first["tid"]
    assert parsed["tid_type"] == 1


@pytest.mark.parametrize("op,body,status,cause,param", [
    ("getAuthentication", {"randN": "00" * 16, "randDlist": ["00" * 16]}, 400, "MANDATORY_IE_MISSING",
     "/aiotDevPermId"),
    ("getAuthentication", {"aiotDevPermId": "oQAAAAE=", "randN": "00" * 16, "randDlist": ["0" * 31]}, 400,
     "MANDATORY_IE_INCORRECT", "/randDlist/0"),
    ("getAuthentication", {"aiotDevPermId": "AQID", "randN": "00" * 16, "randDlist": ["00" * 16]}, 404,
     "AIOT_DEVICE_NOT_FOUND", None),
    ("getAuthentication", {"filteringInfo": "CMM=", "randN": "00" * 16, "randDlist": ["00" * 16]}, 404,
     "AIOT_DEVICE_NOT_FOUND", None),
    ("getSessionKey", {"aiotDevPermId": "oQAAAAE=", "randN": "00" * 16, "randD": "00" * 16, "k": 1}, 400,
     "INVALID_MSG_FORMAT", "/k"),
    ("getTid", "not json", 400, "INVALID_MSG_FORMAT", ""),
    ("getRand", [], 400, "INVALID_MSG_FORMAT", ""),
])
def test_problem_bodies(adm, op, body, status, cause, param):
    got_status, got = answered(adm, op, body)
    assert (got_status, got["cause"]) == (status, cause)
    if param is not None:
        assert got["invalidParams"][0]["param"] == param
    assert sbi.parse_problem(got) == (status, cause)


def test_413_and_500_bodies():
    with sbi.Adm(vector_keys(), max_derivations=3) as a:
        status, body = answered(a, "getAuthentication", VEC["getAuthentication"][0]["request"])
        assert (status, body["cause"]) == (413, "TOO_MANY_DERIVATIONS")
    for status in (-8, -5, -6, -97, -12, -89, -82, -90, -13, -88, -2, -4):
        http, body = sbi.write_problem(status)
        valid("ProblemDetails", body)
        assert body["status"] == http == sbi.http_status(status)


def test_request_bodies_match_the_schemas_and_parse_back():
    rn, rd = os.urandom(16), [os.urandom(16) for _ in range(3)]
    pid = bytes.fromhex("a1000000ff")
    cases = [
        ("getAuthentication", "GetAuthenticationRequest", dict(perm_id=pid, rand_n=rn, rand_d=rd)),
        ("getAuthentication", "GetAuthenticationRequest", dict(filter=b"\x0c\xa1\x00", rand_n=rn, rand_d=rd[:1])),
        ("getSessionKey", "GetSessionKeyRequest", dict(perm_id=pid, rand_n=rn, rand_d=rd[:1])),
        ("getTid", "GetTidRequest", dict(perm_id=pid)),
        ("getTid", "GetTidRequest", dict(perm_id=pid, resync=True)),
    ]
    for op, schema, kw in cases:
        body = valid(schema, sbi.request_body(op, **kw))
        back = sbi.parse_request(op, body)
        assert back["perm_id"] == kw.get("perm_id")
        assert back["filter"] == kw.get("filter")
        assert back["rand_n"] == kw.get("rand_n")
        assert back["rand_d"] == list(kw.get("rand_d", []))
        assert back["resync"] == kw.get("resync", False)
    assert sbi.request_body("getRand") is None
    with pytest.raises(sbi.SbiError) as e:
        sbi.request_body("getAuthentication", perm_id=pid, filter=b"\x08\x01", rand_n=rn, rand_d=rd)
    assert e.value.name == "AIOTSEC_E_BAD_VALUE"


def test_parse_request_names_the_member():
    with pytest.raises(sbi.SbiError) as e:
        sbi.parse_request("getAuthentication", {"aiotDevPermId": "oQ", "randN": "00" * 16, "randDlist": ["00" * 16]})
    assert (e.value.http_status, e.value.cause, e.value.param) == (400, "MANDATORY_IE_INCORRECT", "/aiotDevPermId")
    with pytest.raises(sbi.SbiError) as e:
        sbi.parse_request("getAuthentication", {"filteringInfo": "DKEA", "randN": "00" * 16,
                                                "randDlist": ["00" * 16] * 5}, max_rand_d=4)
    assert (e.value.name, e.value.http_status, e.value.param) == ("AIOTSEC_E_TOO_MANY_DERIVATIONS", 413, "/randDlist")


# --- AIOTF-side readers and mappings ---------------------------------------------------------

def test_answer_status():
    assert sbi.answer_status("getAuthentication", 404, filter=True) == sbi_status("AIOTSEC_E_NO_CANDIDATE")
    assert sbi.answer_status("getAuthentication", 404) == sbi_status("AIOTSEC_E_UNKNOWN_DEVICE")
    assert sbi.answer_status("getSessionKey", 413) == sbi_status("AIOTSEC_E_TOO_MANY_DERIVATIONS")
    for http in (0, 429, 500, 502, 503, 504):
        assert sbi.answer_status("getRand", http) == sbi_status("AIOTSEC_E_TRANSPORT")
    assert sbi.answer_status("getTid", 400) == sbi_status("AIOTSEC_E_BAD_VALUE")
    assert sbi.answer_status("getTid", 200) == 0


def sbi_status(name):
    return next(c for c in range(-1, -128, -1) if sbi.status_name(c) == name)


def test_malformed_answers_raise():
    for body in ({}, {"randN": "00"}, "x", []):
        with pytest.raises(sbi.SbiError) as e:
            sbi.parse_rand_response(body)
        assert e.value.name == "AIOTSEC_E_BAD_ANSWER"
    with pytest.raises(sbi.SbiError):
        sbi.parse_auth_response({"authDataSets": [{"randD": "00" * 16, "authDataSet": [{"xres": "abc"}]}]})
    with pytest.raises(sbi.SbiError) as e:
        sbi.parse_auth_response(VEC["getAuthentication"][0]["response"], capacity=5)
    assert e.value.name == "AIOTSEC_E_LIMIT"


def test_base64_is_strict_and_standard():
    rng = random.Random(5)
    for n in range(0, 70):
        raw = rng.randbytes(n)
        text = sbi.b64encode(raw)
        assert text == base64.b64encode(raw).decode()
        assert sbi.b64decode(text) == raw
    for bad in ("oQ", "oQ=", "oQ===", "o Q==", "oR==", "-_8="):
        with pytest.raises(sbi.SbiError):
            sbi.b64decode(bad)
