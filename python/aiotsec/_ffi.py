"""C declarations: structs and the prototype (argtypes/restype) of every bound function.

Only functions that exist in the public headers are listed. Each area's table
is applied when the library is loaded; an area whose symbols are absent from
the loaded library (an older build) is simply reported as unavailable.
"""

from __future__ import annotations

import ctypes
from ctypes import (CFUNCTYPE, POINTER, Structure, c_char_p, c_int, c_size_t, c_uint,
                    c_uint8, c_uint16, c_uint32, c_void_p)
from typing import Dict, List, Sequence, Tuple

# Opaque handles travel as void*; "T **out" parameters as void**.
HANDLE = c_void_p
HANDLE_OUT = POINTER(c_void_p)
# Buffers: const input buffers are passed as bytes (c_char_p, no copy); output
# buffers are ctypes char arrays (create_string_buffer), also accepted as c_char_p.
BUF = c_char_p


class ProfileParams(Structure):
    """``aiotsec_profile_params`` (profile.h); size checked against aiotsec_profile_params_structbytes()."""

    _fields_ = [
        ("struct_size", c_uint32),
        ("id", c_uint32),
        ("rand_n_len", c_uint8),
        ("rand_d_len", c_uint8),
        ("res_len", c_uint8),
        ("alg_dist_enc", c_uint8),
        ("fc_res", c_uint16),
        ("fc_kaiotf", c_uint16),
        ("fc_alg_key", c_uint16),
        ("alg_dist_int", c_uint8),
        ("kaiotf_offset", c_uint8),
        ("alg_id_aia_hs", c_uint8),
        ("default_int_alg", c_uint8),
        ("default_enc_alg", c_uint8),
        ("nas_epd", c_uint8),
        ("mt_auth_response", c_uint8),
        ("mt_command_request", c_uint8),
        ("mt_command_response", c_uint8),
        ("cmd_read", c_uint8),
        ("cmd_write", c_uint8),
        ("cmd_permanent_disable", c_uint8),
        ("iei_read_data", c_uint8),
        ("status_success", c_uint8),
        ("status_params_invalid", c_uint8),
        ("status_msg_type_unknown", c_uint8),
        ("status_low_energy", c_uint8),
        ("status_invalid_mandatory", c_uint8),
        ("status_unspecified", c_uint8),
        ("nas_max_len", c_uint16),
        ("nas_max_data_len", c_uint16),
        ("filter_encoding", c_uint8),
        ("tid_type", c_uint8),
        ("max_derivations", c_uint32),
    ]


class KdfParam(Structure):
    """``aiotsec_kdf_param`` (kdf.h); size checked against aiotsec_kdf_param_structbytes()."""

    _fields_ = [("data", c_char_p), ("len", c_size_t)]


# Function pointer types of aiotsec_backend (backend.h).
HMAC_INIT = CFUNCTYPE(c_int, c_void_p, c_void_p, POINTER(c_uint8), c_size_t)
HMAC_UPDATE = CFUNCTYPE(c_int, c_void_p, c_void_p, POINTER(c_uint8), c_size_t)
HMAC_FINAL = CFUNCTYPE(c_int, c_void_p, c_void_p, POINTER(c_uint8))
HMAC_COPY = CFUNCTYPE(c_int, c_void_p, c_void_p, c_void_p)
HMAC_RELEASE = CFUNCTYPE(None, c_void_p, c_void_p)
HMAC_ONESHOT = CFUNCTYPE(c_int, c_void_p, POINTER(c_uint8), c_size_t, POINTER(c_uint8),
                         c_size_t, POINTER(c_uint8))
HMAC_BATCH = CFUNCTYPE(c_int, c_void_p, POINTER(c_void_p), POINTER(c_uint8), c_size_t,
                       c_size_t, POINTER(c_uint8))
