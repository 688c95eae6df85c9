"""The batch worker pool (BatchPool, aiotsec_batch_*_pool) through Python: the same
answers as the per-call batch functions and as the independent reference, per-item
errors, bad arguments, two Python threads on one pool, close semantics."""

import threading

import pytest

import aiotsec
import refimpl
from aiotsec import BatchItem, batch_derive_res, batch_verify_res
from aiotsec.batch import BatchPool
from aiotsec.errors import ClosedError
from conftest import random_devices

N = 600  # above two grains of 256 items: the pool's workers take part


def _devices(n, seed=11):
    return random_devices(n, seed)


@pytest.fixture
def batch(ctx):
    """N prepared devices with their reference RES; every 7th RES is wrong."""
    devs = _devices(N)
    keys = [ctx.prepare_key(k) for k, _, _ in devs]
    want = [refimpl.res(k, rn, rd) for k, rn, rd in devs]
    sent = [bytes([r[0] ^ 1]) + r[1:] if i % 7 == 3 else r for i, r in enumerate(want)]
    items = [BatchItem(key, rn, rd, res) for key, (_, rn, rd), res in zip(keys, devs, sent)]
    yield items, want
    for key in keys:
        key.close()


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_pool_matches_reference_and_per_call(ctx, batch, threads):
    items, want = batch
    with BatchPool(threads) as pool:
        assert pool.threads == threads
        d = pool.derive_res(ctx, items)
        assert d.values == want and d.statuses == [0] * N and d.n_ok == N
        v = pool.verify_res(ctx, items)
        matched = [i % 7 != 3 for i in range(N)]
        assert v.values == matched and v.n_ok == sum(matched)
        auth_failed = aiotsec.status_code("AIOTSEC_E_AUTH_FAILED")
        assert v.statuses == [0 if m else auth_failed for m in matched]
        # The keyword form gives the same, and so does the per-call function.
        assert batch_verify_res(ctx, items, pool=pool).statuses == v.statuses
        assert batch_derive_res(ctx, items, pool=pool).values == d.values
        single = batch_verify_res(ctx, items, threads=1)
        assert (single.statuses, single.n_ok) == (v.statuses, v.n_ok)


def test_pool_per_item_errors(ctx):
    devs = _devices(N, seed=3)
    k0, rn0, rd0 = devs[0]
    with BatchPool(2) as pool, aiotsec.Context("sodium") as other, \
            other.prepare_key(k0) as foreign:
        keys = [ctx.prepare_key(k) for k, _, _ in devs]
        try:
            items = [(key, rn, rd) for key, (_, rn, rd) in zip(keys, devs)]
            items[5] = (keys[5], devs[5][1][:8], devs[5][2])   # short RAND_n
            items[300] = (foreign, rn0, rd0)                    # another context's key
            out = pool.derive_res(ctx, items)
            names = {i: aiotsec.status_name(s) for i, s in enumerate(out.statuses) if s}
            assert names == {5: "AIOTSEC_E_BAD_LENGTH", 300: "AIOTSEC_E_BAD_VALUE"}
            assert out.values[5] is None and out.values[300] is None
            assert out.n_ok == N - 2
            assert out.values[6] == refimpl.res(*devs[6])
        finally:
            for key in keys:
                key.close()


def test_pool_bad_arguments(ctx, batch):
    items, _ = batch
    for bad in (0, 65):
        with pytest.raises(aiotsec.ArgumentError) as ei:
            BatchPool(bad)
        assert ei.value.name == "AIOTSEC_E_BAD_VALUE"
    with pytest.raises(TypeError):
        BatchPool("2")
    pool = BatchPool(2)
    with pytest.raises(ValueError):
        batch_verify_res(ctx, items, threads=2, pool=pool)
    with pytest.raises(TypeError):
        batch_verify_res(ctx, items, pool=object())
    with pytest.raises(TypeError):
        pool.verify_res("not a context", items)
    assert pool.verify_res(ctx, []).values == []
    pool.close()
    pool.close()  # idempotent
    assert pool.closed
    with pytest.raises(ClosedError):
        pool.verify_res(ctx, items)
    with pytest.raises(ClosedError):
        with pool:
            pass


def test_two_python_threads_share_one_pool(ctx, batch):
    items, want = batch
    half = N // 2 + 1
    errors = []

    def caller(part, expect):
        try:
            for _ in range(10):
                out = pool.derive_res(ctx, part)
                if out.values != expect:
                    errors.append("wrong XRES")
        except Exception as e:  # reported by the main thread
            errors.append(repr(e))

    with BatchPool(2) as pool:
        threads = [threading.Thread(target=caller, args=(items[:half], want[:half])),
                   threading.Thread(target=caller, args=(items[half:], want[half:]))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []
