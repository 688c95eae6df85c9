"""Built-in crypto backends (backend.h)."""

from __future__ import annotations

import ctypes
import enum
from typing import List

from . import _ffi, _lib

__all__ = ["Caps", "COMPACT_MAX", "backends", "backend_caps"]

#: ``AIOTSEC_COMPACT_MAX``: the largest compact form of a prepared key, in octets.
COMPACT_MAX = _ffi.COMPACT_MAX


class Caps(enum.IntFlag):
    """Capability bits of a backend (the ``AIOTSEC_CAP_*`` macros of backend.h)."""

    HMAC_SHA256 = 0x01
    RANDOM = 0x02
    AES128 = 0x04
    HMAC_BATCH = 0x08
    HMAC_COMPACT = 0x10  #: compact prepared keys (``hmac_compact_size`` octets each, at most 64)


def backends() -> List[str]:
    """Names of the built-in backends of the loaded library, default first (e.g. ``["sodium", ...]``)."""
    lib = _lib.get()
    names = []
    for i in range(int(lib.cdll.aiotsec_backend_count())):
        name = lib.cdll.aiotsec_backend_name_at(i)
        if name is not None:
            names.append(name.decode("ascii"))
    return names


def backend_caps(name: str) -> Caps:
    """Capabilities of a built-in backend.

    Raises:
        TypeError: ``name`` is not a str.
        UnknownBackendError: no built-in backend of that name.
    """
    if not isinstance(name, str):
        raise TypeError("backend name must be a str")
    lib = _lib.get()
    table = ctypes.POINTER(_ffi.BackendTable)()
    lib.check(lib.cdll.aiotsec_backend_find(name.encode(), ctypes.byref(table)))
    return Caps(int(lib.cdll.aiotsec_backend_caps(table)))


