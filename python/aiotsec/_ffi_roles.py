"""C declarations of the role headers: filter.h, keystore.h, nadm.h, adm.h, aiotf.h, device.h.

Imported by :mod:`aiotsec._ffi` (which re-exports the structs and merges these
tables into its ``AREAS``); every struct size is checked against the library's
size getter when it is loaded, so a layout written wrong here refuses to load
instead of corrupting memory.
"""

from __future__ import annotations

from ctypes import (CFUNCTYPE, POINTER, Structure, c_char_p, c_int, c_size_t, c_uint, c_uint8,
                    c_uint16, c_uint32, c_uint64, c_void_p)
from typing import Dict, List, Tuple

from ._ffi import BUF, HANDLE, HANDLE_OUT, NasMsg, Proto

ROLE_AREAS: Dict[str, Dict[str, Proto]] = {}
ROLE_STRUCT_CHECKS: List[Tuple[type, str, str]] = []

# --- filter.h: AiotFilteringInformation (spec 6.2) -----------------------------------

ROLE_AREAS["filter"] = {
    "aiotsec_filter_check": (c_int, [HANDLE, BUF, c_size_t]),
    "aiotsec_filter_match": (c_int, [HANDLE, BUF, c_size_t, BUF, c_size_t, POINTER(c_int)]),
    "aiotsec_filter_compare": (c_int, [HANDLE, BUF, c_size_t, BUF, c_size_t, POINTER(c_int)]),
    "aiotsec_filter_make": (c_int, [HANDLE, BUF, c_size_t, BUF, c_size_t, POINTER(c_size_t)]),
    "aiotsec_filter_bits": (c_int, [HANDLE, BUF, c_size_t, POINTER(c_size_t)]),
    "aiotsec_filter_maxbytes": (c_size_t, []),
}

# --- keystore.h ------------------------------------------------------------------------

KS_BY_PERM_ID = CFUNCTYPE(c_int, c_void_p, c_void_p, c_size_t, c_void_p, POINTER(c_size_t))
KS_MAC_BY_PERM_ID = CFUNCTYPE(c_int, c_void_p, c_void_p, c_size_t, c_void_p, c_size_t,
                              POINTER(c_uint8))
KS_PREPARED_BY_PERM_ID = CFUNCTYPE(c_int, c_void_p, c_void_p, c_size_t, POINTER(c_void_p))


class KsEntry(Structure):
    """``aiotsec_ks_entry`` (keystore.h): one device of a listing page (views)."""

    _fields_ = [("perm_id", c_void_p), ("perm_id_len", c_size_t), ("key", c_void_p)]


KS_PAGE_FN = CFUNCTYPE(c_int, c_void_p, POINTER(KsEntry), c_size_t)
KS_LIST_MATCHING = CFUNCTYPE(c_int, c_void_p, c_void_p, c_size_t, KS_PAGE_FN, c_void_p)
KS_TID_UPDATE = CFUNCTYPE(c_int, c_void_p, c_void_p, c_size_t, c_int, c_void_p, c_void_p,
                          c_void_p, POINTER(c_int))
KEYFILE_FN = CFUNCTYPE(c_int, c_void_p, c_size_t, c_void_p, c_size_t, c_void_p, c_size_t)


class Keystore(Structure):
    """``aiotsec_keystore`` (keystore.h): the table of operations the ADM calls."""

    _fields_ = [
        ("struct_size", c_uint32),
        ("user", c_void_p),
        ("by_perm_id", KS_BY_PERM_ID),
        ("prepared_by_perm_id", KS_PREPARED_BY_PERM_ID),
        ("list_matching", KS_LIST_MATCHING),
        ("tid_update", KS_TID_UPDATE),
        ("mac_by_perm_id", KS_MAC_BY_PERM_ID),
    ]


