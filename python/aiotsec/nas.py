"""AIOT NAS messages (nas.h): dataclasses, encode/decode, protected-header parsing.

Messages are plain Python dataclasses; the wire code points come from the
profile (profile 0 unless ``profile=`` is given), never from Python.

    >>> req = CommandRequest.read(transaction_id=7, offset=0x20, length=16)
    >>> wire = encode(req)
    >>> decode(wire) == req
    True
"""

from __future__ import annotations

import ctypes
import dataclasses
import enum
from typing import Any, Optional, Union

from . import _ffi, _lib
from ._bytes import as_bytes, as_int
from ._profile_ref import ProfileRef

__all__ = ["NasType", "Command", "CmdStatus", "Sht", "AuthResponse", "CommandRequest",
           "CommandResponse", "NasMessage", "ProtectedHeader", "encode", "decode",
           "parse_protected", "peek_sht", "max_len", "type_name", "cmd_name",
           "cmd_status_to_wire", "cmd_status_from_wire", "cmd_status_cause"]


class NasType(enum.IntEnum):
    """Message types (``aiotsec_nas_type``; wire values come from the profile)."""

    AUTH_RESPONSE = 1
    COMMAND_REQUEST = 2
    COMMAND_RESPONSE = 3


class Command(enum.IntEnum):
    """Commands of a COMMAND REQUEST (``aiotsec_cmd``; names: TS 29.569 ``commandType``)."""

    READ = 1
    WRITE = 2
    PERMANENT_DISABLE = 3  #: permanently stop RF transmission
    #: Deprecated alias of PERMANENT_DISABLE (0.1 name, as the C macro AIOTSEC_CMD_DISABLE).
    DISABLE = 3


class CmdStatus(enum.IntEnum):
    """Status of a COMMAND RESPONSE (``aiotsec_cmd_status``). Every failure is named after
    the TS 29.569 ``AIoTDevFailCause`` the AIOTF reports for it: see :attr:`cause`."""

    SUCCESS = 1
    PARAMS_INVALID = 2     #: COMMAND_TYPE_SPECIFIC_PARAMETERS_INVALID (range, write protection)
    MSG_TYPE_UNKNOWN = 3   #: MESSAGE_TYPE_NON_EXISTENT_OR_NOT_IMPLEMENTED
    LOW_ENERGY = 4         #: LOW_ENERGY
    INVALID_MANDATORY = 5  #: INVALID_MANDATORY_INFORMATION
    UNSPECIFIED = 6        #: ERROR_UNSPECIFIED

    @property
    def cause(self) -> str:
        """The TS 29.569 ``AIoTDevFailCause`` name (from the library); ``""`` for SUCCESS."""
        return cmd_status_cause(self)


class Sht(enum.IntEnum):
    """Security header types (``aiotsec_nas_sht``)."""

    PLAIN = 0
    INTEGRITY = 1
    INTEGRITY_CIPHERED = 2


@dataclasses.dataclass(frozen=True)
class AuthResponse:
    """AUTHENTICATION RESPONSE (D2R, plain): RES_AIOT and RAND_AIOT_d."""

    res: bytes
    rand_d: bytes

    def encode(self, *, profile: Any = None) -> bytes:
        """The encoded message (see :func:`encode`)."""
        return encode(self, profile=profile)


@dataclasses.dataclass(frozen=True)
class CommandRequest:
    """COMMAND REQUEST (R2D, must be protected).

    ``offset`` is used by READ and WRITE, ``length`` by READ, ``data`` by WRITE.
    """

    transaction_id: int
    command: Command
    offset: int = 0
    length: int = 0
    data: bytes = b""

    @classmethod
    def read(cls, transaction_id: int, offset: int, length: int) -> "CommandRequest":
        """A READ of ``length`` octets at ``offset``."""
        return cls(transaction_id, Command.READ, offset=offset, length=length)

    @classmethod
    def write(cls, transaction_id: int, offset: int, data: bytes) -> "CommandRequest":
        """A WRITE of ``data`` at ``offset``."""
        return cls(transaction_id, Command.WRITE, offset=offset, data=data)

    @classmethod
    def permanent_disable(cls, transaction_id: int) -> "CommandRequest":
        """A PERMANENT_DISABLE (permanently stop RF transmission)."""
        return cls(transaction_id, Command.PERMANENT_DISABLE)

    #: Deprecated 0.1 name of :meth:`permanent_disable`.
    disable = permanent_disable

    def encode(self, *, profile: Any = None) -> bytes:
        """The encoded plain message (see :func:`encode`)."""
        return encode(self, profile=profile)


