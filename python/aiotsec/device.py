"""The device role (device.h): a simulated Ambient IoT tag for tests, tools and demos.

A device answers a paging that names its Permanent Identifier or carries a
filter it matches, stays silent otherwise (``on_paging`` returns None), and
verifies every COMMAND REQUEST (COUNT, then MAC) before it acts on it. A
verified command it cannot execute is answered with the status that says why
(:class:`~aiotsec.CmdStatus`, named after the TS 29.569 causes).
"""

from __future__ import annotations

import ctypes
import dataclasses
import enum
import threading
from typing import Any, Callable, Optional, Union

from . import _ffi, _lib
from ._bytes import as_bytes, as_int
from ._handle import Handle, out_ptr, use
from ._profile_ref import ProfileRef
from .context import Context
from .filter import optional_filter
from .nas import Command

__all__ = ["Device", "DeviceState", "DeviceStats"]

# Largest AUTHENTICATION RESPONSE of any profile (device.h: 3 + 2 + 16 + 16 octets).
_PAGING_OUT = 37


class DeviceState(enum.IntEnum):
    """States of a device (``aiotsec_device_state``)."""

    IDLE = 0            #: no procedure
    AUTHENTICATING = 1  #: answered a paging
    SECURED = 2         #: a COMMAND REQUEST arrived: K_AIOTF and the NAS context exist
    DISABLED = 3        #: permanently silent


@dataclasses.dataclass(frozen=True)
class DeviceStats:
    """Counters of a device (``aiotsec_device_stats``)."""

    pagings: int
    not_addressed: int
    answered: int
    aborted: int
    commands_executed: int
    commands_rejected: int


