"""The AIOT NAS algorithms (nas_algs.h): AES-128-CMAC, 128-NIA2, 128-NEA2, AIA-HS.

AES-based functions need a backend with AES (``openssl``, ``native``); on
``sodium`` they raise :class:`~aiotsec.UnsupportedError`.
"""

from __future__ import annotations

import ctypes
from typing import Optional

from . import _lib
from ._bytes import as_bytes, as_int
from ._handle import use
from .api import BackendArg, default_context

__all__ = ["aes_cmac", "nia2", "nea2", "aia_hs"]

_U32 = 0xFFFFFFFF


def _ints(count: int, bearer: int, direction: int):
    return (as_int(count, "count", 0, _U32), as_int(bearer, "bearer", 0, _U32),
            as_int(direction, "direction", 0, _U32))


def _bits(len_bits: Optional[int], data: bytes) -> int:
    if len_bits is None:
        return 8 * len(data)
    n = as_int(len_bits, "len_bits", 0, 1 << 62)
    return n


def aes_cmac(key: bytes, msg: bytes, *, backend: BackendArg = None) -> bytes:
    """AES-128-CMAC (RFC 4493), a 16-octet tag."""
    lib = _lib.require("nas_algs")
    ctx = default_context(backend)
    k, m = as_bytes(key, "key"), as_bytes(msg, "msg")
    n = lib.cdll.aiotsec_alg_cmac_bytes()
    buf = ctypes.create_string_buffer(n)
    with use(ctx) as c:
        ctx._check(lib.cdll.aiotsec_alg_aes_cmac(c, k, len(k), m, len(m), buf, n))
    return ctypes.string_at(buf, n)


def nia2(key: bytes, count: int, bearer: int, direction: int, msg: bytes,
         len_bits: Optional[int] = None, *, backend: BackendArg = None) -> bytes:
    """128-NIA2: the 4-octet MAC over LENGTH bits of ``msg`` (all of it when ``len_bits`` is None).

    Raises:
        ArgumentError: ``msg`` shorter than ceil(len_bits / 8), bearer > 31, direction > 1...
    """
    lib = _lib.require("nas_algs")
    ctx = default_context(backend)
    k, m = as_bytes(key, "key"), as_bytes(msg, "msg")
    cnt, b, d = _ints(count, bearer, direction)
    bits = _bits(len_bits, m)
    if (bits + 7) // 8 > len(m):  # never let C read past our buffer
        raise lib.error(lib.status_code("AIOTSEC_E_BAD_LENGTH"),
                        f"len_bits={bits} needs {(bits + 7) // 8} octets, msg has {len(m)}")
    n = lib.cdll.aiotsec_nas_mac_bytes()
    buf = ctypes.create_string_buffer(n)
    with use(ctx) as c:
        ctx._check(lib.cdll.aiotsec_alg_nia2(c, k, len(k), cnt, b, d, m, bits, buf, n))
    return ctypes.string_at(buf, n)


def nea2(key: bytes, count: int, bearer: int, direction: int, data: bytes,
         len_bits: Optional[int] = None, *, backend: BackendArg = None) -> bytes:
    """128-NEA2 (encrypts and decrypts): ceil(len_bits / 8) octets, bits past LENGTH zero."""
    lib = _lib.require("nas_algs")
    ctx = default_context(backend)
    k, m = as_bytes(key, "key"), as_bytes(data, "data")
    cnt, b, d = _ints(count, bearer, direction)
    bits = _bits(len_bits, m)
    n = (bits + 7) // 8
    if n > len(m):
        raise lib.error(lib.status_code("AIOTSEC_E_BAD_LENGTH"),
                        f"len_bits={bits} needs {n} octets, data has {len(m)}")
    buf = ctypes.create_string_buffer(max(n, 1))
    with use(ctx) as c:
        ctx._check(lib.cdll.aiotsec_alg_nea2(c, k, len(k), cnt, b, d, m, bits, buf, n))
    return ctypes.string_at(buf, n)


def aia_hs(key: bytes, count: int, bearer: int, direction: int, msg: bytes, *,
           backend: BackendArg = None) -> bytes:
    """AIA-HS: the first 4 octets of HMAC-SHA-256(K, HDR || msg); K is 32 octets."""
    lib = _lib.require("nas_algs")
    ctx = default_context(backend)
    k, m = as_bytes(key, "key"), as_bytes(msg, "msg")
    cnt, b, d = _ints(count, bearer, direction)
    n = lib.cdll.aiotsec_nas_mac_bytes()
    buf = ctypes.create_string_buffer(n)
    with use(ctx) as c:
        ctx._check(lib.cdll.aiotsec_alg_aia_hs(c, k, len(k), cnt, b, d, m, len(m), buf, n))
    return ctypes.string_at(buf, n)
