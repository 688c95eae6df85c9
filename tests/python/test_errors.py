"""Bad inputs raise the documented exceptions and never crash the interpreter."""

import pytest

import aiotsec
from aiotsec import nas, nas_algs
from aiotsec.errors import error_class

K16 = bytes(range(16))
R16 = bytes(range(16, 32))
D16 = bytes(range(32, 48))
KF = bytes(range(16))      # K_AIOTF: 16 octets since profile revision 2
K32 = bytes(range(32))     # a 32-octet key (K_AIOT_root, the AIA-HS key)

NOT_BYTES = [None, "00" * 16, 16, [0] * 16, 1.5, object()]


# -- exception classes ------------------------------------------------------------

def test_families_follow_status_ranges():
    codes = aiotsec.status_codes()
    assert codes["AIOTSEC_OK"] == 0
    expected = [(-1, -19, aiotsec.ArgumentError), (-20, -39, aiotsec.AuthenticationError),
                (-40, -59, aiotsec.DecodeError), (-60, -79, aiotsec.SecurityError),
                (-80, -99, aiotsec.ProcedureError)]
    seen = set()
    for name, code in codes.items():
        if code == 0:
            continue
        for high, low, fam in expected:
            if low <= code <= high:
                cls = error_class(code, name)
                assert issubclass(cls, fam), (name, cls)
                assert issubclass(cls, aiotsec.AiotsecError)
                seen.add(fam)
        exc = aiotsec.library().error(code)
        assert exc.status == code and exc.name == name
        assert exc.message == aiotsec.strerror(code)
        assert name in str(exc)
    assert seen == {fam for _, _, fam in expected}


def test_special_subclasses_by_name():
    lib = aiotsec.library()
    assert type(lib.error(aiotsec.status_code("AIOTSEC_E_UNSUPPORTED"))) is aiotsec.UnsupportedError
    assert type(lib.error(aiotsec.status_code("AIOTSEC_E_UNKNOWN_BACKEND"))) is \
        aiotsec.UnknownBackendError
    assert type(lib.error(aiotsec.status_code("AIOTSEC_E_MAC_MISMATCH"))) is aiotsec.MacMismatchError
    assert type(lib.error(aiotsec.status_code("AIOTSEC_E_REPLAY"))) is aiotsec.ReplayError
    assert type(lib.error(-1000)) is aiotsec.AiotsecError
    assert aiotsec.status_name(-1000) == "AIOTSEC_E_UNKNOWN"
    with pytest.raises(KeyError):
        aiotsec.status_code("AIOTSEC_E_NO_SUCH_THING")


# -- type errors before any C call ----------------------------------------------------

@pytest.mark.parametrize("bad", NOT_BYTES, ids=repr)
def test_derive_rejects_non_bytes(bad, ctx):
    for args in ((bad, R16, D16), (K16, bad, D16), (K16, R16, bad)):
        with pytest.raises(TypeError):
            ctx.derive_res(*args)
        with pytest.raises(TypeError):
            ctx.derive_kaiotf(*args)
        with pytest.raises(TypeError):
            aiotsec.derive_res(*args)
    with pytest.raises(TypeError):
        ctx.verify_res(K16, R16, D16, bad)
    with pytest.raises(TypeError):
        ctx.derive_alg_key(bad, aiotsec.AlgType.INT, 8)
    with pytest.raises(TypeError):
        ctx.prepare_key(bad)
    with pytest.raises(TypeError):
        ctx.hmac_sha256(bad, b"")
    with pytest.raises(TypeError):
        ctx.kdf(bad, 0x20)
    with pytest.raises(TypeError):
        ctx.kdf(K16, 0x20, b"ok", bad)


def test_bytes_like_inputs_accepted(ctx):
    ref = ctx.derive_res(K16, R16, D16)
    assert ctx.derive_res(bytearray(K16), memoryview(R16), bytearray(D16)) == ref


@pytest.mark.parametrize("bad", [None, "0x20", 1.0, True, b"\x20"], ids=repr)
def test_kdf_fc_type(bad, ctx):
    with pytest.raises(TypeError):
        ctx.kdf(K16, bad, b"x")


@pytest.mark.parametrize("fc", [-1, 0x10000, 1 << 40])
def test_kdf_fc_out_of_16_bits(fc, ctx):
    with pytest.raises(aiotsec.ArgumentError) as ei:
        ctx.kdf(K16, fc, b"x")
    assert ei.value.name == "AIOTSEC_E_BAD_VALUE"


