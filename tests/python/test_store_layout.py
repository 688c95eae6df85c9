"""The compact key-store layout as the bindings see it: the named getAuthentication batch
(aiotsec_adm_get_authentication_named) against the independent reference (refimpl.py),
per-item statuses, stores without raw keys (AIOTSEC_MEMSTORE_NO_RAW_KEYS), storage order
after a load, and the 0.3 layout of aiotsec_backend (compact prepared keys)."""

import ctypes
import random

import pytest

import aiotsec
import refimpl
from aiotsec import _ffi
from aiotsec.custom_backend import Bridge
from conftest import ALL_BACKENDS, random_devices

RAW_AND_NO_RAW = [b for b in ("native", "sodium") if b in ALL_BACKENDS]


def ref_xres(ctx, k_root, rand_n, rand_d):
    """XRES_AIOT by the reference: the last res_len octets of HMAC-SHA-256(K_AIOT_root, S),
    S = FC || RAND_n || 0x00 0x10 || RAND_d || 0x00 0x10, FC and res_len from the profile."""
    p = ctx.profile
    return refimpl.kdf(k_root, p.fc_res, rand_n, rand_d)[-p.res_len:]


def make_devices(n, seed):
    """n (perm_id, K_AIOT_root, RAND_AIOT_n, RAND_AIOT_d), distinct identifiers of 1..64 octets."""
    rng = random.Random(seed)
    ids = set()
    while len(ids) < n:
        ids.add(bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 64))))
    ids = sorted(ids, key=lambda _: rng.random())  # not in Permanent Identifier order
    return [(p, k, rn, rd) for p, (k, rn, rd) in zip(ids, random_devices(n, seed + 1))]


def key_text(devs):
    return "".join(f"{p.hex()} {k.hex()}\n" for p, k, _, _ in devs)


def status(name):
    return aiotsec.status_code(name)


# -- declarations and struct layouts ------------------------------------------------------

def test_struct_sizes_match_the_library():
    cd = aiotsec.library().cdll
    assert ctypes.sizeof(_ffi.AdmNamed) == cd.aiotsec_adm_named_structbytes()
    assert ctypes.sizeof(_ffi.BackendTable) == cd.aiotsec_backend_structbytes()
    names = [n for n, _ in _ffi.BackendTable._fields_]
    assert names[-3:] == ["hmac_compact_size", "hmac_compact", "hmac_batch_compact"]


def test_new_functions_are_declared():
    cd = aiotsec.library().cdll
    assert cd.aiotsec_memstore_new_with_flags.argtypes is not None
    assert cd.aiotsec_adm_get_authentication_named.argtypes is not None
    assert cd.aiotsec_adm_named_structbytes.restype is ctypes.c_size_t


def test_capability_bit_and_constants():
    assert aiotsec.Caps.HMAC_COMPACT == 0x10
    assert aiotsec.backend.COMPACT_MAX == 64
    assert _ffi.MEMSTORE_NO_RAW_KEYS == 0x1
    for b in ALL_BACKENDS:  # a capability mask converts whatever bits a backend reports
        caps = aiotsec.backend_caps(b)
        assert caps & aiotsec.Caps.HMAC_SHA256
        assert int(caps) & ~0x1F == 0


def test_custom_backend_table_has_the_new_fields_empty():
    lib = aiotsec.library()
    bridge = Bridge(lib, aiotsec.CustomBackend())
    t = bridge.table
    assert t.struct_size == lib.cdll.aiotsec_backend_structbytes()
    assert t.hmac_compact_size == 0 and not t.hmac_compact and not t.hmac_batch_compact
    caps = aiotsec.Caps(int(lib.cdll.aiotsec_backend_caps(ctypes.byref(t))))
    assert caps & aiotsec.Caps.HMAC_SHA256 and not caps & aiotsec.Caps.HMAC_COMPACT
    with aiotsec.Context(aiotsec.CustomBackend()) as ctx:
        k, rn, rd = random_devices(1, 7)[0]
        assert ctx.derive_res(k, rn, rd) == ref_xres(ctx, k, rn, rd)
        assert not ctx.caps & aiotsec.Caps.HMAC_COMPACT


