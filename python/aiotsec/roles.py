"""Roles: the in-memory key store (keystore.h), the ADM (adm.h), the AIOTF (aiotf.h)
and the device (device.h)."""

from __future__ import annotations

import ctypes
import dataclasses
import enum
import os
import threading
import time
from typing import Any, Callable, List, Optional, Sequence, Tuple, Union

from . import _ffi, _lib
from ._bytes import as_bytes, as_int, take
from ._handle import Handle, out_ptr, use
from ._profile_ref import ProfileRef
from .context import Context
from .errors import AiotsecError
from .nas import Command, CommandResponse, _field, from_c

__all__ = ["MemStore", "Adm", "AuthGetResult", "Aiotf", "ProcType", "Report", "ReportResult",
           "ReportOutcome", "AiotfStats", "Device", "DeviceState", "DeviceStats"]


def _text(text: Any) -> bytes:
    if isinstance(text, str):
        return text.encode("utf-8")
    return as_bytes(text, "text")


def _check_line(lib: Any, rc: int, line: int, detail: Optional[str]) -> None:
    """As ``lib.check``, with the offending key-file line in the exception's ``.line``."""
    if rc < 0:
        exc = lib.error(rc, detail)
        exc.line = line or None
        raise exc


class MemStore(Handle):
    """The in-memory key store (``aiotsec_memstore``): devices, hash indexes, prepared keys.

    Key-file format (one device a line, hex fields, ``#`` comments)::

        # identification-information  permanent-identifier  K_AIOT_root
        0102a0  4d2d30303031  000102030405060708090a0b0c0d0e0f

    Args:
        ctx: the context the prepared keys are made with (kept alive while the store is open).
        expected: expected number of devices (sizes the indexes; they grow anyway).
    """

    _kind = "key store"

    def __init__(self, ctx: Context, expected: int = 0):
        lib = _lib.require("keystore")
        if not isinstance(ctx, Context):
            raise TypeError("ctx must be a Context")
        n = as_int(expected, "expected", 0, (1 << 64) - 1)
        out = out_ptr()
        with use(ctx) as c:
            lib.check(lib.cdll.aiotsec_memstore_new(ctypes.byref(out), c, n))
        super().__init__(lib, out.value, "aiotsec_memstore_free", parent=ctx)
        self._ctx = ctx

    @property
    def context(self) -> Context:
        """The store's context."""
        return self._ctx

    def add(self, ident: bytes, perm_id: bytes, k_root: bytes) -> None:
        """Adds one device.

        Raises:
            ArgumentError: a bad length (identifiers 1..64 octets, key 16 or 32).
            ProcedureError: ``AIOTSEC_E_DUPLICATE`` (nothing is changed).
        """
        i, p, k = as_bytes(ident, "ident"), as_bytes(perm_id, "perm_id"), as_bytes(k_root, "k_root")
        with use(self) as s:
            self._lib.check(self._lib.cdll.aiotsec_memstore_add(s, i, len(i), p, len(p), k, len(k)))

    def load_text(self, text: Union[str, bytes]) -> int:
        """Adds every device of a key-file text, all or nothing; returns how many devices now.

        Raises:
            ProcedureError: ``AIOTSEC_E_PARSE`` or ``AIOTSEC_E_DUPLICATE``; the exception's
                ``detail`` names the line.
        """
        t = _text(text)
        line = ctypes.c_size_t(0)
        with use(self) as s:
            rc = self._lib.cdll.aiotsec_memstore_load_buffer(s, t, len(t), ctypes.byref(line))
        _check_line(self._lib, rc, int(line.value), f"line {line.value}" if line.value else None)
        return len(self)

    def load_file(self, path: Union[str, os.PathLike]) -> int:
        """Adds every device of a key file (as :meth:`load_text`); returns how many devices now."""
        p = os.fsencode(path)
        line = ctypes.c_size_t(0)
        with use(self) as s:
            rc = self._lib.cdll.aiotsec_memstore_load_file(s, p, ctypes.byref(line))
        _check_line(self._lib, rc, int(line.value),
                    f"{os.fsdecode(p)} line {line.value}" if line.value else None)
        return len(self)

    def __len__(self) -> int:
        with use(self) as s:
            return int(self._lib.cdll.aiotsec_memstore_count(s))

    def devices(self) -> List[Tuple[bytes, bytes]]:
        """``(identification information, Permanent Identifier)`` of every device, in insertion order."""
        out = []
        with use(self) as s:
            for idx in range(int(self._lib.cdll.aiotsec_memstore_count(s))):
                ip, il = ctypes.c_void_p(), ctypes.c_size_t(0)
                pp, pl = ctypes.c_void_p(), ctypes.c_size_t(0)
                self._lib.check(self._lib.cdll.aiotsec_memstore_device_at(
                    s, idx, ctypes.byref(ip), ctypes.byref(il), ctypes.byref(pp), ctypes.byref(pl)))
                out.append((ctypes.string_at(ip.value, il.value),
                            ctypes.string_at(pp.value, pl.value)))
        return out


