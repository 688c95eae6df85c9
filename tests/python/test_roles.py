"""Roles through Python: key store, ADM, AIOTF and device, checked against the
independent reference (refimpl.py) and for every documented rejection."""

import os
import subprocess
import sys

import pytest

import aiotsec
import refimpl
from aiotsec import Command, CmdStatus, ProcType, nas
from conftest import REPO

IDENT = bytes.fromhex("0102a0")
PERM = b"M-0001"
K = bytes(range(16))
IDENT2, PERM2, K2 = bytes.fromhex("0102a1"), b"M-0002", bytes(range(100, 132))


@pytest.fixture
def world(ctx):
    """(ctx, store, adm, aiotf) with two devices."""
    store = aiotsec.MemStore(ctx, expected=4)
    store.add(IDENT, PERM, K)
    store.add(IDENT2, PERM2, K2)
    adm = aiotsec.Adm(ctx, store)
    aiotf = aiotsec.Aiotf(ctx, adm, timeout_ms=1000)
    yield ctx, store, adm, aiotf
    for h in (aiotf, adm, store):
        h.close()


def _device(ctx, ident=IDENT, k=K, **kw):
    kw.setdefault("memory", bytes(range(64)))
    return aiotsec.Device(ctx, ident, k, **kw)


# -- key store -----------------------------------------------------------------------

def test_memstore(ctx, tmp_path):
    with aiotsec.MemStore(ctx) as store:
        store.add(IDENT, PERM, K)
        assert len(store) == 1
        with pytest.raises(aiotsec.ProcedureError) as ei:
            store.add(IDENT, b"other", K)
        assert ei.value.name == "AIOTSEC_E_DUPLICATE"
        with pytest.raises(aiotsec.ArgumentError) as ei:
            store.add(b"", PERM2, K)
        assert ei.value.name == "AIOTSEC_E_BAD_LENGTH"
        with pytest.raises(aiotsec.ArgumentError):
            store.add(IDENT2, PERM2, K[:15])
        with pytest.raises(aiotsec.ArgumentError):
            store.add(bytes(65), PERM2, K)
        with pytest.raises(TypeError):
            store.add("0102a1", PERM2, K)
        # all or nothing, with the offending line in the exception
        text = f"# comment\n{IDENT2.hex()} {PERM2.hex()} {K2.hex()}\nnot hex at all\n"
        with pytest.raises(aiotsec.ProcedureError) as ei:
            store.load_text(text)
        assert ei.value.name == "AIOTSEC_E_PARSE"
        assert ei.value.detail == "line 3"
        assert len(store) == 1
        path = tmp_path / "keys.txt"
        path.write_text(f"{IDENT2.hex()}\t{PERM2.hex()}\t{K2.hex()}\n")
        assert store.load_file(path) == 2
        assert store.devices() == [(IDENT, PERM), (IDENT2, PERM2)]
        with pytest.raises(aiotsec.ArgumentError) as ei:
            store.load_file(tmp_path / "missing.txt")
        assert ei.value.name == "AIOTSEC_E_IO"
    with pytest.raises(aiotsec.ClosedError):
        len(store)


# -- ADM ---------------------------------------------------------------------------------

def test_adm_operations_match_reference(world):
    ctx, _, adm, _ = world
    rn = adm.sec_rand_get()
    assert len(rn) == ctx.rand_n_len
    assert adm.sec_rand_get() != rn
    rd = bytes(range(50, 66))
    for ident, perm, k in ((IDENT, PERM, K), (IDENT2, PERM2, K2)):
        xres, pid = adm.sec_authentication_get(ident, rn, rd)
        assert (xres, pid) == (refimpl.res(k, rn, rd), perm)
        assert adm.sec_session_key_get(perm, rn, rd) == refimpl.kaiotf(k, rn, rd)
    with pytest.raises(aiotsec.ProcedureError) as ei:
        adm.sec_authentication_get(b"\x99", rn, rd)
    assert ei.value.name == "AIOTSEC_E_UNKNOWN_DEVICE"
    with pytest.raises(aiotsec.ProcedureError):
        adm.sec_session_key_get(b"nobody", rn, rd)
    with pytest.raises(aiotsec.ArgumentError):
        adm.sec_authentication_get(IDENT, rn[:4], rd)
    with pytest.raises(TypeError):
        adm.sec_authentication_get(None, rn, rd)


def test_adm_keeps_store_alive(ctx):
    store = aiotsec.MemStore(ctx)
    store.add(IDENT, PERM, K)
    adm = aiotsec.Adm(ctx, store)
    store.close()
    rn, rd = bytes(16), bytes(16)
    assert adm.sec_authentication_get(IDENT, rn, rd)[0] == refimpl.res(K, rn, rd)
    adm.close()
    with pytest.raises(aiotsec.ClosedError):
        adm.sec_rand_get()


