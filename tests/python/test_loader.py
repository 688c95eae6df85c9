"""Finding and checking the library: explicit path, AIOTSEC_LIBRARY, build tree, version, layouts."""

import ctypes
import ctypes.util
import pathlib

import pytest

import aiotsec
from aiotsec import _ffi, _lib
from conftest import REPO

LIB_PATH = aiotsec.library().path


def test_loaded_library_version():
    lib = aiotsec.library()
    assert lib.version_number // 10000 == aiotsec.EXPECTED_MAJOR
    assert aiotsec.library_version() == lib.version
    major, minor, patch = (int(x) for x in lib.version.split("."))
    assert lib.version_number == major * 10000 + minor * 100 + patch
    assert lib.version_number // 100 % 100 == aiotsec.EXPECTED_MINOR
    for area in ("nas", "nas_security", "nas_algs", "batch", "batch_pool", "filter", "keystore",
                 "nadm", "adm", "aiotf", "device"):
        assert aiotsec.has(area), area
    assert not aiotsec.has("adm_batch") and not aiotsec.has("aiotf_batch")   # 0.1 areas, gone
    assert not aiotsec.has("no-such-area")


def test_struct_layouts_match_size_getters():
    cd = aiotsec.library().cdll
    checks = list(_ffi.STRUCT_CHECKS) + [(s, g) for s, g, _ in _ffi.AREA_STRUCT_CHECKS]
    assert len(checks) >= 17
    names = {g for _, g in checks}
    # Every struct size getter (*_structbytes) of the library is checked; *_statebytes give
    # the size of opaque caller storage, not of a struct Python lays out.
    every = {n for t in [_ffi.CORE] + list(_ffi.AREAS.values()) for n in t}
    getters = {n for n in every if n.endswith("_structbytes")}
    assert getters == names, getters ^ names
    assert {n for n in every if n.endswith("_statebytes")} == {
        "aiotsec_nas_sec_statebytes", "aiotsec_device_statebytes"}   # ctx's: not bound (coverage test)
    # One suffix per kind of getter (README, Conventions): no 0.3 spelling is left.
    assert not {n for n in every if n.endswith(("_size", "_len", "_max_len", "_struct_size"))}
    for getter in ("aiotsec_adm_request_structbytes", "aiotsec_tid_info_structbytes", "aiotsec_adm_config_structbytes",
                   "aiotsec_aiotf_summary_structbytes", "aiotsec_aiotf_device_structbytes",
                   "aiotsec_aiotf_report_structbytes", "aiotsec_keystore_structbytes"):
        assert getter in names, getter
    for struct, getter in checks:
        assert ctypes.sizeof(struct) == getattr(cd, getter)(), struct.__name__


def test_every_function_has_a_prototype():
    cd = aiotsec.library().cdll
    tables = [_ffi.CORE] + list(_ffi.AREAS.values())
    for table in tables:
        for name in table:
            fn = getattr(cd, name)
            assert fn.argtypes is not None, name
    assert sum(len(t) for t in tables) >= 100


def test_explicit_path_and_load():
    lib = aiotsec.load(LIB_PATH)
    try:
        assert lib.path == LIB_PATH
        assert aiotsec.library() is lib
        assert aiotsec.derive_res(bytes(16), bytes(16), bytes(16)) == \
            aiotsec.Context().derive_res(bytes(16), bytes(16), bytes(16))
    finally:
        aiotsec.load(LIB_PATH)


def test_explicit_path_never_falls_back(tmp_path):
    with pytest.raises(aiotsec.LibraryError):
        _lib.find_library(tmp_path / "libaiotsec.so")
    with pytest.raises(OSError):   # LibraryError is an OSError
        aiotsec.load(tmp_path / "nothing.so")
    assert aiotsec.library().path == LIB_PATH   # the default was not replaced


def test_env_variable(monkeypatch, tmp_path):
    monkeypatch.setenv("AIOTSEC_LIBRARY", LIB_PATH)
    assert _lib.find_library().path == LIB_PATH
    monkeypatch.setenv("AIOTSEC_LIBRARY", str(tmp_path / "missing.so"))
    with pytest.raises(aiotsec.LibraryError, match="missing.so"):
        _lib.find_library()