@pytest.mark.parametrize("fc", [0x00FF, 0x0100, 0xFEFF])
def test_kdf_invalid_fc_encoding(fc, ctx):
    with pytest.raises(aiotsec.ArgumentError) as ei:
        ctx.kdf(K16, fc, b"x")
    assert ei.value.name == "AIOTSEC_E_BAD_VALUE"
    assert isinstance(ei.value, ValueError)


@pytest.mark.parametrize("out_len", [0, 33, 1 << 40])
def test_kdf_bad_out_len(out_len, ctx):
    with pytest.raises(aiotsec.ArgumentError) as ei:
        ctx.kdf(K16, 0x20, b"x", out_len=out_len)
    assert ei.value.name == "AIOTSEC_E_BAD_LENGTH"


def test_kdf_param_too_long(ctx):
    with pytest.raises(aiotsec.ArgumentError) as ei:
        ctx.kdf(K16, 0x20, bytes(65536))
    assert ei.value.name == "AIOTSEC_E_BAD_LENGTH"
    # 65535 octets is the largest legal parameter; empty parameters are legal
    assert len(ctx.kdf(K16, 0x20, bytes(65535), b"")) == 32


# -- wrong lengths ----------------------------------------------------------------------

@pytest.mark.parametrize("args", [
    (b"", R16, D16), (bytes(15), R16, D16), (bytes(17), R16, D16), (bytes(64), R16, D16),
    (K16, b"", D16), (K16, R16[:15], D16), (K16, R16 + b"\0", D16),
    (K16, R16, b""), (K16, R16, D16[:4]), (K16, R16, bytes(33)),
], ids=lambda a: "-".join(str(len(x)) for x in a))
def test_derive_wrong_lengths(args, ctx):
    for fn in (ctx.derive_res, ctx.derive_kaiotf, aiotsec.derive_res):
        with pytest.raises(aiotsec.ArgumentError) as ei:
            fn(*args)
        assert ei.value.name == "AIOTSEC_E_BAD_LENGTH"
    with pytest.raises(aiotsec.ArgumentError):
        ctx.verify_res(*args, bytes(16))


def test_k_root_32_is_legal(ctx):
    assert len(ctx.derive_res(K32, R16, D16)) == ctx.res_len
    assert len(ctx.derive_kaiotf(K32, R16, D16)) == ctx.kaiotf_len == 16


@pytest.mark.parametrize("res_len", [0, 4, 15, 17, 32])
def test_verify_res_wrong_length(res_len, ctx):
    with pytest.raises(aiotsec.ArgumentError) as ei:
        ctx.verify_res(K16, R16, D16, bytes(res_len))
    assert ei.value.name == "AIOTSEC_E_BAD_LENGTH"


def test_prepared_key_wrong_lengths(ctx):
    for k in (b"", bytes(15), bytes(24), bytes(33)):
        with pytest.raises(aiotsec.ArgumentError):
            ctx.prepare_key(k)
    with ctx.prepare_key(K16) as key:
        with pytest.raises(aiotsec.ArgumentError):
            key.derive_res(R16[:8], D16)
        with pytest.raises(TypeError):
            key.derive_res(None, D16)
        with pytest.raises(aiotsec.ArgumentError):
            key.verify_res(R16, D16, b"\0")


def test_alg_key_errors(ctx):
    with pytest.raises(aiotsec.ArgumentError) as ei:
        ctx.derive_alg_key(KF[:15], aiotsec.AlgType.INT, 8)
    assert ei.value.name == "AIOTSEC_E_BAD_LENGTH"
    with pytest.raises(aiotsec.ArgumentError) as ei:    # the 0.1 length of K_AIOTF
        ctx.derive_alg_key(K32, aiotsec.AlgType.INT, 8)
    assert ei.value.name == "AIOTSEC_E_BAD_LENGTH"
    with pytest.raises(aiotsec.ArgumentError) as ei:
        ctx.derive_alg_key(KF, 7, 8)
    assert ei.value.name == "AIOTSEC_E_BAD_VALUE"
    for alg in (0, 16, 255, 1 << 31):
        with pytest.raises(aiotsec.SecurityError) as ei:
            ctx.derive_alg_key(KF, aiotsec.AlgType.INT, alg)
        assert ei.value.name == "AIOTSEC_E_UNKNOWN_ALG"
    with pytest.raises(ValueError):
        ctx.derive_alg_key(KF, aiotsec.AlgType.INT, -1)
    with pytest.raises(TypeError):
        ctx.derive_alg_key(KF, "INT", 8)
    assert ctx.alg_key_len(aiotsec.AlgType.INT, 8) == 32
    assert ctx.alg_key_len(aiotsec.AlgType.INT, 2) == 16
    assert ctx.alg_key_len(aiotsec.AlgType.ENC, 0) == 0