# -- AIOTF and device ---------------------------------------------------------------------

def test_inventory(world):
    ctx, _, _, aiotf = world
    with _device(ctx) as dev:
        proc, rn = aiotf.start(IDENT, ProcType.INVENTORY, now_ms=100)
        assert aiotf.pending == 1
        answer = dev.on_paging(rn, IDENT)
        auth = nas.decode(answer)
        assert auth.res == refimpl.res(K, rn, auth.rand_d)
        assert dev.state == aiotsec.DeviceState.AUTHENTICATING
        r = aiotf.on_report(rn, IDENT, answer, now_ms=110)
        assert (r.proc_id, r.type, r.perm_id) == (proc, ProcType.INVENTORY, PERM)
        assert aiotf.pending == 0       # an inventory ends with the report
        s = aiotf.stats
        assert (s.started, s.authenticated, s.adm_calls) == (1, 1, 2)


def test_device_with_deterministic_rand(ctx):
    rd = bytes(range(200, 216))
    with _device(ctx, rand=lambda n: rd[:n]) as dev:
        rn = bytes(range(16))
        assert dev.on_paging(rn, IDENT) == refimpl.enc_auth_response(refimpl.res(K, rn, rd), rd)
        assert dev.on_paging(rn, IDENT2) is None         # not addressed: silent
        s = dev.stats
        assert (s.pagings, s.answered, s.aborted) == (2, 1, 1)


def test_device_rand_failures_are_reported(ctx):
    def broken(n):
        raise RuntimeError("no entropy")
    with _device(ctx, rand=broken) as dev:
        with pytest.raises(RuntimeError, match="no entropy"):
            dev.on_paging(bytes(16), IDENT)
    with _device(ctx, rand=lambda n: b"short") as dev:
        with pytest.raises(ValueError):
            dev.on_paging(bytes(16), IDENT)
    with pytest.raises(TypeError):
        _device(ctx, rand="not callable")


def _command_world(world, dev, t0=1000):
    ctx, _, _, aiotf = world
    proc, rn = aiotf.start(IDENT, ProcType.COMMAND, now_ms=t0)
    r = aiotf.on_report(rn, IDENT, dev.on_paging(rn, IDENT), now_ms=t0 + 1)
    assert r.type == ProcType.COMMAND
    return proc


def test_command_procedure(world):
    ctx, _, _, aiotf = world
    with _device(ctx, wp_offset=32, wp_len=32) as dev:
        proc = _command_world(world, dev)
        req = aiotf.command(proc, Command.READ, offset=4, length=8, now_ms=1002)
        assert nas.peek_sht(req) in (nas.Sht.INTEGRITY, nas.Sht.INTEGRITY_CIPHERED)
        resp = aiotf.on_command_response(proc, dev.on_command(req), now_ms=1003)
        assert resp == nas.CommandResponse(resp.transaction_id, CmdStatus.SUCCESS, bytes(range(4, 12)))
        assert dev.state == aiotsec.DeviceState.SECURED

        req = aiotf.command(proc, Command.WRITE, offset=0, data=b"abc", now_ms=1004)
        assert aiotf.on_command_response(proc, dev.on_command(req), now_ms=1005).status == \
            CmdStatus.SUCCESS
        assert dev.memory[:4] == b"abc\x03"

        req = aiotf.command(proc, Command.WRITE, offset=40, data=b"x", now_ms=1006)
        assert aiotf.on_command_response(proc, dev.on_command(req), now_ms=1007).status == \
            CmdStatus.WRITE_PROTECTED
        req = aiotf.command(proc, Command.READ, offset=60, length=8, now_ms=1008)
        assert aiotf.on_command_response(proc, dev.on_command(req), now_ms=1009).status == \
            CmdStatus.OUT_OF_RANGE

        # a replayed or tampered request is rejected before anything is acted on
        with pytest.raises(aiotsec.ReplayError):
            dev.on_command(req)
        req = bytearray(aiotf.command(proc, Command.WRITE, offset=0, data=b"zz", now_ms=1010))
        req[-1] ^= 1
        with pytest.raises(aiotsec.MacMismatchError):
            dev.on_command(bytes(req))
        assert dev.memory[:2] == b"ab"
        assert dev.stats.commands_rejected == 2

        req = aiotf.command(proc, Command.DISABLE, now_ms=1011)
        assert aiotf.on_command_response(proc, dev.on_command(req), now_ms=1012).status == \
            CmdStatus.SUCCESS
        assert dev.state == aiotsec.DeviceState.DISABLED
        with pytest.raises(aiotsec.ProcedureError) as ei:
            dev.on_paging(bytes(16), IDENT)
        assert ei.value.name == "AIOTSEC_E_DEVICE_DISABLED"
        aiotf.finish(proc)
        with pytest.raises(aiotsec.ProcedureError) as ei:
            aiotf.finish(proc)
        assert ei.value.name == "AIOTSEC_E_NO_PENDING"


