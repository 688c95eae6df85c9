"""The batch role calls through Python: Adm.sec_authentication_get_batch and
Aiotf.on_reports, checked against the official vectors, the single calls and the
independent reference (refimpl.py), and for every documented per-item rejection."""

import pytest

import aiotsec
import refimpl
from aiotsec import ProcType, Report, nas
from conftest import h, load_tsv

IDENT, PERM, K = bytes.fromhex("0102a0"), b"M-0001", bytes(range(16))
IDENT2, PERM2, K2 = bytes.fromhex("0102a1"), b"M-0002", bytes(range(100, 132))

VECTORS = load_tsv("aiot-profile0.tsv")


def _vec_ident(i):
    return bytes([0xA0, i])


def _vec_perm(i):
    return b"V-%03d" % i


@pytest.fixture
def vec_adm(ctx):
    """An ADM whose store holds one device per official vector row."""
    store = aiotsec.MemStore(ctx)
    for i, row in enumerate(VECTORS):
        store.add(_vec_ident(i), _vec_perm(i), h(row["k_root"]))
    adm = aiotsec.Adm(ctx, store)
    yield adm
    adm.close()
    store.close()


# -- Adm.sec_authentication_get_batch -------------------------------------------------

def test_adm_batch_official_vectors(vec_adm):
    items = [(_vec_ident(i), h(r["rand_n"]), h(r["rand_d"])) for i, r in enumerate(VECTORS)]
    out = vec_adm.sec_authentication_get_batch(items)
    assert len(out) == len(VECTORS)
    for i, (r, row) in enumerate(zip(out, VECTORS)):
        assert r.ok and r.status == 0 and r.error() is None
        assert r.xres == h(row["res"]), f"vector row {i}"
        assert r.perm_id == _vec_perm(i)
        assert "xres" not in repr(r) and row["res"] not in repr(r)   # secret kept out of repr


def test_adm_batch_matches_single_calls_and_reference(ctx, vec_adm):
    # Enough items, mixed and repeated, for the interleaved (multi-lane) paths.
    items = []
    for j in range(37):
        i = j % len(VECTORS)
        rn = bytes((j * 7 + k) & 0xFF for k in range(ctx.rand_n_len))
        rd = bytes((j * 13 + k) & 0xFF for k in range(ctx.rand_d_len))
        items.append((_vec_ident(i), rn, rd))
    out = vec_adm.sec_authentication_get_batch(items)
    for j, (it, r) in enumerate(zip(items, out)):
        i = j % len(VECTORS)
        assert (r.xres, r.perm_id) == vec_adm.sec_authentication_get(*it), f"item {j}"
        assert r.xres == refimpl.res(h(VECTORS[i]["k_root"]), it[1], it[2], ctx.res_len)


def test_adm_batch_per_item_errors(ctx, vec_adm):
    row = VECTORS[0]
    rn, rd = h(row["rand_n"]), h(row["rand_d"])
    items = [
        (_vec_ident(0), rn, rd),          # fine
        (b"\x99\x99", rn, rd),            # unknown device
        (_vec_ident(0), rn[:4], rd),      # RAND_AIOT_n of the wrong length
        (bytes(65), rn, rd),              # identification information too long
        (b"", rn, rd),                    # empty identification information
        (_vec_ident(0), rn, rd + b"\0"),  # RAND_AIOT_d of the wrong length
        (_vec_ident(0), rn, rd),          # fine again: one bad item spoils nothing
    ]
    out = vec_adm.sec_authentication_get_batch(items)
    names = [aiotsec.status_name(r.status) for r in out]
    assert names[0] == names[6] == "AIOTSEC_OK"
    assert out[0].xres == out[6].xres == h(row["res"])
    assert names[1] == "AIOTSEC_E_UNKNOWN_DEVICE"
    assert isinstance(out[1].error(), aiotsec.ProcedureError)
    for k in (2, 3, 4, 5):
        assert names[k] == "AIOTSEC_E_BAD_LENGTH", (k, names[k])
        assert isinstance(out[k].error(), aiotsec.ArgumentError)
        assert out[k].xres is None and out[k].perm_id is None and not out[k].ok
    # Each failing item fails exactly as the single call does.
    for k in (1, 2, 3, 4, 5):
        with pytest.raises(aiotsec.AiotsecError) as ei:
            vec_adm.sec_authentication_get(*items[k])
        assert ei.value.status == out[k].status


def test_adm_batch_bad_input(vec_adm):
    assert vec_adm.sec_authentication_get_batch([]) == []
    rn = bytes(16)
    with pytest.raises(TypeError):
        vec_adm.sec_authentication_get_batch([(b"\x01", rn)])          # two fields
    with pytest.raises(TypeError):
        vec_adm.sec_authentication_get_batch([("a0", rn, rn)])         # str, not bytes
    with pytest.raises(TypeError):
        vec_adm.sec_authentication_get_batch([None])
    vec_adm.close()
    with pytest.raises(aiotsec.ClosedError):
        vec_adm.sec_authentication_get_batch([(b"\x01", rn, rn)])


# -- Aiotf.on_reports -------------------------------------------------------------------

def _world(ctx):
    store = aiotsec.MemStore(ctx)
    store.add(IDENT, PERM, K)
    store.add(IDENT2, PERM2, K2)
    adm = aiotsec.Adm(ctx, store)
    aiotf = aiotsec.Aiotf(ctx, adm, timeout_ms=1000)
    devs = [aiotsec.Device(ctx, IDENT, K, memory=16), aiotsec.Device(ctx, IDENT2, K2, memory=16)]
    return [aiotf, adm, store] + devs


