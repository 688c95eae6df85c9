"""``profile=`` arguments: None (profile 0), a Profile, or a Context (its profile)."""

from __future__ import annotations

from typing import Any, Optional

from ._handle import use


class ProfileRef:
    """``with ProfileRef(lib, profile) as ptr:`` - the C profile pointer, kept alive for the call."""

    __slots__ = ("_lib", "_obj", "_use")

    def __init__(self, lib: Any, profile: Any):
        from .context import Context
        from .profile import Profile
        if profile is not None and not isinstance(profile, (Profile, Context)):
            raise TypeError("profile must be a Profile, a Context or None")
        self._lib = lib
        self._obj = profile
        self._use = None

    def __enter__(self) -> Optional[int]:
        if self._obj is None:
            return None
        from .context import Context
        self._use = use(self._obj)
        ptr = self._use.__enter__()
        if isinstance(self._obj, Context):
            return self._lib.cdll.aiotsec_ctx_profile(ptr)
        return ptr

    def __exit__(self, *exc: object) -> None:
        if self._use is not None:
            self._use.__exit__(*exc)
