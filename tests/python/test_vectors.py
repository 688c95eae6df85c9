"""The official vectors (shared/vectors/*.tsv) through the Python bindings, on every backend."""

import pytest

import aiotsec
from aiotsec import nas, nas_algs
from conftest import AES_BACKENDS, NO_AES_BACKENDS, h, load_tsv

KDF = load_tsv("kdf-ts33220.tsv")
HMAC = load_tsv("hmac-sha256-rfc4231.tsv")
PROFILE0 = load_tsv("aiot-profile0.tsv")
CMAC = load_tsv("aes-cmac-rfc4493.tsv")
NIA2 = load_tsv("nia2-ts33401.tsv")
NEA2 = load_tsv("nea2-ts33401.tsv")
NAS = load_tsv("aiot-nas-profile0.tsv")
NAS_PROTECTED = [r for r in NAS if r["protected"] not in ("", "-")]


@pytest.mark.parametrize("row", KDF, ids=lambda r: r["p0"])
def test_kdf_ts33220(row, backend):
    got = aiotsec.kdf(h(row["key"]), int(row["fc"], 16), h(row["p0"]), h(row["p1"]),
                      backend=backend)
    assert got == h(row["output"])
    # out_len keeps the least significant octets
    assert aiotsec.kdf(h(row["key"]), int(row["fc"], 16), h(row["p0"]), h(row["p1"]),
                       out_len=16, backend=backend) == h(row["output"])[16:]


@pytest.mark.parametrize("row", HMAC, ids=lambda r: r["case"])
def test_hmac_rfc4231(row, backend):
    assert aiotsec.hmac_sha256(h(row["key"]), h(row["data"]), backend=backend) == h(row["mac"])


@pytest.mark.parametrize("row", PROFILE0, ids=lambda r: r["k_root"][:8])
def test_profile0_derivations(row, ctx):
    k, rn, rd = h(row["k_root"]), h(row["rand_n"]), h(row["rand_d"])
    assert ctx.derive_res(k, rn, rd) == h(row["res"])
    ctx.verify_res(k, rn, rd, h(row["res"]))
    assert ctx.check_res(k, rn, rd, h(row["res"]))
    kf = ctx.derive_kaiotf(k, rn, rd)
    assert kf == h(row["k_aiotf"])
    assert ctx.derive_alg_key(kf, aiotsec.AlgType.INT, 8) == h(row["k_int_hs"])
    assert ctx.derive_alg_key(kf, aiotsec.AlgType.INT, 2) == h(row["k_int_nia2"])
    assert ctx.derive_alg_key(kf, aiotsec.AlgType.ENC, 2) == h(row["k_enc_nea2"])


@pytest.mark.parametrize("row", PROFILE0, ids=lambda r: r["k_root"][:8])
def test_profile0_top_level_and_prepared(row, backend):
    k, rn, rd = h(row["k_root"]), h(row["rand_n"]), h(row["rand_d"])
    assert aiotsec.derive_res(k, rn, rd, backend=backend) == h(row["res"])
    aiotsec.verify_res(k, rn, rd, h(row["res"]), backend=backend)
    assert aiotsec.derive_kaiotf(k, rn, rd, backend=backend) == h(row["k_aiotf"])
    assert aiotsec.derive_alg_key(h(row["k_aiotf"]), aiotsec.AlgType.INT, 8,
                                  backend=backend) == h(row["k_int_hs"])
    with aiotsec.Context(backend) as c, c.prepare_key(k) as key:
        assert key.derive_res(rn, rd) == h(row["res"])
        key.verify_res(rn, rd, h(row["res"]))
        assert key.derive_kaiotf(rn, rd) == h(row["k_aiotf"])


@pytest.mark.parametrize("row", PROFILE0, ids=lambda r: r["k_root"][:8])
def test_profile0_wrong_res_fails(row, ctx):
    k, rn, rd = h(row["k_root"]), h(row["rand_n"]), h(row["rand_d"])
    bad = bytearray(h(row["res"]))
    bad[-1] ^= 1
    with pytest.raises(aiotsec.AuthenticationError) as ei:
        ctx.verify_res(k, rn, rd, bytes(bad))
    assert ei.value.name == "AIOTSEC_E_AUTH_FAILED"
    assert not ctx.check_res(k, rn, rd, bytes(bad))
    with ctx.prepare_key(k) as key, pytest.raises(aiotsec.AuthenticationError):
        key.verify_res(rn, rd, bytes(bad))


@pytest.mark.parametrize("backend_name", AES_BACKENDS)
@pytest.mark.parametrize("row", CMAC, ids=lambda r: r["example"])
def test_aes_cmac_rfc4493(row, backend_name):
    assert nas_algs.aes_cmac(h(row["key"]), h(row["message"]), backend=backend_name) == h(row["mac"])


