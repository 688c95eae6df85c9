"""Roles: the in-memory key store (keystore.h) and the ADM (adm.h)."""

from __future__ import annotations

import ctypes
import os
from typing import Any, List, Tuple, Union

from . import _ffi, _lib
from ._bytes import as_bytes, as_int, take
from ._handle import Handle, out_ptr, use
from .context import Context

__all__ = ["MemStore", "Adm"]


def _text(text: Any) -> bytes:
    if isinstance(text, str):
        return text.encode("utf-8")
    return as_bytes(text, "text")


class MemStore(Handle):
    """The in-memory key store (``aiotsec_memstore``): devices, hash indexes, prepared keys.

    Key-file format (one device a line, hex fields, ``#`` comments)::

        # identification-information  permanent-identifier  K_AIOT_root
        0102a0  4d2d30303031  000102030405060708090a0b0c0d0e0f

    Args:
        ctx: the context the prepared keys are made with (kept alive while the store is open).
        expected: expected number of devices (sizes the indexes; they grow anyway).
    """

    _kind = "key store"

    def __init__(self, ctx: Context, expected: int = 0):
        lib = _lib.require("keystore")
        if not isinstance(ctx, Context):
            raise TypeError("ctx must be a Context")
        n = as_int(expected, "expected", 0, (1 << 64) - 1)
        out = out_ptr()
        with use(ctx) as c:
            lib.check(lib.cdll.aiotsec_memstore_new(ctypes.byref(out), c, n))
        super().__init__(lib, out.value, "aiotsec_memstore_free", parent=ctx)
        self._ctx = ctx

    @property
    def context(self) -> Context:
        """The store's context."""
        return self._ctx

    def add(self, ident: bytes, perm_id: bytes, k_root: bytes) -> None:
        """Adds one device.

        Raises:
            ArgumentError: a bad length (identifiers 1..64 octets, key 16 or 32).
            ProcedureError: ``AIOTSEC_E_DUPLICATE`` (nothing is changed).
        """
        i, p, k = as_bytes(ident, "ident"), as_bytes(perm_id, "perm_id"), as_bytes(k_root, "k_root")
        with use(self) as s:
            self._lib.check(self._lib.cdll.aiotsec_memstore_add(s, i, len(i), p, len(p), k, len(k)))

    def load_text(self, text: Union[str, bytes]) -> int:
        """Adds every device of a key-file text, all or nothing; returns how many devices now.

        Raises:
            ProcedureError: ``AIOTSEC_E_PARSE`` or ``AIOTSEC_E_DUPLICATE``; the exception's
                ``detail`` names the line.
        """
        t = _text(text)
        line = ctypes.c_size_t(0)
        with use(self) as s:
            rc = self._lib.cdll.aiotsec_memstore_load_buffer(s, t, len(t), ctypes.byref(line))
        self._lib.check(rc, f"line {line.value}" if line.value else None)
        return len(self)

    def load_file(self, path: Union[str, os.PathLike]) -> int:
        """Adds every device of a key file (as :meth:`load_text`); returns how many devices now."""
        p = os.fsencode(path)
        line = ctypes.c_size_t(0)
        with use(self) as s:
            rc = self._lib.cdll.aiotsec_memstore_load_file(s, p, ctypes.byref(line))
        self._lib.check(rc, f"{os.fsdecode(p)} line {line.value}" if line.value else None)
        return len(self)

    def __len__(self) -> int:
        with use(self) as s:
            return int(self._lib.cdll.aiotsec_memstore_count(s))

    def devices(self) -> List[Tuple[bytes, bytes]]:
        """``(identification information, Permanent Identifier)`` of every device, in insertion order."""
        out = []
        with use(self) as s:
            for idx in range(int(self._lib.cdll.aiotsec_memstore_count(s))):
                ip, il = ctypes.c_void_p(), ctypes.c_size_t(0)
                pp, pl = ctypes.c_void_p(), ctypes.c_size_t(0)
                self._lib.check(self._lib.cdll.aiotsec_memstore_device_at(
                    s, idx, ctypes.byref(ip), ctypes.byref(il), ctypes.byref(pp), ctypes.byref(pl)))
                out.append((ctypes.string_at(ip.value, il.value),
                            ctypes.string_at(pp.value, pl.value)))
        return out


