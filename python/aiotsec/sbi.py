"""libaiotsec-sbi from Python (ctypes): the TS 29.369 v19.2.0 Nadm_Sec bodies as dicts.

ADM side::

    from aiotsec import sbi
    with sbi.Adm(open("keys.txt").read()) as adm:              # key file text, or [(perm_id, key)]
        status, body = sbi.handle(adm, "getAuthentication", {
            "filteringInfo": "DKEA", "randN": "c03c...", "randDlist": ["7d6e..."]})
        # status: the HTTP status; body: the response dict or a ProblemDetails dict

AIOTF side::

    body = sbi.request_body("getSessionKey", perm_id=b"\\xa1...", rand_n=rn, rand_d=[rd])
    k_aiotf = sbi.parse_session_key_response(answer_dict)      # bytes
    sets = sbi.parse_auth_response(answer_dict)                # [(rand_d, [(xres, perm_id or None)])]
    status = sbi.answer_status("getAuthentication", 404, filter=True)   # AIOTSEC_E_NO_CANDIDATE

The library is found in this order: an explicit path given to :func:`load`, the
``AIOTSEC_SBI_LIBRARY`` environment variable, the checkout's build directories
(``<repo>/build`` first, then the newest ``<repo>/build*``), the system's. When
``AIOTSEC_LIBRARY`` names a libaiotsec, it is loaded first, so that
libaiotsec-sbi uses that very core library. This module needs nothing else of
the ``aiotsec`` package: the core functions it uses (context, key store, ADM,
answers) are reached through libaiotsec-sbi's own dependency.

Secrets: the bodies of getAuthentication and getSessionKey carry XRES_AIOT and
K_AIOTF; Python strings and bytes cannot be wiped, so keep such values in Python
only as long as needed. The C buffers behind these calls are wiped by the library.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import threading
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

__all__ = ["Adm", "Handler", "SbiError", "answer_status", "auth_response_body", "b64decode", "b64encode",
           "handle", "http_status", "load", "op_from_path", "op_of", "op_path", "parse_auth_response",
           "parse_problem", "parse_rand_response", "parse_request", "parse_session_key_response",
           "parse_tid_response", "request_body", "status_name", "write_problem", "OPS"]

#: TS 29.369 operationId -> aiotsec_adm_op.
OPS = {"getRand": 1, "getAuthentication": 2, "getSessionKey": 3, "getTid": 4}
_BODY_MAX = 16 * 1024 * 1024  # AIOTSEC_SBI_BODY_MAX
_SONAME = "libaiotsec-sbi.so.1"

_p = ctypes.c_void_p
_sz = ctypes.c_size_t
_u8p = ctypes.POINTER(ctypes.c_uint8)


class AdmRequest(ctypes.Structure):
    """``aiotsec_adm_request`` (nadm.h); its size is checked against the library."""

    _fields_ = [("id", ctypes.c_uint64), ("proc_id", ctypes.c_uint64), ("op", ctypes.c_int),
                ("attempt", ctypes.c_uint32), ("deadline_ms", ctypes.c_uint64),
                ("perm_id", _u8p), ("perm_id_len", _sz), ("filter", _u8p), ("filter_len", _sz),
                ("rand_n", _u8p), ("rand_n_len", _sz), ("rand_d", _u8p), ("rand_d_count", _sz),
                ("resync", ctypes.c_int)]


class TidInfo(ctypes.Structure):
    """``aiotsec_tid_info`` (nadm.h)."""

    _fields_ = [("tid", ctypes.c_uint8 * 16), ("tid_previous", ctypes.c_uint8 * 16),
                ("has_previous", ctypes.c_int), ("tid_type", ctypes.c_int)]


class AdmConfig(ctypes.Structure):
    """``aiotsec_adm_config`` (adm.h)."""

    _fields_ = [("struct_size", ctypes.c_uint32), ("max_derivations", ctypes.c_uint32), ("pool", _p)]


class SbiError(Exception):
    """A libaiotsec / libaiotsec-sbi call failed.

    Attributes: ``status`` (the negative status), ``name`` (e.g. "AIOTSEC_E_BAD_ANSWER"),
    and for a refused request body (:func:`parse_request`) ``http_status``, ``cause``,
    ``param`` (a JSON pointer) and ``reason``.
    """

    def __init__(self, status: int, name: str, message: str, **problem: Any):
        super().__init__(f"{name}: {message}" + (f" ({problem})" if problem else ""))
        self.status = status
        self.name = name
        self.http_status = problem.get("http_status")
        self.cause = problem.get("cause")
        self.param = problem.get("param")
        self.reason = problem.get("reason")


# --- loading ----------------------------------------------------------------------------------

# (name, restype, argtypes) of every function this module calls.
_PROTOS = [
    ("aiotsec_sbi_op_from_path", ctypes.c_int, [ctypes.c_char_p, _sz, ctypes.POINTER(ctypes.c_int)]),
    ("aiotsec_sbi_op_path", ctypes.c_int, [ctypes.c_int, ctypes.POINTER(ctypes.c_char_p)]),
    ("aiotsec_sbi_http_status", ctypes.c_int, [ctypes.c_int, ctypes.POINTER(ctypes.c_int)]),
    ("aiotsec_sbi_answer_status", ctypes.c_int, [ctypes.POINTER(AdmRequest), ctypes.c_int]),
    ("aiotsec_sbi_base64_encode", ctypes.c_int, [ctypes.c_char_p, _sz, ctypes.c_char_p, _sz, ctypes.POINTER(_sz)]),
    ("aiotsec_sbi_base64_decode", ctypes.c_int, [ctypes.c_char_p, _sz, _u8p, _sz, ctypes.POINTER(_sz)]),
    ("aiotsec_sbi_request_new", ctypes.c_int, [ctypes.POINTER(_p), _sz]),
    ("aiotsec_sbi_request_free", None, [_p]),
    ("aiotsec_sbi_request_parse", ctypes.c_int,
     [_p, ctypes.c_int, ctypes.c_char_p, _sz, ctypes.POINTER(ctypes.POINTER(AdmRequest))]),
    ("aiotsec_sbi_request_error", ctypes.c_int, [_p, ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_char_p),
                                                 ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(ctypes.c_char_p)]),
    ("aiotsec_sbi_write_auth_response", ctypes.c_int, [_p, ctypes.c_char_p, _sz, ctypes.POINTER(_sz)]),
    ("aiotsec_sbi_write_problem", ctypes.c_int,
     [ctypes.c_int, ctypes.POINTER(AdmRequest), ctypes.c_char_p, _sz, ctypes.POINTER(_sz), ctypes.POINTER(ctypes.c_int)]),
    ("aiotsec_sbi_handler_new", ctypes.c_int, [ctypes.POINTER(_p), _p, _sz]),
    ("aiotsec_sbi_handler_free", None, [_p]),
    ("aiotsec_sbi_handle", ctypes.c_int, [_p, ctypes.c_int, ctypes.c_char_p, _sz, ctypes.POINTER(ctypes.c_int),
                                          ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(_sz)]),
    ("aiotsec_sbi_handler_last_status", ctypes.c_int, [_p, ctypes.POINTER(ctypes.c_int)]),
    ("aiotsec_sbi_handler_clear", ctypes.c_int, [_p]),
    ("aiotsec_sbi_write_request", ctypes.c_int, [ctypes.POINTER(AdmRequest), ctypes.c_char_p, _sz, ctypes.POINTER(_sz)]),
    ("aiotsec_sbi_parse_rand_response", ctypes.c_int, [ctypes.c_char_p, _sz, _u8p, _sz, ctypes.POINTER(_sz)]),
    ("aiotsec_sbi_parse_auth_response", ctypes.c_int, [ctypes.c_char_p, _sz, _p]),
    ("aiotsec_sbi_parse_session_key_response", ctypes.c_int, [ctypes.c_char_p, _sz, _u8p, _sz, ctypes.POINTER(_sz)]),
    ("aiotsec_sbi_parse_tid_response", ctypes.c_int, [ctypes.c_char_p, _sz, ctypes.POINTER(TidInfo)]),
    ("aiotsec_sbi_parse_problem", ctypes.c_int,
     [ctypes.c_char_p, _sz, ctypes.POINTER(ctypes.c_int), ctypes.c_char_p, _sz]),
    # libaiotsec, reached through libaiotsec-sbi's dependency
    ("aiotsec_status_name", ctypes.c_char_p, [ctypes.c_int]),
    ("aiotsec_strerror", ctypes.c_char_p, [ctypes.c_int]),
    ("aiotsec_adm_request_structbytes", _sz, []),
    ("aiotsec_tid_info_structbytes", _sz, []),
    ("aiotsec_keystore_structbytes", _sz, []),
    ("aiotsec_ctx_new", ctypes.c_int, [ctypes.POINTER(_p), ctypes.c_char_p, _p]),
    ("aiotsec_ctx_free", None, [_p]),
    ("aiotsec_memstore_new", ctypes.c_int, [ctypes.POINTER(_p), _p, _sz]),
    ("aiotsec_memstore_free", None, [_p]),
    ("aiotsec_memstore_add", ctypes.c_int, [_p, ctypes.c_char_p, _sz, ctypes.c_char_p, _sz]),
    ("aiotsec_memstore_load_buffer", ctypes.c_int, [_p, ctypes.c_char_p, _sz, ctypes.POINTER(_sz)]),
    ("aiotsec_memstore_keystore", ctypes.c_int, [_p, _p]),  # the table: an opaque buffer here
    ("aiotsec_adm_config_structbytes", _sz, []),
    ("aiotsec_adm_config_init", ctypes.c_int, [ctypes.POINTER(AdmConfig), _p]),
    ("aiotsec_adm_new", ctypes.c_int, [ctypes.POINTER(_p), _p, _p, ctypes.POINTER(AdmConfig)]),
    ("aiotsec_adm_free", None, [_p]),
    ("aiotsec_auth_answer_new", ctypes.c_int, [ctypes.POINTER(_p), _sz]),
    ("aiotsec_auth_answer_free", None, [_p]),
    ("aiotsec_auth_answer_set_count", _sz, [_p]),
    ("aiotsec_auth_answer_set", ctypes.c_int, [_p, _sz, ctypes.POINTER(_u8p), ctypes.POINTER(_sz)]),
    ("aiotsec_auth_answer_entry", ctypes.c_int,
     [_p, _sz, _sz, ctypes.POINTER(_u8p), ctypes.POINTER(_sz), ctypes.POINTER(_u8p), ctypes.POINTER(_sz)]),
    ("aiotsec_auth_answer_add_set", ctypes.c_int, [_p, ctypes.c_char_p, _sz]),
    ("aiotsec_auth_answer_add_entry", ctypes.c_int, [_p, ctypes.c_char_p, _sz, ctypes.c_char_p, _sz]),
]


def _repo_root() -> Optional[Path]:
    root = Path(__file__).resolve().parents[2]
    try:
        return root if "project(aiotsec" in (root / "CMakeLists.txt").read_text(errors="replace") else None
    except OSError:
        return None


def _candidates() -> List[str]:
    env = os.environ.get("AIOTSEC_SBI_LIBRARY")
    if env:
        return [env]
    found = []
    root = _repo_root()
    if root is not None:
        for build in root.glob("build*"):
            lib = build / _SONAME
            try:
                found.append((build.name != "build", -lib.stat().st_mtime, str(lib)))
            except OSError:
                continue
    paths = [p for _, _, p in sorted(found)]
    system = ctypes.util.find_library("aiotsec-sbi")
    return paths + ([system] if system else []) + [_SONAME]


_lock = threading.Lock()
_lib: Optional[ctypes.CDLL] = None


def load(path: Union[str, os.PathLike, None] = None) -> ctypes.CDLL:
    """Loads libaiotsec-sbi (see the module description for the search order) and checks it."""
    global _lib
    core = os.environ.get("AIOTSEC_LIBRARY")
    if core:  # the core library the caller chose, so that libaiotsec-sbi binds to it
        ctypes.CDLL(core, mode=ctypes.RTLD_GLOBAL)
    tried = []
    for cand in ([os.fspath(path)] if path is not None else _candidates()):
        try:
            lib = ctypes.CDLL(cand)
        except OSError as exc:
            tried.append(f"{cand}: {exc}")
            continue
        for name, restype, argtypes in _PROTOS:
            fn = getattr(lib, name)
            fn.restype = restype
            fn.argtypes = argtypes
        for struct, getter in ((AdmRequest, "aiotsec_adm_request_structbytes"), (TidInfo, "aiotsec_tid_info_structbytes"),
                               (AdmConfig, "aiotsec_adm_config_structbytes")):
            if ctypes.sizeof(struct) != getattr(lib, getter)():
                raise SbiError(-4, "AIOTSEC_E_BAD_VALUE", f"{struct.__name__} does not match {cand}")
        with _lock:
            _lib = lib
        return lib
    raise OSError("libaiotsec-sbi not found (set AIOTSEC_SBI_LIBRARY); tried: " + "; ".join(tried))


def _get() -> ctypes.CDLL:
    lib = _lib
    return lib if lib is not None else load()


def _check(rc: int) -> int:
    if rc < 0:
        lib = _get()
        raise SbiError(rc, lib.aiotsec_status_name(rc).decode(), lib.aiotsec_strerror(rc).decode())
    return rc


def status_name(status: int) -> str:
    """The symbolic name of a status, e.g. "AIOTSEC_E_NO_CANDIDATE"."""
    return _get().aiotsec_status_name(int(status)).decode()


# --- small pieces -------------------------------------------------------------------------------

def op_of(op: Union[int, str]) -> int:
    """An aiotsec_adm_op from an int, an operationId ("getTid") or a path ("/get-tid", "get-tid")."""
    if isinstance(op, int):
        return op
    if op in OPS:
        return OPS[op]
    return op_from_path(op if op.startswith("/") else "/" + op)


def op_from_path(path: str) -> int:
    """The operation of a request path (aiotsec_sbi_op_from_path)."""
    raw = path.encode()
    out = ctypes.c_int()
    _check(_get().aiotsec_sbi_op_from_path(raw, len(raw), ctypes.byref(out)))
    return out.value


def op_path(op: Union[int, str]) -> str:
    """The path of an operation below {apiRoot}/nadm-sec/v1."""
    out = ctypes.c_char_p()
    _check(_get().aiotsec_sbi_op_path(op_of(op), ctypes.byref(out)))
    return out.value.decode()


def http_status(status: int) -> int:
    """The HTTP status an ADM answers a library status with."""
    out = ctypes.c_int()
    _check(_get().aiotsec_sbi_http_status(int(status), ctypes.byref(out)))
    return out.value


def b64encode(data: bytes) -> str:
    """Base64 as the library writes TS 29.571 `Bytes`."""
    data = bytes(data)
    need = _sz()
    lib = _get()
    lib.aiotsec_sbi_base64_encode(data, len(data), None, 0, ctypes.byref(need))
    buf = ctypes.create_string_buffer(need.value + 1)
    _check(lib.aiotsec_sbi_base64_encode(data, len(data), buf, len(buf), ctypes.byref(need)))
    return buf.value.decode()


def b64decode(text: str) -> bytes:
    """Strict base64 (SbiError AIOTSEC_E_BAD_VALUE otherwise)."""
    raw = text.encode()
    out = (ctypes.c_uint8 * (len(raw) // 4 * 3 + 3))()
    n = _sz()
    _check(_get().aiotsec_sbi_base64_decode(raw, len(raw), out, len(out), ctypes.byref(n)))
    return bytes(out[:n.value])


def _encode(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, (bytes, bytearray)):
        return bytes(body)
    if isinstance(body, str):
        return body.encode()
    return json.dumps(body, separators=(",", ":")).encode()


def _json(raw: bytes) -> Any:
    return json.loads(raw.decode()) if raw else None


# --- ADM side ---------------------------------------------------------------------------------

class Adm:
    """An ADM over an in-memory key store (context + ``aiotsec_memstore`` + ``aiotsec_adm``).

    Args:
        keys: key-file text (``PERM_ID_HEX K_AIOT_ROOT_HEX`` lines) or pairs (perm_id, k_root) of bytes.
        backend: crypto backend name, or None for the default.
        max_derivations: the ADM's limit of |candidates| x |randDlist| (None: the profile's).
    """

    def __init__(self, keys: Union[str, bytes, Iterable[Tuple[bytes, bytes]]], backend: Optional[str] = None,
                 max_derivations: Optional[int] = None):
        lib = _get()
        self._lib = lib
        self._ctx = _p()
        self._store = _p()
        self._adm = _p()
        self._handler: Optional[Handler] = None
        try:
            _check(lib.aiotsec_ctx_new(ctypes.byref(self._ctx), backend.encode() if backend else None, None))
            _check(lib.aiotsec_memstore_new(ctypes.byref(self._store), self._ctx, 0))
            if isinstance(keys, (str, bytes)):
                text = keys.encode() if isinstance(keys, str) else keys
                line = _sz()
                rc = lib.aiotsec_memstore_load_buffer(self._store, text, len(text), ctypes.byref(line))
                if rc < 0:
                    raise SbiError(rc, status_name(rc), f"key text, line {line.value}")
            else:
                for perm_id, k_root in keys:
                    _check(lib.aiotsec_memstore_add(self._store, bytes(perm_id), len(perm_id), bytes(k_root),
                                                    len(k_root)))
            # The key-store table only goes from the store to the ADM: no need to know its layout.
            ks = ctypes.create_string_buffer(lib.aiotsec_keystore_structbytes())
            _check(lib.aiotsec_memstore_keystore(self._store, ks))
            cfg = AdmConfig()
            _check(lib.aiotsec_adm_config_init(ctypes.byref(cfg), self._ctx))
            if max_derivations is not None:
                cfg.max_derivations = int(max_derivations)
            _check(lib.aiotsec_adm_new(ctypes.byref(self._adm), self._ctx, ks, ctypes.byref(cfg)))
        except BaseException:
            self.close()
            raise

    @property
    def _as_parameter_(self) -> _p:
        if not self._adm:
            raise ValueError("the ADM is closed")
        return self._adm

    def handler(self) -> "Handler":
        """The handler :func:`handle` uses for this ADM (made on first use)."""
        if self._handler is None:
            self._handler = Handler(self)
        return self._handler

    def close(self) -> None:
        """Frees the handler, the ADM, the key store (keys wiped) and the context."""
        if self._handler is not None:
            self._handler.close()
            self._handler = None
        for attr, free in (("_adm", "aiotsec_adm_free"), ("_store", "aiotsec_memstore_free"),
                           ("_ctx", "aiotsec_ctx_free")):
            ptr = getattr(self, attr, None)
            if ptr:
                getattr(self._lib, free)(ptr)
                setattr(self, attr, _p())

    def __enter__(self) -> "Adm":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # interpreter shutdown
            pass


class Handler:
    """``aiotsec_sbi_handler`` over an ADM (an :class:`Adm`, or anything with ``_as_parameter_``).

    Not thread-safe: one per thread (the ADM may be shared).
    """

    def __init__(self, adm: Any, max_body: int = 0):
        self._lib = _get()
        self._adm = adm  # kept alive as long as the handler
        self._h = _p()
        _check(self._lib.aiotsec_sbi_handler_new(ctypes.byref(self._h), adm, int(max_body)))

    def handle_raw(self, op: Union[int, str], body: Any) -> Tuple[int, bytes]:
        """One request: (HTTP status, response body as bytes)."""
        if not self._h:
            raise ValueError("the handler is closed")
        raw = _encode(body)
        http = ctypes.c_int()
        resp = ctypes.c_void_p()
        n = _sz()
        _check(self._lib.aiotsec_sbi_handle(self._h, op_of(op), raw, len(raw), ctypes.byref(http),
                                            ctypes.byref(resp), ctypes.byref(n)))
        out = ctypes.string_at(resp.value, n.value)
        self._lib.aiotsec_sbi_handler_clear(self._h)  # wipe the C copy now
        return http.value, out

    def handle(self, op: Union[int, str], body: Any) -> Tuple[int, Dict[str, Any]]:
        """One request: (HTTP status, response dict: the success body or a ProblemDetails)."""
        status, raw = self.handle_raw(op, body)
        return status, _json(raw)

    @property
    def last_status(self) -> int:
        """The library status behind the last response (0 after a success)."""
        out = ctypes.c_int()
        _check(self._lib.aiotsec_sbi_handler_last_status(self._h, ctypes.byref(out)))
        return out.value

    def close(self) -> None:
        if self._h:
            self._lib.aiotsec_sbi_handler_free(self._h)
            self._h = _p()

    def __enter__(self) -> "Handler":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass


def handle(adm: Union[Adm, Handler], op: Union[int, str], body: Any) -> Tuple[int, Dict[str, Any]]:
    """Answers one request as the SBI would: (HTTP status, response or ProblemDetails dict)."""
    handler = adm if isinstance(adm, Handler) else adm.handler()
    return handler.handle(op, body)


def parse_request(op: Union[int, str], body: Any, max_rand_d: int = 65536) -> Dict[str, Any]:
    """The ADM-side parse of a request body, as a dict of octets.

    Returns ``{"op", "perm_id", "filter", "rand_n", "rand_d" (list), "resync"}`` (absent
    members None); raises SbiError with ``http_status``, ``cause``, ``param``, ``reason``.
    """
    lib = _get()
    raw = _encode(body)
    p = _p()
    _check(lib.aiotsec_sbi_request_new(ctypes.byref(p), max_rand_d))
    try:
        req = ctypes.POINTER(AdmRequest)()
        rc = lib.aiotsec_sbi_request_parse(p, op_of(op), raw, len(raw), ctypes.byref(req))
        if rc < 0:
            http, cause, param, reason = ctypes.c_int(), ctypes.c_char_p(), ctypes.c_char_p(), ctypes.c_char_p()
            problem = {}
            if lib.aiotsec_sbi_request_error(p, ctypes.byref(http), ctypes.byref(cause), ctypes.byref(param),
                                             ctypes.byref(reason)) == 0:
                problem = {"http_status": http.value, "cause": cause.value.decode(), "param": param.value.decode(),
                           "reason": reason.value.decode()}
            raise SbiError(rc, status_name(rc), "request refused", **problem)
        r = req.contents

        def octets(ptr: Any, n: int) -> Optional[bytes]:
            return ctypes.string_at(ptr, n) if ptr else None
        rand_d = octets(r.rand_d, 16 * r.rand_d_count) or b""
        return {"op": r.op, "perm_id": octets(r.perm_id, r.perm_id_len), "filter": octets(r.filter, r.filter_len),
                "rand_n": octets(r.rand_n, r.rand_n_len),
                "rand_d": [rand_d[i:i + 16] for i in range(0, len(rand_d), 16)], "resync": bool(r.resync)}
    finally:
        lib.aiotsec_sbi_request_free(p)


def write_problem(status: int) -> Tuple[int, Dict[str, Any]]:
    """The ProblemDetails an ADM answers an error status with: (HTTP status, dict)."""
    lib = _get()
    n = _sz()
    http = ctypes.c_int()
    lib.aiotsec_sbi_write_problem(int(status), None, None, 0, ctypes.byref(n), ctypes.byref(http))
    buf = ctypes.create_string_buffer(n.value + 1)
    _check(lib.aiotsec_sbi_write_problem(int(status), None, buf, len(buf), ctypes.byref(n), ctypes.byref(http)))
    return http.value, _json(buf.raw[:n.value])


class _Answer:
    """An ``aiotsec_auth_answer`` for the duration of a call."""

    def __init__(self, capacity: int):
        self.lib = _get()
        self.ptr = _p()
        _check(self.lib.aiotsec_auth_answer_new(ctypes.byref(self.ptr), capacity))

    def __enter__(self) -> "_Answer":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.lib.aiotsec_auth_answer_free(self.ptr)  # wiped by the library

    def sets(self) -> List[Tuple[bytes, List[Tuple[bytes, Optional[bytes]]]]]:
        out = []
        for s in range(self.lib.aiotsec_auth_answer_set_count(self.ptr)):
            rd, n = _u8p(), _sz()
            _check(self.lib.aiotsec_auth_answer_set(self.ptr, s, ctypes.byref(rd), ctypes.byref(n)))
            entries = []
            for e in range(n.value):
                x, xl, pid, pl = _u8p(), _sz(), _u8p(), _sz()
                _check(self.lib.aiotsec_auth_answer_entry(self.ptr, s, e, ctypes.byref(x), ctypes.byref(xl),
                                                          ctypes.byref(pid), ctypes.byref(pl)))
                entries.append((ctypes.string_at(x, xl.value), ctypes.string_at(pid, pl.value) if pid else None))
            out.append((ctypes.string_at(rd, 16), entries))
        return out


def auth_response_body(sets: Sequence[Tuple[bytes, Sequence[Tuple[bytes, Optional[bytes]]]]]) -> Dict[str, Any]:
    """A GetAuthenticationResponse as the library writes it, from [(rand_d, [(xres, perm_id or None)])]."""
    capacity = max(1, sum(len(e) for _, e in sets), len(sets))
    with _Answer(capacity) as ans:
        lib = ans.lib
        for rand_d, entries in sets:
            _check(lib.aiotsec_auth_answer_add_set(ans.ptr, bytes(rand_d), len(rand_d)))
            for xres, perm_id in entries:
                _check(lib.aiotsec_auth_answer_add_entry(ans.ptr, bytes(xres), len(xres), perm_id,
                                                         len(perm_id) if perm_id else 0))
        n = _sz()
        lib.aiotsec_sbi_write_auth_response(ans.ptr, None, 0, ctypes.byref(n))
        buf = ctypes.create_string_buffer(n.value + 1)
        _check(lib.aiotsec_sbi_write_auth_response(ans.ptr, buf, len(buf), ctypes.byref(n)))
        body = _json(buf.raw[:n.value])
        ctypes.memset(buf, 0, len(buf))
        return body


# --- AIOTF side -------------------------------------------------------------------------------

def _request(op: Union[int, str], perm_id: Optional[bytes], filter: Optional[bytes],  # noqa: A002
             rand_n: Optional[bytes], rand_d: Sequence[bytes], resync: bool) -> Tuple[AdmRequest, List[Any]]:
    keep: List[Any] = []  # the buffers the struct points into

    def view(data: Optional[bytes]) -> Any:
        if data is None:
            return None
        buf = (ctypes.c_uint8 * max(1, len(data))).from_buffer_copy(bytes(data) or b"\0")
        keep.append(buf)
        return ctypes.cast(buf, _u8p)
    r = AdmRequest()
    r.op = op_of(op)
    r.perm_id, r.perm_id_len = view(perm_id), len(perm_id or b"")
    r.filter, r.filter_len = view(filter), len(filter or b"")
    r.rand_n, r.rand_n_len = view(rand_n), len(rand_n or b"")
    joined = b"".join(bytes(x) for x in rand_d)
    r.rand_d, r.rand_d_count = view(joined if rand_d else None), len(rand_d)
    r.resync = 1 if resync else 0
    return r, keep


def request_body(op: Union[int, str], perm_id: Optional[bytes] = None, filter: Optional[bytes] = None,  # noqa: A002
                 rand_n: Optional[bytes] = None, rand_d: Sequence[bytes] = (), resync: bool = False
                 ) -> Optional[Dict[str, Any]]:
    """The body of a request to the ADM (aiotsec_sbi_write_request); None for getRand."""
    lib = _get()
    r, keep = _request(op, perm_id, filter, rand_n, rand_d, resync)
    n = _sz()
    rc = lib.aiotsec_sbi_write_request(ctypes.byref(r), None, 0, ctypes.byref(n))
    if rc not in (0, -3):  # -3: AIOTSEC_E_BUFFER_TOO_SMALL, the expected answer to a size query
        _check(rc)
    buf = ctypes.create_string_buffer(n.value + 1)
    _check(lib.aiotsec_sbi_write_request(ctypes.byref(r), buf, len(buf), ctypes.byref(n)))
    del keep
    return _json(buf.raw[:n.value])


def answer_status(op: Union[int, str], http: int, filter: bool = False) -> int:  # noqa: A002
    """The status the AIOTF takes for an HTTP outcome (0: no answer) of a request of ``op``."""
    r, keep = _request(op, None if filter else b"\x01", b"\x08\x01" if filter else None, None, (), False)
    rc = _get().aiotsec_sbi_answer_status(ctypes.byref(r), int(http))
    del keep
    return rc


def _fixed(fn_name: str, body: Any, size: int) -> bytes:
    raw = _encode(body)
    out = (ctypes.c_uint8 * size)()
    n = _sz()
    try:
        _check(getattr(_get(), fn_name)(raw, len(raw), out, size, ctypes.byref(n)))
        return bytes(out[:n.value])
    finally:
        ctypes.memset(out, 0, size)


def parse_rand_response(body: Any) -> bytes:
    """RAND_AIOT_n of a GetRandResponse."""
    return _fixed("aiotsec_sbi_parse_rand_response", body, 16)


def parse_session_key_response(body: Any) -> bytes:
    """K_AIOTF of a GetSessionKeyResponse (a secret)."""
    return _fixed("aiotsec_sbi_parse_session_key_response", body, 16)


def parse_auth_response(body: Any, capacity: int = 65536) -> List[Tuple[bytes, List[Tuple[bytes, Optional[bytes]]]]]:
    """A GetAuthenticationResponse as [(rand_d, [(xres, perm_id or None)])], read into an answer."""
    raw = _encode(body)
    with _Answer(capacity) as ans:
        _check(ans.lib.aiotsec_sbi_parse_auth_response(raw, len(raw), ans.ptr))
        return ans.sets()


def parse_tid_response(body: Any) -> Dict[str, Any]:
    """A GetTidResponse: {"tid", "tid_previous" (or None), "tid_type" (1 STORED, 2 CONCEALED, 0 other)}."""
    raw = _encode(body)
    t = TidInfo()
    _check(_get().aiotsec_sbi_parse_tid_response(raw, len(raw), ctypes.byref(t)))
    return {"tid": bytes(t.tid), "tid_previous": bytes(t.tid_previous) if t.has_previous else None,
            "tid_type": t.tid_type}


def parse_problem(body: Any) -> Tuple[int, str]:
    """(status, cause) of a ProblemDetails (0 and "" when absent)."""
    raw = _encode(body)
    st = ctypes.c_int()
    cause = ctypes.create_string_buffer(64)
    _check(_get().aiotsec_sbi_parse_problem(raw, len(raw), ctypes.byref(st), cause, len(cause)))
    return st.value, cause.value.decode()