RANDOM_BYTES = CFUNCTYPE(c_int, c_void_p, POINTER(c_uint8), c_size_t)
AES_INIT = CFUNCTYPE(c_int, c_void_p, c_void_p, POINTER(c_uint8))
AES_ENCRYPT = CFUNCTYPE(c_int, c_void_p, c_void_p, POINTER(c_uint8), POINTER(c_uint8))
AES_RELEASE = CFUNCTYPE(None, c_void_p, c_void_p)
# Added in the 0.3 layout (compact prepared keys).
HMAC_COMPACT = CFUNCTYPE(c_int, c_void_p, c_void_p, c_void_p)
HMAC_BATCH_COMPACT = CFUNCTYPE(c_int, c_void_p, POINTER(c_void_p), POINTER(c_uint8), c_size_t,
                               c_size_t, POINTER(c_uint8))

#: ``AIOTSEC_COMPACT_MAX`` (backend.h): the largest compact form of a prepared key, in octets.
COMPACT_MAX = 64


class BackendTable(Structure):
    """``aiotsec_backend`` (backend.h); size checked against aiotsec_backend_structbytes()."""

    _fields_ = [
        ("struct_size", c_uint32),
        ("abi_version", c_uint32),
        ("name", c_char_p),
        ("user", c_void_p),
        ("hmac_state_size", c_uint32),
        ("aes_state_size", c_uint32),
        ("hmac_init", HMAC_INIT),
        ("hmac_update", HMAC_UPDATE),
        ("hmac_final", HMAC_FINAL),
        ("hmac_copy", HMAC_COPY),
        ("hmac_release", HMAC_RELEASE),
        ("hmac_oneshot", HMAC_ONESHOT),
        ("hmac_batch_prepared", HMAC_BATCH),
        ("random_bytes", RANDOM_BYTES),
        ("aes128_init", AES_INIT),
        ("aes128_encrypt", AES_ENCRYPT),
        ("aes128_release", AES_RELEASE),
        # Added in 0.3 (a table with a smaller struct_size has none of them).
        ("hmac_compact_size", c_uint32),
        ("hmac_compact", HMAC_COMPACT),
        ("hmac_batch_compact", HMAC_BATCH_COMPACT),
    ]


Proto = Tuple[object, Sequence[object]]

