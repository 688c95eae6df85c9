"""The profile 0 vectors of the roles through the Python core API: AiotFilteringInformation
(aiot-filter-profile0.tsv), the Nadm_Sec bodies (nadm-sec-profile0.json: getAuthentication
and getSessionKey over its six-device key store) and the revision 2 code points of the
AIOT NAS vectors (aiot-nas-profile0.tsv) - each also checked against refimpl.py."""

import base64
import json

import pytest

import aiotsec
import refimpl
from aiotsec import nas
from conftest import h, load_tsv, vectors_dir

FILTERS = load_tsv("aiot-filter-profile0.tsv")
NAS = {r["name"]: r for r in load_tsv("aiot-nas-profile0.tsv")}
PROFILE0 = load_tsv("aiot-profile0.tsv")
with open(vectors_dir() / "nadm-sec-profile0.json", encoding="utf-8") as _f:
    NADM = json.load(_f)


def b64(s: str) -> bytes:
    """TS 29.571 ``Bytes`` (AiotDevPermId, AiotFilteringInformation): base64."""
    return base64.b64decode(s, validate=True)


# -- AiotFilteringInformation ------------------------------------------------------------

@pytest.mark.parametrize("row", FILTERS, ids=lambda r: f"{r['filter']}-{r['perm_id']}")
def test_filter_vectors(row):
    f, pid, match = h(row["filter"]), h(row["perm_id"]), row["match"] == "1"
    assert aiotsec.filter_matches(f, pid) is match
    assert refimpl.filter_match(f, pid) is match           # the reference reads the spec alike
    aiotsec.check_filter(f)
    flt = aiotsec.Filter(f)
    assert flt.bits == f[0] == aiotsec.filter_bits(f)
    assert flt.matches(pid) is match
    # The same filter rebuilt from its prefix: the bits past the prefix are ignored, so
    # a prefix whose unused bits (and a spare octet) are all 1 gives the same octets.
    bits = f[0]
    last = f[-1] | (0xFF >> (bits % 8)) if bits % 8 else f[-1]
    noisy = f[1:-1] + bytes([last]) + b"\xff"
    assert aiotsec.make_filter(noisy, bits) == f == refimpl.make_filter(noisy, bits)
    assert aiotsec.Filter.from_prefix(noisy, bits) == flt
    # compare: 0 exactly when it matches.
    assert (aiotsec.filter_compare(f, pid) == 0) is match


def test_filter_vector_table_covers_both_outcomes():
    assert {r["match"] for r in FILTERS} == {"0", "1"}


# -- Nadm_Sec getAuthentication / getSessionKey --------------------------------------------

def _store_of(ctx):
    store = aiotsec.MemStore(ctx, expected=len(NADM["devices"]))
    ref = {}
    for d in NADM["devices"]:
        pid, k = b64(d["aiotDevPermId"]), h(d["kAiotRoot"])
        store.add(pid, k)
        ref[pid] = k
    return store, ref


@pytest.fixture
def nadm_adm(ctx):
    store, ref = _store_of(ctx)
    adm = aiotsec.Adm(ctx, store)
    yield adm, ref
    adm.close()
    store.close()


def _as_sets(sets):
    """Candidate sets as comparable plain data: order within a set is not significant."""
    return [(s.rand_d, sorted((c.perm_id or b"", c.xres) for c in s.candidates)) for s in sets]


def _json_sets(body):
    return [(h(s["randD"]), sorted((b64(c["aiotDevPermId"]) if "aiotDevPermId" in c else b"",
                                    h(c["xres"])) for c in s["authDataSet"]))
            for s in body["authDataSets"]]


@pytest.mark.parametrize("case", range(len(NADM["getAuthentication"])))
def test_get_authentication_vectors(case, nadm_adm):
    adm, ref = nadm_adm
    req, resp = NADM["getAuthentication"][case]["request"], NADM["getAuthentication"][case]["response"]
    rn = h(req["randN"])
    rds = [h(x) for x in req["randDlist"]]
    target = {}
    if "filteringInfo" in req:
        target["filter"] = aiotsec.Filter(b64(req["filteringInfo"]))
    if "aiotDevPermId" in req:
        target["perm_id"] = b64(req["aiotDevPermId"])
    got = adm.get_authentication(rn, rds, **target)
    assert [s.rand_d for s in got] == rds                       # one set per randD, in order
    assert _as_sets(got) == _json_sets(resp)
    # aiotDevPermId is present in each AuthData exactly when the request carried a filter.
    assert all((c.perm_id is not None) == ("filter" in target) for s in got for c in s.candidates)
    # The independent reference computes the same sets from the spec.
    want = refimpl.candidate_sets(ref, rn, rds, perm_id=target.get("perm_id"),
                                  filt=target["filter"].encoded if "filter" in target else None)
    assert _as_sets(got) == [(rd, sorted((p or b"", x) for x, p in e)) for rd, e in want]
    # The XRES values stay out of every repr.
    text = repr(got)
    assert all(c["xres"] not in text and h(c["xres"]).hex() not in text
               for s in resp["authDataSets"] for c in s["authDataSet"])