def test_random_errors(ctx):
    with pytest.raises(TypeError):
        ctx.random("16")
    with pytest.raises(ValueError):
        ctx.random(-1)
    with pytest.raises(aiotsec.ArgumentError) as ei:
        ctx.random(0)
    assert ei.value.name == "AIOTSEC_E_BAD_LENGTH"
    with pytest.raises(aiotsec.ArgumentError):
        ctx.random(1 << 30)
    a, b = ctx.random(32), ctx.random(32)
    assert len(a) == 32 and a != b
    assert len(ctx.gen_rand_n()) == ctx.rand_n_len
    assert len(ctx.gen_rand_d()) == ctx.rand_d_len


# -- contexts, backends and profiles --------------------------------------------------------

def test_unknown_backend():
    with pytest.raises(aiotsec.UnknownBackendError) as ei:
        aiotsec.Context("no-such-backend")
    assert ei.value.name == "AIOTSEC_E_UNKNOWN_BACKEND"
    with pytest.raises(aiotsec.UnknownBackendError):
        aiotsec.backend_caps("no-such-backend")
    with pytest.raises(aiotsec.UnknownBackendError):
        aiotsec.derive_res(K16, R16, D16, backend="no-such-backend")
    with pytest.raises(TypeError):
        aiotsec.Context(b"sodium")
    with pytest.raises(TypeError):
        aiotsec.Context(profile="profile0")


def test_default_backend_and_caps():
    names = aiotsec.backends()
    assert names and names[0] == "sodium"
    with aiotsec.Context() as c:
        assert c.backend == "sodium"
        assert c.caps & aiotsec.Caps.HMAC_SHA256
        assert c.profile == aiotsec.ProfileParams.default()
        assert c.res_len == c.profile.res_len


def test_bad_profile():
    with pytest.raises(aiotsec.ArgumentError) as ei:
        aiotsec.Profile(res_len=3)
    assert ei.value.name == "AIOTSEC_E_BAD_PROFILE"
    for change in (dict(rand_n_len=33), dict(rand_n_len=15), dict(rand_d_len=32),
                   dict(res_len=17), dict(kaiotf_offset=8), dict(max_derivations=0),
                   dict(max_derivations=(1 << 24) + 1)):
        with pytest.raises(aiotsec.ArgumentError) as ei:     # outside revision 2's ranges
            aiotsec.Profile(**change)
        assert ei.value.name == "AIOTSEC_E_BAD_PROFILE", change
    with pytest.raises(aiotsec.ArgumentError):
        aiotsec.Profile(res_len=256)     # does not fit the C field: refused, not truncated
    with pytest.raises(aiotsec.ArgumentError):
        aiotsec.Profile(fc_res=0x1FFFF)
    with pytest.raises(TypeError):
        aiotsec.Profile(res_len="8")
    with pytest.raises(TypeError):
        aiotsec.Profile(no_such_field=1)


def test_custom_profile_lengths(backend):
    # Revision 2: RAND values are 16 octets in every profile, RES_AIOT 4..16.
    with aiotsec.Profile(res_len=8, kaiotf_offset=0, max_derivations=1000) as prof:
        assert (prof.params.res_len, prof.params.kaiotf_offset) == (8, 0)
        with aiotsec.Context(backend, prof) as c:
            assert (c.res_len, c.rand_n_len, c.rand_d_len, c.kaiotf_len) == (8, 16, 16, 16)
            rn, rd = c.gen_rand_n(), c.gen_rand_d()
            res = c.derive_res(K16, rn, rd)
            assert len(res) == 8
            c.verify_res(K16, rn, rd, res)
            with pytest.raises(aiotsec.ArgumentError):
                c.verify_res(K16, rn, rd, bytes(16))    # profile 0's RES length no longer fits
            with aiotsec.Context(backend) as c0:        # kaiotf_offset 0: the other half
                assert c.derive_kaiotf(K16, rn, rd) != c0.derive_kaiotf(K16, rn, rd)


