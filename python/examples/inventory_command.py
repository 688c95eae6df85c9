#!/usr/bin/env python3
"""An inventory and a command procedure between an ADM, an AIOTF and a device, from Python.

Run from a source checkout after building (the build tree is found on its own),
or point at a library:

    AIOTSEC_LIBRARY=build/libaiotsec.so python3 python/examples/inventory_command.py
    python3 python/examples/inventory_command.py --backend openssl

NG-RAN is played by this script: it carries RAND_AIOT_n and the identification
information to the device in a paging, and the device's answers back to the AIOTF.
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import aiotsec  # noqa: E402
from aiotsec import nas  # noqa: E402

KEYFILE = """\
# identification-information  permanent-identifier  K_AIOT_root (hex)
0102a0  4d2d30303031  000102030405060708090a0b0c0d0e0f
0102a1  4d2d30303032  f0e0d0c0b0a090807060504030201000f0e0d0c0b0a0908070605040302010ff
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--backend", default=None, help="sodium, openssl, native (default: sodium)")
    ap.add_argument("--library", default=None, help="path to libaiotsec.so")
    args = ap.parse_args()
    if args.library:
        aiotsec.load(args.library)
    print(f"libaiotsec {aiotsec.library_version()} from {aiotsec.library().path}")

    ident = bytes.fromhex("0102a0")
    k_root = bytes.fromhex("000102030405060708090a0b0c0d0e0f")
    now = int(time.monotonic() * 1000)

    with aiotsec.Context(args.backend) as ctx, aiotsec.MemStore(ctx) as store:
        store.load_text(KEYFILE)
        print(f"backend {ctx.backend}; key store: {len(store)} devices")
        with aiotsec.Adm(ctx, store) as adm, aiotsec.Aiotf(ctx, adm) as aiotf, \
                aiotsec.Device(ctx, ident, k_root, memory=b"temperature=21C;" + bytes(48),
                               wp_offset=48, wp_len=16) as device:
            # Inventory: steps 1-10 (authentication only).
            proc, rand_n = aiotf.start(ident, aiotsec.ProcType.INVENTORY, now_ms=now)
            answer = device.on_paging(rand_n, ident)            # NG-RAN paging -> device
            auth = nas.decode(answer)
            print(f"inventory: device answered AUTHENTICATION RESPONSE "
                  f"(RES {len(auth.res)} octets, RAND_AIOT_d {len(auth.rand_d)} octets)")
            result = aiotf.on_report(rand_n, ident, answer, now_ms=now + 5)
            print(f"inventory: authenticated {result.perm_id.decode()} (proc {result.proc_id})")

            # Command: authentication, K_AIOTF, then protected commands.
            proc, rand_n = aiotf.start(ident, aiotsec.ProcType.COMMAND, now_ms=now + 10)
            answer = device.on_paging(rand_n, ident)
            result = aiotf.on_report(rand_n, ident, answer, now_ms=now + 15)
            print(f"command: authenticated {result.perm_id.decode()}, security context ready")

            request = aiotf.command(proc, aiotsec.Command.READ, offset=0, length=16, now_ms=now + 20)
            print(f"command: READ request, {len(request)} octets, "
                  f"security header type {nas.peek_sht(request).name}")
            response = aiotf.on_command_response(proc, device.on_command(request), now_ms=now + 25)
            print(f"command: READ -> {response.status.name}, data {response.data!r}")

            request = aiotf.command(proc, aiotsec.Command.WRITE, offset=0, data=b"temperature=22C;",
                                    now_ms=now + 30)
            response = aiotf.on_command_response(proc, device.on_command(request), now_ms=now + 35)
            print(f"command: WRITE -> {response.status.name}; device memory now "
                  f"{device.memory[:16]!r}")

            request = aiotf.command(proc, aiotsec.Command.WRITE, offset=50, data=b"x",
                                    now_ms=now + 40)
            response = aiotf.on_command_response(proc, device.on_command(request), now_ms=now + 45)
            print(f"command: WRITE into the protected range -> {response.status.name}")

            try:
                device.on_command(request)                      # an attacker replays it
            except aiotsec.ReplayError as exc:
                print(f"command: replayed request rejected by the device: {exc.name}")
            aiotf.finish(proc)

            stats = aiotf.stats
            print(f"AIOTF: {stats.started} procedures, {stats.authenticated} authenticated, "
                  f"{stats.adm_calls} ADM calls, {stats.responses_ok} responses verified; "
                  f"device state {device.state.name}")

            # Batched inventory: many reports in one call (one ADM batch for the matched
            # ones); the second device's key comes from the same key file.
            rec = aiotsec.read_keyfile(KEYFILE)[1]
            with aiotsec.Device(ctx, rec.ident, rec.k_root) as device2:
                _, rn1 = aiotf.start(ident, aiotsec.ProcType.INVENTORY, now_ms=now + 50)
                _, rn2 = aiotf.start(rec.ident, aiotsec.ProcType.INVENTORY, now_ms=now + 50)
                reports = [(rn1, ident, device.on_paging(rn1, ident)),
                           (rn2, rec.ident, device2.on_paging(rn2, rec.ident)),
                           (bytes(len(rn1)), ident, answer)]      # unsolicited: dropped
                outcomes = aiotf.on_reports(reports, now_ms=now + 55)
                print("batch inventory: " + ", ".join(
                    o.result.perm_id.decode() if o.ok else o.name for o in outcomes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
