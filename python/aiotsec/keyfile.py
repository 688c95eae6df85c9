"""The key-file readers of keystore.h (``aiotsec_keyfile_read_buffer`` / ``_file``).

A key file has one device a line, two hex fields (Permanent Identifier,
K_AIOT_root), ``#`` comments::

    # Permanent Identifier   K_AIOT_root
    a100000001   000102030405060708090a0b0c0d0e0f

The three-column form of version 0.1 (identification information first) is
still read; its first column is ignored, since a paging now names the Permanent
Identifier itself or a filter.

The C library does the parsing; Python only collects the records, so a key
file means the same thing here as for :meth:`aiotsec.MemStore.load_text`.
"""

from __future__ import annotations

import ctypes
import dataclasses
import os
from typing import List, Optional, Union

from . import _ffi, _lib
from ._bytes import as_bytes

__all__ = ["KeyRecord", "read_keyfile", "read_keyfile_text", "read_keyfile_file"]


@dataclasses.dataclass(frozen=True)
class KeyRecord:
    """One device line of a key file. ``k_root`` is secret: it is left out of ``repr``."""

    line: int
    perm_id: bytes
    k_root: bytes = dataclasses.field(repr=False)


class _Collector:
    """The C callback: copies each record; an exception is kept and reported after the call."""

    def __init__(self, lib: _lib.Library):
        self.lib = lib
        self.records: List[KeyRecord] = []
        self.error: Optional[BaseException] = None
        self.fn = _ffi.KEYFILE_FN(self._on_line)  # kept alive for the whole call

    def _on_line(self, user, line, perm_id, perm_id_len, k_root, k_root_len):
        # Called from C: an exception must never escape (ctypes would return 0, "go on").
        try:
            self.records.append(KeyRecord(int(line), ctypes.string_at(perm_id, perm_id_len),
                                          ctypes.string_at(k_root, k_root_len)))
            return 0
        except BaseException as exc:  # noqa: BLE001 - re-raised after the C call returns
            self.error = exc
            return self.lib.status_code("AIOTSEC_E_BACKEND_FAILURE")

    def finish(self, rc: int, line: int, where: str) -> List[KeyRecord]:
        if self.error is not None:
            exc, self.error = self.error, None
            raise exc
        if rc < 0:
            parts = [where] if where else []
            if line:
                parts.append(f"line {line}")
            exc = self.lib.error(rc, " ".join(parts) or None)
            exc.line = line or None
            raise exc
        return self.records


def read_keyfile_text(text: Union[str, bytes]) -> List[KeyRecord]:
    """Parses key-file text (``str`` as UTF-8, or bytes); returns its records in order.

    Raises:
        ProcedureError: ``AIOTSEC_E_PARSE`` (not two or three hex fields, bad hex, a line
            over 1024 characters), with ``.line`` set.
        ArgumentError: ``AIOTSEC_E_BAD_LENGTH`` (an identifier outside 1..64 octets, a key
            not 16 or 32), with ``.line`` set.
        TypeError: neither str nor bytes.
    """
    lib = _lib.require("keystore")
    t = text.encode("utf-8") if isinstance(text, str) else as_bytes(text, "text")
    col = _Collector(lib)
    line = ctypes.c_size_t(0)
    rc = lib.cdll.aiotsec_keyfile_read_buffer(t, len(t), col.fn, None, ctypes.byref(line))
    return col.finish(rc, int(line.value), "")


def read_keyfile_file(path: Union[str, bytes, os.PathLike]) -> List[KeyRecord]:
    """Parses a key file by name (streamed by the library); returns its records in order.

    Raises:
        As :func:`read_keyfile_text`, and ArgumentError ``AIOTSEC_E_IO`` when the file
        cannot be read.
    """
    lib = _lib.require("keystore")
    if not isinstance(path, (str, bytes, os.PathLike)):
        raise TypeError(f"path must be a str, bytes or os.PathLike, not {type(path).__name__}")
    p = os.fsencode(path)
    if b"\0" in p:
        raise ValueError("path contains a NUL character")
    col = _Collector(lib)
    line = ctypes.c_size_t(0)
    rc = lib.cdll.aiotsec_keyfile_read_file(p, col.fn, None, ctypes.byref(line))
    return col.finish(rc, int(line.value), os.fsdecode(p))


def read_keyfile(source: Union[str, bytes, os.PathLike]) -> List[KeyRecord]:
    """Parses a key file: an :class:`os.PathLike` (e.g. :class:`pathlib.Path`) is read as a
    file, ``str``/``bytes`` are the text itself (use :func:`read_keyfile_file` for a path
    held in a string). Returns the records in file order; raises as those two functions."""
    if isinstance(source, os.PathLike):
        return read_keyfile_file(source)
    return read_keyfile_text(source)