ROLE_AREAS["keystore"] = {
    "aiotsec_keystore_structbytes": (c_size_t, []),
    "aiotsec_keystore_id_maxbytes": (c_size_t, []),
    "aiotsec_keyfile_read_buffer": (c_int, [c_char_p, c_size_t, KEYFILE_FN, c_void_p,
                                            POINTER(c_size_t)]),
    "aiotsec_keyfile_read_file": (c_int, [c_char_p, KEYFILE_FN, c_void_p, POINTER(c_size_t)]),
    "aiotsec_memstore_new": (c_int, [HANDLE_OUT, HANDLE, c_size_t]),
    "aiotsec_memstore_new_with_flags": (c_int, [HANDLE_OUT, HANDLE, c_size_t, c_uint]),
    "aiotsec_memstore_free": (None, [HANDLE]),
    "aiotsec_memstore_add": (c_int, [HANDLE, BUF, c_size_t, BUF, c_size_t]),
    "aiotsec_memstore_load_buffer": (c_int, [HANDLE, c_char_p, c_size_t, POINTER(c_size_t)]),
    "aiotsec_memstore_load_file": (c_int, [HANDLE, c_char_p, POINTER(c_size_t)]),
    "aiotsec_memstore_count": (c_size_t, [HANDLE]),
    "aiotsec_memstore_device_at": (c_int, [HANDLE, c_size_t, POINTER(c_void_p), POINTER(c_size_t)]),
    "aiotsec_memstore_keystore": (c_int, [HANDLE, POINTER(Keystore)]),
}
ROLE_STRUCT_CHECKS.append((Keystore, "aiotsec_keystore_structbytes", "keystore"))

#: ``AIOTSEC_MEMSTORE_NO_RAW_KEYS``: flag of aiotsec_memstore_new_with_flags() (no raw K_AIOT_root).
MEMSTORE_NO_RAW_KEYS = 0x1

# --- nadm.h: requests and getAuthentication answers -------------------------------------


class AdmRequest(Structure):
    """``aiotsec_adm_request`` (nadm.h); octet fields are views owned by the AIOTF."""

    _fields_ = [
        ("id", c_uint64),
        ("proc_id", c_uint64),
        ("op", c_int),
        ("attempt", c_uint32),
        ("deadline_ms", c_uint64),
        ("perm_id", c_void_p),
        ("perm_id_len", c_size_t),
        ("filter", c_void_p),
        ("filter_len", c_size_t),
        ("rand_n", c_void_p),
        ("rand_n_len", c_size_t),
        ("rand_d", c_void_p),
        ("rand_d_count", c_size_t),
        ("resync", c_int),
    ]


class TidInfo(Structure):
    """``aiotsec_tid_info`` (nadm.h): what getTid returns."""

    _fields_ = [
        ("tid", c_uint8 * 16),
        ("tid_previous", c_uint8 * 16),
        ("has_previous", c_int),
        ("tid_type", c_int),
    ]


ROLE_AREAS["nadm"] = {
    "aiotsec_adm_request_structbytes": (c_size_t, []),
    "aiotsec_adm_op_name": (c_char_p, [c_int]),
    "aiotsec_auth_answer_new": (c_int, [HANDLE_OUT, c_size_t]),
    "aiotsec_auth_answer_free": (None, [HANDLE]),
    "aiotsec_auth_answer_reset": (None, [HANDLE]),
    "aiotsec_auth_answer_capacity": (c_size_t, [HANDLE]),
    "aiotsec_auth_answer_set_count": (c_size_t, [HANDLE]),
    "aiotsec_auth_answer_entry_count": (c_size_t, [HANDLE]),
    "aiotsec_auth_answer_set": (c_int, [HANDLE, c_size_t, POINTER(c_void_p), POINTER(c_size_t)]),
    "aiotsec_auth_answer_entry": (c_int, [HANDLE, c_size_t, c_size_t, POINTER(c_void_p),
                                          POINTER(c_size_t), POINTER(c_void_p), POINTER(c_size_t)]),
    "aiotsec_auth_answer_add_set": (c_int, [HANDLE, BUF, c_size_t]),
    "aiotsec_auth_answer_add_entry": (c_int, [HANDLE, BUF, c_size_t, BUF, c_size_t]),
    "aiotsec_tid_info_structbytes": (c_size_t, []),
}
ROLE_STRUCT_CHECKS += [(AdmRequest, "aiotsec_adm_request_structbytes", "nadm"),
                       (TidInfo, "aiotsec_tid_info_structbytes", "nadm")]