class Adm(Handle):
    """The ADM (``aiotsec_adm``): Nadm_SecRAND_Get, Nadm_SecAuthentication_Get,
    Nadm_SecSessionKey_Get over a :class:`MemStore`. Immutable and thread-safe;
    keeps its context and store alive while open.
    """

    _kind = "ADM"

    def __init__(self, ctx: Context, store: MemStore):
        lib = _lib.require("adm")
        if not isinstance(ctx, Context):
            raise TypeError("ctx must be a Context")
        if not isinstance(store, MemStore):
            raise TypeError("store must be a MemStore")
        table = _ffi.Keystore()
        out = out_ptr()
        with use(ctx) as c, use(store) as s:
            lib.check(lib.cdll.aiotsec_memstore_keystore(s, ctypes.byref(table)))
            lib.check(lib.cdll.aiotsec_adm_new(ctypes.byref(out), c, ctypes.byref(table)))
        super().__init__(lib, out.value, "aiotsec_adm_free", parent=(ctx, store))
        self._ctx = ctx
        self._store = store

    @property
    def context(self) -> Context:
        """The ADM's context."""
        return self._ctx

    def sec_rand_get(self) -> bytes:
        """Nadm_SecRAND_Get: a fresh RAND_AIOT_n."""
        n = self._ctx.rand_n_len
        buf = ctypes.create_string_buffer(n)
        with use(self) as a:
            self._lib.check(self._lib.cdll.aiotsec_adm_sec_rand_get(a, buf, n))
        return ctypes.string_at(buf, n)

    def sec_authentication_get(self, ident: bytes, rand_n: bytes,
                               rand_d: bytes) -> Tuple[bytes, bytes]:
        """Nadm_SecAuthentication_Get: ``(XRES_AIOT, Permanent Identifier)`` of a device.

        Raises:
            ProcedureError: ``AIOTSEC_E_UNKNOWN_DEVICE``. ArgumentError: bad lengths.
        """
        i = as_bytes(ident, "ident")
        rn, rd = as_bytes(rand_n, "rand_n"), as_bytes(rand_d, "rand_d")
        xl = self._ctx.res_len
        xres = ctypes.create_string_buffer(xl)
        # The Permanent Identifier is at most as long as the largest identifier the
        # store accepts; the ADM reports BUFFER_TOO_SMALL otherwise, so grow and retry.
        cap = int(self._lib.cdll.aiotsec_id_max_len())
        while True:
            pid = ctypes.create_string_buffer(cap)
            pl = ctypes.c_size_t(0)
            with use(self) as a:
                rc = self._lib.cdll.aiotsec_adm_sec_authentication_get(
                    a, i, len(i), rn, len(rn), rd, len(rd), xres, xl, pid, cap, ctypes.byref(pl))
            if (rc < 0 and self._lib.status_name(rc) == "AIOTSEC_E_BUFFER_TOO_SMALL"
                    and pl.value > cap):
                cap = pl.value
                continue
            self._lib.check(rc)
            return take(xres, xl), ctypes.string_at(pid, pl.value)

    def sec_authentication_get_batch(self, items: Sequence[Any]) -> List["AuthGetResult"]:
        """Nadm_SecAuthentication_Get for many devices in one call (the inventory hot path;
        ``aiotsec_adm_sec_authentication_get_batch``).

        Args:
            items: ``(ident, rand_n, rand_d)`` tuples.
        Returns:
            One :class:`AuthGetResult` per item, in order: the same XRES_AIOT and Permanent
            Identifier as :meth:`sec_authentication_get`, or the item's status.
        Raises:
            TypeError: a malformed item. Per-item failures (unknown device, bad lengths) are
            not raised: see :attr:`AuthGetResult.status` / :meth:`AuthGetResult.error`.
        """
        lib = _lib.require("adm_batch")
        reqs = []
        for idx, it in enumerate(items):
            if not isinstance(it, (tuple, list)) or len(it) != 3:
                raise TypeError(f"item {idx} must be an (ident, rand_n, rand_d) tuple")
            reqs.append(tuple(as_bytes(v, f"item {idx} {w}")
                              for v, w in zip(it, ("ident", "rand_n", "rand_d"))))
        n = len(reqs)
        xl = self._ctx.res_len
        # The header asks for an AIOTSEC_ID_MAX buffer per item: always enough.
        pl = int(lib.cdll.aiotsec_id_max_len())
        arr = (_ffi.AdmAuthItem * max(n, 1))()
        xres = ctypes.create_string_buffer(max(n * xl, 1))
        pids = ctypes.create_string_buffer(max(n * pl, 1))
        base_x, base_p = ctypes.addressof(xres), ctypes.addressof(pids)
        for idx, (i, rn, rd) in enumerate(reqs):
            e = arr[idx]
            e.ident, e.ident_len = i, len(i)
            e.rand_n, e.rand_n_len = rn, len(rn)
            e.rand_d, e.rand_d_len = rd, len(rd)
            e.xres, e.perm_id = base_x + idx * xl, base_p + idx * pl
        with use(self) as a:
            lib.check(lib.cdll.aiotsec_adm_sec_authentication_get_batch(a, arr, n))
        raw = ctypes.string_at(xres, n * xl)
        ctypes.memset(xres, 0, ctypes.sizeof(xres))
        out = []
        for idx in range(n):
            st = int(arr[idx].status)
            if st == 0:
                plen = min(int(arr[idx].perm_id_len), pl)
                out.append(AuthGetResult(0, raw[idx * xl:(idx + 1) * xl],
                                         ctypes.string_at(base_p + idx * pl, plen), lib))
            else:
                out.append(AuthGetResult(st, None, None, lib))
        return out

    def sec_session_key_get(self, perm_id: bytes, rand_n: bytes, rand_d: bytes) -> bytes:
        """Nadm_SecSessionKey_Get: K_AIOTF of a device (32 octets)."""
        p = as_bytes(perm_id, "perm_id")
        rn, rd = as_bytes(rand_n, "rand_n"), as_bytes(rand_d, "rand_d")
        n = self._ctx.kaiotf_len
        buf = ctypes.create_string_buffer(n)
        with use(self) as a:
            self._lib.check(self._lib.cdll.aiotsec_adm_sec_session_key_get(
                a, p, len(p), rn, len(rn), rd, len(rd), buf, n))
        return take(buf, n)


