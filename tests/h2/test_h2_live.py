"""`aiotsec adm serve` live on loopback, driven with curl --http2-prior-knowledge, a raw
HTTP/2 client (tests/h2/h2raw.py) and the AIOTF client (aiotsec inventory, aiotsec demo
--adm, over libaiotsec-h2client). Every response and every error body is validated against
the OpenAPI YAML schemas (TS 29.369 responses, TS 29.571 ProblemDetails), strictly; the
Nadm_Sec vectors come back right; malformed requests get their status and the server keeps
serving; the log has one line per request and no secret. (h2 area)
"""
import json
import os
import re
import signal
import subprocess
import threading
import time

import pytest

import h2raw
from conftest import (CLI, FAILALLOC, PROBLEM, SANITIZED, SLOW, VEC, VECTOR_DEVICES, assert_problem, assert_success,
                      curl, keys_text, run_cli, schema_errors)

AUTH = VEC["getAuthentication"][0]
SKEY = VEC["getSessionKey"][0]
RN = AUTH["request"]["randN"]
RD = AUTH["request"]["randDlist"][0]
DEV1 = VEC["devices"][0]["aiotDevPermId"]


def op_url(server, op):
    return f"{server.url}/nadm-sec/v1/{op}"


def alive(server):
    status, headers, body, version = curl(op_url(server, "get-rand"), content_type=None)
    assert_success("get-rand", status, headers, body)
    assert version == "2"


def same_auth(want, got):
    """Sets in order, candidates in any order (the vectors' rule)."""
    assert [s["randD"] for s in got["authDataSets"]] == [s["randD"] for s in want["authDataSets"]]
    for w, g in zip(want["authDataSets"], got["authDataSets"]):
        key = lambda e: (e["xres"], e.get("aiotDevPermId", ""))  # noqa: E731
        assert sorted(map(key, g["authDataSet"])) == sorted(map(key, w["authDataSet"]))


def test_vectors_over_http2(servers, vector_keys):
    s = servers(vector_keys)
    status, headers, body, version = curl(op_url(s, "get-authentication"), json.dumps(AUTH["request"]))
    assert version == "2"
    same_auth(AUTH["response"], assert_success("get-authentication", status, headers, body))
    status, headers, body, _ = curl(op_url(s, "get-session-key"), json.dumps(SKEY["request"]))
    assert assert_success("get-session-key", status, headers, body) == SKEY["response"]
    status, headers, body, _ = curl(op_url(s, "get-rand"), content_type=None)
    assert re.fullmatch(r"[0-9a-f]{32}", assert_success("get-rand", status, headers, body)["randN"])
    status, headers, body, _ = curl(op_url(s, "get-tid"), json.dumps({"aiotDevPermId": DEV1}))
    first = assert_success("get-tid", status, headers, body)
    status, headers, body, _ = curl(op_url(s, "get-tid"), json.dumps({"aiotDevPermId": DEV1}))
    second = assert_success("get-tid", status, headers, body)
    assert second["tidPrevious"] == first["tid"] and second["tid"] != first["tid"]
    status, headers, body, _ = curl(op_url(s, "get-tid"), json.dumps({"aiotDevPermId": DEV1, "resyncInd": True}))
    again = assert_success("get-tid", status, headers, body)
    assert again["tid"] == second["tid"] and again["tidPrevious"] == first["tid"]
    assert s.stop() == 0


def long_list(n):
    return json.dumps({"aiotDevPermId": DEV1, "randN": RN, "randDlist": [f"{i:032x}" for i in range(n)]})


