"""The ADM role (adm.h): the four Nadm_Sec operations of TS 29.369 v19.2.0 over a key store.

    with aiotsec.Adm(ctx, store) as adm:
        rand_n = adm.get_rand()
        sets = adm.get_authentication(rand_n, [rand_d1, rand_d2], filter=group)
        for s in sets:                   # one CandidateSet per RAND_AIOT_d, in order
            for c in s.candidates:       # one per device the filter matches
                c.xres, c.perm_id
        k_aiotf = adm.get_session_key(perm_id, rand_n, rand_d1)
        for r in adm.get_authentication_named([(perm_id, rand_n, rand_d1), ...]):
            r.ok, r.status, r.xres       # one NamedAuthResult per named device, in order

getAuthentication derives |candidates| x |randDlist| XRES_AIOT values; a request
over the ADM's ``max_derivations`` raises :class:`~aiotsec.TooManyDerivationsError`
(an SBI 413) before anything is derived, a filter that matches nobody raises
ProcedureError ``AIOTSEC_E_NO_CANDIDATE`` (an SBI 404).
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import threading
from typing import Any, List, Optional, Sequence

from . import _ffi, _lib
from ._bytes import as_bytes, as_int, take
from ._handle import Handle, out_ptr, use
from .batch import BatchPool
from .context import Context
from .errors import AiotsecError
from .filter import optional_filter
from .keystore import MemStore
from .nadm import AdmOp, AdmRequest, AuthAnswer, CandidateSet, TidInfo, _auth_request

__all__ = ["Adm", "NamedAuthResult"]

# Scratch answers are made this large at first and grown to the ADM's limit only when a
# request needs it: the limit may be 2^24 entries, far more memory than most requests use.
_SCRATCH_FIRST = 65536


@dataclasses.dataclass(frozen=True)
class NamedAuthResult:
    """The outcome of one item of :meth:`Adm.get_authentication_named`.

    Attributes:
        perm_id: the item's Permanent Identifier.
        status: 0, or the item's negative ``aiotsec_status`` (e.g. ``AIOTSEC_E_UNKNOWN_DEVICE``,
            ``AIOTSEC_E_BAD_LENGTH``).
        xres: its XRES_AIOT (secret, not in ``repr``), or None when the item failed.
    """

    perm_id: bytes
    status: int
    xres: Optional[bytes] = dataclasses.field(default=None, repr=False)
    _lib: Any = dataclasses.field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        """True when the item succeeded (``status`` is 0)."""
        return self.status == 0

    @property
    def status_name(self) -> str:
        """Symbolic name of ``status``, e.g. ``"AIOTSEC_E_UNKNOWN_DEVICE"``."""
        return (self._lib or _lib.get()).status_name(self.status)

    def error(self) -> Optional[AiotsecError]:
        """The exception object (not raised) of a failed item; None when it succeeded."""
        if self.status == 0:
            return None
        return (self._lib or _lib.get()).error(self.status, f"perm_id {self.perm_id.hex()}")

    def raise_for_status(self) -> bytes:
        """Raises the item's exception when it failed; returns its XRES_AIOT otherwise."""
        exc = self.error()
        if exc is not None:
            raise exc
        assert self.xres is not None
        return self.xres


def _named_items(items: Sequence[Any]) -> List[tuple]:
    """``items`` as (perm_id, rand_n, rand_d) bytes triples (TypeError before any C call)."""
    if isinstance(items, (bytes, bytearray, memoryview, str)):
        raise TypeError("items must be a sequence of (perm_id, rand_n, rand_d) tuples")
    out = []
    for i, it in enumerate(items):
        if not isinstance(it, (tuple, list)) or len(it) != 3:
            raise TypeError(f"item {i} must be a (perm_id, rand_n, rand_d) tuple, "
                            f"not {type(it).__name__}")
        out.append((as_bytes(it[0], f"item {i} perm_id"), as_bytes(it[1], f"item {i} rand_n"),
                    as_bytes(it[2], f"item {i} rand_d")))
    return out


