"""An independent second implementation of the spec's key derivations (tests only).

Written from /work/shared/spec/aiot-security-profile.md sections 2-3 with nothing
but hashlib/hmac, and deliberately without looking at the C code: the point is
that a misreading of the spec in the library shows up as a disagreement here.
"""
import hashlib
import hmac

# Profile 0 (spec section 3, revision 2). P = provisional values of the profile.
RAND_N_LEN = 16          # TS 29.503 Rand
RAND_D_LEN = 16          # TS 29.503 Rand
RES_LEN = 16             # P (TS 29.503 Xres allows 4..16)
KAIOTF_LEN = 16          # TS 29.369 Kaiotf
FC_RES = b"\xa0"         # P
FC_KAIOTF = b"\xa1"      # P
FC_ALG_KEY = b"\xa2"     # P
DIST_ENC = 0x01          # AIOT-NAS-enc-alg
DIST_INT = 0x02          # AIOT-NAS-int-alg
AIA_HS_ID = 8            # the only 256-bit algorithm (integrity)


def fc_octets(fc):
    """FC as octets: one octet 0x00..0xFE, or two octets 0xFF || FC2 (spec section 2)."""
    if len(fc) == 1 and fc != b"\xff":
        return fc
    if len(fc) == 2 and fc[0] == 0xFF:
        return fc
    raise ValueError("bad FC %s" % fc.hex())


def kdf(key, fc, params):
    """TS 33.220 B.2: HMAC-SHA-256(Key, FC || P0 || L0 || ... || Pn || Ln)."""
    s = bytearray(fc_octets(fc))
    for p in params:
        if len(p) > 0xFFFF:
            raise ValueError("parameter longer than 65535 octets")
        s += p
        s += len(p).to_bytes(2, "big")
    return hmac.new(key, bytes(s), hashlib.sha256).digest()


def _check_rand_inputs(k_root, rand_n, rand_d):
    if len(k_root) not in (16, 32):
        raise ValueError("K_AIOT_root must be 16 or 32 octets")
    if len(rand_n) != RAND_N_LEN or len(rand_d) != RAND_D_LEN:
        raise ValueError("RAND length")


def res_aiot(k_root, rand_n, rand_d):
    """A.2: the 8*RES_LEN least significant bits, i.e. the last RES_LEN octets."""
    _check_rand_inputs(k_root, rand_n, rand_d)
    return kdf(k_root, FC_RES, [rand_n, rand_d])[-RES_LEN:]


def k_aiotf(k_root, rand_n, rand_d):
    """A.3: the 128 least significant bits (P), i.e. the last 16 octets of the KDF output."""
    _check_rand_inputs(k_root, rand_n, rand_d)
    return kdf(k_root, FC_KAIOTF, [rand_n, rand_d])[-KAIOTF_LEN:]


def alg_key(kaiotf, kind, alg_id):
    """Algorithm key (mirrors TS 33.501 A.8): P0 = distinguisher, P1 = identity.

    kind is "int" or "enc". AIA-HS (integrity identity 8) keeps all 256 bits;
    every other (128-bit) algorithm keeps the 128 least significant bits."""
    if len(kaiotf) != KAIOTF_LEN:
        raise ValueError("K_AIOTF must be %d octets" % KAIOTF_LEN)
    if not 1 <= alg_id <= 15:
        raise ValueError("algorithm identity 1..15")
    dist = {"enc": DIST_ENC, "int": DIST_INT}[kind]
    out = kdf(kaiotf, FC_ALG_KEY, [bytes([dist]), bytes([alg_id])])
    if kind == "int" and alg_id == AIA_HS_ID:
        return out
    return out[-16:]


def read_tsv(path):
    """Rows of a shared vector file as dicts: '#' comment line, then a header line."""
    rows = []
    with open(path, encoding="utf-8") as f:
        lines = [ln.rstrip("\n") for ln in f if not ln.startswith("#") and ln.strip()]
    header = lines[0].split("\t")
    for ln in lines[1:]:
        fields = ln.split("\t")
        if len(fields) != len(header):
            raise ValueError("%s: row with %d fields, header has %d" % (path, len(fields), len(header)))
        rows.append(dict(zip(header, fields)))
    if not rows:
        raise ValueError("%s: no rows" % path)
    return rows


# --- AIOT NAS plain messages (spec section 5.1 and 5.3), for `aiotsec nas decode` -----

NAS_EPD = 0x7A
NAS_TYPES = {"AUTHENTICATION_RESPONSE": 0x41, "COMMAND_REQUEST": 0x42, "COMMAND_RESPONSE": 0x43}
NAS_COMMANDS = {"READ": 0x01, "WRITE": 0x02, "PERMANENT_DISABLE": 0x03}
NAS_CAUSES = {  # status code point -> TS 29.569 AIoTDevFailCause name (0x00, success, has none)
    0x01: "COMMAND_TYPE_SPECIFIC_PARAMETERS_INVALID",
    0x02: "MESSAGE_TYPE_NON_EXISTENT_OR_NOT_IMPLEMENTED",
    0x03: "LOW_ENERGY",
    0x04: "INVALID_MANDATORY_INFORMATION",
    0xFF: "ERROR_UNSPECIFIED",
}
NAS_IEI_READ_DATA = 0x71  # TLV-E (IEIs 0x70..0x7F have a 2-octet length)


def nas_encode(m):
    """A plain message from the dict of the CLI's JSON schema (octets as hex strings)."""
    out = bytearray([NAS_EPD, 0x00, NAS_TYPES[m["type"]]])
    if m["type"] == "AUTHENTICATION_RESPONSE":
        for name in ("res", "rand_d"):  # LV, 1-octet length
            v = bytes.fromhex(m[name])
            out += bytes([len(v)]) + v
    elif m["type"] == "COMMAND_REQUEST":
        out += bytes([m["transaction_id"], NAS_COMMANDS[m["command"]]])
        if m["command"] != "PERMANENT_DISABLE":
            out += m["offset"].to_bytes(2, "big")
        if m["command"] == "READ":
            out += m["length"].to_bytes(2, "big")
        if m["command"] == "WRITE":  # LV-E
            v = bytes.fromhex(m["data"])
            out += len(v).to_bytes(2, "big") + v
    else:
        out += bytes([m["transaction_id"], m["status"]])
        if "data" in m:  # optional Read data, TLV-E
            v = bytes.fromhex(m["data"])
            out += bytes([NAS_IEI_READ_DATA]) + len(v).to_bytes(2, "big") + v
    return bytes(out)
