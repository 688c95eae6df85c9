"""Roles through Python, scenario by scenario: key store, ADM, auth answers, AIOTF and
device, checked against the independent reference (refimpl.py) and for every documented
rejection, type error and closed handle."""

import os
import subprocess
import sys

import pytest

import aiotsec
import refimpl
from aiotsec import AdmOp, CmdStatus, Command, FailureCause, Filter, ProcType, nas
from conftest import REPO

# Devices 0..4 are "a1 ..." (the group), 5..7 are not (as in tests/roles/test_procedure.c).
PERMS = [bytes.fromhex(x) for x in ("a100000001", "a100000002", "a10f000003", "a10fffff04",
                                    "a180000005", "a200000006", "b200000007", "2100000008")]
KEYS = [bytes([i]) * (16 if i % 2 else 32) for i in range(1, 9)]
STORE = dict(zip(PERMS, KEYS))
GROUP = Filter.from_prefix(b"\xa1", 8)
RN, RD = bytes(range(16)), bytes(range(16, 32))


@pytest.fixture
def world(ctx):
    """(ctx, store, adm, aiotf) over the eight devices."""
    store = aiotsec.MemStore(ctx, expected=8)
    for p, k in STORE.items():
        store.add(p, k)
    adm = aiotsec.Adm(ctx, store)
    aiotf = aiotsec.Aiotf(ctx, timeout_ms=1000, max_batch=4, spare_reports=0)  # a hard cap
    yield ctx, store, adm, aiotf
    for hnd in (aiotf, adm, store):
        hnd.close()


def _device(ctx, i, **kw):
    kw.setdefault("memory", bytes(range(64)))
    return aiotsec.Device(ctx, PERMS[i], KEYS[i], **kw)


def _paging(aiotf, adm, proc, now=0):
    aiotf.pump_local(adm, now_ms=now)
    s = aiotf.summary(proc)
    assert s.paging
    return s.rand_n


def _secure(world, i, now=0, **dev_kw):
    """A named command procedure for device i, up to a secured session."""
    ctx, _, adm, aiotf = world
    dev = _device(ctx, i, **dev_kw)
    proc = aiotf.start(ProcType.COMMAND, perm_id=PERMS[i], expected=1, now_ms=now)
    rn = _paging(aiotf, adm, proc, now)
    rid = aiotf.on_report(rn, dev.on_paging(rn, perm_id=PERMS[i]), now_ms=now)
    aiotf.pump_local(adm, now_ms=now)
    d = aiotf.device(rid)
    assert d.identified and d.secured and d.perm_id == PERMS[i]
    return dev, proc, rid


def _run(aiotf, dev, rid, command, now=10, **kw):
    req = aiotf.command(rid, command, now_ms=now, **kw)
    return aiotf.on_command_response(rid, dev.on_command(req), now_ms=now)


# -- key store ---------------------------------------------------------------------------

def test_memstore(ctx, tmp_path):
    with aiotsec.MemStore(ctx) as store:
        store.add(PERMS[0], KEYS[0])
        assert len(store) == 1 and store.device_at(0) == PERMS[0]
        with pytest.raises(aiotsec.ProcedureError) as ei:
            store.add(PERMS[0], KEYS[1])
        assert ei.value.name == "AIOTSEC_E_DUPLICATE"
        for pid, k in ((b"", KEYS[0]), (bytes(65), KEYS[0]), (PERMS[1], KEYS[0][:15]),
                       (PERMS[1], bytes(24))):
            with pytest.raises(aiotsec.ArgumentError) as ei:
                store.add(pid, k)
            assert ei.value.name == "AIOTSEC_E_BAD_LENGTH"
        with pytest.raises(TypeError):
            store.add(PERMS[1].hex(), KEYS[1])
        with pytest.raises(aiotsec.ArgumentError) as ei:
            store.device_at(1)
        assert ei.value.name == "AIOTSEC_E_BAD_VALUE"
        # all or nothing, with the offending line in the exception
        text = f"# comment\n{PERMS[1].hex()} {KEYS[1].hex()}\nnot hex at all\n"
        with pytest.raises(aiotsec.ProcedureError) as ei:
            store.load_text(text)
        assert (ei.value.name, ei.value.line, ei.value.detail) == ("AIOTSEC_E_PARSE", 3, "line 3")
        assert len(store) == 1
        path = tmp_path / "keys.txt"
        path.write_text("".join(f"{p.hex()}\t{k.hex()}\n" for p, k in zip(PERMS[1:], KEYS[1:])))
        assert store.load_file(path) == 8
        # storage order: insertion order, each load's devices sorted by Permanent Identifier
        order = PERMS[:1] + sorted(PERMS[1:])
        assert store.perm_ids() == order and list(store) == order
        with pytest.raises(aiotsec.ArgumentError) as ei:
            store.load_file(tmp_path / "missing.txt")
        assert ei.value.name == "AIOTSEC_E_IO"
        with pytest.raises(TypeError):
            store.load_file(42)
        assert "devices=8" in repr(store)
        assert not any(k.hex() in repr(store) for k in KEYS)
    with pytest.raises(aiotsec.ClosedError):
        len(store)


# -- ADM ------------------------------------------------------------------------------------

