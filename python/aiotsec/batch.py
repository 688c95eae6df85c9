"""Batches of XRES_AIOT derivations and RES_AIOT verifications (batch.h), the ADM hot path.

    items = [BatchItem(key, rand_n, rand_d) for ...]        # key: a PreparedKey
    out = batch_derive_res(ctx, items, threads=2)
    out.values[i]    # XRES_AIOT of item i, or None if it failed
    out.statuses[i]  # 0, or the item's negative status

For repeated batches, a :class:`BatchPool` keeps its worker threads between calls
(no thread is created per call)::

    with BatchPool(2) as pool:
        out = pool.verify_res(ctx, items)          # or batch_verify_res(ctx, items, pool=pool)
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
from typing import Any, Dict, List, Optional, Sequence

from . import _ffi, _lib
from ._bytes import as_bytes, as_int
from ._handle import Handle, out_ptr, use
from .context import Context, PreparedKey
from .errors import AiotsecError

__all__ = ["BatchItem", "BatchPool", "BatchResult", "batch_derive_res", "batch_verify_res"]


@dataclasses.dataclass(frozen=True)
class BatchItem:
    """One device: its prepared K_AIOT_root, RAND_AIOT_n, RAND_AIOT_d and (verify) RES_AIOT."""

    key: PreparedKey
    rand_n: bytes
    rand_d: bytes
    res: bytes = b""


@dataclasses.dataclass
class BatchResult:
    """Per-item outcome of a batch call.

    Attributes:
        statuses: per item, 0 or the item's negative ``aiotsec_status``.
        values: derive: XRES_AIOT or None; verify: True (match) / False (not, or error).
        n_ok: items that succeeded (derive) or matched (verify).
    """

    statuses: List[int]
    values: List[Any] = dataclasses.field(repr=False)  # XRES_AIOT values: kept out of logs
    n_ok: int = 0
    _lib: Any = dataclasses.field(repr=False, default=None)

    def errors(self) -> Dict[int, AiotsecError]:
        """Exception objects (not raised) for every failed item, by index."""
        return {i: self._lib.error(s) for i, s in enumerate(self.statuses) if s < 0}

    def raise_for_status(self) -> None:
        """Raises the exception of the first failed item, if any."""
        for i, s in enumerate(self.statuses):
            if s < 0:
                raise self._lib.error(s, f"batch item {i}")


def _items(items: Sequence[Any], verify: bool):
    out: List[BatchItem] = []
    for i, it in enumerate(items):
        if isinstance(it, tuple):
            it = BatchItem(*it)
        if not isinstance(it, BatchItem):
            raise TypeError(f"item {i} must be a BatchItem or a tuple, not {type(it).__name__}")
        if not isinstance(it.key, PreparedKey):
            raise TypeError(f"item {i}: key must be a PreparedKey")
        rn, rd = as_bytes(it.rand_n, f"item {i} rand_n"), as_bytes(it.rand_d, f"item {i} rand_d")
        res = as_bytes(it.res, f"item {i} res") if verify else b""
        out.append(BatchItem(it.key, rn, rd, res))
    return out


class BatchPool(Handle):
    """A caller-owned worker pool for batch calls (``aiotsec_batch_pool``).

    ``threads`` counts the calling thread: a pool of 2 has one worker thread,
    started here and kept until :meth:`close` (or the end of the ``with``
    block). Calls on one pool from several Python threads are serialised by the
    library. After a batch, the workers poll for the next one for about 100 us,
    then sleep (an idle pool costs no CPU).

    Args:
        threads: 1 to 64 (``AIOTSEC_BATCH_MAX_THREADS``).
    Raises:
        TypeError: ``threads`` is not an int. ArgumentError: 0 or above 64
        (``AIOTSEC_E_BAD_VALUE``), or no memory or thread (``AIOTSEC_E_NO_MEMORY``).
    """

    _kind = "batch pool"

    def __init__(self, threads: int = 2):
        lib = _lib.require("batch_pool")
        t = as_int(threads, "threads", 0, 0xFFFFFFFF)  # the library checks the range
        out = out_ptr()
        lib.check(lib.cdll.aiotsec_batch_pool_new(ctypes.byref(out), t))
        self._threads = t
        super().__init__(lib, out.value, "aiotsec_batch_pool_free")

    @property
    def threads(self) -> int:
        """Threads a batch on this pool uses, the caller included."""
        return self._threads

    def derive_res(self, ctx: Context, items: Sequence[Any]) -> BatchResult:
        """:func:`batch_derive_res` on this pool (``aiotsec_batch_pool_derive_res``)."""
        return _run(ctx, items, 0, verify=False, pool=self)

    def verify_res(self, ctx: Context, items: Sequence[Any]) -> BatchResult:
        """:func:`batch_verify_res` on this pool (``aiotsec_batch_pool_verify_res``)."""
        return _run(ctx, items, 0, verify=True, pool=self)


def _run(ctx: Context, items: Sequence[Any], threads: int, verify: bool,
         pool: Optional[BatchPool] = None) -> BatchResult:
    lib = _lib.require("batch" if pool is None else "batch_pool")
    if not isinstance(ctx, Context):
        raise TypeError("ctx must be a Context")
    if pool is not None and not isinstance(pool, BatchPool):
        raise TypeError("pool must be a BatchPool")
    t = as_int(threads, "threads", 0, 0xFFFFFFFF)
    if pool is not None and t:
        raise ValueError("give threads or pool, not both (a pool has its own thread count)")
    its = _items(items, verify)
    n = len(its)
    arr = (_ffi.BatchItem * max(n, 1))()
    results = (ctypes.c_int * max(n, 1))()
    with contextlib.ExitStack() as stack:
        c = stack.enter_context(use(ctx))
        p = stack.enter_context(use(pool)) if pool is not None else None  # alive for the call
        for i, it in enumerate(its):
            arr[i].key = stack.enter_context(use(it.key))  # keys stay alive for the call
            arr[i].rand_n, arr[i].rand_n_len = it.rand_n, len(it.rand_n)
            arr[i].rand_d, arr[i].rand_d_len = it.rand_d, len(it.rand_d)
            arr[i].res, arr[i].res_len = it.res, len(it.res)
        if verify:
            n_ok = ctypes.c_size_t(0)
            if p is None:
                rc = lib.cdll.aiotsec_batch_verify_res(c, arr, n, results, t, ctypes.byref(n_ok))
            else:
                rc = lib.cdll.aiotsec_batch_pool_verify_res(c, p, arr, n, results,
                                                            ctypes.byref(n_ok))
            lib.check(rc)
            st = [int(results[i]) for i in range(n)]
            return BatchResult(st, [s == 0 for s in st], int(n_ok.value), lib)
        rl = int(lib.cdll.aiotsec_derive_res_bytes(c))
        cap = max(n * rl, 1)
        xres = ctypes.create_string_buffer(cap)
        if p is None:
            rc = lib.cdll.aiotsec_batch_derive_res(c, arr, n, xres, cap, results, t)
        else:
            rc = lib.cdll.aiotsec_batch_pool_derive_res(c, p, arr, n, xres, cap, results)
        lib.check(rc)
        st = [int(results[i]) for i in range(n)]
        raw = ctypes.string_at(xres, n * rl)
        ctypes.memset(xres, 0, cap)
        vals: List[Optional[bytes]] = [raw[i * rl:(i + 1) * rl] if st[i] == 0 else None
                                       for i in range(n)]
        return BatchResult(st, vals, sum(1 for s in st if s == 0), lib)


def batch_derive_res(ctx: Context, items: Sequence[Any], *, threads: int = 0,
                     pool: Optional[BatchPool] = None) -> BatchResult:
    """XRES_AIOT for every item (``aiotsec_batch_derive_res``, or ``..._pool``).

    Args:
        ctx: the context the keys were prepared with.
        items: :class:`BatchItem` or ``(key, rand_n, rand_d)`` tuples.
        threads: threads to split the batch across (0/1: the calling thread),
            created for this call.
        pool: a :class:`BatchPool` to run the batch on instead (then leave
            ``threads`` at 0).
    Raises:
        TypeError: a malformed item. ArgumentError: too many threads.
        ValueError: both ``threads`` and ``pool``. ClosedError: the pool is closed.
        Per-item failures are not raised: see :attr:`BatchResult.statuses`.
    """
    return _run(ctx, items, threads, verify=False, pool=pool)


def batch_verify_res(ctx: Context, items: Sequence[Any], *, threads: int = 0,
                     pool: Optional[BatchPool] = None) -> BatchResult:
    """Verifies every item's RES_AIOT in constant time (``aiotsec_batch_verify_res``,
    or ``..._pool`` with ``pool``; arguments as for :func:`batch_derive_res`).

    ``values[i]`` is True when item i matched; ``statuses[i]`` is 0,
    ``AIOTSEC_E_AUTH_FAILED`` or the item's error.
    """
    return _run(ctx, items, threads, verify=True, pool=pool)
