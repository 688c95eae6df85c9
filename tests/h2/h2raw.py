"""A deliberately small HTTP/2 client for the fault tests: raw frames over a socket.

The server under test is built on libnghttp2; this module exists to misbehave in
ways real clients do not (never read, stop in the middle of a frame, open more
streams than allowed), so it writes frames by hand (RFC 9113 section 4) and
encodes header blocks with HPACK literals only (RFC 7541 section 6.2.2: literal
without indexing, no Huffman), which every decoder must accept.
"""
import socket
import struct
import threading
import time

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
DATA, HEADERS, RST_STREAM, SETTINGS, PING, GOAWAY, WINDOW_UPDATE = 0x0, 0x1, 0x3, 0x4, 0x6, 0x7, 0x8
END_STREAM, END_HEADERS, ACK = 0x1, 0x4, 0x1
SETTINGS_INITIAL_WINDOW_SIZE = 0x4
MAX_FRAME = 16384


def frame(ftype, flags, stream, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([ftype, flags]) + struct.pack(">I", stream) + payload


def _hpack_int(value, prefix_bits, first=0):
    limit = (1 << prefix_bits) - 1
    if value < limit:
        return bytes([first | value])
    out = bytearray([first | limit])
    value -= limit
    while value >= 128:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def header_block(headers):
    """HPACK: every field a literal without indexing, new name, no Huffman."""
    out = bytearray()
    for name, value in headers:
        name, value = name.encode(), value.encode()
        out += b"\x00" + _hpack_int(len(name), 7) + name + _hpack_int(len(value), 7) + value
    return bytes(out)


def request_headers(authority, path, body_len=None, content_type="application/json", method="POST"):
    h = [(":method", method), (":scheme", "http"), (":authority", authority), (":path", path)]
    if content_type:
        h.append(("content-type", content_type))
    if body_len is not None:
        h.append(("content-length", str(body_len)))
    return h


class RawClient:
    def __init__(self, host, port, window=65535, timeout=5.0):
        """window: every stream's receive window (0: the server can send no DATA at all);
        above 65535 the connection's window is opened as wide too."""
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.authority = f"{host}:{port}"
        settings = struct.pack(">HI", SETTINGS_INITIAL_WINDOW_SIZE, window)
        out = PREFACE + frame(SETTINGS, 0, 0, settings)
        if window > 65535:
            out += frame(WINDOW_UPDATE, 0, 0, struct.pack(">I", window - 65535))
        self.sock.sendall(out)
        self.buf = b""

    def send(self, data):
        self.sock.sendall(data)

    def request(self, stream, path, body=b"", content_type="application/json"):
        """HEADERS (+ DATA) of one request, END_STREAM on the last frame; the octets, not sent."""
        hb = header_block(request_headers(self.authority, path, len(body), content_type))
        if not body:
            return frame(HEADERS, END_HEADERS | END_STREAM, stream, hb)
        out = frame(HEADERS, END_HEADERS, stream, hb)
        for at in range(0, len(body), MAX_FRAME):  # SETTINGS_MAX_FRAME_SIZE: the default, 16384
            chunk = body[at:at + MAX_FRAME]
            out += frame(DATA, END_STREAM if at + MAX_FRAME >= len(body) else 0, stream, chunk)
        return out

    def frames(self, seconds, until=None):
        """Reads frames for up to `seconds` (until the peer closes, or until(frames) is true):
        a list of (type, flags, stream, payload)."""
        out = []
        end = time.monotonic() + seconds
        self.sock.settimeout(0.1)
        while time.monotonic() < end:
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                break
            if not chunk:
                break
            self.buf += chunk
            while len(self.buf) >= 9:
                length = int.from_bytes(self.buf[:3], "big")
                if len(self.buf) < 9 + length:
                    break
                ftype, flags = self.buf[3], self.buf[4]
                stream = int.from_bytes(self.buf[5:9], "big") & 0x7FFFFFFF
                out.append((ftype, flags, stream, self.buf[9:9 + length]))
                self.buf = self.buf[9 + length:]
            if until and until(out):
                break
        return out

    def responses(self, seconds, expect=None):
        """Reads for up to `seconds` (or until `expect` responses are complete):
        {stream: (body octets, complete)}, and the frames' types."""
        bodies, done, types = {}, set(), []

        def enough(frames):
            return expect is not None and sum(1 for f in frames if f[0] == DATA and f[1] & END_STREAM) >= expect

        for ftype, flags, stream, payload in self.frames(seconds, enough):
            types.append((ftype, stream))
            if ftype == DATA:
                bodies[stream] = bodies.get(stream, b"") + payload
                if flags & END_STREAM:
                    done.add(stream)
        return {k: (v, k in done) for k, v in bodies.items()}, types

    def exchange(self, data, seconds, expect=None):
        """Sends data while reading (a server pauses reading while its answers wait to be
        written), then reads on: responses() of everything, within `seconds`."""
        result = {}
        reader = threading.Thread(target=lambda: result.update(r=self.responses(seconds, expect)))
        reader.start()
        self.sock.settimeout(seconds)
        self.sock.sendall(data)
        reader.join(seconds + 5)
        return result["r"]

    def closed_by_peer(self, seconds):
        """True when the peer closes the connection within `seconds` (whatever it sends first)."""
        end = time.monotonic() + seconds
        self.sock.settimeout(0.1)
        while time.monotonic() < end:
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                return True
            if not chunk:
                return True
        return False

    def close(self):
        self.sock.close()


def ping(data=b"pingping"):
    return frame(PING, 0, 0, data)


class Pinger:
    """A peer that reads everything it is sent (its socket never fills) but may grant no
    flow-control window, and sends a PING every `every` seconds, plus whatever tick()
    returns, on a thread of its own until stop(). Records the frames it receives as
    (time, type, flags, stream, payload) and when the server closed the connection."""

    def __init__(self, client, every=0.3, tick=None):
        self.client, self.every, self.tick = client, every, tick
        self.frames, self.closed_at, self.t0 = [], None, time.monotonic()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        sock, buf, next_send = self.client.sock, b"", 0.0
        sock.settimeout(0.05)
        while not self._stop.is_set():
            now = time.monotonic()
            if now >= next_send:
                next_send = now + self.every
                try:
                    sock.sendall(ping() + (self.tick() if self.tick else b""))
                except OSError:
                    self.closed_at = time.monotonic()
                    return
            try:
                chunk = sock.recv(1 << 20)
            except socket.timeout:
                continue
            except OSError:
                self.closed_at = time.monotonic()
                return
            if not chunk:
                self.closed_at = time.monotonic()
                return
            buf += chunk
            while len(buf) >= 9:
                length = int.from_bytes(buf[:3], "big")
                if len(buf) < 9 + length:
                    break
                f = (time.monotonic(), buf[3], buf[4], int.from_bytes(buf[5:9], "big") & 0x7FFFFFFF, buf[9:9 + length])
                with self._lock:
                    self.frames.append(f)
                buf = buf[9 + length:]

    def received(self):
        with self._lock:
            return list(self.frames)

    def reset_streams(self):
        """The streams the server reset (RST_STREAM)."""
        return {f[3] for f in self.received() if f[1] == RST_STREAM}

    def answered_streams(self):
        """The streams whose response HEADERS came."""
        return {f[3] for f in self.received() if f[1] == HEADERS}

    def wait(self, cond, seconds):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if cond(self):
                return True
            time.sleep(0.05)
        return cond(self)

    def stop(self):
        self._stop.set()
        self._thread.join(5)
        self.client.close()