# --- adm.h -------------------------------------------------------------------------------


class AdmConfig(Structure):
    """``aiotsec_adm_config`` (adm.h)."""

    _fields_ = [("struct_size", c_uint32), ("max_derivations", c_uint32), ("pool", c_void_p)]


class AdmNamed(Structure):
    """``aiotsec_adm_named`` (adm.h): one named device of aiotsec_adm_get_authentication_named()."""

    _fields_ = [
        ("perm_id", c_char_p),
        ("perm_id_len", c_size_t),
        ("rand_n", c_char_p),
        ("rand_n_len", c_size_t),
        ("rand_d", c_char_p),
        ("rand_d_len", c_size_t),
    ]


ROLE_AREAS["adm"] = {
    "aiotsec_adm_config_init": (c_int, [POINTER(AdmConfig), HANDLE]),
    "aiotsec_adm_config_structbytes": (c_size_t, []),
    "aiotsec_adm_new": (c_int, [HANDLE_OUT, HANDLE, POINTER(Keystore), POINTER(AdmConfig)]),
    "aiotsec_adm_free": (None, [HANDLE]),
    "aiotsec_adm_max_derivations": (c_size_t, [HANDLE]),
    "aiotsec_adm_get_rand": (c_int, [HANDLE, BUF, c_size_t]),
    "aiotsec_adm_get_authentication": (c_int, [HANDLE, POINTER(AdmRequest), HANDLE]),
    "aiotsec_adm_named_structbytes": (c_size_t, []),
    "aiotsec_adm_get_authentication_named": (c_int, [HANDLE, POINTER(AdmNamed), c_size_t, BUF,
                                                     c_size_t, POINTER(c_int), POINTER(c_size_t)]),
    "aiotsec_adm_get_session_key": (c_int, [HANDLE, BUF, c_size_t, BUF, c_size_t, BUF, c_size_t,
                                            BUF, c_size_t]),
    "aiotsec_adm_get_tid": (c_int, [HANDLE, BUF, c_size_t, c_int, POINTER(TidInfo)]),
}
ROLE_STRUCT_CHECKS += [(AdmConfig, "aiotsec_adm_config_structbytes", "adm"),
                       (AdmNamed, "aiotsec_adm_named_structbytes", "adm")]

# --- aiotf.h -------------------------------------------------------------------------------


class AiotfConfig(Structure):
    """``aiotsec_aiotf_config`` (aiotf.h)."""

    _fields_ = [
        ("struct_size", c_uint32),
        ("timeout_ms", c_uint32),
        ("max_procedures", c_size_t),
        ("max_reports", c_size_t),
        ("max_batch", c_size_t),
        ("max_requests", c_size_t),
        ("max_sessions", c_size_t),
        ("spare_reports", c_size_t),
        ("int_alg", c_uint),
        ("enc_alg", c_uint),
    ]


#: Field names of ``aiotsec_aiotf_stats``, in order (all uint64_t).
AIOTF_STATS_FIELDS = (
    "started", "reports", "accepted", "authenticated", "auth_failed", "unsolicited", "late",
    "duplicate", "over_cap", "malformed", "adm_requests", "adm_retries", "adm_splits",
    "adm_errors", "commands_sent", "responses_ok", "responses_rejected", "expired")


class AiotfStats(Structure):
    """``aiotsec_aiotf_stats`` (aiotf.h)."""

    _fields_ = [(name, c_uint64) for name in AIOTF_STATS_FIELDS]


class AiotfSummary(Structure):
    """``aiotsec_aiotf_summary`` (aiotf.h)."""

    _fields_ = [
        ("proc_id", c_uint64),
        ("type", c_int),
        ("paging", c_int),
        ("rand_n", c_uint8 * 16),
        ("expected", c_uint32),
        ("accepted", c_uint32),
        ("spares", c_uint32),
        ("waiting", c_uint32),
        ("authenticated", c_uint32),
        ("auth_failed", c_uint32),
        ("errors", c_uint32),
        ("late", c_uint32),
        ("duplicate", c_uint32),
        ("over_cap", c_uint32),
        ("malformed", c_uint32),
        ("failure_cause", c_int),
    ]