# -- use after close ----------------------------------------------------------------------

def test_use_after_close_context():
    c = aiotsec.Context()
    c.close()
    c.close()  # idempotent
    assert c.closed
    for call in (lambda: c.derive_res(K16, R16, D16), lambda: c.derive_kaiotf(K16, R16, D16),
                 lambda: c.kdf(K16, 0x20), lambda: c.random(4), lambda: c.backend,
                 lambda: c.caps, lambda: c.profile, lambda: c.res_len, lambda: c.prepare_key(K16),
                 lambda: c.verify_res(K16, R16, D16, R16), lambda: c.hmac_sha256(K16, b""),
                 lambda: aiotsec.derive_res(K16, R16, D16, backend=c)):
        with pytest.raises(aiotsec.ClosedError):
            call()
    with pytest.raises(ValueError):  # ClosedError is a ValueError
        c.gen_rand_n()
    with pytest.raises(aiotsec.ClosedError):
        with c:
            pass
    assert "closed" in repr(c)


def test_use_after_close_prepared_key_and_profile():
    with aiotsec.Context() as c:
        key = c.prepare_key(K16)
        ref = key.derive_res(R16, D16)
        key.close()
        with pytest.raises(aiotsec.ClosedError):
            key.derive_res(R16, D16)
        with pytest.raises(aiotsec.ClosedError):
            key.verify_res(R16, D16, ref)
        assert c.derive_res(K16, R16, D16) == ref
    prof = aiotsec.Profile(res_len=8)
    prof.close()
    with pytest.raises(aiotsec.ClosedError):
        prof.params
    with pytest.raises(aiotsec.ClosedError):
        aiotsec.Context(profile=prof)


def test_prepared_key_keeps_context_alive():
    c = aiotsec.Context()
    key = c.prepare_key(K16)
    ref = c.derive_res(K16, R16, D16)
    c.close()  # the C context must stay alive for the key
    with pytest.raises(aiotsec.ClosedError):
        c.derive_res(K16, R16, D16)
    assert key.derive_res(R16, D16) == ref
    key.close()  # now the context is freed too
    with pytest.raises(aiotsec.ClosedError):
        c.prepare_key(K16)


def test_default_context_cannot_be_used_closed_by_others():
    c = aiotsec.default_context()
    assert aiotsec.default_context() is c
    assert aiotsec.default_context(c) is c
    with pytest.raises(TypeError):
        aiotsec.default_context(42)


# -- NAS bad inputs ------------------------------------------------------------------

@pytest.mark.parametrize("bad", NOT_BYTES, ids=repr)
def test_nas_decode_non_bytes(bad):
    with pytest.raises(TypeError):
        nas.decode(bad)
    with pytest.raises(TypeError):
        nas.parse_protected(bad)
    with pytest.raises(TypeError):
        nas.peek_sht(bad)