@pytest.mark.parametrize("backend_name", AES_BACKENDS)
@pytest.mark.parametrize("row", NIA2, ids=lambda r: r["set"])
def test_nia2_ts33401(row, backend_name):
    got = nas_algs.nia2(h(row["key"]), int(row["count"], 16), int(row["bearer"]),
                        int(row["direction"]), h(row["message"]), int(row["length_bits"]),
                        backend=backend_name)
    assert got == h(row["mac"])


@pytest.mark.parametrize("backend_name", AES_BACKENDS)
@pytest.mark.parametrize("row", NEA2, ids=lambda r: r["set"])
def test_nea2_ts33401(row, backend_name):
    args = (h(row["key"]), int(row["count"], 16), int(row["bearer"]), int(row["direction"]))
    bits = int(row["length_bits"])
    assert nas_algs.nea2(*args, h(row["plaintext"]), bits, backend=backend_name) == h(row["ciphertext"])
    # decryption is the same operation: back to the plaintext, bits past LENGTH cleared
    assert nas_algs.nea2(*args, h(row["ciphertext"]), bits, backend=backend_name) == \
        _mask(h(row["plaintext"]), bits)


def _mask(data: bytes, bits: int) -> bytes:
    """data cut to ceil(bits/8) octets with the bits past LENGTH cleared."""
    n = (bits + 7) // 8
    out = bytearray(data[:n])
    if bits % 8:
        out[-1] &= (0xFF << (8 - bits % 8)) & 0xFF
    return bytes(out)


@pytest.mark.skipif(not NO_AES_BACKENDS, reason="every backend of this build has AES")
@pytest.mark.parametrize("backend_name", NO_AES_BACKENDS)
def test_aes_functions_unsupported_without_aes(backend_name):
    row = CMAC[0]
    with pytest.raises(aiotsec.UnsupportedError) as ei:
        nas_algs.aes_cmac(h(row["key"]), h(row["message"]), backend=backend_name)
    assert ei.value.name == "AIOTSEC_E_UNSUPPORTED"
    assert isinstance(ei.value, aiotsec.ArgumentError)


@pytest.mark.parametrize("row", NAS, ids=lambda r: r["name"])
def test_nas_plain_vectors(row):
    plain = h(row["plain"])
    msg = nas.decode(plain)
    assert nas.encode(msg) == plain
    assert msg.encode() == plain
    assert nas.peek_sht(plain) == nas.Sht.PLAIN


def _sec_pair(ctx, row):
    """(sender, receiver) security contexts for a protected vector row."""
    kf = h(row["k_aiotf"])
    direction = int(row["direction"])
    sender_role = aiotsec.NasRole.NETWORK if direction == 1 else aiotsec.NasRole.DEVICE
    receiver_role = aiotsec.NasRole.DEVICE if direction == 1 else aiotsec.NasRole.NETWORK
    algs = dict(int_alg=int(row["int_alg"]), enc_alg=int(row["enc_alg"]))
    return (aiotsec.SecurityContext(ctx, kf, sender_role, **algs),
            aiotsec.SecurityContext(ctx, kf, receiver_role, **algs))


@pytest.mark.parametrize("row", NAS_PROTECTED, ids=lambda r: r["name"])
def test_nas_protected_vectors(row, aes_ctx):
    count = int(row["count"])
    plain, protected = h(row["plain"]), h(row["protected"])
    tx, rx = _sec_pair(aes_ctx, row)
    with tx, rx:
        tx.tx_count = count
        assert tx.protect(plain) == protected
        assert tx.tx_count == count + 1
        if count:
            rx.rx_last_count = count - 1
        assert rx.unprotect(protected) == plain
        assert rx.rx_last_count == count
        # the same message again is a replay
        with pytest.raises(aiotsec.ReplayError):
            rx.unprotect(protected)
    hdr = nas.parse_protected(protected)
    assert hdr.sqn == count & 0xFF
    assert hdr.mac == protected[2:6]
    assert int(hdr.sht) == protected[1]


@pytest.mark.parametrize("row", NAS_PROTECTED, ids=lambda r: r["name"])
def test_nas_protected_vectors_verify_decode(row, aes_ctx):
    count = int(row["count"])
    tx, rx = _sec_pair(aes_ctx, row)
    with tx, rx:
        if count:
            rx.rx_last_count = count - 1
        assert rx.verify_decode(h(row["protected"])) == nas.decode(h(row["plain"]))
        tx.tx_count = count
        assert tx.protect_msg(nas.decode(h(row["plain"]))) == h(row["protected"])