# (name, path, method, content type, body, status, cause, first invalid parameter or None)
MALFORMED = [
    ("bad JSON", "get-authentication", "POST", "application/json", '{"randN": ', 400, "INVALID_MSG_FORMAT", ""),
    ("not an object", "get-session-key", "POST", "application/json", "[1]", 400, "INVALID_MSG_FORMAT", ""),
    ("schema: bad randN", "get-authentication", "POST", "application/json",
     json.dumps({"aiotDevPermId": DEV1, "randN": "zz", "randDlist": [RD]}), 400, "MANDATORY_IE_INCORRECT", "/randN"),
    ("schema: unknown member", "get-tid", "POST", "application/json",
     json.dumps({"aiotDevPermId": DEV1, "x": 1}), 400, "INVALID_MSG_FORMAT", "/x"),
    ("missing body", "get-authentication", "POST", None, None, 400, "INVALID_MSG_FORMAT", ""),
    ("wrong content type", "get-authentication", "POST", "text/plain", json.dumps(AUTH["request"]), 415,
     "UNSUPPORTED_MEDIA_TYPE", None),
    ("problem+json request", "get-tid", "POST", "application/problem+json", "{}", 415, "UNSUPPORTED_MEDIA_TYPE",
     None),
    ("wrong method GET", "get-rand", "GET", None, None, 405, None, None),
    ("wrong method PUT", "get-tid", "PUT", "application/json", "{}", 405, None, None),
    ("unknown path", "get-everything", "POST", "application/json", "{}", 404, "RESOURCE_URI_STRUCTURE_NOT_FOUND",
     None),
    ("unknown device", "get-session-key", "POST", "application/json",
     json.dumps({**SKEY["request"], "aiotDevPermId": "AQID"}), 404, "AIOT_DEVICE_NOT_FOUND", None),
    ("no candidate", "get-authentication", "POST", "application/json",
     json.dumps({"filteringInfo": "CME=", "randN": RN, "randDlist": [RD]}), 404, "AIOT_DEVICE_NOT_FOUND", None),
    ("oversize body", "get-tid", "POST", "application/json", " " * (4 * 1024 * 1024 + 1), 413,
     "PAYLOAD_TOO_LARGE", None),
]


@pytest.mark.parametrize("case", MALFORMED, ids=[c[0] for c in MALFORMED])
def test_malformed_requests(servers, vector_keys, case):
    name, op, method, ctype, body, status, cause, param = case
    s = servers(vector_keys)
    got, headers, text, version = curl(op_url(s, op), body, content_type=ctype, method=method)
    assert version == "2"
    doc = assert_problem(got, headers, text, status, cause)
    if param is not None:
        assert doc["invalidParams"][0]["param"] == param, doc
    else:
        assert "invalidParams" not in doc, doc
    if status == 405:
        assert headers.get("allow") == "POST"
    alive(s)  # and it keeps serving
    s.wait_log(f"status={status} ")  # logged when the stream closes (after the body for an early answer)


def test_ten_thousand_rand_d(servers, vector_keys):
    s = servers(vector_keys)
    status, headers, body, _ = curl(op_url(s, "get-authentication"), long_list(10000))
    doc = assert_success("get-authentication", status, headers, body)
    assert [x["randD"] for x in doc["authDataSets"]] == [f"{i:032x}" for i in range(10000)]
    small = servers(vector_keys, "--max-derivations", "9999", name="small")
    status, headers, body, _ = curl(op_url(small, "get-authentication"), long_list(10000))
    doc = assert_problem(status, headers, body, 413, "TOO_MANY_DERIVATIONS")
    assert doc["invalidParams"][0]["param"] == "/randDlist"
    alive(small)
    # the candidate limit: 4 candidates x 3 RAND_AIOT_d over a limit of 10
    tiny = servers(vector_keys, "--max-derivations", "10", name="tiny")
    status, headers, body, _ = curl(op_url(tiny, "get-authentication"), json.dumps(AUTH["request"]))
    assert_problem(status, headers, body, 413, "TOO_MANY_DERIVATIONS")
    alive(tiny)


