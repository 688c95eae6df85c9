"""The in-memory key store of keystore.h (``aiotsec_memstore``), where the ADM finds K_AIOT_root.

Devices are known by their Permanent Identifier alone (1..64 octets). The store
keeps a prepared key per device (a 64-octet compact key with the native backend),
a keyed hash index for look-ups and a sorted index so that a filter costs a range
scan; with ``keep_raw_keys=False`` it keeps no raw K_AIOT_root at all. Key files
have one device a line::

    # Permanent Identifier   K_AIOT_root   (both hex)
    a100000001   000102030405060708090a0b0c0d0e0f

(the 0.1 three-column form is still read, its first column ignored).
"""

from __future__ import annotations

import ctypes
import os
from typing import Any, Iterator, List, Optional, Union

from . import _ffi, _lib
from ._bytes import as_bytes, as_int
from ._handle import Handle, out_ptr, use
from .context import Context

__all__ = ["MemStore"]


def _text(text: Any) -> bytes:
    if isinstance(text, str):
        return text.encode("utf-8")
    return as_bytes(text, "text")


def _check_line(lib: Any, rc: int, line: int, detail: Optional[str]) -> None:
    """As ``lib.check``, with the offending key-file line in the exception's ``.line``."""
    if rc < 0:
        exc = lib.error(rc, detail)
        exc.line = line or None
        raise exc


