"""Profiles: every provisional value of the spec as data (profile.h)."""

from __future__ import annotations

import ctypes
import dataclasses
from typing import Any, Optional

from . import _ffi, _lib
from ._handle import Handle, out_ptr, use

__all__ = ["ProfileParams", "Profile"]

_FIELDS = [name for name, _ in _ffi.ProfileParams._fields_ if name != "struct_size"]


@dataclasses.dataclass(frozen=True)
class ProfileParams:
    """The values of a profile (``aiotsec_profile_params`` without ``struct_size``).

    Revision 2 of profile 0: RAND_AIOT_n/d are 16 octets, RES_AIOT 4..16,
    K_AIOTF the 16 octets at ``kaiotf_offset`` (16: the least significant bits),
    the six COMMAND RESPONSE status code points are named after the TS 29.569
    causes, and ``max_derivations`` is the ADM's default getAuthentication limit.

    Get profile 0 with :meth:`default`, change fields with
    :func:`dataclasses.replace`, then make a :class:`Profile`. The library checks
    every value against the spec's ranges when the profile is made.
    """

    id: int
    rand_n_len: int
    rand_d_len: int
    res_len: int
    alg_dist_enc: int
    fc_res: int
    fc_kaiotf: int
    fc_alg_key: int
    alg_dist_int: int
    kaiotf_offset: int
    alg_id_aia_hs: int
    default_int_alg: int
    default_enc_alg: int
    nas_epd: int
    mt_auth_response: int
    mt_command_request: int
    mt_command_response: int
    cmd_read: int
    cmd_write: int
    cmd_permanent_disable: int
    iei_read_data: int
    status_success: int
    status_params_invalid: int
    status_msg_type_unknown: int
    status_low_energy: int
    status_invalid_mandatory: int
    status_unspecified: int
    nas_max_len: int
    nas_max_data_len: int
    filter_encoding: int
    tid_type: int
    max_derivations: int

    @classmethod
    def default(cls) -> "ProfileParams":
        """Profile 0, as the library fills it in (aiotsec_profile_params_init)."""
        lib = _lib.get()
        raw = _ffi.ProfileParams()
        lib.check(lib.cdll.aiotsec_profile_params_init(ctypes.byref(raw)))
        return cls._from_c(raw)

    @classmethod
    def _from_c(cls, raw: _ffi.ProfileParams) -> "ProfileParams":
        return cls(**{name: int(getattr(raw, name)) for name in _FIELDS})

    def _to_c(self, lib: "_lib.Library") -> _ffi.ProfileParams:
        raw = _ffi.ProfileParams()
        lib.check(lib.cdll.aiotsec_profile_params_init(ctypes.byref(raw)))
        for name in _FIELDS:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"ProfileParams.{name} must be an int")
            ctype = dict(_ffi.ProfileParams._fields_)[name]
            limit = 1 << (8 * ctypes.sizeof(ctype))
            if not 0 <= value < limit:
                # Out of the C field's range: the library would see a truncated value.
                raise lib.error(lib.status_code("AIOTSEC_E_BAD_PROFILE"),
                                f"{name}={value} does not fit the field")
            setattr(raw, name, value)
        return raw

    def replace(self, **changes: Any) -> "ProfileParams":
        """A copy with some fields changed (same as :func:`dataclasses.replace`)."""
        return dataclasses.replace(self, **changes)


class Profile(Handle):
    """An immutable, validated profile (``aiotsec_profile``).

    ``Profile()`` is profile 0; ``Profile(params)`` or ``Profile(res_len=8)``
    (keyword changes to profile 0, or to ``params``) makes a custom one.
    Contexts copy their profile, so a profile may be closed once they are made.

    Raises:
        ArgumentError: ``AIOTSEC_E_BAD_PROFILE`` when a value is out of the spec's ranges.
    """

    _kind = "profile"

    def __init__(self, params: Optional[ProfileParams] = None, **changes: Any):
        lib = _lib.get()
        if params is not None and not isinstance(params, ProfileParams):
            raise TypeError("params must be a ProfileParams")
        if params is None and not changes:
            # The built-in profile 0 is static: never freed.
            super().__init__(lib, lib.cdll.aiotsec_profile_default(), None)
            return
        base = params if params is not None else ProfileParams.default()
        raw = base.replace(**changes)._to_c(lib)
        out = out_ptr()
        lib.check(lib.cdll.aiotsec_profile_new(ctypes.byref(out), ctypes.byref(raw)))
        super().__init__(lib, out.value, "aiotsec_profile_free")

    @property
    def params(self) -> ProfileParams:
        """The profile's values (aiotsec_profile_get)."""
        with use(self) as ptr:
            raw = _ffi.ProfileParams()
            self._lib.check(self._lib.cdll.aiotsec_profile_get(ptr, ctypes.byref(raw)))
            return ProfileParams._from_c(raw)

    def __repr__(self) -> str:
        if self.closed:
            return "<aiotsec.Profile closed>"
        return f"<aiotsec.Profile id={self.params.id}>"
