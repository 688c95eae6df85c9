"""The AIOTF role (aiotf.h): group inventory and command procedures over an asynchronous ADM.

The AIOTF never calls the ADM. It queues requests (:class:`~aiotsec.AdmRequest`)
that the application takes with :meth:`Aiotf.next_requests`, carries by any
means, and answers later, in any order, with :meth:`Aiotf.on_rand`,
:meth:`Aiotf.on_authentication` and :meth:`Aiotf.on_session_key`. With an
in-process :class:`~aiotsec.Adm`, :meth:`Aiotf.pump_local` does all of that::

    proc = aiotf.start(ProcType.INVENTORY, filter=group, expected=50)
    aiotf.pump_local(adm)                       # getRand
    rand_n = aiotf.summary(proc).rand_n         # page with it
    for answer in answers_from_the_radio:       # AUTHENTICATION RESPONSEs, no identifier
        aiotf.on_report(rand_n, answer)         # dropped ones raise (duplicate, over cap...)
    aiotf.flush(proc)
    aiotf.pump_local(adm)                       # getAuthentication (and getSessionKey)
    for d in aiotf.devices(proc):               # one DeviceReport per accepted answer
        d.perm_id if d.identified else d.status_name

Time is the caller's: every call that needs it takes ``now_ms`` (monotonic
milliseconds); None reads :func:`time.monotonic`. The C object is not
thread-safe: this wrapper serialises its calls with a lock.
"""

from __future__ import annotations

import ctypes
import dataclasses
import enum
import threading
import time
from typing import Any, List, Optional, Sequence, Union

from . import _ffi, _lib
from ._bytes import as_bytes, as_int
from ._handle import Handle, out_ptr, use
from ._profile_ref import ProfileRef
from .adm import Adm
from .context import Context
from .errors import AiotsecError
from .filter import optional_filter
from .nadm import AdmOp, AdmRequest, AuthAnswer, CandidateSet
from .nas import CmdStatus, Command, CommandResponse, _field, cmd_status_cause, from_c

__all__ = ["ProcType", "FailureCause", "failure_cause_name", "Aiotf", "AiotfStats",
           "ProcedureSummary", "DeviceReport", "Report", "ReportVerdict"]

_U64 = (1 << 64) - 1


def _now(now_ms: Optional[int]) -> int:
    """``now_ms`` checked, or the monotonic clock in milliseconds."""
    if now_ms is None:
        return int(time.monotonic() * 1000)
    return as_int(now_ms, "now_ms", 0, _U64)


def _status(value: Union[int, AiotsecError]) -> int:
    """An ADM outcome given to on_*: 0, a negative status, or the exception carrying one."""
    if isinstance(value, AiotsecError):
        return value.status
    st = as_int(value, "status", -(1 << 31), 0)
    return st


def _req_id(request: Union[AdmRequest, int], op: AdmOp) -> int:
    if isinstance(request, AdmRequest):
        if request.op != op:
            raise ValueError(f"request is {request.op_name}, not the operation this answer is for")
        return request.id
    return as_int(request, "request", 0, _U64)


def _enum(cls: Any, value: int) -> Any:
    try:
        return cls(value)
    except ValueError:
        return int(value)


class ProcType(enum.IntEnum):
    """Kinds of AIOTF procedure (``aiotsec_proc_type``)."""

    INVENTORY = 1  #: authentication only
    COMMAND = 2    #: authentication, K_AIOTF, protected commands


class FailureCause(enum.IntEnum):
    """Why a procedure failed, as TS 29.569 ``FailureCause`` names it (``aiotsec_failure_cause``)."""

    NONE = 0              #: a device was identified, or nothing is decided yet
    NO_SUCC_INV_RESP = 1  #: no inventory response was successful
    AUTH_FAILURE = 2      #: responses came, none authenticated

    @property
    def ts_name(self) -> str:
        """The TS 29.569 spelling, from the library (``""`` for NONE)."""
        return failure_cause_name(self) or ""


def failure_cause_name(cause: int) -> Optional[str]:
    """TS 29.569 name of a failure cause (``"NO_SUCC_INV_RESP"``...); ``""`` for NONE and
    None for an unknown value (``aiotsec_failure_cause_name``)."""
    lib = _lib.require("aiotf")
    name = lib.cdll.aiotsec_failure_cause_name(as_int(cause, "cause", -(1 << 31), (1 << 31) - 1))
    return None if name is None else name.decode("ascii")


