"""Shared by the live and fault tests of the HTTP/2 ADM (`aiotsec adm serve`).

Servers run as `aiotsec adm serve --listen 127.0.0.1:0` (the kernel picks a free
port; the command prints the address it bound on stdout) with their log in a
file; every wait is bounded and every server is stopped (SIGTERM, then SIGKILL)
when its test ends. Bodies are validated against the OpenAPI YAML schemas with
tests/sbi/openapi_schema.py.

Environment: AIOTSEC_CLI (the executable), AIOTSEC_VECTORS_DIR, AIOTSEC_OPENAPI_DIR.
"""
import base64
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "sbi"))
import openapi_schema  # noqa: E402

CLI = os.environ.get("AIOTSEC_CLI")
VECTORS = os.environ.get("AIOTSEC_VECTORS_DIR")
OPENAPI = os.environ.get("AIOTSEC_OPENAPI_DIR") or (VECTORS and os.path.join(VECTORS, "..", "spec", "3gpp-openapi"))
if not CLI or not VECTORS:
    raise RuntimeError("set AIOTSEC_CLI and AIOTSEC_VECTORS_DIR (ctest does)")
for tool in ("curl", "h2load"):
    if not shutil.which(tool):
        raise RuntimeError(f"{tool} is needed (Debian curl, nghttp2-client: scripts/deps.txt)")

with open(os.path.join(VECTORS, "nadm-sec-profile0.json"), encoding="utf-8") as _f:
    VEC = json.load(_f)

API = openapi_schema.OpenApi(OPENAPI)
SEC = "TS29369_Nadm_Sec.yaml"
RESPONSE = {op: openapi_schema.validator(API, SEC, comp, strict=True) for op, comp in (
    ("get-rand", "GetRandResponse"), ("get-authentication", "GetAuthenticationResponse"),
    ("get-session-key", "GetSessionKeyResponse"), ("get-tid", "GetTidResponse"))}
# ProblemDetails refers to TS29510 files that are not here: those properties are pruned (never emitted).
PROBLEM = openapi_schema.validator(API, "TS29571_CommonData.yaml", "ProblemDetails", strict=True,
                                   prune_missing=True)

# Under ASan (stage 30) every process is slower, and freed memory waits in ASan's quarantine
# (256 MiB by default): resident-memory bounds are checked in the plain build only, where
# they mean something; ASan checks leaks instead.
SANITIZED = bool(os.environ.get("ASAN_OPTIONS"))
# tests/h2/failalloc.c, built by ctest (None: the test that needs it is skipped)
FAILALLOC = os.environ.get("AIOTSEC_H2_FAILALLOC")
SLOW = 3.0 if SANITIZED or os.environ.get("AIOTSEC_TEST_REDUCED") else 1.0


def keys_text(devices):
    """Key-file lines for [(perm_bytes, key_hex)]."""
    return "".join(f"{p.hex()} {k}\n" for p, k in devices)


VECTOR_DEVICES = [(base64.b64decode(d["aiotDevPermId"]), d["kAiotRoot"]) for d in VEC["devices"]]


def schema_errors(validator, body):
    return [e.message for e in validator.iter_errors(body)]


def assert_problem(status, headers, body, want_status, cause=None):
    assert status == want_status, (status, body[:300])
    assert headers.get("content-type") == "application/problem+json", headers
    doc = json.loads(body)
    assert schema_errors(PROBLEM, doc) == [], doc
    assert doc["status"] == want_status, doc
    if cause is not None:
        assert doc.get("cause") == cause, doc
    return doc


def assert_success(op, status, headers, body):
    assert status == 200, (status, body[:300])
    assert headers.get("content-type") == "application/json", headers
    doc = json.loads(body)
    assert schema_errors(RESPONSE[op], doc) == [], doc
    return doc