@dataclasses.dataclass(frozen=True)
class CommandResponse:
    """COMMAND RESPONSE (D2R, must be protected); ``data`` is the Read data (b"" when absent)."""

    transaction_id: int
    status: CmdStatus
    data: bytes = b""

    def encode(self, *, profile: Any = None) -> bytes:
        """The encoded plain message (see :func:`encode`)."""
        return encode(self, profile=profile)


NasMessage = Union[AuthResponse, CommandRequest, CommandResponse]


@dataclasses.dataclass(frozen=True)
class ProtectedHeader:
    """The header of a security protected message (not verified)."""

    sht: Sht
    mac: bytes
    sqn: int
    payload: bytes


def _enum(cls: Any, value: int) -> Any:
    try:
        return cls(value)
    except ValueError:
        return int(value)


def _bad_ie(lib: Any, detail: str) -> Exception:
    # A value that does not even fit the C field: the status the library uses
    # for values outside the spec's ranges.
    return lib.error(lib.status_code("AIOTSEC_E_NAS_BAD_IE_VALUE"), detail)


def _field(lib: Any, value: Any, what: str, bits: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an int, not {type(value).__name__}")
    if not 0 <= value < (1 << bits):
        raise _bad_ie(lib, f"{what}={value}")
    return int(value)


def _enum_field(value: Any, what: str) -> int:
    return as_int(value, what, -(1 << 31), (1 << 31) - 1)


def _addr(b: Optional[bytes]) -> Optional[int]:
    """Address of an immutable bytes object's buffer (None for empty); the caller keeps it alive."""
    if not b:
        return None
    return ctypes.cast(ctypes.c_char_p(b), ctypes.c_void_p).value


def to_c(lib: Any, msg: Any) -> "tuple[_ffi.NasMsg, list]":
    """A C message for ``msg`` and the list of bytes objects it points into (keep it alive)."""
    raw = _ffi.NasMsg()
    keep: list = []
    if isinstance(msg, AuthResponse):
        res, rand_d = as_bytes(msg.res, "res"), as_bytes(msg.rand_d, "rand_d")
        keep += [res, rand_d]
        raw.type = NasType.AUTH_RESPONSE
        raw.res, raw.res_len = _addr(res), len(res)
        raw.rand_d, raw.rand_d_len = _addr(rand_d), len(rand_d)
    elif isinstance(msg, CommandRequest):
        data = as_bytes(msg.data, "data")
        keep.append(data)
        raw.type = NasType.COMMAND_REQUEST
        raw.transaction_id = _field(lib, msg.transaction_id, "transaction_id", 8)
        raw.command = _enum_field(msg.command, "command")
        raw.offset = _field(lib, msg.offset, "offset", 16)
        raw.length = _field(lib, msg.length, "length", 16)
        raw.data, raw.data_len = _addr(data), len(data)
    elif isinstance(msg, CommandResponse):
        data = as_bytes(msg.data, "data")
        keep.append(data)
        raw.type = NasType.COMMAND_RESPONSE
        raw.transaction_id = _field(lib, msg.transaction_id, "transaction_id", 8)
        raw.status = _enum_field(msg.status, "status")
        raw.data, raw.data_len = _addr(data), len(data)
    else:
        raise TypeError("msg must be an AuthResponse, CommandRequest or CommandResponse, "
                        f"not {type(msg).__name__}")
    return raw, keep


def _view(ptr: Optional[int], n: int) -> bytes:
    return ctypes.string_at(ptr, n) if ptr and n else b""


def from_c(raw: _ffi.NasMsg) -> NasMessage:
    """Copies a decoded C message (views into a live buffer) into a dataclass."""
    if raw.type == NasType.AUTH_RESPONSE:
        return AuthResponse(_view(raw.res, raw.res_len), _view(raw.rand_d, raw.rand_d_len))
    if raw.type == NasType.COMMAND_REQUEST:
        cmd = _enum(Command, raw.command)
        return CommandRequest(int(raw.transaction_id), cmd, int(raw.offset), int(raw.length),
                              _view(raw.data, raw.data_len))
    if raw.type == NasType.COMMAND_RESPONSE:
        return CommandResponse(int(raw.transaction_id), _enum(CmdStatus, raw.status),
                               _view(raw.data, raw.data_len))
    raise ValueError(f"library returned unknown message type {raw.type}")


def max_len(profile: Any = None) -> int:
    """Largest AIOT NAS message of a profile, in octets (2048 in profile 0)."""
    lib = _lib.require("nas")
    with ProfileRef(lib, profile) as prof:
        return int(lib.cdll.aiotsec_nas_maxbytes(prof))


def encode(msg: NasMessage, *, profile: Any = None) -> bytes:
    """Encodes a plain AIOT NAS message.

    Args:
        msg: an :class:`AuthResponse`, :class:`CommandRequest` or :class:`CommandResponse`.
        profile: None (profile 0), a :class:`~aiotsec.Profile` or a :class:`~aiotsec.Context`.
    Raises:
        TypeError: not a message, or a field of the wrong type.
        DecodeError: a value or length outside the spec's range (``AIOTSEC_E_NAS_BAD_IE_VALUE``),
            an unknown command (``AIOTSEC_E_NAS_BAD_COMMAND``), too long.
    """
    lib = _lib.require("nas")
    raw, keep = to_c(lib, msg)
    with ProfileRef(lib, profile) as prof:
        cap = int(lib.cdll.aiotsec_nas_maxbytes(prof))
        buf = ctypes.create_string_buffer(cap)
        n = ctypes.c_size_t(0)
        lib.check(lib.cdll.aiotsec_nas_encode(prof, ctypes.byref(raw), buf, cap, ctypes.byref(n)))
    del keep
    return ctypes.string_at(buf, n.value)


def decode(data: bytes, *, profile: Any = None) -> NasMessage:
    """Decodes a plain AIOT NAS message.

    Raises:
        TypeError: ``data`` is not bytes-like.
        DecodeError: malformed (truncated, bad EPD/type/IE, a protected message...).
    """
    lib = _lib.require("nas")
    d = as_bytes(data, "data")
    raw = _ffi.NasMsg()
    with ProfileRef(lib, profile) as prof:
        lib.check(lib.cdll.aiotsec_nas_decode(prof, d, len(d), ctypes.byref(raw)))
        return from_c(raw)  # copies out of d while it is alive


def parse_protected(data: bytes, *, profile: Any = None) -> ProtectedHeader:
    """Parses (does not verify) the header of a security protected message."""
    lib = _lib.require("nas")
    d = as_bytes(data, "data")
    hdr = _ffi.NasProtectedHdr()
    with ProfileRef(lib, profile) as prof:
        lib.check(lib.cdll.aiotsec_nas_parse_protected(prof, d, len(d), ctypes.byref(hdr)))
        # The MAC runs from its start to the SQN octet just before the payload
        # (both are views into d), so its length comes from the library's layout.
        mac_len = int(hdr.payload) - 1 - int(hdr.mac)
        return ProtectedHeader(_enum(Sht, hdr.sht), _view(hdr.mac, mac_len), int(hdr.sqn),
                               _view(hdr.payload, hdr.payload_len))


def peek_sht(data: bytes, *, profile: Any = None) -> Sht:
    """The security header type of a message, after the EPD and spare-bit checks."""
    lib = _lib.require("nas")
    d = as_bytes(data, "data")
    out = ctypes.c_int(0)
    with ProfileRef(lib, profile) as prof:
        lib.check(lib.cdll.aiotsec_nas_peek_sht(prof, d, len(d), ctypes.byref(out)))
    return _enum(Sht, out.value)


def type_name(t: int) -> str:
    """Name of a message type, e.g. ``"COMMAND_REQUEST"``."""
    lib = _lib.require("nas")
    return lib.cdll.aiotsec_nas_type_name(_enum_field(t, "type")).decode("ascii")


def cmd_name(c: int) -> str:
    """Name of a command as TS 29.569 ``commandType`` spells it, e.g. ``"PERMANENT_DISABLE"``."""
    lib = _lib.require("nas")
    return lib.cdll.aiotsec_cmd_name(_enum_field(c, "command")).decode("ascii")


def cmd_status_to_wire(status: CmdStatus, *, profile: Any = None) -> int:
    """Wire octet of a command status in a profile."""
    lib = _lib.require("nas")
    s = _enum_field(status, "status")
    out = ctypes.c_uint8(0)
    with ProfileRef(lib, profile) as prof:
        lib.check(lib.cdll.aiotsec_cmd_status_to_wire(prof, s, ctypes.byref(out)))
    return out.value


def cmd_status_from_wire(wire: int, *, profile: Any = None) -> CmdStatus:
    """Command status of a wire octet (0..255) in a profile (DecodeError when undefined)."""
    lib = _lib.require("nas")
    w = as_int(wire, "wire", 0, 0xFF)
    out = ctypes.c_int(0)
    with ProfileRef(lib, profile) as prof:
        lib.check(lib.cdll.aiotsec_cmd_status_from_wire(prof, w, ctypes.byref(out)))
    return _enum(CmdStatus, out.value)


def cmd_status_cause(status: int) -> Optional[str]:
    """The TS 29.569 ``AIoTDevFailCause`` of a command status, e.g. ``"LOW_ENERGY"``:
    ``""`` for SUCCESS (no failure cause), None for a value that is not a status."""
    lib = _lib.require("nas")
    name = lib.cdll.aiotsec_cmd_status_cause(_enum_field(status, "status"))
    return None if name is None else name.decode("ascii")
