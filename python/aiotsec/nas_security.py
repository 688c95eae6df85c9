"""AIOT NAS security contexts (nas_security.h): protect, unprotect, verify-then-decode."""

from __future__ import annotations

import ctypes
import enum
import threading
from typing import Optional

from . import _lib
from ._bytes import as_bytes, as_int
from ._handle import Handle, out_ptr, use
from .context import Context
from ._profile_ref import ProfileRef
from .nas import NasMessage, from_c, to_c
from . import _ffi

__all__ = ["NasRole", "SecurityContext"]

_U32 = 0xFFFFFFFF


class NasRole(enum.IntEnum):
    """Which end a security context is (``aiotsec_nas_role``)."""

    NETWORK = 1  #: the AIOTF: sends R2D, receives D2R
    DEVICE = 2   #: the device: sends D2R, receives R2D


class SecurityContext(Handle):
    """A NAS security context for one command procedure (``aiotsec_nas_sec``).

    Made from a fresh K_AIOTF, the algorithm identities and the role; holds the
    algorithm keys (wiped on close) and the two COUNTs. The C object is not
    thread-safe; this wrapper serialises calls with a lock, so it may be shared,
    but one context per procedure is the intended use.

    Args:
        ctx: the library :class:`~aiotsec.Context` (kept alive while this is open).
        kaiotf: K_AIOTF (16 octets).
        role: :class:`NasRole` (``NETWORK`` for the AIOTF, ``DEVICE`` for the device).
        int_alg: integrity identity (2 = 128-NIA2, 8 = AIA-HS in profile 0); None for the
            profile's default.
        enc_alg: ciphering identity (0 = NEA0, 2 = 128-NEA2); None for the profile's default.

    Raises:
        TypeError: wrong types. ArgumentError: bad K_AIOTF length, bad role,
        UnsupportedError (NIA2/NEA2 on a backend without AES).
        SecurityError: NIA0 (``AIOTSEC_E_NIA0_REJECTED``) or an unknown identity.
    """

    _kind = "NAS security context"

    def __init__(self, ctx: Context, kaiotf: bytes, role: NasRole, *,
                 int_alg: Optional[int] = None, enc_alg: Optional[int] = None):
        lib = _lib.require("nas_security")
        if not isinstance(ctx, Context):
            raise TypeError("ctx must be a Context")
        kf = as_bytes(kaiotf, "kaiotf")
        r = as_int(role, "role", -(1 << 31), (1 << 31) - 1)
        params = ctx.profile
        ia = params.default_int_alg if int_alg is None else as_int(int_alg, "int_alg", 0, _U32)
        ea = params.default_enc_alg if enc_alg is None else as_int(enc_alg, "enc_alg", 0, _U32)
        out = out_ptr()
        with use(ctx) as c:
            lib.check(lib.cdll.aiotsec_nas_sec_new(ctypes.byref(out), c, kf, len(kf), ia, ea, r))
        super().__init__(lib, out.value, "aiotsec_nas_sec_free", parent=ctx)
        self._ctx = ctx
        self._call_lock = threading.Lock()
        self.int_alg = ia
        self.enc_alg = ea
        self.role = NasRole(r) if r in (1, 2) else r
        with ProfileRef(lib, ctx) as prof:
            self._max = int(lib.cdll.aiotsec_nas_maxbytes(prof))

    # -- COUNTs ---------------------------------------------------------------

    @property
    def tx_count(self) -> int:
        """The COUNT the next :meth:`protect` uses (COUNT max + 1 once exhausted)."""
        v = ctypes.c_uint32(0)
        with self._call_lock, use(self) as s:
            self._lib.check(self._lib.cdll.aiotsec_nas_sec_tx_count(s, ctypes.byref(v)))
        return int(v.value)

    @tx_count.setter
    def tx_count(self, count: int) -> None:
        c = as_int(count, "count", 0, _U32)
        with self._call_lock, use(self) as s:
            self._lib.check(self._lib.cdll.aiotsec_nas_sec_set_tx_count(s, c))

    @property
    def rx_last_count(self) -> Optional[int]:
        """The highest COUNT accepted so far in the receive direction; None before the first."""
        v = ctypes.c_uint32(0)
        with self._call_lock, use(self) as s:
            rc = self._lib.cdll.aiotsec_nas_sec_rx_last_count(s, ctypes.byref(v))
        if rc < 0 and self._lib.status_name(rc) == "AIOTSEC_E_BAD_STATE":
            return None
        self._lib.check(rc)
        return int(v.value)

    @rx_last_count.setter
    def rx_last_count(self, count: int) -> None:
        c = as_int(count, "count", 0, _U32)
        with self._call_lock, use(self) as s:
            self._lib.check(self._lib.cdll.aiotsec_nas_sec_set_rx_last_count(s, c))

    # -- protect / unprotect ----------------------------------------------------

    def protect(self, plain: bytes) -> bytes:
        """Protects an encoded plain message with the send COUNT, then advances it.

        Raises:
            DecodeError: ``plain`` is not a valid message.
            SecurityError: wrong direction for this role, COUNT exhausted.
        """
        p = as_bytes(plain, "plain")
        buf = ctypes.create_string_buffer(self._max)
        n = ctypes.c_size_t(0)
        with self._call_lock, use(self) as s:
            self._lib.check(self._lib.cdll.aiotsec_nas_protect(s, p, len(p), buf, self._max,
                                                               ctypes.byref(n)))
        return ctypes.string_at(buf, n.value)

    def protect_msg(self, msg: NasMessage) -> bytes:
        """Encodes ``msg`` and protects it."""
        raw, keep = to_c(self._lib, msg)
        buf = ctypes.create_string_buffer(self._max)
        n = ctypes.c_size_t(0)
        with self._call_lock, use(self) as s:
            self._lib.check(self._lib.cdll.aiotsec_nas_protect_msg(s, ctypes.byref(raw), buf,
                                                                   self._max, ctypes.byref(n)))
        del keep
        return ctypes.string_at(buf, n.value)

    def unprotect(self, data: bytes) -> bytes:
        """Checks COUNT and MAC, deciphers, and returns the plain message.

        The receive COUNT advances only on success.

        Raises:
            MacMismatchError, ReplayError, SecurityError: verification failed.
            DecodeError: a malformed header, plain message where protection is required.
        """
        d = as_bytes(data, "data")
        cap = max(len(d), 1)
        buf = ctypes.create_string_buffer(cap)
        n = ctypes.c_size_t(0)
        with self._call_lock, use(self) as s:
            self._lib.check(self._lib.cdll.aiotsec_nas_unprotect(s, d, len(d), buf, cap,
                                                                 ctypes.byref(n)))
        return ctypes.string_at(buf, n.value)

    def verify_decode(self, data: bytes) -> NasMessage:
        """Verifies, deciphers and decodes a received message in one call."""
        d = as_bytes(data, "data")
        cap = max(len(d), 1)
        work = ctypes.create_string_buffer(cap)
        raw = _ffi.NasMsg()
        with self._call_lock, use(self) as s:
            self._lib.check(self._lib.cdll.aiotsec_nas_verify_decode(s, d, len(d), work, cap,
                                                                     ctypes.byref(raw)))
            msg = from_c(raw)
        ctypes.memset(work, 0, cap)
        return msg

    def __repr__(self) -> str:
        if self.closed:
            return "<aiotsec.SecurityContext closed>"
        return (f"<aiotsec.SecurityContext role={self.role!r} int_alg={self.int_alg} "
                f"enc_alg={self.enc_alg}>")
