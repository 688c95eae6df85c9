"""Backends written in Python (aiotsec_ctx_new_custom through CustomBackend): the
official vectors through a hashlib/cryptography backend, and failure propagation."""

import threading

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

import aiotsec
import refimpl
from aiotsec import nas_algs
from conftest import h, load_tsv

PROFILE0 = load_tsv("aiot-profile0.tsv")
KDF = load_tsv("kdf-ts33220.tsv")
NIA2 = load_tsv("nia2-ts33401.tsv")
NEA2 = load_tsv("nea2-ts33401.tsv")
NAS = [r for r in load_tsv("aiot-nas-profile0.tsv") if r["protected"] not in ("", "-")]


class _Block:
    def __init__(self, key):
        self._enc = Cipher(algorithms.AES(key), modes.ECB()).encryptor()

    def encrypt_block(self, block):
        return self._enc.update(block)


class PyAesBackend(aiotsec.CustomBackend):
    """hashlib HMAC, os.urandom, and AES from python3-cryptography."""

    name = "py-aes"

    def aes128_new(self, key):
        return _Block(key)


class NoRandomBackend(aiotsec.CustomBackend):
    name = "no-random"
    random_bytes = None


@pytest.fixture
def pyctx():
    with aiotsec.Context(PyAesBackend()) as c:
        yield c


def test_caps_and_name(pyctx):
    assert pyctx.backend == "py-aes"
    assert pyctx.caps == aiotsec.Caps.HMAC_SHA256 | aiotsec.Caps.RANDOM | aiotsec.Caps.AES128
    assert isinstance(pyctx.custom_backend, PyAesBackend)
    with aiotsec.Context(NoRandomBackend()) as c:
        assert c.caps == aiotsec.Caps.HMAC_SHA256
        with pytest.raises(aiotsec.UnsupportedError):
            c.random(16)
        with pytest.raises(aiotsec.UnsupportedError):
            nas_algs.aes_cmac(bytes(16), b"", backend=c)
    with aiotsec.Context() as builtin:
        assert builtin.custom_backend is None


@pytest.mark.parametrize("row", PROFILE0, ids=lambda r: r["k_root"][:8])
def test_profile0_vectors(pyctx, row):
    k, rn, rd = h(row["k_root"]), h(row["rand_n"]), h(row["rand_d"])
    assert pyctx.derive_res(k, rn, rd) == h(row["res"])
    assert pyctx.derive_kaiotf(k, rn, rd) == h(row["k_aiotf"])
    assert pyctx.derive_alg_key(h(row["k_aiotf"]), aiotsec.AlgType.INT, 8) == h(row["k_int_hs"])
    bridge = pyctx._bridge
    before = bridge.live_states
    with pyctx.prepare_key(k) as key:
        assert key.derive_res(rn, rd) == h(row["res"])
        assert key.derive_kaiotf(rn, rd) == h(row["k_aiotf"])
        assert bridge.live_states == before + 1      # the prepared state
    assert bridge.live_states == before              # released when the key is freed


@pytest.mark.parametrize("row", KDF, ids=lambda r: r["p0"])
def test_kdf_vectors(pyctx, row):
    assert pyctx.kdf(h(row["key"]), int(row["fc"], 16), h(row["p0"]), h(row["p1"])) == \
        h(row["output"])


@pytest.mark.parametrize("row", NIA2, ids=lambda r: r["set"])
def test_nia2_vectors(pyctx, row):
    assert nas_algs.nia2(h(row["key"]), int(row["count"], 16), int(row["bearer"]),
                         int(row["direction"]), h(row["message"]), int(row["length_bits"]),
                         backend=pyctx) == h(row["mac"])


@pytest.mark.parametrize("row", NEA2, ids=lambda r: r["set"])
def test_nea2_vectors(pyctx, row):
    assert nas_algs.nea2(h(row["key"]), int(row["count"], 16), int(row["bearer"]),
                         int(row["direction"]), h(row["plaintext"]), int(row["length_bits"]),
                         backend=pyctx) == h(row["ciphertext"])


@pytest.mark.parametrize("row", NAS, ids=lambda r: r["name"])
def test_nas_protected_vectors(pyctx, row):
    role = aiotsec.NasRole.NETWORK if row["direction"] == "1" else aiotsec.NasRole.DEVICE
    with aiotsec.SecurityContext(pyctx, h(row["k_aiotf"]), role, int_alg=int(row["int_alg"]),
                                 enc_alg=int(row["enc_alg"])) as tx:
        tx.tx_count = int(row["count"])
        assert tx.protect(h(row["plain"])) == h(row["protected"])


def test_backend_exception_is_chained():
    class Failing(aiotsec.CustomBackend):
        def hmac_new(self, key):
            raise RuntimeError("HSM offline")

    with aiotsec.Context(Failing()) as c:
        with pytest.raises(aiotsec.ArgumentError) as ei:
            c.derive_res(bytes(16), bytes(16), bytes(16))
        assert ei.value.name == "AIOTSEC_E_BACKEND_FAILURE"
        assert isinstance(ei.value.__cause__, RuntimeError)
        with pytest.raises(aiotsec.ArgumentError):
            c.prepare_key(bytes(16))


def test_bad_digest_and_random_are_failures():
    class ShortDigest(aiotsec.CustomBackend):
        def hmac_new(self, key):
            class Obj:
                def update(self, data):
                    pass

                def digest(self):
                    return b"short"

                def copy(self):
                    return self
            return Obj()

        def random_bytes(self, n):
            return b"x"

    with aiotsec.Context(ShortDigest()) as c:
        with pytest.raises(aiotsec.ArgumentError) as ei:
            c.hmac_sha256(b"k", b"m")
        assert ei.value.name == "AIOTSEC_E_BACKEND_FAILURE"
        assert isinstance(ei.value.__cause__, ValueError)
        with pytest.raises(aiotsec.ArgumentError) as ei:
            c.random(16)
        assert isinstance(ei.value.__cause__, ValueError)


def test_flaky_backend_recovers():
    """A failure is reported for the call it happened in, and only for that call."""
    class Flaky(aiotsec.CustomBackend):
        calls = 0

        def hmac_new(self, key):
            Flaky.calls += 1
            if Flaky.calls % 2 == 0:
                raise RuntimeError("every other call fails")
            return super().hmac_new(key)

    with aiotsec.Context(Flaky()) as c:
        k, rn, rd = bytes(16), bytes(range(16)), bytes(range(16, 32))
        assert c.derive_res(k, rn, rd) == refimpl.res(k, rn, rd)
        with pytest.raises(aiotsec.ArgumentError):
            c.derive_res(k, rn, rd)
        assert c.derive_res(k, rn, rd) == refimpl.res(k, rn, rd)


def test_custom_backend_from_many_threads(pyctx):
    errors = []

    def work(i):
        try:
            for j in range(100):
                k, rn, rd = bytes([i]) * 16, bytes([j]) * 16, bytes([i ^ j]) * 16
                assert pyctx.derive_res(k, rn, rd) == refimpl.res(k, rn, rd)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[0]
    assert pyctx._bridge.live_states == 0


def test_not_a_backend():
    with pytest.raises(TypeError):
        aiotsec.Context(object())
