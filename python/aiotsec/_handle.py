"""Base class of every object that owns a C handle.

A handle is freed exactly once, never while a call is using it: each call
takes a use reference; ``close()`` marks the object closed (new calls raise
:class:`~aiotsec.errors.ClosedError`) and the C object is freed when the last
user - a running call in another thread, or a dependent object such as a
prepared key that needs its context alive - lets go. So closing from one
thread while another is mid-call can never free memory under it.
"""

from __future__ import annotations

import ctypes
import threading
from typing import Any, List, Optional, Sequence, Union

from ._lib import Library
from .errors import ClosedError


class Handle:
    """An owned C handle with use counting, ``close()`` and context-manager support."""

    _kind = "handle"

    def __init__(self, lib: Library, ptr: Optional[int], free_fn: Optional[str],
                 parent: Union["Handle", Sequence["Handle"], None] = None):
        self._lib = lib
        self._ptr = ptr
        self._free_fn = free_fn
        self._mutex = threading.Lock()
        self._users = 0
        self._closed = False
        self._parents: List[Handle] = []
        if parent is None:
            parents: List[Handle] = []
        elif isinstance(parent, Handle):
            parents = [parent]
        else:
            parents = list(parent)
        taken: List[Handle] = []
        try:
            for p in parents:
                p._retain()
                taken.append(p)
        except BaseException:
            for p in taken:
                p._release()
            # A parent was closed meanwhile: do not leak the new C object.
            self._closed = True
            self._ptr = None
            if ptr is not None and free_fn is not None:
                getattr(lib.cdll, free_fn)(ptr)
            raise
        self._parents = taken

    # -- use references -------------------------------------------------------

    def _retain(self) -> int:
        """Takes a use reference and returns the raw pointer; ClosedError if closed."""
        with self._mutex:
            if self._closed or self._ptr is None:
                raise ClosedError(f"{self._kind} is closed")
            self._users += 1
            return self._ptr

    def _release(self) -> None:
        """Drops a use reference; frees the handle if it was closed meanwhile."""
        with self._mutex:
            self._users -= 1
            ptr = self._take_if_done()
        self._destroy(ptr)

    def _take_if_done(self) -> Optional[int]:
        if self._closed and self._users == 0 and self._ptr is not None:
            ptr, self._ptr = self._ptr, None
            return ptr
        return None

    def _destroy(self, ptr: Optional[int]) -> None:
        if ptr is None:
            return
        if self._free_fn is not None:
            getattr(self._lib.cdll, self._free_fn)(ptr)
        parents, self._parents = self._parents, []
        for p in parents:
            p._release()

    # -- public ---------------------------------------------------------------

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called."""
        return self._closed

    def close(self) -> None:
        """Releases the C object (idempotent). Later calls raise ClosedError."""
        with self._mutex:
            if self._closed:
                return
            self._closed = True
            ptr = self._take_if_done()
        self._destroy(ptr)

    def __enter__(self) -> Any:
        if self._closed:
            raise ClosedError(f"{self._kind} is closed")
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # interpreter shutdown: the library may already be gone
            pass


class _Use:
    """``with _Use(handle) as ptr:`` - a use reference for the duration of one call."""

    __slots__ = ("_h", "_ptr")

    def __init__(self, handle: Handle):
        self._h = handle

    def __enter__(self) -> int:
        self._ptr = self._h._retain()
        return self._ptr

    def __exit__(self, *exc: object) -> None:
        self._h._release()


def use(handle: Handle) -> _Use:
    """A use reference on ``handle`` for one call (see the module docstring)."""
    return _Use(handle)


def out_ptr() -> ctypes.c_void_p:
    """Storage for a ``T **out`` parameter."""
    return ctypes.c_void_p()