# Core: version.h status.h backend.h portable.h profile.h context.h kdf.h derive.h prepared.h
CORE: Dict[str, Proto] = {
    # version.h
    "aiotsec_version_string": (c_char_p, []),
    "aiotsec_version_number": (c_uint, []),
    # status.h
    "aiotsec_strerror": (c_char_p, [c_int]),
    "aiotsec_status_name": (c_char_p, [c_int]),
    # backend.h
    "aiotsec_backend_find": (c_int, [c_char_p, POINTER(POINTER(BackendTable))]),
    "aiotsec_backend_count": (c_size_t, []),
    "aiotsec_backend_name_at": (c_char_p, [c_size_t]),
    "aiotsec_backend_caps": (c_uint32, [POINTER(BackendTable)]),
    "aiotsec_backend_structbytes": (c_size_t, []),
    # portable.h
    "aiotsec_backend_portable": (POINTER(BackendTable), []),
    # profile.h
    "aiotsec_profile_params_init": (c_int, [POINTER(ProfileParams)]),
    "aiotsec_profile_params_structbytes": (c_size_t, []),
    "aiotsec_profile_new": (c_int, [HANDLE_OUT, POINTER(ProfileParams)]),
    "aiotsec_profile_free": (None, [HANDLE]),
    "aiotsec_profile_default": (HANDLE, []),
    "aiotsec_profile_get": (c_int, [HANDLE, POINTER(ProfileParams)]),
    # context.h
    "aiotsec_ctx_new": (c_int, [HANDLE_OUT, c_char_p, HANDLE]),
    "aiotsec_ctx_new_custom": (c_int, [HANDLE_OUT, POINTER(BackendTable), HANDLE]),
    "aiotsec_ctx_free": (None, [HANDLE]),
    "aiotsec_ctx_backend_name": (c_char_p, [HANDLE]),
    "aiotsec_ctx_caps": (c_uint32, [HANDLE]),
    "aiotsec_ctx_profile": (HANDLE, [HANDLE]),
    "aiotsec_random": (c_int, [HANDLE, BUF, c_size_t]),
    "aiotsec_hmac_sha256": (c_int, [HANDLE, BUF, c_size_t, BUF, c_size_t, BUF, c_size_t]),
    # kdf.h
    "aiotsec_kdf": (c_int, [HANDLE, BUF, c_size_t, c_uint16, POINTER(KdfParam), c_size_t,
                            BUF, c_size_t]),
    "aiotsec_kdf_param_structbytes": (c_size_t, []),
    "aiotsec_kdf_out_bytes": (c_size_t, []),
    # derive.h
    "aiotsec_derive_res_bytes": (c_size_t, [HANDLE]),
    "aiotsec_derive_rand_n_bytes": (c_size_t, [HANDLE]),
    "aiotsec_derive_rand_d_bytes": (c_size_t, [HANDLE]),
    "aiotsec_derive_kaiotf_bytes": (c_size_t, []),
    "aiotsec_derive_alg_key_bytes": (c_size_t, [HANDLE, c_int, c_uint]),
    "aiotsec_gen_rand_n": (c_int, [HANDLE, BUF, c_size_t]),
    "aiotsec_gen_rand_d": (c_int, [HANDLE, BUF, c_size_t]),
    "aiotsec_derive_res": (c_int, [HANDLE, BUF, c_size_t, BUF, c_size_t, BUF, c_size_t,
                                   BUF, c_size_t]),
    "aiotsec_verify_res": (c_int, [HANDLE, BUF, c_size_t, BUF, c_size_t, BUF, c_size_t,
                                   BUF, c_size_t]),
    "aiotsec_derive_kaiotf": (c_int, [HANDLE, BUF, c_size_t, BUF, c_size_t, BUF, c_size_t,
                                      BUF, c_size_t]),
    "aiotsec_derive_alg_key": (c_int, [HANDLE, BUF, c_size_t, c_int, c_uint, BUF, c_size_t,
                                       POINTER(c_size_t)]),
    "aiotsec_ct_equal": (c_int, [BUF, BUF, c_size_t]),
    "aiotsec_wipe": (None, [c_void_p, c_size_t]),
    # prepared.h
    "aiotsec_prepared_key_new": (c_int, [HANDLE_OUT, HANDLE, BUF, c_size_t]),
    "aiotsec_prepared_key_free": (None, [HANDLE]),
    "aiotsec_prepared_derive_res": (c_int, [HANDLE, BUF, c_size_t, BUF, c_size_t, BUF, c_size_t]),
    "aiotsec_prepared_verify_res": (c_int, [HANDLE, BUF, c_size_t, BUF, c_size_t, BUF, c_size_t]),
    "aiotsec_prepared_derive_kaiotf": (c_int, [HANDLE, BUF, c_size_t, BUF, c_size_t, BUF,
                                               c_size_t]),
}

# Optional areas, added as their headers land: name -> prototype table.
AREAS: Dict[str, Dict[str, Proto]] = {}

# Struct sizes to verify at load time: (ctypes type, size getter).
STRUCT_CHECKS: List[Tuple[type, str]] = [
    (ProfileParams, "aiotsec_profile_params_structbytes"),
    (KdfParam, "aiotsec_kdf_param_structbytes"),
    (BackendTable, "aiotsec_backend_structbytes"),
]


def declare(cdll: ctypes.CDLL, table: Dict[str, Proto]) -> None:
    """Sets argtypes/restype of every function of ``table`` on ``cdll`` (AttributeError if one is missing)."""
    for name, (restype, argtypes) in table.items():
        fn = getattr(cdll, name)
        fn.restype = restype
        fn.argtypes = list(argtypes)

# Struct checks of optional areas: (ctypes type, size getter, area).
AREA_STRUCT_CHECKS: List[Tuple[type, str, str]] = []