def test_adm_operations_match_reference(world):
    ctx, _, adm, _ = world
    rn = adm.get_rand()
    assert len(rn) == 16 and adm.get_rand() != rn
    assert adm.max_derivations == ctx.profile.max_derivations == 65536
    for p, k in STORE.items():
        (s,) = adm.get_authentication(rn, [RD], perm_id=p)
        assert s.rand_d == RD and s.candidates == (aiotsec.Candidate(refimpl.res(k, rn, RD), None),)
        assert adm.get_session_key(p, rn, RD) == refimpl.kaiotf(k, rn, RD)
    sets = adm.get_authentication(rn, [RD, RN], filter=GROUP)
    assert [(s.rand_d, [(c.xres, c.perm_id) for c in s.candidates]) for s in sets] == \
        refimpl.candidate_sets(STORE, rn, [RD, RN], filt=GROUP.encoded)
    assert all(refimpl.res(STORE[c.perm_id], rn, RD).hex() not in repr(sets) for c in sets[0].candidates)


def test_adm_errors(world):
    ctx, store, adm, _ = world
    cases = [
        (dict(perm_id=b"\x99"), aiotsec.ProcedureError, "AIOTSEC_E_UNKNOWN_DEVICE"),
        (dict(filter=Filter.from_prefix(b"\xc3", 8)), aiotsec.ProcedureError, "AIOTSEC_E_NO_CANDIDATE"),
        (dict(filter=b"\x09\xa1"), aiotsec.BadFilterError, "AIOTSEC_E_BAD_FILTER"),
        (dict(), aiotsec.ArgumentError, "AIOTSEC_E_BAD_VALUE"),                  # neither
        (dict(perm_id=PERMS[0], filter=GROUP), aiotsec.ArgumentError, "AIOTSEC_E_BAD_VALUE"),
        (dict(perm_id=bytes(65)), aiotsec.ArgumentError, "AIOTSEC_E_BAD_LENGTH"),
    ]
    for kw, cls, name in cases:
        with pytest.raises(cls) as ei:
            adm.get_authentication(RN, [RD], **kw)
        assert ei.value.name == name, kw
    assert isinstance(aiotsec.library().error(aiotsec.status_code("AIOTSEC_E_BAD_FILTER")), ValueError)
    with pytest.raises(aiotsec.ArgumentError) as ei:
        adm.get_authentication(RN, [], filter=GROUP)                   # an empty randDlist
    assert ei.value.name == "AIOTSEC_E_BAD_VALUE"
    with pytest.raises(aiotsec.ArgumentError) as ei:
        adm.get_authentication(RN[:8], [RD], filter=GROUP)
    assert ei.value.name == "AIOTSEC_E_BAD_LENGTH"
    with pytest.raises(aiotsec.ArgumentError):
        adm.get_authentication(RN, [RD[:8]], filter=GROUP)
    for bad in (dict(rand_n=None), dict(rand_d_list=RD), dict(rand_d_list=[RD.hex()]),
                dict(perm_id="a1"), dict(filter=8)):
        args = dict(rand_n=RN, rand_d_list=[RD], perm_id=PERMS[0])
        if "filter" in bad:
            del args["perm_id"]
        args.update(bad)
        with pytest.raises(TypeError):
            adm.get_authentication(args.pop("rand_n"), args.pop("rand_d_list"), **args)
    with pytest.raises(aiotsec.ProcedureError):
        adm.get_session_key(b"nobody", RN, RD)
    with pytest.raises(aiotsec.ArgumentError):
        adm.get_session_key(PERMS[0], RN, RD[:4])
    with pytest.raises(TypeError):
        aiotsec.Adm(ctx, "store")
    with pytest.raises(TypeError):
        aiotsec.Adm(ctx, store, pool="pool")
    for limit in (0, (1 << 24) + 1):
        with pytest.raises(aiotsec.ArgumentError) as ei:
            aiotsec.Adm(ctx, store, max_derivations=limit)
        assert ei.value.name == "AIOTSEC_E_BAD_VALUE"


def test_adm_limit_and_pool(world):
    ctx, store, _, _ = world
    with aiotsec.BatchPool(2) as pool, aiotsec.Adm(ctx, store, max_derivations=10, pool=pool) as adm:
        assert adm.max_derivations == 10
        # 5 candidates x 2 = 10 fits; x 3 = 15 does not (413, nothing derived)
        assert len(adm.get_authentication(RN, [RD, RN], filter=GROUP)) == 2
        with pytest.raises(aiotsec.TooManyDerivationsError) as ei:
            adm.get_authentication(RN, [RD, RN, bytes(16)], filter=GROUP)
        assert ei.value.name == "AIOTSEC_E_TOO_MANY_DERIVATIONS"
        assert isinstance(ei.value, aiotsec.ProcedureError)
        pool.close()                      # the ADM keeps its pool alive
        assert len(adm.get_authentication(RN, [RD], filter=GROUP)[0].candidates) == 5


