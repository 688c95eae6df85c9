"""Shared fixtures of the Python binding tests: the official vectors and the backends."""

import csv
import os
import pathlib
import random

import pytest

import aiotsec

REPO = pathlib.Path(__file__).resolve().parents[2]


def vectors_dir() -> pathlib.Path:
    """AIOTSEC_VECTORS_DIR, else <repo>/../shared/vectors."""
    env = os.environ.get("AIOTSEC_VECTORS_DIR")
    return pathlib.Path(env) if env else REPO.parent / "shared" / "vectors"


def load_tsv(name: str):
    """Rows of a vector file as dicts (first line is a # comment, then the header)."""
    path = vectors_dir() / name
    with open(path, newline="", encoding="utf-8") as f:
        lines = [ln for ln in f if not ln.startswith("#") and ln.strip()]
    rows = list(csv.DictReader(lines, delimiter="\t"))
    assert rows, f"{path} has no vectors"
    return rows


def h(s: str) -> bytes:
    """Hex field to bytes ("" and "-" are empty)."""
    return b"" if s in ("", "-") else bytes.fromhex(s)


ALL_BACKENDS = aiotsec.backends()
AES_BACKENDS = [b for b in ALL_BACKENDS if aiotsec.backend_caps(b) & aiotsec.Caps.AES128]
NO_AES_BACKENDS = [b for b in ALL_BACKENDS if not aiotsec.backend_caps(b) & aiotsec.Caps.AES128]


@pytest.fixture(params=ALL_BACKENDS)
def backend(request):
    """Every built-in backend of the library under test."""
    return request.param


@pytest.fixture(params=AES_BACKENDS)
def aes_backend(request):
    """Every built-in backend with AES-128."""
    return request.param


@pytest.fixture
def ctx(backend):
    with aiotsec.Context(backend) as c:
        yield c


@pytest.fixture
def aes_ctx(aes_backend):
    with aiotsec.Context(aes_backend) as c:
        yield c


def random_devices(n: int, seed: int):
    """n (K_AIOT_root, RAND_AIOT_n, RAND_AIOT_d) triples, keys of 16 or 32 octets, reproducible."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        k = bytes(rng.getrandbits(8) for _ in range(rng.choice((16, 32))))
        rn = bytes(rng.getrandbits(8) for _ in range(16))
        rd = bytes(rng.getrandbits(8) for _ in range(16))
        out.append((k, rn, rd))
    return out
