"""Differential tests: the bindings against an independent Python implementation of
the spec (refimpl.py: hmac/hashlib/cryptography, no libaiotsec), on random inputs."""

import random

import pytest

import aiotsec
import refimpl
from aiotsec import nas, nas_algs

SEEDS = range(40)


def _rng(seed):
    return random.Random(0xA107 + seed)


def _bytes(rng, n):
    return bytes(rng.getrandbits(8) for _ in range(n))


@pytest.mark.parametrize("seed", SEEDS)
def test_derivations_match_reference(seed, ctx):
    rng = _rng(seed)
    k = _bytes(rng, rng.choice((16, 32)))
    rn, rd = _bytes(rng, 16), _bytes(rng, 16)
    assert ctx.derive_res(k, rn, rd) == refimpl.res(k, rn, rd)
    kf = ctx.derive_kaiotf(k, rn, rd)
    assert kf == refimpl.kaiotf(k, rn, rd)
    assert ctx.derive_alg_key(kf, aiotsec.AlgType.INT, 8) == refimpl.alg_key(kf, 2, 8)
    alg = rng.randrange(1, 16)
    if alg != 8:
        assert ctx.derive_alg_key(kf, aiotsec.AlgType.INT, alg) == refimpl.alg_key(kf, 2, alg)
    assert ctx.derive_alg_key(kf, aiotsec.AlgType.ENC, alg) == refimpl.alg_key(kf, 1, alg)


@pytest.mark.parametrize("seed", SEEDS)
def test_kdf_matches_reference(seed, ctx):
    rng = _rng(seed)
    key = _bytes(rng, rng.randrange(0, 80))
    fc = rng.choice((rng.randrange(0, 0xFF), 0xFF00 | rng.randrange(0, 0x100)))
    params = [_bytes(rng, rng.choice((0, 1, 2, 16, 300))) for _ in range(rng.randrange(0, 5))]
    assert ctx.kdf(key, fc, *params) == refimpl.kdf(key, fc, *params)
    n = rng.randrange(1, 33)
    assert ctx.kdf(key, fc, *params, out_len=n) == refimpl.kdf(key, fc, *params)[-n:]


@pytest.mark.parametrize("seed", SEEDS)
def test_custom_profile_res_matches_reference(seed, backend):
    rng = _rng(seed)
    res_len = rng.randrange(4, 17)             # TS 29.503 Xres: 4..16 octets
    fc, fc_k = rng.choice((0x30, 0x7F, 0xFF05)), rng.choice((0x31, 0xFF06))
    offset = rng.choice((0, 16))               # where K_AIOTF's 16 octets start
    with aiotsec.Context(backend, aiotsec.ProfileParams.default().replace(
            res_len=res_len, fc_res=fc, fc_kaiotf=fc_k, kaiotf_offset=offset)) as c:
        k, rn, rd = _bytes(rng, 16), _bytes(rng, 16), _bytes(rng, 16)
        assert c.derive_res(k, rn, rd) == refimpl.kdf(k, fc, rn, rd)[-res_len:]
        assert c.derive_kaiotf(k, rn, rd) == refimpl.kdf(k, fc_k, rn, rd)[offset:offset + 16]


@pytest.mark.parametrize("seed", SEEDS)
def test_nas_algs_match_reference(seed, aes_backend):
    rng = _rng(seed)
    k16, k32 = _bytes(rng, 16), _bytes(rng, 32)
    count, bearer, direction = rng.getrandbits(32), rng.randrange(32), rng.randrange(2)
    msg = _bytes(rng, rng.randrange(0, 200))
    assert nas_algs.aes_cmac(k16, msg, backend=aes_backend) == refimpl.aes_cmac(k16, msg)
    assert nas_algs.nia2(k16, count, bearer, direction, msg, backend=aes_backend) == \
        refimpl.nia2(k16, count, bearer, direction, msg, 8 * len(msg))
    assert nas_algs.nea2(k16, count, bearer, direction, msg, backend=aes_backend) == \
        refimpl.nea2(k16, count, bearer, direction, msg)
    assert nas_algs.aia_hs(k32, count, bearer, direction, msg, backend=aes_backend) == \
        refimpl.aia_hs(k32, count, bearer, direction, msg)


def _random_message(rng):
    kind = rng.randrange(6)
    tid = rng.randrange(256)
    if kind == 0:
        r, d = _bytes(rng, refimpl.RES_LEN), _bytes(rng, 16)   # the profile's lengths (spec 5.3)
        return nas.AuthResponse(r, d), refimpl.enc_auth_response(r, d)
    if kind == 1:
        off, ln = rng.randrange(65536), rng.randrange(1, 1025)
        return nas.CommandRequest.read(tid, off, ln), refimpl.enc_read(tid, off, ln)
    if kind == 2:
        off, data = rng.randrange(65536), _bytes(rng, rng.randrange(1, 1025))
        return nas.CommandRequest.write(tid, off, data), refimpl.enc_write(tid, off, data)
    if kind == 3:
        return nas.CommandRequest.disable(tid), refimpl.enc_disable(tid)
    st = rng.choice(list(nas.CmdStatus))
    wire = refimpl.STATUS_WIRE[st.cause or "SUCCESS"]      # the spec's table, by TS 29.569 name
    data = _bytes(rng, rng.randrange(1, 1025)) if kind == 4 else b""
    return nas.CommandResponse(tid, st, data), refimpl.enc_cmd_response(tid, wire, data)


@pytest.mark.parametrize("seed", range(200))
def test_nas_codec_matches_reference(seed):
    rng = _rng(seed)
    msg, wire = _random_message(rng)
    assert nas.encode(msg) == wire
    assert nas.decode(wire) == msg


@pytest.mark.parametrize("seed", range(60))
def test_nas_protect_matches_reference(seed, aes_ctx):
    rng = _rng(seed)
    kf = _bytes(rng, 16)
    int_alg, enc_alg = rng.choice((2, 8)), rng.choice((0, 2))
    network = rng.randrange(2) == 1
    while True:
        msg, wire = _random_message(rng)
        want = nas.CommandRequest if network else nas.CommandResponse
        if isinstance(msg, want):
            break
    count = rng.randrange(0, 1 << 24)
    role = aiotsec.NasRole.NETWORK if network else aiotsec.NasRole.DEVICE
    peer = aiotsec.NasRole.DEVICE if network else aiotsec.NasRole.NETWORK
    with aiotsec.SecurityContext(aes_ctx, kf, role, int_alg=int_alg, enc_alg=enc_alg) as tx, \
            aiotsec.SecurityContext(aes_ctx, kf, peer, int_alg=int_alg, enc_alg=enc_alg) as rx:
        tx.tx_count = count
        got = tx.protect(wire)
        assert got == refimpl.protect(kf, count, 1 if network else 0, int_alg, enc_alg, wire)
        if count:
            rx.rx_last_count = count - 1
        assert rx.verify_decode(got) == msg
