"""Fault tests of `aiotsec adm serve` and of the AIOTF client, each bounded in requests and
time and on loopback only (h2 area):

- the ADM is killed (SIGKILL) in the middle of a group inventory and restarted: the client
  gives the failed requests to the AIOTF as retryable, they are retried on the restarted ADM,
  and every genuine tag is identified;
- a client that opens 1,000 streams and never reads, and a client that sends half a frame
  and stalls, do not stop other clients (h2load meanwhile: zero failed requests), and the
  server's memory stays bounded; both are cut by the server's timeouts;
- SIGHUP with a changed key file while h2load runs: zero failed requests, the new device is
  served after the reload; a broken key file on SIGHUP leaves the old store in service;
- overload: a full queue answers 429 (a valid ProblemDetails), never unbounded memory.
"""
import base64
import json
import os
import re
import resource
import signal
import socket
import threading
import time

import h2raw
from conftest import (PROBLEM, SANITIZED, SLOW, VEC, VECTOR_DEVICES, curl, h2load, keys_text, run_cli, schema_errors)

AUTH = VEC["getAuthentication"][0]
RN = AUTH["request"]["randN"]
DEV1 = VEC["devices"][0]["aiotDevPermId"]


def group_devices(n, first_octet=0xA1):
    return [(bytes([first_octet]) + i.to_bytes(4, "big"), os.urandom(16).hex()) for i in range(n)]


def named_body(perm_b64, n_rand_d):
    return json.dumps({"aiotDevPermId": perm_b64, "randN": RN, "randDlist": [f"{i:032x}" for i in range(n_rand_d)]})


def test_sigkill_mid_group_inventory_then_restart(servers, tmp_path):
    keys = tmp_path / "group.txt"
    keys.write_text(keys_text(group_devices(2000)))
    s = servers(keys, "--workers", "1", name="first")
    port = s.port
    # 2000 tags answer one paging: ~64 getAuthentication requests of 2000 candidates x 32
    # RAND_AIOT_d, a few seconds of the one worker's time
    result = {}
    inv = threading.Thread(target=lambda: result.update(r=run_cli(
        "inventory", "--adm", s.url, "--devices", str(keys), "--filter", "08a1", "--timeout", "30000", "--json",
        timeout=120)))
    inv.start()
    s.wait_log(r"op=getAuthentication status=200", timeout=30)
    s.proc.kill()  # SIGKILL: connections reset, requests in flight lost
    s.proc.wait(10)
    served_before = s.log_text().count("op=getAuthentication status=200")
    time.sleep(0.3)
    again = servers(keys, "--workers", "1", name="second", listen=f"127.0.0.1:{port}")
    inv.join(150 * SLOW)
    assert not inv.is_alive()
    r = result["r"]
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    out = json.loads(r.stdout)
    assert out["answered"] == 2000 and out["identified"] == 2000 and out["not_identified"] == 0
    assert out["http"]["no_answer"] >= 1, "the kill cost the client answers"
    assert out["adm_retries"] >= out["http"]["no_answer"], "each was given to the AIOTF as retryable"
    assert served_before < 64 and again.log_text().count("op=getAuthentication status=200") >= 1
    assert again.stop() == 0


