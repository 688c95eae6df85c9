"""aiotsec: Python bindings (ctypes) for libaiotsec, the 3GPP Ambient IoT security core.

Quick start::

    import aiotsec
    res = aiotsec.derive_res(k_root, rand_n, rand_d)          # RES_AIOT, profile 0
    aiotsec.verify_res(k_root, rand_n, rand_d, res)           # AuthenticationError if not
    k_aiotf = aiotsec.derive_kaiotf(k_root, rand_n, rand_d)
    out = aiotsec.kdf(key, 0x20, b"WLAN", sqn_xor_ak)         # TS 33.220 B.2 KDF

    with aiotsec.Context("openssl") as ctx:                   # explicit backend/profile
        with ctx.prepare_key(k_root) as key:                  # ADM fast path
            xres = key.derive_res(rand_n, rand_d)

Group inventory (spec 6.2/6.3): a :class:`Filter` names the group, :class:`MemStore`
holds the keys (``PERM_ID_HEX K_ROOT_HEX`` key files), :class:`Adm` answers the four
Nadm_Sec operations (``get_authentication`` returns :class:`CandidateSet` lists),
:class:`Aiotf` runs procedures over an asynchronous ADM (``next_requests`` /
``on_*``, or ``pump_local`` with an in-process one) and reports per device
(:class:`DeviceReport`) and per procedure (:class:`ProcedureSummary`);
:class:`Device` simulates a tag.

AIOT NAS: :mod:`aiotsec.nas` (dataclasses, encode/decode), :class:`SecurityContext`
(protect/unprotect), :mod:`aiotsec.nas_algs` (CMAC, NIA2, NEA2, AIA-HS).
Batches: :func:`batch_derive_res`, :func:`batch_verify_res`, :class:`BatchPool`.
Key files: :func:`read_keyfile`.

The library is found by :func:`load` (explicit path, ``AIOTSEC_LIBRARY``,
the build tree, then the system path) on first use. Every C failure raises an
:class:`AiotsecError` subclass carrying ``.status`` and ``.name``.
"""

from __future__ import annotations

from typing import Dict

from . import _lib
from ._lib import EXPECTED_MAJOR, EXPECTED_MINOR, Library, load
from .api import (default_context, derive_alg_key, derive_kaiotf, derive_res, gen_rand_d,
                  gen_rand_n, hmac_sha256, kdf, random_bytes, verify_res)
from .backend import Caps, backend_caps, backends
from .context import AlgType, Context, PreparedKey
from .custom_backend import CustomBackend
from .errors import (AiotsecError, ArgumentError, AuthenticationError, BadFilterError, ClosedError,
                     DecodeError, LibraryError, MacMismatchError, ProcedureError, ReplayError,
                     SecurityError, TooManyDerivationsError, TransportError, UnknownBackendError,
                     UnsupportedError)
from .profile import Profile, ProfileParams
from . import nas, nas_algs
from .nas import (AuthResponse, CmdStatus, Command, CommandRequest, CommandResponse, NasType,
                  ProtectedHeader, Sht)
from .nas_security import NasRole, SecurityContext
from .batch import BatchItem, BatchPool, BatchResult, batch_derive_res, batch_verify_res
from .filter import (Filter, check_filter, filter_bits, filter_compare, filter_matches,
                     filter_max_len, make_filter)
from .keystore import MemStore
from .nadm import (AdmOp, AdmRequest, AuthAnswer, Candidate, CandidateSet, TidInfo, TidType,
                   op_name)
from .adm import Adm, NamedAuthResult
from .aiotf import (Aiotf, AiotfStats, DeviceReport, FailureCause, ProcType, ProcedureSummary,
                    Report, ReportVerdict, failure_cause_name)
from .device import Device, DeviceState, DeviceStats
from .keyfile import KeyRecord, read_keyfile, read_keyfile_file, read_keyfile_text

__version__ = "0.4.1"


def library() -> Library:
    """The loaded :class:`Library` (loading it if needed)."""
    return _lib.get()


def library_version() -> str:
    """Version string of the loaded libaiotsec, e.g. ``"0.4.0"``."""
    return _lib.get().version


def status_name(status: int) -> str:
    """Symbolic name of a status code, e.g. ``"AIOTSEC_E_REPLAY"`` (from the library)."""
    return _lib.get().status_name(status)


def strerror(status: int) -> str:
    """One-line description of a status code (from the library)."""
    return _lib.get().strerror(status)


def status_code(name: str) -> int:
    """Numeric value of a status name, e.g. ``status_code("AIOTSEC_E_AUTH_FAILED")``."""
    return _lib.get().status_code(name)


def has(area: str) -> bool:
    """True when the loaded library provides an optional area: ``"nas"``, ``"nas_security"``,
    ``"nas_algs"``, ``"batch"``, ``"batch_pool"``, ``"filter"``, ``"keystore"``, ``"nadm"``,
    ``"adm"``, ``"aiotf"``, ``"device"``."""
    return _lib.get().has(area)


def status_codes() -> Dict[str, int]:
    """Every status code of the loaded library, by name."""
    return _lib.get().status_codes()


__all__ = [
    "EXPECTED_MAJOR", "EXPECTED_MINOR", "Library", "load", "library", "library_version",
    "status_name", "strerror", "status_code", "status_codes",
    "default_context", "derive_res", "verify_res", "derive_kaiotf", "derive_alg_key", "kdf",
    "hmac_sha256", "random_bytes", "gen_rand_n", "gen_rand_d",
    "Caps", "backends", "backend_caps",
    "AlgType", "Context", "PreparedKey", "CustomBackend", "Profile", "ProfileParams",
    "AiotsecError", "ArgumentError", "UnsupportedError", "UnknownBackendError",
    "AuthenticationError", "DecodeError", "SecurityError", "MacMismatchError", "ReplayError",
    "ProcedureError", "BadFilterError", "TooManyDerivationsError", "TransportError",
    "ClosedError", "LibraryError",
    "nas", "nas_algs", "AuthResponse", "CmdStatus", "Command", "CommandRequest",
    "CommandResponse", "NasType", "ProtectedHeader", "Sht", "NasRole", "SecurityContext",
    "BatchItem", "BatchPool", "BatchResult", "batch_derive_res", "batch_verify_res",
    "Filter", "make_filter", "check_filter", "filter_matches", "filter_compare", "filter_bits",
    "filter_max_len", "MemStore",
    "AdmOp", "op_name", "AdmRequest", "AuthAnswer", "Candidate", "CandidateSet", "TidInfo",
    "TidType", "Adm", "NamedAuthResult",
    "Aiotf", "AiotfStats", "ProcType", "FailureCause", "failure_cause_name", "ProcedureSummary",
    "DeviceReport", "Report", "ReportVerdict",
    "Device", "DeviceState", "DeviceStats", "has",
    "KeyRecord", "read_keyfile", "read_keyfile_text", "read_keyfile_file",
]
