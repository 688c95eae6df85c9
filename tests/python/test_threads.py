"""Many threads sharing one context (and one prepared key) get correct answers;
closing while others are mid-call never crashes."""

import random
import threading

import pytest

import aiotsec
import refimpl
from conftest import h, load_tsv

PROFILE0 = load_tsv("aiot-profile0.tsv")
THREADS = 16
ROUNDS = 300


def _run_threads(target, n=THREADS):
    errors = []

    def wrap(i):
        try:
            target(i)
        except BaseException as exc:  # collected and re-raised in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=wrap, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


def _cases(seed, n):
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        k = bytes(rng.getrandbits(8) for _ in range(16))
        rn = bytes(rng.getrandbits(8) for _ in range(16))
        rd = bytes(rng.getrandbits(8) for _ in range(16))
        out.append((k, rn, rd, refimpl.res(k, rn, rd), refimpl.kaiotf(k, rn, rd)))
    return out


def test_shared_context_many_threads(backend):
    cases = _cases(1, 64)
    with aiotsec.Context(backend) as ctx:
        def work(i):
            rng = random.Random(i)
            for _ in range(ROUNDS):
                k, rn, rd, res, kf = rng.choice(cases)
                assert ctx.derive_res(k, rn, rd) == res
                assert ctx.derive_kaiotf(k, rn, rd) == kf
                ctx.verify_res(k, rn, rd, res)
                row = rng.choice(PROFILE0)
                assert ctx.derive_res(h(row["k_root"]), h(row["rand_n"]),
                                      h(row["rand_d"])) == h(row["res"])
        _run_threads(work)


def test_shared_prepared_key_many_threads(backend):
    row = PROFILE0[0]
    k = h(row["k_root"])
    with aiotsec.Context(backend) as ctx, ctx.prepare_key(k) as key:
        def work(i):
            rng = random.Random(100 + i)
            for _ in range(ROUNDS):
                rn = bytes(rng.getrandbits(8) for _ in range(16))
                rd = bytes(rng.getrandbits(8) for _ in range(16))
                assert key.derive_res(rn, rd) == refimpl.res(k, rn, rd)
            assert key.derive_res(h(row["rand_n"]), h(row["rand_d"])) == h(row["res"])
        _run_threads(work)


def test_top_level_functions_from_many_threads():
    cases = _cases(2, 32)

    def work(i):
        for k, rn, rd, res, kf in cases:
            assert aiotsec.derive_res(k, rn, rd) == res
            assert aiotsec.derive_kaiotf(k, rn, rd) == kf
    _run_threads(work)


def test_close_while_in_use_never_crashes(backend):
    k, rn, rd, res, _ = _cases(3, 1)[0]
    for _ in range(5):
        ctx = aiotsec.Context(backend)
        key = ctx.prepare_key(k)
        start = threading.Barrier(THREADS + 1)
        outcomes = {"ok": 0, "closed": 0}
        lock = threading.Lock()

        def work(i):
            start.wait()
            for _ in range(200):
                try:
                    got = ctx.derive_res(k, rn, rd) if i % 2 else key.derive_res(rn, rd)
                except aiotsec.ClosedError:
                    with lock:
                        outcomes["closed"] += 1
                    continue
                assert got == res
                with lock:
                    outcomes["ok"] += 1

        threads = [threading.Thread(target=work, args=(i,)) for i in range(THREADS)]
        for t in threads:
            t.start()
        start.wait()
        ctx.close()
        key.close()
        for t in threads:
            t.join()
        assert outcomes["ok"] + outcomes["closed"] == THREADS * 200
        assert ctx.closed and key.closed
        with pytest.raises(aiotsec.ClosedError):
            key.derive_res(rn, rd)


def test_security_context_serialises_callers(aes_ctx):
    """The C NAS security context is not thread-safe; the wrapper's lock makes
    concurrent protect() calls use distinct, consecutive COUNTs."""
    kf = bytes(range(16))
    plain = bytes.fromhex("7a00420903")
    with aiotsec.SecurityContext(aes_ctx, kf, aiotsec.NasRole.NETWORK) as tx:
        outs = []
        lock = threading.Lock()

        def work(i):
            for _ in range(25):   # 200 messages: COUNT < 256, so SQN == COUNT
                p = tx.protect(plain)
                with lock:
                    outs.append(p)
        _run_threads(work, 8)
        assert tx.tx_count == 8 * 25
        sqns = sorted(aiotsec.nas.parse_protected(m).sqn for m in outs)
        assert sqns == list(range(8 * 25))   # every COUNT used exactly once
        with aiotsec.SecurityContext(aes_ctx, kf, aiotsec.NasRole.DEVICE) as rx:
            for p in sorted(outs, key=lambda m: aiotsec.nas.parse_protected(m).sqn):
                assert rx.unprotect(p) == plain
            assert rx.rx_last_count == 8 * 25 - 1


def test_shared_adm_many_threads():
    """One Adm shared by many threads: each call uses its own thread's scratch answer."""
    rng = random.Random(7)
    store = {bytes([0xA1, i, rng.getrandbits(8)]): bytes(rng.getrandbits(8) for _ in range(16))
             for i in range(40)}
    flt = aiotsec.make_filter(b"\xa1", 8)
    with aiotsec.Context("native") as ctx, aiotsec.MemStore(ctx) as ms:
        for p, k in store.items():
            ms.add(p, k)
        with aiotsec.Adm(ctx, ms) as adm:
            def work(i):
                r = random.Random(1000 + i)
                for _ in range(20):
                    rn = bytes(r.getrandbits(8) for _ in range(16))
                    rds = [bytes(r.getrandbits(8) for _ in range(16)) for _ in range(r.randrange(1, 4))]
                    got = adm.get_authentication(rn, rds, filter=flt)
                    assert [(s.rand_d, [(c.xres, c.perm_id) for c in s.candidates]) for s in got] == \
                        refimpl.candidate_sets(store, rn, rds, filt=flt)
            _run_threads(work, 8)
