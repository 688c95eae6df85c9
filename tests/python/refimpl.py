"""An independent second implementation of the spec (tests only), written from
shared/spec/aiot-security-profile.md (revision 2) with the standard library (hmac,
hashlib) and python3-cryptography (AES). Nothing here calls libaiotsec.

Besides the derivations and messages it models the roles: AiotFilteringInformation
(spec 6.2), the candidate sets of getAuthentication (6.1) and the AIOTF's handling of
the answers to one paging (6.3), so the bindings' results can be predicted."""

import hashlib
import hmac
import struct
from typing import Dict, List, Optional, Sequence, Tuple

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.cmac import CMAC

# Profile 0 values of spec sections 3-5.
FC_RES, FC_KAIOTF, FC_ALG = 0xA0, 0xA1, 0xA2
RES_LEN = 16
DIST_ENC, DIST_INT = 0x01, 0x02
AIA_HS = 8
EPD = 0x7A
MT_AUTH_RESPONSE, MT_COMMAND_REQUEST, MT_COMMAND_RESPONSE = 0x41, 0x42, 0x43
IEI_READ_DATA = 0x71


def kdf(key: bytes, fc: int, *params: bytes) -> bytes:
    """TS 33.220 B.2: HMAC-SHA-256(key, FC || P0 || L0 || ...)."""
    s = bytes([fc]) if fc <= 0xFE else bytes([0xFF, fc & 0xFF])
    for p in params:
        s += p + struct.pack(">H", len(p))
    return hmac.new(key, s, hashlib.sha256).digest()


def res(k_root: bytes, rand_n: bytes, rand_d: bytes, res_len: int = RES_LEN) -> bytes:
    return kdf(k_root, FC_RES, rand_n, rand_d)[-res_len:]


def kaiotf(k_root: bytes, rand_n: bytes, rand_d: bytes) -> bytes:
    """A.3, revision 2: the 128 least significant bits (octets 16..31) of the KDF."""
    return kdf(k_root, FC_KAIOTF, rand_n, rand_d)[16:]


def alg_key(k_aiotf: bytes, dist: int, alg_id: int) -> bytes:
    out = kdf(k_aiotf, FC_ALG, bytes([dist]), bytes([alg_id]))
    return out if alg_id == AIA_HS and dist == DIST_INT else out[16:]


def _iv_block(count: int, bearer: int, direction: int) -> bytes:
    return struct.pack(">I", count) + bytes([(bearer << 3) | (direction << 2), 0, 0, 0])


def aes_cmac(key: bytes, msg: bytes) -> bytes:
    c = CMAC(algorithms.AES(key))
    c.update(msg)
    return c.finalize()