@dataclasses.dataclass(frozen=True)
class AuthGetResult:
    """One answer of :meth:`Adm.sec_authentication_get_batch`.

    Attributes:
        status: 0, or the item's negative ``aiotsec_status`` (e.g. ``AIOTSEC_E_UNKNOWN_DEVICE``).
        xres: XRES_AIOT (secret: left out of ``repr``), None when the item failed.
        perm_id: the device's Permanent Identifier, None when the item failed.
    """

    status: int
    xres: Optional[bytes] = dataclasses.field(repr=False)
    perm_id: Optional[bytes]
    _lib: Any = dataclasses.field(repr=False, compare=False, default=None)

    @property
    def ok(self) -> bool:
        """True when the item succeeded."""
        return self.status == 0

    def error(self) -> Optional[AiotsecError]:
        """The item's exception object (not raised), or None when it succeeded."""
        return self._lib.error(self.status) if self.status < 0 else None


def _now(now_ms: Optional[int]) -> int:
    """``now_ms`` checked, or the monotonic clock in milliseconds."""
    if now_ms is None:
        return int(time.monotonic() * 1000)
    return as_int(now_ms, "now_ms", 0, (1 << 64) - 1)


class ProcType(enum.IntEnum):
    """Kinds of AIOTF procedure (``aiotsec_proc_type``)."""

    INVENTORY = 1  #: authentication only
    COMMAND = 2    #: authentication, K_AIOTF, protected commands


