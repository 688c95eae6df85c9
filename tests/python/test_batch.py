"""The batch API (batch.h) through Python: same answers as item-by-item, per-item errors."""


import pytest

import aiotsec
import refimpl
from aiotsec import BatchItem, batch_derive_res, batch_verify_res
from conftest import h, load_tsv, random_devices

PROFILE0 = load_tsv("aiot-profile0.tsv")


def _devices(n, seed=7):
    return random_devices(n, seed)


@pytest.mark.parametrize("threads", [0, 1, 2, 5])
def test_batch_derive_matches_reference(ctx, threads):
    devs = _devices(37)
    keys = [ctx.prepare_key(k) for k, _, _ in devs]
    try:
        out = batch_derive_res(ctx, [BatchItem(key, rn, rd) for key, (_, rn, rd) in zip(keys, devs)],
                               threads=threads)
        assert out.statuses == [0] * len(devs)
        assert out.n_ok == len(devs)
        assert out.values == [refimpl.res(k, rn, rd) for k, rn, rd in devs]
        # The XRES values never reach a log through repr() (AuthGetResult hides them too).
        shown = repr(out)
        assert "values" not in shown and all(repr(x) not in shown for x in out.values), shown
        assert "n_ok=37" in shown
        out.raise_for_status()
        assert out.errors() == {}
    finally:
        for key in keys:
            key.close()


def test_batch_vectors_and_verify(ctx):
    keys = [ctx.prepare_key(h(r["k_root"])) for r in PROFILE0]
    items = [(key, h(r["rand_n"]), h(r["rand_d"])) for key, r in zip(keys, PROFILE0)]
    out = batch_derive_res(ctx, items)
    assert out.values == [h(r["res"]) for r in PROFILE0]
    good = [BatchItem(key, rn, rd, res) for (key, rn, rd), res in zip(items, out.values)]
    bad = [BatchItem(key, rn, rd, bytes(len(res))) for (key, rn, rd), res in zip(items, out.values)]
    v = batch_verify_res(ctx, good + bad, threads=2)
    assert v.values == [True] * len(good) + [False] * len(bad)
    assert v.n_ok == len(good)
    auth_failed = aiotsec.status_code("AIOTSEC_E_AUTH_FAILED")
    assert v.statuses[len(good):] == [auth_failed] * len(bad)
    errs = v.errors()
    assert set(errs) == set(range(len(good), len(good) + len(bad)))
    assert all(isinstance(e, aiotsec.AuthenticationError) for e in errs.values())
    with pytest.raises(aiotsec.AuthenticationError):
        v.raise_for_status()
    for key in keys:
        key.close()


def test_batch_per_item_errors(ctx):
    k, rn, rd = _devices(1)[0]
    with ctx.prepare_key(k) as key, aiotsec.Context("sodium") as other, \
            other.prepare_key(k) as foreign:
        items = [(key, rn, rd), (key, rn[:8], rd), (key, rn, rd + b"\0"), (foreign, rn, rd)]
        out = batch_derive_res(ctx, items)
        names = [aiotsec.status_name(s) for s in out.statuses]
        assert names[0] == "AIOTSEC_OK"
        assert names[1] == names[2] == "AIOTSEC_E_BAD_LENGTH"
        assert names[3] == "AIOTSEC_E_BAD_VALUE"   # key prepared with another context
        assert out.values[0] == refimpl.res(k, rn, rd)
        assert out.values[1:] == [None, None, None]
        assert out.n_ok == 1


def test_batch_empty_and_bad_arguments(ctx):
    assert batch_derive_res(ctx, []).values == []
    v = batch_verify_res(ctx, [])
    assert (v.values, v.n_ok) == ([], 0)
    k, rn, rd = _devices(1)[0]
    with ctx.prepare_key(k) as key:
        with pytest.raises(aiotsec.ArgumentError) as ei:
            batch_derive_res(ctx, [(key, rn, rd)], threads=1000)
        assert ei.value.name == "AIOTSEC_E_BAD_VALUE"
        with pytest.raises(TypeError):
            batch_derive_res(ctx, [(b"not a key", rn, rd)])
        with pytest.raises(TypeError):
            batch_derive_res(ctx, [(key, "rn", rd)])
        with pytest.raises(TypeError):
            batch_derive_res(ctx, [42])
        with pytest.raises(TypeError):
            batch_derive_res("ctx", [(key, rn, rd)])
        with pytest.raises(TypeError):
            batch_verify_res(ctx, [(key, rn, rd, None)])
    with pytest.raises(aiotsec.ClosedError):
        batch_derive_res(ctx, [(key, rn, rd)])
