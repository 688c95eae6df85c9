"""The Nadm_Sec service operations as data (nadm.h, TS 29.369 v19.2.0).

- :class:`AdmRequest`: one request an :class:`~aiotsec.Aiotf` hands out for the ADM
  (getRand, getAuthentication, getSessionKey, getTid), copied into Python bytes.
- :class:`AuthAnswer`: the library's reusable getAuthentication answer
  (``aiotsec_auth_answer``): what :meth:`aiotsec.Aiotf.on_authentication` takes.
  A transport that reads the answer off the wire fills one with :meth:`AuthAnswer.add_set`
  and :meth:`AuthAnswer.add_entry`, or :meth:`AuthAnswer.from_sets`.
- :class:`CandidateSet` / :class:`Candidate`: the same answer as plain Python data
  (one set per RAND_AIOT_d, in request order; one candidate per device).

XRES_AIOT values are secret: they are left out of every ``repr``.
"""

from __future__ import annotations

import ctypes
import dataclasses
import enum
import threading
from typing import Any, List, Optional, Sequence, Tuple

from . import _ffi, _lib
from ._bytes import as_bytes, as_int
from ._handle import Handle, out_ptr, use

__all__ = ["AdmOp", "op_name", "TidType", "AdmRequest", "Candidate", "CandidateSet",
           "AuthAnswer", "TidInfo"]


class AdmOp(enum.IntEnum):
    """The Nadm_Sec operations (``aiotsec_adm_op``); :func:`op_name` gives the operationId."""

    GET_RAND = 1            #: Nadm_SecRAND_Get (getRand)
    GET_AUTHENTICATION = 2  #: Nadm_SecAuthentication_Get (getAuthentication)
    GET_SESSION_KEY = 3     #: Nadm_SecSessionKey_Get (getSessionKey)
    GET_TID = 4             #: T-ID retrieval (getTid)


class TidType(enum.IntEnum):
    """TS 29.369 ``TidType`` (``AIOTSEC_TID_*`` of profile.h)."""

    STORED = 1
    CONCEALED = 2


def op_name(op: int) -> Optional[str]:
    """The TS 29.369 operationId of an operation, e.g. ``"getAuthentication"``; None if unknown."""
    lib = _lib.require("nadm")
    name = lib.cdll.aiotsec_adm_op_name(as_int(op, "op", -(1 << 31), (1 << 31) - 1))
    return None if name is None else name.decode("ascii")


def _view(ptr: Optional[int], n: int) -> Optional[bytes]:
    return None if not ptr else ctypes.string_at(ptr, n)


def _enum(cls: Any, value: int) -> Any:
    try:
        return cls(value)
    except ValueError:
        return int(value)


@dataclasses.dataclass(frozen=True)
class AdmRequest:
    """One request for the ADM (``aiotsec_adm_request``), copied out of the AIOTF.

    Give it back, with the ADM's answer, to the :class:`~aiotsec.Aiotf` method of its
    operation (:meth:`~aiotsec.Aiotf.on_rand`, :meth:`~aiotsec.Aiotf.on_authentication`,
    :meth:`~aiotsec.Aiotf.on_session_key`).

    Attributes:
        id: the request's identifier (the AIOTF's handle for the answer).
        proc_id: the procedure it serves.
        op: an :class:`AdmOp`.
        attempt: 0 for the first sending, then 1, 2... for retries.
        deadline_ms: retries make sense until then.
        perm_id: ``aiotDevPermId``, or None.
        filter: ``filteringInfo`` (encoded AiotFilteringInformation), or None.
        rand_n: RAND_AIOT_n (getAuthentication, getSessionKey), or None.
        rand_d_list: the RAND_AIOT_d values (``randDlist``; one for getSessionKey).
        resync: getTid's ``resyncInd``.
    """

    id: int
    proc_id: int
    op: AdmOp
    attempt: int
    deadline_ms: int
    perm_id: Optional[bytes]
    filter: Optional[bytes]
    rand_n: Optional[bytes]
    rand_d_list: Tuple[bytes, ...]
    resync: bool

    @classmethod
    def _from_c(cls, raw: "_ffi.AdmRequest") -> "AdmRequest":
        n = int(raw.rand_d_count)
        blob = _view(raw.rand_d, 16 * n) or b""
        return cls(int(raw.id), int(raw.proc_id), _enum(AdmOp, raw.op), int(raw.attempt),
                   int(raw.deadline_ms), _view(raw.perm_id, raw.perm_id_len),
                   _view(raw.filter, raw.filter_len), _view(raw.rand_n, raw.rand_n_len),
                   tuple(blob[16 * i:16 * i + 16] for i in range(n)), bool(raw.resync))

    @property
    def rand_d(self) -> Optional[bytes]:
        """The single RAND_AIOT_d of a getSessionKey request (the first of the list otherwise)."""
        return self.rand_d_list[0] if self.rand_d_list else None

    @property
    def op_name(self) -> Optional[str]:
        """The TS 29.369 operationId of :attr:`op`."""
        return op_name(self.op)