def test_thousand_streams_never_read_and_half_frame(servers, vector_keys, tmp_path):
    s = servers(vector_keys, "--workers", "2", "--write-timeout", "3000", "--idle-timeout", "2000")
    body = tmp_path / "auth.json"
    body.write_text(named_body(DEV1, 16))
    h2load(f"{s.url}/nadm-sec/v1/get-authentication", body, 2000)  # warm up
    rss0 = s.rss_kib()

    def greedy(window, n_rand_d):
        """1,000 streams at once, never a byte read back."""
        c = h2raw.RawClient("127.0.0.1", s.port, window=window, timeout=2.0)
        req = named_body(DEV1, n_rand_d).encode()
        try:
            c.send(b"".join(c.request(2 * k + 1, "/nadm-sec/v1/get-authentication", req) for k in range(1000)))
        except (socket.timeout, OSError):
            pass  # the server stopped reading it: exactly the point
        return c

    # window 0: the answers' DATA can never be sent (HTTP/2 flow control holds them);
    # a wide window with 20 KB answers: the socket fills, the server stops reading it
    closed_window = greedy(0, 16)
    full_socket = greedy(2**31 - 1, 256)
    # a client that sends half a frame header and stalls
    stalled = h2raw.RawClient("127.0.0.1", s.port)
    stalled.send(h2raw.frame(h2raw.HEADERS, h2raw.END_HEADERS, 1, b"\x00" * 20)[:5])
    # the others are served meanwhile
    t0 = time.monotonic()
    res = h2load(f"{s.url}/nadm-sec/v1/get-authentication", body, 20000, clients=4, streams=8, timeout=60)
    took = time.monotonic() - t0
    assert (res["succeeded"], res["failed"], res["errored"], res["timeout"]) == (20000, 0, 0, 0), res["output"]
    assert took < 30 * SLOW, took
    grown = s.rss_kib() - rss0
    assert SANITIZED or grown < 64 * 1024, f"RSS grew by {grown} KiB"
    # the server's timeouts cut all three: the stalled one and the window-0 one send nothing
    # (idle), the full one reads nothing (write)
    assert stalled.closed_by_peer(10 * SLOW), "the half frame was not cut by the idle timeout"
    s.wait_log(r"cut: idle \(read\) timeout", timeout=15, count=2)
    s.wait_log(r"cut: write timeout", timeout=15)
    # at most max_streams (128) streams per connection were taken: the rest refused
    assert s.log_text().count("op=getAuthentication status=200") <= 2000 + 20000 + 2 * 128
    for c in (closed_window, full_socket, stalled):
        c.close()
    status = curl(f"{s.url}/nadm-sec/v1/get-rand", content_type=None)[0]
    assert status == 200
    assert s.stop() == 0


def test_sighup_reload_under_load(servers, tmp_path):
    keys = tmp_path / "keys.txt"
    keys.write_text(keys_text(VECTOR_DEVICES))
    s = servers(keys, "--workers", "2")
    new1, new2 = bytes.fromhex("a2000000f1"), bytes.fromhex("a2000000f2")
    b64 = lambda p: base64.b64encode(p).decode()  # noqa: E731
    url = f"{s.url}/nadm-sec/v1/get-authentication"
    assert curl(url, named_body(b64(new1), 1))[0] == 404
    body = tmp_path / "auth.json"
    body.write_text(named_body(DEV1, 1))
    res = {}

    def run_load():
        res["r"] = h2load(url, body, 200000, clients=4, streams=16, timeout=120)
        res["end"] = time.monotonic()

    load = threading.Thread(target=run_load)
    load.start()

    def rewrite(devices):  # atomically: the loader never sees half a file
        tmp = tmp_path / "keys.tmp"
        tmp.write_text(keys_text(devices))
        os.replace(tmp, keys)

    time.sleep(0.3)
    rewrite(VECTOR_DEVICES + [(new1, "0f" * 16)])
    s.signal(signal.SIGHUP)
    s.wait_log(r"reloaded: 7 devices")
    time.sleep(0.2)
    (tmp_path / "keys.tmp").write_text("not a key file\n")
    os.replace(tmp_path / "keys.tmp", keys)
    s.signal(signal.SIGHUP)
    s.wait_log(r"key store not loaded: .*previous key store stays")
    rewrite(VECTOR_DEVICES + [(new1, "0f" * 16), (new2, "1e" * 32)])
    s.signal(signal.SIGHUP)
    s.wait_log(r"reloaded: 8 devices")
    reloaded_at = time.monotonic()
    load.join(150 * SLOW)
    assert not load.is_alive()
    r = res["r"]
    assert (r["succeeded"], r["failed"], r["errored"], r["timeout"]) == (200000, 0, 0, 0), r["output"]
    assert res["end"] > reloaded_at, "the load ended before the last reload: not a test under load"
    assert "reloaded: 8 devices" in s.log_text()
    for dev in (new1, new2):
        status, headers, text, _ = curl(url, named_body(b64(dev), 1))
        assert status == 200, text
    assert s.stop() == 0
    assert "key-store generation 3" in s.log_text()


