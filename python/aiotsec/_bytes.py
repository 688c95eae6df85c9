"""Argument checks done in Python before any C call (TypeError for wrong types)."""

from __future__ import annotations

import ctypes
from typing import Any, Optional

BytesLike = Any  # bytes | bytearray | memoryview; kept loose for Python 3.9


def as_bytes(value: Any, what: str, *, optional: bool = False) -> Optional[bytes]:
    """``value`` as immutable bytes; TypeError for str, None (unless optional), ints, lists..."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    if value is None and optional:
        return None
    raise TypeError(f"{what} must be bytes, bytearray or memoryview, not {type(value).__name__}")


def as_int(value: Any, what: str, lo: int, hi: int) -> int:
    """``value`` as an int in [lo, hi]; TypeError for non-ints (and bool), ValueError out of range."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an int, not {type(value).__name__}")
    if not lo <= value <= hi:
        raise ValueError(f"{what} must be in {lo}..{hi}, got {value}")
    return int(value)


def take(buf: Any, n: int) -> bytes:
    """The first ``n`` octets of a ctypes buffer, then the buffer is wiped."""
    out = ctypes.string_at(buf, n)
    ctypes.memset(buf, 0, ctypes.sizeof(buf))
    return out