def _auth_request(rand_n: Any, rand_d_list: Any, perm_id: Any, filter_: Optional[bytes]):
    """A C getAuthentication request and the bytes it points into (keep them alive)."""
    rn = as_bytes(rand_n, "rand_n")
    if isinstance(rand_d_list, (bytes, bytearray, memoryview, str)) or rand_d_list is None:
        raise TypeError("rand_d_list must be a sequence of bytes (one RAND_AIOT_d each)")
    rds = [as_bytes(rd, f"rand_d_list[{i}]") for i, rd in enumerate(rand_d_list)]
    for i, rd in enumerate(rds):
        # The C request carries the values back to back, 16 octets each (TS 29.503 Rand):
        # a value of another length cannot be laid out, so it is refused here.
        if len(rd) != 16:
            lib = _lib.get()
            raise lib.error(lib.status_code("AIOTSEC_E_BAD_LENGTH"),
                            f"rand_d_list[{i}] is {len(rd)} octets, not 16")
    pid = as_bytes(perm_id, "perm_id", optional=True)
    blob = b"".join(rds)
    raw = _ffi.AdmRequest()
    raw.op = AdmOp.GET_AUTHENTICATION
    keep = [rn, blob, pid, filter_]
    # Never NULL, even when empty: the library then reports the length itself.
    raw.rand_n = ctypes.cast(ctypes.c_char_p(rn), ctypes.c_void_p).value
    raw.rand_n_len = len(rn)
    # A non-NULL pointer even for an empty list: the library then answers BAD_VALUE itself.
    raw.rand_d = ctypes.cast(ctypes.c_char_p(blob), ctypes.c_void_p).value
    raw.rand_d_count = len(rds)
    if pid is not None:
        raw.perm_id = ctypes.cast(ctypes.c_char_p(pid), ctypes.c_void_p).value
        raw.perm_id_len = len(pid)
    if filter_ is not None:
        raw.filter = ctypes.cast(ctypes.c_char_p(filter_), ctypes.c_void_p).value
        raw.filter_len = len(filter_)
    return raw, keep


@dataclasses.dataclass(frozen=True)
class Candidate:
    """One candidate device of a set: its XRES_AIOT (secret, not in ``repr``) and its
    Permanent Identifier (None when the request named the device)."""

    xres: bytes = dataclasses.field(repr=False)
    perm_id: Optional[bytes] = None


@dataclasses.dataclass(frozen=True)
class CandidateSet:
    """The candidates for one RAND_AIOT_d (TS 29.369 ``AuthDataSets`` entry)."""

    rand_d: bytes
    candidates: Tuple[Candidate, ...]