def test_overload_is_429_and_bounded(servers, tmp_path):
    """One worker, a queue of 4, requests of ~30,000 derivations (2 MB answers) from 40
    connections at once: the queue overflows and the overflow is answered 429 at once (a valid
    ProblemDetails, NF_CONGESTION_RISK), every request gets an answer. Under h2load the memory
    budget (16 MiB of bodies held) adds its own 429s, and the resident memory stays within the
    budget plus the per-connection output buffers (40 x 256 KiB) and the allocator's slack.
    Then the budget on its own: a body announced that does not fit is a 429 too."""
    keys = tmp_path / "group.txt"
    keys.write_text(keys_text(group_devices(3000)))
    s = servers(keys, "--workers", "1", "--queue", "4", "--memory-limit", "16")
    rss0 = s.rss_kib()
    heavy = json.dumps({"filteringInfo": "CKE=", "randN": RN, "randDlist": [f"{i:032x}" for i in range(10)]})
    clients = [h2raw.RawClient("127.0.0.1", s.port, window=2**31 - 1) for _ in range(40)]
    for c in clients:
        c.send(c.request(1, "/nadm-sec/v1/get-authentication", heavy.encode()))
    statuses = []
    for c in clients:
        got, _ = c.responses(30 * SLOW, expect=1)
        c.close()
        data, complete = got[1]
        assert complete
        doc = json.loads(data)
        if "status" in doc:
            assert schema_errors(PROBLEM, doc) == [] and doc["status"] == 429, doc
            assert doc["cause"] == "NF_CONGESTION_RISK"
        else:
            assert len(doc["authDataSets"]) == 10
        statuses.append(doc.get("status", 200))
    assert statuses.count(429) >= 1 and statuses.count(200) >= 4, statuses
    body = tmp_path / "heavy.json"
    body.write_text(heavy)
    res = h2load(f"{s.url}/nadm-sec/v1/get-authentication", body, 400, clients=40, streams=1, timeout=60)
    assert res["done"] == 400 and res["errored"] == 0 and res["5xx"] == 0, res["output"]
    assert res["4xx"] >= 1 and res["2xx"] >= 4, res["output"]
    grown = s.rss_kib() - rss0
    assert SANITIZED or grown < (16 + 10 + 24) * 1024, f"RSS grew by {grown} KiB"
    assert curl(f"{s.url}/nadm-sec/v1/get-rand", content_type=None)[0] == 200
    assert s.stop() == 0
    log = s.log_text()
    assert re.search(r"of which 429 (\d+)", log).group(1) != "0"
    assert 'why="queue full"' in log
    # the memory budget (1 MiB): two bodies of 600 KB on two connections (each within its
    # connection's share, max-body here), the second does not fit
    s = servers(keys, "--workers", "1", "--max-body", "700000", "--memory-limit", "1", name="budget")
    first, second = (h2raw.RawClient("127.0.0.1", s.port) for _ in range(2))
    first.send(partial_body(first, 1, 600000, 600000))
    time.sleep(0.3)
    got, _ = second.exchange(partial_body(second, 1, 600000, 600000), 10 * SLOW, expect=1)
    doc = json.loads(got[1][0])
    assert doc["status"] == 429 and schema_errors(PROBLEM, doc) == []
    assert first.responses(0.5)[0] == {}, "the first body still fits: no answer before its end"
    for c in (first, second):
        c.close()
    assert s.stop() == 0
    assert 'why="memory budget full"' in s.log_text()


def partial_body(client, stream, declared, sent, path="/nadm-sec/v1/get-tid"):
    """HEADERS declaring `declared` body octets, then `sent` of them in DATA frames, without END_STREAM."""
    hb = h2raw.header_block(h2raw.request_headers(client.authority, path, declared))
    out = h2raw.frame(h2raw.HEADERS, h2raw.END_HEADERS, stream, hb)
    for at in range(0, sent, h2raw.MAX_FRAME):
        out += h2raw.frame(h2raw.DATA, 0, stream, b"x" * min(h2raw.MAX_FRAME, sent - at))
    return out


