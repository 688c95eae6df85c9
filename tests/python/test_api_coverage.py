"""Every function the built libaiotsec exports is bound in python/aiotsec/_ffi.py (whose
tables include those of _ffi_roles.py, the role headers).

The exported names come from the library's dynamic symbol table (``nm -D
--defined-only``), not from a list kept here, so the next ``aiotsec_*``
function added to the C API fails this test until it gets an argtypes/restype
declaration in _ffi.py, or a line with a reason in NOT_BOUND below.
"""

import shutil
import subprocess

import aiotsec
from aiotsec import _ffi

# Functions deliberately not exposed to Python, each with the reason.
NOT_BOUND = {
    # Caller-provided storage for firmware (no allocation); Python uses
    # aiotsec_nas_sec_new/_free, which give the same context on the heap.
    "aiotsec_nas_sec_init": "needs caller storage; Python binds aiotsec_nas_sec_new",
    "aiotsec_nas_sec_clear": "pairs with aiotsec_nas_sec_init; Python binds aiotsec_nas_sec_free",
    "aiotsec_ctx_init": "needs caller storage (firmware); Python binds aiotsec_ctx_new",
    "aiotsec_ctx_statebytes": "sizes the storage of aiotsec_ctx_init, which Python does not bind",
}

# Symbol types nm gives to functions: text, weak, indirect (ifunc).
_FUNCTION_TYPES = {"T", "W", "i"}


def exported_functions(path):
    """Names of the aiotsec_* functions defined in the library's dynamic symbol table."""
    nm = shutil.which("nm")
    assert nm, "nm (binutils) is needed to read the library's dynamic symbols"
    out = subprocess.run([nm, "-D", "--defined-only", path], check=True,
                         capture_output=True, text=True).stdout
    names = set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 3 or parts[1] not in _FUNCTION_TYPES:
            continue
        name = parts[2].split("@", 1)[0]          # drop the symbol version (@@AIOTSEC_0)
        if name.startswith("aiotsec_"):
            names.add(name)
    return names


def declared_functions():
    """Names with a prototype in _ffi.py (the core table and every area's table)."""
    names = set(_ffi.CORE)
    for table in _ffi.AREAS.values():
        names |= set(table)
    return names


EXPORTED = exported_functions(aiotsec.library().path)


def test_symbol_table_was_read():
    # Guards the parser itself: functions every build has must be found.
    assert {"aiotsec_version_string", "aiotsec_derive_res", "aiotsec_kdf"} <= EXPORTED
    assert len(EXPORTED) > 50


def test_every_exported_function_is_bound():
    missing = sorted(EXPORTED - declared_functions() - set(NOT_BOUND))
    assert not missing, ("exported by libaiotsec but not declared in python/aiotsec/_ffi.py "
                         "(bind them, or add them to NOT_BOUND with a reason): " + ", ".join(missing))


def test_every_declaration_exists_and_is_applied():
    # A misspelt or removed name would silently switch a whole area off.
    stale = sorted(declared_functions() - EXPORTED)
    assert not stale, "declared in _ffi.py but not exported: " + ", ".join(stale)
    lib = aiotsec.library()
    assert sorted(lib.areas) == sorted(_ffi.AREAS)
    for name in declared_functions():
        fn = getattr(lib.cdll, name)
        proto = _ffi.CORE.get(name) or next(t[name] for t in _ffi.AREAS.values() if name in t)
        assert fn.restype == proto[0] and list(fn.argtypes) == list(proto[1]), name


def test_allow_list_is_current():
    for name, reason in NOT_BOUND.items():
        assert reason, name
        assert name in EXPORTED, f"{name} is no longer exported: drop it from NOT_BOUND"
        assert name not in declared_functions(), f"{name} is bound now: drop it from NOT_BOUND"


# One Python module per public header (issue 14), except where a header's functions are
# methods of another module's class or have no Python face; each exception says where.
HEADER_HOME = {
    "aiotsec.h": None,            # the umbrella: the package itself
    "export.h": None,             # the export macro
    "deprecated.h": None,         # inline aliases of 0.3 names: C only
    "derive.h": "context",        # every function takes the context first: Context methods
    "kdf.h": "context",           # likewise (Context.kdf)
    "portable.h": "context",      # Context("portable")
    "status.h": "errors",         # statuses become exceptions
    "version.h": "__init__",      # aiotsec.library_version(), EXPECTED_MAJOR/MINOR
    "testing.h": "nas_security",  # set_tx_count / set_rx_last_count (also nas.peek_sht,
                                  # keystore.MemStore.device_at)
}


def test_one_module_per_header():
    import os
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    headers = sorted(os.listdir(os.path.join(root, "include", "aiotsec")))
    pkg = os.path.dirname(aiotsec.__file__)
    missing = []
    for h in headers:
        home = HEADER_HOME.get(h, h[:-2])
        if home is not None and not os.path.exists(os.path.join(pkg, home + ".py")):
            missing.append((h, home))
    assert not missing, missing
    assert set(HEADER_HOME) <= set(headers), set(HEADER_HOME) - set(headers)