# --- nas.h -------------------------------------------------------------------

class NasMsg(Structure):
    """``aiotsec_nas_msg`` (nas.h); octet fields are views (c_void_p + length)."""

    _fields_ = [
        ("type", c_int),
        ("res", c_void_p),
        ("res_len", c_size_t),
        ("rand_d", c_void_p),
        ("rand_d_len", c_size_t),
        ("transaction_id", c_uint8),
        ("command", c_int),
        ("offset", c_uint16),
        ("length", c_uint16),
        ("data", c_void_p),
        ("data_len", c_size_t),
        ("status", c_int),
    ]


class NasProtectedHdr(Structure):
    """``aiotsec_nas_protected_hdr`` (nas.h)."""

    _fields_ = [
        ("sht", c_int),
        ("mac", c_void_p),
        ("sqn", c_uint8),
        ("payload", c_void_p),
        ("payload_len", c_size_t),
    ]


AREAS["nas"] = {
    "aiotsec_nas_msg_structbytes": (c_size_t, []),
    "aiotsec_nas_protected_hdr_structbytes": (c_size_t, []),
    "aiotsec_nas_maxbytes": (c_size_t, [HANDLE]),
    "aiotsec_nas_mac_bytes": (c_size_t, []),
    "aiotsec_nas_decode": (c_int, [HANDLE, BUF, c_size_t, POINTER(NasMsg)]),
    "aiotsec_nas_encode": (c_int, [HANDLE, POINTER(NasMsg), BUF, c_size_t, POINTER(c_size_t)]),
    "aiotsec_nas_parse_protected": (c_int, [HANDLE, BUF, c_size_t, POINTER(NasProtectedHdr)]),
    "aiotsec_nas_peek_sht": (c_int, [HANDLE, BUF, c_size_t, POINTER(c_int)]),
    "aiotsec_nas_type_name": (c_char_p, [c_int]),
    "aiotsec_cmd_name": (c_char_p, [c_int]),
    "aiotsec_cmd_status_cause": (c_char_p, [c_int]),
    "aiotsec_cmd_status_to_wire": (c_int, [HANDLE, c_int, POINTER(c_uint8)]),
    "aiotsec_cmd_status_from_wire": (c_int, [HANDLE, c_uint8, POINTER(c_int)]),
}
AREA_STRUCT_CHECKS.append((NasMsg, "aiotsec_nas_msg_structbytes", "nas"))
AREA_STRUCT_CHECKS.append((NasProtectedHdr, "aiotsec_nas_protected_hdr_structbytes", "nas"))

# --- nas_security.h ------------------------------------------------------------

AREAS["nas_security"] = {
    "aiotsec_nas_sec_statebytes": (c_size_t, []),
    "aiotsec_nas_sec_new": (c_int, [HANDLE_OUT, HANDLE, BUF, c_size_t, c_uint, c_uint, c_int]),
    "aiotsec_nas_sec_free": (None, [HANDLE]),
    "aiotsec_nas_sec_set_tx_count": (c_int, [HANDLE, c_uint32]),
    "aiotsec_nas_sec_set_rx_last_count": (c_int, [HANDLE, c_uint32]),
    "aiotsec_nas_sec_tx_count": (c_int, [HANDLE, POINTER(c_uint32)]),
    "aiotsec_nas_sec_rx_last_count": (c_int, [HANDLE, POINTER(c_uint32)]),
    "aiotsec_nas_protect": (c_int, [HANDLE, BUF, c_size_t, BUF, c_size_t, POINTER(c_size_t)]),
    "aiotsec_nas_protect_msg": (c_int, [HANDLE, POINTER(NasMsg), BUF, c_size_t,
                                        POINTER(c_size_t)]),
    "aiotsec_nas_unprotect": (c_int, [HANDLE, BUF, c_size_t, BUF, c_size_t, POINTER(c_size_t)]),
    "aiotsec_nas_verify_decode": (c_int, [HANDLE, BUF, c_size_t, BUF, c_size_t,
                                          POINTER(NasMsg)]),
}

