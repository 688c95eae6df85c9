"""Crypto backends written in Python (``aiotsec_ctx_new_custom``).

Subclass :class:`CustomBackend` to route the library's HMAC-SHA-256, random
numbers and AES-128 through Python: an HSM front end, a recorder, or a fault
injector for tests. The default methods use :mod:`hmac`/:mod:`hashlib` and
:func:`os.urandom`; AES is offered only when :meth:`CustomBackend.aes128_new`
is overridden (for example with python3-cryptography)::

    class Failing(aiotsec.CustomBackend):
        def hmac_new(self, key):
            raise RuntimeError("HSM offline")

    with aiotsec.Context(Failing()) as ctx:
        ctx.derive_res(k, rn, rd)   # ArgumentError AIOTSEC_E_BACKEND_FAILURE, from RuntimeError

The library keeps each state in its own storage; this bridge stores there an
8-octet token naming the Python object, so the C side never holds Python
pointers. Calls come from any thread (ctypes takes the GIL).
"""

from __future__ import annotations

import ctypes
import hashlib
import hmac
import itertools
import os
import threading
from typing import Any, Callable, Dict, Optional

from . import _ffi
from ._lib import Library

__all__ = ["CustomBackend"]

_TOKEN = ctypes.c_uint64
_BACKEND_ABI_VERSION = 1  # AIOTSEC_BACKEND_ABI_VERSION of backend.h, the layout _ffi describes


class CustomBackend:
    """A backend implemented in Python. Override what you need.

    Attributes:
        name: the backend's name as the library reports it.
    """

    name = "python"

    def hmac_new(self, key: bytes) -> Any:
        """A new HMAC-SHA-256 object keyed with ``key``: needs ``update()``, ``digest()``, ``copy()``."""
        return hmac.new(key, digestmod=hashlib.sha256)

    def random_bytes(self, n: int) -> bytes:
        """``n`` octets from a CSPRNG; set to None in a subclass for a backend without one."""
        return os.urandom(n)

    #: Override with ``def aes128_new(self, key) -> obj`` where ``obj.encrypt_block(block16) -> bytes``
    #: to offer AES-128 (128-NIA2, 128-NEA2, CMAC). None: no AES.
    aes128_new: Optional[Callable[[bytes], Any]] = None


