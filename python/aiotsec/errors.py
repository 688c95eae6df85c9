"""Exceptions raised by the aiotsec bindings.

Every failure reported by libaiotsec becomes an :class:`AiotsecError` whose
``status`` is the library's negative ``aiotsec_status`` value and whose
``name`` is the symbolic name the library gives it (``aiotsec_status_name``).
The class is chosen from the status *range* (see ``include/aiotsec/status.h``),
so a new code added by the library lands in the right family without a change
here:

==============  ==========================  =================================
range           class                       meaning
==============  ==========================  =================================
-1 .. -19       :class:`ArgumentError`      arguments, resources, backends
-20 .. -39      :class:`AuthenticationError` RES_AIOT does not match
-40 .. -59      :class:`DecodeError`        malformed AIOT NAS message
-60 .. -79      :class:`SecurityError`      MAC, COUNT, algorithm failures
-80 .. -99      :class:`ProcedureError`     procedures, roles, key store
==============  ==========================  =================================

A few codes get a subclass of their family (chosen by symbolic name):
:class:`UnsupportedError` (``AIOTSEC_E_UNSUPPORTED``),
:class:`UnknownBackendError` (``AIOTSEC_E_UNKNOWN_BACKEND``),
:class:`MacMismatchError` (``AIOTSEC_E_MAC_MISMATCH``),
:class:`ReplayError` (``AIOTSEC_E_REPLAY``), and in the procedure family
:class:`BadFilterError` (``AIOTSEC_E_BAD_FILTER``, also a :class:`ValueError`: a
malformed AiotFilteringInformation is a bad argument),
:class:`TooManyDerivationsError` (``AIOTSEC_E_TOO_MANY_DERIVATIONS``, the SBI 413:
split the group into narrower filters) and :class:`TransportError`
(``AIOTSEC_E_TRANSPORT``: the ADM request was lost, retryable).

The other statuses of revision 2 stay plain :class:`ProcedureError` and are told
apart by ``.name``: the report drops of the AIOTF (``AIOTSEC_E_NO_PENDING``,
``AIOTSEC_E_EXPIRED``, ``AIOTSEC_E_DUPLICATE_REPORT``, ``AIOTSEC_E_OVER_CAP``), the
ADM's ``AIOTSEC_E_NO_CANDIDATE`` (an SBI 404) and the per-report verdicts
``AIOTSEC_E_AMBIGUOUS``, ``AIOTSEC_E_BAD_ANSWER`` and ``AIOTSEC_E_IN_PROGRESS``
(usually read from a report's ``status``, not raised), and ``AIOTSEC_E_BAD_STATE`` (a call
made in the wrong state, e.g. a command to a device with no session; an ArgumentError
before 0.4).

Problems found on the Python side before any C call are ordinary Python
exceptions: :class:`TypeError` for a wrong type (``str`` instead of
``bytes``, ``None``), :class:`ClosedError` (a :class:`ValueError`) for a
handle used after ``close()``, and :class:`LibraryError` (an :class:`OSError`)
when the shared library cannot be found or has the wrong major version.
"""

from __future__ import annotations

from typing import Dict, Optional, Type

__all__ = [
    "AiotsecError",
    "ArgumentError",
    "UnsupportedError",
    "UnknownBackendError",
    "AuthenticationError",
    "DecodeError",
    "SecurityError",
    "MacMismatchError",
    "ReplayError",
    "ProcedureError",
    "BadFilterError",
    "TooManyDerivationsError",
    "TransportError",
    "ClosedError",
    "LibraryError",
]


class AiotsecError(Exception):
    """A libaiotsec function failed.

    Attributes:
        status: the negative ``aiotsec_status`` value (an ``int``).
        name: its symbolic name, e.g. ``"AIOTSEC_E_REPLAY"``.
        message: the library's one-line description (``aiotsec_strerror``).
        line: the 1-based key-file line that failed, for the key-file readers
            (:func:`aiotsec.read_keyfile`, :meth:`aiotsec.MemStore.load_text`...); None otherwise.
    """

    def __init__(self, status: int, name: str, message: str, detail: Optional[str] = None,
                 line: Optional[int] = None):
        self.status = int(status)
        self.name = name
        self.message = message
        self.detail = detail
        self.line = line
        text = f"{name} ({status}): {message}"
        if detail:
            text += f" [{detail}]"
        super().__init__(text)


class ArgumentError(AiotsecError, ValueError):
    """Status -1..-19: a bad argument, length, buffer, profile, backend or state.

    Also a :class:`ValueError`, so generic ``except ValueError`` code works.
    """


class UnsupportedError(ArgumentError):
    """``AIOTSEC_E_UNSUPPORTED``: the backend does not provide the operation."""


class UnknownBackendError(ArgumentError):
    """``AIOTSEC_E_UNKNOWN_BACKEND``: no built-in backend of that name."""


class AuthenticationError(AiotsecError):
    """Status -20..-39: RES_AIOT does not match XRES_AIOT."""


class DecodeError(AiotsecError, ValueError):
    """Status -40..-59: a malformed AIOT NAS message."""


class SecurityError(AiotsecError):
    """Status -60..-79: integrity, COUNT or algorithm failure on a NAS message."""


class MacMismatchError(SecurityError):
    """``AIOTSEC_E_MAC_MISMATCH``: the MAC of a protected message is wrong."""


class ReplayError(SecurityError):
    """``AIOTSEC_E_REPLAY``: COUNT not above every COUNT already accepted."""


class ProcedureError(AiotsecError):
    """Status -80..-99: procedure, role or key-store error."""


class BadFilterError(ProcedureError, ValueError):
    """``AIOTSEC_E_BAD_FILTER``: a malformed AiotFilteringInformation (spec 6.2)."""


class TooManyDerivationsError(ProcedureError):
    """``AIOTSEC_E_TOO_MANY_DERIVATIONS``: |candidates| x |randDlist| is over the ADM's
    limit and nothing was derived (an SBI 413)."""


class TransportError(ProcedureError):
    """``AIOTSEC_E_TRANSPORT``: the ADM request failed in transport; the AIOTF retries it."""


class ClosedError(ValueError):
    """A handle (context, profile, key, ...) was used after ``close()``."""


class LibraryError(OSError):
    """libaiotsec could not be loaded, or its major version is not the one expected."""


# Codes that get a more specific class than their family, by symbolic name
# (names come from the library, so no status number is written here).
_BY_NAME: Dict[str, Type[AiotsecError]] = {
    "AIOTSEC_E_UNSUPPORTED": UnsupportedError,
    "AIOTSEC_E_UNKNOWN_BACKEND": UnknownBackendError,
    "AIOTSEC_E_MAC_MISMATCH": MacMismatchError,
    "AIOTSEC_E_REPLAY": ReplayError,
    "AIOTSEC_E_BAD_FILTER": BadFilterError,
    "AIOTSEC_E_TOO_MANY_DERIVATIONS": TooManyDerivationsError,
    "AIOTSEC_E_TRANSPORT": TransportError,
}

# Family ranges of status.h, (high, low) inclusive.
_FAMILIES = (
    (-1, -19, ArgumentError),
    (-20, -39, AuthenticationError),
    (-40, -59, DecodeError),
    (-60, -79, SecurityError),
    (-80, -99, ProcedureError),
)


def error_class(status: int, name: str) -> Type[AiotsecError]:
    """The exception class for a status: by name for the special codes, else by range."""
    cls = _BY_NAME.get(name)
    if cls is not None:
        return cls
    for high, low, fam in _FAMILIES:
        if low <= status <= high:
            return fam
    return AiotsecError