@dataclasses.dataclass(frozen=True)
class AiotfStats:
    """Counters of an AIOTF (``aiotsec_aiotf_stats``)."""

    started: int
    reports: int
    accepted: int
    authenticated: int
    auth_failed: int
    unsolicited: int
    late: int
    duplicate: int
    over_cap: int
    malformed: int
    adm_requests: int
    adm_retries: int
    adm_splits: int
    adm_errors: int
    commands_sent: int
    responses_ok: int
    responses_rejected: int
    expired: int


@dataclasses.dataclass(frozen=True)
class ProcedureSummary:
    """A procedure's account (``aiotsec_aiotf_summary``; TS 29.569 inventory/command result).

    ``rand_n`` is the RAND_AIOT_n to page with, None until the getRand is answered.
    """

    proc_id: int
    type: ProcType
    paging: bool
    rand_n: Optional[bytes]
    expected: int
    accepted: int
    spares: int
    waiting: int
    authenticated: int
    auth_failed: int
    errors: int
    late: int
    duplicate: int
    over_cap: int
    malformed: int
    failure_cause: FailureCause

    @property
    def failure_cause_name(self) -> str:
        """TS 29.569 ``FailureCause`` name, ``""`` while none applies."""
        return failure_cause_name(self.failure_cause) or ""


@dataclasses.dataclass(frozen=True)
class DeviceReport:
    """One accepted report and what it established (``aiotsec_aiotf_device``,
    TS 29.569 ``DevicesRepInfo``).

    Attributes:
        report_id: the report (the handle for commands to its device).
        proc_id: its procedure.
        status: 0 (identified), ``AIOTSEC_E_IN_PROGRESS``, or why not
            (``AIOTSEC_E_AUTH_FAILED``, ``AIOTSEC_E_AMBIGUOUS``, ``AIOTSEC_E_NO_CANDIDATE``...).
        perm_id: ``deviceId``, the Permanent Identifier when identified, else None.
        held_back: True while held back as a spare beyond the procedure's cap (no ADM
            request yet: it is sent only if a report ahead of it proves forged).
        secured: True when commands can be sent (command procedures).
        last_cmd_status: the :class:`~aiotsec.CmdStatus` of the last COMMAND RESPONSE, or None.
    """

    report_id: int
    proc_id: int
    status: int
    perm_id: Optional[bytes]
    held_back: bool
    secured: bool
    last_cmd_status: Optional[CmdStatus]
    _lib: Any = dataclasses.field(repr=False, compare=False, default=None)

    @classmethod
    def _from_c(cls, raw: "_ffi.AiotfDevice", lib: Any) -> "DeviceReport":
        n = min(int(raw.perm_id_len), len(raw.perm_id))
        last = int(raw.last_cmd_status)
        return cls(int(raw.report_id), int(raw.proc_id), int(raw.status),
                   bytes(raw.perm_id[:n]) if raw.status == 0 and n else None, bool(raw.held_back),
                   bool(raw.secured),
                   _enum(CmdStatus, last) if last else None, lib)

    @property
    def identified(self) -> bool:
        """True when the report authenticated and identified its device."""
        return self.status == 0

    @property
    def status_name(self) -> str:
        """Symbolic name of :attr:`status` (``"AIOTSEC_OK"`` when identified)."""
        return self._lib.status_name(self.status)

    @property
    def fail_cause(self) -> Optional[str]:
        """TS 29.569 ``failCause`` of the last command (``AIoTDevFailCause``), None if there
        was none or it succeeded."""
        if self.last_cmd_status is None:
            return None
        return cmd_status_cause(self.last_cmd_status) or None

    def error(self) -> Optional[AiotsecError]:
        """The exception object of :attr:`status` (not raised), or None when identified."""
        return self._lib.error(self.status) if self.status < 0 else None


@dataclasses.dataclass(frozen=True)
class Report:
    """One Inventory Report for :meth:`Aiotf.on_reports`: the RAND_AIOT_n it answers
    (NG-RAN's correlation) and the AUTHENTICATION RESPONSE (no device identifier)."""

    rand_n: bytes
    nas: bytes