def test_older_backend_layout_is_still_accepted():
    # A table compiled against the 0.2 header: struct_size ends before hmac_compact_size.
    lib = aiotsec.library()
    bridge = Bridge(lib, aiotsec.CustomBackend())
    bridge.table.struct_size = _ffi.BackendTable.hmac_compact_size.offset
    out = ctypes.c_void_p()
    lib.check(lib.cdll.aiotsec_ctx_new_custom(ctypes.byref(out), ctypes.byref(bridge.table), None))
    try:
        k, rn, rd = random_devices(1, 8)[0]
        buf = ctypes.create_string_buffer(16)
        lib.check(lib.cdll.aiotsec_derive_res(out, k, len(k), rn, len(rn), rd, len(rd), buf, 16))
        assert buf.raw == refimpl.res(k, rn, rd)
        assert not lib.cdll.aiotsec_ctx_caps(out) & aiotsec.Caps.HMAC_COMPACT
    finally:
        lib.cdll.aiotsec_ctx_free(out)


# -- getAuthentication for named devices -----------------------------------------------------

@pytest.mark.parametrize("keep_raw_keys", [True, False], ids=["raw", "no-raw"])
def test_named_batch_matches_reference(ctx, keep_raw_keys):
    devs = make_devices(300, 11)
    with aiotsec.MemStore(ctx, keep_raw_keys=keep_raw_keys) as store:
        assert store.load_text(key_text(devs)) == len(devs)
        with aiotsec.Adm(ctx, store) as adm:
            items = [(p, rn, rd) for p, _, rn, rd in devs]
            out = adm.get_authentication_named(items)
    assert len(out) == len(devs)
    for r, (p, k, rn, rd) in zip(out, devs):
        assert isinstance(r, aiotsec.NamedAuthResult)
        assert r.ok and r.status == 0 and r.error() is None and r.status_name == "AIOTSEC_OK"
        assert r.perm_id == p
        assert r.xres == ref_xres(ctx, k, rn, rd) and len(r.xres) == ctx.res_len
        assert r.raise_for_status() == r.xres
        assert r.xres.hex() not in repr(r) and "xres" not in repr(r)


def test_named_batch_same_device_many_rands(ctx):
    # One device named many times with different RAND_AIOT_d (and bytearray/memoryview input).
    p, k = b"\xa1\x00\x01", bytes(range(32))
    rng = random.Random(5)
    rands = [(bytes(rng.getrandbits(8) for _ in range(16)),
              bytes(rng.getrandbits(8) for _ in range(16))) for _ in range(40)]
    with aiotsec.MemStore(ctx) as store:
        store.add(p, k)
        with aiotsec.Adm(ctx, store) as adm:
            out = adm.get_authentication_named(
                [(bytearray(p), memoryview(rn), rd) for rn, rd in rands])
            single = adm.get_authentication(rands[0][0], [rands[0][1]], perm_id=p)
    assert [r.xres for r in out] == [ref_xres(ctx, k, rn, rd) for rn, rd in rands]
    assert single[0].candidates[0].xres == out[0].xres


def test_named_batch_per_item_statuses(ctx):
    devs = make_devices(20, 21)
    good = [(p, rn, rd) for p, _, rn, rd in devs]
    rn0, rd0 = devs[0][2], devs[0][3]
    bad = {
        2: ((b"\xff" * 64), rn0, rd0, "AIOTSEC_E_UNKNOWN_DEVICE"),   # well formed, not stored
        5: (b"", rn0, rd0, "AIOTSEC_E_BAD_LENGTH"),                  # empty identifier
        7: (b"\x01" * 65, rn0, rd0, "AIOTSEC_E_BAD_LENGTH"),         # identifier over 64
        11: (devs[11][0], rn0[:15], rd0, "AIOTSEC_E_BAD_LENGTH"),     # RAND_AIOT_n of 15
        13: (devs[13][0], rn0, rd0 + b"\x00", "AIOTSEC_E_BAD_LENGTH"),  # RAND_AIOT_d of 17
        17: (devs[17][0], b"", rd0, "AIOTSEC_E_BAD_LENGTH"),          # empty RAND_AIOT_n
    }
    items = list(good)
    for i, (p, rn, rd, _) in bad.items():
        items[i] = (p, rn, rd)
    with aiotsec.MemStore(ctx) as store:
        store.load_text(key_text(devs))
        with aiotsec.Adm(ctx, store) as adm:
            out = adm.get_authentication_named(items)
    for i, r in enumerate(out):
        if i in bad:
            want = bad[i][3]
            assert not r.ok and r.status == status(want) and r.status_name == want, i
            assert r.xres is None and r.perm_id == items[i][0]
            exc = r.error()
            assert isinstance(exc, aiotsec.AiotsecError) and exc.name == want
            with pytest.raises(aiotsec.AiotsecError) as info:
                r.raise_for_status()
            assert info.value.status == r.status
        else:
            p, k, rn, rd = devs[i]
            assert r.ok and r.xres == ref_xres(ctx, k, rn, rd), i
    unknown = out[2].error()
    assert isinstance(unknown, aiotsec.ProcedureError)
    assert isinstance(out[5].error(), aiotsec.ArgumentError)