def test_raw_protocol_edges(servers, vector_keys):
    """411 (a body without content-length), a body over its own limit on content-length alone
    (answered before the body is read; a peer announcing more than 16 MiB is also reset with
    NO_ERROR, RFC 9113 8.1), and requests after both on the same connection."""
    s = servers(vector_keys, "--max-body", "1000")
    c = h2raw.RawClient("127.0.0.1", s.port)
    hb = h2raw.header_block([(":method", "POST"), (":scheme", "http"), (":authority", c.authority),
                             (":path", "/nadm-sec/v1/get-tid"), ("content-type", "application/json")])
    c.send(h2raw.frame(h2raw.HEADERS, h2raw.END_HEADERS, 1, hb) + h2raw.frame(h2raw.DATA, h2raw.END_STREAM, 1, b"{}"))
    hb = h2raw.header_block(h2raw.request_headers(c.authority, "/nadm-sec/v1/get-tid", 20 << 20))
    c.send(h2raw.frame(h2raw.HEADERS, h2raw.END_HEADERS, 3, hb))  # and no DATA at all: answered anyway
    c.send(c.request(5, "/nadm-sec/v1/get-tid", json.dumps({"aiotDevPermId": DEV1}).encode()))
    frames = c.frames(3 * SLOW)
    bodies = {}
    for ftype, flags, stream, payload in frames:
        if ftype == h2raw.DATA:
            bodies[stream] = bodies.get(stream, b"") + payload
    c.close()
    for sid, status in ((1, 411), (3, 413)):
        doc = json.loads(bodies[sid])
        assert schema_errors(PROBLEM, doc) == [] and doc["status"] == status, doc
    assert json.loads(bodies[1])["cause"] == "INCORRECT_LENGTH"
    assert json.loads(bodies[3])["cause"] == "PAYLOAD_TOO_LARGE"
    assert "tid" in json.loads(bodies[5])
    # stream 3 was answered before its body: reset with NO_ERROR once the answer was out
    assert any(f[0] == h2raw.RST_STREAM and f[2] == 3 and f[3] == b"\0\0\0\0" for f in frames)
    alive(s)


@pytest.mark.skipif(SANITIZED or not FAILALLOC, reason="a preload allocator: plain builds only")
def test_body_out_of_memory_is_500(servers, vector_keys):
    """A request body that cannot be allocated: 500 INSUFFICIENT_RESOURCES (TS 29.500), not a
    503 that says the ADM is not serving; the server serves on. The allocation of exactly
    that body's size fails (tests/h2/failalloc.c preloaded)."""
    s = servers(vector_keys, env={"LD_PRELOAD": FAILALLOC, "AIOTSEC_FAILALLOC_SIZE": "12347"})
    c = h2raw.RawClient("127.0.0.1", s.port)
    body = b"{" + b" " * 12345 + b"}"
    got, _ = c.exchange(c.request(1, "/nadm-sec/v1/get-tid", body), 10 * SLOW, expect=1)
    c.close()
    doc = json.loads(got[1][0])
    assert schema_errors(PROBLEM, doc) == [] and doc["status"] == 500, doc
    assert doc["cause"] == "INSUFFICIENT_RESOURCES", doc
    alive(s)
    assert s.stop() == 0
    assert 'status=500 result=- latency_us=' in s.log_text() and 'why="out of memory"' in s.log_text()


def test_log_one_line_per_request_and_no_secret(servers, vector_keys):
    s = servers(vector_keys)
    bodies = []
    for _ in range(3):
        bodies.append(curl(op_url(s, "get-authentication"), json.dumps(AUTH["request"]))[2])
        bodies.append(curl(op_url(s, "get-session-key"), json.dumps(SKEY["request"]))[2])
    curl(op_url(s, "nope"), "{}")
    assert s.stop() == 0
    log = s.log_text()
    lines = [ln for ln in log.splitlines() if " request op=" in ln]
    assert len(lines) == 7, log
    assert sum("op=getAuthentication status=200" in ln and "candidates=4 randd=3" in ln for ln in lines) == 3
    secrets = [SKEY["response"]["kAiotf"]] + [k for _, k in VECTOR_DEVICES]
    secrets += [e["xres"] for st in AUTH["response"]["authDataSets"] for e in st["authDataSet"]]
    for secret in secrets:
        assert secret not in log.lower()
    assert "stopped: 7 requests" in log