@pytest.mark.parametrize("wire,name", [
    (b"", "AIOTSEC_E_NAS_TRUNCATED"),
    (b"\x7a", "AIOTSEC_E_NAS_TRUNCATED"),
    (b"\x7a\x00", "AIOTSEC_E_NAS_TRUNCATED"),
    (b"\x7b\x00\x41\x04abcd\x04abcd", "AIOTSEC_E_NAS_BAD_EPD"),
    (b"\x7a\x10\x41\x04abcd\x04abcd", "AIOTSEC_E_NAS_SPARE_BITS"),
    (b"\x7a\x03\x41\x04abcd\x04abcd", "AIOTSEC_E_NAS_BAD_SHT"),
    (b"\x7a\x00\x44\x04abcd\x04abcd", "AIOTSEC_E_NAS_BAD_TYPE"),
    (b"\x7a\x00\x41\x10" + bytes(16), "AIOTSEC_E_NAS_MISSING_IE"),
    (b"\x7a\x00\x41\x10" + bytes(16) + b"\x10" + bytes(15), "AIOTSEC_E_NAS_TRUNCATED"),
    (b"\x7a\x00\x41\x04abcd\x10" + bytes(16), "AIOTSEC_E_NAS_BAD_IE_VALUE"),   # RES not 16
    (b"\x7a\x00\x41\x10" + bytes(16) + b"\x08" + bytes(8), "AIOTSEC_E_NAS_BAD_IE_VALUE"),
    (b"\x7a\x00\x41\x03abc\x04abcd", "AIOTSEC_E_NAS_BAD_IE_VALUE"),
    (b"\x7a\x00\x42\x07\x09", "AIOTSEC_E_NAS_BAD_COMMAND"),
    (b"\x7a\x00\x42\x07\x01\x00\x00\x00\x00", "AIOTSEC_E_NAS_BAD_IE_VALUE"),
    (b"\x7a\x01\xf6\x9f\x02\x8a\x00\x7a\x00\x42\x07\x01\x00\x20\x00\x10", "AIOTSEC_E_NAS_PROTECTED"),
    (b"\x7a\x00\x41" + bytes(3000), "AIOTSEC_E_NAS_TOO_LONG"),
])
def test_nas_decode_rejections(wire, name):
    with pytest.raises(aiotsec.DecodeError) as ei:
        nas.decode(wire)
    assert ei.value.name == name
    assert isinstance(ei.value, ValueError)


def test_nas_parse_protected_rejects_plain():
    with pytest.raises(aiotsec.DecodeError) as ei:
        nas.parse_protected(bytes.fromhex("7a0042070100200010"))
    assert ei.value.name == "AIOTSEC_E_NAS_PLAIN_FORBIDDEN"


@pytest.mark.parametrize("msg,exc,name", [
    (nas.CommandRequest.read(1, 0, 0), aiotsec.DecodeError, "AIOTSEC_E_NAS_BAD_IE_VALUE"),
    (nas.CommandRequest.read(1, 0, 1025), aiotsec.DecodeError, "AIOTSEC_E_NAS_BAD_IE_VALUE"),
    (nas.CommandRequest.read(256, 0, 1), aiotsec.DecodeError, "AIOTSEC_E_NAS_BAD_IE_VALUE"),
    (nas.CommandRequest.read(-1, 0, 1), aiotsec.DecodeError, "AIOTSEC_E_NAS_BAD_IE_VALUE"),
    (nas.CommandRequest.read(1, 1 << 16, 1), aiotsec.DecodeError, "AIOTSEC_E_NAS_BAD_IE_VALUE"),
    (nas.CommandRequest.write(1, 0, b""), aiotsec.DecodeError, "AIOTSEC_E_NAS_BAD_IE_VALUE"),
    (nas.CommandRequest.write(1, 0, bytes(1025)), aiotsec.DecodeError, "AIOTSEC_E_NAS_BAD_IE_VALUE"),
    (nas.CommandRequest(1, 9), aiotsec.DecodeError, "AIOTSEC_E_NAS_BAD_COMMAND"),
    (nas.AuthResponse(b"abc", bytes(16)), aiotsec.DecodeError, "AIOTSEC_E_NAS_BAD_IE_VALUE"),
    (nas.AuthResponse(bytes(8), bytes(16)), aiotsec.DecodeError, "AIOTSEC_E_NAS_BAD_IE_VALUE"),
    (nas.AuthResponse(bytes(16), bytes(15)), aiotsec.DecodeError, "AIOTSEC_E_NAS_BAD_IE_VALUE"),
    (nas.AuthResponse(bytes(16), bytes(33)), aiotsec.DecodeError, "AIOTSEC_E_NAS_BAD_IE_VALUE"),
    (nas.CommandResponse(1, nas.CmdStatus.SUCCESS, bytes(1025)), aiotsec.DecodeError,
     "AIOTSEC_E_NAS_BAD_IE_VALUE"),
])
def test_nas_encode_rejections(msg, exc, name):
    with pytest.raises(exc) as ei:
        nas.encode(msg)
    assert ei.value.name == name


@pytest.mark.parametrize("msg", [
    None, b"\x7a\x00\x41", "AuthResponse", 42,
    nas.AuthResponse(None, bytes(16)), nas.AuthResponse("00" * 16, bytes(16)),
    nas.CommandRequest("1", nas.Command.READ, 0, 1), nas.CommandRequest(1, nas.Command.READ, 0.5, 1),
    nas.CommandRequest(1, "READ"), nas.CommandResponse(1, nas.CmdStatus.SUCCESS, "data"),
], ids=repr)
def test_nas_encode_type_errors(msg):
    with pytest.raises(TypeError):
        nas.encode(msg)


