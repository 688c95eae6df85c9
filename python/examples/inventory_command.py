#!/usr/bin/env python3
"""A group inventory, then commands to one identified tag, between an ADM, an AIOTF and tags.

Run from a source checkout after building (the build tree is found on its own),
or point at a library:

    AIOTSEC_LIBRARY=build/libaiotsec.so python3 python/examples/inventory_command.py
    python3 python/examples/inventory_command.py --backend openssl

NG-RAN is played by this script: it pages every tag with RAND_AIOT_n and a filter
(the group "every Permanent Identifier starting a1"), and carries the answers, which
carry no identifier, back to the AIOTF. A forger and a replayed answer join them.
The ADM is in-process (Aiotf.pump_local); an SBI client would carry the same requests.
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import aiotsec  # noqa: E402
from aiotsec import CmdStatus, Command, ProcType  # noqa: E402

# Seven tags: five in the group a1/8, two outside it. The keys are demo values.
TAGS = ["a100000001", "a100000002", "a100000003", "a10fffff04", "a180000005",
        "a200000006", "b200000007"]
SHOWN = "a100000003"   # the tag the commands go to


def demo_key(i: int) -> bytes:
    return bytes((i * 17 + j) & 0xFF for j in range(16 if i % 2 else 32))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--backend", default=None, help="sodium, openssl, native (default: sodium)")
    ap.add_argument("--library", default=None, help="path to libaiotsec.so")
    args = ap.parse_args()
    if args.library:
        aiotsec.load(args.library)
    print(f"libaiotsec {aiotsec.library_version()} from {aiotsec.library().path}")
    keyfile = "# Permanent Identifier   K_AIOT_root (hex)\n" + "".join(
        f"{p}  {demo_key(i).hex()}\n" for i, p in enumerate(TAGS))
    now = int(time.monotonic() * 1000)

    with aiotsec.Context(args.backend) as ctx, aiotsec.MemStore(ctx) as store:
        store.load_text(keyfile)
        print(f"backend {ctx.backend}; key store: {len(store)} devices")
        tags = {p: aiotsec.Device(ctx, bytes.fromhex(p), demo_key(i),
                                  memory=b"temperature=21C;" + bytes(48), wp_offset=48, wp_len=16)
                for i, p in enumerate(TAGS)}
        group = aiotsec.Filter.from_prefix(b"\xa1", 8)
        with aiotsec.Adm(ctx, store) as adm, aiotsec.Aiotf(ctx, timeout_ms=2000) as aiotf:
            # Steps 1-2: the procedure and its RAND_AIOT_n (getRand).
            proc = aiotf.start(ProcType.COMMAND, filter=group, now_ms=now)
            aiotf.pump_local(adm, now_ms=now)
            rand_n = aiotf.summary(proc).rand_n
            # Steps 3-6: the paging reaches every tag; those in the group answer.
            answers = [a for a in (t.on_paging(rand_n, filter=group) for t in tags.values()) if a]
            # A forger answers too: a RES_AIOT it cannot compute, for a RAND_AIOT_d of its own.
            forged = aiotsec.nas.AuthResponse(res=bytes(16), rand_d=b"\xf0" * 16).encode()
            report_of = {}
            for tag, answer in zip((p for p in TAGS if group.matches(bytes.fromhex(p))), answers):
                report_of[tag] = aiotf.on_report(rand_n, answer, now_ms=now + 1)
            forged_id = aiotf.on_report(rand_n, forged, now_ms=now + 1)
            try:
                aiotf.on_report(rand_n, answers[1], now_ms=now + 1)        # a replay
            except aiotsec.ProcedureError as exc:
                replay = exc.name
            # Steps 7-11: one getAuthentication for the group, then getSessionKey per tag.
            aiotf.flush(proc)
            aiotf.pump_local(adm, now_ms=now + 2)
            s = aiotf.summary(proc)
            forged_status = aiotf.device(forged_id).status_name
            print(f"group inventory a1/8: {s.authenticated} identified, {s.auth_failed} forgery "
                  f"{forged_status.replace('AIOTSEC_E_', '')}, {s.duplicate} duplicate dropped"
                  f" ({replay})")
            for d in aiotf.devices(proc):
                print(f"  report {d.report_id}: "
                      f"{d.perm_id.hex() if d.identified else d.status_name}")

            # Commands to one identified tag, addressed by its report.
            rid, tag = report_of[SHOWN], tags[SHOWN]
            assert aiotf.device(rid).perm_id.hex() == SHOWN and aiotf.device(rid).secured
            req = aiotf.command(rid, Command.READ, offset=0, length=16, now_ms=now + 3)
            resp = aiotf.on_command_response(rid, tag.on_command(req), now_ms=now + 3)
            print(f"{SHOWN} READ -> {resp.status.name}, data {resp.data!r}")
            req = aiotf.command(rid, Command.WRITE, offset=50, data=b"x", now_ms=now + 4)
            resp = aiotf.on_command_response(rid, tag.on_command(req), now_ms=now + 4)
            print(f"WRITE into the protected range -> {resp.status.cause}")
            try:
                tag.on_command(req)                                       # replayed
            except aiotsec.ReplayError as exc:
                print(f"the same request again: rejected by the tag: {exc.name}")
            req = aiotf.command(rid, Command.PERMANENT_DISABLE, now_ms=now + 5)
            resp = aiotf.on_command_response(rid, tag.on_command(req), now_ms=now + 5)
            assert resp.status == CmdStatus.SUCCESS
            print(f"PERMANENT_DISABLE -> {resp.status.name}; tag state {tag.state.name}")
            aiotf.finish(proc)
        for t in tags.values():
            t.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