class Adm(Handle):
    """The ADM (``aiotsec_adm``): Nadm_SecRAND_Get, Nadm_SecAuthentication_Get,
    Nadm_SecSessionKey_Get over a :class:`MemStore`. Immutable and thread-safe;
    keeps its context and store alive while open.
    """

    _kind = "ADM"

    def __init__(self, ctx: Context, store: MemStore):
        lib = _lib.require("adm")
        if not isinstance(ctx, Context):
            raise TypeError("ctx must be a Context")
        if not isinstance(store, MemStore):
            raise TypeError("store must be a MemStore")
        table = _ffi.Keystore()
        out = out_ptr()
        with use(ctx) as c, use(store) as s:
            lib.check(lib.cdll.aiotsec_memstore_keystore(s, ctypes.byref(table)))
            lib.check(lib.cdll.aiotsec_adm_new(ctypes.byref(out), c, ctypes.byref(table)))
        super().__init__(lib, out.value, "aiotsec_adm_free", parent=(ctx, store))
        self._ctx = ctx
        self._store = store

    @property
    def context(self) -> Context:
        """The ADM's context."""
        return self._ctx

    def sec_rand_get(self) -> bytes:
        """Nadm_SecRAND_Get: a fresh RAND_AIOT_n."""
        n = self._ctx.rand_n_len
        buf = ctypes.create_string_buffer(n)
        with use(self) as a:
            self._lib.check(self._lib.cdll.aiotsec_adm_sec_rand_get(a, buf, n))
        return ctypes.string_at(buf, n)

    def sec_authentication_get(self, ident: bytes, rand_n: bytes,
                               rand_d: bytes) -> Tuple[bytes, bytes]:
        """Nadm_SecAuthentication_Get: ``(XRES_AIOT, Permanent Identifier)`` of a device.

        Raises:
            ProcedureError: ``AIOTSEC_E_UNKNOWN_DEVICE``. ArgumentError: bad lengths.
        """
        i = as_bytes(ident, "ident")
        rn, rd = as_bytes(rand_n, "rand_n"), as_bytes(rand_d, "rand_d")
        xl = self._ctx.res_len
        xres = ctypes.create_string_buffer(xl)
        # The Permanent Identifier is at most as long as the largest identifier the
        # store accepts; the ADM reports BUFFER_TOO_SMALL otherwise, so grow and retry.
        cap = 64
        while True:
            pid = ctypes.create_string_buffer(cap)
            pl = ctypes.c_size_t(0)
            with use(self) as a:
                rc = self._lib.cdll.aiotsec_adm_sec_authentication_get(
                    a, i, len(i), rn, len(rn), rd, len(rd), xres, xl, pid, cap, ctypes.byref(pl))
            if (rc < 0 and self._lib.status_name(rc) == "AIOTSEC_E_BUFFER_TOO_SMALL"
                    and pl.value > cap):
                cap = pl.value
                continue
            self._lib.check(rc)
            return take(xres, xl), ctypes.string_at(pid, pl.value)

    def sec_session_key_get(self, perm_id: bytes, rand_n: bytes, rand_d: bytes) -> bytes:
        """Nadm_SecSessionKey_Get: K_AIOTF of a device (32 octets)."""
        p = as_bytes(perm_id, "perm_id")
        rn, rd = as_bytes(rand_n, "rand_n"), as_bytes(rand_d, "rand_d")
        n = self._ctx.kaiotf_len
        buf = ctypes.create_string_buffer(n)
        with use(self) as a:
            self._lib.check(self._lib.cdll.aiotsec_adm_sec_session_key_get(
                a, p, len(p), rn, len(rn), rd, len(rd), buf, n))
        return take(buf, n)