def test_adm_get_tid(world):
    _, _, adm, _ = world
    first = adm.get_tid(PERMS[0])
    assert len(first.tid) == 16 and first.tid_previous is None
    assert first.tid_type == aiotsec.TidType.STORED
    second = adm.get_tid(PERMS[0])
    assert second.tid != first.tid and second.tid_previous == first.tid
    again = adm.get_tid(PERMS[0], resync=True)
    assert (again.tid, again.tid_previous) == (second.tid, first.tid)
    assert adm.get_tid(PERMS[1], resync=True).tid_previous is None    # none yet: a new one
    with pytest.raises(aiotsec.ProcedureError) as ei:
        adm.get_tid(b"\x99")
    assert ei.value.name == "AIOTSEC_E_UNKNOWN_DEVICE"
    with pytest.raises(TypeError):
        adm.get_tid(PERMS[0], resync=1)


def test_adm_keeps_store_alive(ctx):
    store = aiotsec.MemStore(ctx)
    store.add(PERMS[0], KEYS[0])
    adm = aiotsec.Adm(ctx, store)
    store.close()
    (s,) = adm.get_authentication(RN, [RD], perm_id=PERMS[0])
    assert s.candidates[0].xres == refimpl.res(KEYS[0], RN, RD)
    adm.close()
    with pytest.raises(aiotsec.ClosedError):
        adm.get_rand()


# -- auth answers ------------------------------------------------------------------------------

def test_auth_answer():
    with aiotsec.AuthAnswer(3) as ans:
        assert (ans.capacity, len(ans), ans.entry_count) == (3, 0, 0)
        with pytest.raises(aiotsec.ProcedureError) as ei:
            ans.add_entry(bytes(16), PERMS[0])
        assert ei.value.name == "AIOTSEC_E_BAD_STATE"
        ans.add_set(RD)
        ans.add_entry(b"\x11" * 16, PERMS[0])
        ans.add_entry(b"\x22" * 4)
        for bad in ((bytes(3), None), (bytes(17), None), (bytes(16), bytes(65))):
            with pytest.raises(aiotsec.ArgumentError):
                ans.add_entry(*bad)
        with pytest.raises(aiotsec.ArgumentError):
            ans.add_set(RD[:15])
        assert ans.sets() == [aiotsec.CandidateSet(RD, (aiotsec.Candidate(b"\x11" * 16, PERMS[0]),
                                                        aiotsec.Candidate(b"\x22" * 4, None)))]
        assert "11" * 16 not in repr(ans.sets()) and "entries=2" in repr(ans)
        ans.add_set(RN)
        with pytest.raises(aiotsec.ArgumentError) as ei:       # capacity: 3 entries in all
            ans.add_entry(bytes(16))
            ans.add_entry(bytes(16))
        assert ei.value.name == "AIOTSEC_E_LIMIT"
        ans.reset()
        assert (len(ans), ans.entry_count) == (0, 0)
        with pytest.raises(TypeError):
            ans.add_set("00" * 16)
    for cap in (0, (1 << 24) + 1):
        with pytest.raises(aiotsec.ArgumentError):
            aiotsec.AuthAnswer(cap)
    sets = [aiotsec.CandidateSet(RD, (aiotsec.Candidate(bytes(16), PERMS[1]),))]
    with aiotsec.AuthAnswer.from_sets(sets) as ans:
        assert ans.sets() == sets and ans.capacity == 1
    with pytest.raises(TypeError):
        aiotsec.AuthAnswer.from_sets([(RD, [])])
    assert aiotsec.op_name(AdmOp.GET_AUTHENTICATION) == "getAuthentication"
    assert [aiotsec.op_name(o) for o in AdmOp] == ["getRand", "getAuthentication", "getSessionKey",
                                                  "getTid"]
    assert aiotsec.op_name(9) is None


# -- AIOTF and devices ---------------------------------------------------------------------------

def test_group_inventory(world):
    ctx, _, adm, aiotf = world
    devs = [_device(ctx, i) for i in range(8)]
    proc = aiotf.start(ProcType.INVENTORY, filter=GROUP, expected=5, now_ms=0)
    assert aiotf.queued_requests == 1 and aiotf.pending == 1
    rn = _paging(aiotf, adm, proc)
    rids = {}
    for i, d in enumerate(devs):
        msg = d.on_paging(rn, filter=GROUP)
        assert (msg is None) == (i >= 5)
        if msg is not None:
            res_v, rand_d = refimpl.decode_auth_response(msg)
            assert res_v == refimpl.res(KEYS[i], rn, rand_d)
            rids[i] = aiotf.on_report(rn, msg, now_ms=1)
    assert aiotf.queued_requests == 2       # max_batch 4: the fifth answer completed the group
    aiotf.pump_local(adm, now_ms=2)
    for i, rid in rids.items():
        r = aiotf.device(rid)
        assert (r.identified, r.perm_id, r.proc_id, r.secured, r.status_name) == \
            (True, PERMS[i], proc, False, "AIOTSEC_OK")
        assert r.error() is None
    assert [r.perm_id for r in aiotf.devices(proc)] == PERMS[:5]      # arrival order
    s = aiotf.summary(proc)
    assert (s.type, s.expected, s.accepted, s.authenticated, s.waiting, s.failure_cause) == \
        (ProcType.INVENTORY, 5, 5, 5, 0, FailureCause.NONE)
    st = aiotf.stats
    assert (st.started, st.reports, st.accepted, st.authenticated, st.adm_requests) == (1, 5, 5, 5, 3)
    assert devs[6].stats.not_addressed == 1 and devs[0].stats.answered == 1
    aiotf.finish(proc)
    with pytest.raises(aiotsec.ProcedureError) as ei:
        aiotf.summary(proc)
    assert ei.value.name == "AIOTSEC_E_NO_PENDING"
    for d in devs:
        d.close()