class Bridge:
    """The C table for one :class:`CustomBackend`, and the Python objects behind its tokens.

    Must outlive the C context (the :class:`~aiotsec.Context` keeps it).
    """

    def __init__(self, lib: Library, impl: CustomBackend):
        self._lib = lib
        self._impl = impl
        self._objs: Dict[int, Any] = {}
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._local = threading.local()
        self._failure = lib.status_code("AIOTSEC_E_BACKEND_FAILURE")
        self._name = str(impl.name).encode("utf-8")
        t = _ffi.BackendTable()
        t.struct_size = ctypes.sizeof(_ffi.BackendTable)
        t.abi_version = _BACKEND_ABI_VERSION
        t.name = self._name
        t.hmac_state_size = ctypes.sizeof(_TOKEN)
        # hmac_compact_size, hmac_compact and hmac_batch_compact stay 0/NULL: a Python
        # object has no compact form, so the library uses whole prepared states.
        self._cbs = [
            _ffi.HMAC_INIT(self._hmac_init), _ffi.HMAC_UPDATE(self._hmac_update),
            _ffi.HMAC_FINAL(self._hmac_final), _ffi.HMAC_COPY(self._hmac_copy),
            _ffi.HMAC_RELEASE(self._release),
        ]
        t.hmac_init, t.hmac_update, t.hmac_final, t.hmac_copy, t.hmac_release = self._cbs
        if getattr(impl, "random_bytes", None) is not None:
            cb = _ffi.RANDOM_BYTES(self._random)
            self._cbs.append(cb)
            t.random_bytes = cb
        if getattr(impl, "aes128_new", None) is not None:
            t.aes_state_size = ctypes.sizeof(_TOKEN)
            more = [_ffi.AES_INIT(self._aes_init), _ffi.AES_ENCRYPT(self._aes_encrypt),
                    _ffi.AES_RELEASE(self._release)]
            self._cbs += more
            t.aes128_init, t.aes128_encrypt, t.aes128_release = more
        self.table = t

    # -- tokens -------------------------------------------------------------------

    def _put(self, state: int, obj: Any) -> None:
        with self._lock:
            tok = next(self._ids)
            self._objs[tok] = obj
        _TOKEN.from_address(state).value = tok

    def _get(self, state: int) -> Any:
        return self._objs[_TOKEN.from_address(state).value]

    def _pop(self, state: int) -> Any:
        cell = _TOKEN.from_address(state)
        with self._lock:
            obj = self._objs.pop(cell.value, None)
        cell.value = 0
        return obj

    def _fail(self, exc: BaseException) -> int:
        # Never let an exception cross into C; keep it for the Python caller.
        self._local.error = exc
        return self._failure

    def take_error(self) -> Optional[BaseException]:
        """The exception a callback raised in this thread since the last call, if any."""
        exc = getattr(self._local, "error", None)
        self._local.error = None
        return exc

    @property
    def live_states(self) -> int:
        """States currently held (for leak checks in tests)."""
        with self._lock:
            return len(self._objs)

    # -- callbacks ------------------------------------------------------------------

    def _hmac_init(self, user: Any, state: int, key: Any, key_len: int) -> int:
        try:
            self._put(state, self._impl.hmac_new(ctypes.string_at(key, key_len)))
            return 0
        except BaseException as exc:  # noqa: BLE001
            return self._fail(exc)

    def _hmac_update(self, user: Any, state: int, data: Any, n: int) -> int:
        try:
            self._get(state).update(ctypes.string_at(data, n) if n else b"")
            return 0
        except BaseException as exc:  # noqa: BLE001
            return self._fail(exc)

    def _hmac_final(self, user: Any, state: int, mac: Any) -> int:
        try:
            obj = self._pop(state)
            d = obj.digest()
            if len(d) != 32:
                raise ValueError(f"hmac digest is {len(d)} octets, not 32")
            ctypes.memmove(mac, d, 32)
            return 0
        except BaseException as exc:  # noqa: BLE001
            return self._fail(exc)

    def _hmac_copy(self, user: Any, dst: int, src: int) -> int:
        try:
            self._put(dst, self._get(src).copy())
            return 0
        except BaseException as exc:  # noqa: BLE001
            return self._fail(exc)

    def _release(self, user: Any, state: int) -> None:
        try:
            self._pop(state)
        except BaseException:  # noqa: BLE001 - nothing to report from a release
            pass

    def _random(self, user: Any, out: Any, n: int) -> int:
        try:
            data = self._impl.random_bytes(n)
            if not isinstance(data, (bytes, bytearray)) or len(data) != n:
                raise ValueError(f"random_bytes({n}) must return {n} octets")
            ctypes.memmove(out, bytes(data), n)
            return 0
        except BaseException as exc:  # noqa: BLE001
            return self._fail(exc)

    def _aes_init(self, user: Any, state: int, key: Any) -> int:
        try:
            self._put(state, self._impl.aes128_new(ctypes.string_at(key, 16)))
            return 0
        except BaseException as exc:  # noqa: BLE001
            return self._fail(exc)

    def _aes_encrypt(self, user: Any, state: int, block_in: Any, block_out: Any) -> int:
        try:
            out = self._get(state).encrypt_block(ctypes.string_at(block_in, 16))
            if len(out) != 16:
                raise ValueError("encrypt_block must return 16 octets")
            ctypes.memmove(block_out, bytes(out), 16)
            return 0
        except BaseException as exc:  # noqa: BLE001
            return self._fail(exc)