def nia2(key: bytes, count: int, bearer: int, direction: int, msg: bytes, bits: int) -> bytes:
    """128-NIA2 over whole octets (bits a multiple of 8 here)."""
    assert bits % 8 == 0
    return aes_cmac(key, _iv_block(count, bearer, direction) + msg[:bits // 8])[:4]


def nea2(key: bytes, count: int, bearer: int, direction: int, data: bytes) -> bytes:
    iv = _iv_block(count, bearer, direction) + bytes(8)
    enc = Cipher(algorithms.AES(key), modes.CTR(iv)).encryptor()
    return enc.update(data) + enc.finalize()


def aia_hs(key: bytes, count: int, bearer: int, direction: int, msg: bytes) -> bytes:
    return hmac.new(key, _iv_block(count, bearer, direction) + msg, hashlib.sha256).digest()[:4]


def protect(k_aiotf: bytes, count: int, direction: int, int_alg: int, enc_alg: int,
            plain: bytes) -> bytes:
    """Spec 5.2: EPD || SHT || MAC || SQN || (ciphered) plain; MAC over SQN || payload."""
    payload = plain
    if enc_alg == 2:
        payload = nea2(alg_key(k_aiotf, DIST_ENC, 2), count, 0, direction, plain)
    sqn_payload = bytes([count & 0xFF]) + payload
    if int_alg == 2:
        mac = nia2(alg_key(k_aiotf, DIST_INT, 2), count, 0, direction, sqn_payload,
                   8 * len(sqn_payload))
    else:
        mac = aia_hs(alg_key(k_aiotf, DIST_INT, AIA_HS), count, 0, direction, sqn_payload)
    sht = 2 if enc_alg else 1
    return bytes([EPD, sht]) + mac + sqn_payload


def enc_auth_response(res_v: bytes, rand_d: bytes) -> bytes:
    return bytes([EPD, 0, MT_AUTH_RESPONSE, len(res_v)]) + res_v + bytes([len(rand_d)]) + rand_d


def enc_read(tid: int, offset: int, length: int) -> bytes:
    return bytes([EPD, 0, MT_COMMAND_REQUEST, tid, 0x01]) + struct.pack(">HH", offset, length)


def enc_write(tid: int, offset: int, data: bytes) -> bytes:
    return (bytes([EPD, 0, MT_COMMAND_REQUEST, tid, 0x02]) + struct.pack(">HH", offset, len(data))
            + data)


def enc_disable(tid: int) -> bytes:
    return bytes([EPD, 0, MT_COMMAND_REQUEST, tid, 0x03])


def enc_cmd_response(tid: int, status_wire: int, data: bytes = b"") -> bytes:
    out = bytes([EPD, 0, MT_COMMAND_RESPONSE, tid, status_wire])
    if data:
        out += bytes([IEI_READ_DATA]) + struct.pack(">H", len(data)) + data
    return out


# COMMAND RESPONSE status code points of profile 0 (spec 5.3), by TS 29.569 cause.
STATUS_WIRE = {"SUCCESS": 0x00, "COMMAND_TYPE_SPECIFIC_PARAMETERS_INVALID": 0x01,
               "MESSAGE_TYPE_NON_EXISTENT_OR_NOT_IMPLEMENTED": 0x02, "LOW_ENERGY": 0x03,
               "INVALID_MANDATORY_INFORMATION": 0x04, "ERROR_UNSPECIFIED": 0xFF}


# --- AiotFilteringInformation, profile 0 (spec 6.2) ------------------------------------

def make_filter(prefix: bytes, bits: int) -> bytes:
    """Length octet, then ceil(bits / 8) prefix octets with the unused low bits cleared."""
    assert 1 <= bits <= 255
    n = (bits + 7) // 8
    body = bytearray(prefix[:n])
    if bits % 8:
        body[-1] &= (0xFF << (8 - bits % 8)) & 0xFF
    return bytes([bits]) + bytes(body)


def filter_ok(f: bytes) -> bool:
    """Well formed: 1..255 bits, exactly ceil(bits / 8) octets, unused bits 0."""
    if len(f) < 2 or f[0] == 0:
        return False
    bits = f[0]
    if len(f) != 1 + (bits + 7) // 8:
        return False
    return not bits % 8 or f[-1] & (0xFF >> (bits % 8)) == 0


def _bits_of(data: bytes, n: int) -> str:
    return "".join(format(b, "08b") for b in data)[:n]


def filter_match(f: bytes, perm_id: bytes) -> bool:
    """The first f[0] bits of perm_id equal the prefix; a shorter identifier never matches."""
    assert filter_ok(f)
    bits = f[0]
    if not 1 <= len(perm_id) <= 64 or 8 * len(perm_id) < bits:
        return False
    return _bits_of(perm_id, bits) == _bits_of(f[1:], bits)


# --- getAuthentication candidate sets (spec 6.1, steps 8 and 9) -------------------------

Store = Dict[bytes, bytes]   # Permanent Identifier -> K_AIOT_root


def candidate_sets(store: Store, rand_n: bytes, rand_d_list: Sequence[bytes], *,
                   perm_id: Optional[bytes] = None, filt: Optional[bytes] = None
                   ) -> List[Tuple[bytes, List[Tuple[bytes, Optional[bytes]]]]]:
    """One (rand_d, [(xres, perm_id or None), ...]) per RAND_AIOT_d, candidates sorted by
    Permanent Identifier (the order is not significant; sorting makes sets comparable).
    perm_id is left out of the entries when the request named the device."""
    assert (perm_id is None) != (filt is None)
    if perm_id is not None:
        cands = [perm_id] if perm_id in store else []
    else:
        cands = sorted(p for p in store if filter_match(filt, p))
    out = []
    for rd in rand_d_list:
        entries = [(res(store[p], rand_n, rd), None if perm_id is not None else p) for p in cands]
        out.append((rd, sorted(entries, key=lambda e: (e[1] or b"", e[0]))))
    return out


# --- the AIOTF's handling of the answers to one paging (spec 6.3) ------------------------

# Verdict names, as the library spells the statuses.
ACCEPTED, DUPLICATE, OVER_CAP = "AIOTSEC_OK", "AIOTSEC_E_DUPLICATE_REPORT", "AIOTSEC_E_OVER_CAP"
IDENTIFIED, AUTH_FAILED, NO_CANDIDATE = "AIOTSEC_OK", "AIOTSEC_E_AUTH_FAILED", "AIOTSEC_E_NO_CANDIDATE"
AMBIGUOUS = "AIOTSEC_E_AMBIGUOUS"


def decode_auth_response(msg: bytes) -> Tuple[bytes, bytes]:
    """(RES_AIOT, RAND_AIOT_d) of a well-formed profile 0 AUTHENTICATION RESPONSE."""
    assert msg[:3] == bytes([EPD, 0, MT_AUTH_RESPONSE])
    n = msg[3]
    res_v = msg[4:4 + n]
    m = msg[4 + n]
    return res_v, msg[5 + n:5 + n + m]


def paging_outcome(store: Store, rand_n: bytes, answers: Sequence[bytes], expected: int, *,
                   perm_id: Optional[bytes] = None, filt: Optional[bytes] = None,
                   senders: Optional[Sequence[Optional[bytes]]] = None, spares: int = 0):
    """What the AIOTF makes of the AUTHENTICATION RESPONSEs of one paging, in arrival order,
    when every answer arrives before the ADM answers anything.

    Returns (arrival, verdicts, held):
    - arrival[i] is what the AIOTF says when answer i arrives: ACCEPTED (taken: queued for the
      ADM, or held back as a spare), DUPLICATE (a RAND_AIOT_d already taken in the procedure)
      or OVER_CAP (``expected`` answers taken and ``spares`` more held back already);
    - verdicts, one per answer taken, in arrival order: (status name, Permanent Identifier or
      None). The candidate whose XRES_AIOT equals its RES_AIOT identifies it, none is an
      authentication failure, several are ambiguous, no candidate at all is NO_CANDIDATE. A
      held-back answer is sent only when an answer ahead of it identified nobody (each such
      answer calls up the next spare, in arrival order); the spares nobody called up end
      OVER_CAP, never sent;
    - held: the indexes, into verdicts, of the answers that were held back.

    ``senders`` (optional, for large groups) names who sent each answer (None: a forger).
    Only that candidate's XRES_AIOT is then computed and every other candidate is taken
    not to match: two 128-bit XRES_AIOT values collide with probability 2^-128, so this is
    the same prediction at the cost of one derivation instead of |candidates|.
    """
    sets_for = {}
    if perm_id is not None:
        cands = [perm_id] if perm_id in store else []
    else:
        cands = [p for p in store if filter_match(filt, p)]

    def verdict(i, res_v, rand_d):
        if not cands:
            return (NO_CANDIDATE if filt is not None else "AIOTSEC_E_UNKNOWN_DEVICE", None)
        if senders is not None:
            who = senders[i]
            hits = [who] if who is not None and who in cands and hmac.compare_digest(
                res(store[who], rand_n, rand_d), res_v) else []
        else:
            if rand_d not in sets_for:
                sets_for[rand_d] = [(p, res(store[p], rand_n, rand_d)) for p in cands]
            hits = [p for p, x in sets_for[rand_d] if hmac.compare_digest(x, res_v)]
        if len(hits) == 1:
            return (IDENTIFIED, hits[0])
        return (AMBIGUOUS, None) if hits else (AUTH_FAILED, None)

    arrival, taken, seen, sent, n_held = [], [], set(), 0, 0
    for i, msg in enumerate(answers):
        res_v, rand_d = decode_auth_response(msg)
        if rand_d in seen:
            arrival.append(DUPLICATE)
            continue
        spare = bool(expected) and sent >= expected
        if spare and n_held >= spares:
            arrival.append(OVER_CAP)
            continue
        seen.add(rand_d)
        arrival.append(ACCEPTED)
        taken.append((i, res_v, rand_d, spare))
        if spare:
            n_held += 1
        else:
            sent += 1
    verdicts = [None] * len(taken)
    held = [k for k, t in enumerate(taken) if t[3]]
    calls = 0
    for k, (i, res_v, rand_d, spare) in enumerate(taken):
        if not spare:
            verdicts[k] = verdict(i, res_v, rand_d)
            calls += verdicts[k][0] != IDENTIFIED
    for k in held:  # the spares, in arrival order, each called up by an answer that failed
        if calls:
            calls -= 1
            i, res_v, rand_d, _ = taken[k]
            verdicts[k] = verdict(i, res_v, rand_d)
            calls += verdicts[k][0] != IDENTIFIED
        else:
            verdicts[k] = (OVER_CAP, None)
    return arrival, verdicts, held