def test_forged_duplicate_over_cap_and_failure_causes(world):
    ctx, _, adm, aiotf = world
    devs = [_device(ctx, i) for i in range(5)]
    proc = aiotf.start(ProcType.INVENTORY, filter=GROUP, expected=3, now_ms=0)
    rn = _paging(aiotf, adm, proc)
    msgs = [d.on_paging(rn, filter=GROUP) for d in devs]
    res0, rd0 = refimpl.decode_auth_response(msgs[0])
    forged = refimpl.enc_auth_response(bytes([res0[0] ^ 0x40]) + res0[1:], bytes(16))
    r_forged = aiotf.on_report(rn, forged, now_ms=1)
    r0 = aiotf.on_report(rn, msgs[0], now_ms=1)
    verdicts = aiotf.on_reports([(rn, msgs[0]), aiotsec.Report(rn, msgs[1]), (rn, msgs[2])], now_ms=1)
    assert [v.name for v in verdicts] == ["AIOTSEC_E_DUPLICATE_REPORT", "AIOTSEC_OK",
                                          "AIOTSEC_E_OVER_CAP"]
    assert verdicts[0].report_id is None and verdicts[1].accepted
    assert isinstance(verdicts[2].error(), aiotsec.ProcedureError)
    with pytest.raises(aiotsec.ProcedureError) as ei:
        aiotf.on_report(rn, msgs[3], now_ms=1)
    assert ei.value.name == "AIOTSEC_E_OVER_CAP"
    assert aiotf.stats.adm_requests == 1          # drops cost no ADM call (only getRand so far)
    aiotf.pump_local(adm, now_ms=2)
    f = aiotf.device(r_forged)
    assert (f.status_name, f.perm_id, f.identified) == ("AIOTSEC_E_AUTH_FAILED", None, False)
    assert isinstance(f.error(), aiotsec.AuthenticationError)
    assert aiotf.device(r0).perm_id == PERMS[0]
    assert aiotf.device(verdicts[1].report_id).perm_id == PERMS[1]
    s = aiotf.summary(proc)
    assert (s.authenticated, s.auth_failed, s.duplicate, s.over_cap) == (2, 1, 1, 2)
    # Only forgeries: AUTH_FAILURE; nobody at all: NO_SUCC_INV_RESP.
    p2 = aiotf.start(ProcType.INVENTORY, filter=GROUP, now_ms=3)
    rn2 = _paging(aiotf, adm, p2, 3)
    assert aiotf.summary(p2).failure_cause == FailureCause.NO_SUCC_INV_RESP
    aiotf.on_report(rn2, refimpl.enc_auth_response(bytes(16), bytes(16)), now_ms=3)
    assert aiotf.summary(p2).failure_cause == FailureCause.NONE       # not decided yet
    assert aiotf.device(aiotf.devices(p2)[0].report_id).status_name == "AIOTSEC_E_IN_PROGRESS"
    aiotf.flush(p2)
    aiotf.pump_local(adm, now_ms=4)
    s2 = aiotf.summary(p2)
    assert s2.failure_cause == FailureCause.AUTH_FAILURE and s2.failure_cause_name == "AUTH_FAILURE"
    assert FailureCause.NO_SUCC_INV_RESP.ts_name == "NO_SUCC_INV_RESP"
    assert aiotsec.failure_cause_name(0) == "" and aiotsec.failure_cause_name(7) is None
    for d in devs:
        d.close()


def test_named_inventory_unknown_device_and_empty_filter(world):
    ctx, _, adm, aiotf = world
    with _device(ctx, 6) as dev:
        proc = aiotf.start(ProcType.INVENTORY, perm_id=PERMS[6], now_ms=0)
        rn = _paging(aiotf, adm, proc)
        assert dev.on_paging(rn, perm_id=PERMS[5]) is None
        rid = aiotf.on_report(rn, dev.on_paging(rn, perm_id=PERMS[6]), now_ms=1)
        aiotf.pump_local(adm, now_ms=1)        # expected 1: sent at once
        assert aiotf.device(rid).perm_id == PERMS[6]
        ghost = aiotf.start(ProcType.INVENTORY, perm_id=b"\x99\x99", now_ms=2)
        rn = _paging(aiotf, adm, ghost, 2)
        rid = aiotf.on_report(rn, dev.on_paging(rn, perm_id=PERMS[6]), now_ms=2)
        aiotf.pump_local(adm, now_ms=2)
        assert aiotf.device(rid).status_name == "AIOTSEC_E_UNKNOWN_DEVICE"
        nobody = aiotf.start(ProcType.INVENTORY, filter=Filter.from_prefix(b"\xc3\xc3", 16), now_ms=3)
        rn = _paging(aiotf, adm, nobody, 3)
        rid = aiotf.on_report(rn, dev.on_paging(rn, perm_id=PERMS[6]), now_ms=3)
        aiotf.flush(nobody)
        aiotf.pump_local(adm, now_ms=3)
        assert aiotf.device(rid).status_name == "AIOTSEC_E_NO_CANDIDATE"
        assert aiotf.summary(nobody).failure_cause == FailureCause.NO_SUCC_INV_RESP


