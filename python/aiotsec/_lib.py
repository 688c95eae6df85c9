"""Finding, loading and checking libaiotsec.

Search order (the first that applies wins; an explicit choice never falls back):

1. an explicit path given to :func:`aiotsec.load`;
2. the ``AIOTSEC_LIBRARY`` environment variable (a path to the .so);
3. the build tree, when the package runs from a source checkout: ``<repo>/build``
   first, then any other ``<repo>/build*`` directory, newest library first;
4. the system's library path (``ctypes.util.find_library`` / the dynamic loader).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
import threading
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Union

from . import _ffi
from .errors import AiotsecError, LibraryError, error_class

#: Major version of libaiotsec these bindings are written for.
EXPECTED_MAJOR = 0
#: Minor version they need while the major version is 0: in 0.x a minor version may
#: break the ABI (0.2.0 did, with SONAME libaiotsec.so.1, and 0.4.0, with libaiotsec.so.2:
#: one naming scheme, typed enums, statuses returned apart from values), so earlier
#: minors are refused.
EXPECTED_MINOR = 4

_SONAMES = (("libaiotsec.dylib",) if sys.platform == "darwin"
            else ("libaiotsec.so.2", "libaiotsec.so"))


class Library:
    """A loaded, checked libaiotsec with every prototype declared.

    Attributes:
        path: where it was loaded from.
        cdll: the :class:`ctypes.CDLL` (all functions have argtypes/restype).
        version: the library's version string.
        areas: names of the optional areas (``"nas"``, ``"batch"``, ...) the library provides.
    """

    def __init__(self, path: str):
        missing = _missing_sanitizer_runtime(path)
        if missing:
            # dlopen() of such a library would end the process, not raise.
            raise LibraryError(f"{path!r} was built with {missing} and its runtime is not "
                               f"loaded: run Python with LD_PRELOAD=$(cc -print-file-name="
                               f"{_SANITIZERS[missing][0]})")
        try:
            cdll = ctypes.CDLL(path)
        except OSError as exc:
            raise LibraryError(f"cannot load libaiotsec from {path!r}: {exc}") from exc
        try:
            _ffi.declare(cdll, _ffi.CORE)
        except AttributeError as exc:
            raise LibraryError(f"{path!r} is not a complete libaiotsec: {exc}") from exc
        self.path = path
        self.cdll = cdll
        number = int(cdll.aiotsec_version_number())
        self.version = cdll.aiotsec_version_string().decode("ascii", "replace")
        self.version_number = number
        if number // 10000 != EXPECTED_MAJOR:
            raise LibraryError(
                f"libaiotsec at {path!r} is version {self.version}; these bindings need "
                f"major version {EXPECTED_MAJOR}")
        if EXPECTED_MAJOR == 0 and number // 100 % 100 != EXPECTED_MINOR:
            raise LibraryError(
                f"libaiotsec at {path!r} is version {self.version}; these bindings need "
                f"version {EXPECTED_MAJOR}.{EXPECTED_MINOR} (0.x minor versions change the ABI)")
        # The ctypes structs must match the library's layout exactly.
        for struct, getter in _ffi.STRUCT_CHECKS:
            want = int(getattr(cdll, getter)())
            if ctypes.sizeof(struct) != want:
                raise LibraryError(
                    f"{struct.__name__} is {ctypes.sizeof(struct)} octets in Python but "
                    f"{getter}() says {want}: the bindings do not match this library")
        self.areas: List[str] = []
        for area, table in _ffi.AREAS.items():
            if all(hasattr(cdll, name) for name in table):
                _ffi.declare(cdll, table)
                self.areas.append(area)
        for struct, getter, area in _ffi.AREA_STRUCT_CHECKS:
            if area in self.areas:
                want = int(getattr(cdll, getter)())
                if ctypes.sizeof(struct) != want:
                    raise LibraryError(
                        f"{struct.__name__} is {ctypes.sizeof(struct)} octets in Python but "
                        f"{getter}() says {want}: the bindings do not match this library")
        self._names: Dict[int, str] = {}

    # -- status helpers -------------------------------------------------------

    def status_name(self, status: int) -> str:
        """Symbolic name of a status code, from the library."""
        return self.cdll.aiotsec_status_name(int(status)).decode("ascii", "replace")

    def strerror(self, status: int) -> str:
        """One-line description of a status code, from the library."""
        return self.cdll.aiotsec_strerror(int(status)).decode("utf-8", "replace")

    def error(self, status: int, detail: Optional[str] = None) -> AiotsecError:
        """The exception object for a negative status."""
        name = self.status_name(status)
        return error_class(status, name)(status, name, self.strerror(status), detail)

    def check(self, rc: int, detail: Optional[str] = None) -> int:
        """Raises the exception of ``rc`` when it is negative; returns it otherwise."""
        if rc < 0:
            raise self.error(rc, detail)
        return rc

    def status_code(self, name: str) -> int:
        """The numeric value of a symbolic status name (looked up in the library)."""
        codes = self.status_codes()
        try:
            return codes[name]
        except KeyError:
            raise KeyError(f"libaiotsec has no status {name!r}") from None

    def status_codes(self) -> Dict[str, int]:
        """Every status code the library knows, ``{"AIOTSEC_E_REPLAY": -61, ...}``."""
        out = {"AIOTSEC_OK": 0}
        for code in range(-1, -128, -1):
            name = self.status_name(code)
            if name != "AIOTSEC_E_UNKNOWN":
                out[name] = code
        return out

    def has(self, area: str) -> bool:
        """True when the loaded library provides an optional area (``"nas"``, ``"batch"``, ...)."""
        return area in self.areas


# Sanitizer runtimes a library may need, and a symbol that shows the runtime is loaded.
_SANITIZERS = {
    "AddressSanitizer": ("libasan.so", "__asan_init"),
    "ThreadSanitizer": ("libtsan.so", "__tsan_init"),
}


def _missing_sanitizer_runtime(path: str) -> Optional[str]:
    """Name of a sanitizer the library at ``path`` needs and this process lacks, or None."""
    try:
        data = Path(path).read_bytes()
    except OSError:
        return None  # not a plain file path (a soname): let the loader decide
    process = ctypes.CDLL(None)
    for name, (runtime, symbol) in _SANITIZERS.items():
        if runtime.encode() in data and not hasattr(process, symbol):
            return name
    return None


def _repo_root() -> Optional[Path]:
    """The source checkout this package lives in (python/aiotsec/ -> repo), or None."""
    root = Path(__file__).resolve().parents[2]
    try:
        text = (root / "CMakeLists.txt").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return root if "project(aiotsec" in text else None


def _build_tree_candidates() -> Iterator[str]:
    root = _repo_root()
    if root is None:
        return
    found = []
    for build in root.glob("build*"):
        for name in _SONAMES:
            lib = build / name
            try:
                mtime = lib.stat().st_mtime
            except OSError:  # absent, or removed while we look
                continue
            # "build" (the README's build) first, then the newest library.
            found.append((build.name != "build", -mtime, str(lib)))
            break
    for _, _, path in sorted(found):
        yield path


def _system_candidates() -> Iterator[str]:
    name = ctypes.util.find_library("aiotsec")
    if name:
        yield name
    yield from _SONAMES


def find_library(path: Union[str, os.PathLike, None] = None) -> Library:
    """Loads libaiotsec following the search order of this module (see its docstring)."""
    if path is not None:
        return Library(os.fspath(path))
    env = os.environ.get("AIOTSEC_LIBRARY")
    if env:
        return Library(env)
    errors = []
    for cand in list(_build_tree_candidates()) + list(_system_candidates()):
        try:
            return Library(cand)
        except LibraryError as exc:
            errors.append(str(exc))
    raise LibraryError("libaiotsec not found (set AIOTSEC_LIBRARY or call aiotsec.load(path)); "
                       "tried: " + "; ".join(errors))


_lock = threading.Lock()
_default: Optional[Library] = None


def load(path: Union[str, os.PathLike, None] = None) -> Library:
    """Loads libaiotsec (see the search order above) and makes it the default.

    Call it before anything else to pick a library explicitly; otherwise the
    first use of the package loads one by the search order.

    Args:
        path: path to ``libaiotsec.so``; None to search.
    Returns:
        The loaded :class:`Library`.
    Raises:
        LibraryError: not found, not loadable, wrong major version or layout.
    """
    global _default
    lib = find_library(path)
    with _lock:
        _default = lib
    return lib


def get() -> Library:
    """The default library, loaded on first use."""
    global _default
    lib = _default
    if lib is not None:
        return lib
    with _lock:
        if _default is None:
            _default = find_library(None)
        return _default


def require(area: str) -> Library:
    """The default library, checked to provide ``area``; LibraryError otherwise."""
    lib = get()
    if not lib.has(area):
        raise LibraryError(f"the loaded libaiotsec ({lib.path}) does not provide {area!r}")
    return lib