class AiotfDevice(Structure):
    """``aiotsec_aiotf_device`` (aiotf.h); the array length is covered by the size check."""

    _fields_ = [
        ("report_id", c_uint64),
        ("proc_id", c_uint64),
        ("status", c_int),
        ("perm_id", c_uint8 * 64),
        ("perm_id_len", c_size_t),
        ("held_back", c_int),
        ("secured", c_int),
        ("last_cmd_status", c_int),
    ]


class AiotfReport(Structure):
    """``aiotsec_aiotf_report`` (aiotf.h): one Inventory Report of aiotsec_aiotf_on_reports()."""

    _fields_ = [
        ("rand_n", c_char_p),
        ("rand_n_len", c_size_t),
        ("nas", c_char_p),
        ("nas_len", c_size_t),
    ]


ROLE_AREAS["aiotf"] = {
    "aiotsec_aiotf_config_init": (c_int, [POINTER(AiotfConfig), HANDLE]),
    "aiotsec_aiotf_new": (c_int, [HANDLE_OUT, HANDLE, POINTER(AiotfConfig)]),
    "aiotsec_aiotf_free": (None, [HANDLE]),
    "aiotsec_aiotf_start": (c_int, [HANDLE, c_uint64, c_int, BUF, c_size_t, BUF, c_size_t, c_uint32,
                                    POINTER(c_uint64)]),
    "aiotsec_aiotf_next_requests": (c_int, [HANDLE, c_uint64, POINTER(AdmRequest), c_size_t,
                                            POINTER(c_size_t)]),
    "aiotsec_aiotf_queued_requests": (c_size_t, [HANDLE]),
    "aiotsec_aiotf_on_rand": (c_int, [HANDLE, c_uint64, c_uint64, c_int, BUF, c_size_t,
                                      POINTER(c_uint64)]),
    "aiotsec_aiotf_on_report": (c_int, [HANDLE, c_uint64, BUF, c_size_t, BUF, c_size_t,
                                        POINTER(c_uint64)]),
    "aiotsec_aiotf_on_reports": (c_int, [HANDLE, c_uint64, POINTER(AiotfReport), c_size_t,
                                         POINTER(c_int), POINTER(c_uint64)]),
    "aiotsec_aiotf_flush": (c_int, [HANDLE, c_uint64]),
    "aiotsec_aiotf_on_authentication": (c_int, [HANDLE, c_uint64, c_uint64, c_int, HANDLE,
                                                POINTER(c_size_t)]),
    "aiotsec_aiotf_on_session_key": (c_int, [HANDLE, c_uint64, c_uint64, c_int, BUF, c_size_t,
                                             POINTER(c_uint64)]),
    "aiotsec_aiotf_pump_local": (c_int, [HANDLE, c_uint64, HANDLE, HANDLE, POINTER(c_size_t)]),
    "aiotsec_aiotf_device_get": (c_int, [HANDLE, c_uint64, POINTER(AiotfDevice)]),
    "aiotsec_aiotf_devices": (c_int, [HANDLE, c_uint64, POINTER(AiotfDevice), c_size_t,
                                      POINTER(c_size_t)]),
    "aiotsec_aiotf_summary_get": (c_int, [HANDLE, c_uint64, POINTER(AiotfSummary)]),
    "aiotsec_failure_cause_name": (c_char_p, [c_int]),
    "aiotsec_aiotf_command": (c_int, [HANDLE, c_uint64, c_uint64, c_int, c_uint16, c_uint16, BUF,
                                      c_size_t, BUF, c_size_t, POINTER(c_size_t)]),
    "aiotsec_aiotf_on_command_response": (c_int, [HANDLE, c_uint64, c_uint64, BUF, c_size_t, BUF,
                                                  c_size_t, POINTER(NasMsg)]),
    "aiotsec_aiotf_finish": (c_int, [HANDLE, c_uint64]),
    "aiotsec_aiotf_expire": (c_size_t, [HANDLE, c_uint64]),
    "aiotsec_aiotf_pending": (c_size_t, [HANDLE]),
    "aiotsec_aiotf_stats_get": (c_int, [HANDLE, POINTER(AiotfStats)]),
    "aiotsec_aiotf_config_structbytes": (c_size_t, []),
    "aiotsec_aiotf_stats_structbytes": (c_size_t, []),
    "aiotsec_aiotf_summary_structbytes": (c_size_t, []),
    "aiotsec_aiotf_device_structbytes": (c_size_t, []),
    "aiotsec_aiotf_report_structbytes": (c_size_t, []),
}
ROLE_STRUCT_CHECKS += [(AiotfConfig, "aiotsec_aiotf_config_structbytes", "aiotf"),
                       (AiotfStats, "aiotsec_aiotf_stats_structbytes", "aiotf"),
                       (AiotfSummary, "aiotsec_aiotf_summary_structbytes", "aiotf"),
                       (AiotfDevice, "aiotsec_aiotf_device_structbytes", "aiotf"),
                       (AiotfReport, "aiotsec_aiotf_report_structbytes", "aiotf")]

