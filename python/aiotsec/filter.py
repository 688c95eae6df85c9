"""AiotFilteringInformation (filter.h, spec 6.2): the group a paging addresses.

Profile 0 encodes a filter as a prefix length in bits (one octet, 1..255)
followed by exactly ceil(bits / 8) octets of prefix whose unused low-order bits
are 0. A device matches when the first ``bits`` bits of its Permanent
Identifier equal the prefix. The encoding is the library's: Python never builds
or parses the octets itself, so a profile with another ``filter_encoding`` works
unchanged.

    >>> group = Filter.from_prefix(b"\\xa1", 8)       # every identifier starting a1
    >>> group.matches(bytes.fromhex("a100000001"))
    True
    >>> group.encoded.hex()
    '08a1'

Functions that take a filter (:meth:`aiotsec.Device.on_paging`,
:meth:`aiotsec.Aiotf.start`, :meth:`aiotsec.Adm.get_authentication`) accept a
:class:`Filter` or its encoded octets.
"""

from __future__ import annotations

import ctypes
from typing import Any, Optional

from . import _lib
from ._bytes import as_bytes, as_int
from ._profile_ref import ProfileRef

__all__ = ["Filter", "filter_bytes", "make_filter", "check_filter", "filter_matches",
           "filter_compare", "filter_bits", "filter_max_len"]


def filter_bytes(value: Any, what: str = "filter") -> bytes:
    """The encoded octets of a :class:`Filter` or a bytes-like filter (TypeError otherwise)."""
    if isinstance(value, Filter):
        return value.encoded
    return as_bytes(value, what)


def filter_max_len() -> int:
    """Largest AiotFilteringInformation in octets (``aiotsec_filter_maxbytes``: 33)."""
    return int(_lib.require("filter").cdll.aiotsec_filter_maxbytes())


def make_filter(prefix: bytes, bits: int, *, profile: Any = None) -> bytes:
    """Encodes the filter matching every identifier that starts with the first ``bits``
    bits of ``prefix`` (the rest of ``prefix`` is ignored).

    Raises:
        TypeError: ``prefix`` not bytes-like, ``bits`` not an int.
        ValueError: ``prefix`` shorter than ceil(bits / 8) octets (checked here, so the
            library never reads past it).
        ArgumentError: ``AIOTSEC_E_BAD_LENGTH`` for ``bits`` outside 1..255.
    """
    lib = _lib.require("filter")
    p = as_bytes(prefix, "prefix")
    n = as_int(bits, "bits", 0, (1 << 62))
    if len(p) < (n + 7) // 8:
        raise ValueError(f"a {n}-bit prefix needs {(n + 7) // 8} octets, prefix has {len(p)}")
    cap = int(lib.cdll.aiotsec_filter_maxbytes())
    out = ctypes.create_string_buffer(cap)
    out_len = ctypes.c_size_t(0)
    with ProfileRef(lib, profile) as prof:
        lib.check(lib.cdll.aiotsec_filter_make(prof, p, n, out, cap, ctypes.byref(out_len)))
    return ctypes.string_at(out, out_len.value)


def check_filter(filter: Any, *, profile: Any = None) -> None:
    """Raises :class:`~aiotsec.BadFilterError` when ``filter`` is malformed."""
    lib = _lib.require("filter")
    f = filter_bytes(filter)
    with ProfileRef(lib, profile) as prof:
        lib.check(lib.cdll.aiotsec_filter_check(prof, f, len(f)))


def filter_matches(filter: Any, perm_id: bytes, *, profile: Any = None) -> bool:
    """Whether a Permanent Identifier matches a filter (an identifier outside 1..64
    octets never does). Raises :class:`~aiotsec.BadFilterError` for a malformed filter."""
    lib = _lib.require("filter")
    f, p = filter_bytes(filter), as_bytes(perm_id, "perm_id")
    match = ctypes.c_int(0)
    with ProfileRef(lib, profile) as prof:
        lib.check(lib.cdll.aiotsec_filter_match(prof, f, len(f), p, len(p), ctypes.byref(match)))
    return bool(match.value)


def filter_compare(filter: Any, perm_id: bytes, *, profile: Any = None) -> int:
    """Where ``perm_id`` sorts relative to the identifiers the filter matches, in
    byte-lexicographic order: -1 before them, 0 among them (it matches), 1 after."""
    lib = _lib.require("filter")
    f, p = filter_bytes(filter), as_bytes(perm_id, "perm_id")
    order = ctypes.c_int(0)
    with ProfileRef(lib, profile) as prof:
        lib.check(lib.cdll.aiotsec_filter_compare(prof, f, len(f), p, len(p), ctypes.byref(order)))
    return (order.value > 0) - (order.value < 0)


def filter_bits(filter: Any, *, profile: Any = None) -> int:
    """The prefix length in bits of a well-formed filter (BadFilterError otherwise)."""
    lib = _lib.require("filter")
    f = filter_bytes(filter)
    bits = ctypes.c_size_t(0)
    with ProfileRef(lib, profile) as prof:
        lib.check(lib.cdll.aiotsec_filter_bits(prof, f, len(f), ctypes.byref(bits)))
    return int(bits.value)


class Filter:
    """A well-formed AiotFilteringInformation (checked by the library when made).

    Immutable and hashable; equal when the encoded octets are equal.

    Args:
        encoded: the filter's octets, as they travel (``filteringInfo``).
        profile: the profile whose encoding to check against; None for profile 0.
    Raises:
        TypeError: not bytes-like. BadFilterError: malformed.
    """

    __slots__ = ("_encoded", "_bits")

    def __init__(self, encoded: bytes, *, profile: Any = None):
        enc = as_bytes(encoded, "encoded")
        self._bits = filter_bits(enc, profile=profile)  # also the well-formedness check
        self._encoded = enc

    @classmethod
    def from_prefix(cls, prefix: bytes, bits: int, *, profile: Any = None) -> "Filter":
        """The filter of the first ``bits`` bits of ``prefix`` (see :func:`make_filter`)."""
        return cls(make_filter(prefix, bits, profile=profile), profile=profile)

    @property
    def encoded(self) -> bytes:
        """The encoded octets."""
        return self._encoded

    @property
    def bits(self) -> int:
        """The prefix length in bits."""
        return self._bits

    def matches(self, perm_id: bytes, *, profile: Any = None) -> bool:
        """Whether ``perm_id`` is in the group (see :func:`filter_matches`)."""
        return filter_matches(self._encoded, perm_id, profile=profile)

    def compare(self, perm_id: bytes, *, profile: Any = None) -> int:
        """-1, 0 or 1 (see :func:`filter_compare`)."""
        return filter_compare(self._encoded, perm_id, profile=profile)

    def __bytes__(self) -> bytes:
        return self._encoded

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Filter) and other._encoded == self._encoded

    def __hash__(self) -> int:
        return hash(("aiotsec.Filter", self._encoded))

    def __repr__(self) -> str:
        return f"<aiotsec.Filter {self._encoded.hex()} bits={self._bits}>"


def optional_filter(value: Optional[Any]) -> Optional[bytes]:
    """``filter=`` arguments: None, a :class:`Filter` or bytes-like (TypeError otherwise)."""
    return None if value is None else filter_bytes(value)