def make_cert(tmp_path):
    """A self-signed P-256 certificate for 127.0.0.1 (python3-cryptography)."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                        x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    key_path, cert_path = tmp_path / "adm.key", tmp_path / "adm.crt"
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert_path, key_path


def test_tls_alpn_h2(servers, vector_keys, tmp_path):
    cert, key = make_cert(tmp_path)
    s = servers(vector_keys, "--tls-cert", str(cert), "--tls-key", str(key))
    url = f"https://{s.address}/nadm-sec/v1/get-session-key"
    status, headers, body, version = curl(url, json.dumps(SKEY["request"]), extra=["--cacert", str(cert)])
    assert version == "2"
    assert assert_success("get-session-key", status, headers, body) == SKEY["response"]
    # HTTP/1.1 only: the handshake is refused (ALPN offers no h2)
    p = subprocess.run(["curl", "-sS", "--max-time", "10", "--http1.1", "--cacert", str(cert), "-X", "POST", url],
                       capture_output=True)
    assert p.returncode != 0
    # the AIOTF client over TLS
    r = run_cli("inventory", "--adm", f"https://{s.address}", "--devices", str(vector_keys), "--ca-file",
                str(cert), "--filter", "0ca100", "--json")
    assert r.returncode == 0, r.stdout + r.stderr
    assert json.loads(r.stdout)["identified"] == 4
    # without trusting the certificate the client gets no answer at all (retried, then the deadline)
    r = run_cli("inventory", "--adm", f"https://{s.address}", "--devices", str(vector_keys), "--timeout", "500",
                "--filter", "0ca100")
    assert r.returncode == 1
    alive_tls = curl(url, json.dumps(SKEY["request"]), extra=["--cacert", str(cert)])
    assert alive_tls[0] == 200


def test_cleartext_only_on_loopback(vector_keys):
    p = subprocess.run([CLI, "adm", "serve", "--keys", str(vector_keys), "--listen", "0.0.0.0:0"],
                       capture_output=True, text=True, timeout=20)
    assert p.returncode == 2 and "loopback only" in p.stderr and p.stdout == ""


def inventory(server, keys, *args):
    r = run_cli("inventory", "--adm", server.url, "--devices", str(keys), "--json", *args)
    return r.returncode, (json.loads(r.stdout) if r.stdout.startswith("{") else None), r.stderr


def test_inventory_client(servers, vector_keys, tmp_path):
    s = servers(vector_keys)
    # the vectors' filter (12 bits a10): the four a10... devices answer and are identified
    rc, out, err = inventory(s, vector_keys, "--filter", "0ca100")
    assert rc == 0, err
    assert (out["addressed"], out["answered"], out["identified"]) == (4, 4, 4)
    assert {d["perm_id"] for d in out["devices"]} == {p.hex() for p, _ in VECTOR_DEVICES[:4]}
    assert out["http"]["no_answer"] == 0 and out["adm_retries"] == 0
    assert out["adm_requests"] == 2  # getRand, then one getAuthentication for the four reports
    # by name, and the default (the prefix every tag shares: 3 bits, all six)
    rc, out, err = inventory(s, vector_keys, "--device", VECTOR_DEVICES[5][0].hex())
    assert rc == 0 and out["identified"] == 1, err
    rc, out, err = inventory(s, vector_keys)
    assert rc == 0 and out["identified"] == 6, err
    # a tag the ADM does not know: 404 to the client, AIOTSEC_E_UNKNOWN_DEVICE to the AIOTF
    stranger = tmp_path / "stranger.txt"
    stranger.write_text(keys_text([(bytes.fromhex("c0ffee"), "00" * 16)]))
    rc, out, err = inventory(s, stranger, "--device", "c0ffee")
    assert rc == 1 and out["devices"][0]["status"] == "AIOTSEC_E_UNKNOWN_DEVICE" and out["http"]["4xx"] == 1
    # an impostor: a known identifier with the wrong key is not identified
    impostor = tmp_path / "impostor.txt"
    impostor.write_text(keys_text([(VECTOR_DEVICES[0][0], "11" * 16)]))
    rc, out, err = inventory(s, impostor, "--device", VECTOR_DEVICES[0][0].hex())
    assert rc == 1 and out["devices"][0]["status"] == "AIOTSEC_E_AUTH_FAILED"
    r = run_cli("inventory", "--adm", "ftp://x", "--devices", str(vector_keys))
    assert r.returncode == 2


def test_demo_against_the_remote_adm(servers, vector_keys):
    s = servers(vector_keys)
    r = run_cli("demo", "--adm", s.url, "--devices", str(vector_keys), "--json")
    assert r.returncode == 0, r.stdout + r.stderr
    out = json.loads(r.stdout)
    assert out["ok"] and out["authenticated"] == 6 and out["attacks_rejected"] == out["attacks"]
    local = json.loads(run_cli("demo", "--devices", str(vector_keys), "--json").stdout)
    assert out["adm_requests_by_op"] == local["adm_requests_by_op"], "the same requests, over HTTP/2"
    log = s.log_text()
    assert log.count("op=getSessionKey status=200") == out["adm_requests_by_op"]["getSessionKey"]
    text = run_cli("demo", "--adm", s.url, "--devices", str(vector_keys)).stdout
    assert "over HTTP/2" in text and "result:             OK" in text
    assert run_cli("demo", "--adm", s.url).returncode == 2, "--adm needs --devices"


def test_starting_is_503_and_stopping_drains(servers, tmp_path):
    """A key store still loading: 503 with retry-after. SIGTERM with requests in flight: none
    is dropped; those the server had read before are answered 200, the rest (still in the
    socket: reading pauses while megabytes of answers wait to be written) and a stream opened
    after the signal get 503; the connection ends with GOAWAY; the server exits 0."""
    fifo = tmp_path / "keys.fifo"
    os.mkfifo(fifo)
    s = servers(fifo, "--workers", "1", wait_ready=False)
    s.wait_log(r"listening on ")
    status, headers, body, _ = curl(op_url(s, "get-rand"), content_type=None)
    doc = assert_problem(status, headers, body, 503)
    assert headers.get("retry-after") == "1" and "starting" in doc["detail"]
    # 3000 devices under one prefix: a filter getAuthentication is a slow request
    devices = [(bytes([0xA1]) + i.to_bytes(4, "big"), os.urandom(16).hex()) for i in range(3000)]
    with open(fifo, "w", encoding="ascii") as f:
        f.write(keys_text(devices))
    s.wait_log(r"ready: 3000 devices")
    alive(s)
    body = json.dumps({"filteringInfo": "CKE=", "randN": RN, "randDlist": [f"{i:032x}" for i in range(8)]})
    n = 40  # about half a second of work for the one worker: most are still queued at SIGTERM
    c = h2raw.RawClient("127.0.0.1", s.port, window=2**31 - 1)
    result = {}
    reader = threading.Thread(target=lambda: result.update(r=c.responses(60 * SLOW)))
    reader.start()  # reads while the server answers (the answers are megabytes)
    c.send(b"".join(c.request(2 * k + 1, "/nadm-sec/v1/get-authentication", body.encode()) for k in range(n)))
    s.wait_log(r"op=getAuthentication status=200")
    s.signal(signal.SIGTERM)
    s.wait_log(r"stopping \(SIGTERM\)")
    late_id = 2 * n + 1
    c.send(c.request(late_id, "/nadm-sec/v1/get-tid", json.dumps({"aiotDevPermId": DEV1}).encode()))
    reader.join(90 * SLOW)
    got, frames = result["r"]
    c.close()
    assert s.proc.wait(30 * SLOW) == 0
    answered = 0
    for k in range(n):
        data, complete = got[2 * k + 1]
        assert complete, f"stream {2 * k + 1} was cut"
        doc = json.loads(data)
        if "status" in doc:
            assert doc["status"] == 503 and "stopping" in doc["detail"], doc
        else:
            assert len(doc["authDataSets"]) == 8 and len(doc["authDataSets"][0]["authDataSet"]) == 3000
            answered += 1
    assert answered >= 1
    late = json.loads(got[late_id][0])
    assert late["status"] == 503 and "stopping" in late["detail"]
    assert (h2raw.GOAWAY, 0) in frames
    assert "stopping (SIGTERM): draining" in s.log_text() and "stopped: " in s.log_text()