class Device(Handle):
    """A simulated tag (``aiotsec_device``). The storage and the user memory are owned by
    this object. Not thread-safe in C; this wrapper serialises calls with a lock.

    Args:
        ctx: the context (kept alive while open).
        perm_id: the Permanent Identifier (1..64 octets).
        k_root: K_AIOT_root (16 or 32 octets; copied, never shown).
        memory: initial user memory (bytes) or its size (int); READ/WRITE act on it.
        wp_offset, wp_len: the write-protected range.
        rand: RAND_AIOT_d source, a callable ``n -> bytes`` (e.g. to replay a vector);
            None for the context's CSPRNG.
        energy: ``(command, length) -> bool``, whether the tag has the energy to execute a
            verified command (False answers LOW_ENERGY and executes nothing); None: always.
        int_alg, enc_alg: algorithms (None: the profile's defaults).
        disabled: start disabled (restored from non-volatile memory).

    Exceptions raised by ``rand`` or ``energy`` are re-raised by the call that invoked
    them, after the C call returns (an ``energy`` failure counts as no energy there).
    """

    _kind = "device"

    def __init__(self, ctx: Context, perm_id: bytes, k_root: bytes, *,
                 memory: Union[bytes, int] = 0, wp_offset: int = 0, wp_len: int = 0,
                 rand: Optional[Callable[[int], bytes]] = None,
                 energy: Optional[Callable[[Command, int], bool]] = None,
                 int_alg: Optional[int] = None, enc_alg: Optional[int] = None,
                 disabled: bool = False):
        lib = _lib.require("device")
        if not isinstance(ctx, Context):
            raise TypeError("ctx must be a Context")
        p, k = as_bytes(perm_id, "perm_id"), as_bytes(k_root, "k_root")
        if isinstance(memory, int) and not isinstance(memory, bool):
            mem_init = bytes(as_int(memory, "memory", 0, 1 << 32))
        else:
            mem_init = as_bytes(memory, "memory")
        if rand is not None and not callable(rand):
            raise TypeError("rand must be a callable n -> bytes")
        if energy is not None and not callable(energy):
            raise TypeError("energy must be a callable (command, length) -> bool")
        self._rand_src = rand
        self._energy_src = energy
        self._cb_error: Optional[BaseException] = None
        self._memory = ctypes.create_string_buffer(mem_init, max(len(mem_init), 1))
        self._memory_len = len(mem_init)
        # The callbacks must outlive the device: they are kept on the object.
        self._rand_cb = _ffi.DEVICE_RAND_FN(self._rand)
        self._energy_cb = _ffi.DEVICE_ENERGY_FN(self._energy) if energy is not None else None
        size = int(lib.cdll.aiotsec_device_statebytes())
        align = int(lib.cdll.aiotsec_device_align())
        self._storage = ctypes.create_string_buffer(size + align)
        base = ctypes.addressof(self._storage)
        mem = base + (-base % align)
        out = out_ptr()
        self._ctx = ctx
        self._perm_id = p
        cfg = _ffi.DeviceConfig()
        with use(ctx) as c:
            lib.check(lib.cdll.aiotsec_device_config_init(ctypes.byref(cfg), c))
            cfg.perm_id, cfg.perm_id_len = p, len(p)
            cfg.k_root, cfg.k_root_len = k, len(k)
            cfg.memory = ctypes.addressof(self._memory) if self._memory_len else None
            cfg.memory_len = self._memory_len
            cfg.wp_offset = as_int(wp_offset, "wp_offset", 0, (1 << 64) - 1)
            cfg.wp_len = as_int(wp_len, "wp_len", 0, (1 << 64) - 1)
            cfg.rand = self._rand_cb
            if self._energy_cb is not None:
                cfg.energy = self._energy_cb
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
            self._max = int(lib.cdll.aiotsec_nas_maxbytes(prof))

    @property
    def perm_id(self) -> bytes:
        """The device's Permanent Identifier."""
        return self._perm_id

    # -- callbacks from C: an exception must never escape into C ----------------------

    def _rand(self, user: Optional[int], out: Any, n: int) -> int:
        try:
            if self._rand_src is None:
                data = self._ctx.random(n)
            else:
                data = as_bytes(self._rand_src(n), "rand() result")
                if len(data) != n:
                    raise ValueError(f"rand({n}) returned {len(data)} octets")
            ctypes.memmove(out, data, n)
            return 0
        except BaseException as exc:  # noqa: BLE001 - re-raised after the C call returns
            self._cb_error = exc
            return self._lib.status_code("AIOTSEC_E_BACKEND_FAILURE")

    def _energy(self, user: Optional[int], command: int, length: int) -> int:
        try:
            try:
                cmd: Any = Command(command)
            except ValueError:
                cmd = int(command)
            return 1 if self._energy_src(cmd, int(length)) else 0
        except BaseException as exc:  # noqa: BLE001 - re-raised after the C call returns
            self._cb_error = exc
            return 0

    def _raise_cb_error(self) -> None:
        exc, self._cb_error = self._cb_error, None
        if exc is not None:
            raise exc

    # -- the radio ------------------------------------------------------------------

    def on_paging(self, rand_n: bytes, *, perm_id: Optional[bytes] = None,
                  filter: Any = None) -> Optional[bytes]:
        """A paging with RAND_AIOT_n and exactly one of a Permanent Identifier and a filter
        (a :class:`~aiotsec.Filter` or its octets). Aborts any ongoing procedure.

        Returns:
            The AUTHENTICATION RESPONSE to send, or None when the paging does not address
            this device (``AIOTSEC_E_NOT_ADDRESSED``: the ongoing procedure was still aborted).
        Raises:
            ProcedureError: ``AIOTSEC_E_DEVICE_DISABLED``. BadFilterError: a malformed filter.
            ArgumentError: ``AIOTSEC_E_BAD_VALUE`` (both or neither target), ``AIOTSEC_E_BAD_LENGTH``.
        """
        rn = as_bytes(rand_n, "rand_n")
        p = as_bytes(perm_id, "perm_id", optional=True)
        f = optional_filter(filter)
        buf = ctypes.create_string_buffer(_PAGING_OUT)
        n = ctypes.c_size_t(0)
        with self._call_lock, use(self) as d:
            rc = self._lib.cdll.aiotsec_device_on_paging(
                d, rn, len(rn), p, 0 if p is None else len(p), f, 0 if f is None else len(f),
                buf, _PAGING_OUT, ctypes.byref(n))
            self._raise_cb_error()
        if rc < 0 and self._lib.status_name(rc) == "AIOTSEC_E_NOT_ADDRESSED":
            return None
        self._lib.check(rc)
        return ctypes.string_at(buf, n.value)

    def on_command(self, data: bytes) -> bytes:
        """A protected COMMAND REQUEST: verified (COUNT, MAC), acted on, and answered with the
        protected COMMAND RESPONSE (a verified command the tag cannot execute is answered with
        its status: PARAMS_INVALID, MSG_TYPE_UNKNOWN, LOW_ENERGY, INVALID_MANDATORY).

        Raises:
            SecurityError (MacMismatchError, ReplayError...), DecodeError, ProcedureError
            (``AIOTSEC_E_DEVICE_DISABLED``, ``AIOTSEC_E_ABORTED``), ArgumentError
            (``AIOTSEC_E_BAD_STATE``: no procedure).
        """
        d = as_bytes(data, "data")
        # A COMMAND RESPONSE is at most the profile's largest AIOT NAS message.
        buf = ctypes.create_string_buffer(self._max)
        n = ctypes.c_size_t(0)
        with self._call_lock, use(self) as dev:
            rc = self._lib.cdll.aiotsec_device_on_command(dev, d, len(d), buf, self._max,
                                                          ctypes.byref(n))
            self._raise_cb_error()
        self._lib.check(rc)
        return ctypes.string_at(buf, n.value)

    @property
    def state(self) -> DeviceState:
        """The device's state."""
        out = ctypes.c_int(0)
        with self._call_lock, use(self) as d:
            self._lib.check(self._lib.cdll.aiotsec_device_state_get(d, ctypes.byref(out)))
        return DeviceState(out.value)

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

    def __repr__(self) -> str:
        if self.closed:
            return "<aiotsec.Device closed>"
        return f"<aiotsec.Device perm_id={self._perm_id.hex()} state={self.state.name}>"
