"""`pip install ./python` works offline with Debian's setuptools, and the installed
package finds the library through AIOTSEC_LIBRARY."""

import os
import pathlib
import shutil
import subprocess
import sys

import pytest

import aiotsec

from conftest import REPO

CHECK = ("import aiotsec, sys; "
         "assert aiotsec.__file__.startswith(sys.argv[1]), aiotsec.__file__; "
         "print(aiotsec.__version__, aiotsec.library_version(), "
         "aiotsec.derive_res(bytes(16), bytes(16), bytes(16)).hex())")


def _copy_source(tmp_path):
    # Build from a copy so the shared source tree gets no build/ or egg-info.
    src = tmp_path / "src"
    shutil.copytree(REPO / "python", src, ignore=shutil.ignore_patterns(
        "__pycache__", "build", "*.egg-info"))
    return src


def _env():
    env = dict(os.environ, PIP_NO_CACHE_DIR="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    env.pop("PYTHONPATH", None)
    env.pop("PIP_FIND_LINKS", None)  # nothing but the source tree and Debian packages
    return env


def _check_installed(python, prefix, env, cwd):
    run = subprocess.run([python, "-c", CHECK, str(prefix)], env=env, capture_output=True,
                         text=True, timeout=60, cwd=cwd)
    assert run.returncode == 0, run.stderr
    version, libversion, res = run.stdout.split()
    assert version.split(".")[0] == libversion.split(".")[0]
    assert len(bytes.fromhex(res)) == 16


def test_pip_install_offline_target(tmp_path):
    src = _copy_source(tmp_path)
    site = tmp_path / "site"
    env = _env()
    out = subprocess.run([sys.executable, "-m", "pip", "install", "--no-build-isolation",
                          "--no-index", "--no-deps", "--target", str(site), str(src)],
                         env=env, capture_output=True, text=True, timeout=240, cwd=tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    assert (site / "aiotsec" / "__init__.py").is_file()
    assert (site / "aiotsec" / "py.typed").is_file()
    assert (site / "aiotsec" / "examples").exists() is False
    env["PYTHONPATH"] = str(site)
    _check_installed(sys.executable, site, env, tmp_path)


def test_pip_install_offline_venv(tmp_path):
    """A venv made with --system-site-packages (Debian's setuptools and wheel visible)."""
    src = _copy_source(tmp_path)
    venv = tmp_path / "venv"
    env = _env()
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)],
                   check=True, timeout=120, env=env)
    py = str(venv / "bin" / "python")
    out = subprocess.run([py, "-m", "pip", "install", "--no-build-isolation", "--no-index",
                          "--no-deps", str(src)], env=env, capture_output=True, text=True,
                         timeout=240, cwd=tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    _check_installed(py, venv, env, tmp_path)


def test_the_suite_uses_the_installed_package():
    """Under ctest the package comes from the venv the build installed it into with pip,
    as the README says (AIOTSEC_TEST_VENV), not from the source tree."""
    venv = os.environ.get("AIOTSEC_TEST_VENV")
    if venv is None:
        pytest.skip("run outside ctest: no venv named")
    pkg = pathlib.Path(aiotsec.__file__).resolve()
    assert pathlib.Path(venv).resolve() in pkg.parents, pkg
    assert pathlib.Path(sys.prefix).resolve() == pathlib.Path(venv).resolve()