class Server:
    """One `aiotsec adm serve` process."""

    def __init__(self, tmp_path, keys, *extra, name="adm", listen="127.0.0.1:0", wait_ready=True, env=None,
                 preexec_fn=None):
        """env: variables added to the server's environment; preexec_fn: run in the child
        before exec (e.g. to set a resource limit)."""
        self.log = str(tmp_path / f"{name}.log")
        self.args = [CLI, "adm", "serve", "--keys", str(keys), "--listen", listen, "--log", self.log, *extra]
        self.proc = subprocess.Popen(self.args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     env={**os.environ, **env} if env else None, preexec_fn=preexec_fn)
        ready, _, _ = select.select([self.proc.stdout], [], [], 10 * SLOW)
        line = self.proc.stdout.readline().decode().strip() if ready else ""
        if not re.fullmatch(r"[\d.]+:\d+|\[[0-9a-f:]+\]:\d+", line):
            self.kill()
            raise AssertionError(f"the server did not start: {line!r} {self.proc.stderr.read().decode()[:500]}")
        self.address = line
        self.port = int(line.rsplit(":", 1)[1])
        self.url = f"http://{line}"
        if wait_ready:
            self.wait_log(r" ready: ")

    def log_text(self):
        try:
            with open(self.log, encoding="utf-8") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def wait_log(self, pattern, timeout=10.0, count=1):
        end = time.monotonic() + timeout * SLOW
        while time.monotonic() < end:
            if len(re.findall(pattern, self.log_text())) >= count:
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.02)
        raise AssertionError(f"log never showed {pattern!r} x{count}:\n{self.log_text()[-2000:]}")

    def rss_kib(self):
        with open(f"/proc/{self.proc.pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise AssertionError("no VmRSS")

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, timeout=15.0):
        """SIGTERM and the exit status (SIGKILL after the timeout: a failure)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout * SLOW)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError("the server did not stop on SIGTERM")

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


@pytest.fixture
def servers(tmp_path):
    """Makes servers (Server(tmp_path, keys, ...)) that are always stopped afterwards."""
    made = []

    def make(keys, *extra, **kw):
        s = Server(tmp_path, keys, *extra, **kw)
        made.append(s)
        return s

    yield make
    for s in made:
        s.kill()


@pytest.fixture
def vector_keys(tmp_path):
    path = tmp_path / "keys.txt"
    path.write_text("# the six devices of nadm-sec-profile0.json\n" + keys_text(VECTOR_DEVICES))
    return path


def curl(url, body=None, content_type="application/json", method="POST", extra=(), timeout=20):
    """One request with curl --http2-prior-knowledge: (status, headers, body text, http version)."""
    args = ["curl", "-sS", "--max-time", str(timeout * SLOW), "-X", method, "-D", "-", "-o", "/dev/stdout",
            "-w", "\n%{http_version}"]
    if not url.startswith("https:"):
        args.append("--http2-prior-knowledge")
    if content_type:
        args += ["-H", f"content-type: {content_type}"]
    if body is not None:
        args += ["--data-binary", "@-"]
    args += [*extra, url]
    data = body.encode() if isinstance(body, str) else body
    p = subprocess.run(args, input=data, capture_output=True, timeout=timeout * SLOW + 10)
    assert p.returncode == 0, p.stderr.decode()
    out = p.stdout.decode("utf-8", "replace")
    head, _, rest = out.partition("\r\n\r\n")
    text, _, version = rest.rpartition("\n")
    lines = head.split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    return status, headers, text, version.strip()


def h2load(url, body_file, n, clients=4, streams=8, timeout=120, extra=()):
    """h2load POSTs of one body: {'done', 'succeeded', 'failed', 'errored', 'timeout', '2xx', '4xx', '5xx', 'rps'}."""
    args = ["h2load", "-n", str(n), "-c", str(clients), "-m", str(streams), "-d", str(body_file),
            "-H", "content-type: application/json", *extra, url]
    p = subprocess.run(args, capture_output=True, text=True, timeout=timeout * SLOW)
    out = p.stdout
    m = re.search(r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, "
                  r"(\d+) errored, (\d+) timeout", out)
    c = re.search(r"status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx", out)
    r = re.search(r"finished in [\d.]+\w+, ([\d.]+) req/s", out)
    assert m and c, out + p.stderr
    keys = ("total", "started", "done", "succeeded", "failed", "errored", "timeout")
    res = dict(zip(keys, map(int, m.groups())))
    res.update(dict(zip(("2xx", "3xx", "4xx", "5xx"), map(int, c.groups()))))
    res["rps"] = float(r.group(1)) if r else 0.0
    res["output"] = out
    return res


def run_cli(*args, timeout=120):
    return subprocess.run([CLI, *args], capture_output=True, text=True, timeout=timeout * SLOW)
