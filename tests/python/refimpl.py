"""An independent second implementation of the spec (tests only), written from
shared/spec/aiot-security-profile.md with the standard library (hmac, hashlib)
and python3-cryptography (AES). Nothing here calls libaiotsec."""

import hashlib
import hmac
import struct

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
    return kdf(k_root, FC_KAIOTF, rand_n, rand_d)


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