def test_announced_bodies_reserve_nothing_and_pings_are_not_activity(servers, vector_keys):
    """16 HEADERS announcing 4 MiB bodies that never come (2.4 KB sent) hold nothing: a body
    on another connection is served. Each such request has until the idle timeout from its
    HEADERS to finish its body, then it is reset, while its connection, active otherwise,
    stays. A connection that sends only PINGs is idle: cut by the idle timeout."""
    s = servers(vector_keys, "--workers", "1", "--idle-timeout", "2000")
    url = f"{s.url}/nadm-sec/v1/get-authentication"
    att = h2raw.RawClient("127.0.0.1", s.port)
    hb = h2raw.header_block(h2raw.request_headers(att.authority, "/nadm-sec/v1/get-authentication", 4194304))
    t0 = time.monotonic()
    att.send(b"".join(h2raw.frame(h2raw.HEADERS, h2raw.END_HEADERS, 2 * k + 1, hb) for k in range(16)))
    sid = [31]

    def another_get_rand():  # a complete request at each tick: the connection is not idle
        sid[0] += 2
        return att.request(sid[0], "/nadm-sec/v1/get-rand")

    p_att = h2raw.Pinger(att, every=0.3, tick=another_get_rand)
    p_idle = h2raw.Pinger(h2raw.RawClient("127.0.0.1", s.port), every=0.3)
    try:
        status, _, text, _ = curl(url, json.dumps(AUTH["request"]))
        assert status == 200, text  # before: 429, "memory budget full", until the peer closed
        bodiless = set(range(1, 33, 2))
        assert p_att.wait(lambda p: bodiless <= p.reset_streams(), 8 * SLOW), p_att.reset_streams()
        assert min(f[0] for f in p_att.received() if f[1] == h2raw.RST_STREAM) - t0 >= 1.5
        assert p_att.closed_at is None, "the active connection was cut"
        assert len(p_att.answered_streams() - bodiless) >= 3, "its other requests were answered meanwhile"
        assert p_idle.wait(lambda p: p.closed_at is not None, 8 * SLOW), "PINGs kept an idle connection open"
        assert p_idle.closed_at - t0 >= 1.5
    finally:
        p_att.stop()
        p_idle.stop()
    s.wait_log(r"cut: idle \(read\) timeout")
    assert s.stop() == 0
    assert s.log_text().count('cut="request body deadline"') == 16


def test_connection_share_of_the_body_budget(servers, vector_keys):
    """Bodies are charged as their octets arrive, and one connection holds at most its share
    (here the worker's 16 MiB / 8 = 2 MiB): its fourth 600 KB body is refused (429) while
    another connection is served; the octets come back when the requests end."""
    s = servers(vector_keys, "--workers", "1", "--max-body", "1000000", "--memory-limit", "16")
    url = f"{s.url}/nadm-sec/v1/get-authentication"
    c = h2raw.RawClient("127.0.0.1", s.port, window=2**31 - 1)
    data = b"".join(partial_body(c, sid, 600000, 600000) for sid in (1, 3, 5, 7))
    got, _ = c.exchange(data, 10 * SLOW, expect=1)
    assert set(got) == {7}, got
    doc = json.loads(got[7][0])
    assert doc["status"] == 429 and doc["cause"] == "NF_CONGESTION_RISK" and schema_errors(PROBLEM, doc) == []
    status, _, text, _ = curl(url, json.dumps(AUTH["request"]))
    assert status == 200, text
    # the three bodies in progress end (END_STREAM): answered (a get-tid body of 600 KB is no JSON: 400)
    got, _ = c.exchange(b"".join(h2raw.frame(h2raw.DATA, h2raw.END_STREAM, sid, b"") for sid in (1, 3, 5)),
                        10 * SLOW, expect=3)
    assert sorted(got) == [1, 3, 5] and all(json.loads(b)["status"] == 400 for b, _ in got.values()), got
    c.close()
    assert s.stop() == 0
    assert 'why="connection over its memory share"' in s.log_text()


def heavy_body(n_rand_d):
    """getAuthentication of the group a1 (filter 08a1): |group| x n_rand_d derivations, ~71 octets each."""
    return json.dumps({"filteringInfo": "CKE=", "randN": RN, "randDlist": [f"{i:032x}" for i in range(n_rand_d)]})


