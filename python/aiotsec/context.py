"""Library contexts (context.h), with the KDF (kdf.h) and the derivations (derive.h) as their
methods: every function of those two headers takes the context first. Prepared keys
(prepared.h) are in :mod:`aiotsec.prepared`."""

from __future__ import annotations

import ctypes
import enum
from typing import Any, Optional, Union

from . import _ffi, _lib
from ._bytes import as_bytes, as_int, take
from ._handle import Handle, out_ptr, use
from .backend import Caps
from .custom_backend import Bridge, CustomBackend
from .profile import Profile, ProfileParams

__all__ = ["AlgType", "Context", "PreparedKey"]

_U32 = 0xFFFFFFFF
# Largest buffer random() allocates before the library checks n (its own limit is lower).
_RANDOM_SANITY = 1 << 24


class AlgType(enum.IntEnum):
    """Which algorithm an algorithm key is for (``aiotsec_alg_type``)."""

    ENC = 1  #: AIOT-NAS-enc-alg (ciphering)
    INT = 2  #: AIOT-NAS-int-alg (integrity)


class Context(Handle):
    """A library context: a backend plus a profile (``aiotsec_ctx``).

    Immutable once made and safe to share between threads: every method may be
    called from many threads at once (ctypes releases the GIL during C calls).
    Use it as a context manager, or call :meth:`close`.

    Args:
        backend: ``"sodium"`` (the default), ``"openssl"``, ``"native"``; ``"portable"`` (the
            plain C backend of the tag firmware, portable.h: no random source); None for the
            default; or a :class:`~aiotsec.CustomBackend` instance (a backend written in Python).
        profile: a :class:`Profile` (copied), a :class:`ProfileParams`, or None for profile 0.

    Raises:
        TypeError: wrong argument types.
        UnknownBackendError: no built-in backend of that name.
        ArgumentError: a bad profile, or no memory.
    """

    _kind = "context"

    def __init__(self, backend: Union[str, CustomBackend, None] = None, profile: Any = None):
        lib = _lib.get()
        bridge = None
        if isinstance(backend, CustomBackend):
            bridge = Bridge(lib, backend)
        elif backend is not None and not isinstance(backend, str):
            raise TypeError("backend must be a str, a CustomBackend or None")
        owned = None
        if isinstance(profile, ProfileParams):
            profile = owned = Profile(profile)
        elif profile is not None and not isinstance(profile, Profile):
            raise TypeError("profile must be a Profile, ProfileParams or None")
        out = out_ptr()
        name = backend.encode() if isinstance(backend, str) else None

        def make(prof: Optional[int]) -> int:
            if bridge is not None:
                return lib.cdll.aiotsec_ctx_new_custom(ctypes.byref(out), ctypes.byref(bridge.table),
                                                       prof)
            if backend == "portable":  # not among aiotsec_backend_find()'s names on a host
                return lib.cdll.aiotsec_ctx_new_custom(ctypes.byref(out),
                                                       lib.cdll.aiotsec_backend_portable(), prof)
            return lib.cdll.aiotsec_ctx_new(ctypes.byref(out), name, prof)
        try:
            if profile is None:
                rc = make(None)
            else:
                with use(profile) as prof:
                    rc = make(prof)
        finally:
            if owned is not None:
                owned.close()
        lib.check(rc)
        # A custom backend's callbacks must outlive the C context: kept here.
        self._bridge = bridge
        super().__init__(lib, out.value, "aiotsec_ctx_free")
        # Immutable, so the lengths are read once.
        cd = lib.cdll
        self._res_len = int(cd.aiotsec_derive_res_bytes(out.value))
        self._rand_n_len = int(cd.aiotsec_derive_rand_n_bytes(out.value))
        self._rand_d_len = int(cd.aiotsec_derive_rand_d_bytes(out.value))
        self._kaiotf_len = int(cd.aiotsec_derive_kaiotf_bytes())

    # -- properties -----------------------------------------------------------

    @property
    def backend(self) -> str:
        """Name of the context's backend."""
        with use(self) as ctx:
            return self._lib.cdll.aiotsec_ctx_backend_name(ctx).decode("ascii", "replace")

    @property
    def caps(self) -> Caps:
        """Capabilities of the context's backend."""
        with use(self) as ctx:
            return Caps(int(self._lib.cdll.aiotsec_ctx_caps(ctx)))

    @property
    def profile(self) -> ProfileParams:
        """The context's profile values."""
        with use(self) as ctx:
            raw = _ffi.ProfileParams()
            prof = self._lib.cdll.aiotsec_ctx_profile(ctx)
            self._check(self._lib.cdll.aiotsec_profile_get(prof, ctypes.byref(raw)))
            return ProfileParams._from_c(raw)

    @property
    def res_len(self) -> int:
        """RES_AIOT length of the profile, in octets (aiotsec_derive_res_bytes)."""
        self._check_open()
        return self._res_len

    @property
    def rand_n_len(self) -> int:
        """RAND_AIOT_n length of the profile, in octets (aiotsec_derive_rand_n_bytes)."""
        self._check_open()
        return self._rand_n_len

    @property
    def rand_d_len(self) -> int:
        """RAND_AIOT_d length of the profile, in octets (aiotsec_derive_rand_d_bytes)."""
        self._check_open()
        return self._rand_d_len

    @property
    def kaiotf_len(self) -> int:
        """K_AIOTF length in octets (aiotsec_derive_kaiotf_bytes: 16, TS 29.369 ``Kaiotf``)."""
        return self._kaiotf_len

    def alg_key_len(self, alg_type: AlgType, alg_id: int) -> int:
        """Length of the algorithm key for an identity; 0 for an invalid type or identity."""
        t = as_int(alg_type, "alg_type", -(1 << 31), (1 << 31) - 1)
        a = as_int(alg_id, "alg_id", 0, _U32)
        with use(self) as ctx:
            return int(self._lib.cdll.aiotsec_derive_alg_key_bytes(ctx, t, a))

    def _check(self, rc: int) -> int:
        """lib.check, chaining the exception a Python backend raised in this thread."""
        if rc < 0:
            err = self._lib.error(rc)
            cause = self._bridge.take_error() if self._bridge is not None else None
            if cause is not None:
                raise err from cause
            raise err
        if self._bridge is not None:
            self._bridge.take_error()  # a failure the library recovered from: not ours to raise
        return rc

    @property
    def custom_backend(self) -> Optional[CustomBackend]:
        """The :class:`CustomBackend` of the context, or None for a built-in backend."""
        return self._bridge._impl if self._bridge is not None else None

    def _check_open(self) -> None:
        with use(self):
            pass

    # -- randomness -----------------------------------------------------------

    def random(self, n: int) -> bytes:
        """``n`` octets (1..65536) from the backend's CSPRNG.

        Raises:
            ArgumentError: ``n`` out of range; UnsupportedError: no CSPRNG in the backend.
        """
        n = as_int(n, "n", 0, 1 << 62)
        if n > _RANDOM_SANITY:  # the library's limit is far lower; refuse before allocating
            raise self._lib.error(self._lib.status_code("AIOTSEC_E_BAD_LENGTH"), f"n={n}")
        buf = ctypes.create_string_buffer(max(n, 1))
        with use(self) as ctx:
            self._check(self._lib.cdll.aiotsec_random(ctx, buf, n))
        return take(buf, n)

    def gen_rand_n(self) -> bytes:
        """A fresh RAND_AIOT_n of the profile's length (Nadm_SecRAND_Get)."""
        buf = ctypes.create_string_buffer(self.rand_n_len)
        with use(self) as ctx:
            self._check(self._lib.cdll.aiotsec_gen_rand_n(ctx, buf, len(buf)))
        return take(buf, self._rand_n_len)

    def gen_rand_d(self) -> bytes:
        """A fresh RAND_AIOT_d of the profile's length."""
        buf = ctypes.create_string_buffer(self.rand_d_len)
        with use(self) as ctx:
            self._check(self._lib.cdll.aiotsec_gen_rand_d(ctx, buf, len(buf)))
        return take(buf, self._rand_d_len)

    # -- primitives -----------------------------------------------------------

    def hmac_sha256(self, key: bytes, msg: bytes) -> bytes:
        """HMAC-SHA-256(key, msg) through the context's backend (32 octets)."""
        k = as_bytes(key, "key")
        m = as_bytes(msg, "msg")
        out_len = self._lib.cdll.aiotsec_kdf_out_bytes()  # HMAC and KDF outputs are one size
        buf = ctypes.create_string_buffer(out_len)
        with use(self) as ctx:
            self._check(self._lib.cdll.aiotsec_hmac_sha256(ctx, k, len(k), m, len(m),
                                                               buf, len(buf)))
        return take(buf, out_len)

    def kdf(self, key: bytes, fc: int, *params: bytes, out_len: Optional[int] = None) -> bytes:
        """The TS 33.220 B.2 KDF: HMAC-SHA-256(key, FC || P0 || L0 || ...), last ``out_len`` octets.

        Args:
            key: the key (any length).
            fc: 0x00..0xFE (one octet) or 0xFF00..0xFFFF (0xFF || FC2).
            *params: P0..Pn, each 0..65535 octets (empty is legal).
            out_len: 1..32 least significant octets to keep; None for all 32.

        Raises:
            TypeError: a non-bytes key or parameter, a non-int fc.
            ArgumentError: a bad FC (``AIOTSEC_E_BAD_VALUE``), a parameter over
                65535 octets or a bad ``out_len`` (``AIOTSEC_E_BAD_LENGTH``).
        """
        k = as_bytes(key, "key")
        if isinstance(fc, bool) or not isinstance(fc, int):
            raise TypeError(f"fc must be an int, not {type(fc).__name__}")
        if not 0 <= fc <= 0xFFFF:
            raise self._lib.error(self._lib.status_code("AIOTSEC_E_BAD_VALUE"),
                                  f"fc {fc:#x} does not fit 16 bits")
        ps = [as_bytes(p, f"P{i}") for i, p in enumerate(params)]
        full = self._lib.cdll.aiotsec_kdf_out_bytes()
        n = full if out_len is None else as_int(out_len, "out_len", 0, 1 << 62)
        if n > full:  # never hand C a length larger than the buffer we can size
            raise self._lib.error(self._lib.status_code("AIOTSEC_E_BAD_LENGTH"),
                                  f"out_len={n} is above {full}")
        arr = (_ffi.KdfParam * max(len(ps), 1))()
        for i, p in enumerate(ps):
            arr[i].data = p
            arr[i].len = len(p)
        buf = ctypes.create_string_buffer(max(n, 1))
        with use(self) as ctx:
            self._check(self._lib.cdll.aiotsec_kdf(ctx, k, len(k), fc, arr, len(ps), buf, n))
        return take(buf, n)

    # -- derivations (A.2, A.3, algorithm keys) -------------------------------

    def derive_res(self, k_root: bytes, rand_n: bytes, rand_d: bytes) -> bytes:
        """RES_AIOT = XRES_AIOT (A.2), :attr:`res_len` octets.

        Raises:
            TypeError: an argument is not bytes-like.
            ArgumentError: a bad length (K_AIOT_root not 16/32, RANDs not the profile's lengths).
        """
        k, rn, rd = self._three(k_root, rand_n, rand_d)
        buf = ctypes.create_string_buffer(self.res_len)
        with use(self) as ctx:
            self._check(self._lib.cdll.aiotsec_derive_res(ctx, k, len(k), rn, len(rn), rd,
                                                              len(rd), buf, len(buf)))
        return take(buf, self._res_len)

    def verify_res(self, k_root: bytes, rand_n: bytes, rand_d: bytes, res: bytes) -> None:
        """Checks a received RES_AIOT against XRES_AIOT in constant time.

        Returns None when it matches.

        Raises:
            AuthenticationError: it does not match (``AIOTSEC_E_AUTH_FAILED``).
            ArgumentError: a bad length (including a RES of the wrong length).
        """
        k, rn, rd = self._three(k_root, rand_n, rand_d)
        r = as_bytes(res, "res")
        with use(self) as ctx:
            self._check(self._lib.cdll.aiotsec_verify_res(ctx, k, len(k), rn, len(rn), rd,
                                                              len(rd), r, len(r)))

    def check_res(self, k_root: bytes, rand_n: bytes, rand_d: bytes, res: bytes) -> bool:
        """Like :meth:`verify_res` but returns False instead of raising AuthenticationError."""
        from .errors import AuthenticationError
        try:
            self.verify_res(k_root, rand_n, rand_d, res)
        except AuthenticationError:
            return False
        return True

    def derive_kaiotf(self, k_root: bytes, rand_n: bytes, rand_d: bytes) -> bytes:
        """K_AIOTF (A.3): :attr:`kaiotf_len` (16) octets, the 128 least significant bits of the
        KDF output in profile 0 (the profile's ``kaiotf_offset``)."""
        k, rn, rd = self._three(k_root, rand_n, rand_d)
        buf = ctypes.create_string_buffer(self._kaiotf_len)
        with use(self) as ctx:
            self._check(self._lib.cdll.aiotsec_derive_kaiotf(ctx, k, len(k), rn, len(rn), rd,
                                                                 len(rd), buf, len(buf)))
        return take(buf, self._kaiotf_len)

    def derive_alg_key(self, kaiotf: bytes, alg_type: AlgType, alg_id: int) -> bytes:
        """An algorithm key from K_AIOTF: 16 octets for 128-bit algorithms, 32 for AIA-HS.

        Raises:
            ArgumentError: K_AIOTF not 16 octets, a bad type (``AIOTSEC_E_BAD_VALUE``).
            SecurityError: identity 0 or above 15 (``AIOTSEC_E_UNKNOWN_ALG``).
        """
        kf = as_bytes(kaiotf, "kaiotf")
        t = as_int(alg_type, "alg_type", -(1 << 31), (1 << 31) - 1)
        a = as_int(alg_id, "alg_id", 0, _U32)
        with use(self) as ctx:
            cap = int(self._lib.cdll.aiotsec_derive_alg_key_bytes(ctx, t, a))
            buf = ctypes.create_string_buffer(max(cap, 1))
            written = ctypes.c_size_t(0)
            self._check(self._lib.cdll.aiotsec_derive_alg_key(
                ctx, kf, len(kf), t, a, buf, cap, ctypes.byref(written)))
        return take(buf, written.value)

    def prepare_key(self, k_root: bytes) -> "PreparedKey":
        """A :class:`PreparedKey` for K_AIOT_root (the ADM's fast path)."""
        return PreparedKey(self, k_root)

    def _three(self, k_root: Any, rand_n: Any, rand_d: Any):
        return (as_bytes(k_root, "k_root"), as_bytes(rand_n, "rand_n"),
                as_bytes(rand_d, "rand_d"))

    def __repr__(self) -> str:
        if self.closed:
            return "<aiotsec.Context closed>"
        return f"<aiotsec.Context backend={self.backend!r} profile={self.profile.id}>"


# prepared.h has its own module; imported last, as it builds on Context.
from .prepared import PreparedKey  # noqa: E402  (re-exported: aiotsec.context.PreparedKey)