def test_not_an_aiotsec_library():
    libc = ctypes.util.find_library("c")
    with pytest.raises(aiotsec.LibraryError, match="not a complete libaiotsec"):
        _lib.Library(libc)


def test_build_tree_search(monkeypatch):
    """From a source checkout (python/aiotsec/ in the repo) the package finds the build
    tree's library; installed elsewhere (the tests' venv) it has no checkout to search."""
    monkeypatch.delenv("AIOTSEC_LIBRARY", raising=False)
    if _lib._repo_root() is None:   # as installed: no checkout, no candidates
        assert list(_lib._build_tree_candidates()) == []
    monkeypatch.setattr(_lib, "__file__", str(REPO / "python" / "aiotsec" / "_lib.py"))
    assert _lib._repo_root() == REPO
    cands = list(_lib._build_tree_candidates())
    assert cands, "no libaiotsec in any build* directory of the checkout"
    for c in cands:
        assert pathlib.Path(c).parent.parent == REPO
        assert pathlib.Path(c).parent.name.startswith("build")
    lib = _lib.find_library()
    assert lib.version_number // 10000 == aiotsec.EXPECTED_MAJOR


def test_major_version_mismatch(monkeypatch):
    monkeypatch.setattr(_lib, "EXPECTED_MAJOR", aiotsec.EXPECTED_MAJOR + 1)
    with pytest.raises(aiotsec.LibraryError, match="major version"):
        _lib.Library(LIB_PATH)


def test_minor_version_mismatch(monkeypatch):
    """0.x minor versions may break the ABI: bindings for another minor refuse this library."""
    other = aiotsec.EXPECTED_MINOR - 1
    monkeypatch.setattr(_lib, "EXPECTED_MINOR", other)
    with pytest.raises(aiotsec.LibraryError, match=rf"need version 0\.{other}\b"):
        _lib.Library(LIB_PATH)


def test_soname_is_searched():
    assert _lib._SONAMES[0] == "libaiotsec.so.2"
    assert pathlib.Path(LIB_PATH).resolve().name.startswith("libaiotsec.so")


def test_struct_mismatch_refused(monkeypatch):
    class Wrong(ctypes.Structure):
        _fields_ = [("x", ctypes.c_uint8 * 3)]
    monkeypatch.setattr(_ffi, "STRUCT_CHECKS", [(Wrong, "aiotsec_profile_params_structbytes")])
    with pytest.raises(aiotsec.LibraryError, match="do not match"):
        _lib.Library(LIB_PATH)


def test_missing_area_is_reported(monkeypatch):
    lib = aiotsec.library()
    monkeypatch.setattr(lib, "areas", [a for a in lib.areas if a != "nas"])
    with pytest.raises(aiotsec.LibraryError, match="does not provide 'nas'"):
        aiotsec.nas.decode(b"\x7a\x00\x42\x09\x03")


def test_profile_params_dataclass_matches_struct():
    import dataclasses
    names = [f.name for f in dataclasses.fields(aiotsec.ProfileParams)]
    assert names == [n for n, _ in _ffi.ProfileParams._fields_ if n != "struct_size"]


def test_default_context_follows_load():
    old = aiotsec.default_context()
    lib = aiotsec.load(LIB_PATH)          # a new Library object
    try:
        new = aiotsec.default_context()
        assert new is not old and new._lib is lib
        assert new.derive_res(bytes(16), bytes(16), bytes(16)) == \
            old.derive_res(bytes(16), bytes(16), bytes(16))
    finally:
        aiotsec.load(LIB_PATH)


def test_sanitized_library_refused_not_fatal(tmp_path):
    """dlopen() of an ASan library without its runtime would end the process;
    the loader refuses it with an exception instead."""
    fake = tmp_path / "libaiotsec.so"
    fake.write_bytes(b"\x7fELF not really, but it needs libasan.so.8\0")
    with pytest.raises(aiotsec.LibraryError) as ei:
        _lib.Library(str(fake))
    if not hasattr(ctypes.CDLL(None), "__asan_init"):
        assert "AddressSanitizer" in str(ei.value)