@pytest.mark.parametrize("case", range(len(NADM["getSessionKey"])))
def test_get_session_key_vectors(case, nadm_adm):
    adm, ref = nadm_adm
    req, resp = NADM["getSessionKey"][case]["request"], NADM["getSessionKey"][case]["response"]
    pid, rn, rd = b64(req["aiotDevPermId"]), h(req["randN"]), h(req["randD"])
    k = adm.get_session_key(pid, rn, rd)
    assert k == h(resp["kAiotf"]) == refimpl.kaiotf(ref[pid], rn, rd)
    assert len(k) == 16


def test_get_authentication_vectors_through_the_aiotf(ctx):
    """The JSON answer, read into an AuthAnswer as a transport would, identifies the devices
    whose RES_AIOT the AIOTF holds: the vector's first filter request end to end."""
    case = NADM["getAuthentication"][0]
    req, resp = case["request"], case["response"]
    flt = aiotsec.Filter(b64(req["filteringInfo"]))
    rn, rds = h(req["randN"]), [h(x) for x in req["randDlist"]]
    store, ref = _store_of(ctx)
    keys = list(ref.items())
    senders = [p for p, _ in keys if flt.matches(p)][:len(rds)]   # one tag per RAND_AIOT_d
    with aiotsec.Aiotf(ctx, timeout_ms=1000) as aiotf:
        proc = aiotf.start(aiotsec.ProcType.INVENTORY, filter=flt, expected=len(rds), now_ms=0)
        (getrand,) = aiotf.next_requests(now_ms=0)
        assert getrand.op == aiotsec.AdmOp.GET_RAND and getrand.op_name == "getRand"
        aiotf.on_rand(getrand, rn, now_ms=0)
        rids = [aiotf.on_report(rn, refimpl.enc_auth_response(refimpl.res(ref[p], rn, rd), rd),
                                now_ms=1) for p, rd in zip(senders, rds)]
        (auth,) = aiotf.next_requests(now_ms=2)
        assert (auth.op_name, auth.filter, auth.rand_n, list(auth.rand_d_list)) == \
            ("getAuthentication", flt.encoded, rn, rds)
        sets = [aiotsec.CandidateSet(h(s["randD"]), tuple(
            aiotsec.Candidate(h(c["xres"]), b64(c["aiotDevPermId"])) for c in s["authDataSet"]))
            for s in resp["authDataSets"]]
        assert aiotf.on_authentication(auth, sets, now_ms=3) == len(rds)
        assert [aiotf.device(r).perm_id for r in rids] == senders
        assert aiotf.summary(proc).authenticated == len(rds)
    store.close()


# -- AIOT NAS code points of revision 2 ------------------------------------------------------

def test_nas_vectors_revision2_code_points():
    assert nas.decode(h(NAS["cmd_disable"]["plain"])) == \
        nas.CommandRequest.permanent_disable(9)
    assert nas.cmd_name(nas.Command.PERMANENT_DISABLE) == "PERMANENT_DISABLE"
    resp = nas.decode(h(NAS["cmd_resp_status"]["plain"]))
    assert resp.status == nas.CmdStatus.LOW_ENERGY and resp.status.cause == "LOW_ENERGY"
    assert h(NAS["cmd_resp_status"]["plain"])[4] == refimpl.STATUS_WIRE["LOW_ENERGY"]
    read = nas.decode(h(NAS["cmd_resp_read"]["plain"]))
    assert read.status == nas.CmdStatus.SUCCESS and len(read.data) == 16


def test_cmd_status_wire_values_and_causes():
    """Every status: the spec's wire value (by TS 29.569 name), both directions."""
    assert [s.cause for s in nas.CmdStatus] == [
        "", "COMMAND_TYPE_SPECIFIC_PARAMETERS_INVALID",
        "MESSAGE_TYPE_NON_EXISTENT_OR_NOT_IMPLEMENTED", "LOW_ENERGY",
        "INVALID_MANDATORY_INFORMATION", "ERROR_UNSPECIFIED"]
    for s in nas.CmdStatus:
        wire = refimpl.STATUS_WIRE[s.cause or "SUCCESS"]
        assert nas.cmd_status_to_wire(s) == wire
        assert nas.cmd_status_from_wire(wire) == s
    assert nas.cmd_status_cause(0) is None and nas.cmd_status_cause(99) is None
    with pytest.raises(aiotsec.DecodeError):
        nas.cmd_status_from_wire(0x05)          # not a profile 0 code point


@pytest.mark.parametrize("row", PROFILE0, ids=lambda r: r["k_root"][:8])
def test_profile0_kaiotf_is_the_least_significant_128_bits(row):
    k, rn, rd = h(row["k_root"]), h(row["rand_n"]), h(row["rand_d"])
    assert len(h(row["k_aiotf"])) == 16
    assert refimpl.kaiotf(k, rn, rd) == h(row["k_aiotf"])
    assert aiotsec.kdf(k, 0xA1, rn, rd)[16:] == aiotsec.derive_kaiotf(k, rn, rd) == h(row["k_aiotf"])