@dataclasses.dataclass(frozen=True)
class ReportResult:
    """What a successful Inventory Report established (``aiotsec_aiotf_result``)."""

    proc_id: int
    type: ProcType
    perm_id: bytes


@dataclasses.dataclass(frozen=True)
class Report:
    """One Inventory Report for :meth:`Aiotf.on_reports` (the arguments of :meth:`Aiotf.on_report`)."""

    rand_n: bytes
    ident: bytes
    nas: bytes


@dataclasses.dataclass(frozen=True)
class ReportOutcome:
    """The verdict on one report of :meth:`Aiotf.on_reports`.

    Attributes:
        status: 0, or the negative status :meth:`Aiotf.on_report` would have raised
            (``AIOTSEC_E_NO_PENDING``, ``AIOTSEC_E_EXPIRED``, ``AIOTSEC_E_AUTH_FAILED``...).
        result: what the report established when ``status`` is 0, else None.
    """

    status: int
    result: Optional[ReportResult]
    _lib: Any = dataclasses.field(repr=False, compare=False, default=None)

    @property
    def ok(self) -> bool:
        """True when the report authenticated its device."""
        return self.status == 0

    @property
    def name(self) -> str:
        """Symbolic name of ``status`` (``"AIOTSEC_OK"`` on success)."""
        return self._lib.status_name(self.status)

    def error(self) -> Optional[AiotsecError]:
        """The exception :meth:`Aiotf.on_report` would have raised (not raised), or None."""
        return self._lib.error(self.status) if self.status < 0 else None


@dataclasses.dataclass(frozen=True)
class AiotfStats:
    """Counters of an AIOTF (``aiotsec_aiotf_stats``)."""

    started: int
    authenticated: int
    auth_failed: int
    unsolicited: int
    late: int
    malformed: int
    adm_calls: int
    commands_sent: int
    responses_ok: int
    responses_rejected: int
    expired: int


def _report_result(res: Any) -> ReportResult:
    t = int(res.type)
    return ReportResult(int(res.proc_id), ProcType(t) if t in (1, 2) else t,
                        bytes(res.perm_id[:min(int(res.perm_id_len), len(res.perm_id))]))


