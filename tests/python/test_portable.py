"""The portable backend (portable.h, the tag firmware's backend) from Python: the official
vectors through Context("portable"), which is not one of aiotsec.backends() on a host."""

import pytest

import aiotsec
from aiotsec import nas_algs
from conftest import h, load_tsv

HMAC = load_tsv("hmac-sha256-rfc4231.tsv")
PROFILE0 = load_tsv("aiot-profile0.tsv")
NIA2 = load_tsv("nia2-ts33401.tsv")
NEA2 = load_tsv("nea2-ts33401.tsv")


@pytest.fixture(scope="module")
def portable():
    with aiotsec.Context("portable") as c:
        yield c


def test_named_and_not_listed(portable):
    assert portable.backend == "portable"
    assert "portable" not in aiotsec.backends()
    assert portable.caps & aiotsec.Caps.HMAC_SHA256


def test_no_random_source(portable):
    # A tag draws RAND_AIOT_d from its TRNG through the device's callback instead.
    with pytest.raises(aiotsec.UnsupportedError):
        portable.random(16)


@pytest.mark.parametrize("row", HMAC, ids=lambda r: r["case"])
def test_hmac_rfc4231(row, portable):
    assert portable.hmac_sha256(h(row["key"]), h(row["data"])) == h(row["mac"])


@pytest.mark.parametrize("row", PROFILE0, ids=lambda r: r["k_root"][:8])
def test_profile0(row, portable):
    k, rn, rd = h(row["k_root"]), h(row["rand_n"]), h(row["rand_d"])
    assert portable.derive_res(k, rn, rd) == h(row["res"])
    kf = portable.derive_kaiotf(k, rn, rd)
    assert kf == h(row["k_aiotf"])
    assert portable.derive_alg_key(kf, aiotsec.AlgType.INT, 2) == h(row["k_int_nia2"])


@pytest.mark.parametrize("row", NIA2, ids=lambda r: r["set"])
def test_nia2_ts33401(row, portable):
    got = nas_algs.nia2(h(row["key"]), int(row["count"], 16), int(row["bearer"]),
                        int(row["direction"]), h(row["message"]), int(row["length_bits"]),
                        backend=portable)
    assert got == h(row["mac"])


@pytest.mark.parametrize("row", NEA2, ids=lambda r: r["set"])
def test_nea2_ts33401(row, portable):
    args = (h(row["key"]), int(row["count"], 16), int(row["bearer"]), int(row["direction"]))
    got = nas_algs.nea2(*args, h(row["plaintext"]), int(row["length_bits"]), backend=portable)
    assert got == h(row["ciphertext"])