def test_asynchronous_transport_with_retries_in_any_order(world):
    """The ADM carried by Python: requests taken with next_requests, lost (TRANSPORT,
    retried), answered out of order, and stale ids refused."""
    ctx, _, adm, aiotf = world
    transport = aiotsec.status_code("AIOTSEC_E_TRANSPORT")
    proc = aiotf.start(ProcType.COMMAND, filter=GROUP, expected=5, now_ms=0)
    (rq,) = aiotf.next_requests(now_ms=0)
    assert (rq.op, rq.proc_id, rq.attempt, rq.deadline_ms) == (AdmOp.GET_RAND, proc, 0, 1000)
    assert aiotf.on_rand(rq, status=aiotsec.TransportError(transport, "x", "y"), now_ms=0) == proc
    (rq,) = aiotf.next_requests(now_ms=0)
    assert aiotf.on_rand(rq.id, adm.get_rand(), now_ms=0) == proc
    with pytest.raises(aiotsec.ProcedureError) as ei:
        aiotf.on_rand(rq, RN, now_ms=0)                   # answered already
    assert ei.value.name == "AIOTSEC_E_NO_PENDING"
    rn = aiotf.summary(proc).rand_n
    devs = [_device(ctx, i) for i in range(5)]
    rids = [aiotf.on_report(rn, d.on_paging(rn, filter=GROUP), now_ms=1) for d in devs]
    reqs = aiotf.next_requests(8, now_ms=1)
    assert [r.op for r in reqs] == [AdmOp.GET_AUTHENTICATION] * 2
    assert [len(r.rand_d_list) for r in reqs] == [4, 1] and reqs[0].filter == GROUP.encoded
    assert reqs[0].perm_id is None and reqs[0].rand_n == rn
    with pytest.raises(ValueError):
        aiotf.on_rand(reqs[0], RN, now_ms=1)              # not a getRand request
    assert aiotf.on_authentication(reqs[1], status=transport, now_ms=1) == 0   # queued again
    (again,) = aiotf.next_requests(now_ms=1)
    assert again.attempt == 1 and again.rand_d_list == reqs[1].rand_d_list
    for r in (again, reqs[0]):                            # last first
        assert aiotf.on_authentication(r, adm.get_authentication(r.rand_n, r.rand_d_list,
                                                                 filter=r.filter),
                                       now_ms=2) == len(r.rand_d_list)
    keyreqs = aiotf.next_requests(16, now_ms=2)
    assert sorted(r.perm_id for r in keyreqs) == PERMS[:5]
    assert all(r.op == AdmOp.GET_SESSION_KEY and r.op_name == "getSessionKey" for r in keyreqs)
    for r in keyreqs:
        got = aiotf.on_session_key(r, adm.get_session_key(r.perm_id, r.rand_n, r.rand_d), now_ms=2)
        assert aiotf.device(got).perm_id == r.perm_id
    for i, rid in enumerate(rids):
        d = aiotf.device(rid)
        assert d.secured and d.perm_id == PERMS[i]
        resp = _run(aiotf, devs[i], rid, Command.READ, offset=i, length=2)
        assert resp.status == CmdStatus.SUCCESS and resp.data == bytes([i, i + 1])
    st = aiotf.stats
    assert (st.adm_retries, st.commands_sent, st.responses_ok) == (2, 5, 5)
    with pytest.raises(TypeError):
        aiotf.on_authentication(reqs[0], now_ms=2)        # no answer and no status
    with pytest.raises(aiotsec.ProcedureError):
        aiotf.on_session_key(12345, bytes(16), now_ms=2)
    for d in devs:
        d.close()


def test_answers_that_do_not_fit_identify_nobody(world):
    ctx, _, adm, aiotf = world
    devs = [_device(ctx, i) for i in range(2)]
    for variant in range(4):
        proc = aiotf.start(ProcType.INVENTORY, filter=GROUP, expected=2, now_ms=0)
        rn = _paging(aiotf, adm, proc)
        rids = [aiotf.on_report(rn, d.on_paging(rn, filter=GROUP), now_ms=0) for d in devs]
        (rq,) = aiotf.next_requests(now_ms=0)
        sets = adm.get_authentication(rq.rand_n, rq.rand_d_list, filter=rq.filter)
        if variant == 0:      # a set for another RAND_AIOT_d
            sets[1] = aiotsec.CandidateSet(bytes(16), sets[1].candidates)
        elif variant == 1:    # a set missing
            sets = sets[:1]
        elif variant == 2:    # a candidate outside the filter
            sets = [aiotsec.CandidateSet(s.rand_d, tuple(aiotsec.Candidate(c.xres, PERMS[6])
                                                         for c in s.candidates)) for s in sets]
        else:                 # short XRES values
            sets = [aiotsec.CandidateSet(s.rand_d, tuple(aiotsec.Candidate(c.xres[:8], c.perm_id)
                                                         for c in s.candidates)) for s in sets]
        with pytest.raises(aiotsec.ProcedureError) as ei:
            aiotf.on_authentication(rq, sets, now_ms=0)
        assert ei.value.name == "AIOTSEC_E_BAD_ANSWER" and "2 reports decided" in str(ei.value)
        assert [aiotf.device(r).status_name for r in rids] == ["AIOTSEC_E_BAD_ANSWER"] * 2
        assert aiotf.summary(proc).authenticated == 0
        aiotf.finish(proc)
    for d in devs:
        d.close()


