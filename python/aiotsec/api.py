"""Top-level functions for the common cases, over a shared default context per backend."""

from __future__ import annotations

import threading
from typing import Dict, Optional, Union

from . import _lib
from .context import AlgType, Context

__all__ = ["default_context", "derive_res", "verify_res", "derive_kaiotf", "derive_alg_key",
           "kdf", "hmac_sha256", "random_bytes", "gen_rand_n", "gen_rand_d"]

BackendArg = Union[str, Context, None]

_lock = threading.Lock()
_contexts: Dict[Optional[str], Context] = {}


def default_context(backend: BackendArg = None) -> Context:
    """The shared profile-0 context of a backend (made on first use, kept for the process).

    Args:
        backend: a backend name, None for the default backend, or a :class:`Context`
            (returned as is, for a custom profile).
    """
    if isinstance(backend, Context):
        return backend
    if backend is not None and not isinstance(backend, str):
        raise TypeError("backend must be a str, a Context or None")
    lib = _lib.get()
    ctx = _contexts.get(backend)
    if ctx is not None and not ctx.closed and ctx._lib is lib:
        return ctx
    with _lock:
        ctx = _contexts.get(backend)
        # (re)made when missing, closed by someone, or from a library replaced by load()
        if ctx is None or ctx.closed or ctx._lib is not lib:
            ctx = Context(backend)
            _contexts[backend] = ctx
        return ctx


def derive_res(k_root: bytes, rand_n: bytes, rand_d: bytes, *, backend: BackendArg = None) -> bytes:
    """RES_AIOT = XRES_AIOT (A.2) in profile 0 (or the profile of ``backend`` if a Context).

    Raises:
        TypeError: an argument is not bytes-like. ArgumentError: a bad length.
    """
    return default_context(backend).derive_res(k_root, rand_n, rand_d)


def verify_res(k_root: bytes, rand_n: bytes, rand_d: bytes, res: bytes, *,
               backend: BackendArg = None) -> None:
    """Checks RES_AIOT in constant time.

    Raises:
        AuthenticationError: RES_AIOT does not match. ArgumentError: a bad length.
    """
    default_context(backend).verify_res(k_root, rand_n, rand_d, res)


def derive_kaiotf(k_root: bytes, rand_n: bytes, rand_d: bytes, *,
                  backend: BackendArg = None) -> bytes:
    """K_AIOTF (A.3), 16 octets (the 128 least significant bits of the KDF in profile 0)."""
    return default_context(backend).derive_kaiotf(k_root, rand_n, rand_d)


def derive_alg_key(kaiotf: bytes, alg_type: AlgType, alg_id: int, *,
                   backend: BackendArg = None) -> bytes:
    """An algorithm key from K_AIOTF (16 octets, or 32 for AIA-HS)."""
    return default_context(backend).derive_alg_key(kaiotf, alg_type, alg_id)


def kdf(key: bytes, fc: int, *params: bytes, out_len: Optional[int] = None,
        backend: BackendArg = None) -> bytes:
    """The TS 33.220 B.2 KDF: ``kdf(key, 0x20, p0, p1)`` -> 32 octets (see :meth:`Context.kdf`)."""
    return default_context(backend).kdf(key, fc, *params, out_len=out_len)


def hmac_sha256(key: bytes, msg: bytes, *, backend: BackendArg = None) -> bytes:
    """HMAC-SHA-256 through a backend."""
    return default_context(backend).hmac_sha256(key, msg)


def random_bytes(n: int, *, backend: BackendArg = None) -> bytes:
    """``n`` octets from a backend's CSPRNG."""
    return default_context(backend).random(n)


def gen_rand_n(*, backend: BackendArg = None) -> bytes:
    """A fresh RAND_AIOT_n (profile 0 length unless ``backend`` is a Context)."""
    return default_context(backend).gen_rand_n()


def gen_rand_d(*, backend: BackendArg = None) -> bytes:
    """A fresh RAND_AIOT_d."""
    return default_context(backend).gen_rand_d()