def test_security_context_errors(aes_ctx):
    R = aiotsec.NasRole
    with pytest.raises(aiotsec.SecurityError) as ei:
        aiotsec.SecurityContext(aes_ctx, KF, R.NETWORK, int_alg=0)
    assert ei.value.name == "AIOTSEC_E_NIA0_REJECTED"
    with pytest.raises(aiotsec.SecurityError) as ei:
        aiotsec.SecurityContext(aes_ctx, KF, R.NETWORK, int_alg=5)
    assert ei.value.name == "AIOTSEC_E_UNKNOWN_ALG"
    with pytest.raises(aiotsec.ArgumentError) as ei:
        aiotsec.SecurityContext(aes_ctx, K32, R.NETWORK)      # the 0.1 length of K_AIOTF
    assert ei.value.name == "AIOTSEC_E_BAD_LENGTH"
    with pytest.raises(aiotsec.ArgumentError) as ei:
        aiotsec.SecurityContext(aes_ctx, KF, 7)
    assert ei.value.name == "AIOTSEC_E_BAD_VALUE"
    with pytest.raises(TypeError):
        aiotsec.SecurityContext(aes_ctx, None, R.NETWORK)
    with pytest.raises(TypeError):
        aiotsec.SecurityContext("ctx", KF, R.NETWORK)
    with aiotsec.SecurityContext(aes_ctx, KF, R.NETWORK) as sec:
        with pytest.raises(TypeError):
            sec.protect("7a00")
        with pytest.raises(aiotsec.DecodeError):
            sec.protect(b"\x7a\x00")
        # the network does not send COMMAND RESPONSEs
        with pytest.raises(aiotsec.SecurityError) as ei:
            sec.protect(bytes.fromhex("7a00430803"))
        assert ei.value.name == "AIOTSEC_E_WRONG_DIRECTION"
        with pytest.raises(aiotsec.DecodeError):
            sec.unprotect(b"")
        with pytest.raises(ValueError):
            sec.tx_count = -1
        with pytest.raises(aiotsec.ArgumentError):
            sec.tx_count = 1 << 24


def test_nas_sec_unsupported_without_aes():
    for name in [b for b in aiotsec.backends()
                 if not aiotsec.backend_caps(b) & aiotsec.Caps.AES128]:
        with aiotsec.Context(name) as c:
            with pytest.raises(aiotsec.UnsupportedError):
                aiotsec.SecurityContext(c, KF, aiotsec.NasRole.NETWORK, int_alg=2)
            # AIA-HS needs only HMAC
            with aiotsec.SecurityContext(c, KF, aiotsec.NasRole.NETWORK, int_alg=8) as sec:
                assert sec.protect(bytes.fromhex("7a00420903"))


def test_security_context_use_after_close(aes_ctx):
    sec = aiotsec.SecurityContext(aes_ctx, KF, aiotsec.NasRole.NETWORK)
    sec.close()
    for call in (lambda: sec.protect(b"\x7a\x00\x42\x09\x03"), lambda: sec.unprotect(b"\x7a"),
                 lambda: sec.tx_count, lambda: sec.rx_last_count,
                 lambda: sec.verify_decode(b"\x7a")):
        with pytest.raises(aiotsec.ClosedError):
            call()


@pytest.mark.parametrize("kwargs", [
    dict(count=0, bearer=32, direction=0), dict(count=0, bearer=0, direction=2)])
def test_nas_algs_bad_values(kwargs, aes_backend):
    with pytest.raises(aiotsec.ArgumentError) as ei:
        nas_algs.nia2(K16, msg=b"abc", backend=aes_backend, **kwargs)
    assert ei.value.name == "AIOTSEC_E_BAD_VALUE"
    with pytest.raises(aiotsec.ArgumentError):
        nas_algs.aia_hs(K32, msg=b"abc", backend=aes_backend, **kwargs)