def test_413_splits_down_to_narrower_filters(world):
    ctx, store, _, aiotf = world
    with aiotsec.Adm(ctx, store, max_derivations=2) as adm:
        devs = [_device(ctx, i) for i in range(5)]
        proc = aiotf.start(ProcType.INVENTORY, filter=GROUP, expected=5, now_ms=0)
        rn = _paging(aiotf, adm, proc)
        rids = [aiotf.on_report(rn, d.on_paging(rn, filter=GROUP), now_ms=0) for d in devs]
        aiotf.pump_local(adm, now_ms=0)
        assert [aiotf.device(r).perm_id for r in rids] == PERMS[:5]
        assert aiotf.stats.adm_splits > 0
        for d in devs:
            d.close()


def test_command_statuses_with_their_ts29569_causes(world):
    ctx, _, _, aiotf = world
    dev, proc, rid = _secure(world, 1, wp_offset=0, wp_len=16)
    before = dev.memory
    resp = _run(aiotf, dev, rid, Command.WRITE, offset=14, data=b"\x01\x02\x03\x04")
    assert resp.status == CmdStatus.PARAMS_INVALID
    assert resp.status.cause == "COMMAND_TYPE_SPECIFIC_PARAMETERS_INVALID"
    r = aiotf.device(rid)
    assert (r.last_cmd_status, r.fail_cause) == (CmdStatus.PARAMS_INVALID,
                                                 "COMMAND_TYPE_SPECIFIC_PARAMETERS_INVALID")
    assert _run(aiotf, dev, rid, Command.READ, offset=60, length=5).status == CmdStatus.PARAMS_INVALID
    assert dev.memory == before
    resp = _run(aiotf, dev, rid, Command.READ, offset=0, length=16)
    assert (resp.status, resp.data) == (CmdStatus.SUCCESS, before[:16])
    assert aiotf.device(rid).fail_cause is None
    assert _run(aiotf, dev, rid, Command.WRITE, offset=20, data=b"abc").status == CmdStatus.SUCCESS
    assert dev.memory[20:23] == b"abc" and dev.state == aiotsec.DeviceState.SECURED
    # a replayed or tampered request is rejected before anything is acted on
    req = aiotf.command(rid, Command.WRITE, offset=30, data=b"zz", now_ms=11)
    dev.on_command(req)
    with pytest.raises(aiotsec.ReplayError):
        dev.on_command(req)
    req = bytearray(aiotf.command(rid, Command.WRITE, offset=40, data=b"yy", now_ms=12))
    req[-1] ^= 1
    with pytest.raises(aiotsec.MacMismatchError):
        dev.on_command(bytes(req))
    assert dev.memory[40:42] == before[40:42]
    assert dev.stats.commands_rejected == 2
    resp = _run(aiotf, dev, rid, Command.PERMANENT_DISABLE, now=13)
    assert resp.status == CmdStatus.SUCCESS and dev.state == aiotsec.DeviceState.DISABLED
    with pytest.raises(aiotsec.ProcedureError) as ei:
        dev.on_paging(RN, filter=GROUP)
    assert ei.value.name == "AIOTSEC_E_DEVICE_DISABLED"
    dev.close()


def test_low_energy_is_answered_and_nothing_is_written(world):
    calls = []

    def energy(command, length):
        calls.append((command, length))
        return command != Command.WRITE

    dev, _, rid = _secure(world, 2, energy=energy)
    aiotf = world[3]
    before = dev.memory
    resp = _run(aiotf, dev, rid, Command.WRITE, offset=50, data=b"\xee\xee")
    assert resp.status == CmdStatus.LOW_ENERGY and resp.status.cause == "LOW_ENERGY"
    assert dev.memory == before
    assert _run(aiotf, dev, rid, Command.READ, offset=50, length=2).status == CmdStatus.SUCCESS
    assert calls == [(Command.WRITE, 2), (Command.READ, 2)]
    assert aiotf.device(rid).fail_cause is None
    dev.close()

    def broken(command, length):
        raise RuntimeError("no energy meter")
    dev, _, rid = _secure(world, 3, energy=broken)
    req = aiotf.command(rid, Command.READ, offset=0, length=1, now_ms=20)
    with pytest.raises(RuntimeError, match="no energy meter"):
        dev.on_command(req)
    dev.close()
    with pytest.raises(TypeError):
        _device(world[0], 0, energy="full")


def test_wrong_key_gets_no_session(world):
    ctx, _, adm, aiotf = world
    with aiotsec.Device(ctx, PERMS[2], bytes(32)) as impostor:
        proc = aiotf.start(ProcType.COMMAND, perm_id=PERMS[2], now_ms=0)
        rn = _paging(aiotf, adm, proc)
        rid = aiotf.on_report(rn, impostor.on_paging(rn, perm_id=PERMS[2]), now_ms=0)
        aiotf.pump_local(adm, now_ms=0)
        d = aiotf.device(rid)
        assert (d.status_name, d.secured) == ("AIOTSEC_E_AUTH_FAILED", False)
        assert aiotf.stats.adm_requests == 2           # getRand, getAuthentication: no K_AIOTF
        with pytest.raises(aiotsec.ProcedureError) as ei:
            aiotf.command(rid, Command.READ, offset=0, length=1, now_ms=1)
        assert ei.value.name == "AIOTSEC_E_BAD_STATE"


