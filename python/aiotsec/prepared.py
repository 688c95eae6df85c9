"""Prepared keys (prepared.h): K_AIOT_root absorbed once, for the ADM's fast path."""

from __future__ import annotations

import ctypes
from typing import Any

from ._bytes import as_bytes, take
from ._handle import Handle, out_ptr, use
from .context import Context

__all__ = ["PreparedKey"]


class PreparedKey(Handle):
    """A prepared K_AIOT_root (``aiotsec_prepared_key``): same results as the
    raw-key functions at half the hashing cost. Immutable and thread-safe; keeps
    its context alive until it is closed. Wiped when closed.

    Raises:
        TypeError: ``k_root`` is not bytes-like; ArgumentError: not 16 or 32 octets.
    """

    _kind = "prepared key"

    def __init__(self, ctx: Context, k_root: bytes):
        if not isinstance(ctx, Context):
            raise TypeError("ctx must be a Context")
        k = as_bytes(k_root, "k_root")
        lib = ctx._lib
        out = out_ptr()
        with use(ctx) as c:
            ctx._check(lib.cdll.aiotsec_prepared_key_new(ctypes.byref(out), c, k, len(k)))
        self._ctx = ctx
        super().__init__(lib, out.value, "aiotsec_prepared_key_free", parent=ctx)

    @property
    def context(self) -> Context:
        """The context the key was prepared in."""
        return self._ctx

    def _derive(self, fn: Any, n: int, rand_n: bytes, rand_d: bytes) -> bytes:
        """n octets from aiotsec_prepared_derive_res or _kaiotf (same arguments)."""
        rn, rd = as_bytes(rand_n, "rand_n"), as_bytes(rand_d, "rand_d")
        buf = ctypes.create_string_buffer(n)
        with use(self) as key:
            self._ctx._check(fn(key, rn, len(rn), rd, len(rd), buf, n))
        return take(buf, n)

    def derive_res(self, rand_n: bytes, rand_d: bytes) -> bytes:
        """RES_AIOT / XRES_AIOT (as :meth:`Context.derive_res`)."""
        return self._derive(self._lib.cdll.aiotsec_prepared_derive_res, self._ctx._res_len, rand_n, rand_d)

    def verify_res(self, rand_n: bytes, rand_d: bytes, res: bytes) -> None:
        """Checks RES_AIOT in constant time; AuthenticationError when it does not match."""
        rn, rd = as_bytes(rand_n, "rand_n"), as_bytes(rand_d, "rand_d")
        r = as_bytes(res, "res")
        with use(self) as key:
            self._ctx._check(self._lib.cdll.aiotsec_prepared_verify_res(
                key, rn, len(rn), rd, len(rd), r, len(r)))

    def derive_kaiotf(self, rand_n: bytes, rand_d: bytes) -> bytes:
        """K_AIOTF (as :meth:`Context.derive_kaiotf`)."""
        return self._derive(self._lib.cdll.aiotsec_prepared_derive_kaiotf, self._ctx._kaiotf_len, rand_n, rand_d)