def _scenario(ctx, world, t0=100):
    """Starts three procedures and builds a list of reports covering every verdict."""
    aiotf, _, _, d1, d2 = world
    p1, rn1 = aiotf.start(IDENT, ProcType.INVENTORY, now_ms=t0)
    p2, rn2 = aiotf.start(IDENT2, ProcType.COMMAND, now_ms=t0)
    p3, rn3 = aiotf.start(IDENT, ProcType.INVENTORY, now_ms=t0)
    a1 = d1.on_paging(rn1, IDENT)
    a2 = d2.on_paging(rn2, IDENT2)
    auth = nas.decode(a1)
    assert auth.res == refimpl.res(K, rn1, auth.rand_d)      # the device answered per spec
    bad_res = refimpl.enc_auth_response(bytes(x ^ 1 for x in auth.res), auth.rand_d)
    reports = [
        Report(rn1, IDENT, a1),                  # authenticates (inventory)
        (rn2, IDENT2, a2),                       # authenticates (command), as a tuple
        Report(rn1, IDENT, a1),                  # second report for p1 in one call
        Report(bytes(len(rn1)), IDENT, a1),      # unsolicited: matches no RAND_AIOT_n
        Report(rn3, IDENT, a1[:5]),              # malformed AUTHENTICATION RESPONSE
        Report(rn3, IDENT, bad_res),             # RES_AIOT does not match
    ]
    return (p1, p2, p3), reports


def test_on_reports_verdicts(ctx):
    world = _world(ctx)
    aiotf = world[0]
    (p1, p2, p3), reports = _scenario(ctx, world)
    before = aiotf.stats
    out = aiotf.on_reports(reports, now_ms=150)
    names = [o.name for o in out]
    assert names[0] == names[1] == "AIOTSEC_OK"
    assert (out[0].result.proc_id, out[0].result.type, out[0].result.perm_id) == \
        (p1, ProcType.INVENTORY, PERM)
    assert (out[1].result.proc_id, out[1].result.type, out[1].result.perm_id) == \
        (p2, ProcType.COMMAND, PERM2)
    assert names[2] == names[3] == "AIOTSEC_E_NO_PENDING"
    assert isinstance(out[3].error(), aiotsec.ProcedureError)
    assert isinstance(out[4].error(), aiotsec.DecodeError)
    assert names[5] == "AIOTSEC_E_AUTH_FAILED"
    assert isinstance(out[5].error(), aiotsec.AuthenticationError)
    assert all(o.result is None for o in out[2:])
    after = aiotf.stats
    # Unsolicited and malformed reports cost no ADM call (amplification defence):
    # three matched reports, one authentication each, plus K_AIOTF for the command.
    assert after.adm_calls - before.adm_calls == 4
    assert after.authenticated - before.authenticated == 2
    assert after.auth_failed - before.auth_failed == 1
    # p2 goes on as a command procedure; p1 and p3 are over.
    assert aiotf.pending == 1
    aiotf.command(p2, aiotsec.Command.READ, offset=0, length=4, now_ms=160)
    for hnd in world:
        hnd.close()


def test_on_reports_equals_single_calls(ctx):
    """The same scenario report by report through on_report gives the same verdicts."""
    batch_world, single_world = _world(ctx), _world(ctx)
    _, reports_b = _scenario(ctx, batch_world)
    _, reports_s = _scenario(ctx, single_world)
    batch = batch_world[0].on_reports(reports_b, now_ms=150)
    single = []
    for r in reports_s:
        if isinstance(r, tuple):
            r = Report(*r)
        try:
            res = single_world[0].on_report(r.rand_n, r.ident, r.nas, now_ms=150)
            single.append((0, res.type, res.perm_id))
        except aiotsec.AiotsecError as exc:
            single.append((exc.status, None, None))
    got = [(o.status, o.result.type if o.result else None, o.result.perm_id if o.result else None)
           for o in batch]
    assert got == single
    assert batch_world[0].stats == single_world[0].stats
    for hnd in batch_world + single_world:
        hnd.close()


def test_on_reports_late_and_empty(ctx):
    world = _world(ctx)
    aiotf, _, _, d1, _ = world
    assert aiotf.on_reports([], now_ms=10) == []
    _, rn = aiotf.start(IDENT, ProcType.INVENTORY, now_ms=100)
    a = d1.on_paging(rn, IDENT)
    calls = aiotf.stats.adm_calls
    out = aiotf.on_reports([(rn, IDENT, a)], now_ms=100 + 5000)   # past the 1000 ms deadline
    assert out[0].name == "AIOTSEC_E_EXPIRED" and not out[0].ok
    assert aiotf.stats.adm_calls == calls and aiotf.stats.late == 1
    for hnd in world:
        hnd.close()


def test_on_reports_bad_input(ctx):
    world = _world(ctx)
    aiotf = world[0]
    with pytest.raises(TypeError):
        aiotf.on_reports([(b"\0" * 16, IDENT)])
    with pytest.raises(TypeError):
        aiotf.on_reports([(b"\0" * 16, "0102a0", b"")])
    with pytest.raises(TypeError):
        aiotf.on_reports([42])
    with pytest.raises(ValueError):
        aiotf.on_reports([], now_ms=-1)
    # Wrong lengths are verdicts, not crashes.
    out = aiotf.on_reports([(b"", IDENT, b""), (bytes(16), b"", b"\x7a"),
                            (bytes(300), bytes(300), bytes(300))], now_ms=1)
    assert all(o.status < 0 for o in out)
    aiotf.close()
    with pytest.raises(aiotsec.ClosedError):
        aiotf.on_reports([], now_ms=1)
    for hnd in world[1:]:
        hnd.close()
