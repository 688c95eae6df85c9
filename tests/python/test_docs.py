"""The group-inventory Python snippets of python/README.md and the README run as written."""

import os
import re
import subprocess
import sys

import pytest

from conftest import REPO

DOCS = [REPO / "python" / "README.md", REPO / "README.md"]


def _group_inventory_snippets(path):
    text = path.read_text(encoding="utf-8")
    return [s for s in re.findall(r"```python\n(.*?)```", text, re.S) if "pump_local" in s]


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name)
def test_group_inventory_snippet_runs(path):
    (snippet,) = _group_inventory_snippets(path)
    out = subprocess.run([sys.executable, "-c", snippet], env=dict(os.environ),
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["a100000001", "a100000002", "ok"]