class MemStore(Handle):
    """The in-memory key store (``aiotsec_memstore``).

    Read-only use is thread-safe (an :class:`~aiotsec.Adm` may be shared). K_AIOT_root
    never comes back out: the store hands keys to the ADM only.

    Devices are in storage order (:meth:`device_at`, :meth:`perm_ids`, iteration):
    insertion order, except that each :meth:`load_text` / :meth:`load_file` stores
    the devices it adds sorted by Permanent Identifier.

    Args:
        ctx: the context the prepared keys are made with (kept alive while the store is open).
        expected: expected number of devices (sizes the indexes; they grow anyway).
        keep_raw_keys: False to keep no raw K_AIOT_root, only the prepared keys
            (``AIOTSEC_MEMSTORE_NO_RAW_KEYS``: 33 octets less per device; the ADM then
            derives everything through the prepared keys). The answers are the same.
    Raises:
        TypeError: wrong types. ArgumentError: ``AIOTSEC_E_LIMIT`` (``expected`` too large).
    """

    _kind = "key store"

    def __init__(self, ctx: Context, expected: int = 0, *, keep_raw_keys: bool = True):
        lib = _lib.require("keystore")
        if not isinstance(ctx, Context):
            raise TypeError("ctx must be a Context")
        if not isinstance(keep_raw_keys, bool):
            raise TypeError("keep_raw_keys must be a bool")
        n = as_int(expected, "expected", 0, (1 << 64) - 1)
        flags = 0 if keep_raw_keys else _ffi.MEMSTORE_NO_RAW_KEYS
        out = out_ptr()
        with use(ctx) as c:
            lib.check(lib.cdll.aiotsec_memstore_new_with_flags(ctypes.byref(out), c, n, flags))
        super().__init__(lib, out.value, "aiotsec_memstore_free", parent=ctx)
        self._ctx = ctx
        self._raw_keys = keep_raw_keys

    @property
    def context(self) -> Context:
        """The store's context."""
        return self._ctx

    @property
    def keeps_raw_keys(self) -> bool:
        """False when the store was made with ``keep_raw_keys=False`` (prepared keys only)."""
        return self._raw_keys

    def add(self, perm_id: bytes, k_root: bytes) -> None:
        """Adds one device. Each call may move the sorted index (O(count)): load many
        devices with :meth:`load_text` or :meth:`load_file`, which sort once.

        Raises:
            TypeError: not bytes-like.
            ArgumentError: ``AIOTSEC_E_BAD_LENGTH`` (identifier not 1..64 octets, key not 16 or 32).
            ProcedureError: ``AIOTSEC_E_DUPLICATE`` (nothing is changed).
        """
        p, k = as_bytes(perm_id, "perm_id"), as_bytes(k_root, "k_root")
        with use(self) as s:
            self._lib.check(self._lib.cdll.aiotsec_memstore_add(s, p, len(p), k, len(k)))

    def load_text(self, text: Union[str, bytes]) -> int:
        """Adds every device of a key-file text, all or nothing; returns how many devices now.
        The devices it adds are stored sorted by Permanent Identifier, after those already there.

        Raises:
            ProcedureError: ``AIOTSEC_E_PARSE`` or ``AIOTSEC_E_DUPLICATE``;
            ArgumentError: ``AIOTSEC_E_BAD_LENGTH``. The exception's ``.line`` names the line.
        """
        t = _text(text)
        line = ctypes.c_size_t(0)
        with use(self) as s:
            rc = self._lib.cdll.aiotsec_memstore_load_buffer(s, t, len(t), ctypes.byref(line))
        _check_line(self._lib, rc, int(line.value), f"line {line.value}" if line.value else None)
        return len(self)

    def load_file(self, path: Union[str, os.PathLike]) -> int:
        """Adds every device of a key file (as :meth:`load_text`); returns how many devices now.

        Raises:
            As :meth:`load_text`, and ArgumentError ``AIOTSEC_E_IO`` when it cannot be read.
        """
        if not isinstance(path, (str, bytes, os.PathLike)):
            raise TypeError(f"path must be a str, bytes or os.PathLike, not {type(path).__name__}")
        p = os.fsencode(path)
        if b"\0" in p:
            raise ValueError("path contains a NUL character")
        line = ctypes.c_size_t(0)
        with use(self) as s:
            rc = self._lib.cdll.aiotsec_memstore_load_file(s, p, ctypes.byref(line))
        _check_line(self._lib, rc, int(line.value),
                    f"{os.fsdecode(p)} line {line.value}" if line.value else None)
        return len(self)

    def __len__(self) -> int:
        with use(self) as s:
            return int(self._lib.cdll.aiotsec_memstore_count(s))

    def device_at(self, index: int) -> bytes:
        """Permanent Identifier of the ``index``-th device, in storage order: insertion
        order, except that each load stores the devices it adds sorted by Permanent Identifier.

        Raises:
            ArgumentError: ``AIOTSEC_E_BAD_VALUE`` for an index past the end.
        """
        i = as_int(index, "index", 0, (1 << 64) - 1)
        ptr, n = ctypes.c_void_p(), ctypes.c_size_t(0)
        with use(self) as s:
            self._lib.check(self._lib.cdll.aiotsec_memstore_device_at(
                s, i, ctypes.byref(ptr), ctypes.byref(n)))
            return ctypes.string_at(ptr.value, n.value)  # copied while the store is held

    def perm_ids(self) -> List[bytes]:
        """Every Permanent Identifier, in storage order (as :meth:`device_at`)."""
        out = []
        ptr, n = ctypes.c_void_p(), ctypes.c_size_t(0)
        with use(self) as s:
            cd = self._lib.cdll
            for idx in range(int(cd.aiotsec_memstore_count(s))):
                self._lib.check(cd.aiotsec_memstore_device_at(s, idx, ctypes.byref(ptr),
                                                              ctypes.byref(n)))
                out.append(ctypes.string_at(ptr.value, n.value))
        return out

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.perm_ids())

    def _table(self, ptr: int) -> "_ffi.Keystore":
        """The C key-store table over this store (``ptr``: the store, held by the caller)."""
        table = _ffi.Keystore()
        self._lib.check(self._lib.cdll.aiotsec_memstore_keystore(ptr, ctypes.byref(table)))
        return table

    def __repr__(self) -> str:
        if self.closed:
            return "<aiotsec.MemStore closed>"
        raw = "" if self._raw_keys else " raw_keys=False"
        return f"<aiotsec.MemStore devices={len(self)}{raw}>"