class AuthAnswer(Handle):
    """A getAuthentication answer (``aiotsec_auth_answer``): candidate sets, allocated once
    with a capacity in entries over all sets and reused. Wiped when reset or closed.

    Not thread-safe in C; this wrapper serialises its calls, but use one per thread.

    Args:
        capacity: 1..2^24 entries (an ADM's default limit is 65,536 derivations).
    Raises:
        ArgumentError: ``AIOTSEC_E_BAD_VALUE`` for a capacity out of range.
    """

    _kind = "auth answer"

    def __init__(self, capacity: int = 65536):
        lib = _lib.require("nadm")
        cap = as_int(capacity, "capacity", 0, (1 << 64) - 1)
        out = out_ptr()
        lib.check(lib.cdll.aiotsec_auth_answer_new(ctypes.byref(out), cap))
        super().__init__(lib, out.value, "aiotsec_auth_answer_free")
        self._call_lock = threading.Lock()

    @classmethod
    def from_sets(cls, sets: Sequence[CandidateSet], capacity: Optional[int] = None) -> "AuthAnswer":
        """An answer holding ``sets`` (e.g. read from a TS 29.369 JSON body).

        ``capacity`` defaults to the number of entries (at least 1).
        """
        total = 0
        for s in sets:
            if not isinstance(s, CandidateSet):
                raise TypeError(f"sets must hold CandidateSet values, not {type(s).__name__}")
            total += len(s.candidates)
        ans = cls(max(total, 1) if capacity is None else capacity)
        try:
            for s in sets:
                ans.add_set(s.rand_d)
                for c in s.candidates:
                    if not isinstance(c, Candidate):
                        raise TypeError(f"candidates must be Candidate values, not {type(c).__name__}")
                    ans.add_entry(c.xres, c.perm_id)
        except BaseException:
            ans.close()
            raise
        return ans

    @property
    def capacity(self) -> int:
        """Entries the answer can hold over all its sets."""
        with use(self) as a:
            return int(self._lib.cdll.aiotsec_auth_answer_capacity(a))

    @property
    def entry_count(self) -> int:
        """Entries over all sets."""
        with use(self) as a:
            return int(self._lib.cdll.aiotsec_auth_answer_entry_count(a))

    def __len__(self) -> int:
        """Number of sets (one per RAND_AIOT_d)."""
        with use(self) as a:
            return int(self._lib.cdll.aiotsec_auth_answer_set_count(a))

    def reset(self) -> None:
        """Empties the answer and wipes what it held."""
        with self._call_lock, use(self) as a:
            self._lib.cdll.aiotsec_auth_answer_reset(a)

    def add_set(self, rand_d: bytes) -> None:
        """Appends a set for ``rand_d`` (16 octets).

        Raises:
            ArgumentError: ``AIOTSEC_E_BAD_LENGTH``, ``AIOTSEC_E_LIMIT`` (capacity).
        """
        rd = as_bytes(rand_d, "rand_d")
        with self._call_lock, use(self) as a:
            self._lib.check(self._lib.cdll.aiotsec_auth_answer_add_set(a, rd, len(rd)))

    def add_entry(self, xres: bytes, perm_id: Optional[bytes] = None) -> None:
        """Appends a candidate to the last set: XRES_AIOT (4..16 octets) and the Permanent
        Identifier (None when the request named the device).

        Raises:
            ArgumentError: ``AIOTSEC_E_BAD_LENGTH``, ``AIOTSEC_E_BAD_STATE`` (no set yet),
            ``AIOTSEC_E_LIMIT`` (capacity).
        """
        x = as_bytes(xres, "xres")
        p = as_bytes(perm_id, "perm_id", optional=True)
        with self._call_lock, use(self) as a:
            self._lib.check(self._lib.cdll.aiotsec_auth_answer_add_entry(
                a, x, len(x), p, 0 if p is None else len(p)))

    def sets(self) -> List[CandidateSet]:
        """The answer as plain data: one :class:`CandidateSet` per RAND_AIOT_d, in order."""
        cd = self._lib.cdll
        out = []
        rd, cnt = ctypes.c_void_p(), ctypes.c_size_t(0)
        x, xl, p, pl = ctypes.c_void_p(), ctypes.c_size_t(0), ctypes.c_void_p(), ctypes.c_size_t(0)
        with self._call_lock, use(self) as a:
            for s in range(int(cd.aiotsec_auth_answer_set_count(a))):
                self._lib.check(cd.aiotsec_auth_answer_set(a, s, ctypes.byref(rd), ctypes.byref(cnt)))
                rand_d = ctypes.string_at(rd.value, 16)
                cands = []
                for e in range(int(cnt.value)):
                    self._lib.check(cd.aiotsec_auth_answer_entry(
                        a, s, e, ctypes.byref(x), ctypes.byref(xl), ctypes.byref(p), ctypes.byref(pl)))
                    cands.append(Candidate(ctypes.string_at(x.value, xl.value),
                                           _view(p.value, pl.value)))
                out.append(CandidateSet(rand_d, tuple(cands)))
        return out

    def __repr__(self) -> str:
        if self.closed:
            return "<aiotsec.AuthAnswer closed>"
        return f"<aiotsec.AuthAnswer sets={len(self)} entries={self.entry_count}>"


@dataclasses.dataclass(frozen=True)
class TidInfo:
    """What getTid returns (TS 29.369 ``GetTidResponse``)."""

    tid: bytes
    tid_previous: Optional[bytes]
    tid_type: TidType

    @classmethod
    def _from_c(cls, raw: "_ffi.TidInfo") -> "TidInfo":
        return cls(bytes(raw.tid), bytes(raw.tid_previous) if raw.has_previous else None,
                   _enum(TidType, raw.tid_type))