@dataclasses.dataclass(frozen=True)
class ReportVerdict:
    """What :meth:`Aiotf.on_reports` did with one report: ``status`` 0 and its ``report_id``
    when queued for the ADM, else the drop status (``AIOTSEC_E_NO_PENDING``,
    ``AIOTSEC_E_EXPIRED``, ``AIOTSEC_E_DUPLICATE_REPORT``, ``AIOTSEC_E_OVER_CAP``, a decoding
    status...) and no id."""

    status: int
    report_id: Optional[int]
    _lib: Any = dataclasses.field(repr=False, compare=False, default=None)

    @property
    def accepted(self) -> bool:
        """True when the report was queued for the ADM."""
        return self.status == 0

    @property
    def name(self) -> str:
        """Symbolic name of ``status``."""
        return self._lib.status_name(self.status)

    def error(self) -> Optional[AiotsecError]:
        """The exception :meth:`Aiotf.on_report` would have raised (not raised), or None."""
        return self._lib.error(self.status) if self.status < 0 else None


class Aiotf(Handle):
    """An AIOTF (``aiotsec_aiotf``). Every table is allocated here, once.

    Args:
        ctx: the context (kept alive while open).
        timeout_ms: reporting window of a procedure, and its idle timeout (default 5000).
        max_procedures: procedures at once (default 1024).
        max_reports: reports held at once over all procedures (default 65536).
        max_batch: most RAND_AIOT_d in one getAuthentication (default 256).
        max_requests: ADM requests queued or outstanding at once (default 1024).
        max_sessions: command security contexts at once (default 256).
        spare_reports: answers a capped procedure holds back beyond its cap, to replace
            reports that prove forged (default 4).
        int_alg, enc_alg: command algorithms (default: the profile's).
        None keeps the library's default (``aiotsec_aiotf_config_init``).
    Raises:
        TypeError: wrong types. ArgumentError: ``AIOTSEC_E_BAD_VALUE`` (a value out of range).
    """

    _kind = "AIOTF"

    def __init__(self, ctx: Context, *, timeout_ms: Optional[int] = None,
                 max_procedures: Optional[int] = None, max_reports: Optional[int] = None,
                 max_batch: Optional[int] = None, max_requests: Optional[int] = None,
                 max_sessions: Optional[int] = None, spare_reports: Optional[int] = None,
                 int_alg: Optional[int] = None,
                 enc_alg: Optional[int] = None):
        lib = _lib.require("aiotf")
        if not isinstance(ctx, Context):
            raise TypeError("ctx must be a Context")
        cfg = _ffi.AiotfConfig()
        limits = {"timeout_ms": (timeout_ms, 0xFFFFFFFF), "max_procedures": (max_procedures, _U64),
                  "max_reports": (max_reports, _U64), "max_batch": (max_batch, _U64),
                  "max_requests": (max_requests, _U64), "max_sessions": (max_sessions, _U64),
                  "spare_reports": (spare_reports, _U64),
                  "int_alg": (int_alg, 0xFFFFFFFF), "enc_alg": (enc_alg, 0xFFFFFFFF)}
        values = {k: as_int(v, k, 0, hi) for k, (v, hi) in limits.items() if v is not None}
        out = out_ptr()
        with use(ctx) as c:
            lib.check(lib.cdll.aiotsec_aiotf_config_init(ctypes.byref(cfg), c))
            for k, v in values.items():
                setattr(cfg, k, v)
            lib.check(lib.cdll.aiotsec_aiotf_new(ctypes.byref(out), c, ctypes.byref(cfg)))
        super().__init__(lib, out.value, "aiotsec_aiotf_free", parent=ctx)
        self._ctx = ctx
        self.config = {k: int(getattr(cfg, k)) for k in limits}
        self._call_lock = threading.Lock()
        self._pump_answer: Optional[AuthAnswer] = None
        with ProfileRef(lib, ctx) as prof:
            self._max = int(lib.cdll.aiotsec_nas_maxbytes(prof))

    # -- procedures ---------------------------------------------------------------

    def start(self, type: ProcType = ProcType.INVENTORY, *, perm_id: Optional[bytes] = None,
              filter: Any = None, expected: int = 0, now_ms: Optional[int] = None) -> int:
        """Starts a procedure paging one device (``perm_id``) or a group (``filter``): queues
        its getRand and returns the procedure id.

        Args:
            expected: answers expected (the group size asked for, or a cap); 0: no cap. A
                named device is expected to answer once (0 or 1).
        Raises:
            TypeError: wrong types. ArgumentError: ``AIOTSEC_E_BAD_VALUE`` (type, both or
            neither target, ``expected`` > 1 for a device), ``AIOTSEC_E_BAD_LENGTH``,
            ``AIOTSEC_E_LIMIT``. BadFilterError.
        """
        t = as_int(type, "type", -(1 << 31), (1 << 31) - 1)
        p = as_bytes(perm_id, "perm_id", optional=True)
        f = optional_filter(filter)
        e = as_int(expected, "expected", 0, 0xFFFFFFFF)
        now = _now(now_ms)
        proc = ctypes.c_uint64(0)
        with self._call_lock, use(self) as a:
            self._lib.check(self._lib.cdll.aiotsec_aiotf_start(
                a, now, t, p, 0 if p is None else len(p), f, 0 if f is None else len(f), e,
                ctypes.byref(proc)))
        return int(proc.value)

    def flush(self, proc_id: int) -> None:
        """Sends what has arrived: the procedure's waiting reports become getAuthentication
        requests. ArgumentError ``AIOTSEC_E_LIMIT`` when no request slot is free (flush again
        later); ProcedureError ``AIOTSEC_E_NO_PENDING`` for an unknown procedure."""
        p = as_int(proc_id, "proc_id", 0, _U64)
        with self._call_lock, use(self) as a:
            self._lib.check(self._lib.cdll.aiotsec_aiotf_flush(a, p))

    def finish(self, proc_id: int) -> None:
        """Ends a procedure and wipes its reports and sessions (ProcedureError if unknown)."""
        p = as_int(proc_id, "proc_id", 0, _U64)
        with self._call_lock, use(self) as a:
            self._lib.check(self._lib.cdll.aiotsec_aiotf_finish(a, p))

    def expire(self, now_ms: Optional[int] = None) -> int:
        """Ends every procedure idle past its deadline; returns how many."""
        now = _now(now_ms)
        with self._call_lock, use(self) as a:
            return int(self._lib.cdll.aiotsec_aiotf_expire(a, now))

    @property
    def pending(self) -> int:
        """Number of procedures in progress."""
        with self._call_lock, use(self) as a:
            return int(self._lib.cdll.aiotsec_aiotf_pending(a))

    # -- the ADM, asynchronously ----------------------------------------------------

    @property
    def queued_requests(self) -> int:
        """Requests waiting in the queue (not yet handed out)."""
        with self._call_lock, use(self) as a:
            return int(self._lib.cdll.aiotsec_aiotf_queued_requests(a))

    def next_requests(self, max_count: int = 16, *,
                      now_ms: Optional[int] = None) -> List[AdmRequest]:
        """Takes up to ``max_count`` requests for the ADM (oldest first) and marks them
        outstanding; requests of procedures past their deadline are dropped, not handed out."""
        cap = as_int(max_count, "max_count", 1, 1 << 20)
        now = _now(now_ms)
        arr = (_ffi.AdmRequest * cap)()
        n = ctypes.c_size_t(0)
        with self._call_lock, use(self) as a:
            self._lib.check(self._lib.cdll.aiotsec_aiotf_next_requests(a, now, arr, cap,
                                                                       ctypes.byref(n)))
            # The views point into the AIOTF: copied while it is held.
            return [AdmRequest._from_c(arr[i]) for i in range(n.value)]

    def on_rand(self, request: Union[AdmRequest, int], rand_n: Optional[bytes] = None, *,
                status: Union[int, AiotsecError] = 0, now_ms: Optional[int] = None) -> int:
        """The answer of a getRand request: RAND_AIOT_n (page with it), or the ADM's failure
        in ``status`` (a status or the exception; ``AIOTSEC_E_TRANSPORT`` queues it again).

        Returns:
            The procedure id.
        Raises:
            ProcedureError: ``AIOTSEC_E_NO_PENDING`` (no such outstanding request),
            ``AIOTSEC_E_DUPLICATE`` (another procedure pages with that RAND_AIOT_n: asked
            again), ``AIOTSEC_E_EXPIRED``; and ``status`` itself when it ended the procedure.
            ArgumentError: ``AIOTSEC_E_BAD_LENGTH``.
        """
        rid = _req_id(request, AdmOp.GET_RAND)
        st = _status(status)
        rn = as_bytes(rand_n, "rand_n", optional=st != 0)
        now = _now(now_ms)
        proc = ctypes.c_uint64(0)
        with self._call_lock, use(self) as a:
            self._lib.check(self._lib.cdll.aiotsec_aiotf_on_rand(
                a, rid, now, st, rn, 0 if rn is None else len(rn), ctypes.byref(proc)))
        return int(proc.value)

    def on_authentication(self, request: Union[AdmRequest, int],
                          answer: Union[AuthAnswer, Sequence[CandidateSet], None] = None, *,
                          status: Union[int, AiotsecError] = 0,
                          now_ms: Optional[int] = None) -> int:
        """The answer of a getAuthentication request (steps 9 and 10): each report of the
        request is compared, in constant time, with every candidate of its set.

        Args:
            answer: an :class:`~aiotsec.AuthAnswer`, or the candidate sets as plain data
                (with ``status`` 0).
            status: the ADM's failure (a status or the exception): ``AIOTSEC_E_TRANSPORT``
                queues the request again (until the deadline), ``AIOTSEC_E_TOO_MANY_DERIVATIONS``
                splits it, any other decides its reports with that status.
        Returns:
            How many reports this answer decided.
        Raises:
            ProcedureError: ``AIOTSEC_E_NO_PENDING``; ``AIOTSEC_E_BAD_ANSWER`` (the answer does
            not fit the request: its reports were decided with that status).
        """
        rid = _req_id(request, AdmOp.GET_AUTHENTICATION)
        st = _status(status)
        owned = None
        if answer is not None and not isinstance(answer, AuthAnswer):
            answer = owned = AuthAnswer.from_sets(list(answer))
        if st == 0 and answer is None:
            raise TypeError("an answer is needed when status is 0")
        now = _now(now_ms)
        decided = ctypes.c_size_t(0)
        try:
            with self._call_lock, use(self) as a:
                if answer is None:
                    rc = self._lib.cdll.aiotsec_aiotf_on_authentication(
                        a, rid, now, st, None, ctypes.byref(decided))
                else:
                    with use(answer) as ans:
                        rc = self._lib.cdll.aiotsec_aiotf_on_authentication(
                            a, rid, now, st, ans, ctypes.byref(decided))
        finally:
            if owned is not None:
                owned.close()
        self._lib.check(rc, f"{decided.value} reports decided" if rc < 0 else None)
        return int(decided.value)

    def on_session_key(self, request: Union[AdmRequest, int], kaiotf: Optional[bytes] = None, *,
                       status: Union[int, AiotsecError] = 0, now_ms: Optional[int] = None) -> int:
        """The answer of a getSessionKey request: K_AIOTF (16 octets) builds the device's NAS
        security context. Returns the report id of the device it secures.

        Raises:
            ProcedureError: ``AIOTSEC_E_NO_PENDING``; ``status`` itself when not a retry.
            ArgumentError: ``AIOTSEC_E_BAD_LENGTH``, ``AIOTSEC_E_LIMIT`` (no session slot).
        """
        rid = _req_id(request, AdmOp.GET_SESSION_KEY)
        st = _status(status)
        k = as_bytes(kaiotf, "kaiotf", optional=st != 0)
        now = _now(now_ms)
        rep = ctypes.c_uint64(0)
        with self._call_lock, use(self) as a:
            self._lib.check(self._lib.cdll.aiotsec_aiotf_on_session_key(
                a, rid, now, st, k, 0 if k is None else len(k), ctypes.byref(rep)))
        return int(rep.value)

    def pump_local(self, adm: Adm, *, now_ms: Optional[int] = None) -> int:
        """Runs every queued request against an in-process :class:`~aiotsec.Adm` and hands the
        answers back, until the queue is empty. Returns how many requests were answered (each
        one's outcome is in its procedure)."""
        if not isinstance(adm, Adm):
            raise TypeError("adm must be an Adm")
        now = _now(now_ms)
        handled = ctypes.c_size_t(0)
        with self._call_lock:
            # The scratch answer must hold the ADM's whole limit (aiotf.h): made once, grown
            # when an ADM with a higher limit comes.
            need = adm.max_derivations
            if self._pump_answer is None or self._pump_answer.capacity < need:
                if self._pump_answer is not None:
                    self._pump_answer.close()
                self._pump_answer = AuthAnswer(need)
            with use(self) as a, use(adm) as d, use(self._pump_answer) as ans:
                self._lib.check(self._lib.cdll.aiotsec_aiotf_pump_local(a, now, d, ans,
                                                                        ctypes.byref(handled)))
        return int(handled.value)

    # -- reports ----------------------------------------------------------------------

    def on_report(self, rand_n: bytes, nas: bytes, *, now_ms: Optional[int] = None) -> int:
        """An Inventory Report (step 6): queued for the ADM (returns its report id) or dropped
        before any ADM call (raises).

        Raises:
            ProcedureError: ``AIOTSEC_E_NO_PENDING`` (unsolicited), ``AIOTSEC_E_EXPIRED``
            (late), ``AIOTSEC_E_DUPLICATE_REPORT``, ``AIOTSEC_E_OVER_CAP``.
            DecodeError / ArgumentError: an AUTHENTICATION RESPONSE that does not decode or has
            the wrong lengths; ArgumentError ``AIOTSEC_E_LIMIT`` (no report slot).
        """
        rn, m = as_bytes(rand_n, "rand_n"), as_bytes(nas, "nas")
        now = _now(now_ms)
        rep = ctypes.c_uint64(0)
        with self._call_lock, use(self) as a:
            self._lib.check(self._lib.cdll.aiotsec_aiotf_on_report(a, now, rn, len(rn), m, len(m),
                                                                   ctypes.byref(rep)))
        return int(rep.value)

    def on_reports(self, reports: Sequence[Any], *,
                   now_ms: Optional[int] = None) -> List[ReportVerdict]:
        """Many Inventory Reports, each judged as :meth:`on_report` in order; per-report drops
        are verdicts, not exceptions.

        Args:
            reports: :class:`Report` objects or ``(rand_n, nas)`` tuples.
        Raises:
            TypeError: a malformed report (before any C call).
        """
        reps = []
        for idx, r in enumerate(reports):
            if isinstance(r, Report):
                r = (r.rand_n, r.nas)
            if not isinstance(r, (tuple, list)) or len(r) != 2:
                raise TypeError(f"report {idx} must be a Report or a (rand_n, nas) tuple")
            reps.append((as_bytes(r[0], f"report {idx} rand_n"), as_bytes(r[1], f"report {idx} nas")))
        now = _now(now_ms)
        n = len(reps)
        arr = (_ffi.AiotfReport * max(n, 1))()
        for idx, (rn, m) in enumerate(reps):
            arr[idx].rand_n, arr[idx].rand_n_len = rn, len(rn)
            arr[idx].nas, arr[idx].nas_len = m, len(m)
        statuses = (ctypes.c_int * max(n, 1))()
        ids = (ctypes.c_uint64 * max(n, 1))()
        with self._call_lock, use(self) as a:
            self._lib.check(self._lib.cdll.aiotsec_aiotf_on_reports(a, now, arr, n, statuses, ids))
        return [ReportVerdict(int(statuses[i]), int(ids[i]) if statuses[i] == 0 else None,
                              self._lib) for i in range(n)]

    # -- results --------------------------------------------------------------------------

    def device(self, report_id: int) -> DeviceReport:
        """What a report established (ProcedureError ``AIOTSEC_E_NO_PENDING`` if unknown)."""
        r = as_int(report_id, "report_id", 0, _U64)
        raw = _ffi.AiotfDevice()
        with self._call_lock, use(self) as a:
            self._lib.check(self._lib.cdll.aiotsec_aiotf_device_get(a, r, ctypes.byref(raw)))
        return DeviceReport._from_c(raw, self._lib)

    def devices(self, proc_id: int) -> List[DeviceReport]:
        """The reports of a procedure, in arrival order."""
        p = as_int(proc_id, "proc_id", 0, _U64)
        n = ctypes.c_size_t(0)
        with self._call_lock, use(self) as a:
            cd = self._lib.cdll
            self._lib.check(cd.aiotsec_aiotf_devices(a, p, None, 0, ctypes.byref(n)))
            count = int(n.value)
            arr = (_ffi.AiotfDevice * max(count, 1))()
            self._lib.check(cd.aiotsec_aiotf_devices(a, p, arr, count, ctypes.byref(n)))
        return [DeviceReport._from_c(arr[i], self._lib) for i in range(min(count, n.value))]

    def summary(self, proc_id: int) -> ProcedureSummary:
        """A procedure's account (ProcedureError ``AIOTSEC_E_NO_PENDING`` if unknown)."""
        p = as_int(proc_id, "proc_id", 0, _U64)
        raw = _ffi.AiotfSummary()
        with self._call_lock, use(self) as a:
            self._lib.check(self._lib.cdll.aiotsec_aiotf_summary_get(a, p, ctypes.byref(raw)))
        counts = {k: int(getattr(raw, k)) for k in (
            "expected", "accepted", "spares", "waiting", "authenticated", "auth_failed", "errors", "late",
            "duplicate", "over_cap", "malformed")}
        return ProcedureSummary(int(raw.proc_id), _enum(ProcType, raw.type), bool(raw.paging),
                                bytes(raw.rand_n) if raw.paging else None,
                                failure_cause=_enum(FailureCause, raw.failure_cause), **counts)

    @property
    def stats(self) -> AiotfStats:
        """The AIOTF's counters."""
        raw = _ffi.AiotfStats()
        with self._call_lock, use(self) as a:
            self._lib.check(self._lib.cdll.aiotsec_aiotf_stats_get(a, ctypes.byref(raw)))
        return AiotfStats(**{k: int(getattr(raw, k)) for k in _ffi.AIOTF_STATS_FIELDS})

    # -- commands --------------------------------------------------------------------------

    def command(self, report_id: int, command: Command, *, offset: int = 0, length: int = 0,
                data: bytes = b"", now_ms: Optional[int] = None) -> bytes:
        """A protected COMMAND REQUEST for the device a report identified (command procedures,
        once its getSessionKey is answered).

        Raises:
            ProcedureError ``AIOTSEC_E_NO_PENDING`` (unknown report); ArgumentError
            ``AIOTSEC_E_BAD_STATE`` (not a secured device); DecodeError (values out of range).
        """
        r = as_int(report_id, "report_id", 0, _U64)
        c = as_int(command, "command", -(1 << 31), (1 << 31) - 1)
        off = _field(self._lib, offset, "offset", 16)
        ln = _field(self._lib, length, "length", 16)
        d = as_bytes(data, "data")
        now = _now(now_ms)
        buf = ctypes.create_string_buffer(self._max)
        n = ctypes.c_size_t(0)
        with self._call_lock, use(self) as a:
            self._lib.check(self._lib.cdll.aiotsec_aiotf_command(
                a, r, now, c, off, ln, d if d else None, len(d), buf, self._max, ctypes.byref(n)))
        return ctypes.string_at(buf, n.value)

    def on_command_response(self, report_id: int, data: bytes, *,
                            now_ms: Optional[int] = None) -> CommandResponse:
        """Verifies (COUNT, MAC, transaction ID) and decodes a protected COMMAND RESPONSE.

        Raises:
            SecurityError (MacMismatchError, ReplayError...), DecodeError, ProcedureError
            (``AIOTSEC_E_NO_PENDING``, ``AIOTSEC_E_EXPIRED``), ArgumentError
            (``AIOTSEC_E_BAD_STATE``: no command outstanding; ``AIOTSEC_E_BAD_VALUE``: wrong
            transaction ID).
        """
        r = as_int(report_id, "report_id", 0, _U64)
        d = as_bytes(data, "data")
        now = _now(now_ms)
        cap = max(len(d), 1)
        work = ctypes.create_string_buffer(cap)
        raw = _ffi.NasMsg()
        with self._call_lock, use(self) as a:
            self._lib.check(self._lib.cdll.aiotsec_aiotf_on_command_response(
                a, r, now, d, len(d), work, cap, ctypes.byref(raw)))
            msg = from_c(raw)
        ctypes.memset(work, 0, cap)
        if not isinstance(msg, CommandResponse):  # the library checks the message type
            raise TypeError(f"library returned {type(msg).__name__}")
        return msg

    def __repr__(self) -> str:
        if self.closed:
            return "<aiotsec.Aiotf closed>"
        return f"<aiotsec.Aiotf pending={self.pending}>"