def test_aiotf_drops_unsolicited_and_late_reports(world):
    ctx, _, _, aiotf = world
    with _device(ctx) as dev:
        proc, rn = aiotf.start(IDENT, ProcType.INVENTORY, now_ms=0)
        answer = dev.on_paging(rn, IDENT)
        calls = aiotf.stats.adm_calls
        with pytest.raises(aiotsec.ProcedureError) as ei:          # unknown RAND_AIOT_n
            aiotf.on_report(bytes(16), IDENT, answer, now_ms=1)
        assert ei.value.name == "AIOTSEC_E_NO_PENDING"
        with pytest.raises(aiotsec.ProcedureError) as ei:          # after the deadline
            aiotf.on_report(rn, IDENT, answer, now_ms=5000)
        assert ei.value.name == "AIOTSEC_E_EXPIRED"
        s = aiotf.stats
        assert (s.unsolicited, s.late, s.adm_calls) == (1, 1, calls)   # no ADM call for either
        assert aiotf.expire(now_ms=5000) >= 0


def test_aiotf_rejects_wrong_key_and_malformed(world):
    ctx, _, _, aiotf = world
    with _device(ctx, k=bytes(16)) as impostor:
        proc, rn = aiotf.start(IDENT, ProcType.COMMAND, now_ms=0)
        with pytest.raises(aiotsec.DecodeError):
            aiotf.on_report(rn, IDENT, b"\x7a\x00\x41\x01", now_ms=1)
        with pytest.raises(aiotsec.AuthenticationError) as ei:
            aiotf.on_report(rn, IDENT, impostor.on_paging(rn, IDENT), now_ms=2)
        assert ei.value.name == "AIOTSEC_E_AUTH_FAILED"
        assert aiotf.stats.auth_failed == 1
        with pytest.raises(aiotsec.ProcedureError):       # the procedure ended
            aiotf.command(proc, Command.DISABLE, now_ms=3)


def test_aiotf_bad_arguments(world):
    ctx, _, _, aiotf = world
    with pytest.raises(aiotsec.ArgumentError) as ei:
        aiotf.start(IDENT, 9, now_ms=0)
    assert ei.value.name == "AIOTSEC_E_BAD_VALUE"
    with pytest.raises(TypeError):
        aiotf.start("0102a0", now_ms=0)
    with pytest.raises(ValueError):
        aiotf.start(IDENT, now_ms=-1)
    proc, rn = aiotf.start(IDENT, ProcType.INVENTORY, now_ms=0)
    with pytest.raises(aiotsec.ArgumentError) as ei:   # not an authenticated command procedure
        aiotf.command(proc, Command.READ, offset=0, length=1, now_ms=1)
    assert ei.value.name == "AIOTSEC_E_BAD_STATE"
    with pytest.raises(aiotsec.DecodeError):
        aiotf.command(proc, Command.READ, offset=1 << 16, length=1, now_ms=1)
    with pytest.raises(TypeError):
        aiotf.on_report(rn, IDENT, None, now_ms=1)


def test_aiotf_pending_limit(ctx):
    with aiotsec.MemStore(ctx) as store:
        store.add(IDENT, PERM, K)
        with aiotsec.Adm(ctx, store) as adm, aiotsec.Aiotf(ctx, adm, max_pending=2) as aiotf:
            aiotf.start(IDENT, now_ms=0)
            aiotf.start(IDENT, now_ms=0)
            with pytest.raises(aiotsec.ArgumentError) as ei:
                aiotf.start(IDENT, now_ms=0)
            assert ei.value.name == "AIOTSEC_E_LIMIT"


def test_role_handles_after_close(world):
    ctx, store, adm, aiotf = world
    dev = _device(ctx)
    dev.close()
    with pytest.raises(aiotsec.ClosedError):
        dev.on_paging(bytes(16), IDENT)
    with pytest.raises(aiotsec.ClosedError):
        dev.state
    aiotf.close()
    with pytest.raises(aiotsec.ClosedError):
        aiotf.start(IDENT)
    with pytest.raises(aiotsec.ClosedError):
        aiotf.stats


def test_example_script_runs(backend):
    env = dict(os.environ)
    script = REPO / "python" / "examples" / "inventory_command.py"
    out = subprocess.run([sys.executable, str(script), "--backend", backend], env=env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert f"backend {backend}" in out.stdout
    assert "inventory: authenticated M-0001" in out.stdout
    assert "READ -> SUCCESS, data b'temperature=21C;'" in out.stdout
    assert "WRITE into the protected range -> WRITE_PROTECTED" in out.stdout
    assert "rejected by the device: AIOTSEC_E_REPLAY" in out.stdout
    assert "batch inventory: M-0001, M-0002, AIOTSEC_E_NO_PENDING" in out.stdout