def test_unread_answers_are_budgeted_and_reset(servers, tmp_path):
    """Answers count against --memory-limit too. Peers that read the socket but grant no
    flow-control window (and send PINGs) to 144 answers of 640 KB (95 MB, from requests of
    150 octets) hold at most the budget: a connection's answers beyond its share wait
    unanswered, a worker's beyond its budget are 429. An answer that makes no progress for
    --write-timeout is reset and its copy freed; an answer larger than the whole budget is a
    413 (the AIOTF splits the request)."""
    keys = tmp_path / "group.txt"
    keys.write_text(keys_text(group_devices(3000)))
    s = servers(keys, "--workers", "1", "--memory-limit", "8", "--max-body", "1000000", "--write-timeout", "1500",
                "--idle-timeout", "30000")
    url = f"{s.url}/nadm-sec/v1/get-authentication"
    heavy = heavy_body(3)
    for _ in range(3):
        status, _, text, _ = curl(url, heavy)
        assert status == 200 and len(text) > 600000
    rss0 = s.rss_kib()
    peers = []
    try:
        for _ in range(6):
            c = h2raw.RawClient("127.0.0.1", s.port, window=0)
            c.send(b"".join(c.request(2 * k + 1, "/nadm-sec/v1/get-authentication", heavy.encode()) for k in range(24)))
            peers.append(h2raw.Pinger(c, every=0.3))
        time.sleep(1.0)
        grown = s.rss_kib() - rss0
        assert SANITIZED or grown < 24 * 1024, f"RSS grew by {grown} KiB"
        # no progress for 1.5 s: reset, with the PINGs going on
        for p in peers:
            assert p.wait(lambda p: len(p.reset_streams()) >= 1, 6 * SLOW), "an answer nobody reads was kept"
            assert p.closed_at is None
        grown = s.rss_kib() - rss0
        assert SANITIZED or grown < 24 * 1024, f"RSS grew by {grown} KiB"
        status, _, text, _ = curl(url, heavy)
        assert status in (200, 429), text
    finally:
        for p in peers:
            p.stop()
    s.wait_log(r'cut="answer not read"')
    # an answer larger than the whole budget (1.28 MB > 1 MiB) can never be held: 413
    status, _, text, _ = curl(url, heavy)
    assert status == 200, text
    assert s.stop() == 0
    small = servers(keys, "--workers", "1", "--memory-limit", "1", "--max-body", "1000000", name="small")
    status, headers, text, _ = curl(f"{small.url}/nadm-sec/v1/get-authentication", heavy_body(6))
    doc = json.loads(text)
    assert status == 413 and doc["cause"] == "TOO_MANY_DERIVATIONS" and schema_errors(PROBLEM, doc) == [], text
    assert small.stop() == 0


def test_out_of_file_descriptors(servers, vector_keys):
    """accept() failing with EMFILE pauses the listener for 100 ms at a time, with at most a
    log line a second, instead of spinning; connections are taken again once descriptors are
    free."""
    s = servers(vector_keys, "--workers", "1")
    pid = s.proc.pid
    open_fds = len(os.listdir(f"/proc/{pid}/fd"))
    soft, hard = resource.prlimit(pid, resource.RLIMIT_NOFILE)
    resource.prlimit(pid, resource.RLIMIT_NOFILE, (open_fds + 3, hard))
    extra = []
    try:
        for _ in range(12):
            extra.append(socket.create_connection(("127.0.0.1", s.port), timeout=2))
        time.sleep(2.0)
        lines = s.log_text().count("Too many open files")
        assert 1 <= lines <= 4, f"{lines} log lines about EMFILE in 2 s"
    finally:
        resource.prlimit(pid, resource.RLIMIT_NOFILE, (soft, hard))
        for c in extra:
            c.close()
    status = curl(f"{s.url}/nadm-sec/v1/get-rand", content_type=None, timeout=5)[0]
    assert status == 200
    assert s.stop() == 0


def test_open_file_limit_raised_and_connections_clamped(servers, vector_keys):
    """The server raises its soft RLIMIT_NOFILE to the hard limit; a --max-connections that
    does not fit under the limit (with room for the server's own descriptors) is lowered,
    with a warning."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    low = min(64, hard)
    s = servers(vector_keys, "--workers", "1", "--max-connections", "30",
                preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (low, hard)))
    assert resource.prlimit(s.proc.pid, resource.RLIMIT_NOFILE)[0] == hard
    assert s.stop() == 0
    assert "max-connections" not in s.log_text()
    tight = servers(vector_keys, "--workers", "1", name="tight",
                    preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64)))
    m = re.search(r"--max-connections 4096 does not fit .*: lowered to (\d+)", tight.log_text())
    assert m and 1 <= int(m.group(1)) < 64, tight.log_text()[-1000:]
    conns = [socket.create_connection(("127.0.0.1", tight.port), timeout=2) for _ in range(int(m.group(1)) + 5)]
    time.sleep(0.5)
    assert "Too many open files" not in tight.log_text()
    assert "max-connections reached" in tight.log_text()
    for c in conns:
        c.close()
    assert curl(f"{tight.url}/nadm-sec/v1/get-rand", content_type=None, timeout=5)[0] == 200
    assert tight.stop() == 0