def test_named_batch_unknown_devices_in_empty_store(ctx):
    with aiotsec.MemStore(ctx) as store, aiotsec.Adm(ctx, store) as adm:
        out = adm.get_authentication_named([(b"\x01", bytes(16), bytes(16)),
                                            (b"\x02", bytes(16), bytes(16))])
    assert [r.status_name for r in out] == ["AIOTSEC_E_UNKNOWN_DEVICE"] * 2
    assert all(r.xres is None for r in out)


def test_named_batch_empty_and_types(ctx):
    with aiotsec.MemStore(ctx) as store:
        store.add(b"\x01", bytes(16))
        adm = aiotsec.Adm(ctx, store)
        assert adm.get_authentication_named([]) == []
        assert adm.get_authentication_named(()) == []
        for items in ([b"\x01"], [(b"\x01", bytes(16))], [("01", bytes(16), bytes(16))],
                      [(b"\x01", None, bytes(16))], b"\x01" * 3, [[b"\x01", 16, bytes(16)]]):
            with pytest.raises(TypeError):
                adm.get_authentication_named(items)
        # lists of three work like tuples
        (r,) = adm.get_authentication_named([[b"\x01", bytes(16), bytes(16)]])
        assert r.xres == ref_xres(ctx, bytes(16), bytes(16), bytes(16))
        adm.close()
        with pytest.raises(aiotsec.ClosedError):
            adm.get_authentication_named([(b"\x01", bytes(16), bytes(16))])


def test_named_batch_with_pool_matches_reference():
    devs = make_devices(2500, 31)
    with aiotsec.Context("native") as ctx, aiotsec.BatchPool(3) as pool, \
            aiotsec.MemStore(ctx, keep_raw_keys=False) as store:
        store.load_text(key_text(devs))
        items = [(p, rn, rd) for p, _, rn, rd in devs]
        items[100] = (b"\x00" * 65, items[100][1], items[100][2])
        with aiotsec.Adm(ctx, store, pool=pool) as adm:
            out = adm.get_authentication_named(items)
        want = [ref_xres(ctx, k, rn, rd) for _, k, rn, rd in devs]
    assert out[100].status_name == "AIOTSEC_E_BAD_LENGTH" and out[100].xres is None
    for i, r in enumerate(out):
        if i != 100:
            assert r.ok and r.xres == want[i], i
    assert sum(r.ok for r in out) == len(devs) - 1


# -- stores without raw keys -----------------------------------------------------------------