class Aiotf(Handle):
    """The AIOTF (``aiotsec_aiotf``): inventory and command procedures against an :class:`Adm`.

    Time is the caller's: every call takes ``now_ms`` (monotonic milliseconds);
    None reads :func:`time.monotonic`. The C object is not thread-safe; this
    wrapper serialises calls with a lock.

    Args:
        ctx: the context (kept alive while open).
        adm: the in-process :class:`Adm` it calls (kept alive while open).
        max_pending, timeout_ms, int_alg, enc_alg: configuration; None keeps the
            library's default (``aiotsec_aiotf_config_init``).
    """

    _kind = "AIOTF"

    def __init__(self, ctx: Context, adm: Adm, *, max_pending: Optional[int] = None,
                 timeout_ms: Optional[int] = None, int_alg: Optional[int] = None,
                 enc_alg: Optional[int] = None):
        lib = _lib.require("aiotf")
        if not isinstance(ctx, Context):
            raise TypeError("ctx must be a Context")
        if not isinstance(adm, Adm):
            raise TypeError("adm must be an Adm")
        cfg = _ffi.AiotfConfig()
        client = _ffi.AdmClient()
        out = out_ptr()
        with use(ctx) as c, use(adm) as a:
            lib.check(lib.cdll.aiotsec_aiotf_config_init(ctypes.byref(cfg), c))
            if max_pending is not None:
                cfg.max_pending = as_int(max_pending, "max_pending", 0, (1 << 64) - 1)
            if timeout_ms is not None:
                cfg.timeout_ms = as_int(timeout_ms, "timeout_ms", 0, 0xFFFFFFFF)
            if int_alg is not None:
                cfg.int_alg = as_int(int_alg, "int_alg", 0, 0xFFFFFFFF)
            if enc_alg is not None:
                cfg.enc_alg = as_int(enc_alg, "enc_alg", 0, 0xFFFFFFFF)
            lib.check(lib.cdll.aiotsec_adm_client_local(a, ctypes.byref(client)))
            lib.check(lib.cdll.aiotsec_aiotf_new(ctypes.byref(out), c, ctypes.byref(client),
                                                 ctypes.byref(cfg)))
        super().__init__(lib, out.value, "aiotsec_aiotf_free", parent=(ctx, adm))
        self._ctx = ctx
        self._call_lock = threading.Lock()
        with ProfileRef(lib, ctx) as prof:
            self._max = int(lib.cdll.aiotsec_nas_max_len(prof))

    def start(self, ident: bytes, type: ProcType = ProcType.INVENTORY, *,
              now_ms: Optional[int] = None) -> Tuple[int, bytes]:
        """Starts a procedure for device ``ident``: returns ``(proc_id, RAND_AIOT_n)``.

        Raises:
            ProcedureError / ArgumentError: e.g. ``AIOTSEC_E_LIMIT`` when max_pending are pending.
        """
        i = as_bytes(ident, "ident")
        t = as_int(type, "type", -(1 << 31), (1 << 31) - 1)
        now = _now(now_ms)
        n = self._ctx.rand_n_len
        rand_n = ctypes.create_string_buffer(n)
        pid = ctypes.c_uint64(0)
        with self._call_lock, use(self) as f:
            self._lib.check(self._lib.cdll.aiotsec_aiotf_start(f, t, i, len(i), now, rand_n, n,
                                                               ctypes.byref(pid)))
        return int(pid.value), ctypes.string_at(rand_n, n)

    def on_report(self, rand_n: bytes, ident: bytes, nas: bytes, *,
                  now_ms: Optional[int] = None) -> ReportResult:
        """An Inventory Report carrying the device's AUTHENTICATION RESPONSE.

        Raises:
            ProcedureError: ``AIOTSEC_E_NO_PENDING`` (unsolicited) or ``AIOTSEC_E_EXPIRED``
                (late), both dropped without an ADM call.
            AuthenticationError: RES_AIOT did not match (the procedure ends).
            DecodeError: the AUTHENTICATION RESPONSE is malformed (the procedure stays pending).
        """
        rn, i, m = as_bytes(rand_n, "rand_n"), as_bytes(ident, "ident"), as_bytes(nas, "nas")
        now = _now(now_ms)
        res = _ffi.AiotfResult()
        with self._call_lock, use(self) as f:
            self._lib.check(self._lib.cdll.aiotsec_aiotf_on_report(
                f, now, rn, len(rn), i, len(i), m, len(m), ctypes.byref(res)))
        return _report_result(res)

    def on_reports(self, reports: Sequence[Any], *,
                   now_ms: Optional[int] = None) -> List[ReportOutcome]:
        """Many Inventory Reports at once (``aiotsec_aiotf_on_reports``): each judged as
        :meth:`on_report` would, in order; unsolicited, late and malformed ones are dropped
        before any ADM call, the rest go to the ADM as one batch. A second report for the
        same procedure in one call is unsolicited.

        Args:
            reports: :class:`Report` objects or ``(rand_n, ident, nas)`` tuples.
        Returns:
            One :class:`ReportOutcome` per report. Per-report failures are not raised.
        Raises:
            TypeError: a malformed report.
        """
        lib = _lib.require("aiotf_batch")
        reps = []
        for idx, r in enumerate(reports):
            if isinstance(r, Report):
                r = (r.rand_n, r.ident, r.nas)
            if not isinstance(r, (tuple, list)) or len(r) != 3:
                raise TypeError(f"report {idx} must be a Report or a (rand_n, ident, nas) tuple")
            reps.append(tuple(as_bytes(v, f"report {idx} {w}")
                              for v, w in zip(r, ("rand_n", "ident", "nas"))))
        now = _now(now_ms)
        n = len(reps)
        arr = (_ffi.AiotfReport * max(n, 1))()
        for idx, (rn, i, m) in enumerate(reps):
            e = arr[idx]
            e.rand_n, e.rand_n_len = rn, len(rn)
            e.ident, e.ident_len = i, len(i)
            e.nas, e.nas_len = m, len(m)
        statuses = (ctypes.c_int * max(n, 1))()
        results = (_ffi.AiotfResult * max(n, 1))()
        with self._call_lock, use(self) as f:
            lib.check(lib.cdll.aiotsec_aiotf_on_reports(f, now, arr, n, statuses, results))
        out = []
        for idx in range(n):
            st = int(statuses[idx])
            out.append(ReportOutcome(st, _report_result(results[idx]) if st == 0 else None, lib))
        return out

    def command(self, proc_id: int, command: Command, *, offset: int = 0, length: int = 0,
                data: bytes = b"", now_ms: Optional[int] = None) -> bytes:
        """A protected COMMAND REQUEST for an authenticated command procedure.

        Raises:
            ProcedureError: unknown procedure. ArgumentError: ``AIOTSEC_E_BAD_STATE``
                (not an authenticated command procedure). DecodeError: bad values.
        """
        p = as_int(proc_id, "proc_id", 0, (1 << 64) - 1)
        c = as_int(command, "command", -(1 << 31), (1 << 31) - 1)
        off = _field(self._lib, offset, "offset", 16)
        ln = _field(self._lib, length, "length", 16)
        d = as_bytes(data, "data")
        now = _now(now_ms)
        buf = ctypes.create_string_buffer(self._max)
        n = ctypes.c_size_t(0)
        with self._call_lock, use(self) as f:
            self._lib.check(self._lib.cdll.aiotsec_aiotf_command(
                f, p, now, c, off, ln, d if d else None, len(d), buf, self._max, ctypes.byref(n)))
        return ctypes.string_at(buf, n.value)

    def on_command_response(self, proc_id: int, data: bytes, *,
                            now_ms: Optional[int] = None) -> CommandResponse:
        """Verifies and decodes a protected COMMAND RESPONSE.

        Raises:
            SecurityError (MacMismatchError, ReplayError...), DecodeError,
            ProcedureError (``AIOTSEC_E_EXPIRED``), ArgumentError (wrong transaction ID).
        """
        p = as_int(proc_id, "proc_id", 0, (1 << 64) - 1)
        d = as_bytes(data, "data")
        now = _now(now_ms)
        cap = max(len(d), 1)
        work = ctypes.create_string_buffer(cap)
        raw = _ffi.NasMsg()
        with self._call_lock, use(self) as f:
            self._lib.check(self._lib.cdll.aiotsec_aiotf_on_command_response(
                f, p, now, d, len(d), work, cap, ctypes.byref(raw)))
            msg = from_c(raw)
        if not isinstance(msg, CommandResponse):  # the library checks the direction
            raise TypeError(f"library returned {type(msg).__name__}")
        return msg

    def finish(self, proc_id: int) -> None:
        """Ends a procedure and wipes its context (ProcedureError if unknown)."""
        p = as_int(proc_id, "proc_id", 0, (1 << 64) - 1)
        with self._call_lock, use(self) as f:
            self._lib.check(self._lib.cdll.aiotsec_aiotf_finish(f, p))

    def expire(self, now_ms: Optional[int] = None) -> int:
        """Removes every procedure past its deadline; returns how many."""
        now = _now(now_ms)
        with self._call_lock, use(self) as f:
            return int(self._lib.cdll.aiotsec_aiotf_expire(f, now))

    @property
    def pending(self) -> int:
        """Number of pending procedures."""
        with self._call_lock, use(self) as f:
            return int(self._lib.cdll.aiotsec_aiotf_pending(f))

    @property
    def stats(self) -> AiotfStats:
        """The AIOTF's counters."""
        raw = _ffi.AiotfStats()
        with self._call_lock, use(self) as f:
            self._lib.check(self._lib.cdll.aiotsec_aiotf_stats_get(f, ctypes.byref(raw)))
        return AiotfStats(**{k: int(getattr(raw, k)) for k, _ in _ffi.AiotfStats._fields_})