# --- nas_algs.h ----------------------------------------------------------------

AREAS["nas_algs"] = {
    "aiotsec_alg_cmac_bytes": (c_size_t, []),
    "aiotsec_alg_aes_cmac": (c_int, [HANDLE, BUF, c_size_t, BUF, c_size_t, BUF, c_size_t]),
    "aiotsec_alg_nia2": (c_int, [HANDLE, BUF, c_size_t, c_uint32, c_uint, c_uint, BUF, c_size_t,
                             BUF, c_size_t]),
    "aiotsec_alg_nea2": (c_int, [HANDLE, BUF, c_size_t, c_uint32, c_uint, c_uint, BUF, c_size_t,
                             BUF, c_size_t]),
    "aiotsec_alg_aia_hs": (c_int, [HANDLE, BUF, c_size_t, c_uint32, c_uint, c_uint, BUF, c_size_t,
                               BUF, c_size_t]),
}

# --- batch.h -------------------------------------------------------------------


class BatchItem(Structure):
    """``aiotsec_batch_item`` (batch.h)."""

    _fields_ = [
        ("key", c_void_p),
        ("rand_n", c_char_p),
        ("rand_n_len", c_size_t),
        ("rand_d", c_char_p),
        ("rand_d_len", c_size_t),
        ("res", c_char_p),
        ("res_len", c_size_t),
    ]


AREAS["batch"] = {
    "aiotsec_batch_item_structbytes": (c_size_t, []),
    "aiotsec_batch_derive_res": (c_int, [HANDLE, POINTER(BatchItem), c_size_t, BUF, c_size_t,
                                         POINTER(c_int), c_uint]),
    "aiotsec_batch_verify_res": (c_int, [HANDLE, POINTER(BatchItem), c_size_t, POINTER(c_int),
                                         c_uint, POINTER(c_size_t)]),
}
AREA_STRUCT_CHECKS.append((BatchItem, "aiotsec_batch_item_structbytes", "batch"))

# The caller-owned worker pool: its own area, so a library from before the pool
# still offers the per-call batch functions.
AREAS["batch_pool"] = {
    "aiotsec_batch_pool_new": (c_int, [HANDLE_OUT, c_uint]),
    "aiotsec_batch_pool_free": (None, [HANDLE]),
    "aiotsec_batch_pool_derive_res": (c_int, [HANDLE, HANDLE, POINTER(BatchItem), c_size_t, BUF,
                                              c_size_t, POINTER(c_int)]),
    "aiotsec_batch_pool_verify_res": (c_int, [HANDLE, HANDLE, POINTER(BatchItem), c_size_t,
                                              POINTER(c_int), POINTER(c_size_t)]),
}

# --- the roles (filter.h keystore.h nadm.h adm.h aiotf.h device.h) ------------------
# Declared in _ffi_roles.py (one module for the role headers keeps this one to the
# core, NAS and batch headers); its tables join AREAS here.

from ._ffi_roles import ROLE_AREAS, ROLE_STRUCT_CHECKS  # noqa: E402  (needs the names above)
from ._ffi_roles import (  # noqa: E402,F401  (re-exported: the modules use _ffi.X)
    AIOTF_STATS_FIELDS, AdmConfig, AdmNamed, AdmRequest, AiotfConfig, AiotfDevice, AiotfReport, AiotfStats,
    AiotfSummary, DEVICE_ENERGY_FN, DEVICE_RAND_FN, DeviceConfig, DeviceStats, KEYFILE_FN, KS_BY_PERM_ID,
    KS_LIST_MATCHING, KS_MAC_BY_PERM_ID, KS_PAGE_FN, KS_PREPARED_BY_PERM_ID, KS_TID_UPDATE, KsEntry, Keystore,
    MEMSTORE_NO_RAW_KEYS, TidInfo)

AREAS.update(ROLE_AREAS)
AREA_STRUCT_CHECKS.extend(ROLE_STRUCT_CHECKS)