@pytest.mark.parametrize("backend_name", RAW_AND_NO_RAW)
def test_store_without_raw_keys_answers_the_same(backend_name):
    devs = make_devices(120, 41)
    text = key_text(devs)
    group = aiotsec.Filter.from_prefix(bytes([devs[0][0][0]]), 4)
    rn = devs[0][2]
    rds = [d[3] for d in devs[:3]]
    named = [(p, r_n, r_d) for p, _, r_n, r_d in devs] + [(b"\xee" * 9, rn, rds[0])]

    def answers(keep):
        with aiotsec.Context(backend_name) as ctx, \
                aiotsec.MemStore(ctx, keep_raw_keys=keep) as store:
            store.load_text(text)
            assert store.keeps_raw_keys is keep
            with aiotsec.Adm(ctx, store) as adm:
                out = adm.get_authentication_named(named)
                sets = adm.get_authentication(rn, rds, filter=group)
                one = adm.get_authentication(rn, rds, perm_id=devs[1][0])
                keys = [adm.get_session_key(p, r_n, r_d) for p, _, r_n, r_d in devs[:10]]
                with pytest.raises(aiotsec.ProcedureError):
                    adm.get_session_key(b"\xee" * 9, rn, rds[0])
                tid = adm.get_tid(devs[2][0])
                assert len(tid.tid) == 16
            return ([(r.status, r.xres) for r in out], sets, one, keys, store.perm_ids())

    raw, no_raw = answers(True), answers(False)
    assert raw == no_raw
    (named_out, sets, one, keys, ids) = raw
    with aiotsec.Context(backend_name) as ctx:
        for (st, x), (p, k, r_n, r_d) in zip(named_out, devs):
            assert st == 0 and x == ref_xres(ctx, k, r_n, r_d)
        assert named_out[-1] == (status("AIOTSEC_E_UNKNOWN_DEVICE"), None)
        store_ref = {p: k for p, k, _, _ in devs}
        want = refimpl.candidate_sets(store_ref, rn, rds, filt=group.encoded)
        got = [(s.rand_d, sorted(((c.xres, c.perm_id) for c in s.candidates),
                                 key=lambda e: (e[1], e[0]))) for s in sets]
        assert got == want and sum(len(c) for _, c in want) > 0
        assert [c.xres for s in one for c in s.candidates] == \
            [ref_xres(ctx, devs[1][1], rn, rd) for rd in rds]
        assert keys == [refimpl.kaiotf(k, r_n, r_d) for _, k, r_n, r_d in devs[:10]]


def test_keep_raw_keys_is_keyword_only_and_bool(ctx):
    with pytest.raises(TypeError):
        aiotsec.MemStore(ctx, 0, False)
    with pytest.raises(TypeError):
        aiotsec.MemStore(ctx, keep_raw_keys=0)
    with aiotsec.MemStore(ctx, 10, keep_raw_keys=False) as store:
        assert "raw_keys=False" in repr(store) and not store.keeps_raw_keys
        store.add(b"\x01", bytes(16))
        with pytest.raises(aiotsec.ProcedureError) as info:
            store.add(b"\x01", bytes(32))
        assert info.value.name == "AIOTSEC_E_DUPLICATE"
        assert len(store) == 1
    with aiotsec.MemStore(ctx) as store:
        assert store.keeps_raw_keys and "raw_keys" not in repr(store)


# -- storage order -------------------------------------------------------------------------

def test_load_stores_devices_sorted(ctx):
    devs = make_devices(200, 51)
    ids = [d[0] for d in devs]
    assert ids != sorted(ids)  # the text is not in order
    with aiotsec.MemStore(ctx) as store:
        store.load_text(key_text(devs))
        assert store.perm_ids() == sorted(ids)
        assert [store.device_at(i) for i in range(len(store))] == sorted(ids)
        assert list(store) == sorted(ids)


def test_storage_order_is_insertion_order_with_each_load_sorted(ctx, tmp_path):
    added = [b"\x90", b"\x10"]                       # add(): insertion order
    first = [b"\x70", b"\x05", b"\x50"]              # one load: sorted among themselves
    second = [b"\x99", b"\x01"]                      # another load, from a file
    with aiotsec.MemStore(ctx, keep_raw_keys=False) as store:
        for p in added:
            store.add(p, bytes(16))
        store.load_text("".join(f"{p.hex()} {bytes(16).hex()}\n" for p in first))
        path = tmp_path / "keys.txt"
        path.write_text("# second block\n" + "".join(f"{p.hex()}\t{bytes(32).hex()}\n"
                                                     for p in second))
        store.load_file(path)
        store.add(b"\x00", bytes(16))
        want = added + sorted(first) + sorted(second) + [b"\x00"]
        assert store.perm_ids() == want
        assert [store.device_at(i) for i in range(len(want))] == want
        # a load that fails changes nothing (all or nothing), order included
        with pytest.raises(aiotsec.ProcedureError):
            store.load_text(f"ab {bytes(16).hex()}\n05 {bytes(16).hex()}\n")
        assert store.perm_ids() == want
        # a filter still finds every device, whatever the storage order
        with aiotsec.Adm(ctx, store) as adm:
            sets = adm.get_authentication(bytes(16), [bytes(16)],
                                          filter=aiotsec.Filter.from_prefix(b"\x00", 1))
            assert [c.perm_id for c in sets[0].candidates] == sorted(
                p for p in want if p[0] < 0x80)