def test_unsolicited_late_malformed_cost_no_adm_call(world):
    ctx, _, adm, aiotf = world
    with _device(ctx, 0) as dev:
        msg = dev.on_paging(b"\x3c" * 16, perm_id=PERMS[0])
        with pytest.raises(aiotsec.ProcedureError) as ei:
            aiotf.on_report(b"\x3c" * 16, msg, now_ms=0)
        assert ei.value.name == "AIOTSEC_E_NO_PENDING"
        proc = aiotf.start(ProcType.INVENTORY, filter=GROUP, now_ms=5000)
        rn = _paging(aiotf, adm, proc, 5000)
        msg = dev.on_paging(rn, filter=GROUP)
        with pytest.raises(aiotsec.ProcedureError) as ei:
            aiotf.on_report(rn, msg, now_ms=6001)
        assert ei.value.name == "AIOTSEC_E_EXPIRED"
        with pytest.raises(aiotsec.DecodeError) as ei:
            aiotf.on_report(rn, msg[:-1], now_ms=6000)
        assert ei.value.name == "AIOTSEC_E_NAS_TRUNCATED"
        aiotf.on_report(rn, msg, now_ms=6000)
        st = aiotf.stats
        assert (st.unsolicited, st.late, st.malformed, st.adm_requests) == (1, 1, 1, 1)
        s = aiotf.summary(proc)
        assert (s.late, s.malformed, s.accepted) == (1, 1, 1)
        assert aiotf.expire(now_ms=7000) == 0
        assert aiotf.expire(now_ms=7001) == 1 and aiotf.pending == 0
        assert aiotf.stats.expired == 1


def test_new_paging_aborts_and_malformed_pagings(world):
    ctx, _, _, aiotf = world
    dev, _, rid = _secure(world, 2)
    assert _run(aiotf, dev, rid, Command.READ, offset=0, length=4).status == CmdStatus.SUCCESS
    assert dev.on_paging(b"\x77" * 16, filter=GROUP) is not None
    assert dev.state == aiotsec.DeviceState.AUTHENTICATING and dev.stats.aborted == 1
    req = aiotf.command(rid, Command.WRITE, offset=50, data=b"x", now_ms=11)
    with pytest.raises(aiotsec.MacMismatchError):
        dev.on_command(req)
    assert dev.on_paging(b"\x77" * 16, perm_id=PERMS[3]) is None
    with pytest.raises(aiotsec.ProcedureError) as ei:
        dev.on_command(req)
    assert ei.value.name == "AIOTSEC_E_ABORTED"
    assert dev.state == aiotsec.DeviceState.IDLE
    with pytest.raises(aiotsec.BadFilterError):
        dev.on_paging(RN, filter=b"\x09\xa1")
    for kw in (dict(perm_id=PERMS[2], filter=GROUP), dict()):
        with pytest.raises(aiotsec.ArgumentError) as ei:
            dev.on_paging(RN, **kw)
        assert ei.value.name == "AIOTSEC_E_BAD_VALUE"
    with pytest.raises(TypeError):
        dev.on_paging(RN, filter="08a1")
    with pytest.raises(TypeError):
        aiotsec.Filter("08a1")
    with pytest.raises(aiotsec.BadFilterError):
        aiotsec.Filter(b"\x00")
    dev.close()


def test_device_deterministic_rand_and_callbacks(ctx):
    rd = bytes(range(200, 216))
    with _device(ctx, 0, rand=lambda n: rd[:n]) as dev:
        assert dev.on_paging(RN, perm_id=PERMS[0]) == \
            refimpl.enc_auth_response(refimpl.res(KEYS[0], RN, rd), rd)
        assert dev.perm_id == PERMS[0] and KEYS[0].hex() not in repr(dev)
    with _device(ctx, 0, rand=lambda n: (_ for _ in ()).throw(RuntimeError("no entropy"))) as dev:
        with pytest.raises(RuntimeError, match="no entropy"):
            dev.on_paging(RN, perm_id=PERMS[0])
    with _device(ctx, 0, rand=lambda n: b"short") as dev:
        with pytest.raises(ValueError):
            dev.on_paging(RN, perm_id=PERMS[0])
    with pytest.raises(TypeError):
        _device(ctx, 0, rand="not callable")
    with _device(ctx, 0, disabled=True) as dev:
        assert dev.state == aiotsec.DeviceState.DISABLED


