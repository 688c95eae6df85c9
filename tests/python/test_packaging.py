"""`pip install ./python` works offline with Debian's setuptools, and the installed
package finds the library through AIOTSEC_LIBRARY."""

import os
import shutil
import subprocess
import sys

from conftest import REPO


def test_pip_install_offline(tmp_path):
    src = tmp_path / "src"
    # Build from a copy so the shared source tree gets no build/ or egg-info.
    shutil.copytree(REPO / "python", src, ignore=shutil.ignore_patterns(
        "__pycache__", "build", "*.egg-info"))
    site = tmp_path / "site"
    env = dict(os.environ, PIP_NO_CACHE_DIR="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    env.pop("PYTHONPATH", None)
    out = subprocess.run([sys.executable, "-m", "pip", "install", "--no-build-isolation",
                          "--no-index", "--no-deps", "--target", str(site), str(src)],
                         env=env, capture_output=True, text=True, timeout=240, cwd=tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    assert (site / "aiotsec" / "__init__.py").is_file()
    assert (site / "aiotsec" / "py.typed").is_file()
    assert (site / "aiotsec" / "examples").exists() is False
    env["PYTHONPATH"] = str(site)
    code = ("import aiotsec, sys; "
            "assert aiotsec.__file__.startswith(sys.argv[1]), aiotsec.__file__; "
            "print(aiotsec.__version__, aiotsec.library_version(), "
            "aiotsec.derive_res(bytes(16), bytes(16), bytes(16)).hex())")
    run = subprocess.run([sys.executable, "-c", code, str(site)], env=env, capture_output=True,
                         text=True, timeout=60, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    version, libversion, res = run.stdout.split()
    assert version.split(".")[0] == libversion.split(".")[0]
    assert len(bytes.fromhex(res)) == 16