def test_nas_algs_bad_lengths(aes_backend):
    with pytest.raises(aiotsec.ArgumentError) as ei:
        nas_algs.aes_cmac(K16[:15], b"x", backend=aes_backend)
    assert ei.value.name == "AIOTSEC_E_BAD_LENGTH"
    with pytest.raises(aiotsec.ArgumentError):
        nas_algs.aia_hs(K16, 0, 0, 0, b"x", backend=aes_backend)  # AIA-HS key is 32 octets
    with pytest.raises(aiotsec.ArgumentError) as ei:  # LENGTH beyond the message: refused
        nas_algs.nia2(K16, 0, 0, 0, b"abc", 25, backend=aes_backend)
    assert ei.value.name == "AIOTSEC_E_BAD_LENGTH"
    with pytest.raises(aiotsec.ArgumentError):
        nas_algs.nea2(K16, 0, 0, 0, b"abc", 1000, backend=aes_backend)
    with pytest.raises(TypeError):
        nas_algs.nia2(K16, "0", 0, 0, b"abc", backend=aes_backend)


def test_revision2_statuses_and_their_classes():
    """-88..-96 are procedure errors, told apart by name; three get their own class."""
    lib = aiotsec.library()
    names = {code: aiotsec.status_name(code) for code in range(-96, -87)}
    assert names == {-88: "AIOTSEC_E_BAD_FILTER", -89: "AIOTSEC_E_NO_CANDIDATE",
                     -90: "AIOTSEC_E_TOO_MANY_DERIVATIONS", -91: "AIOTSEC_E_TRANSPORT",
                     -92: "AIOTSEC_E_DUPLICATE_REPORT", -93: "AIOTSEC_E_OVER_CAP",
                     -94: "AIOTSEC_E_AMBIGUOUS", -95: "AIOTSEC_E_BAD_ANSWER",
                     -96: "AIOTSEC_E_IN_PROGRESS"}
    special = {"AIOTSEC_E_BAD_FILTER": aiotsec.BadFilterError,
               "AIOTSEC_E_TOO_MANY_DERIVATIONS": aiotsec.TooManyDerivationsError,
               "AIOTSEC_E_TRANSPORT": aiotsec.TransportError}
    for code, name in names.items():
        exc = lib.error(code)
        assert isinstance(exc, aiotsec.ProcedureError) and (exc.status, exc.name) == (code, name)
        assert type(exc) is special.get(name, aiotsec.ProcedureError)
    assert isinstance(lib.error(-88), ValueError)            # a malformed filter is a bad value
    assert not isinstance(lib.error(-91), ValueError)


@pytest.mark.parametrize("bad", NOT_BYTES, ids=repr)
def test_role_arguments_reject_non_bytes(bad, ctx):
    with pytest.raises(TypeError):
        aiotsec.make_filter(bad, 8)
    with pytest.raises(TypeError):
        aiotsec.filter_matches(bad, b"\xa1")
    with pytest.raises(TypeError):
        aiotsec.filter_matches(b"\x08\xa1", bad)
    with aiotsec.MemStore(ctx) as store:
        with pytest.raises(TypeError):
            store.add(bad, K16)
        if not isinstance(bad, str):        # a str is key-file text (UTF-8)
            with pytest.raises(TypeError):
                store.load_text(bad)
    with pytest.raises(TypeError):
        aiotsec.Device(ctx, bad, K16)
    with pytest.raises(TypeError):
        aiotsec.Device(ctx, b"\xa1", bad)


def test_filter_function_errors():
    with pytest.raises(aiotsec.ArgumentError) as ei:
        aiotsec.make_filter(bytes(40), 256)
    assert ei.value.name == "AIOTSEC_E_BAD_LENGTH"
    with pytest.raises(aiotsec.ArgumentError):
        aiotsec.make_filter(b"\xa1", 0)
    with pytest.raises(ValueError):
        aiotsec.make_filter(b"\xa1", 9)             # 9 bits need 2 octets: never read past
    for bad in (b"", b"\x00", b"\x09\xa1", b"\x08\xa1\x00", b"\x07\xa1"):
        with pytest.raises(aiotsec.BadFilterError):
            aiotsec.check_filter(bad)
        with pytest.raises(aiotsec.BadFilterError):
            aiotsec.filter_matches(bad, b"\xa1")
    assert aiotsec.filter_max_len() == 33
    assert aiotsec.filter_bits(aiotsec.make_filter(bytes(32), 255)) == 255
    assert not aiotsec.filter_matches(b"\x08\xa1", bytes(65))    # outside 1..64: never