class Adm(Handle):
    """An ADM (``aiotsec_adm``) over a :class:`~aiotsec.MemStore`.

    Immutable and thread-safe: share it between threads (each call uses a scratch
    answer of its own thread). Keeps its context, store and pool alive while open.

    Args:
        ctx: the context.
        store: the key store.
        max_derivations: limit of |candidates| x |randDlist| in one getAuthentication
            (1..2^24); None for the profile's default (65,536).
        pool: a :class:`~aiotsec.BatchPool` for the derivations; None for the calling thread.
    Raises:
        TypeError: wrong types. ArgumentError: ``AIOTSEC_E_BAD_VALUE`` (a limit out of range).
    """

    _kind = "ADM"

    def __init__(self, ctx: Context, store: MemStore, *, max_derivations: Optional[int] = None,
                 pool: Optional[BatchPool] = None):
        lib = _lib.require("adm")
        if not isinstance(ctx, Context):
            raise TypeError("ctx must be a Context")
        if not isinstance(store, MemStore):
            raise TypeError("store must be a MemStore")
        if pool is not None and not isinstance(pool, BatchPool):
            raise TypeError("pool must be a BatchPool or None")
        cfg = _ffi.AdmConfig()
        out = out_ptr()
        with contextlib.ExitStack() as stack:
            c = stack.enter_context(use(ctx))
            s = stack.enter_context(use(store))
            lib.check(lib.cdll.aiotsec_adm_config_init(ctypes.byref(cfg), c))
            if max_derivations is not None:
                # The C field is 32 bits: anything wider is refused, never truncated.
                cfg.max_derivations = as_int(max_derivations, "max_derivations", 0, 0xFFFFFFFF)
            if pool is not None:
                cfg.pool = stack.enter_context(use(pool))
            table = store._table(s)
            lib.check(lib.cdll.aiotsec_adm_new(ctypes.byref(out), c, ctypes.byref(table),
                                               ctypes.byref(cfg)))
        parents = (ctx, store) if pool is None else (ctx, store, pool)
        super().__init__(lib, out.value, "aiotsec_adm_free", parent=parents)
        self._ctx = ctx
        self._store = store
        self._pool = pool
        self._limit = int(lib.cdll.aiotsec_adm_max_derivations(out.value))
        self._local = threading.local()

    @property
    def context(self) -> Context:
        """The ADM's context."""
        return self._ctx

    @property
    def store(self) -> MemStore:
        """The ADM's key store."""
        return self._store

    @property
    def max_derivations(self) -> int:
        """The limit of |candidates| x |randDlist| of one getAuthentication."""
        with use(self) as a:
            return int(self._lib.cdll.aiotsec_adm_max_derivations(a))

    # -- getRand -------------------------------------------------------------------

    def get_rand(self) -> bytes:
        """Nadm_SecRAND_Get: a fresh RAND_AIOT_n (16 octets) from the backend's CSPRNG."""
        n = self._ctx.rand_n_len
        buf = ctypes.create_string_buffer(n)
        with use(self) as a:
            self._lib.check(self._lib.cdll.aiotsec_adm_get_rand(a, buf, n))
        return ctypes.string_at(buf, n)

    # -- getAuthentication ------------------------------------------------------------

    def fill_authentication(self, answer: AuthAnswer, rand_n: bytes, rand_d_list: Sequence[bytes],
                            *, perm_id: Optional[bytes] = None, filter: Any = None) -> AuthAnswer:
        """Nadm_SecAuthentication_Get into ``answer`` (reset first; left empty on error).

        Exactly one of ``perm_id`` and ``filter`` (a :class:`~aiotsec.Filter` or its octets).

        Returns:
            ``answer``, with one set per RAND_AIOT_d in order, each with one entry per
            candidate: for a filter every matching device in Permanent Identifier order,
            with its identifier; for a named device that device alone, without it.
        Raises:
            TypeError: wrong types (before any C call).
            ArgumentError: ``AIOTSEC_E_BAD_VALUE`` (both or neither target, an empty list),
                ``AIOTSEC_E_BAD_LENGTH``, ``AIOTSEC_E_BUFFER_TOO_SMALL`` (``answer`` too small),
                UnsupportedError.
            BadFilterError, TooManyDerivationsError (413), ProcedureError
                ``AIOTSEC_E_NO_CANDIDATE`` (404) or ``AIOTSEC_E_UNKNOWN_DEVICE``.
        """
        if not isinstance(answer, AuthAnswer):
            raise TypeError("answer must be an AuthAnswer")
        raw, keep = _auth_request(rand_n, rand_d_list, perm_id, optional_filter(filter))
        self._run_auth(raw, answer)
        del keep
        return answer

    def get_authentication(self, rand_n: bytes, rand_d_list: Sequence[bytes], *,
                           perm_id: Optional[bytes] = None, filter: Any = None) -> List[CandidateSet]:
        """Nadm_SecAuthentication_Get as plain data: a list of :class:`~aiotsec.CandidateSet`
        (arguments and errors as :meth:`fill_authentication`)."""
        raw, keep = _auth_request(rand_n, rand_d_list, perm_id, optional_filter(filter))
        answer = self._scratch(int(raw.rand_d_count) if raw.perm_id else 0)
        try:
            answer = self._run_auth(raw, answer, grow=True)
            return answer.sets()
        finally:
            answer.reset()  # wipe the XRES values it held
            del keep

    def get_authentication_named(self, items: Sequence[Any]) -> List[NamedAuthResult]:
        """getAuthentication for many named devices at once, one RAND_AIOT_d each
        (``aiotsec_adm_get_authentication_named``: e.g. every request an SBI server has
        queued; with the ADM's pool, large batches are shared with it).

        Args:
            items: ``(perm_id, rand_n, rand_d)`` tuples of bytes.
        Returns:
            One :class:`NamedAuthResult` per item, in order. Per-item failures are not
            raised: an unknown device has ``status`` ``AIOTSEC_E_UNKNOWN_DEVICE``, a
            Permanent Identifier outside 1..64 octets or a RAND of the wrong length
            ``AIOTSEC_E_BAD_LENGTH``, and ``xres`` None.
        Raises:
            TypeError: a malformed item (before any C call). ClosedError: the ADM is closed.
        """
        its = _named_items(items)
        n = len(its)
        arr = (_ffi.AdmNamed * max(n, 1))()
        results = (ctypes.c_int * max(n, 1))()
        n_ok = ctypes.c_size_t(0)
        rl = self._ctx.res_len
        cap = max(n * rl, 1)
        xres = ctypes.create_string_buffer(cap)
        keep = []  # the octets the C items point to, alive for the call
        for i, (p, rn, rd) in enumerate(its):
            keep.append((p, rn, rd))
            arr[i].perm_id, arr[i].perm_id_len = p, len(p)
            arr[i].rand_n, arr[i].rand_n_len = rn, len(rn)
            arr[i].rand_d, arr[i].rand_d_len = rd, len(rd)
        try:
            with use(self) as a:
                self._lib.check(self._lib.cdll.aiotsec_adm_get_authentication_named(
                    a, arr, n, xres, cap, results, ctypes.byref(n_ok)))
            raw = ctypes.string_at(xres, n * rl)
        finally:
            ctypes.memset(xres, 0, cap)  # wipe the XRES values
            del keep
        out = []
        for i, (p, _, _) in enumerate(its):
            st = int(results[i])
            out.append(NamedAuthResult(p, st, raw[i * rl:(i + 1) * rl] if st == 0 else None,
                                       self._lib))
        return out

    def answer_request(self, request: AdmRequest, answer: AuthAnswer) -> AuthAnswer:
        """Answers a getAuthentication :class:`~aiotsec.AdmRequest` of an AIOTF into ``answer``
        (for transports written in Python; :meth:`aiotsec.Aiotf.pump_local` does it in C)."""
        if not isinstance(request, AdmRequest):
            raise TypeError("request must be an AdmRequest")
        if request.op != AdmOp.GET_AUTHENTICATION:
            raise ValueError(f"request is {request.op_name}, not getAuthentication")
        return self.fill_authentication(answer, request.rand_n, request.rand_d_list,
                                        perm_id=request.perm_id, filter=request.filter)

    def _scratch(self, needed: int) -> AuthAnswer:
        """This thread's scratch answer, at least ``needed`` entries (and up to 65,536)."""
        ans = getattr(self._local, "answer", None)
        want = min(max(needed, 1, min(self._limit, _SCRATCH_FIRST)), 1 << 24)
        if ans is None or ans.closed or ans.capacity < want:
            ans = AuthAnswer(want)
            self._local.answer = ans
        return ans

    def _run_auth(self, raw: "_ffi.AdmRequest", answer: AuthAnswer,
                  grow: bool = False) -> AuthAnswer:
        """Runs getAuthentication into ``answer`` (a larger scratch one when ``grow`` and
        needed) and returns the answer that holds the result."""
        with use(self) as a, use(answer) as ans:
            rc = self._lib.cdll.aiotsec_adm_get_authentication(a, ctypes.byref(raw), ans)
        if (grow and rc < 0 and self._lib.status_name(rc) == "AIOTSEC_E_BUFFER_TOO_SMALL"
                and answer.capacity < self._limit):
            # More candidates than the first scratch holds, but within the ADM's limit
            # (over it the ADM says TOO_MANY_DERIVATIONS first): grow once to the limit.
            answer = self._scratch(self._limit)
            with use(self) as a, use(answer) as ans:
                rc = self._lib.cdll.aiotsec_adm_get_authentication(a, ctypes.byref(raw), ans)
        self._lib.check(rc)
        return answer

    # -- getSessionKey, getTid -----------------------------------------------------------

    def get_session_key(self, perm_id: bytes, rand_n: bytes, rand_d: bytes) -> bytes:
        """Nadm_SecSessionKey_Get: K_AIOTF (16 octets) of a device.

        Raises:
            ProcedureError ``AIOTSEC_E_UNKNOWN_DEVICE``; ArgumentError ``AIOTSEC_E_BAD_LENGTH``.
        """
        p = as_bytes(perm_id, "perm_id")
        rn, rd = as_bytes(rand_n, "rand_n"), as_bytes(rand_d, "rand_d")
        n = self._ctx.kaiotf_len
        buf = ctypes.create_string_buffer(n)
        with use(self) as a:
            self._lib.check(self._lib.cdll.aiotsec_adm_get_session_key(
                a, p, len(p), rn, len(rn), rd, len(rd), buf, n))
        return take(buf, n)

    def get_tid(self, perm_id: bytes, *, resync: bool = False) -> TidInfo:
        """T-ID retrieval (getTid), profile 0: a new 16-octet STORED T-ID (the current one
        becomes ``tid_previous``), or with ``resync`` the current one again.

        Raises:
            ProcedureError ``AIOTSEC_E_UNKNOWN_DEVICE``; ArgumentError ``AIOTSEC_E_BAD_LENGTH``.
        """
        p = as_bytes(perm_id, "perm_id")
        if not isinstance(resync, bool):
            raise TypeError("resync must be a bool")
        raw = _ffi.TidInfo()
        with use(self) as a:
            self._lib.check(self._lib.cdll.aiotsec_adm_get_tid(a, p, len(p), int(resync),
                                                               ctypes.byref(raw)))
        return TidInfo._from_c(raw)

    def __repr__(self) -> str:
        if self.closed:
            return "<aiotsec.Adm closed>"
        return f"<aiotsec.Adm max_derivations={self._limit}>"
