"""Random group inventories through the bindings, predicted by the independent reference.

Each case draws a key store (up to 100,000 devices), a filter, the tags that answer
(Device objects paged with the filter), forged answers (wrong RES_AIOT), duplicated
answers and a cap on the expected number, then runs them through Aiotf and Adm: the
library must accept, drop and identify exactly as refimpl.paging_outcome() says - the
devices that answered genuinely (and were within the cap) identified with the right
Permanent Identifier, every forgery failing alone, duplicates and answers over the cap
dropped with their statuses, and the ADM's candidate sets equal to the reference's.
"""

import random

import pytest

import aiotsec
import refimpl
from aiotsec import AdmOp, FailureCause, ProcType

FAST_BACKEND = "native" if "native" in aiotsec.backends() else aiotsec.backends()[0]


# -- building a case --------------------------------------------------------------------

def population(rng, n):
    """n devices {Permanent Identifier: K_AIOT_root}: identifiers of 5..8 random octets
    (distinct), keys of 16 or 32 octets; and the same as a key-file text."""
    store = {}
    while len(store) < n:
        pid = rng.randbytes(rng.randrange(5, 9))
        if pid not in store:
            store[pid] = rng.randbytes(rng.choice((16, 32)))
    text = "".join(f"{p.hex()} {k.hex()}\n" for p, k in store.items())
    return store, text


def group_filter(rng, store, bits=None):
    """A filter: the first ``bits`` bits of a random member's identifier (so it matches
    someone), or with probability 1/8 a long random prefix that likely matches nobody."""
    if bits is None and rng.random() < 0.125:
        return refimpl.make_filter(rng.randbytes(6), 44)
    pid = rng.choice(list(store))
    if bits is None:
        # Groups from about half the store down to a handful of devices.
        bits = rng.randrange(1, max(2, len(store).bit_length() + 1))
    return refimpl.make_filter(pid, bits)


def forge(rng, genuine):
    """A forged AUTHENTICATION RESPONSE: a fresh RAND_AIOT_d with a random RES_AIOT, a flipped
    genuine RES_AIOT, or a genuine RES_AIOT moved to another RAND_AIOT_d."""
    kind = rng.randrange(3)
    if kind == 0 or not genuine:
        return refimpl.enc_auth_response(rng.randbytes(16), rng.randbytes(16))
    res_v, _ = refimpl.decode_auth_response(rng.choice(genuine))
    if kind == 1:
        res_v = bytes([res_v[0] ^ (1 << rng.randrange(8))]) + res_v[1:]
    return refimpl.enc_auth_response(res_v, rng.randbytes(16))


def duplicate_of(rng, msg):
    """An answer that repeats ``msg``'s RAND_AIOT_d: an exact replay, or a changed RES_AIOT."""
    if rng.random() < 0.5:
        return msg
    res_v, rand_d = refimpl.decode_auth_response(msg)
    return refimpl.enc_auth_response(rng.randbytes(16), rand_d)


def python_transport(aiotf, adm, rng, now, lose=0.0):
    """Carries every queued request to the ADM and back with the Python calls (the way an
    SBI client would), losing each with probability ``lose`` (AIOTSEC_E_TRANSPORT, retried)."""
    transport = aiotsec.status_code("AIOTSEC_E_TRANSPORT")
    handled = 0
    answer = aiotsec.AuthAnswer(adm.max_derivations)
    while True:
        reqs = aiotf.next_requests(rng.randrange(1, 9), now_ms=now)
        if not reqs:
            return handled
        for rq in reqs:
            handled += 1
            lost = rng.random() < lose
            if rq.op == AdmOp.GET_RAND:
                if lost:
                    aiotf.on_rand(rq, status=transport, now_ms=now)
                else:
                    aiotf.on_rand(rq, adm.get_rand(), now_ms=now)
            elif rq.op == AdmOp.GET_AUTHENTICATION:
                try:
                    if lost:
                        raise aiotsec.library().error(transport)
                    adm.answer_request(rq, answer)
                    aiotf.on_authentication(rq, answer, now_ms=now)
                except aiotsec.AiotsecError as exc:       # 413, 404 and lost requests
                    aiotf.on_authentication(rq, status=exc, now_ms=now)
            else:
                assert rq.op == AdmOp.GET_SESSION_KEY and len(rq.rand_d_list) == 1
                if lost:
                    aiotf.on_session_key(rq, status=transport, now_ms=now)
                else:
                    aiotf.on_session_key(rq, adm.get_session_key(rq.perm_id, rq.rand_n, rq.rand_d),
                                         now_ms=now)