# --- device.h ------------------------------------------------------------------------------

DEVICE_RAND_FN = CFUNCTYPE(c_int, c_void_p, POINTER(c_uint8), c_size_t)
DEVICE_ENERGY_FN = CFUNCTYPE(c_int, c_void_p, c_int, c_size_t)


class DeviceConfig(Structure):
    """``aiotsec_device_config`` (device.h)."""

    _fields_ = [
        ("struct_size", c_uint32),
        ("perm_id", c_char_p),
        ("perm_id_len", c_size_t),
        ("k_root", c_char_p),
        ("k_root_len", c_size_t),
        ("memory", c_void_p),
        ("memory_len", c_size_t),
        ("wp_offset", c_size_t),
        ("wp_len", c_size_t),
        ("rand", DEVICE_RAND_FN),
        ("rand_user", c_void_p),
        ("int_alg", c_uint),
        ("enc_alg", c_uint),
        ("disabled", c_int),
        ("energy", DEVICE_ENERGY_FN),
        ("energy_user", c_void_p),
    ]


class DeviceStats(Structure):
    """``aiotsec_device_stats`` (device.h)."""

    _fields_ = [(name, c_uint64) for name in (
        "pagings", "not_addressed", "answered", "aborted", "commands_executed",
        "commands_rejected")]


ROLE_AREAS["device"] = {
    "aiotsec_device_config_init": (c_int, [POINTER(DeviceConfig), HANDLE]),
    "aiotsec_device_statebytes": (c_size_t, []),
    "aiotsec_device_align": (c_size_t, []),
    "aiotsec_device_init": (c_int, [HANDLE_OUT, c_void_p, c_size_t, HANDLE, POINTER(DeviceConfig)]),
    "aiotsec_device_clear": (None, [HANDLE]),
    "aiotsec_device_on_paging": (c_int, [HANDLE, BUF, c_size_t, BUF, c_size_t, BUF, c_size_t, BUF,
                                         c_size_t, POINTER(c_size_t)]),
    "aiotsec_device_on_command": (c_int, [HANDLE, BUF, c_size_t, BUF, c_size_t,
                                          POINTER(c_size_t)]),
    "aiotsec_device_state_get": (c_int, [HANDLE, POINTER(c_int)]),
    "aiotsec_device_stats_get": (c_int, [HANDLE, POINTER(DeviceStats)]),
    "aiotsec_device_config_structbytes": (c_size_t, []),
    "aiotsec_device_stats_structbytes": (c_size_t, []),
}
ROLE_STRUCT_CHECKS += [(DeviceConfig, "aiotsec_device_config_structbytes", "device"),
                       (DeviceStats, "aiotsec_device_stats_structbytes", "device")]