class DeviceState(enum.IntEnum):
    """States of a device (``aiotsec_device_state``)."""

    IDLE = 0
    AUTHENTICATING = 1
    SECURED = 2
    DISABLED = 3


@dataclasses.dataclass(frozen=True)
class DeviceStats:
    """Counters of a device (``aiotsec_device_stats``)."""

    pagings: int
    answered: int
    aborted: int
    commands_executed: int
    commands_rejected: int


class Device(Handle):
    """A simulated Ambient IoT device (``aiotsec_device``) for tests and tools.

    The storage (``aiotsec_device_size()`` octets, aligned) and the user memory
    are owned by this object. RAND_AIOT_d comes from ``rand`` (a callable
    ``n -> bytes``, e.g. to replay a vector) or, by default, from the context's
    CSPRNG. Not thread-safe in C; this wrapper serialises calls with a lock.

    Args:
        ctx: the context (kept alive while open).
        ident: identification information (1..64 octets).
        k_root: K_AIOT_root (16 or 32 octets).
        memory: initial user memory (bytes) or its size (int); READ/WRITE act on it.
        wp_offset, wp_len: the write-protected range.
        rand: RAND_AIOT_d source; None for the context's CSPRNG.
        int_alg, enc_alg: algorithms (None: the profile's defaults).
        disabled: start disabled.
    """

    _kind = "device"

    def __init__(self, ctx: Context, ident: bytes, k_root: bytes, *,
                 memory: Union[bytes, int] = 0, wp_offset: int = 0, wp_len: int = 0,
                 rand: Optional[Callable[[int], bytes]] = None, int_alg: Optional[int] = None,
                 enc_alg: Optional[int] = None, disabled: bool = False):
        lib = _lib.require("device")
        if not isinstance(ctx, Context):
            raise TypeError("ctx must be a Context")
        i, k = as_bytes(ident, "ident"), as_bytes(k_root, "k_root")
        if isinstance(memory, int) and not isinstance(memory, bool):
            mem_init = bytes(as_int(memory, "memory", 0, 1 << 32))
        else:
            mem_init = as_bytes(memory, "memory")
        if rand is not None and not callable(rand):
            raise TypeError("rand must be a callable n -> bytes")
        self._rand_src = rand
        self._rand_error: Optional[BaseException] = None
        self._memory = ctypes.create_string_buffer(mem_init, max(len(mem_init), 1))
        self._memory_len = len(mem_init)
        cfg = _ffi.DeviceConfig()
        # The callback must outlive the device: it is kept on the object.
        self._rand_cb = _ffi.DEVICE_RAND_FN(self._rand)
        size = int(lib.cdll.aiotsec_device_size())
        align = int(lib.cdll.aiotsec_device_align())
        self._storage = ctypes.create_string_buffer(size + align)
        base = ctypes.addressof(self._storage)
        mem = base + (-base % align)
        out = out_ptr()
        self._ctx = ctx
        with use(ctx) as c:
            lib.check(lib.cdll.aiotsec_device_config_init(ctypes.byref(cfg), c))
            cfg.ident, cfg.ident_len = i, len(i)
            cfg.k_root, cfg.k_root_len = k, len(k)
            cfg.memory = ctypes.addressof(self._memory) if self._memory_len else None
            cfg.memory_len = self._memory_len
            cfg.wp_offset = as_int(wp_offset, "wp_offset", 0, (1 << 64) - 1)
            cfg.wp_len = as_int(wp_len, "wp_len", 0, (1 << 64) - 1)
            cfg.rand = self._rand_cb
            if int_alg is not None:
                cfg.int_alg = as_int(int_alg, "int_alg", 0, 0xFFFFFFFF)
            if enc_alg is not None:
                cfg.enc_alg = as_int(enc_alg, "enc_alg", 0, 0xFFFFFFFF)
            cfg.disabled = 1 if disabled else 0
            rc = lib.cdll.aiotsec_device_init(ctypes.byref(out), mem, size, c, ctypes.byref(cfg))
        lib.check(rc)
        super().__init__(lib, out.value, "aiotsec_device_clear", parent=ctx)
        self._call_lock = threading.Lock()
        with ProfileRef(lib, ctx) as prof:
            self._max = int(lib.cdll.aiotsec_nas_max_len(prof))

    def _rand(self, user: Optional[int], out: Any, n: int) -> int:
        # Called from C: never let an exception escape (ctypes would return 0, "success").
        try:
            if self._rand_src is None:
                data = self._ctx.random(n)
            else:
                data = as_bytes(self._rand_src(n), "rand() result")
                if len(data) != n:
                    raise ValueError(f"rand({n}) returned {len(data)} octets")
            ctypes.memmove(out, data, n)
            return 0
        except BaseException as exc:  # noqa: BLE001 - reported after the C call returns
            self._rand_error = exc
            return self._lib.status_code("AIOTSEC_E_BACKEND_FAILURE")

    def _raise_rand_error(self) -> None:
        exc, self._rand_error = self._rand_error, None
        if exc is not None:
            raise exc

    def on_paging(self, rand_n: bytes, ident: bytes) -> Optional[bytes]:
        """A paging: aborts any ongoing procedure; returns the AUTHENTICATION RESPONSE,
        or None when the paging does not address this device.

        Raises:
            ProcedureError: ``AIOTSEC_E_DEVICE_DISABLED``. ArgumentError: bad lengths.
        """
        rn, i = as_bytes(rand_n, "rand_n"), as_bytes(ident, "ident")
        buf = ctypes.create_string_buffer(self._max)
        n = ctypes.c_size_t(0)
        with self._call_lock, use(self) as d:
            rc = self._lib.cdll.aiotsec_device_on_paging(d, rn, len(rn), i, len(i), buf,
                                                         self._max, ctypes.byref(n))
            self._raise_rand_error()
        if rc < 0 and self._lib.status_name(rc) == "AIOTSEC_E_NOT_ADDRESSED":
            return None
        self._lib.check(rc)
        return ctypes.string_at(buf, n.value)

    def on_command(self, data: bytes) -> bytes:
        """A protected COMMAND REQUEST: verified, acted on; returns the protected COMMAND RESPONSE.

        Raises:
            SecurityError (MacMismatchError, ReplayError...), DecodeError,
            ProcedureError (``AIOTSEC_E_DEVICE_DISABLED``, ``AIOTSEC_E_ABORTED``),
            ArgumentError (``AIOTSEC_E_BAD_STATE``: no procedure).
        """
        d = as_bytes(data, "data")
        buf = ctypes.create_string_buffer(self._max)
        n = ctypes.c_size_t(0)
        with self._call_lock, use(self) as dev:
            self._lib.check(self._lib.cdll.aiotsec_device_on_command(dev, d, len(d), buf,
                                                                     self._max, ctypes.byref(n)))
        return ctypes.string_at(buf, n.value)

    @property
    def state(self) -> DeviceState:
        """The device's state."""
        with self._call_lock, use(self) as d:
            return DeviceState(self._lib.check(self._lib.cdll.aiotsec_device_state_get(d)))

    @property
    def stats(self) -> DeviceStats:
        """The device's counters."""
        raw = _ffi.DeviceStats()
        with self._call_lock, use(self) as d:
            self._lib.check(self._lib.cdll.aiotsec_device_stats_get(d, ctypes.byref(raw)))
        return DeviceStats(**{k: int(getattr(raw, k)) for k, _ in _ffi.DeviceStats._fields_})

    @property
    def memory(self) -> bytes:
        """A copy of the device's user memory."""
        with self._call_lock, use(self):
            return ctypes.string_at(self._memory, self._memory_len)