def test_aiotf_bad_arguments(world):
    ctx, _, adm, aiotf = world
    for kw, name in ((dict(type=9, filter=GROUP), "AIOTSEC_E_BAD_VALUE"),
                     (dict(perm_id=PERMS[0], filter=GROUP), "AIOTSEC_E_BAD_VALUE"),
                     (dict(), "AIOTSEC_E_BAD_VALUE"),
                     (dict(perm_id=PERMS[0], expected=2), "AIOTSEC_E_BAD_VALUE"),
                     (dict(perm_id=bytes(65)), "AIOTSEC_E_BAD_LENGTH")):
        with pytest.raises(aiotsec.ArgumentError) as ei:
            aiotf.start(now_ms=0, **kw)
        assert ei.value.name == name, kw
    with pytest.raises(aiotsec.BadFilterError):
        aiotf.start(filter=b"\x08", now_ms=0)
    for kw in (dict(perm_id="a1"), dict(filter=1), dict(filter=GROUP, expected="5"),
               dict(filter=GROUP, now_ms=-1)):
        with pytest.raises((TypeError, ValueError)):
            aiotf.start(**kw)
    with pytest.raises(TypeError):
        aiotf.on_report(RN, None, now_ms=1)
    with pytest.raises(TypeError):
        aiotf.on_reports([(RN,)], now_ms=1)
    with pytest.raises(TypeError):
        aiotf.pump_local("adm")
    with pytest.raises(ValueError):
        aiotf.next_requests(0)
    with pytest.raises(aiotsec.DecodeError):
        aiotf.command(1, Command.READ, offset=1 << 16, length=1, now_ms=1)
    with pytest.raises(aiotsec.ArgumentError) as ei:
        aiotsec.Aiotf(ctx, max_batch=0)
    assert ei.value.name == "AIOTSEC_E_BAD_VALUE"
    with aiotsec.Aiotf(ctx, max_procedures=2) as small:
        small.start(filter=GROUP, now_ms=0)
        small.start(filter=GROUP, now_ms=0)
        with pytest.raises(aiotsec.ArgumentError) as ei:
            small.start(filter=GROUP, now_ms=0)
        assert ei.value.name == "AIOTSEC_E_LIMIT"
        assert small.config["max_procedures"] == 2 and small.config["timeout_ms"] == 5000


def test_role_handles_after_close(world):
    ctx, store, adm, aiotf = world
    dev = _device(ctx, 0)
    dev.close()
    for call in (lambda: dev.on_paging(RN, perm_id=PERMS[0]), lambda: dev.state,
                 lambda: dev.on_command(b"\x7a")):
        with pytest.raises(aiotsec.ClosedError):
            call()
    aiotf.close()
    for call in (lambda: aiotf.start(filter=GROUP), lambda: aiotf.stats,
                 lambda: aiotf.next_requests(), lambda: aiotf.summary(1), lambda: aiotf.pump_local(adm)):
        with pytest.raises(aiotsec.ClosedError):
            call()
    assert "closed" in repr(aiotf)
    adm.close()
    with pytest.raises(aiotsec.ClosedError):
        adm.get_authentication(RN, [RD], filter=GROUP)
    ans = aiotsec.AuthAnswer(1)
    ans.close()
    with pytest.raises(aiotsec.ClosedError):
        ans.sets()


def test_example_script_runs(backend):
    script = REPO / "python" / "examples" / "inventory_command.py"
    out = subprocess.run([sys.executable, str(script), "--backend", backend], env=dict(os.environ),
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert f"backend {backend}" in out.stdout
    assert "group inventory a1/8: 5 identified, 1 forgery AUTH_FAILED, 1 duplicate dropped" in out.stdout
    assert "a100000003 READ -> SUCCESS, data b'temperature=21C;'" in out.stdout
    assert "WRITE into the protected range -> COMMAND_TYPE_SPECIFIC_PARAMETERS_INVALID" in out.stdout
    assert "rejected by the tag: AIOTSEC_E_REPLAY" in out.stdout
    assert "PERMANENT_DISABLE -> SUCCESS" in out.stdout


def test_spares_replace_a_forgery_that_arrived_first(ctx):
    """A forged answer that arrives first cannot push the genuine tag over the cap."""
    store = aiotsec.MemStore(ctx, expected=8)
    for p, k in STORE.items():
        store.add(p, k)
    with aiotsec.Adm(ctx, store) as adm, aiotsec.Aiotf(ctx, spare_reports=1) as aiotf:
        assert aiotf.config["spare_reports"] == 1
        proc = aiotf.start(ProcType.INVENTORY, perm_id=PERMS[2], expected=1, now_ms=0)
        rn = _paging(aiotf, adm, proc)
        dev = _device(ctx, 2)
        genuine = dev.on_paging(rn, perm_id=PERMS[2])
        res0, rd0 = refimpl.decode_auth_response(genuine)
        forged = refimpl.enc_auth_response(bytes([res0[0] ^ 1]) + res0[1:], bytes(16))
        r_forged = aiotf.on_report(rn, forged, now_ms=1)
        r_genuine = aiotf.on_report(rn, genuine, now_ms=1)
        assert aiotf.device(r_genuine).held_back
        with pytest.raises(aiotsec.ProcedureError) as ei:   # beyond the one spare
            aiotf.on_report(rn, refimpl.enc_auth_response(res0, bytes([1] * 16)), now_ms=1)
        assert ei.value.name == "AIOTSEC_E_OVER_CAP"
        aiotf.pump_local(adm, now_ms=2)
        assert aiotf.device(r_forged).status_name == "AIOTSEC_E_AUTH_FAILED"
        g = aiotf.device(r_genuine)
        assert g.identified and g.perm_id == PERMS[2] and not g.held_back
        s = aiotf.summary(proc)
        assert (s.accepted, s.spares, s.authenticated, s.auth_failed, s.over_cap, s.waiting) == \
            (2, 1, 1, 1, 1, 0)
        dev.close()
    store.close()