def run_case(ctx, rng, n_devices, *, bits=None, max_answers=40, min_answers=0, full_reference=True,
             transport="local", derivation_factor=None, proc_type=None, max_batch=None):
    """One random group inventory; returns what happened, for the callers' own checks.

    ``derivation_factor`` sets the ADM's limit to that many times the group size, so that
    getAuthentication requests are refused (413) until the AIOTF has split their
    RAND_AIOT_d lists small enough (None: the profile's default limit).
    """
    store, text = population(rng, n_devices)
    filt = group_filter(rng, store, bits)
    members = [p for p in store if refimpl.filter_match(filt, p)]
    max_derivations = None if derivation_factor is None else max(1, len(members)) * derivation_factor
    proc_type = proc_type or rng.choice((ProcType.INVENTORY, ProcType.COMMAND))
    spares = rng.choice((0, 1, 4, 16))
    with aiotsec.MemStore(ctx, expected=n_devices) as ms:
        assert ms.load_text(text) == n_devices
        with aiotsec.Adm(ctx, ms, max_derivations=max_derivations) as adm, \
                aiotsec.Aiotf(ctx, timeout_ms=10_000, spare_reports=spares,
                              max_batch=max_batch or rng.choice((1, 3, 16, 256)),
                              max_requests=64, max_sessions=512) as aiotf:
            # Who will answer, and how many forgeries, are drawn first so that the cap on the
            # expected number of answers can fall anywhere among them.
            answering = rng.sample(members, rng.randrange(min(min_answers, len(members)),
                                                          min(len(members), max_answers) + 1))
            n_forged = rng.randrange(0, max(2, len(answering) // 4 + 1))
            expected_cap = rng.choice((0, 0, rng.randrange(1, len(answering) + n_forged + 2)))
            proc = aiotf.start(proc_type, filter=filt, expected=expected_cap, now_ms=0)
            if transport == "local":
                assert aiotf.pump_local(adm, now_ms=0) == 1
            else:
                python_transport(aiotf, adm, rng, 0, lose=0.2)
            summary = aiotf.summary(proc)
            assert summary.paging and len(summary.rand_n) == 16
            rand_n = summary.rand_n

            # The radio: the chosen members answer the paging, a sample of others stays silent.
            genuine, sender_of = [], {}
            for pid in answering:
                with aiotsec.Device(ctx, pid, store[pid]) as dev:
                    msg = dev.on_paging(rand_n, filter=filt)
                    assert msg is not None, pid.hex()
                    genuine.append(msg)
                    sender_of[msg] = pid
            outsiders = [p for p in rng.sample(list(store), min(20, len(store))) if p not in members]
            for pid in outsiders[:5]:
                with aiotsec.Device(ctx, pid, store[pid]) as dev:
                    assert dev.on_paging(rand_n, filter=aiotsec.Filter(filt)) is None
                    assert dev.stats.not_addressed == 1

            forged = [forge(rng, genuine) for _ in range(n_forged)]
            answers = genuine + forged
            rng.shuffle(answers)
            for _ in range(rng.randrange(0, max(2, len(answers) // 5 + 1))):
                if answers:
                    i = rng.randrange(len(answers))
                    answers.insert(rng.randrange(i + 1, len(answers) + 1), duplicate_of(rng, answers[i]))
            senders = [sender_of.get(m) for m in answers]

            arrival, verdicts, held = refimpl.paging_outcome(
                store, rand_n, answers, expected_cap, filt=filt,
                senders=None if full_reference else senders, spares=spares)

            # Step 6: every report is accepted or dropped with its own status, no ADM call yet.
            before = aiotf.stats
            if rng.random() < 0.5:
                got = []
                for m in answers:
                    try:
                        aiotf.on_report(rand_n, m, now_ms=1)
                        got.append("AIOTSEC_OK")
                    except aiotsec.ProcedureError as exc:
                        got.append(exc.name)
            else:
                got = [v.name for v in aiotf.on_reports([(rand_n, m) for m in answers], now_ms=1)]
            assert got == arrival
            mid = aiotf.stats
            assert mid.duplicate - before.duplicate == arrival.count(refimpl.DUPLICATE)
            assert mid.over_cap - before.over_cap == arrival.count(refimpl.OVER_CAP)

            # Steps 7-11. With a small max_batch there may be more requests than request
            # slots: flush says so (LIMIT) and the rest is formed as answers free slots.
            try:
                aiotf.flush(proc)
            except aiotsec.ArgumentError as exc:
                assert exc.name == "AIOTSEC_E_LIMIT"
            if transport == "local":
                aiotf.pump_local(adm, now_ms=2)
            else:
                python_transport(aiotf, adm, rng, 2, lose=0.2)

            reports = aiotf.devices(proc)
            assert [(r.status_name, r.perm_id) for r in reports] == verdicts
            identified = {r.perm_id for r in reports if r.identified}
            taken_senders = [senders[i] for i, a in enumerate(arrival) if a == refimpl.ACCEPTED]
            sent_genuine = {who for who, v in zip(taken_senders, verdicts)
                            if who is not None and v[0] != refimpl.OVER_CAP}
            assert identified == sent_genuine              # exactly the genuine answers sent
            assert all(v[1] == who for who, v in zip(taken_senders, verdicts) if v[0] == refimpl.IDENTIFIED)
            s = aiotf.summary(proc)
            n_ok = sum(1 for v in verdicts if v[0] == refimpl.IDENTIFIED)
            n_fail = sum(1 for v in verdicts if v[0] in (refimpl.AUTH_FAILED, refimpl.AMBIGUOUS))
            n_unneeded = sum(1 for v in verdicts if v[0] == refimpl.OVER_CAP)
            assert (s.accepted, s.spares, s.waiting, s.authenticated, s.auth_failed) == \
                (len(verdicts) - n_unneeded, len(held), 0, n_ok, n_fail)
            assert (s.duplicate, s.over_cap) == (arrival.count(refimpl.DUPLICATE),
                                                 arrival.count(refimpl.OVER_CAP) + n_unneeded)
            assert s.errors == len(verdicts) - n_unneeded - n_ok - n_fail  # NO_CANDIDATE only
            want_cause = (FailureCause.NONE if n_ok else
                          FailureCause.AUTH_FAILURE if n_fail else FailureCause.NO_SUCC_INV_RESP)
            assert s.failure_cause == want_cause
            assert s.failure_cause_name == {FailureCause.NONE: "", FailureCause.AUTH_FAILURE:
                                            "AUTH_FAILURE"}.get(want_cause, "NO_SUCC_INV_RESP")
            if proc_type == ProcType.COMMAND:
                assert all(r.secured == r.identified for r in reports)
            else:
                assert not any(r.secured for r in reports)
            stats = aiotf.stats
            assert stats.authenticated == n_ok
            aiotf.finish(proc)
            assert aiotf.pending == 0
    return members, verdicts, arrival, stats


# -- the cases ------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", range(24))
def test_random_group_inventory(seed, backend):
    rng = random.Random(seed * 7919 + hash(backend) % 1000)
    with aiotsec.Context(backend) as ctx:
        run_case(ctx, rng, rng.choice((1, 8, 50, 300, 1500)),
                 transport=rng.choice(("local", "python")),
                 derivation_factor=rng.choice((None, None, 1, 3)))


@pytest.mark.parametrize("seed", range(3))
def test_random_group_inventory_20000(seed):
    rng = random.Random(0x5EED + seed)
    with aiotsec.Context(FAST_BACKEND) as ctx:
        members, verdicts, _, _ = run_case(ctx, rng, 20_000, bits=rng.randrange(4, 9), max_answers=120,
                                        min_answers=20, full_reference=False)
        assert members


def test_group_inventory_100000_devices():
    """The big one: 100,000 devices, a 5-bit filter (about 3,000 members), up to 400 answers
    plus forgeries and duplicates, through the AIOTF's splits of 413-refused requests."""
    rng = random.Random(100_000)
    with aiotsec.Context(FAST_BACKEND) as ctx:
        members, verdicts, arrival, stats = run_case(
            ctx, rng, 100_000, bits=5, max_answers=400, min_answers=250, full_reference=False,
            transport="local", proc_type=ProcType.INVENTORY, max_batch=256)
    assert 1000 < len(members) < 6000
    assert len(arrival) >= 250                     # at least 250 genuine answers went in
    assert sum(1 for v in verdicts if v[0] == refimpl.IDENTIFIED) > 0
    assert refimpl.DUPLICATE in arrival and refimpl.AUTH_FAILED in {v[0] for v in verdicts}
    # |candidates| x |randDlist| was over the ADM's 65,536: the AIOTF split the lists.
    assert stats.adm_splits > 0


# -- the ADM's candidate sets against the reference ---------------------------------------------

@pytest.mark.parametrize("seed", range(12))
def test_candidate_sets_match_reference(seed, backend):
    rng = random.Random(424242 + seed)
    store, text = population(rng, rng.choice((1, 20, 200)))
    rand_n = rng.randbytes(16)
    rds = [rng.randbytes(16) for _ in range(rng.randrange(1, 6))]
    with aiotsec.Context(backend) as ctx, aiotsec.MemStore(ctx) as ms:
        ms.load_text(text)
        with aiotsec.Adm(ctx, ms) as adm:
            for _ in range(4):
                filt = group_filter(rng, store)
                want = refimpl.candidate_sets(store, rand_n, rds, filt=filt)
                if not want[0][1]:
                    with pytest.raises(aiotsec.ProcedureError) as ei:
                        adm.get_authentication(rand_n, rds, filter=filt)
                    assert ei.value.name == "AIOTSEC_E_NO_CANDIDATE"
                    continue
                got = adm.get_authentication(rand_n, rds, filter=filt)
                # Candidates come in Permanent Identifier order (adm.h): as the reference sorts.
                assert [(s.rand_d, [(c.xres, c.perm_id) for c in s.candidates]) for s in got] == want
            pid = rng.choice(list(store))
            got = adm.get_authentication(rand_n, rds, perm_id=pid)
            assert [(s.rand_d, [(c.xres, c.perm_id) for c in s.candidates]) for s in got] == \
                refimpl.candidate_sets(store, rand_n, rds, perm_id=pid)
